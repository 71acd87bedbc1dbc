//! Payment search (`GET /payment-reporting/v1/payments`): how a merchant finds a payment by
//! its `conversationId` or `externalId` when an answer was lost, retrieve by id, the
//! payment's items with what is left to refund of each, the payment's whole-payment refunds
//! (how a later query learns that a payment was cancelled), and the item-refund search (how
//! a merchant finds the item refunds made under one `conversationId`).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};

use super::errors::{codes, data, ApiError, ApiResult};
use super::payments::path_id;
use super::state::{Payment, TransactionRefund};
use super::views::{
    page, reporting_payment_view, reporting_refund_view, reporting_transaction_view,
    transaction_refund_view,
};
use super::wire;
use super::Shared;

fn matches(payment: &Payment, name: &str, value: &str) -> bool {
    let text = |v: &Option<String>| v.as_deref() == Some(value);
    match name {
        "paymentId" => payment.id.to_string() == value,
        "conversationId" => text(&payment.conversation_id),
        "externalId" => text(&payment.external_id),
        "orderId" => payment.order_id == value,
        "paymentStatus" => payment.status.wire() == value,
        "currency" => payment.currency == value,
        "binNumber" => payment.card.pan.bin() == value,
        "lastFourDigits" => payment.card.pan.last_four() == value,
        "installment" => payment.installment.to_string() == value,
        "isThreeDS" => payment.is_three_ds.to_string() == value,
        "paymentTransactionId" => payment
            .transactions
            .iter()
            .any(|t| t.id.to_string() == value),
        "buyerMemberId" => payment.buyer_member_id.map(|b| b.to_string()).as_deref() == Some(value),
        "paymentType" => value == "CARD_PAYMENT",
        "paymentSource" => value == "API",
        "paymentProvider" => value == "BANK",
        // Date and amount ranges are accepted and not applied.
        _ => true,
    }
}

/// `GET /payment-reporting/v1/payments?conversationId=&externalId=&...&page=&size=`,
/// newest first.
pub(crate) async fn search(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let pairs = wire::query_pairs(query.as_deref());
    let (page_no, size) = wire::paging(&pairs)?;
    let store = shared.store();
    let found: Vec<_> = store
        .payments
        .values()
        .rev()
        .filter(|p| {
            pairs
                .iter()
                .filter(|(k, _)| k != "page" && k != "size")
                .all(|(k, v)| matches(p, k, v))
        })
        .map(reporting_payment_view)
        .collect();
    Ok(data(page(found, page_no, size)))
}

/// `GET /payment-reporting/v1/payments/{id}`.
pub(crate) async fn retrieve(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store();
    let payment = store
        .payments
        .get(&id)
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    Ok(data(reporting_payment_view(payment)))
}

/// `GET /payment-reporting/v1/payments/{id}/refunds`: the payment's whole-payment refunds
/// (cancels included), oldest first; item refunds are not listed here.
pub(crate) async fn refunds(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store();
    if !store.payments.contains_key(&id) {
        return Err(ApiError::not_found(
            codes::PAYMENT_NOT_FOUND,
            "Ödeme bulunamadı",
        ));
    }
    let found: Vec<_> = store.refunds_of(id).map(reporting_refund_view).collect();
    let size = found.len();
    Ok(data(page(found, 0, size)))
}

/// `GET /payment-reporting/v1/payments/{id}/transactions`: the payment's items, each with
/// `refundablePrice` and `refundStatus`; 404 for an unknown payment.
pub(crate) async fn transactions(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store();
    let payment = store
        .payments
        .get(&id)
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    let items: Vec<_> = payment
        .transactions
        .iter()
        .map(|tx| reporting_transaction_view(payment, tx))
        .collect();
    let size = items.len().max(1);
    Ok(data(page(items, 0, size)))
}

fn refund_matches(refund: &TransactionRefund, name: &str, value: &str) -> bool {
    match name {
        "id" => refund.id.to_string() == value,
        "paymentId" => refund.payment_id.to_string() == value,
        "paymentTransactionId" => refund.payment_transaction_id.to_string() == value,
        "conversationId" => refund.conversation_id.as_deref() == Some(value),
        "currency" => refund.currency == value,
        "isAfterSettlement" => refund.is_after_settlement.to_string() == value,
        // Every refund the simulator keeps succeeded.
        "status" => value == "SUCCESS",
        // Date and amount ranges and the buyer are accepted and not applied.
        _ => true,
    }
}

/// `GET /payment-reporting/v1/refund-transactions?paymentId=&paymentTransactionId=&conversationId=&...&page=&size=`:
/// item refunds (those a whole-payment `REFUND` made included), oldest first.
pub(crate) async fn search_transaction_refunds(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let pairs = wire::query_pairs(query.as_deref());
    let (page_no, size) = wire::paging(&pairs)?;
    let store = shared.store();
    let found: Vec<_> = store
        .transaction_refunds
        .values()
        .filter(|r| {
            pairs
                .iter()
                .filter(|(k, _)| k != "page" && k != "size")
                .all(|(k, v)| refund_matches(r, k, v))
        })
        .map(transaction_refund_view)
        .collect();
    Ok(data(page(found, page_no, size)))
}
