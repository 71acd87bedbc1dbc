//! What the simulator remembers: payments with their item transactions, refunds, stored
//! cards and card users.

// Refundable amounts and ids are computed from stored figures; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_decimal::Decimal;
use time::PrimitiveDateTime;

use super::test_cards::{BinInfo, Decline};

/// A card number kept for the simulated bank; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Pan(pub(crate) String);

impl std::fmt::Debug for Pan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = &self.0;
        let bin = n.get(..6).unwrap_or("");
        let last = n.get(n.len().saturating_sub(4)..).unwrap_or("");
        write!(f, "Pan({bin}******{last})")
    }
}

impl Pan {
    pub(crate) fn bin(&self) -> String {
        self.0.chars().take(6).collect()
    }

    pub(crate) fn last_four(&self) -> String {
        self.0
            .get(self.0.len().saturating_sub(4)..)
            .unwrap_or("")
            .to_owned()
    }
}

/// The card a payment was made with.
#[derive(Debug, Clone)]
pub(crate) struct PaymentCard {
    pub(crate) pan: Pan,
    pub(crate) holder_name: Option<String>,
    pub(crate) expire_year: String,
    pub(crate) expire_month: String,
    pub(crate) info: BinInfo,
}

/// A request to store the card once the payment succeeds.
#[derive(Debug, Clone)]
pub(crate) struct StoreAfterSuccess {
    pub(crate) alias: Option<String>,
    pub(crate) card_user_key: Option<String>,
}

/// A payment's lifecycle, as `paymentStatus` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Success,
    Failure,
    InitThreeDs,
    CallbackThreeDs,
}

impl Status {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            Status::Success => "SUCCESS",
            Status::Failure => "FAILURE",
            Status::InitThreeDs => "INIT_THREEDS",
            Status::CallbackThreeDs => "CALLBACK_THREEDS",
        }
    }
}

/// One item of a payment (`paymentTransactions[]`).
#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub(crate) id: u64,
    pub(crate) name: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) price: Decimal,
    pub(crate) paid_price: Decimal,
    pub(crate) merchant_commission_rate_amount: Decimal,
    pub(crate) commission: Decimal,
    pub(crate) merchant_payout_amount: Decimal,
    pub(crate) sub_merchant_member_id: Option<i64>,
    pub(crate) sub_merchant_member_price: Option<Decimal>,
    pub(crate) sub_merchant_payout_rate: Option<Decimal>,
    pub(crate) sub_merchant_payout_amount: Option<Decimal>,
    pub(crate) blockage_resolved_date: PrimitiveDateTime,
    pub(crate) refunded: Decimal,
}

/// One payment.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) id: u64,
    pub(crate) created: PrimitiveDateTime,
    pub(crate) price: Decimal,
    pub(crate) paid_price: Decimal,
    pub(crate) currency: String,
    pub(crate) installment: u32,
    pub(crate) conversation_id: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) buyer_member_id: Option<i64>,
    pub(crate) payment_group: String,
    pub(crate) phase: String,
    pub(crate) channel: Option<String>,
    pub(crate) requested_pos_alias: Option<String>,
    pub(crate) status: Status,
    pub(crate) is_three_ds: bool,
    pub(crate) card: PaymentCard,
    pub(crate) paid_with_stored_card: bool,
    pub(crate) card_user_key: Option<String>,
    pub(crate) card_token: Option<String>,
    pub(crate) store_after_success: Option<StoreAfterSuccess>,
    pub(crate) auth_code: Option<String>,
    pub(crate) host_reference: Option<String>,
    pub(crate) trans_id: Option<String>,
    pub(crate) order_id: String,
    pub(crate) md_status: Option<u8>,
    pub(crate) transactions: Vec<Transaction>,
    pub(crate) callback_url: Option<String>,
    pub(crate) conversation_data: Option<String>,
    pub(crate) callback_returned: bool,
    pub(crate) error: Option<Decline>,
    pub(crate) settled: bool,
    pub(crate) cancelled: bool,
}

impl Payment {
    /// Money already returned to the card.
    pub(crate) fn refunded_total(&self) -> Decimal {
        if self.cancelled {
            return self.paid_price;
        }
        // Each item's refunds are at most its paid price, so this never saturates; if it
        // did, the payment would read as fully refunded, never as refundable.
        self.transactions
            .iter()
            .fold(Decimal::ZERO, |sum, t| sum.saturating_add(t.refunded))
    }

    /// Money that can still be refunded.
    pub(crate) fn refundable(&self) -> Decimal {
        if self.status != Status::Success {
            return Decimal::ZERO;
        }
        // A figure that does not fit leaves nothing refundable.
        self.paid_price
            .checked_sub(self.refunded_total())
            .unwrap_or(Decimal::ZERO)
    }

    /// What can still be refunded of one item: nothing once the payment was cancelled or
    /// when it did not succeed.
    pub(crate) fn transaction_refundable(&self, tx: &Transaction) -> Decimal {
        if self.status != Status::Success || self.cancelled {
            return Decimal::ZERO;
        }
        tx.paid_price
            .checked_sub(tx.refunded)
            .unwrap_or(Decimal::ZERO)
            .max(Decimal::ZERO)
    }

    /// `PaymentRefundStatus`.
    pub(crate) fn refund_status(&self) -> &'static str {
        let refunded = self.refunded_total();
        if self.status != Status::Success {
            "NO_REFUND"
        } else if refunded.is_zero() {
            "NOT_REFUNDED"
        } else if refunded >= self.paid_price {
            "FULLY_REFUNDED"
        } else {
            "PARTIAL_REFUNDED"
        }
    }

    /// A pre-authorization not yet captured.
    pub(crate) fn is_open_pre_auth(&self) -> bool {
        self.phase == "PRE_AUTH"
    }
}

