//! Inbound calls from a provider or the customer's browser: payment notifications, 3-D
//! Secure callbacks and webhooks, verified from the raw request.

use std::fmt;

use serde::Serialize;

use crate::error::Decline;
use crate::money::Money;
use crate::payment::{PaymentStatus, StoredCardRef};
use crate::provider::ProviderId;

/// The raw parts of an HTTP request the merchant's server received.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct InboundRequest {
    /// The HTTP method (`POST`).
    pub method: String,
    /// Header names and values; names compare case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The raw query string without the `?`.
    pub query: Option<String>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl fmt::Debug for InboundRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies can carry hashes and tokens; only their size is shown.
        f.debug_struct("InboundRequest")
            .field("method", &self.method)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("query_len", &self.query.as_ref().map(String::len))
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl InboundRequest {
    /// A POST with a form-encoded or JSON body.
    pub fn post(body: impl Into<Vec<u8>>) -> Self {
        Self {
            method: "POST".into(),
            body: body.into(),
            ..Self::default()
        }
    }

    /// A GET with a query string.
    pub fn get(query: &str) -> Self {
        Self {
            method: "GET".into(),
            query: Some(query.trim_start_matches('?').to_owned()),
            ..Self::default()
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The query string's decoded pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The body's decoded pairs, read as `application/x-www-form-urlencoded`.
    pub fn form_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// The value of `name` in the form body, else in the query.
    pub fn param(&self, name: &str) -> Option<String> {
        self.form_pairs()
            .into_iter()
            .chain(self.query_pairs())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// What a notification is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotificationKind {
    /// A server-to-server payment result (PayTR's notification).
    PaymentResult,
    /// The customer's browser returning from 3-D Secure.
    ThreeDsCallback,
    /// A provider webhook event (Craftgate).
    Webhook,
}

/// What the merchant's server must answer to the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acknowledgement {
    /// The HTTP status.
    pub status: u16,
    /// The content type.
    pub content_type: String,
    /// The exact body (PayTR requires `OK`).
    pub body: String,
}

impl Acknowledgement {
    /// A `200 text/plain` answer with `body`.
    pub fn text(body: &str) -> Self {
        Self {
            status: 200,
            content_type: "text/plain".into(),
            body: body.into(),
        }
    }
}

/// A verified notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// The provider.
    pub provider: ProviderId,
    /// What it is.
    pub kind: NotificationKind,
    /// A key that is the same every time the provider repeats this event, so a merchant can
    /// process it once (e.g. `paytr:<merchant_oid>:<status>`).
    pub event_key: String,
    /// The provider's event type, for webhooks.
    pub event_type: Option<String>,
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// The provider's payment reference.
    pub payment_id: Option<String>,
    /// The payment's status as the notification reports it.
    pub status: PaymentStatus,
    /// The amount it reports, exact: the order's amount.
    pub amount: Option<Money>,
    /// What the customer paid in all, when the provider says and it may differ from
    /// `amount` (PayTR's hashed `total_amount` includes installment interest).
    pub paid_amount: Option<Money>,
    /// Why it failed, when it did.
    pub decline: Option<Decline>,
    /// The stored card's tokens, when a card was stored.
    pub stored_card: Option<StoredCardRef>,
    /// Whether the provider flagged it as a test.
    pub test_mode: bool,
    /// What to answer the provider.
    pub acknowledgement: Option<Acknowledgement>,
}
