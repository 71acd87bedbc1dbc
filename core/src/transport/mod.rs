//! The one HTTP layer every adapter uses: pooled rustls connections, connect and total
//! time-outs, a user agent, and `tracing` spans that carry no secrets.
//!
//! It never resends anything. What it does instead is classify failures: an error before
//! the request could have reached the provider is [`Error::Transport`] (safe to retry); a
//! time-out, dropped connection, 5xx or unreadable answer after a write was sent is
//! [`Error::UnknownOutcome`] (reconcile with a status query).

use std::borrow::Cow;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::payment::{Payment, PaymentStatus};
use crate::provider::ProviderId;

mod endpoints;
mod headers;

pub use endpoints::Endpoints;
use headers::header_map;

/// Time-outs and identification for the HTTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long a whole request may take, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            user_agent: format!("odeme/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// The longest provider answer read (4 MiB).
pub const MAX_ANSWER_BYTES: usize = 4 << 20;

/// Whether a request can change anything at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A lookup: failing after sending is harmless, so it is a transport error.
    Read,
    /// A write (charge, refund, store): failing after sending leaves the outcome unknown.
    Write,
}

/// An HTTP request, fully built: adapters build these with pure functions so tests can
/// snapshot exactly what goes on the wire. Its `Debug` shows header names and the body's
/// length only: bodies carry card numbers and headers carry credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The full URL.
    pub url: String,
    /// Headers in the order they are sent. Names are the adapters' constants; a value
    /// that is the same for every request (`Accept`, `Content-Type`) is borrowed, so it
    /// reaches the HTTP client without being copied.
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    /// The exact body bytes, if any.
    pub body: Option<Vec<u8>>,
    /// The operation's name, for spans and errors (`charge`, `refund`).
    pub operation: &'static str,
    /// Read or write.
    pub kind: RequestKind,
    /// The order id or payment reference an unknown outcome is reconciled with.
    pub reference: Option<String>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("operation", &self.operation)
            .field("kind", &self.kind)
            .field("reference", &self.reference)
            .finish()
    }
}

impl HttpRequest {
    /// A request without headers or body.
    pub fn new(
        method: &'static str,
        url: String,
        operation: &'static str,
        kind: RequestKind,
    ) -> Self {
        Self {
            method,
            url,
            headers: Vec::new(),
            body: None,
            operation,
            kind,
            reference: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<Cow<'static, str>>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    /// Sets the reconciliation reference.
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// The value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

/// An HTTP answer, with what is needed to classify a failure to read it. Its `Debug`
/// shows the body redacted and truncated.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The provider.
    pub provider: ProviderId,
    /// The operation it answers.
    pub operation: &'static str,
    /// Read or write.
    pub kind: RequestKind,
    /// The reconciliation reference.
    pub reference: Option<String>,
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("provider", &self.provider)
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("body", &redact_body(&self.text()))
            .finish_non_exhaustive()
    }
}

impl HttpResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Reads the body as JSON. An unreadable answer to a write is an unknown outcome: the
    /// provider may have acted on it.
    /// The value may borrow from the body (see [`crate::answer_text`]).
    pub fn json<'a, T: Deserialize<'a>>(&'a self) -> Result<T> {
        serde_json::from_slice(&self.body)
            .map_err(|e| self.unreadable(&format!("unreadable JSON ({e})")))
    }

    /// The error for an answer that cannot be read.
    pub fn unreadable(&self, reason: &str) -> Error {
        match self.kind {
            RequestKind::Write => Error::UnknownOutcome {
                provider: self.provider,
                operation: self.operation.to_owned(),
                reference: self.reference.clone(),
                reason: format!("HTTP {}: {reason}", self.status),
            },
            RequestKind::Read => self.unexpected(),
        }
    }

    /// The error for a readable answer in a form the provider does not document for this
    /// operation (`what` names the field, `value` is what the provider sent). After a write
    /// that is an [`Error::UnknownOutcome`], keeping the provider's text and the HTTP status:
    /// the provider may have acted, so only a status query can tell. After a read it is
    /// [`Error::UnexpectedResponse`].
    pub fn undocumented(&self, what: &str, value: &str) -> Error {
        match self.kind {
            RequestKind::Write => Error::UnknownOutcome {
                provider: self.provider,
                operation: self.operation.to_owned(),
                reference: self.reference.clone(),
                reason: format!(
                    "HTTP {}: undocumented {what} {:?}",
                    self.status,
                    redact_body(value)
                ),
            },
            RequestKind::Read => self.unexpected(),
        }
    }

