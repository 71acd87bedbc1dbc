//! The simulated 3-D Secure bank page. `3ds-init` answers with HTML that sends the browser
//! here; the page offers "approve" and "fail". A test completes it without a browser with
//! `GET <page>?result=success` (or `failure`), or a form POST with `result=...`. The page
//! then sends the browser to the merchant's `callbackUrl` with `status`, `completeStatus`,
//! `paymentId`, `conversationData`, `conversationId`, `callbackStatus` and `hash`: by an
//! auto-submitting POST form (as Craftgate does), or with `callback=redirect` by a
//! `303 See Other` to `callbackUrl?<fields>`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::state::Status;
use super::test_cards::{self, CardBehaviour};
use super::three_ds_hash::{callback_hash, CallbackFields};
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::util::html_escape;

/// Where the bank pages live: `<base>/sandbox/craftgate/3ds/<paymentId>`.
pub(crate) const PATH_PREFIX: &str = "/sandbox/craftgate/3ds/";

/// The HTML `3ds-init` returns (base64-encoded): it posts the browser to the bank page.
pub(crate) fn redirect_html(base: &str, payment_id: u64) -> String {
    let action = html_escape(&format!("{base}{PATH_PREFIX}{payment_id}"));
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>3D Secure</title></head>\
         <body onload=\"document.getElementById('cg3ds').submit()\">\
         <form id=\"cg3ds\" method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"paymentId\" value=\"{payment_id}\">\
         <noscript><button type=\"submit\">Devam</button></noscript></form></body></html>"
    )
}

fn choice_page(payment_id: u64) -> Response {
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sandbox Bank 3D Secure</title></head><body>\
         <h1>Sandbox Bank: 3D Secure</h1><p>Payment {payment_id}. Enter any code and choose an outcome.</p>\
         <form method=\"post\"><input type=\"hidden\" name=\"result\" value=\"success\"><button type=\"submit\">Onayla (success)</button></form>\
         <form method=\"post\"><input type=\"hidden\" name=\"result\" value=\"failure\"><button type=\"submit\">Reddet (failure)</button></form>\
         </body></html>"
    );
    Html(page).into_response()
}

fn simple(status: StatusCode, text: &str) -> Response {
    (
        status,
        Html(format!(
            "<!DOCTYPE html><html><body><p>{}</p></body></html>",
            html_escape(text)
        )),
    )
        .into_response()
}

/// `GET <bank page>[?result=success|failure[&callback=redirect]]`.
pub(crate) async fn show(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    handle(&shared, &id, query.as_deref().unwrap_or("").as_bytes())
}

/// `POST <bank page>` with a form body `result=success|failure[&callback=redirect]`.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut pairs: Vec<u8> = body.to_vec();
    if let Some(q) = query {
        pairs.push(b'&');
        pairs.extend_from_slice(q.as_bytes());
    }
    handle(&shared, &id, &pairs)
}

