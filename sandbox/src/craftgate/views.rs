//! Answer bodies: what the simulator's records look like on the wire, with Craftgate's field
//! names and amounts as 8-decimal JSON numbers.
//!
//! Every stored amount was bounded at the edge (`payments::positive_amount`) and every
//! figure derived from it was checked to fit before the payment was stored
//! (`payments::validate`), so the checked operations here cannot fail; should that ever
//! change, a view shows a saturated figure instead of panicking the handler.

// Views multiply and subtract stored amounts; no answer may panic a handler.
#![deny(clippy::arithmetic_side_effects)]

use rust_decimal::Decimal;
use serde::Serialize;

use super::amount;
use super::clock::format;
use super::payouts::{merchant_commission_rate, COMMISSION_RATE_PERCENT};
use super::state::{Payment, PaymentRefund, Status, StoredCard, Transaction, TransactionRefund};

/// The currency every payout is made in, and the simulator's fixed parities to it.
fn parity(currency: &str) -> Decimal {
    match currency {
        "USD" => Decimal::from(34),
        "EUR" => Decimal::from(36),
        "GBP" => Decimal::from(43),
        _ => Decimal::ONE,
    }
}

fn in_try(value: Decimal, currency: &str) -> Decimal {
    value
        .saturating_mul(parity(currency))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// `merchantCommissionRate` of `payment`, checked to fit when the payment was stored.
fn commission_rate(payment: &Payment) -> Decimal {
    merchant_commission_rate(payment.price, payment.paid_price).unwrap_or(Decimal::MAX)
}

/// `payout` of a payment transaction.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PayoutView {
    #[serde(serialize_with = "amount::ser")]
    paid_price: Decimal,
    currency: &'static str,
    #[serde(serialize_with = "amount::ser")]
    parity: Decimal,
    #[serde(serialize_with = "amount::ser")]
    merchant_payout_amount: Decimal,
    #[serde(
        serialize_with = "amount::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    sub_merchant_member_payout_amount: Option<Decimal>,
}

/// One of `paymentTransactions[]`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionView {
    id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    #[serde(serialize_with = "amount::ser")]
    price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    paid_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    wallet_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    merchant_commission_rate: Decimal,
    #[serde(serialize_with = "amount::ser")]
    merchant_commission_rate_amount: Decimal,
    #[serde(serialize_with = "amount::ser")]
    merchant_payout_amount: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_merchant_member_id: Option<i64>,
    #[serde(
        serialize_with = "amount::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    sub_merchant_member_price: Option<Decimal>,
    #[serde(
        serialize_with = "amount::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    sub_merchant_member_payout_rate: Option<Decimal>,
    #[serde(
        serialize_with = "amount::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    sub_merchant_member_payout_amount: Option<Decimal>,
    transaction_status: &'static str,
    blockage_resolved_date: String,
    payout: PayoutView,
}

fn transaction_view(payment: &Payment, tx: &Transaction) -> TransactionView {
    let currency = payment.currency.as_str();
    TransactionView {
        id: tx.id,
        name: tx.name.clone(),
        external_id: tx.external_id.clone(),
        price: tx.price,
        paid_price: tx.paid_price,
        wallet_price: Decimal::ZERO,
        merchant_commission_rate: commission_rate(payment),
        merchant_commission_rate_amount: tx.merchant_commission_rate_amount,
        merchant_payout_amount: tx.merchant_payout_amount,
        sub_merchant_member_id: tx.sub_merchant_member_id,
        sub_merchant_member_price: tx.sub_merchant_member_price,
        sub_merchant_member_payout_rate: tx.sub_merchant_payout_rate,
        sub_merchant_member_payout_amount: tx.sub_merchant_payout_amount,
        transaction_status: if payment.status == Status::Success {
            "APPROVED"
        } else {
            "WAITING_FOR_APPROVAL"
        },
        blockage_resolved_date: format(tx.blockage_resolved_date),
        payout: PayoutView {
            paid_price: in_try(tx.paid_price, currency),
            currency: "TRY",
            parity: parity(currency),
            merchant_payout_amount: in_try(tx.merchant_payout_amount, currency),
            sub_merchant_member_payout_amount: tx
                .sub_merchant_payout_amount
                .map(|v| in_try(v, currency)),
        },
    }
}

