//! A notification and webhook receiver for PayTR and Craftgate:
//! `cargo run --example webhook_receiver`.
//!
//! Both providers call the merchant's server after a payment: PayTR POSTs a signed form to
//! the "Bildirim URL" and repeats it until the answer is exactly `OK`; Craftgate POSTs a
//! JSON webhook signed in a header. The receiver hands the raw request to
//! `verify_notification`, which checks the signature in constant time, processes each event
//! once (by its `event_key`, since both providers may repeat an event) and answers with the
//! adapter's acknowledgement. A forged call gets 400 and changes nothing.

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use odeme::{
    Card, ChargeRequest, Currency, Expiry, Gateway, GatewayExt, InboundRequest, Money,
    Notification, PaymentSource,
};
use odeme_sandbox::Sandbox;
use rust_decimal::Decimal;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// The receiver: a gateway per provider and the events already processed.
struct Receiver {
    gateways: HashMap<String, Arc<dyn Gateway>>,
    processed: Mutex<HashSet<String>>,
    log: Mutex<Vec<String>>,
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let sandbox = Sandbox::start().await?;
    let paytr = support::paytr(&sandbox)?;
    let craftgate = support::craftgate(&sandbox)?;
    let receiver = Arc::new(Receiver {
        gateways: HashMap::from([
            ("paytr".to_owned(), paytr.clone()),
            ("craftgate".to_owned(), craftgate.clone()),
        ]),
        processed: Mutex::new(HashSet::new()),
        log: Mutex::new(Vec::new()),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let app = Router::new()
        .route("/notifications/{provider}", post(notification))
        .with_state(receiver.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    // Where each provider calls: PayTR's panel setting, Craftgate's webhook URL.
    sandbox
        .paytr
        .set_notification_url(&format!("{base_url}/notifications/paytr"))?;
    sandbox
        .craftgate
        .set_webhook_url(Some(format!("{base_url}/notifications/craftgate")));

    let paid_at_paytr = pay(paytr.as_ref()).await?;
    let paid_at_craftgate = pay(craftgate.as_ref()).await?;
    let mut waited = Duration::ZERO;
    while waited < Duration::from_secs(10)
        && !(sandbox.paytr.notification_acknowledged(&paid_at_paytr)
            && sandbox
                .craftgate
                .webhook_deliveries()
                .iter()
                .any(|d| d.response_status == Some(200)))
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    println!(
        "PayTR order {paid_at_paytr}: notification answered OK = {}",
        sandbox.paytr.notification_acknowledged(&paid_at_paytr)
    );
    for delivery in sandbox.craftgate.webhook_deliveries() {
        println!(
            "Craftgate payment {paid_at_craftgate}: webhook {} {} answered {:?}",
            delivery.event.event_type, delivery.event.status, delivery.response_status
        );
    }

    // Forged calls: a PayTR form with a made-up hash, a Craftgate webhook with a bad signature.
    let client = reqwest::Client::new();
    let forged_paytr = client
        .post(format!("{base_url}/notifications/paytr"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "merchant_oid={paid_at_paytr}&status=success&total_amount=999999&hash=Zm9yZ2Vk"
        ))
        .send()
        .await?;
    let forged_craftgate = client
        .post(format!("{base_url}/notifications/craftgate"))
        .header(odeme::craftgate::DEFAULT_WEBHOOK_SIGNATURE_HEADER, "Zm9yZ2Vk")
        .json(&serde_json::json!({
            "eventType": "API_AUTH", "eventTimestamp": 1, "status": "SUCCESS", "payloadId": paid_at_craftgate
        }))
        .send()
        .await?;
    println!(
        "forged PayTR notification answered {}",
        forged_paytr.status()
    );
    println!(
        "forged Craftgate webhook answered {}",
        forged_craftgate.status()
    );

    println!("\nprocessed events:");
    for line in receiver.log.lock().map_err(|_| "lock poisoned")?.iter() {
        println!("  {line}");
    }
    server.abort();
    Ok(())
}

/// Charges 50.00 without 3-D Secure and returns the reference the provider's call names
/// (PayTR: the order id; Craftgate: the payment id).
async fn pay(gateway: &dyn Gateway) -> Result<String, AnyError> {
    let (number, cvc) = support::test_card(gateway);
    let card = Card::new(number, Expiry::new(12, 2030)?, cvc, "Ayse Yilmaz")?;
    let amount = Money::new(Decimal::new(5_000, 2), Currency::TRY)?;
    let request = ChargeRequest::new(
        &support::order_id("WH"),
        amount,
        PaymentSource::NewCard(card),
        support::customer(),
    )
    .with_billing(support::billing());
    let payment = gateway.require_charges()?.charge(&request).await?;
    Ok(if gateway.provider().as_str() == "paytr" {
        payment.order_id
    } else {
        payment.id
    })
}

/// `POST /notifications/{provider}`.
async fn notification(
    State(receiver): State<Arc<Receiver>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = InboundRequest {
        method: "POST".into(),
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_owned())))
            .collect(),
        query: None,
        body: body.to_vec(),
    };
    let Some(gateway) = receiver.gateways.get(&provider) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let verified = gateway
        .require_notifications()
        .and_then(|n| n.verify_notification(&request));
    match verified {
        Ok(notification) => {
            let first_time = receiver
                .processed
                .lock()
                .map(|mut seen| seen.insert(notification.event_key.clone()))
                .unwrap_or(false);
            if first_time {
                record(&receiver, &notification);
            }
            // Answer even a repeat, or the provider keeps calling.
            match notification.acknowledgement {
                Some(ack) => (
                    StatusCode::from_u16(ack.status).unwrap_or(StatusCode::OK),
                    [(axum::http::header::CONTENT_TYPE, ack.content_type)],
                    ack.body,
                )
                    .into_response(),
                None => StatusCode::OK.into_response(),
            }
        }
        Err(odeme::Error::SignatureMismatch(_)) => {
            (StatusCode::BAD_REQUEST, "bad signature").into_response()
        }
        Err(other) => (StatusCode::BAD_REQUEST, other.to_string()).into_response(),
    }
}

/// What the shop would do with a verified event: mark the order paid, failed, refunded...
fn record(receiver: &Receiver, n: &Notification) {
    let line = format!(
        "{} {:?} {} order={} payment={} status={} amount={}",
        n.provider,
        n.kind,
        n.event_type.as_deref().unwrap_or("-"),
        n.order_id.as_deref().unwrap_or("-"),
        n.payment_id.as_deref().unwrap_or("-"),
        n.status,
        n.amount
            .map(|m| m.to_string())
            .unwrap_or_else(|| "-".into()),
    );
    if let Ok(mut log) = receiver.log.lock() {
        log.push(line);
    }
}