    /// The one gate every write's payment passes: `Ok` only for a status the adapter's
    /// tables know (success, authorized, pending, requires-action, or a documented final
    /// state). A payment mapped to [`PaymentStatus::Unknown`] after a write is an
    /// [`Error::UnknownOutcome`] with the provider's status text, never an `Ok` a caller
    /// could ship goods on. Reads pass through unchanged: a status query may report
    /// `Unknown` as what the provider said.
    pub fn accept_payment(&self, payment: Payment) -> Result<Payment> {
        if self.kind == RequestKind::Write && payment.status == PaymentStatus::Unknown {
            let raw = payment.provider_status.as_deref().unwrap_or("(none)");
            return Err(self.undocumented("payment status", raw));
        }
        Ok(payment)
    }

    /// [`Error::UnexpectedResponse`] with a truncated, redacted body.
    pub fn unexpected(&self) -> Error {
        Error::UnexpectedResponse {
            provider: self.provider,
            status: self.status,
            body: redact_body(&self.text()),
        }
    }
}

/// A base URL as every adapter keeps it: surrounding whitespace and trailing slashes
/// removed, so that joining it with a path that starts with `/` gives one slash.
pub fn normalize_base_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// Cuts a body to 300 characters and masks anything that looks like a card number, by the
/// one rule of [`crate::redact::mask_card_numbers`].
pub fn redact_body(body: &str) -> String {
    let out = crate::redact::mask_card_numbers(body);
    if out.chars().count() > 300 {
        let cut: String = out.chars().take(300).collect();
        format!("{cut}…")
    } else {
        out
    }
}

/// The shared HTTP client. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    provider: ProviderId,
    endpoints: Endpoints,
}