/// `ReportingPaymentTransaction`: an item as the reporting endpoints list it, with what is
/// left to refund of it and its refund state (the official clients' type adds these to
/// `PaymentTransaction`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportingTransactionView {
    #[serde(flatten)]
    transaction: TransactionView,
    created_date: String,
    #[serde(serialize_with = "amount::ser")]
    refundable_price: Decimal,
    refund_status: &'static str,
    #[serde(serialize_with = "amount::ser")]
    bank_commission_rate: Decimal,
    #[serde(serialize_with = "amount::ser")]
    bank_commission_rate_amount: Decimal,
}

/// An item of `GET /payment-reporting/v1/payments/{id}/transactions`.
pub(crate) fn reporting_transaction_view(
    payment: &Payment,
    tx: &Transaction,
) -> ReportingTransactionView {
    let refundable = payment.transaction_refundable(tx);
    let refund_status = if payment.status != Status::Success {
        "NO_REFUND"
    } else if refundable.is_zero() {
        "FULLY_REFUNDED"
    } else if refundable < tx.paid_price {
        "PARTIAL_REFUNDED"
    } else {
        "NOT_REFUNDED"
    };
    ReportingTransactionView {
        transaction: transaction_view(payment, tx),
        created_date: format(payment.created),
        refundable_price: refundable,
        refund_status,
        bank_commission_rate: COMMISSION_RATE_PERCENT,
        bank_commission_rate_amount: tx.commission,
    }
}

/// `paymentError` of a failed payment.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentErrorView {
    error_code: &'static str,
    error_description: &'static str,
    error_group: &'static str,
}

/// `PaymentResponse`; the reporting fields are added for the reporting endpoints.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentView {
    id: u64,
    created_date: String,
    #[serde(serialize_with = "amount::ser")]
    price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    paid_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    wallet_price: Decimal,
    currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    buyer_member_id: Option<i64>,
    installment: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    payment_type: &'static str,
    payment_provider: &'static str,
    payment_source: &'static str,
    payment_group: String,
    payment_status: &'static str,
    payment_phase: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_channel: Option<String>,
    is_three_d_s: bool,
    #[serde(serialize_with = "amount::ser")]
    merchant_commission_rate: Decimal,
    #[serde(serialize_with = "amount::ser")]
    merchant_commission_rate_amount: Decimal,
    #[serde(serialize_with = "amount::ser")]
    bank_commission_rate: Decimal,
    #[serde(serialize_with = "amount::ser")]
    bank_commission_rate_amount: Decimal,
    paid_with_stored_card: bool,
    bin_number: String,
    last_four_digits: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_holder_name: Option<String>,
    card_issuer_bank_name: &'static str,
    card_issuer_bank_id: u32,
    card_type: &'static str,
    card_association: &'static str,
    card_brand: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trans_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    md_status: Option<u8>,
    order_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_pos_alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_user_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_error: Option<PaymentErrorView>,
    payment_transactions: Vec<TransactionView>,
    #[serde(
        serialize_with = "amount::ser_opt",
        skip_serializing_if = "Option::is_none"
    )]
    refundable_price: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_status: Option<&'static str>,
}

/// A payment as `card-payments` endpoints return it.
pub(crate) fn payment_view(p: &Payment) -> PaymentView {
    PaymentView {
        id: p.id,
        created_date: format(p.created),
        price: p.price,
        paid_price: p.paid_price,
        wallet_price: Decimal::ZERO,
        currency: p.currency.clone(),
        buyer_member_id: p.buyer_member_id,
        installment: p.installment,
        conversation_id: p.conversation_id.clone(),
        external_id: p.external_id.clone(),
        payment_type: "CARD_PAYMENT",
        payment_provider: "BANK",
        payment_source: "API",
        payment_group: p.payment_group.clone(),
        payment_status: p.status.wire(),
        payment_phase: p.phase.clone(),
        payment_channel: p.channel.clone(),
        is_three_d_s: p.is_three_ds,
        merchant_commission_rate: commission_rate(p),
        merchant_commission_rate_amount: p.paid_price.saturating_sub(p.price),
        bank_commission_rate: COMMISSION_RATE_PERCENT,
        bank_commission_rate_amount: p
            .transactions
            .iter()
            .fold(Decimal::ZERO, |sum, t| sum.saturating_add(t.commission)),
        paid_with_stored_card: p.paid_with_stored_card,
        bin_number: p.card.pan.bin(),
        last_four_digits: p.card.pan.last_four(),
        card_holder_name: p.card.holder_name.clone(),
        card_issuer_bank_name: p.card.info.bank_name,
        card_issuer_bank_id: p.card.info.bank_code,
        card_type: p.card.info.card_type,
        card_association: p.card.info.association,
        card_brand: p.card.info.brand,
        auth_code: p.auth_code.clone(),
        host_reference: p.host_reference.clone(),
        trans_id: p.trans_id.clone(),
        md_status: p.md_status,
        order_id: p.order_id.clone(),
        requested_pos_alias: p.requested_pos_alias.clone(),
        card_user_key: p.card_user_key.clone(),
        card_token: p.card_token.clone(),
        payment_error: p.error.map(|d| PaymentErrorView {
            error_code: d.code,
            error_description: d.description,
            error_group: d.group,
        }),
        payment_transactions: p
            .transactions
            .iter()
            .map(|t| transaction_view(p, t))
            .collect(),
        refundable_price: None,
        refund_status: None,
    }
}

