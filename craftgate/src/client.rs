//! Configuration, environments, and the signed HTTP calls to Craftgate.

// Attempt counters name idempotency keys; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use odeme_core::{
    Error, HttpRequest, HttpResponse, HttpTransport, ProviderId, RejectionKind, RequestKind,
    Result, Secret, TransportConfig,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::errors::{self, ErrorContext};
use crate::sign;
use crate::wire::Envelope;

/// The `x-auth-version` this adapter sends (Java, PHP, Python and .NET send `v1`).
const AUTH_VERSION: &str = "v1";

/// The header Craftgate's webhooks carry their signature in by default. The official
/// clients and documents do not name it; this is the name the odeme simulator uses, and
/// [`CraftgateConfig::with_webhook_signature_header`] changes it.
pub const DEFAULT_WEBHOOK_SIGNATURE_HEADER: &str = "x-cg-signature-v1";

/// Craftgate's hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `https://sandbox-api.craftgate.io`, the default so that nothing reaches production
    /// by accident.
    #[default]
    Sandbox,
    /// `https://api.craftgate.io`.
    Production,
}

impl Environment {
    /// The environment's base URL (no trailing slash).
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sandbox => "https://sandbox-api.craftgate.io",
            Environment::Production => "https://api.craftgate.io",
        }
    }
}

/// Everything the Craftgate gateway needs: credentials, where to connect and how.
///
/// `Debug` shows the API key (an identifier, not a secret) but never the secret key, the
/// 3-D Secure callback key or the webhook key.
#[derive(Clone)]
pub struct CraftgateConfig {
    api_key: String,
    secret_key: Secret,
    three_ds_callback_key: Option<Secret>,
    webhook_key: Option<Secret>,
    environment: Environment,
    base_url: Option<String>,
    language: Option<String>,
    transport: TransportConfig,
    webhook_signature_header: String,
}

impl fmt::Debug for CraftgateConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CraftgateConfig")
            .field("api_key", &self.api_key)
            .field("secret_key", &self.secret_key)
            .field(
                "three_ds_callback_key",
                &self.three_ds_callback_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "webhook_key",
                &self.webhook_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("language", &self.language)
            .field("transport", &self.transport)
            .field("webhook_signature_header", &self.webhook_signature_header)
            .finish()
    }
}

impl CraftgateConfig {
    /// A configuration with the merchant's API key and secret key, for the sandbox.
    pub fn new(api_key: &str, secret_key: &str) -> Self {
        Self {
            api_key: api_key.trim().to_owned(),
            secret_key: Secret::new(secret_key.trim()),
            three_ds_callback_key: None,
            webhook_key: None,
            environment: Environment::Sandbox,
            base_url: None,
            language: None,
            transport: TransportConfig::default(),
            webhook_signature_header: DEFAULT_WEBHOOK_SIGNATURE_HEADER.to_owned(),
        }
    }

    /// Connects to `url` instead of the environment's host (a simulator, a proxy).
    pub fn with_base_url(mut self, url: &str) -> Self {
        self.base_url = Some(odeme_core::transport::normalize_base_url(url));
        self
    }

    /// Chooses sandbox or production; an explicit base URL still wins.
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Time-outs and user agent of the HTTP client.
    pub fn with_transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// The merchant's 3-D Secure callback key, which verifies the browser's callback.
    pub fn with_three_ds_callback_key(mut self, key: &str) -> Self {
        self.three_ds_callback_key = Some(Secret::new(key.trim()));
        self
    }

    /// The merchant's webhook key, which verifies webhook signatures.
    pub fn with_webhook_key(mut self, key: &str) -> Self {
        self.webhook_key = Some(Secret::new(key.trim()));
        self
    }

    /// The language of Craftgate's messages (`lang` header: `tr` or `en`).
    pub fn with_language(mut self, language: &str) -> Self {
        self.language = Some(language.trim().to_ascii_lowercase());
        self
    }

    /// The header webhooks carry their signature in (default
    /// [`DEFAULT_WEBHOOK_SIGNATURE_HEADER`]).
    pub fn with_webhook_signature_header(mut self, name: &str) -> Self {
        self.webhook_signature_header = name.trim().to_owned();
        self
    }

