//! Signed webhooks, POSTed as JSON to the URL the test configured. The signature is
//! `Base64(HMAC-SHA256(merchantHookKey, eventType + eventTimestamp + status + payloadId))`,
//! with no separators; `eventTime` is not signed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::util::constant_time_eq;

/// The header that carries the webhook signature. Craftgate's clients and the documents
/// cited in the notes do not name it; the simulator uses this name (see `docs/craftgate.md`).
pub const SIGNATURE_HEADER: &str = "x-cg-signature-v1";

/// One webhook body, as Craftgate's `WebhookData` spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// For example `API_AUTH`, `THREEDS_VERIFY`, `REFUND`, `REFUND_TX`.
    pub event_type: String,
    /// Local date-time of the event, `2026-11-24T09:12:31` (not signed).
    pub event_time: String,
    /// Unix seconds of the event (signed).
    pub event_timestamp: i64,
    /// `SUCCESS` or `FAILURE`.
    pub status: String,
    /// The id of the payment or refund the event is about.
    pub payload_id: String,
}

/// The signature of `event` under the merchant's webhook key.
pub fn webhook_signature(hook_key: &str, event: &WebhookEvent) -> String {
    let data = format!(
        "{}{}{}{}",
        event.event_type, event.event_timestamp, event.status, event.payload_id
    );
    // HMAC accepts keys of any length, so this cannot fail; an empty key still signs.
    let mut mac = match Hmac::<Sha256>::new_from_slice(hook_key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(data.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `presented` signs `event`, compared in constant time.
pub fn verify_webhook_signature(hook_key: &str, event: &WebhookEvent, presented: &str) -> bool {
    constant_time_eq(&webhook_signature(hook_key, event), presented)
}

/// One attempted webhook delivery, kept for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// Where it was sent.
    pub url: String,
    /// What was sent.
    pub event: WebhookEvent,
    /// The signature header value sent.
    pub signature: String,
    /// The receiver's HTTP status, or `None` when the POST failed.
    pub response_status: Option<u16>,
}

/// Whether `url` points at this machine: the simulator never sends anything elsewhere.
pub(crate) fn is_loopback(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// POSTs `event` to `url` with its signature header and reports the outcome; a URL off
/// this machine is not contacted (`response_status: None`).
pub(crate) async fn deliver(url: &str, hook_key: &str, event: WebhookEvent) -> WebhookDelivery {
    let signature = webhook_signature(hook_key, &event);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build();
    let response_status = match client {
        Ok(_) if !is_loopback(url) => None,
        Ok(client) => client
            .post(url)
            .header(SIGNATURE_HEADER, &signature)
            .json(&event)
            .send()
            .await
            .ok()
            .map(|r| r.status().as_u16()),
        Err(_) => None,
    };
    WebhookDelivery {
        url: url.to_owned(),
        event,
        signature,
        response_status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector() -> WebhookEvent {
        WebhookEvent {
            event_type: "API_VERIFY_AND_AUTH".into(),
            event_time: "2022-08-26T16:40:21".into(),
            event_timestamp: 1661521221,
            status: "SUCCESS".into(),
            payload_id: "584".into(),
        }
    }

    #[test]
    fn only_loopback_receivers() {
        assert!(is_loopback("http://127.0.0.1:8080/hook"));
        assert!(is_loopback("http://localhost/hook"));
        assert!(is_loopback("http://[::1]:9/hook"));
        assert!(!is_loopback("https://merchant.example/hook"));
        assert!(!is_loopback("http://10.0.0.1/hook"));
        assert!(!is_loopback("not a url"));
    }

    #[test]
    fn official_vector() {
        let key = "Aoh7tReTybO6wOjBmOJFFsOR53SBojEp";
        assert_eq!(
            webhook_signature(key, &vector()),
            "0wRB5XqWJxwwPbn5Z9TcbHh8EGYFufSYTsRMB74N094="
        );
        assert!(verify_webhook_signature(
            key,
            &vector(),
            "0wRB5XqWJxwwPbn5Z9TcbHh8EGYFufSYTsRMB74N094="
        ));
    }

    #[test]
    fn altered_inputs_are_rejected() {
        let key = "Aoh7tReTybO6wOjBmOJFFsOR53SBojEp";
        let good = "0wRB5XqWJxwwPbn5Z9TcbHh8EGYFufSYTsRMB74N094=";
        assert!(!verify_webhook_signature(
            key,
            &vector(),
            "Bsa498wcnaasd4bhx8anxıxcsdnxanalkdjcahxhd"
        ));
        assert!(!verify_webhook_signature("other", &vector(), good));
        let mut e = vector();
        e.payload_id = "585".into();
        assert!(!verify_webhook_signature(key, &e, good));
        let mut e = vector();
        e.status = "FAILURE".into();
        assert!(!verify_webhook_signature(key, &e, good));
        // eventTime is not part of the signature.
        let mut e = vector();
        e.event_time = "2030-01-01T00:00:00".into();
        assert!(verify_webhook_signature(key, &e, good));
    }
}
