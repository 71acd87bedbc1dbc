//! Authentication of every API request: the API key must be known, `x-auth-version` must be
//! `v1` or `1` (the clients send both), and `x-signature` must sign the decoded full URL
//! (with its query), the key, the secret, `x-rnd-key` and the raw body bytes.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;
use super::signature::verify_request_signature;
use super::Shared;
use crate::util::constant_time_eq;

/// The largest body the simulator reads (Craftgate's requests are a few kilobytes).
pub(crate) const MAX_BODY: usize = 1 << 20;

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The URLs the client may have signed: the one it addressed (its `Host` header) and the
/// simulator's own base URL, each with the path and raw query exactly as received.
fn candidate_urls(shared: &Shared, headers: &HeaderMap, path_and_query: &str) -> Vec<String> {
    let mut urls = Vec::with_capacity(2);
    if let Some(host) = header_text(headers, header::HOST.as_str()) {
        urls.push(format!("http://{host}{path_and_query}"));
    }
    let own = format!("{}{path_and_query}", shared.base_url());
    if !urls.contains(&own) {
        urls.push(own);
    }
    urls
}

/// Checks the headers and signature of `body`; the error is what Craftgate answers.
pub(crate) fn check(
    shared: &Shared,
    headers: &HeaderMap,
    path_and_query: &str,
    body: &[u8],
) -> Result<(), ApiError> {
    let api_key = header_text(headers, "x-api-key")
        .ok_or_else(|| ApiError::missing_auth_header("x-api-key"))?;
    let credentials = &shared.credentials;
    if !constant_time_eq(api_key, &credentials.api_key) {
        return Err(ApiError::credential_not_found());
    }
    let version = header_text(headers, "x-auth-version")
        .ok_or_else(|| ApiError::missing_auth_header("x-auth-version"))?;
    if version != "v1" && version != "1" {
        return Err(ApiError::missing_auth_header("x-auth-version"));
    }
    let rnd = header_text(headers, "x-rnd-key")
        .ok_or_else(|| ApiError::missing_auth_header("x-rnd-key"))?;
    let signature = header_text(headers, "x-signature")
        .ok_or_else(|| ApiError::missing_auth_header("x-signature"))?;
    let urls = candidate_urls(shared, headers, path_and_query);
    if verify_request_signature(
        &urls,
        &credentials.api_key,
        &credentials.secret_key,
        rnd,
        body,
        signature,
    ) {
        Ok(())
    } else {
        Err(ApiError::bad_signature())
    }
}

/// Middleware: authenticates the request, then hands it on with its body intact.
pub(crate) async fn layer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::malformed("istek gövdesi okunamadı").into_response(),
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    if let Err(error) = check(&shared, &parts.headers, path_and_query, &bytes) {
        return error.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
