//! Shared set-up: the PayTR simulator on loopback, a gateway pointed at it, requests, and a
//! merchant notification endpoint that verifies with the gateway and answers `OK`.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use odeme_core::{
    Address, Card, ChargeRequest, Currency, Customer, Expiry, InboundRequest, Money, Notification,
    Notifications, PaymentSource,
};
use odeme_paytr::{PaytrConfig, PaytrGateway};
use odeme_sandbox::paytr::PaytrSimulator;
use odeme_sandbox::Simulator;
use rust_decimal::Decimal;

pub const OFFICIAL: &str = "4355084355084358";
pub const OFFICIAL_MC: &str = "5406675406675403";
pub const INSUFFICIENT: &str = "4355080000000013";
pub const TRY_AGAIN_STORED: &str = "4355080000000096";
pub const CLOSED_STORED: &str = "4355080000000138";
pub const SLOW: &str = "4355080000000104";
pub const REQUIRE_CVV: &str = "4355080000000112";

pub async fn simulator() -> PaytrSimulator {
    PaytrSimulator::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

pub fn config(sim: &PaytrSimulator) -> PaytrConfig {
    let c = sim.credentials();
    PaytrConfig::new(
        &c.merchant_id,
        c.merchant_key.as_str(),
        c.merchant_salt.as_str(),
    )
    .with_base_url(sim.base_url())
    .with_test_mode(true)
    .with_return_urls(
        "https://shop.example/paytr/ok",
        "https://shop.example/paytr/fail",
    )
}

pub fn gateway(sim: &PaytrSimulator) -> PaytrGateway {
    PaytrGateway::new(config(sim)).unwrap()
}

pub fn try_(amount: Decimal) -> Money {
    Money::new(amount, Currency::TRY).unwrap()
}

pub fn card(number: &str) -> Card {
    Card::new(number, Expiry::new(12, 2030).unwrap(), "000", "PAYTR TEST").unwrap()
}

pub fn customer() -> Customer {
    Customer::new(
        "Ayşe",
        "Yılmaz",
        "buyer@example.com",
        "85.34.78.112".parse().unwrap(),
    )
    .with_phone("05551112233")
}

pub fn address() -> Address {
    Address {
        line1: "Örnek Mah. 1".into(),
        city: "İstanbul".into(),
        country: "TR".into(),
        ..Address::default()
    }
}

/// A unique alphanumeric order id.
pub fn oid(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{tag}{}x{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

pub fn charge(order_id: &str, amount: Decimal, source: PaymentSource) -> ChargeRequest {
    ChargeRequest::new(order_id, try_(amount), source, customer()).with_billing(address())
}

pub fn new_card(order_id: &str, amount: Decimal, number: &str) -> ChargeRequest {
    charge(order_id, amount, PaymentSource::NewCard(card(number)))
}

/// The merchant's notification endpoint.
pub struct Merchant {
    pub url: String,
    pub received: Arc<Mutex<Vec<Notification>>>,
    pub rejected: Arc<Mutex<usize>>,
}

type Shared = (
    PaytrGateway,
    Arc<Mutex<Vec<Notification>>>,
    Arc<Mutex<usize>>,
);

async fn notify(
    State((gateway, received, rejected)): State<Shared>,
    body: Bytes,
) -> (StatusCode, String) {
    let request = InboundRequest::post(body.to_vec())
        .with_header("Content-Type", "application/x-www-form-urlencoded");
    match gateway.verify_notification(&request) {
        Ok(notification) => {
            let ack = notification
                .acknowledgement
                .clone()
                .map(|a| a.body)
                .unwrap_or_default();
            let mut all = received.lock().unwrap();
            // PayTR repeats notifications: the event key makes handling them idempotent.
            if !all.iter().any(|n| n.event_key == notification.event_key) {
                all.push(notification);
            }
            (StatusCode::OK, ack)
        }
        Err(_) => {
            *rejected.lock().unwrap() += 1;
            (StatusCode::BAD_REQUEST, "bad hash".into())
        }
    }
}

pub async fn merchant(gateway: PaytrGateway) -> Merchant {
    let received = Arc::new(Mutex::new(Vec::new()));
    let rejected = Arc::new(Mutex::new(0));
    let app = Router::new()
        .route("/paytr/notify", post(notify))
        .with_state((gateway, received.clone(), rejected.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Merchant {
        url: format!("http://{addr}/paytr/notify"),
        received,
        rejected,
    }
}

impl Merchant {
    /// Waits until a notification for `order_id` has been received.
    pub async fn wait_for(&self, order_id: &str) -> Notification {
        for _ in 0..100 {
            if let Some(n) = self
                .received
                .lock()
                .unwrap()
                .iter()
                .find(|n| n.order_id.as_deref() == Some(order_id))
                .cloned()
            {
                return n;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no notification for {order_id}");
    }
}
