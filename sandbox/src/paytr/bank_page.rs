//! The simulated 3-D Secure page at `/odeme/3d/{id}`.
//!
//! `GET` without a choice shows the page. The customer's choice completes it, either as
//! `GET /odeme/3d/{id}?result=success|failure|cancel` or as a form `POST` with the same
//! `result` field. Success sends the browser to `merchant_ok_url` (303, no data); failure
//! and cancel answer with a page that POSTs `fail_message` to `merchant_fail_url`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::form::Form;
use super::responses::{html, post_to_fail_url, redirect};
use super::settle::settle;
use super::test_cards::{self, BankChoice, Verdict};
use super::Shared;
use crate::util::html_escape;

#[derive(Debug, Deserialize)]
pub(crate) struct Choice {
    result: Option<String>,
}

fn parse_choice(text: &str) -> Option<BankChoice> {
    match text {
        "success" => Some(BankChoice::Success),
        "failure" | "fail" => Some(BankChoice::Failure),
        "cancel" | "abandon" => Some(BankChoice::Abandon),
        _ => None,
    }
}

pub(crate) async fn show(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(choice): Query<Choice>,
) -> Response {
    match choice.result.as_deref() {
        Some(text) => complete(&shared, &id, text),
        None => page(&shared, &id),
    }
}

pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::from_request(&headers, &body);
    complete(&shared, &id, form.text("result"))
}

fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        "<!doctype html><html><body><h1>Islem bulunamadi veya zaman asimina ugradi</h1></body></html>".into(),
    )
}

fn page(shared: &Shared, id: &str) -> Response {
    let store = shared.store();
    let Some(order) = store
        .bank_sessions
        .get(id)
        .and_then(|session| store.orders.get(&session.merchant_oid))
    else {
        return not_found();
    };
    let id = html_escape(id);
    let page = format!(
        concat!(
            "<!doctype html><html><head><title>3D Secure Dogrulama</title></head><body>",
            "<h1>Sandbox Bank 3D Secure</h1>",
            "<p>Siparis {oid}: {amount} {currency}, kart {bin}******{last4}</p>",
            "<form id=\"success\" method=\"post\" action=\"/odeme/3d/{id}\">",
            "<input type=\"hidden\" name=\"result\" value=\"success\">",
            "<button type=\"submit\">Dogrula (basarili)</button></form>",
            "<form id=\"failure\" method=\"post\" action=\"/odeme/3d/{id}\">",
            "<input type=\"hidden\" name=\"result\" value=\"failure\">",
            "<button type=\"submit\">Hatali SMS kodu (basarisiz)</button></form>",
            "<form id=\"cancel\" method=\"post\" action=\"/odeme/3d/{id}\">",
            "<input type=\"hidden\" name=\"result\" value=\"cancel\">",
            "<button type=\"submit\">Vazgec</button></form>",
            "</body></html>"
        ),
        oid = html_escape(&order.merchant_oid),
        amount = super::amount::two_decimals(order.amount),
        currency = html_escape(&order.currency),
        bin = html_escape(&order.card.bin),
        last4 = html_escape(&order.card.last4),
        id = id,
    );
    html(StatusCode::OK, page)
}

fn complete(shared: &Arc<Shared>, id: &str, choice: &str) -> Response {
    let Some(choice) = parse_choice(choice) else {
        return html(
            StatusCode::BAD_REQUEST,
            "<!doctype html><html><body><h1>result: success, failure veya cancel olmali</h1></body></html>".into(),
        );
    };
    // The page is used once: a second completion finds nothing.
    let Some(session) = shared.store().bank_sessions.remove(id) else {
        return not_found();
    };
    let verdict = match choice {
        BankChoice::Success => session.verdict_if_verified,
        BankChoice::Failure => Verdict::Declined {
            decline: test_cards::THREE_D_FAILED,
            soft: false,
        },
        BankChoice::Abandon => Verdict::Declined {
            decline: test_cards::ABANDONED,
            soft: false,
        },
    };
    settle(shared, &session.merchant_oid, verdict);
    let (ok_url, fail_url) = match shared.store().orders.get(&session.merchant_oid) {
        Some(order) => (order.ok_url.clone(), order.fail_url.clone()),
        None => return not_found(),
    };
    match verdict {
        Verdict::Declined { decline, .. } => post_to_fail_url(&fail_url, decline.msg),
        Verdict::Approved | Verdict::Wait => redirect(&ok_url, "Ödeme Başarılı."),
    }
}
