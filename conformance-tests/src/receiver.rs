//! The merchant's side of the loopback: a tiny HTTP server that records every request the
//! customer's browser or the provider sends it (3-D Secure returns, notifications,
//! webhooks) and answers notifications the way the merchant's server would.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use odeme::{Gateway, InboundRequest};
use tokio::task::JoinHandle;

/// Paths under which the receiver treats a request as a provider notification and answers
/// with the gateway's acknowledgement.
pub const NOTIFY_PATH: &str = "/notify";
/// Where the customer's browser is sent back after 3-D Secure.
pub const RETURN_PATH: &str = "/return";
/// Where the customer's browser is sent after a failed 3-D Secure, for providers with a
/// separate failure URL.
pub const FAIL_PATH: &str = "/fail";

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// The path it was sent to.
    pub path: String,
    /// The request as the adapter reads it.
    pub request: InboundRequest,
    /// What the receiver answered.
    pub answered: u16,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    gateway: OnceLock<Arc<dyn Gateway>>,
}

/// A running receiver; the server stops when it is dropped.
pub struct Receiver {
    base_url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Starts a receiver on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let app = Router::new().fallback(record).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            base_url,
            shared,
            task,
        })
    }

    /// Lets the receiver verify notifications with `gateway`, as a merchant's server does.
    pub fn verify_with(&self, gateway: Arc<dyn Gateway>) {
        let _ = self.shared.gateway.set(gateway);
    }

    /// The absolute URL of `path` on the receiver.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The receiver's `scheme://host:port`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Everything received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits up to `timeout` for a request, after the first `skip` received, whose path
    /// starts with `prefix` and that satisfies `accept`, returning the first such one.
    pub async fn wait_for(
        &self,
        prefix: &str,
        skip: usize,
        timeout: Duration,
        accept: impl Fn(&Received) -> bool,
    ) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let found = self
                .received()
                .into_iter()
                .skip(skip)
                .find(|r| r.path.starts_with(prefix) && accept(r));
            if let Some(found) = found {
                return Some(found);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn record(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = InboundRequest {
        method: method.as_str().to_owned(),
        headers: headers
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect(),
        query: uri.query().map(str::to_owned),
        body: body.to_vec(),
    };
    let path = uri.path().to_owned();
    let response = if path.starts_with(NOTIFY_PATH) {
        acknowledge(&shared, &request)
    } else {
        page()
    };
    let answered = response.status().as_u16();
    shared
        .received
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Received {
            path,
            request,
            answered,
        });
    response
}

/// What a merchant's notification endpoint answers: the adapter's acknowledgement for a
/// verified notification, 400 for one that fails verification.
fn acknowledge(shared: &Shared, request: &InboundRequest) -> Response {
    let verified = shared
        .gateway
        .get()
        .and_then(|g| g.notifications())
        .map(|n| n.verify_notification(request));
    match verified {
        Some(Ok(notification)) => match notification.acknowledgement {
            Some(ack) => {
                let status = StatusCode::from_u16(ack.status).unwrap_or(StatusCode::OK);
                (
                    status,
                    [(axum::http::header::CONTENT_TYPE, ack.content_type)],
                    ack.body,
                )
                    .into_response()
            }
            None => StatusCode::OK.into_response(),
        },
        Some(Err(_)) => (StatusCode::BAD_REQUEST, "bad signature").into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn page() -> Response {
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "text/html")],
        "<html><body>Thank you</body></html>",
    )
        .into_response()
}
