//! The shapes PayTR answers with: JSON bodies, the browser redirects and the HTML form
//! that POSTs `fail_message` to the merchant's fail URL.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::util::html_escape;

/// A JSON answer with status 200, as every PayTR API answer is, errors included.
pub(crate) fn json(value: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        value.to_string(),
    )
        .into_response()
}

/// The refund and status-query refusal shape: `{"status":"error","err_no":…,"err_msg":…}`.
pub(crate) fn err_no_error(err_no: &str, err_msg: &str) -> Response {
    json(serde_json::json!({ "status": "error", "err_no": err_no, "err_msg": err_msg }))
}

/// The refusal shape of the CAPI, BIN and rate endpoints: `{"status":"error","err_msg":…}`.
pub(crate) fn err_msg_error(message: &str) -> Response {
    json(serde_json::json!({ "status": "error", "err_msg": message }))
}

/// The `/odeme` refusal shape: `{"status":"failed","reason":…}`.
pub(crate) fn odeme_refusal(reason: impl Into<String>) -> Response {
    json(serde_json::json!({ "status": "failed", "reason": reason.into() }))
}

/// Sends the browser on with a `303 See Other`.
pub(crate) fn redirect(location: &str, note: &str) -> Response {
    let page = format!(
        "<!doctype html><html><body><p>{}</p><a id=\"next\" href=\"{}\">Devam</a></body></html>",
        html_escape(note),
        html_escape(location)
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location.to_owned()),
            (header::CONTENT_TYPE, "text/html; charset=utf-8".into()),
        ],
        page,
    )
        .into_response()
}

/// A page whose form POSTs `fail_message` to the merchant's fail URL as soon as it loads.
pub(crate) fn post_to_fail_url(fail_url: &str, message: &str) -> Response {
    let page = format!(
        concat!(
            "<!doctype html><html><body onload=\"document.forms[0].submit()\">",
            "<form id=\"fail\" method=\"post\" action=\"{}\">",
            "<input type=\"hidden\" name=\"fail_message\" value=\"{}\">",
            "<noscript><button type=\"submit\">Devam</button></noscript></form></body></html>"
        ),
        html_escape(fail_url),
        html_escape(message)
    );
    html(StatusCode::OK, page)
}

/// An HTML page.
pub(crate) fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}