    /// The API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The base URL requests go to: the explicit one, else the environment's.
    pub fn base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .unwrap_or(self.environment.base_url())
    }

    pub(crate) fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    pub(crate) fn three_ds_callback_key(&self) -> Option<&Secret> {
        self.three_ds_callback_key.as_ref()
    }

    pub(crate) fn webhook_key(&self) -> Option<&Secret> {
        self.webhook_key.as_ref()
    }

    pub(crate) fn webhook_signature_header(&self) -> &str {
        &self.webhook_signature_header
    }

    pub(crate) fn transport(&self) -> &TransportConfig {
        &self.transport
    }

    /// Checks the configuration before any request is built.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.api_key.is_empty() {
            return Err(Error::Configuration(
                "the Craftgate API key is empty".into(),
            ));
        }
        if self.secret_key.is_empty() {
            return Err(Error::Configuration(
                "the Craftgate secret key is empty".into(),
            ));
        }
        let url = url::Url::parse(self.base_url()).map_err(|_| {
            Error::Configuration("the Craftgate base URL is not a valid URL".into())
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::Configuration(
                "the Craftgate base URL must be an absolute http(s) URL".into(),
            ));
        }
        if self.webhook_signature_header.is_empty() {
            return Err(Error::Configuration(
                "the webhook signature header name is empty".into(),
            ));
        }
        Ok(())
    }
}

/// One API call before it is signed: what the capability modules build.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Call {
    pub(crate) method: &'static str,
    /// The path with its query string, already percent-encoded (`/a/b?x=1`).
    pub(crate) path: String,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) operation: &'static str,
    pub(crate) kind: RequestKind,
    pub(crate) reference: Option<String>,
    pub(crate) idempotency_key: Option<String>,
    /// Whether the key is completed with a digest of the body (see [`idempotency_key`]).
    pub(crate) key_per_body: bool,
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body can hold a card number and CVC: only its size is shown.
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("operation", &self.operation)
            .field("reference", &self.reference)
            .finish_non_exhaustive()
    }
}

impl Call {
    /// A read without a body.
    pub(crate) fn get(path: String, operation: &'static str) -> Self {
        Self {
            method: "GET",
            path,
            body: None,
            operation,
            kind: RequestKind::Read,
            reference: None,
            idempotency_key: None,
            key_per_body: false,
        }
    }

    /// A money-moving (or state-changing) POST with a JSON body, reconciled by `reference`
    /// and made repeatable by `idempotency_key`.
    pub(crate) fn write<T: Serialize>(
        path: String,
        body: &T,
        operation: &'static str,
        reference: &str,
        idempotency_key: String,
    ) -> Result<Self> {
        let body = serde_json::to_vec(body).map_err(|e| {
            Error::Configuration(format!("cannot encode the {operation} request: {e}"))
        })?;
        Ok(Self {
            method: "POST",
            path,
            body: Some(body),
            operation,
            kind: RequestKind::Write,
            reference: Some(reference.to_owned()),
            idempotency_key: Some(idempotency_key),
            key_per_body: false,
        })
    }

    /// Completes the idempotency key with a digest of the body, for keys derived from an
    /// order id rather than given by the caller.
    pub(crate) fn keyed_per_body(mut self) -> Self {
        self.key_per_body = true;
        self
    }
}

/// The `x-idempotency-key` of `call`.
///
/// A key derived from the order id alone would make every later attempt for the order
/// replay the first answer, so retrying a declined order with another card could never
/// work. Such keys get a digest of the exact body: an identical retry carries the identical
/// key, a changed request gets a new one. The digest is an HMAC under the secret key, so
/// the header reveals nothing about the card data in the body.
pub(crate) fn idempotency_key(config: &CraftgateConfig, call: &Call) -> Option<String> {
    let key = call.idempotency_key.as_deref()?;
    if !call.key_per_body {
        return Some(key.to_owned());
    }
    let body = call.body.as_deref().unwrap_or_default();
    let digest = sign::body_digest(config.secret_key().expose(), body);
    Some(format!("{key}:{}", digest.get(..16).unwrap_or(&digest)))
}

/// Makes the per-request random key (`x-rnd-key`).
pub(crate) type RandomKey = Arc<dyn Fn() -> String + Send + Sync>;

