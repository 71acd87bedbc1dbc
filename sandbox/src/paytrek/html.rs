//! The few HTML pages a customer's browser sees: the hosted payment form, the bank page and
//! the hand-back to the merchant.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::render::return_url_with_token;
use super::state::Sale;
use crate::util::html_escape;

/// A minimal page; `body` must already be escaped.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    );
    (status, Html(html)).into_response()
}

/// Sends the customer back to the sale's `return_url` with `?token=<sale_token>` (302).
pub(crate) fn return_to_merchant(sale: &Sale) -> Response {
    match sale.input.return_url.as_deref() {
        Some(return_url) => {
            let location = return_url_with_token(Some(return_url), &sale.token);
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
        // The real service falls back to the URL of the merchant's account; the simulator
        // has no account, so it shows the result instead.
        None => page(
            StatusCode::OK,
            "Payment finished",
            &format!(
                "<p>Sale {} is now {}.</p>",
                html_escape(&sale.token),
                html_escape(sale.status.as_str())
            ),
        ),
    }
}