fn handle(shared: &Shared, id: &str, form: &[u8]) -> Response {
    let Ok(payment_id) = id.parse::<u64>() else {
        return simple(StatusCode::NOT_FOUND, "Ödeme bulunamadı");
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(form).into_owned().collect();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let success = match value("result") {
        Some("success") => true,
        Some("failure") => false,
        Some(_) => return simple(StatusCode::BAD_REQUEST, "result must be success or failure"),
        None => {
            return if shared
                .store()
                .payments
                .get(&payment_id)
                .is_some_and(|p| p.is_three_ds)
            {
                choice_page(payment_id)
            } else {
                simple(StatusCode::NOT_FOUND, "Ödeme bulunamadı")
            }
        }
    };
    let redirect = value("callback") == Some("redirect");
    match complete(shared, payment_id, success) {
        Some((callback_url, fields)) => deliver(&callback_url, &fields, redirect),
        None => simple(StatusCode::NOT_FOUND, "Ödeme bulunamadı"),
    }
}

/// Applies the customer's choice and returns the callback URL and fields.
fn complete(
    shared: &Shared,
    payment_id: u64,
    success: bool,
) -> Option<(String, Vec<(&'static str, String)>)> {
    let mut store = shared.store();
    let payment = store
        .payments
        .get_mut(&payment_id)
        .filter(|p| p.is_three_ds)?;
    let callback_url = payment.callback_url.clone()?;
    let mut ledger_decline = None;
    let mut webhook = None;
    let (status, complete_status, callback_status) = if payment.callback_returned {
        let complete_status = if payment.status == Status::CallbackThreeDs {
            "WAITING"
        } else {
            ""
        };
        let status = if payment.status == Status::Failure {
            "FAILURE"
        } else {
            "SUCCESS"
        };
        (status, complete_status, "ALREADY_RETURNED")
    } else {
        payment.callback_returned = true;
        let forced_failure =
            test_cards::behaviour(&payment.card.pan.0) == CardBehaviour::ThreeDsAuthenticationFails;
        if success && !forced_failure && payment.status == Status::InitThreeDs {
            payment.status = Status::CallbackThreeDs;
            webhook = Some("SUCCESS");
            ("SUCCESS", "WAITING", "")
        } else {
            payment.status = Status::Failure;
            payment.md_status = Some(0);
            payment.error = Some(test_cards::THREE_DS_AUTH_FAILED);
            ledger_decline = Some((
                payment.conversation_id.clone(),
                payment.paid_price,
                payment.currency.clone(),
            ));
            webhook = Some("FAILURE");
            ("FAILURE", "", "")
        }
    };
    let fields = CallbackFields {
        status: status.to_owned(),
        complete_status: complete_status.to_owned(),
        payment_id: payment_id.to_string(),
        conversation_data: payment.conversation_data.clone().unwrap_or_default(),
        conversation_id: payment.conversation_id.clone().unwrap_or_default(),
        callback_status: callback_status.to_owned(),
    };
    drop(store);
    if let Some((order_id, amount, currency)) = ledger_decline {
        shared.controls.ledger.record(LedgerEntry {
            kind: LedgerKind::Decline,
            reference: payment_id.to_string(),
            order_id,
            amount: Some(amount),
            currency: Some(currency),
        });
    }
    if let Some(status) = webhook {
        shared.emit("THREEDS_VERIFY", status, payment_id);
    }
    let hash = callback_hash(&shared.credentials.three_ds_callback_key, &fields);
    let pairs = vec![
        ("status", fields.status),
        ("completeStatus", fields.complete_status),
        ("paymentId", fields.payment_id),
        ("conversationData", fields.conversation_data),
        ("conversationId", fields.conversation_id),
        ("callbackStatus", fields.callback_status),
        ("hash", hash),
    ];
    Some((
        callback_url,
        pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
    ))
}

fn deliver(callback_url: &str, fields: &[(&'static str, String)], redirect: bool) -> Response {
    if redirect {
        let mut url = match url::Url::parse(callback_url) {
            Ok(url) => url,
            Err(_) => return simple(StatusCode::BAD_REQUEST, "callbackUrl is not a URL"),
        };
        url.query_pairs_mut()
            .extend_pairs(fields.iter().map(|(k, v)| (*k, v.as_str())));
        return (StatusCode::SEE_OTHER, [(header::LOCATION, url.to_string())]).into_response();
    }
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                html_escape(v)
            )
        })
        .collect();
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>3D Secure</title></head>\
         <body onload=\"document.getElementById('cgcallback').submit()\">\
         <form id=\"cgcallback\" method=\"post\" action=\"{}\">{inputs}\
         <noscript><button type=\"submit\">Devam</button></noscript></form></body></html>",
        html_escape(callback_url)
    );
    Html(page).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_html_posts_to_the_bank_page() {
        let html = redirect_html("http://127.0.0.1:9", 42);
        assert!(html.contains("action=\"http://127.0.0.1:9/sandbox/craftgate/3ds/42\""));
        assert!(html.contains("method=\"post\""));
    }
}
