//! What the simulator remembers: sales, vaulted cards, pending 3-D Secure sessions and
//! subscription plans. One mutex guards it all, so a check and its effect (e.g. "is this
//! order id in use?" and creating the sale) are one atomic step.

// Refundable amounts and ids are computed from stored figures; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use serde_json::Value;
use time::{Date, OffsetDateTime};

use super::cards::{CardData, CardSummary};
use super::errors::ErrorCode;

/// A sale's `status`. The document names Created, Paid, PreAuthorized and Declined (and
/// Authorized, which this simulator never produces); the refund and cancel statuses are
/// undocumented and chosen to be distinct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SaleStatus {
    Created,
    Paid,
    PreAuthorized,
    Declined,
    PartiallyRefunded,
    Refunded,
    Cancelled,
}

impl SaleStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SaleStatus::Created => "Created",
            SaleStatus::Paid => "Paid",
            SaleStatus::PreAuthorized => "PreAuthorized",
            SaleStatus::Declined => "Declined",
            SaleStatus::PartiallyRefunded => "Partially Refunded",
            SaleStatus::Refunded => "Refunded",
            SaleStatus::Cancelled => "Cancelled",
        }
    }
}

/// One line item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub name: String,
    pub photo: Option<String>,
    pub quantity: u64,
    pub unit_price: Decimal,
}

/// The merchant's side of a sale, as the sale endpoint (or direct charge) received it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SaleInput {
    pub order_id: String,
    pub currency: String,
    pub amount: Decimal,
    pub installment: u32,
    pub secure_option: bool,
    pub half_secure: Option<bool>,
    pub pre_auth: bool,
    pub return_url: Option<String>,
    pub hosted_payment: bool,
    pub customer_first_name: String,
    pub customer_last_name: String,
    pub customer_email: String,
    pub customer_ip_address: String,
    pub billing_address: String,
    pub billing_city: String,
    pub billing_state: Option<String>,
    pub billing_country: String,
    pub billing_zipcode: Option<String>,
    pub billing_phone: Option<String>,
    pub billing_company: Option<String>,
    pub items: Vec<Item>,
    pub sale_data: Value,
    pub language_code: String,
    pub description: Option<String>,
}

/// The fraud check attached to a card transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FraudCheck {
    pub id: u64,
    pub decision: &'static str,
    pub risk_score: Decimal,
    /// Set when the merchant captured (accepted) or cancelled/refunded (rejected) a review.
    pub reviewer_decision: Option<&'static str>,
    pub reviewer_comments: Option<String>,
    pub created_at: OffsetDateTime,
}

/// One entry of a sale's `transactions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transaction {
    /// `Sale` as documented; `PreAuth`, `Capture`, `Cancel` and `Refund` are undocumented.
    pub kind: &'static str,
    pub succeeded: bool,
    pub amount: Decimal,
    pub currency: String,
    pub is_secure: bool,
    pub secure_status: Option<&'static str>,
    pub created_at: OffsetDateTime,
    pub card: Option<CardSummary>,
    pub fraud: Option<FraudCheck>,
    pub paytrek_ref_id: String,
    pub error: Option<&'static ErrorCode>,
}

/// A sale.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sale {
    pub id: u64,
    pub token: String,
    pub input: SaleInput,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub status: SaleStatus,
    pub financial_status: Option<&'static str>,
    pub refunded: Decimal,
    pub transactions: Vec<Transaction>,
    /// The card of the last attempt.
    pub card: Option<CardSummary>,
    /// Set when the payment vaulted its card (`save_card`).
    pub card_token: Option<String>,
    pub card_user_id: Option<String>,
    pub plan_token: Option<String>,
}

impl Sale {
    /// What may still be refunded.
    pub(crate) fn remaining(&self) -> Decimal {
        // Refunds never exceed the amount; a figure that does not fit leaves nothing.
        self.input
            .amount
            .checked_sub(self.refunded)
            .unwrap_or(Decimal::ZERO)
    }
}

/// A vaulted card. It keeps the PAN (the simulator must charge it later) but never the CVC.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct StoredCard {
    pub token: String,
    pub user_id: String,
    pub label: String,
    pub card: CardData,
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for StoredCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCard")
            .field("token", &self.token)
            .field("user_id", &self.user_id)
            .field("card", &self.card)
            .finish_non_exhaustive()
    }
}

/// What a payment should do with its card once approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SaveCard {
    pub user_id: Option<String>,
    pub label: Option<String>,
}

/// A payment waiting for the customer at the simulated bank page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending3ds {
    pub sale_token: String,
    pub card: CardData,
    pub save: Option<SaveCard>,
}

/// One scheduled payment of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subscription {
    pub token: String,
    pub status: &'static str,
    pub payment_date: Date,
}

/// A subscription plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub token: String,
    pub name: String,
    pub description: Option<String>,
    pub sale_token: String,
    pub card_token: String,
    pub is_active: bool,
    pub cancelled_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub subscriptions: Vec<Subscription>,
}

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub(crate) struct Store {
    sales: Vec<Sale>,
    sale_index: HashMap<String, usize>,
    /// The order ids of `sales`, kept in step by [`Store::insert_sale`] (the only way a sale
    /// is added; a sale's order id never changes), so the duplicate-order check does not
    /// scan every sale.
    orders: HashSet<String>,
    pub cards: Vec<StoredCard>,
    pub pending: HashMap<String, Pending3ds>,
    pub plans: HashMap<String, Plan>,
    next_id: u64,
}

impl Store {
    /// A fresh numeric id (sale ids, fraud check ids), like a database sequence.
    pub(crate) fn next_id(&mut self) -> u64 {
        // A sequence; 2^64 ids are never reached.
        self.next_id = self.next_id.saturating_add(1);
        self.next_id.saturating_add(90_000)
    }

    /// Whether a sale already uses `order_id`.
    pub(crate) fn order_in_use(&self, order_id: &str) -> bool {
        self.orders.contains(order_id)
    }

    /// Adds a sale.
    pub(crate) fn insert_sale(&mut self, sale: Sale) {
        self.sale_index.insert(sale.token.clone(), self.sales.len());
        self.orders.insert(sale.input.order_id.clone());
        self.sales.push(sale);
    }

    /// The sale with `token`.
    pub(crate) fn sale(&self, token: &str) -> Option<&Sale> {
        self.sale_index.get(token).and_then(|i| self.sales.get(*i))
    }

    /// The sale with `token`, to change it.
    pub(crate) fn sale_mut(&mut self, token: &str) -> Option<&mut Sale> {
        let index = *self.sale_index.get(token)?;
        self.sales.get_mut(index)
    }

    /// Every sale, oldest first.
    pub(crate) fn sales(&self) -> &[Sale] {
        &self.sales
    }

    /// The vaulted card with `token`.
    pub(crate) fn card(&self, token: &str) -> Option<&StoredCard> {
        self.cards.iter().find(|c| c.token == token)
    }
}
