//! Installment options: the BIN lookup (`POST /odeme/api/bin-detail`) and the store's
//! installment rates (`POST /odeme/taksit-oranlari`).
//!
//! PayTR's documents name these endpoints and their tokens but not their answers; the
//! shapes here follow the project's reading of public integrations, which the adapter
//! follows too (written down in `sandbox/docs/paytr.md`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use super::bins;
use super::form::Form;
use super::payment::BAD_TOKEN;
use super::rates::{RatesTable, MAX_INST_NON_BUS};
use super::responses::json;
use super::token::verify_request;
use super::Shared;

/// The longest `request_id` taken; PayTR's own limit is not documented.
const MAX_REQUEST_ID: usize = 64;

use super::responses::err_msg_error as error;

/// The checks both endpoints share, in order: required fields present, the store's
/// `merchant_id`, then the token over `signed`.
fn refusal(shared: &Shared, form: &Form, required: &[&str], signed: &[&str]) -> Option<Response> {
    if let Some(missing) = required.iter().find(|f| form.text(f).is_empty()) {
        return Some(error(&format!("Zorunlu alan gonderilmedi: {missing}")));
    }
    if form.text("merchant_id") != shared.credentials.merchant_id {
        return Some(error("Gecersiz istek veya magaza aktif degil"));
    }
    if !verify_request(&shared.credentials, signed, form.get("paytr_token")) {
        return Some(error(BAD_TOKEN));
    }
    None
}

/// A BIN is the first 6 or 8 digits; a longer number (a whole PAN) is refused so that
/// nobody gets used to sending one.
fn valid_bin(bin: &str) -> bool {
    matches!(bin.len(), 6 | 8) && bin.bytes().all(|b| b.is_ascii_digit())
}

/// `POST /odeme/api/bin-detail`; the token is `bin_number + merchant_id + salt`.
pub(crate) async fn bin_detail(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::from_request(&headers, &body);
    let (bin, merchant_id) = (form.text("bin_number"), form.text("merchant_id"));
    if let Some(refused) = refusal(
        &shared,
        &form,
        &["merchant_id", "bin_number"],
        &[bin, merchant_id],
    ) {
        return refused;
    }
    if !valid_bin(bin) {
        return error("Gecersiz bin_number: ilk 6 veya 8 hane gonderilmelidir");
    }
    match bins::lookup(bin) {
        Some(info) => json(json!({
            "status": "success",
            "cardType": info.card_type,
            "businessCard": info.business_flag(),
            "bank": info.bank,
            "brand": info.brand,
            "schema": info.schema,
        })),
        None => json(json!({ "status": "failed" })),
    }
}

#[derive(Serialize)]
struct RatesAnswer<'a> {
    status: &'static str,
    request_id: &'a str,
    max_inst_non_bus: u8,
    oranlar: RatesTable,
}

/// `POST /odeme/taksit-oranlari`; the token is `merchant_id + request_id + salt`.
pub(crate) async fn rates(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::from_request(&headers, &body);
    let (merchant_id, request_id) = (form.text("merchant_id"), form.text("request_id"));
    if let Some(refused) = refusal(
        &shared,
        &form,
        &["merchant_id", "request_id"],
        &[merchant_id, request_id],
    ) {
        return refused;
    }
    if request_id.chars().count() > MAX_REQUEST_ID {
        return error("Gecersiz request_id: en fazla 64 karakter");
    }
    let answer = RatesAnswer {
        status: "success",
        request_id,
        max_inst_non_bus: MAX_INST_NON_BUS,
        oranlar: RatesTable {
            as_strings: shared.rates_as_strings.load(Ordering::Relaxed),
        },
    };
    // The rates must keep their exact digits, so the body is written from the typed
    // answer rather than through `serde_json::Value` (whose numbers are floats).
    match serde_json::to_string(&answer) {
        Ok(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(_) => error("Taksit oranlari okunamadi"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_six_or_eight_digits() {
        assert!(valid_bin("435508"));
        assert!(valid_bin("43550843"));
        assert!(!valid_bin("4355084"));
        assert!(!valid_bin("4355084355084358"));
        assert!(!valid_bin("43550a"));
        assert!(!valid_bin(""));
    }
}