/// A payment as the reporting endpoints return it (adds `refundablePrice`, `refundStatus`).
pub(crate) fn reporting_payment_view(p: &Payment) -> PaymentView {
    let mut view = payment_view(p);
    view.refundable_price = Some(p.refundable());
    view.refund_status = Some(p.refund_status());
    view
}

/// `PaymentTransactionRefundResponse`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionRefundView {
    id: u64,
    created_date: String,
    status: &'static str,
    refund_destination_type: String,
    #[serde(serialize_with = "amount::ser")]
    refund_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    refund_bank_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    refund_wallet_price: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_id: Option<String>,
    auth_code: String,
    host_reference: String,
    trans_id: String,
    is_after_settlement: bool,
    payment_transaction_id: u64,
    currency: String,
    payment_id: u64,
}

/// An item-level refund on the wire.
pub(crate) fn transaction_refund_view(r: &TransactionRefund) -> TransactionRefundView {
    TransactionRefundView {
        id: r.id,
        created_date: format(r.created),
        status: "SUCCESS",
        refund_destination_type: r.destination.clone(),
        refund_price: r.refund_price,
        refund_bank_price: r.refund_price,
        refund_wallet_price: Decimal::ZERO,
        conversation_id: r.conversation_id.clone(),
        auth_code: r.auth_code.clone(),
        host_reference: r.host_reference.clone(),
        trans_id: r.trans_id.clone(),
        is_after_settlement: r.is_after_settlement,
        payment_transaction_id: r.payment_transaction_id,
        currency: r.currency.clone(),
        payment_id: r.payment_id,
    }
}

/// `PaymentRefundResponse`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentRefundView {
    id: u64,
    created_date: String,
    status: &'static str,
    refund_destination_type: String,
    #[serde(serialize_with = "amount::ser")]
    refund_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    refund_bank_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    refund_wallet_price: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_id: Option<String>,
    auth_code: String,
    host_reference: String,
    trans_id: String,
    payment_id: u64,
    refund_type: &'static str,
    currency: String,
    payment_transaction_refunds: Vec<TransactionRefundView>,
}

/// A whole-payment refund on the wire, with its item refunds.
pub(crate) fn payment_refund_view(
    r: &PaymentRefund,
    items: Vec<TransactionRefundView>,
) -> PaymentRefundView {
    PaymentRefundView {
        id: r.id,
        created_date: format(r.created),
        status: "SUCCESS",
        refund_destination_type: r.destination.clone(),
        refund_price: r.refund_price,
        refund_bank_price: r.refund_price,
        refund_wallet_price: Decimal::ZERO,
        conversation_id: r.conversation_id.clone(),
        auth_code: r.auth_code.clone(),
        host_reference: r.host_reference.clone(),
        trans_id: r.trans_id.clone(),
        payment_id: r.payment_id,
        refund_type: r.refund_type,
        currency: r.currency.clone(),
        payment_transaction_refunds: items,
    }
}

/// `ReportingPaymentRefundResponse`: a whole-payment refund as the reporting endpoints list
/// it. The official clients' type has no `refundType`; `GET /payment/v1/refunds/{id}` tells
/// a cancel from a refund.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportingRefundView {
    id: u64,
    created_date: String,
    status: &'static str,
    refund_destination_type: String,
    #[serde(serialize_with = "amount::ser")]
    refund_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    refund_bank_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    refund_wallet_price: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_id: Option<String>,
    auth_code: String,
    host_reference: String,
    trans_id: String,
    payment_type: &'static str,
    payment_id: u64,
}

