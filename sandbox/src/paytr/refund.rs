//! `POST /odeme/iade`: full and partial refunds, with PayTR's `err_no` codes.

// Refund totals add client amounts to stored ones; every sum is checked before anything
// is stored, and no request may panic a handler.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;
use time::OffsetDateTime;

use super::amount::{parse_major, two_decimals};
use super::form::Form;
use super::responses::json;
use super::state::{Ack, OrderStatus, RefundRecord};
use super::token::verify_request;
use super::validate::valid_oid;
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};

use super::responses::err_no_error as error;

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::from_request(&headers, &body);
    let merchant_id = form.text("merchant_id");
    if merchant_id != shared.credentials.merchant_id {
        return error("001", "Gecersiz istek veya magaza aktif degil");
    }
    let merchant_oid = form.text("merchant_oid");
    if !valid_oid(merchant_oid) {
        return error("002", "Gecersiz merchant_oid");
    }
    let amount_text = form.text("return_amount");
    let Some(amount) = parse_major(amount_text) else {
        return error("003", "Gecersiz return_amount");
    };
    let reference_no = form.get("reference_no").filter(|r| !r.is_empty());
    if reference_no.is_some_and(|r| !valid_oid(r)) {
        return error(
            "001",
            "Gecersiz istek: reference_no en fazla 64 karakter, alfa numerik olmali",
        );
    }
    if !verify_request(
        &shared.credentials,
        &[merchant_id, merchant_oid, amount_text],
        form.get("paytr_token"),
    ) {
        return error("004", "paytr_token gonderilmedi veya gecersiz");
    }
    let (test_mode, currency, reference) = {
        let mut store = shared.store();
        let Some(order) = store
            .orders
            .get_mut(merchant_oid)
            .filter(|o| o.status == OrderStatus::Succeeded)
        else {
            return error("005", "merchant_oid ile basarili odeme bulunamadi");
        };
        if matches!(order.ack, Ack::Delivering | Ack::GaveUp) {
            return error(
                "007",
                "merchant_oid bulundu ancak odeme henuz siteye bildirilmemis",
            );
        }
        // A total that does not fit in a decimal is more than the payment too.
        if order
            .refunded()
            .checked_add(amount)
            .is_none_or(|total| total > order.amount)
        {
            return error("009", "Toplam iade tutari odeme tutarindan fazla olamaz");
        }
        order.refunds.push(RefundRecord {
            amount,
            reference_no: reference_no.map(str::to_owned),
            at: OffsetDateTime::now_utc(),
        });
        (
            order.test_mode,
            order.currency.clone(),
            order.reference.clone(),
        )
    };
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::Refund,
        reference,
        order_id: Some(merchant_oid.to_owned()),
        amount: Some(amount),
        currency: Some(currency),
    });
    let mut answer = json!({
        "status": "success",
        "is_test": if test_mode { 1 } else { 0 },
        "merchant_oid": merchant_oid,
        "return_amount": two_decimals(amount),
    });
    if let Some(reference_no) = reference_no {
        answer["reference_no"] = json!(reference_no);
    }
    json(answer)
}
