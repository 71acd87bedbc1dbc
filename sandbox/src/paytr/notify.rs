//! The payment-result notification: a signed form POSTed to the merchant's "Bildirim URL",
//! repeated until the merchant answers exactly `OK`.

// Notifications carry amounts and count attempts; nothing may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::amount::to_kurus;
use super::credentials::PaytrCredentials;
use super::state::{Ack, Order, OrderStatus};
use super::token::notification_hash;
use super::Shared;

/// Where and how persistently notifications are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationSettings {
    /// The merchant's notification URL (loopback only); `None` sends nothing.
    pub url: Option<String>,
    /// The pause between two attempts.
    pub retry_interval: Duration,
    /// How many attempts at most.
    pub max_attempts: u32,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            url: None,
            retry_interval: Duration::from_millis(200),
            max_attempts: 50,
        }
    }
}

/// One notification the simulator produced, with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentNotification {
    /// The order it reports.
    pub merchant_oid: String,
    /// `success` or `failed`.
    pub status: String,
    /// Every POSTed field, in the order they were sent.
    pub fields: Vec<(String, String)>,
    /// How many POSTs were made (0 when no URL was configured).
    pub attempts: u32,
    /// Whether the merchant answered `OK`.
    pub acknowledged: bool,
}

impl SentNotification {
    /// The value of one field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The notification settings and everything sent so far.
#[derive(Debug)]
pub(crate) struct Notifier {
    settings: Mutex<NotificationSettings>,
    sent: Mutex<Vec<SentNotification>>,
    client: reqwest::Client,
}

impl Notifier {
    pub(crate) fn new(settings: NotificationSettings) -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self {
            settings: Mutex::new(settings),
            sent: Mutex::new(Vec::new()),
            client,
        }
    }

    pub(crate) fn settings(&self) -> MutexGuard<'_, NotificationSettings> {
        self.settings.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sent_lock(&self) -> MutexGuard<'_, Vec<SentNotification>> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn sent(&self) -> Vec<SentNotification> {
        self.sent_lock().clone()
    }
}

/// Whether `url` is an http(s) URL on a loopback host: the simulator never calls out.
pub(crate) fn loopback_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    matches!(parsed.scheme(), "http" | "https") && loopback
}

/// The fields PayTR POSTs for a settled order.
pub(crate) fn fields_for(credentials: &PaytrCredentials, order: &Order) -> Vec<(String, String)> {
    let success = order.status == OrderStatus::Succeeded;
    let status = if success { "success" } else { "failed" };
    let total = if success {
        to_kurus(order.amount)
    } else {
        "0".to_owned()
    };
    let hash = notification_hash(credentials, &order.merchant_oid, status, &total);
    let mut fields = vec![
        ("merchant_oid", order.merchant_oid.clone()),
        ("status", status.to_owned()),
        ("total_amount", total),
        ("hash", hash),
    ];
    if let Some(decline) = order.failure.filter(|_| !success) {
        fields.push(("failed_reason_code", decline.code.to_owned()));
        fields.push(("failed_reason_msg", decline.msg.to_owned()));
    }
    fields.extend([
        (
            "test_mode",
            if order.test_mode { "1" } else { "0" }.to_owned(),
        ),
        ("payment_type", order.payment_type.clone()),
        ("currency", order.currency.clone()),
        ("payment_amount", to_kurus(order.amount)),
        ("installment_count", order.installments.to_string()),
        ("merchant_id", credentials.merchant_id.clone()),
    ]);
    if let Some((utoken, _)) = order.stored.as_ref().filter(|_| success) {
        fields.push(("utoken", utoken.clone()));
    }
    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Records the notification of a settled order and, when a URL is configured, starts
/// delivering it in the background.
pub(crate) fn dispatch(shared: &Arc<Shared>, merchant_oid: &str, fields: Vec<(String, String)>) {
    let settings = shared.notifier.settings().clone();
    let status = fields
        .iter()
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let index = {
        let mut sent = shared.notifier.sent_lock();
        sent.push(SentNotification {
            merchant_oid: merchant_oid.to_owned(),
            status,
            fields: fields.clone(),
            attempts: 0,
            acknowledged: false,
        });
        // The index of the entry just pushed.
        sent.len().saturating_sub(1)
    };
    let Some(url) = settings.url.clone() else {
        set_ack(shared, merchant_oid, Ack::NoUrl);
        return;
    };
    set_ack(shared, merchant_oid, Ack::Delivering);
    let shared = Arc::clone(shared);
    let merchant_oid = merchant_oid.to_owned();
    tokio::spawn(async move {
        for attempt in 1..=settings.max_attempts {
            let answer = shared.notifier.client.post(&url).form(&fields).send().await;
            let body = match answer {
                Ok(response) => response.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            let acknowledged = body == "OK";
            if let Some(record) = shared.notifier.sent_lock().get_mut(index) {
                record.attempts = attempt;
                record.acknowledged = acknowledged;
            }
            if acknowledged {
                set_ack(&shared, &merchant_oid, Ack::Acknowledged);
                return;
            }
            if attempt < settings.max_attempts {
                tokio::time::sleep(settings.retry_interval).await;
            }
        }
        set_ack(&shared, &merchant_oid, Ack::GaveUp);
    });
}

fn set_ack(shared: &Shared, merchant_oid: &str, ack: Ack) {
    if let Some(order) = shared.store().orders.get_mut(merchant_oid) {
        // A later notification of the same order must not undo an acknowledgement.
        if order.ack != Ack::Acknowledged {
            order.ack = ack;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls() {
        assert!(loopback_url("http://127.0.0.1:8080/paytr/notify"));
        assert!(loopback_url("http://localhost/x"));
        assert!(loopback_url("http://[::1]:9/x"));
        assert!(!loopback_url("https://www.paytr.com/odeme"));
        assert!(!loopback_url("http://10.0.0.1/x"));
        assert!(!loopback_url("ftp://127.0.0.1/x"));
        assert!(!loopback_url("not a url"));
    }
}