/// A whole-payment refund as `GET /payment-reporting/v1/payments/{id}/refunds` lists it.
pub(crate) fn reporting_refund_view(r: &PaymentRefund) -> ReportingRefundView {
    ReportingRefundView {
        id: r.id,
        created_date: format(r.created),
        status: "SUCCESS",
        refund_destination_type: r.destination.clone(),
        refund_price: r.refund_price,
        refund_bank_price: r.refund_price,
        refund_wallet_price: Decimal::ZERO,
        conversation_id: r.conversation_id.clone(),
        auth_code: r.auth_code.clone(),
        host_reference: r.host_reference.clone(),
        trans_id: r.trans_id.clone(),
        payment_type: "CARD_PAYMENT",
        payment_id: r.payment_id,
    }
}

/// `StoredCardResponse`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredCardView {
    bin_number: String,
    last_four_digits: String,
    card_user_key: String,
    card_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_holder_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    card_alias: Option<String>,
    card_type: &'static str,
    card_association: &'static str,
    card_brand: &'static str,
    card_bank_name: &'static str,
    card_bank_id: u32,
    expire_year: String,
    expire_month: String,
    is_commercial: bool,
    card_expiry_status: &'static str,
    created_at: String,
}

/// A stored card on the wire; `today` decides `cardExpiryStatus`.
pub(crate) fn stored_card_view(c: &StoredCard, today: time::Date) -> StoredCardView {
    StoredCardView {
        bin_number: c.data.pan.bin(),
        last_four_digits: c.data.pan.last_four(),
        card_user_key: c.card_user_key.clone(),
        card_token: c.card_token.clone(),
        card_holder_name: c.data.holder_name.clone(),
        card_alias: c.data.alias.clone(),
        card_type: c.data.info.card_type,
        card_association: c.data.info.association,
        card_brand: c.data.info.brand,
        card_bank_name: c.data.info.bank_name,
        card_bank_id: c.data.info.bank_code,
        expire_year: c.data.expire_year.clone(),
        expire_month: c.data.expire_month.clone(),
        is_commercial: c.data.info.commercial,
        card_expiry_status: expiry_status(&c.data.expire_year, &c.data.expire_month, today),
        created_at: format(c.created),
    }
}

fn expiry_status(year: &str, month: &str, today: time::Date) -> &'static str {
    let (Ok(year), Ok(month)) = (year.parse::<i32>(), month.parse::<i32>()) else {
        return "NOT_EXPIRED";
    };
    // Month counts of stored four-digit years; saturating only keeps a bizarre stored
    // year from wrapping.
    let expiry = year.saturating_mul(12).saturating_add(month);
    let now = today
        .year()
        .saturating_mul(12)
        .saturating_add(i32::from(u8::from(today.month())));
    if expiry < now {
        "EXPIRED"
    } else if expiry == now.saturating_add(1) || expiry == now {
        "WILL_EXPIRE_NEXT_MONTH"
    } else {
        "NOT_EXPIRED"
    }
}

/// `{"items": [...], "page": n, "size": n, "totalSize": n}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListView<T> {
    items: Vec<T>,
    page: usize,
    size: usize,
    total_size: usize,
}

/// One page of `all`.
pub(crate) fn page<T>(all: Vec<T>, page: usize, size: usize) -> ListView<T> {
    let total_size = all.len();
    let items = all
        .into_iter()
        .skip(page.saturating_mul(size))
        .take(size)
        .collect();
    ListView {
        items,
        page,
        size,
        total_size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_statuses() {
        let today = time::macros::date!(2026 - 11 - 24);
        assert_eq!(expiry_status("2026", "10", today), "EXPIRED");
        assert_eq!(expiry_status("2026", "12", today), "WILL_EXPIRE_NEXT_MONTH");
        assert_eq!(expiry_status("2044", "07", today), "NOT_EXPIRED");
    }

    #[test]
    fn paging() {
        let p = page((0..25).collect::<Vec<_>>(), 2, 10);
        assert_eq!((p.items.len(), p.total_size), (5, 25));
    }
}
