//! Refunds: the whole payment (`/payment/v1/refunds`: a `CANCEL` on the payment's day before
//! settlement and any earlier refund, a `REFUND` of every item's remaining amount otherwise;
//! an uncaptured pre-authorization is always cancelled) and one item
//! (`/payment/v1/refund-transactions`, never more than the item's remaining amount).

// Refunded totals add client amounts to stored ones; every figure is checked before
// anything is stored, and no request may panic a handler.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use rust_decimal::Decimal;

use super::errors::{codes, data, ApiError, ApiResult};
use super::payments::{path_id, positive_amount};
use super::state::{Payment, PaymentRefund, Status, TransactionRefund};
use super::views::{payment_refund_view, transaction_refund_view};
use super::wire::{self, RefundPaymentRequest, RefundTransactionRequest};
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::util::random_digits;

fn destination(value: &Option<String>) -> Result<String, ApiError> {
    match value.as_deref() {
        None | Some("PROVIDER") => Ok("PROVIDER".to_owned()),
        // Deprecated in favour of PROVIDER, still accepted.
        Some("CARD") => Ok("CARD".to_owned()),
        Some("WALLET") => Err(ApiError::business(
            codes::WALLET_NOT_SUPPORTED,
            "Simülatörde cüzdana iade desteklenmiyor",
        )),
        Some(_) => Err(ApiError::invalid(
            "refundDestinationType",
            "desteklenmeyen değer",
        )),
    }
}

/// Whether the payment has passed the bank's end of day.
fn settled(payment: &Payment, today: time::Date) -> bool {
    payment.settled || payment.created.date() < today
}

fn refundable_payment(
    payments: &mut std::collections::BTreeMap<u64, Payment>,
    id: u64,
) -> Result<&mut Payment, ApiError> {
    let payment = payments
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    if payment.status != Status::Success {
        return Err(ApiError::business(
            codes::PAYMENT_STATE,
            "Başarılı olmayan ödeme iade edilemez",
        ));
    }
    if payment.refundable() <= Decimal::ZERO {
        return Err(ApiError::business(
            codes::ALREADY_REFUNDED,
            "Ödemenin tamamı zaten iade edilmiş",
        ));
    }
    Ok(payment)
}

/// The refusal of a refund whose figures do not fit in a decimal. Amounts are bounded at
/// the edge, so this is never reached by a payment the simulator stored.
fn refund_overflow() -> ApiError {
    ApiError::business(codes::REFUND_AMOUNT, "İade tutarı hesaplanamadı")
}

/// `POST /payment/v1/refunds`.
pub(crate) async fn refund_payment(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let req: RefundPaymentRequest = wire::parse(&body)?;
    let id = req
        .payment_id
        .ok_or_else(|| ApiError::required("paymentId"))?;
    let destination = destination(&req.refund_destination_type)?;
    let now = shared.clock.now();
    let mut store = shared.store();
    let refund_id = store.next_id();
    let payment = refundable_payment(&mut store.payments, id)?;
    let is_settled = settled(payment, now.date());
    let cancel = payment.is_open_pre_auth() || (!is_settled && payment.refunded_total().is_zero());
    let currency = payment.currency.clone();
    let order_id = payment.conversation_id.clone();
    let mut item_refunds = Vec::new();
    let refund_price = if cancel {
        payment.cancelled = true;
        payment.paid_price
    } else {
        // Every figure first, so that a refund that cannot be computed changes nothing.
        let mut total = Decimal::ZERO;
        let mut refunded = Vec::with_capacity(payment.transactions.len());
        for tx in &payment.transactions {
            let remaining = tx
                .paid_price
                .checked_sub(tx.refunded)
                .ok_or_else(refund_overflow)?;
            if remaining > Decimal::ZERO {
                total = total.checked_add(remaining).ok_or_else(refund_overflow)?;
                refunded.push(
                    tx.refunded
                        .checked_add(remaining)
                        .ok_or_else(refund_overflow)?,
                );
                item_refunds.push((tx.id, remaining));
            } else {
                refunded.push(tx.refunded);
            }
        }
        for (tx, refunded) in payment.transactions.iter_mut().zip(refunded) {
            tx.refunded = refunded;
        }
        total
    };
    let (auth_code, host_reference, trans_id) =
        (random_digits(6), random_digits(12), random_digits(10));
    let mut tx_refund_ids = Vec::new();
    for (transaction_id, amount) in item_refunds {
        let tx_refund_id = store.next_id();
        store.transaction_refunds.insert(
            tx_refund_id,
            TransactionRefund {
                id: tx_refund_id,
                created: now,
                destination: destination.clone(),
                refund_price: amount,
                conversation_id: req.conversation_id.clone(),
                auth_code: auth_code.clone(),
                host_reference: host_reference.clone(),
                trans_id: trans_id.clone(),
                is_after_settlement: is_settled,
                payment_transaction_id: transaction_id,
                currency: currency.clone(),
                payment_id: id,
            },
        );
        tx_refund_ids.push(tx_refund_id);
    }
    let refund = PaymentRefund {
        id: refund_id,
        created: now,
        destination,
        refund_price,
        conversation_id: req.conversation_id.clone(),
        auth_code,
        host_reference,
        trans_id,
        payment_id: id,
        refund_type: if cancel { "CANCEL" } else { "REFUND" },
        currency: currency.clone(),
        transaction_refund_ids: tx_refund_ids,
    };
    let items = refund
        .transaction_refund_ids
        .iter()
        .filter_map(|rid| store.transaction_refunds.get(rid))
        .map(transaction_refund_view)
        .collect();
    let view = payment_refund_view(&refund, items);
    store.insert_refund(refund);
    drop(store);
    shared.controls.ledger.record(LedgerEntry {
        kind: if cancel {
            LedgerKind::Cancel
        } else {
            LedgerKind::Refund
        },
        reference: id.to_string(),
        order_id,
        amount: Some(refund_price),
        currency: Some(currency),
    });
    shared.emit("REFUND", "SUCCESS", refund_id);
    Ok(data(view))
}

