//! `x-idempotency-key`: on POST, the same key with the same body returns the first answer
//! without doing anything again; the same key with a different body is refused. A request
//! still running holds its key, so a concurrent retry waits for the first answer instead of
//! charging twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::auth::MAX_BODY;
use super::errors::{codes, ApiError};
use super::Shared;

/// The first answer given for a key.
#[derive(Debug, Clone)]
struct Answer {
    body_digest: [u8; 32],
    status: StatusCode,
    headers: HeaderMap,
    body: axum::body::Bytes,
}

type Slot = Arc<tokio::sync::Mutex<Option<Answer>>>;

/// Answers by (path, key).
#[derive(Debug, Default)]
pub(crate) struct Cache {
    slots: Mutex<HashMap<(String, String), Slot>>,
}

impl Cache {
    fn slot(&self, path: &str, key: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .entry((path.to_owned(), key.to_owned()))
            .or_default()
            .clone()
    }
}

/// Middleware: replays the first answer for a repeated `x-idempotency-key`.
pub(crate) async fn layer(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let key = request
        .headers()
        .get("x-idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    let Some(key) = key else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::malformed("istek gövdesi okunamadı").into_response(),
    };
    let digest: [u8; 32] = Sha256::digest(&bytes).into();
    let slot = shared.idempotency.slot(parts.uri.path(), &key);
    let mut guard = slot.lock().await;
    if let Some(answer) = guard.as_ref() {
        if answer.body_digest != digest {
            return ApiError::business(
                codes::IDEMPOTENCY_MISMATCH,
                "Bu idempotency anahtarı farklı bir istekle kullanılmış",
            )
            .into_response();
        }
        return replay(answer);
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let answer = Answer {
        body_digest: digest,
        status: parts.status,
        headers: parts.headers.clone(),
        body: body.clone(),
    };
    *guard = Some(answer);
    Response::from_parts(parts, Body::from(body))
}

fn replay(answer: &Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body.clone()));
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers.clone();
    response
}