/// The configured, connected client every capability goes through.
#[derive(Clone)]
pub(crate) struct Client {
    pub(crate) config: Arc<CraftgateConfig>,
    transport: HttpTransport,
    random_key: RandomKey,
    attempts: Arc<Attempts>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`, which is checked first.
    pub(crate) fn new(config: CraftgateConfig) -> Result<Self> {
        config.validate()?;
        let transport = HttpTransport::new(ProviderId::Craftgate, config.transport())?;
        Ok(Self {
            config: Arc::new(config),
            transport,
            random_key: Arc::new(|| uuid::Uuid::new_v4().to_string()),
            attempts: Arc::new(Attempts::default()),
        })
    }

    /// A fresh random string (for a request that has no stable key of the caller's).
    pub(crate) fn fresh_key(&self) -> String {
        (self.random_key)()
    }

    /// Signs and sends `call` once, as the current attempt of its idempotency key.
    pub(crate) async fn send(&self, call: &Call) -> Result<HttpResponse> {
        self.send_attempt(call).await.map(|(response, _)| response)
    }

    /// Sends `call` once and says which attempt of its idempotency key it was.
    async fn send_attempt(&self, call: &Call) -> Result<(HttpResponse, u32)> {
        let random_key = (self.random_key)();
        let attempt = idempotency_key(&self.config, call)
            .map(|key| self.attempts.current(&key))
            .unwrap_or(0);
        let request = build_attempt(&self.config, call, &random_key, attempt);
        Ok((self.transport.send(&request).await?, attempt))
    }

    /// Sends `call` and reads the `data` of a successful answer; an error envelope becomes
    /// the matching neutral error.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        call: &Call,
        context: &ErrorContext,
    ) -> Result<(T, HttpResponse)> {
        self.exchange(call, context, |data, response| Ok((data, response.clone())))
            .await
    }

    /// Sends `call`, reads the `data` of a successful answer and gives it to `finish`
    /// (which may still find a decline in it). When the outcome is a definitive refusal
    /// (anything but an unknown outcome, once an answer came back), the call's idempotency
    /// key is marked refused, so that the next attempt is a new request (see [`Attempts`]).
    pub(crate) async fn exchange<T: DeserializeOwned, R>(
        &self,
        call: &Call,
        context: &ErrorContext,
        finish: impl FnOnce(T, &HttpResponse) -> Result<R>,
    ) -> Result<R> {
        let (response, attempt) = self.send_attempt(call).await?;
        let result = read_data(&response, context).and_then(|data| finish(data, &response));
        if let Err(error) = &result {
            if moves_key_on(error) {
                if let Some(key) = idempotency_key(&self.config, call) {
                    self.attempts.refused(&key, attempt);
                }
            }
        }
        result
    }
}

/// Whether an error answered to an attempt proves that attempt took no effect, so the next
/// attempt may carry a new key. An unknown outcome proves nothing; neither does a
/// duplicate refusal (a key reused with another body, a conflict): it says the key was used
/// before, maybe by a request that went through, and moving on could make it twice.
fn moves_key_on(error: &Error) -> bool {
    !error.is_unknown_outcome()
        && !matches!(
            error,
            Error::Provider {
                kind: RejectionKind::Duplicate,
                ..
            }
        )
}

/// The signed request for `call`, first attempt: a pure function of the configuration and
/// its inputs, which the snapshots pin.
#[cfg(test)]
pub(crate) fn build_request(
    config: &CraftgateConfig,
    call: &Call,
    random_key: &str,
) -> HttpRequest {
    build_attempt(config, call, random_key, 0)
}

/// The `x-idempotency-key` of attempt `attempt` (from 0) of `call`: the key itself for the
/// first attempt, then `{key}:{attempt + 1}`.
pub(crate) fn attempt_key(config: &CraftgateConfig, call: &Call, attempt: u32) -> Option<String> {
    let key = idempotency_key(config, call)?;
    Some(if attempt == 0 {
        key
    } else {
        // A key refused four billion times stays on its last number instead of wrapping
        // back to the first attempt's key.
        format!("{key}:{}", attempt.saturating_add(1))
    })
}

/// The signed request for attempt `attempt` of `call` (see [`Attempts`]).
pub(crate) fn build_attempt(
    config: &CraftgateConfig,
    call: &Call,
    random_key: &str,
    attempt: u32,
) -> HttpRequest {
    let url = format!("{}{}", config.base_url(), call.path);
    let signature = sign::request_signature(
        &url,
        config.api_key(),
        config.secret_key().expose(),
        random_key,
        call.body.as_deref(),
    );
    let mut request = HttpRequest::new(call.method, url, call.operation, call.kind)
        .header("x-api-key", config.api_key())
        .header("x-rnd-key", random_key)
        .header("x-auth-version", AUTH_VERSION)
        .header("x-signature", signature)
        .header("accept", "application/json");
    if call.body.is_some() {
        request = request.header("content-type", "application/json");
    }
    if let Some(language) = &config.language {
        request = request.header("lang", language.as_str());
    }
    if let Some(key) = attempt_key(config, call, attempt) {
        request = request.header("x-idempotency-key", key);
    }
    if let Some(reference) = &call.reference {
        request = request.reference(reference.as_str());
    }
    if let Some(body) = &call.body {
        request = request.body(body.clone());
    }
    request
}

/// How many times each idempotency key got a definitive refusal in this process.
///
/// Craftgate replays the first answer to a key, declines included, so a key that was
/// refused (a soft decline, a 4xx) would refuse every later attempt without the request
/// reaching the bank. Once a key is refused, the next attempt carries `{key}:2`, then
/// `{key}:3`; a key whose outcome is unknown is kept, so that a retry after a time-out is
/// the same request and Craftgate answers it once. The record lives in this process only:
/// across processes, a caller retrying after a refusal passes a new
/// [`odeme_core::ChargeRequest::idempotency_key`] (or refund reference) per attempt.
#[derive(Debug, Default)]
pub(crate) struct Attempts {
    refused: Mutex<HashMap<String, u32>>,
}

/// Beyond this many refused keys the record starts afresh: forgetting a refusal only makes
/// a later retry replay it, never repeat a payment.
const MAX_REFUSED_KEYS: usize = 100_000;

impl Attempts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        // Only plain inserts happen under the lock, so a poisoned map is still consistent.
        self.refused.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The attempt number (from 0) the next request with base key `key` carries.
    pub(crate) fn current(&self, key: &str) -> u32 {
        self.lock().get(key).copied().unwrap_or(0)
    }

    /// Records that attempt `attempt` of `key` was refused definitively. A late refusal of
    /// an attempt that was already moved past changes nothing: moving on twice would skip
    /// the attempt in flight, whose retry must carry its own key.
    pub(crate) fn refused(&self, key: &str, attempt: u32) {
        let mut map = self.lock();
        if map.len() >= MAX_REFUSED_KEYS && !map.contains_key(key) {
            map.clear();
        }
        let current = map.entry(key.to_owned()).or_insert(0);
        if *current == attempt {
            *current = current.saturating_add(1);
        }
    }
}

/// The `data` of a 2xx answer, or the error an error answer stands for.
pub(crate) fn read_data<T: DeserializeOwned>(
    response: &HttpResponse,
    context: &ErrorContext,
) -> Result<T> {
    if !response.is_success() {
        return Err(errors::from_response(response, context));
    }
    let envelope: Envelope<T> = response.json()?;
    if let Some(errors) = envelope.errors {
        return Err(errors::from_body(response, &errors, context));
    }
    envelope
        .data
        .ok_or_else(|| response.unreadable("the answer has no `data`"))
}

/// A path segment made safe for a URL (ids and BINs are digits, but callers pass strings).
pub(crate) fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A query string from pairs, with spaces as `%20` as the official clients write them.
pub(crate) fn query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", segment(k), segment(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_and_base_url_override() {
        let c = CraftgateConfig::new("k", "s");
        assert_eq!(c.base_url(), "https://sandbox-api.craftgate.io");
        let c = c.with_environment(Environment::Production);
        assert_eq!(c.base_url(), "https://api.craftgate.io");
        let c = c.with_base_url("http://127.0.0.1:9999/");
        assert_eq!(c.base_url(), "http://127.0.0.1:9999");
        assert!(c.validate().is_ok());
    }

    #[test]
    fn invalid_configuration_is_refused() {
        assert!(matches!(
            CraftgateConfig::new("", "s").validate(),
            Err(Error::Configuration(_))
        ));
        assert!(matches!(
            CraftgateConfig::new("k", " ").validate(),
            Err(Error::Configuration(_))
        ));
        assert!(matches!(
            CraftgateConfig::new("k", "s")
                .with_base_url("not a url")
                .validate(),
            Err(Error::Configuration(_))
        ));
        assert!(matches!(
            CraftgateConfig::new("k", "s")
                .with_base_url("ftp://x")
                .validate(),
            Err(Error::Configuration(_))
        ));
    }

    #[test]
    fn debug_hides_every_key() {
        let c = CraftgateConfig::new("api-key-1", "secret-key-1")
            .with_three_ds_callback_key("callback-key-1")
            .with_webhook_key("webhook-key-1");
        let shown = format!("{c:?}");
        assert!(shown.contains("api-key-1"));
        for secret in ["secret-key-1", "callback-key-1", "webhook-key-1"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn signed_request_matches_the_official_algorithm() {
        let config =
            CraftgateConfig::new("api-key", "secret-key").with_base_url("http://localhost:8000");
        let call = Call {
            method: "POST",
            path: "/payment/v1/cards".into(),
            body: Some(br#"{"cardUserKey":"de050909-39a9-473c-a81a-f186dd55cfef"}"#.to_vec()),
            operation: "store_card",
            kind: RequestKind::Write,
            reference: Some("r".into()),
            idempotency_key: Some("idem-1".into()),
            key_per_body: false,
        };
        let request = build_request(&config, &call, "1234");
        // Vector #10 of the notes: the idempotency key is not part of the signature.
        assert_eq!(
            request.header_value("x-signature"),
            Some("kQm62AfjXCw6rS6QBCLXta9tV1GqD/SXsAlYP+cEhG8=")
        );
        assert_eq!(request.header_value("x-idempotency-key"), Some("idem-1"));
        assert_eq!(request.header_value("x-auth-version"), Some("v1"));
        assert_eq!(request.reference.as_deref(), Some("r"));
        let get = Call::get("/installment/v1/installments".into(), "installments");
        let request = build_request(&config, &get, "1234");
        assert_eq!(
            request.header_value("x-signature"),
            Some("uK7LkWOEzVH+Px/YOiMuSXvPkHLR4KoA7PuykXcYovQ=")
        );
        assert_eq!(request.header_value("content-type"), None);
        assert!(request.body.is_none());
    }

    #[test]
    fn per_body_keys_follow_the_body_and_the_secret() {
        let config = CraftgateConfig::new("api-key", "secret-key");
        let call = |body: &str| {
            Call::write("/x".into(), &body, "charge", "o", "odeme-o:x".into()).unwrap()
        };
        let exact = call("a");
        assert_eq!(
            idempotency_key(&config, &exact).as_deref(),
            Some("odeme-o:x")
        );
        let a = idempotency_key(&config, &call("a").keyed_per_body()).unwrap();
        assert!(
            a.starts_with("odeme-o:x:") && a.len() == "odeme-o:x:".len() + 16,
            "{a}"
        );
        assert_eq!(
            idempotency_key(&config, &call("a").keyed_per_body()).unwrap(),
            a
        );
        assert_ne!(
            idempotency_key(&config, &call("b").keyed_per_body()).unwrap(),
            a
        );
        let other_secret = CraftgateConfig::new("api-key", "other-secret");
        assert_ne!(
            idempotency_key(&other_secret, &call("a").keyed_per_body()).unwrap(),
            a
        );
    }

    #[test]
    fn a_refused_key_moves_on_and_an_unknown_one_stays() {
        let config = CraftgateConfig::new("api-key", "secret-key");
        let call = Call::write("/x".into(), &"a", "charge", "o", "odeme-o:x".into()).unwrap();
        let attempts = Attempts::default();
        let key = idempotency_key(&config, &call).unwrap();
        assert_eq!(attempts.current(&key), 0);
        assert_eq!(
            attempt_key(&config, &call, attempts.current(&key)).as_deref(),
            Some("odeme-o:x")
        );
        attempts.refused(&key, 0);
        assert_eq!(
            attempt_key(&config, &call, attempts.current(&key)).as_deref(),
            Some("odeme-o:x:2")
        );
        // A late refusal of attempt 0 (a replay arriving after attempt 1 went out) must not
        // skip attempt 1, whose outcome may still be unknown.
        attempts.refused(&key, 0);
        assert_eq!(attempts.current(&key), 1);
        attempts.refused(&key, 1);
        let request = build_attempt(&config, &call, "r", attempts.current(&key));
        assert_eq!(
            request.header_value("x-idempotency-key"),
            Some("odeme-o:x:3")
        );
        // Other keys are untouched.
        assert_eq!(attempts.current("odeme-p:x"), 0);
    }

    #[test]
    fn only_answers_that_prove_no_effect_move_a_key_on() {
        let duplicate = Error::Provider {
            provider: ProviderId::Craftgate,
            kind: RejectionKind::Duplicate,
            code: Some("1007".into()),
            message: "idempotency key reused with another request".into(),
            http_status: Some(422),
        };
        assert!(
            !moves_key_on(&duplicate),
            "the key's first use may have gone through"
        );
        let unknown = Error::UnknownOutcome {
            provider: ProviderId::Craftgate,
            operation: "charge".into(),
            reference: None,
            reason: "timed out".into(),
        };
        assert!(!moves_key_on(&unknown));
        let decline = Error::declined(odeme_core::Decline::new(
            ProviderId::Craftgate,
            odeme_core::DeclineReason::InsufficientFunds,
        ));
        assert!(moves_key_on(&decline));
        assert!(moves_key_on(&Error::invalid("card.number", "bad")));
    }

    /// A one-route server that answers each request with the next of `statuses` (a
    /// Craftgate error envelope) and records the `x-idempotency-key` of each.
    async fn refusing_server(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let keys = Arc::new(Mutex::new(Vec::new()));
        let seen = keys.clone();
        tokio::spawn(async move {
            for status in statuses {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 16 * 1024];
                let mut len = 0;
                loop {
                    let n = socket.read(&mut buf[len..]).await.unwrap();
                    len = len.saturating_add(n);
                    let text = String::from_utf8_lossy(&buf[..len]).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let head = text[..end].to_ascii_lowercase();
                        let body_len: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map(|v| v.trim().parse().unwrap())
                            .unwrap_or(0);
                        if len >= end.saturating_add(4).saturating_add(body_len) || n == 0 {
                            let key = head
                                .lines()
                                .find_map(|l| l.strip_prefix("x-idempotency-key:"))
                                .map(|v| v.trim().to_owned())
                                .unwrap_or_default();
                            seen.lock().unwrap().push(key);
                            break;
                        }
                    }
                }
                let body = r#"{"errors":{"errorCode":"5101","errorDescription":"refused"}}"#;
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(answer.as_bytes()).await.unwrap();
            }
        });
        (base, keys)
    }

    #[tokio::test]
    async fn refused_post_auth_and_whole_refund_keys_move_on_unknown_ones_stay() {
        // 422 (refused), 500 (unknown), then more refusals.
        let (base, keys) = refusing_server(vec![422, 500, 422, 422, 422]).await;
        let client =
            Client::new(CraftgateConfig::new("api-key", "secret-key").with_base_url(&base))
                .unwrap();
        let context = ErrorContext::payment("7", true);
        let capture = crate::charge::post_auth_call(
            7,
            &odeme_core::Money::new(rust_decimal::Decimal::ONE, odeme_core::Currency::TRY).unwrap(),
        )
        .unwrap();
        let refused = client
            .call::<serde_json::Value>(&capture, &context)
            .await
            .unwrap_err();
        assert!(!refused.is_unknown_outcome(), "{refused:?}");
        let unknown = client
            .call::<serde_json::Value>(&capture, &context)
            .await
            .unwrap_err();
        assert!(unknown.is_unknown_outcome(), "{unknown:?}");
        client
            .call::<serde_json::Value>(&capture, &context)
            .await
            .unwrap_err();
        let whole = crate::refund::whole_call(7, None).unwrap();
        for _ in 0..2 {
            client
                .call::<serde_json::Value>(&whole, &context)
                .await
                .unwrap_err();
        }
        assert_eq!(
            *keys.lock().unwrap(),
            [
                "post-auth:7",
                // After the refusal: a new key; after the unknown outcome: the same one.
                "post-auth:7:2",
                "post-auth:7:2",
                "refund:7:whole",
                "refund:7:whole:2"
            ]
        );
    }

    #[test]
    fn query_strings_use_percent_twenty() {
        assert_eq!(
            query(&[("name", "Zeytinyağı Üretim".into()), ("a", "b&c".into())]),
            "name=Zeytinya%C4%9F%C4%B1%20%C3%9Cretim&a=b%26c"
        );
        let config =
            CraftgateConfig::new("api-key", "secret-key").with_base_url("http://localhost:8000");
        let call = Call::get(
            format!(
                "/onboarding/v1/members?{}",
                query(&[("name", "Zeytinyağı Üretim".into())])
            ),
            "x",
        );
        // Vector #11 of the notes: the decoded UTF-8 URL is what is signed.
        assert_eq!(
            build_request(&config, &call, "1234").header_value("x-signature"),
            Some("vxYA+5LH3F4m8tHQA2LpVBwzVgCqGRHue4XAgcVjjYQ=")
        );
    }
}
