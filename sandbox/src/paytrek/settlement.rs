//! After the payment: capture a pre-authorization, cancel (void or full refund) and
//! refund (full or partial), each taking `sale_token` in the JSON body.

// Refunded totals add client amounts to stored ones; every figure is checked before the
// sale changes, and no request may panic a handler.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::json;
use time::OffsetDateTime;

use super::errors::ApiError;
use super::render::{money, numbered_object, ok, Piece};
use super::request::{json_object, Fields};
use super::state::{Sale, SaleStatus, Transaction};
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::util::random_hex;

struct Target {
    token: String,
    amount: Option<Decimal>,
    comments: Option<String>,
}

fn read_target(headers: &HeaderMap, body: &[u8], with_amount: bool) -> Result<Target, ApiError> {
    let map = json_object(headers, body)?;
    let mut fields = Fields::new(&map);
    let token = fields.required_str("sale_token");
    let comments = fields.optional_str("comments");
    let amount = if with_amount {
        fields.optional_amount("amount")
    } else {
        None
    };
    fields.finish()?;
    let Some(token) = token else {
        return Err(ApiError::field("sale_token", "This field is required."));
    };
    Ok(Target {
        token,
        amount,
        comments,
    })
}

/// Settles a fraud review, as the document says capture (accept) and cancel or refund
/// (reject) do.
fn review(sale: &mut Sale, accept: bool, comments: Option<String>) {
    let reviewed = sale
        .transactions
        .iter_mut()
        .filter_map(|t| t.fraud.as_mut())
        .filter(|f| f.decision == "REVIEW");
    for fraud in reviewed {
        fraud.decision = if accept { "ACCEPT" } else { "REJECT" };
        fraud.reviewer_decision = Some(if accept { "ACCEPTED" } else { "REJECTED" });
        fraud.reviewer_comments = comments.clone();
    }
}

fn record(
    shared: &Shared,
    sale: &mut Sale,
    kind: LedgerKind,
    tx_kind: &'static str,
    amount: Decimal,
    now: OffsetDateTime,
) {
    sale.transactions.push(Transaction {
        kind: tx_kind,
        succeeded: true,
        amount,
        currency: sale.input.currency.clone(),
        is_secure: false,
        secure_status: None,
        created_at: now,
        card: sale.card.clone(),
        fraud: None,
        paytrek_ref_id: random_hex(20),
        error: None,
    });
    shared.controls.ledger.record(LedgerEntry {
        kind,
        reference: sale.token.clone(),
        order_id: Some(sale.input.order_id.clone()),
        amount: Some(amount),
        currency: Some(sale.input.currency.clone()),
    });
}

/// `POST /api/v2/capture/`: only a pre-authorized sale; it becomes Paid.
pub(crate) async fn capture(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let target = read_target(&headers, &body, false)?;
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let sale = store.sale_mut(&target.token).ok_or(ApiError::NotFound)?;
    if sale.status != SaleStatus::PreAuthorized {
        return Err(
            ApiError::field("sale_token", "Only a pre-authorized sale can be captured.")
                .with_code("30002"),
        );
    }
    sale.status = SaleStatus::Paid;
    sale.financial_status = Some("Ready to Send");
    review(sale, true, target.comments);
    let amount = sale.input.amount;
    record(&shared, sale, LedgerKind::Capture, "Capture", amount, now);
    Ok(ok(json!({
        "sale_token": sale.token,
        "amount": money(amount),
        "sale_amount": money(sale.input.amount),
        "sale_id": sale.id,
        "succeeded": true,
    })))
}

/// `POST /api/v2/cancel/`: voids a pre-authorization or an unrefunded payment
/// (`Cancelled`), or refunds what is left of a partially refunded one (`Refunded`).
pub(crate) async fn cancel(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let target = read_target(&headers, &body, false)?;
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let sale = store.sale_mut(&target.token).ok_or(ApiError::NotFound)?;
    let amount = sale.remaining();
    if matches!(
        sale.status,
        SaleStatus::PreAuthorized | SaleStatus::Paid | SaleStatus::PartiallyRefunded
    ) {
        review(sale, false, target.comments);
    }
    match sale.status {
        SaleStatus::PreAuthorized => {
            sale.status = SaleStatus::Cancelled;
            sale.financial_status = None;
            record(&shared, sale, LedgerKind::Cancel, "Cancel", amount, now);
        }
        SaleStatus::Paid => {
            sale.status = SaleStatus::Cancelled;
            sale.financial_status = None;
            sale.refunded = sale.input.amount;
            record(&shared, sale, LedgerKind::Cancel, "Cancel", amount, now);
        }
        SaleStatus::PartiallyRefunded => {
            sale.status = SaleStatus::Refunded;
            sale.refunded = sale.input.amount;
            record(&shared, sale, LedgerKind::Refund, "Refund", amount, now);
        }
        _ => {
            return Err(
                ApiError::field("sale_token", "This sale cannot be cancelled.").with_code("30005"),
            )
        }
    }
    Ok(numbered_object(&[
        ("sale_token", Piece::Str(sale.token.clone())),
        ("amount", Piece::Number(amount)),
        ("sale_amount", Piece::Number(sale.input.amount)),
        ("succeeded", Piece::Bool(true)),
    ]))
}

/// `POST /api/v2/refund/`: `amount` (optional) refunds part of a paid sale; without it,
/// what is left. More than what is left is refused with 30003.
pub(crate) async fn refund(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let target = read_target(&headers, &body, true)?;
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let sale = store.sale_mut(&target.token).ok_or(ApiError::NotFound)?;
    if !matches!(
        sale.status,
        SaleStatus::Paid | SaleStatus::PartiallyRefunded
    ) {
        return Err(
            ApiError::field("sale_token", "This sale cannot be refunded.").with_code("30002"),
        );
    }
    let remaining = sale.remaining();
    let amount = target.amount.unwrap_or(remaining);
    let refunded = sale
        .refunded
        .checked_add(amount)
        .filter(|_| amount <= remaining);
    let Some(refunded) = refunded else {
        return Err(ApiError::field(
            "amount",
            format!(
                "Ensure the refund amount is not greater than the refundable amount {}.",
                money(remaining)
            ),
        )
        .with_code("30003"));
    };
    review(sale, false, target.comments);
    sale.refunded = refunded;
    sale.status = if sale.refunded == sale.input.amount {
        SaleStatus::Refunded
    } else {
        SaleStatus::PartiallyRefunded
    };
    record(&shared, sale, LedgerKind::Refund, "Refund", amount, now);
    Ok(numbered_object(&[
        ("total_refunded_amount", Piece::Number(sale.refunded)),
        ("succeeded", Piece::Bool(true)),
        ("sale_token", Piece::Str(sale.token.clone())),
        ("sale_amount", Piece::Number(sale.input.amount)),
        ("sale_id", Piece::Int(sale.id)),
        ("amount", Piece::Number(amount)),
    ]))
}
