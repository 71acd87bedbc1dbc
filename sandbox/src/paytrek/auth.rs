//! HTTP Basic Auth (api_key:secret) on every API endpoint, refused as DRF's
//! `BasicAuthentication` refuses.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::errors::ApiError;
use super::Shared;
use crate::util::constant_time_eq;

/// Lets the request through only with the simulator's credentials.
pub(crate) async fn require_basic_auth(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes().to_vec());
    match check(
        header.as_deref(),
        &shared.credentials.api_key,
        &shared.credentials.secret,
    ) {
        Ok(()) => next.run(request).await,
        Err(message) => ApiError::Unauthorized(message).into_response(),
    }
}

/// Checks an `Authorization` header value against the expected user and password.
pub(crate) fn check(header: Option<&[u8]>, user: &str, password: &str) -> Result<(), &'static str> {
    const MISSING: &str = "Authentication credentials were not provided.";
    let Some(header) = header else {
        return Err(MISSING);
    };
    let text = std::str::from_utf8(header)
        .map_err(|_| "Invalid basic header. Credentials not correctly base64 encoded.")?;
    let mut parts = text.split_whitespace();
    // Another scheme (e.g. Bearer) is not Basic's business: no credentials were given.
    if !parts
        .next()
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("basic"))
    {
        return Err(MISSING);
    }
    let Some(encoded) = parts.next() else {
        return Err("Invalid basic header. No credentials provided.");
    };
    if parts.next().is_some() {
        return Err("Invalid basic header. Credentials string should not contain spaces.");
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or("Invalid basic header. Credentials not correctly base64 encoded.")?;
    let (given_user, given_password) = decoded
        .split_once(':')
        .ok_or("Invalid basic header. Credentials not correctly base64 encoded.")?;
    // Both halves are compared every time, so timing does not tell which one was wrong.
    let user_ok = constant_time_eq(given_user, user);
    let password_ok = constant_time_eq(given_password, password);
    if user_ok & password_ok {
        Ok(())
    } else {
        Err("Invalid username/password.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(credentials: &str) -> Vec<u8> {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        )
        .into_bytes()
    }

    #[test]
    fn accepts_only_the_right_pair() {
        assert_eq!(check(Some(&basic("key:secret")), "key", "secret"), Ok(()));
        assert_eq!(
            check(Some(&basic("key:wrong")), "key", "secret"),
            Err("Invalid username/password.")
        );
        assert_eq!(
            check(Some(&basic("other:secret")), "key", "secret"),
            Err("Invalid username/password.")
        );
    }

    #[test]
    fn malformed_headers_are_named() {
        assert_eq!(
            check(None, "k", "s"),
            Err("Authentication credentials were not provided.")
        );
        assert_eq!(
            check(Some(b"Bearer abc"), "k", "s"),
            Err("Authentication credentials were not provided.")
        );
        assert_eq!(
            check(Some(b"Basic"), "k", "s"),
            Err("Invalid basic header. No credentials provided.")
        );
        assert_eq!(
            check(Some(b"Basic a b"), "k", "s"),
            Err("Invalid basic header. Credentials string should not contain spaces.")
        );
        assert_eq!(
            check(Some(b"Basic !!!"), "k", "s"),
            Err("Invalid basic header. Credentials not correctly base64 encoded.")
        );
        assert_eq!(
            check(Some(&basic("no-colon")), "k", "s"),
            Err("Invalid basic header. Credentials not correctly base64 encoded.")
        );
    }
}
