//! The simulated 3-D Secure bank page a `forward_url` points at.
//!
//! `GET <forward_url>` shows a page with the password field and two buttons. A test
//! completes it with `GET <forward_url>?result=success` (or `result=failure`, optionally
//! `&code=40000|40002|40004|40005|40006|40007`, default 40006), or by POSTing the same
//! fields form-encoded; `password=a` (the document's 3-D password) also succeeds and any
//! other password fails. The simulator then charges (or declines) the sale and redirects
//! (302) to the sale's `return_url` with `?token=<sale_token>`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use time::OffsetDateTime;

use super::errors::THREE_D_FAILURE_CODES;
use super::html::{page, return_to_merchant};
use super::pagination::{param, query_pairs};
use super::payments::{decline_3ds, finish};
use super::render::money;
use super::Shared;
use crate::util::html_escape;

/// The customer's answer at the bank page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    Success,
    Failure(&'static str),
}

/// The document's 3-D password for its test cards.
const PASSWORD: &str = "a";
const DEFAULT_FAILURE: &str = "40006";

/// Reads the choice from query or form fields; `Ok(None)` means "just show the page".
fn choice(pairs: &[(String, String)]) -> Result<Option<Choice>, String> {
    let failure = || match param(pairs, "code") {
        None | Some("") => Ok(Choice::Failure(DEFAULT_FAILURE)),
        Some(code) => THREE_D_FAILURE_CODES
            .iter()
            .find(|c| **c == code)
            .map(|c| Choice::Failure(c))
            .ok_or_else(|| format!("unknown 3-D failure code {code}")),
    };
    match (param(pairs, "result"), param(pairs, "password")) {
        (Some("success"), _) => Ok(Some(Choice::Success)),
        (Some("failure"), _) => failure().map(Some),
        (Some(other), _) => Err(format!("result must be success or failure, not {other}")),
        (None, Some(PASSWORD)) => Ok(Some(Choice::Success)),
        (None, Some(_)) => failure().map(Some),
        (None, None) => Ok(None),
    }
}

/// `GET /bank/3ds/<session>`.
pub(crate) async fn show(
    State(shared): State<Arc<Shared>>,
    Path(session): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    match choice(&pairs) {
        Err(message) => page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            &html_escape(&message),
        ),
        Ok(Some(choice)) => complete(&shared, &session, choice),
        Ok(None) => form(&shared, &session),
    }
}

/// `POST /bank/3ds/<session>` with form fields `result`, `code`, `password`.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    Path(session): Path<String>,
    body: Bytes,
) -> Response {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    match choice(&pairs) {
        Err(message) => page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            &html_escape(&message),
        ),
        Ok(Some(choice)) => complete(&shared, &session, choice),
        Ok(None) => page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "Send result or password.",
        ),
    }
}

fn unknown_session() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "3-D Secure session not found",
        "<p>This authentication is unknown, was abandoned or is already completed.</p>",
    )
}

fn form(shared: &Shared, session: &str) -> Response {
    let store = shared.store();
    let Some(pending) = store.pending.get(session) else {
        return unknown_session();
    };
    let Some(sale) = store.sale(&pending.sale_token) else {
        return unknown_session();
    };
    let body = format!(
        "<p>Simulated issuer authentication for order {order}: {amount} {currency}, card {card}.</p>\
         <form method=\"post\">\
         <label>3-D password <input name=\"password\" type=\"password\"></label>\
         <button type=\"submit\">Submit</button></form>\
         <form method=\"post\"><input type=\"hidden\" name=\"result\" value=\"success\">\
         <button type=\"submit\">Authenticate</button></form>\
         <form method=\"post\"><input type=\"hidden\" name=\"result\" value=\"failure\">\
         <button type=\"submit\">Fail authentication</button></form>",
        order = html_escape(&sale.input.order_id),
        amount = money(sale.input.amount),
        currency = html_escape(&sale.input.currency),
        card = html_escape(&pending.card.masked_number()),
    );
    page(StatusCode::OK, "3-D Secure", &body)
}

fn complete(shared: &Shared, session: &str, choice: Choice) -> Response {
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let Some(pending) = store.pending.remove(session) else {
        return unknown_session();
    };
    let token = pending.sale_token.clone();
    match choice {
        Choice::Success => {
            // The mdstatus of a full authentication is 1.
            if finish(
                shared,
                &mut store,
                &token,
                pending.card,
                pending.save,
                Some("1"),
                now,
            )
            .is_err()
            {
                return unknown_session();
            }
        }
        Choice::Failure(code) => {
            decline_3ds(
                shared,
                &mut store,
                &token,
                &pending.card,
                code,
                Some("0"),
                now,
            );
        }
    }
    let Some(sale) = store.sale(&token) else {
        return unknown_session();
    };
    return_to_merchant(sale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        query_pairs(Some(q))
    }

    #[test]
    fn choices() {
        assert_eq!(choice(&pairs("result=success")), Ok(Some(Choice::Success)));
        assert_eq!(
            choice(&pairs("result=failure")),
            Ok(Some(Choice::Failure("40006")))
        );
        assert_eq!(
            choice(&pairs("result=failure&code=40000")),
            Ok(Some(Choice::Failure("40000")))
        );
        assert!(choice(&pairs("result=failure&code=10020")).is_err());
        assert!(choice(&pairs("result=maybe")).is_err());
        assert_eq!(choice(&pairs("password=a")), Ok(Some(Choice::Success)));
        assert_eq!(
            choice(&pairs("password=b")),
            Ok(Some(Choice::Failure("40006")))
        );
        assert_eq!(choice(&pairs("")), Ok(None));
    }
}
