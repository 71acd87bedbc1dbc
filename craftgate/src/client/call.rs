//! One API call before it is signed, and the idempotency key it carries.

use std::fmt;

use odeme_core::{RequestKind, Result};
use serde::Serialize;

use crate::sign;

use super::CraftgateConfig;

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
        let body = odeme_core::json::to_body(body, operation)?;
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

/// Hex digits of the body's digest in a per-body key: 64 bits tell every body of an order
/// apart.
const DIGEST_DIGITS: usize = 16;

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
    let mut keyed = String::with_capacity(key.len().saturating_add(1 + DIGEST_DIGITS));
    keyed.push_str(key);
    keyed.push(':');
    sign::push_body_digest(
        &mut keyed,
        config.secret_key().expose(),
        body,
        DIGEST_DIGITS,
    );
    Some(keyed)
}
