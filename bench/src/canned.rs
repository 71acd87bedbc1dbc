//! A canned-answer HTTP server on 127.0.0.1: every request gets one fixed, documented
//! success answer of the provider in question, and the first request is kept so the raw
//! client can replay exactly the bytes the adapter sent.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;

use crate::provider::Provider;

/// The first request the server received: what the raw client replays.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The HTTP method.
    pub method: Method,
    /// The path and query.
    pub path: String,
    /// Every header but the hop-by-hop ones and `host`/`content-length`.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Bytes,
}

/// A running canned server.
#[derive(Debug)]
pub struct CannedServer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    captured: Arc<OnceLock<Captured>>,
    task: tokio::task::JoinHandle<()>,
}

impl CannedServer {
    /// Starts the server answering every request with `provider`'s success answer, after
    /// `delay` (zero: at once; more: a provider's own processing time, simulated).
    pub async fn start(provider: Provider, delay: Duration) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let captured = Arc::new(OnceLock::new());
        let keep = Arc::clone(&captured);
        let answer = Bytes::from_static(success_answer(provider).as_bytes());
        let app = Router::new().fallback(move |method, uri, headers, body| {
            let keep = Arc::clone(&keep);
            let answer = answer.clone();
            async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                reply(&keep, answer, method, uri, headers, body)
            }
        });
        let task = tokio::spawn(async move {
            // The server lives as long as the bench; an accept error ends it.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            base_url,
            captured,
            task,
        })
    }

    /// The first request received, once one has been.
    pub fn captured(&self) -> Option<Captured> {
        self.captured.get().cloned()
    }
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn reply(
    keep: &OnceLock<Captured>,
    answer: Bytes,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    if keep.get().is_none() {
        let _ = keep.set(capture(method, &uri, &headers, body));
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        answer,
    )
}

fn capture(method: Method, uri: &Uri, headers: &HeaderMap, body: Bytes) -> Captured {
    const SKIP: [&str; 5] = [
        "host",
        "content-length",
        "connection",
        "transfer-encoding",
        "keep-alive",
    ];
    let headers = headers
        .iter()
        .filter(|(name, _)| !SKIP.contains(&name.as_str()))
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    Captured {
        method,
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned()),
        headers,
        body,
    }
}

/// The documented success answer to a plain (non-3-D) charge.
///
/// - Paytrek `POST /api/v2/direct_charge/`: the document's example answer (the adapter's
///   fixture `paytrek/tests/fixtures/direct_charge.json`).
/// - PayTR `POST /odeme` with `sync_mode=1`: `{"status":"success"}` with its message, as
///   the Direct API document (and the simulator) answer an approved payment.
/// - Craftgate `POST /payment/v1/card-payments`: a `PaymentResponse` in its `data`
///   envelope, `paymentStatus: SUCCESS`, one transaction per item (the notes' sample,
///   as 24.00 TRY of three items: `craftgate/benches/fixtures/card_payment_success.json`).
pub fn success_answer(provider: Provider) -> &'static str {
    match provider {
        Provider::Paytrek => include_str!("../../paytrek/tests/fixtures/direct_charge.json"),
        Provider::Paytr => r#"{"status":"success","msg":"Ödeme Başarılı."}"#,
        Provider::Craftgate => {
            include_str!("../../craftgate/benches/fixtures/card_payment_success.json")
        }
    }
}
