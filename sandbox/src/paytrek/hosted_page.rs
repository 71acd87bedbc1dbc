//! The hosted payment page ("Paytrek Ortak Ödeme Formu") at `/?token=<sale_token>`, where a
//! merchant sends the customer after creating a sale.
//!
//! `GET /?token=<sale_token>` shows a card form. A test pays by POSTing the form fields
//! `number`, `expiration` (`MM/YYYY`), `cvc` and `card_holder_name` to `/?token=<sale_token>`
//! (or with a `token` field). The simulator then charges the sale as `charge` would and
//! redirects (302) to the bank page when the sale has `secure_option`, otherwise to the
//! sale's `return_url` with `?token=<sale_token>`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::cards::read_card;
use super::html::{page, return_to_merchant};
use super::pagination::{param, query_pairs};
use super::payments::{begin, check_payable, Outcome};
use super::render::money;
use super::request::Fields;
use super::Shared;
use crate::util::html_escape;

fn unknown_sale() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Sale not found",
        "<p>This payment link is not valid.</p>",
    )
}

/// `GET /?token=<sale_token>`.
pub(crate) async fn show(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.as_deref());
    let Some(token) = param(&pairs, "token") else {
        return unknown_sale();
    };
    let store = shared.store();
    let Some(sale) = store.sale(token) else {
        return unknown_sale();
    };
    if check_payable(&store, token, OffsetDateTime::now_utc()).is_err() {
        return page(
            StatusCode::BAD_REQUEST,
            "Sale cannot be paid",
            &format!(
                "<p>Sale {} is {}.</p>",
                html_escape(token),
                html_escape(sale.status.as_str())
            ),
        );
    }
    let body = format!(
        "<p>Order {order}: {amount} {currency}</p>\
         <form method=\"post\" action=\"/?token={token}\">\
         <label>Card number <input name=\"number\"></label>\
         <label>Expiration (MM/YYYY) <input name=\"expiration\"></label>\
         <label>CVC <input name=\"cvc\"></label>\
         <label>Card holder <input name=\"card_holder_name\"></label>\
         <button type=\"submit\">Pay</button></form>",
        order = html_escape(&sale.input.order_id),
        amount = money(sale.input.amount),
        currency = html_escape(&sale.input.currency),
        token = html_escape(token),
    );
    page(StatusCode::OK, "Paytrek payment", &body)
}

/// `POST /?token=<sale_token>` with the card form.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let query = query_pairs(query.as_deref());
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let token = param(&query, "token")
        .or_else(|| param(&form, "token"))
        .map(str::to_owned);
    let Some(token) = token else {
        return unknown_sale();
    };
    let map: Map<String, Value> = form
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    let mut fields = Fields::new(&map);
    let card = read_card(&mut fields, false);
    let errors = fields.into_errors();
    let Some(card) = card.filter(|_| errors.is_empty()) else {
        let listed: String = errors
            .iter()
            .map(|(field, messages)| {
                format!(
                    "<li>{}: {}</li>",
                    html_escape(field),
                    html_escape(&messages.to_string())
                )
            })
            .collect();
        return page(
            StatusCode::BAD_REQUEST,
            "Check your card",
            &format!("<ul>{listed}</ul>"),
        );
    };
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    if store.sale(&token).is_none() {
        return unknown_sale();
    }
    if check_payable(&store, &token, now).is_err() {
        return page(
            StatusCode::BAD_REQUEST,
            "Sale cannot be paid",
            "<p>Already paid or expired.</p>",
        );
    }
    match begin(&shared, &mut store, &token, card, None, now) {
        Err(_) => unknown_sale(),
        Ok(Outcome::NeedsAuthentication { forward_url }) => {
            (StatusCode::FOUND, [(header::LOCATION, forward_url)]).into_response()
        }
        Ok(_) => match store.sale(&token) {
            Some(sale) => return_to_merchant(sale),
            None => unknown_sale(),
        },
    }
}
