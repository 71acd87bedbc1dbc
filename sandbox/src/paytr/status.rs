//! `POST /odeme/durum-sorgu`: the status query of a successful payment.

// Commissions multiply stored amounts; no answer may overflow or panic the handler.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use time::macros::format_description;

use super::amount::status_format;
use super::bins::NO_PROGRAM;
use super::form::Form;
use super::responses::json;
use super::state::OrderStatus;
use super::token::verify_request;
use super::validate::valid_oid;
use super::Shared;

/// The commission the simulated PayTR keeps, 1.99 % as a fraction (shown as
/// `kesinti_tutari`).
const COMMISSION_FRACTION: Decimal = Decimal::from_parts(199, 0, 0, false, 4);

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
    if !verify_request(
        &shared.credentials,
        &[merchant_id, merchant_oid],
        form.get("paytr_token"),
    ) {
        return error("003", "paytr_token gonderilmedi veya gecersiz");
    }
    let store = shared.store();
    let Some(order) = store
        .orders
        .get(merchant_oid)
        .filter(|o| o.status == OrderStatus::Succeeded)
    else {
        return error("004", "merchant_oid ile basarili odeme bulunamadi");
    };
    let day = format_description!("[year]-[month]-[day]");
    let moment = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let returns: Vec<Value> = order
        .refunds
        .iter()
        .map(|r| {
            json!({
                "return_amount": status_format(r.amount),
                "return_date": r.at.format(&moment).unwrap_or_default(),
                "reference_no": r.reference_no.clone().unwrap_or_default(),
            })
        })
        .collect();
    // Stored amounts have at most 12 whole digits (`parse_major`), so neither figure can
    // saturate; saturating only keeps an answer from panicking the handler.
    let commission = order.amount.saturating_mul(COMMISSION_FRACTION).round_dp(2);
    // A card in no installment program is named by its scheme instead.
    let brand = match order.card.bin_info() {
        Some(info) if info.brand != NO_PROGRAM => info.brand.to_uppercase(),
        _ => order.card.schema().to_owned(),
    };
    json(json!({
        "status": "success",
        "payment_amount": status_format(order.amount),
        "payment_total": status_format(order.amount),
        "payment_date": order.created.format(&day).unwrap_or_default(),
        "currency": order.currency,
        "taksit": order.installments.to_string(),
        "kart_marka": brand,
        "masked_pan": order.card.masked(),
        "odeme_tipi": "KART",
        "test_mode": if order.test_mode { "1" } else { "0" },
        "returns": returns,
        "net_tutar": status_format(order.amount.saturating_sub(commission)),
        "kesinti_tutari": status_format(commission),
    }))
}
