//! Card storage (CAPI): `POST /odeme/capi/list` and `POST /odeme/capi/delete`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::form::Form;
use super::payment::BAD_TOKEN;
use super::responses::json;
use super::token::verify_request;
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};

use super::responses::err_msg_error as error;

/// The user's cards as a JSON array with no `status`; `{}` for an unknown `utoken`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::from_request(&headers, &body);
    if form.text("merchant_id") != shared.credentials.merchant_id {
        return error("Gecersiz istek veya magaza aktif degil");
    }
    let utoken = form.text("utoken");
    if !verify_request(&shared.credentials, &[utoken], form.get("paytr_token")) {
        return error(BAD_TOKEN);
    }
    let store = shared.store();
    let Some(cards) = store.users.get(utoken).filter(|_| !utoken.is_empty()) else {
        return json(json!({}));
    };
    let cards: Vec<Value> = cards
        .iter()
        .map(|stored| {
            // An unknown BIN shows an empty bank and brand, as foreign cards do at PayTR.
            let info = stored.card.bin_info();
            json!({
                "ctoken": stored.ctoken,
                "last_4": stored.card.last4,
                "require_cvv": if stored.require_cvv { "1" } else { "0" },
                "month": stored.card.month,
                "year": stored.card.year,
                "c_bank": info.map_or("", |i| i.bank),
                "c_name": stored.card.owner,
                "c_brand": info.map_or("", |i| i.brand),
                "c_type": info.map_or("credit", |i| i.card_type),
                "businessCard": info.map_or("n", |i| i.business_flag()),
                "initial": stored.card.initial(),
                "schema": stored.card.schema(),
            })
        })
        .collect();
    json(Value::Array(cards))
}

/// Deletes one card; the token is `ctoken + utoken + salt`.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::from_request(&headers, &body);
    if form.text("merchant_id") != shared.credentials.merchant_id {
        return error("Gecersiz istek veya magaza aktif degil");
    }
    let (utoken, ctoken) = (form.text("utoken"), form.text("ctoken"));
    if !verify_request(
        &shared.credentials,
        &[ctoken, utoken],
        form.get("paytr_token"),
    ) {
        return error(BAD_TOKEN);
    }
    let removed = {
        let mut store = shared.store();
        store.users.get_mut(utoken).and_then(|cards| {
            let index = cards.iter().position(|c| c.ctoken == ctoken)?;
            Some(cards.remove(index))
        })
    };
    if removed.is_none() {
        return error("Kart yok veya daha önce silinmiş");
    }
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::CardDeleted,
        reference: ctoken.to_owned(),
        order_id: None,
        amount: None,
        currency: None,
    });
    json(json!({ "status": "success" }))
}
