//! What the simulated PayTR remembers: orders, stored cards and open 3-D Secure pages.
//! No full card number or CVV is ever kept.

// Refunded totals add stored amounts; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::HashMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::bins::{self, BinInfo};
use super::test_cards::{Behaviour, Decline, Verdict};

/// The parts of a card PayTR may show back (BIN, last four, expiry, bank data).
#[derive(Debug, Clone)]
pub(crate) struct CardSummary {
    pub bin: String,
    pub last4: String,
    /// Two digits.
    pub month: String,
    /// Two digits.
    pub year: String,
    pub owner: String,
    pub behaviour: Behaviour,
}

impl CardSummary {
    /// `VISA`, `MASTERCARD`, `AMEX`, `TROY` or `OTHER`: the BIN database's answer, or
    /// for an unknown BIN the first digit's.
    pub fn schema(&self) -> &'static str {
        if let Some(info) = self.bin_info() {
            return info.schema;
        }
        match self.bin.as_bytes().first() {
            Some(b'4') => "VISA",
            Some(b'2' | b'5') => "MASTERCARD",
            Some(b'3') => "AMEX",
            Some(b'9') => "TROY",
            _ => "OTHER",
        }
    }

    /// The `initial` field of capi/list: the first digit.
    pub fn initial(&self) -> String {
        self.bin.chars().take(1).collect()
    }

    /// Bank, program, card type and scheme from the simulated BIN database, for the
    /// BINs it knows.
    pub fn bin_info(&self) -> Option<BinInfo> {
        bins::lookup(&self.bin)
    }

    /// The masked number as the status query shows it (`455359AAA6747`).
    pub fn masked(&self) -> String {
        format!("{}AAA{}", self.bin, self.last4)
    }
}

/// A stored card of one user.
#[derive(Debug, Clone)]
pub(crate) struct StoredCard {
    pub ctoken: String,
    pub card: CardSummary,
    pub require_cvv: bool,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderStatus {
    /// Waiting for the bank page or a slow bank.
    Pending,
    /// Paid.
    Succeeded,
    /// Declined or abandoned.
    Failed,
}

/// Whether the merchant has answered the notification of an order with `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ack {
    /// No result notified yet.
    NotYet,
    /// No notification URL was configured: nothing to acknowledge, refunds are open.
    NoUrl,
    /// Still being delivered.
    Delivering,
    /// The merchant answered `OK`.
    Acknowledged,
    /// Every attempt failed; the order stays "Devam Ediyor" at PayTR.
    GaveUp,
}

/// One refund of an order.
#[derive(Debug, Clone)]
pub(crate) struct RefundRecord {
    pub amount: Decimal,
    pub reference_no: Option<String>,
    pub at: OffsetDateTime,
}

/// A card storage asked for with the payment.
#[derive(Debug, Clone)]
pub(crate) struct StoreRequest {
    /// The existing user to add the card to, if any.
    pub utoken: Option<String>,
}

/// One payment attempt, keyed by `merchant_oid`.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub merchant_oid: String,
    pub reference: String,
    pub amount: Decimal,
    /// As notifications spell it (`TL` for `TRY`).
    pub currency: String,
    pub installments: u8,
    pub test_mode: bool,
    pub payment_type: String,
    pub status: OrderStatus,
    pub failure: Option<Decline>,
    pub card: CardSummary,
    pub store: Option<StoreRequest>,
    /// The `(utoken, ctoken)` created when the card was stored.
    pub stored: Option<(String, String)>,
    pub refunds: Vec<RefundRecord>,
    pub ack: Ack,
    pub created: OffsetDateTime,
    pub ok_url: String,
    pub fail_url: String,
}

impl Order {
    /// Refunded so far.
    pub fn refunded(&self) -> Decimal {
        // Refunds never add up to more than the amount; a saturated total would only
        // refuse further refunds.
        self.refunds
            .iter()
            .fold(Decimal::ZERO, |sum, r| sum.saturating_add(r.amount))
    }
}

/// An open 3-D Secure page waiting for the customer.
#[derive(Debug, Clone)]
pub(crate) struct BankSession {
    pub merchant_oid: String,
    /// The bank's verdict should the customer pass verification; decided when the page
    /// opens so the CVV need not be kept.
    pub verdict_if_verified: Verdict,
}

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub orders: HashMap<String, Order>,
    /// `utoken` → the user's cards, in the order they were stored.
    pub users: HashMap<String, Vec<StoredCard>>,
    /// Bank page id → session.
    pub bank_sessions: HashMap<String, BankSession>,
}
