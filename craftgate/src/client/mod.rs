//! The signed HTTP calls to Craftgate: the client every capability goes through, its
//! attempts and idempotency keys, and reading Craftgate's envelope. The configuration and
//! the unsigned call live in [`config`] and [`call`].

// Attempt counters name idempotency keys; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use odeme_core::{
    Endpoints, Error, HttpRequest, HttpResponse, HttpTransport, ProviderId, RejectionKind, Result,
};
use serde::de::DeserializeOwned;

use crate::errors::{self, ErrorContext};
use crate::sign;
use crate::wire::Envelope;

mod call;
mod config;

pub(crate) use call::{idempotency_key, Call};
pub use config::{CraftgateConfig, Environment, DEFAULT_WEBHOOK_SIGNATURE_HEADER};

/// The `x-auth-version` this adapter sends (Java, PHP, Python and .NET send `v1`).
const AUTH_VERSION: &str = "v1";

/// Makes the per-request random key (`x-rnd-key`).
pub(crate) type RandomKey = Arc<dyn Fn() -> String + Send + Sync>;

/// The fixed paths of payments and refunds, kept parsed by the transport.
const FIXED_PATHS: [&str; 5] = [
    "/payment/v1/card-payments",
    "/payment/v1/card-payments/3ds-init",
    "/payment/v1/card-payments/3ds-complete",
    "/payment/v1/refunds",
    "/payment/v1/refund-transactions",
];

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
        // The fixed endpoints' URLs parsed once, not on each request.
        let transport = HttpTransport::new(ProviderId::Craftgate, config.transport())?
            .with_endpoints(Endpoints::new(config.base_url(), &FIXED_PATHS));
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
    async fn send_attempt(&self, call: &Call) -> Result<(HttpResponse, Attempt)> {
        let random_key = (self.random_key)();
        // Computed once per send: a key made per body is an HMAC over the whole body.
        let key = idempotency_key(&self.config, call);
        let number = key.as_deref().map_or(0, |key| self.attempts.current(key));
        let attempt = Attempt { key, number };
        let request = build_keyed(&self.config, call, random_key, &attempt);
        Ok((self.transport.send_owned(request).await?, attempt))
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
                if let Some(key) = &attempt.key {
                    self.attempts.refused(key, attempt.number);
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
#[cfg(test)]
pub(crate) fn attempt_key(config: &CraftgateConfig, call: &Call, attempt: u32) -> Option<String> {
    Some(numbered_key(&idempotency_key(config, call)?, attempt))
}

fn numbered_key(key: &str, attempt: u32) -> String {
    if attempt == 0 {
        key.to_owned()
    } else {
        // A key refused four billion times stays on its last number instead of wrapping
        // back to the first attempt's key.
        format!("{key}:{}", attempt.saturating_add(1))
    }
}

/// Which attempt of its idempotency key a send is: the call's key (see
/// [`idempotency_key`]) and the attempt's number from 0.
pub(crate) struct Attempt {
    key: Option<String>,
    number: u32,
}

/// The signed request for attempt `attempt` of `call` (see [`Attempts`]).
pub(crate) fn build_attempt(
    config: &CraftgateConfig,
    call: &Call,
    random_key: &str,
    attempt: u32,
) -> HttpRequest {
    let key = idempotency_key(config, call);
    let attempt = Attempt {
        key,
        number: attempt,
    };
    build_keyed(config, call, random_key.to_owned(), &attempt)
}

/// [`build_attempt`] with the call's key already computed.
fn build_keyed(
    config: &CraftgateConfig,
    call: &Call,
    random_key: String,
    attempt: &Attempt,
) -> HttpRequest {
    let url = format!("{}{}", config.base_url(), call.path);
    let signature = sign::request_signature(
        &url,
        config.api_key(),
        config.secret_key().expose(),
        &random_key,
        call.body.as_deref(),
    );
    let mut request = HttpRequest::new(call.method, url, call.operation, call.kind)
        .header("x-api-key", config.api_key().to_owned())
        .header("x-rnd-key", random_key)
        .header("x-auth-version", AUTH_VERSION)
        .header("x-signature", signature)
        .header("accept", "application/json");
    if call.body.is_some() {
        request = request.header("content-type", "application/json");
    }
    if let Some(language) = &config.language {
        request = request.header("lang", language.clone());
    }
    if let Some(key) = &attempt.key {
        request = request.header("x-idempotency-key", numbered_key(key, attempt.number));
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
mod tests;