/// `GET /payment/v1/refunds/{id}`.
pub(crate) async fn retrieve_refund(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store();
    let refund = store
        .refunds
        .get(&id)
        .ok_or_else(|| ApiError::not_found(codes::REFUND_NOT_FOUND, "İade bulunamadı"))?;
    let items = refund
        .transaction_refund_ids
        .iter()
        .filter_map(|rid| store.transaction_refunds.get(rid))
        .map(transaction_refund_view)
        .collect();
    Ok(data(payment_refund_view(refund, items)))
}

/// `POST /payment/v1/refund-transactions`.
pub(crate) async fn refund_transaction(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> ApiResult {
    let req: RefundTransactionRequest = wire::parse(&body)?;
    let transaction_id = req
        .payment_transaction_id
        .ok_or_else(|| ApiError::required("paymentTransactionId"))?;
    let refund_price = positive_amount(req.refund_price, "refundPrice")?;
    let destination = destination(&req.refund_destination_type)?;
    let now = shared.clock.now();
    let mut store = shared.store();
    let (payment_id, index) = store.find_transaction(transaction_id).ok_or_else(|| {
        ApiError::not_found(codes::TRANSACTION_NOT_FOUND, "Ödeme kırılımı bulunamadı")
    })?;
    let refund_id = store.next_id();
    let payment = refundable_payment(&mut store.payments, payment_id)?;
    if payment.is_open_pre_auth() {
        return Err(ApiError::business(
            codes::PAYMENT_STATE,
            "Ön provizyon kırılım bazında iade edilemez, iptal edilmelidir",
        ));
    }
    let is_settled = settled(payment, now.date());
    let (order_id, currency) = (payment.conversation_id.clone(), payment.currency.clone());
    let Some(tx) = payment.transactions.get_mut(index) else {
        return Err(ApiError::not_found(
            codes::TRANSACTION_NOT_FOUND,
            "Ödeme kırılımı bulunamadı",
        ));
    };
    let remaining = tx
        .paid_price
        .checked_sub(tx.refunded)
        .ok_or_else(refund_overflow)?;
    if refund_price > remaining {
        return Err(ApiError::business(
            codes::REFUND_AMOUNT,
            format!("İade tutarı kırılımın iade edilebilir tutarını ({remaining}) aşamaz"),
        ));
    }
    tx.refunded = tx
        .refunded
        .checked_add(refund_price)
        .ok_or_else(refund_overflow)?;
    let refund = TransactionRefund {
        id: refund_id,
        created: now,
        destination,
        refund_price,
        conversation_id: req.conversation_id.clone(),
        auth_code: random_digits(6),
        host_reference: random_digits(12),
        trans_id: random_digits(10),
        is_after_settlement: is_settled,
        payment_transaction_id: transaction_id,
        currency: currency.clone(),
        payment_id,
    };
    store.transaction_refunds.insert(refund_id, refund.clone());
    drop(store);
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::Refund,
        reference: payment_id.to_string(),
        order_id,
        amount: Some(refund_price),
        currency: Some(currency),
    });
    shared.emit("REFUND_TX", "SUCCESS", refund_id);
    Ok(data(transaction_refund_view(&refund)))
}

/// `GET /payment/v1/refund-transactions/{id}`.
pub(crate) async fn retrieve_transaction_refund(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store();
    let refund = store
        .transaction_refunds
        .get(&id)
        .ok_or_else(|| ApiError::not_found(codes::REFUND_NOT_FOUND, "İade bulunamadı"))?;
    Ok(data(transaction_refund_view(refund)))
}