/// A whole-payment refund or cancel (`PaymentRefundResponse`).
#[derive(Debug, Clone)]
pub(crate) struct PaymentRefund {
    pub(crate) id: u64,
    pub(crate) created: PrimitiveDateTime,
    pub(crate) destination: String,
    pub(crate) refund_price: Decimal,
    pub(crate) conversation_id: Option<String>,
    pub(crate) auth_code: String,
    pub(crate) host_reference: String,
    pub(crate) trans_id: String,
    pub(crate) payment_id: u64,
    pub(crate) refund_type: &'static str,
    pub(crate) currency: String,
    pub(crate) transaction_refund_ids: Vec<u64>,
}

/// An item-level refund (`PaymentTransactionRefundResponse`).
#[derive(Debug, Clone)]
pub(crate) struct TransactionRefund {
    pub(crate) id: u64,
    pub(crate) created: PrimitiveDateTime,
    pub(crate) destination: String,
    pub(crate) refund_price: Decimal,
    pub(crate) conversation_id: Option<String>,
    pub(crate) auth_code: String,
    pub(crate) host_reference: String,
    pub(crate) trans_id: String,
    pub(crate) is_after_settlement: bool,
    pub(crate) payment_transaction_id: u64,
    pub(crate) currency: String,
    pub(crate) payment_id: u64,
}

/// The card details a stored card keeps.
#[derive(Debug, Clone)]
pub(crate) struct CardData {
    pub(crate) pan: Pan,
    pub(crate) holder_name: Option<String>,
    pub(crate) alias: Option<String>,
    pub(crate) expire_year: String,
    pub(crate) expire_month: String,
    pub(crate) info: BinInfo,
}

/// A stored card.
#[derive(Debug, Clone)]
pub(crate) struct StoredCard {
    pub(crate) card_user_key: String,
    pub(crate) card_token: String,
    pub(crate) data: CardData,
    pub(crate) created: PrimitiveDateTime,
}

/// Everything the simulator remembers.
#[derive(Debug, Default)]
pub(crate) struct Store {
    next_id: u64,
    pub(crate) payments: BTreeMap<u64, Payment>,
    pub(crate) refunds: BTreeMap<u64, PaymentRefund>,
    pub(crate) transaction_refunds: BTreeMap<u64, TransactionRefund>,
    pub(crate) cards: Vec<StoredCard>,
    pub(crate) card_users: BTreeSet<String>,
    /// The payment of each item transaction, kept by [`Store::insert_payment`] so that an
    /// item refund finds its payment without scanning every payment.
    transaction_payments: HashMap<u64, u64>,
    /// The whole-payment refunds of each payment, oldest first, kept by
    /// [`Store::insert_refund`] so that listing them does not scan every refund.
    payment_refunds: HashMap<u64, Vec<u64>>,
}

impl Store {
    /// A fresh id; payments, transactions and refunds share one increasing sequence, like
    /// database ids.
    pub(crate) fn next_id(&mut self) -> u64 {
        // A sequence; 2^64 ids are never reached.
        self.next_id = self.next_id.saturating_add(1);
        self.next_id.saturating_add(1000)
    }

    /// Adds a payment (the only way one is added; its items never change ids).
    pub(crate) fn insert_payment(&mut self, payment: Payment) {
        for tx in &payment.transactions {
            self.transaction_payments.insert(tx.id, payment.id);
        }
        self.payments.insert(payment.id, payment);
    }

    /// The payment and index of the transaction with `transaction_id`.
    pub(crate) fn find_transaction(&self, transaction_id: u64) -> Option<(u64, usize)> {
        let payment_id = *self.transaction_payments.get(&transaction_id)?;
        let payment = self.payments.get(&payment_id)?;
        payment
            .transactions
            .iter()
            .position(|t| t.id == transaction_id)
            .map(|i| (payment_id, i))
    }

    /// Adds a whole-payment refund (the only way one is added).
    pub(crate) fn insert_refund(&mut self, refund: PaymentRefund) {
        self.payment_refunds
            .entry(refund.payment_id)
            .or_default()
            .push(refund.id);
        self.refunds.insert(refund.id, refund);
    }

    /// The whole-payment refunds of `payment_id`, oldest first.
    pub(crate) fn refunds_of(&self, payment_id: u64) -> impl Iterator<Item = &PaymentRefund> {
        self.payment_refunds
            .get(&payment_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.refunds.get(id))
    }

    /// Stores a card for `card_user_key` (a new card user when `None`).
    pub(crate) fn store_card(
        &mut self,
        card_user_key: Option<String>,
        data: CardData,
        created: PrimitiveDateTime,
    ) -> StoredCard {
        let user = card_user_key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        self.card_users.insert(user.clone());
        let card = StoredCard {
            card_user_key: user,
            card_token: uuid::Uuid::new_v4().to_string(),
            data,
            created,
        };
        self.cards.push(card.clone());
        card
    }

    /// The stored card `card_user_key` + `card_token`.
    pub(crate) fn card(&self, card_user_key: &str, card_token: &str) -> Option<&StoredCard> {
        self.cards
            .iter()
            .find(|c| c.card_user_key == card_user_key && c.card_token == card_token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pan_debug_shows_only_bin_and_last_four() {
        let shown = format!("{:?}", Pan("5258640000000001".into()));
        assert_eq!(shown, "Pan(525864******0001)");
        assert!(!shown.contains("5258640000000001"));
    }
}