impl HttpTransport {
    /// A client for `provider` with `config`.
    pub fn new(provider: ProviderId, config: &TransportConfig) -> Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(config.user_agent.clone())
            .use_rustls_tls()
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Configuration(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            provider,
            endpoints: Endpoints::default(),
        })
    }

    /// The same transport sending to `endpoints` without parsing their URLs again: a
    /// request whose `url` is one of them goes to its parse, any other is parsed when sent.
    pub fn with_endpoints(mut self, endpoints: Endpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// The endpoints whose URLs are kept parsed.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Where `url` goes: its parse kept among the endpoints, or parsed now.
    fn target(&self, url: &str) -> Result<url::Url> {
        match self.endpoints.get(url) {
            Some(parsed) => Ok(parsed.clone()),
            None => url::Url::parse(url)
                .map_err(|e| Error::Configuration(format!("invalid provider URL: {e}"))),
        }
    }

    /// The provider this transport talks to.
    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// Sends `request` once and returns the answer. A 5xx answer is an error: to a write
    /// [`Error::UnknownOutcome`], to a read [`Error::Transport`]; every other status is
    /// returned for the adapter to read. [`HttpTransport::send_owned`] does the same
    /// without copying the request.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse> {
        self.send_owned(request.clone()).await
    }

    /// [`HttpTransport::send`] taking the request: its body and header values go to the
    /// HTTP client as they are instead of being copied.
    pub async fn send_owned(&self, mut request: HttpRequest) -> Result<HttpResponse> {
        // Parsed once (or not at all for a known endpoint): for the span's path and for the
        // request itself.
        let url = self.target(&request.url);
        let span = self.span(&request, url.as_ref().map_or("", |u| u.path()));
        // Taken out; what errors and spans read stays in `request`.
        let headers = std::mem::take(&mut request.headers);
        let body = request.body.take();
        self.send_inner(&mut request, url, headers, body)
            .instrument(span)
            .await
    }

    fn span(&self, request: &HttpRequest, path: &str) -> tracing::Span {
        tracing::info_span!(
            "odeme.http",
            provider = %self.provider,
            operation = request.operation,
            method = %request.method,
            path = %path,
        )
    }

    /// The answer to `request` with this status and body, carrying `reference` (the
    /// request's own, moved or copied by the caller).
    fn answer(
        &self,
        request: &HttpRequest,
        reference: Option<String>,
        status: u16,
        body: Vec<u8>,
    ) -> HttpResponse {
        HttpResponse {
            provider: self.provider,
            operation: request.operation,
            kind: request.kind,
            reference,
            status,
            body,
        }
    }

    /// The answer's body, read up to [`MAX_ANSWER_BYTES`]: no provider answer comes near
    /// it, and anything between us and the provider could otherwise make the process hold
    /// an endless body in memory. A longer answer is unreadable (after a write, an unknown
    /// outcome).
    async fn bounded_body(
        &self,
        request: &HttpRequest,
        status: u16,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>> {
        let too_long = || {
            let answer = self.answer(request, request.reference.clone(), status, Vec::new());
            match request.kind {
                RequestKind::Write => answer.unreadable("the answer is longer than 4 MiB"),
                RequestKind::Read => Error::Transport {
                    provider: self.provider,
                    operation: request.operation.to_owned(),
                    reason: "the answer is longer than 4 MiB".to_owned(),
                },
            }
        };
        let announced = response.content_length().unwrap_or(0);
        if announced > MAX_ANSWER_BYTES as u64 {
            return Err(too_long());
        }
        let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.classify(request, &e))?
        {
            if body.len().saturating_add(chunk.len()) > MAX_ANSWER_BYTES {
                return Err(too_long());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    async fn send_inner(
        &self,
        request: &mut HttpRequest,
        url: Result<url::Url>,
        headers: Vec<(&'static str, Cow<'static, str>)>,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| Error::Configuration(format!("invalid HTTP method {}", request.method)))?;
        let url = url?;
        let mut outgoing = reqwest::Request::new(method, url);
        // The whole map at once, sized for the request: header by header through a
        // builder, the map grows (and moves its entries) several times per request.
        *outgoing.headers_mut() = header_map(headers)?;
        // A `Vec` becomes the client's body without a copy.
        *outgoing.body_mut() = body.map(reqwest::Body::from);
        let started = Instant::now();
        let response = self
            .client
            .execute(outgoing)
            .await
            .map_err(|e| self.classify(request, &e))?;
        let status = response.status().as_u16();
        let body = self.bounded_body(request, status, response).await?;
        tracing::debug!(
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "provider answered"
        );
        // The request is done with its reference: the answer takes it instead of a copy.
        let reference = request.reference.take();
        let answer = self.answer(request, reference, status, body);
        if (300..400).contains(&status) {
            // The transport never follows redirects: a write answered by one may have been
            // carried out by whoever sent it, and a read's answer is not there to read.
            return Err(match request.kind {
                RequestKind::Write => {
                    tracing::warn!(status, "redirect after a write: outcome unknown");
                    answer.unreadable("redirect")
                }
                RequestKind::Read => answer.unexpected(),
            });
        }
        if status >= 500 {
            // A write may have been carried out before the server failed; a read changed
            // nothing, so failing it as a transport error tells the caller to retry.
            return Err(match request.kind {
                RequestKind::Write => {
                    tracing::warn!(status, "server error after a write: outcome unknown");
                    answer.unreadable("server error")
                }
                RequestKind::Read => Error::Transport {
                    provider: self.provider,
                    operation: request.operation.to_owned(),
                    reason: format!("server error HTTP {status}"),
                },
            });
        }
        Ok(answer)
    }

    fn classify(&self, request: &HttpRequest, error: &reqwest::Error) -> Error {
        // reqwest's Display can include the URL; the URLs carry no secrets, but keep the
        // message to the error's kind to be sure nothing from a body leaks.
        let reason = describe(error);
        if error.is_builder() {
            return Error::Configuration(format!("cannot build the request: {reason}"));
        }
        let never_sent = error.is_connect();
        tracing::warn!(%reason, never_sent, "request failed");
        if never_sent || request.kind == RequestKind::Read {
            Error::Transport {
                provider: self.provider,
                operation: request.operation.to_owned(),
                reason,
            }
        } else {
            Error::UnknownOutcome {
                provider: self.provider,
                operation: request.operation.to_owned(),
                reference: request.reference.clone(),
                reason,
            }
        }
    }
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else if error.is_body() || error.is_decode() {
        "the connection broke while reading the answer".into()
    } else if error.is_request() {
        "the connection broke while sending".into()
    } else {
        "HTTP error".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalized() {
        assert_eq!(
            normalize_base_url(" http://127.0.0.1:9/ \n"),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            normalize_base_url("https://proxy.example/pay//"),
            "https://proxy.example/pay"
        );
        assert_eq!(
            normalize_base_url("https://www.paytr.com"),
            "https://www.paytr.com"
        );
    }

    #[test]
    fn redacts_pans_and_truncates() {
        let body = "{\"number\":\"4508034508034509\",\"amount\":\"100\"}";
        let out = redact_body(body);
        assert!(!out.contains("4508034508034509"));
        assert!(out.contains("\"amount\":\"100\""));
        assert!(redact_body(&"x".repeat(1000)).chars().count() <= 301);
        let grouped = redact_body(r#"{"pan":"4508 0345 0803 4509","d":"4508-0345-0803-4509"}"#);
        assert_eq!(grouped, r#"{"pan":"[REDACTED]","d":"[REDACTED]"}"#);
        assert_eq!(
            redact_body("on 2026-11-24 at 10 - 12"),
            "on 2026-11-24 at 10 - 12"
        );
        assert_eq!(
            redact_body("card 4508034508034509 declined"),
            "card [REDACTED] declined"
        );
    }

    #[tokio::test]
    async fn connect_failure_is_safe_to_retry_even_for_writes() {
        // Bind then drop a listener so the port is closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let t = HttpTransport::new(ProviderId::Paytr, &TransportConfig::default()).unwrap();
        let req = HttpRequest::new(
            "POST",
            format!("http://127.0.0.1:{port}/odeme"),
            "charge",
            RequestKind::Write,
        );
        let err = t.send(&req).await.unwrap_err();
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert!(err.is_safe_to_retry());
    }

    #[tokio::test]
    async fn timeout_after_sending_a_write_is_unknown_outcome() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let config = TransportConfig {
            timeout: Duration::from_millis(300),
            ..TransportConfig::default()
        };
        let t = HttpTransport::new(ProviderId::Craftgate, &config).unwrap();
        let write = HttpRequest::new(
            "POST",
            format!("http://127.0.0.1:{port}/x"),
            "charge",
            RequestKind::Write,
        )
        .reference("order1");
        let err = t.send(&write).await.unwrap_err();
        match &err {
            Error::UnknownOutcome { reference, .. } => {
                assert_eq!(reference.as_deref(), Some("order1"))
            }
            other => panic!("expected unknown outcome, got {other:?}"),
        }
        server.abort();
    }

    /// A server that answers every connection with `answer` after reading the request.
    async fn canned(answer: &'static str) -> (u16, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        (port, server)
    }

    #[tokio::test]
    async fn an_endless_answer_is_cut_at_the_bound() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = socket.read(&mut buf).await;
                    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    let chunk = format!("{:x}\r\n{}\r\n", 65536, "[".repeat(65536));
                    // Endless, were the client not to stop: 64 MiB at most here.
                    for _ in 0..1024 {
                        if socket.write_all(chunk.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        let t = HttpTransport::new(ProviderId::Craftgate, &TransportConfig::default()).unwrap();
        let url = format!("http://127.0.0.1:{port}/charge");
        let write = HttpRequest::new("POST", url.clone(), "charge", RequestKind::Write);
        match t.send(&write).await.unwrap_err() {
            Error::UnknownOutcome { reason, .. } => assert!(reason.contains("4 MiB"), "{reason}"),
            other => panic!("expected unknown outcome, got {other:?}"),
        }
        let read = HttpRequest::new("GET", url, "status", RequestKind::Read);
        assert!(matches!(
            t.send(&read).await.unwrap_err(),
            Error::Transport { .. }
        ));
        server.abort();
    }

    #[tokio::test]
    async fn a_redirect_after_a_write_is_unknown_outcome_and_is_not_followed() {
        let (port, server) = canned(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await;
        let t = HttpTransport::new(ProviderId::Paytrek, &TransportConfig::default()).unwrap();
        let url = format!("http://127.0.0.1:{port}/charge");
        let write =
            HttpRequest::new("POST", url.clone(), "charge", RequestKind::Write).reference("order7");
        match t.send(&write).await.unwrap_err() {
            Error::UnknownOutcome {
                reference, reason, ..
            } => {
                assert_eq!(reference.as_deref(), Some("order7"));
                assert!(reason.contains("HTTP 302"), "{reason}");
            }
            other => panic!("expected unknown outcome, got {other:?}"),
        }
        let read = HttpRequest::new("GET", url, "status", RequestKind::Read);
        assert!(matches!(
            t.send(&read).await.unwrap_err(),
            Error::UnexpectedResponse { status: 302, .. }
        ));
        server.abort();
    }

    fn answer(kind: RequestKind, status: PaymentStatus) -> (HttpResponse, Payment) {
        let response = HttpResponse {
            provider: ProviderId::Paytr,
            operation: "charge",
            kind,
            reference: Some("order9".into()),
            status: 200,
            body: br#"{"status":"under_review"}"#.to_vec(),
        };
        let mut payment = Payment::new(
            ProviderId::Paytr,
            "order9",
            "order9",
            status,
            crate::Money::new(rust_decimal::Decimal::new(10000, 2), crate::Currency::TRY).unwrap(),
        );
        payment.provider_status = Some("under_review".into());
        (response, payment)
    }

    #[test]
    fn a_written_payment_with_an_unknown_status_is_an_unknown_outcome() {
        let (response, payment) = answer(RequestKind::Write, PaymentStatus::Unknown);
        match response.accept_payment(payment).unwrap_err() {
            Error::UnknownOutcome {
                reference, reason, ..
            } => {
                assert_eq!(reference.as_deref(), Some("order9"));
                assert!(reason.contains("under_review") && reason.contains("HTTP 200"));
            }
            other => panic!("expected unknown outcome, got {other:?}"),
        }
        let (response, payment) = answer(RequestKind::Write, PaymentStatus::Succeeded);
        assert!(response.accept_payment(payment).is_ok());
        // A read reports what the provider said.
        let (response, payment) = answer(RequestKind::Read, PaymentStatus::Unknown);
        assert_eq!(
            response.accept_payment(payment).unwrap().status,
            PaymentStatus::Unknown
        );
    }
}
