//! A notification and webhook receiver for PayTR and Craftgate:
//! `cargo run --example webhook_receiver`.
//!
//! Both providers call the merchant's server after a payment: PayTR POSTs a signed form to
//! the "Bildirim URL" and repeats it until the answer is exactly `OK`; Craftgate POSTs a
//! JSON webhook signed in a header. The receiver hands the raw request to
//! `verify_notification`, which checks the signature in constant time; the receiver
//! processes each event once (by its `event_key`, since both providers repeat an event when
//! they are not sure it arrived) and answers every delivery, repeats included, with the
//! adapter's acknowledgement. A forged call gets 400 and changes nothing.
//!
//! The run pays once at each provider, lets each provider deliver its event, then has each
//! deliver the same event again, and shows every event received twice and processed once.

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
    Notification, NotificationKind, PaymentSource,
};
use odeme_sandbox::Sandbox;
use rust_decimal::Decimal;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// The receiver: a gateway per provider, how often each event arrived, and what was done.
struct Receiver {
    gateways: HashMap<String, Arc<dyn Gateway>>,
    /// Event key -> how many verified deliveries of it arrived.
    received: Mutex<HashMap<String, u32>>,
    /// The event keys already claimed for processing.
    seen: Mutex<HashSet<String>>,
    /// Event keys in the order they were first processed, with what was done.
    processed: Mutex<Vec<(String, String)>>,
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
        received: Mutex::new(HashMap::new()),
        seen: Mutex::new(HashSet::new()),
        processed: Mutex::new(Vec::new()),
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

    // Two payments; each provider calls the receiver once on its own, in the background.
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
    let acknowledged = sandbox.paytr.notification_acknowledged(&paid_at_paytr);
    println!(
        "PayTR order {paid_at_paytr}: notification {}",
        if acknowledged {
            "answered OK"
        } else {
            "not answered OK (PayTR would keep repeating it)"
        }
    );
    let first_webhook = sandbox
        .craftgate
        .webhook_deliveries()
        .into_iter()
        .next()
        .ok_or("Craftgate sent no webhook")?;
    println!(
        "Craftgate payment {paid_at_craftgate}: webhook {} {} answered {}",
        first_webhook.event.event_type,
        first_webhook.event.status,
        answer(first_webhook.response_status)
    );

    // Both providers deliver an event again when they are not sure it arrived (a lost
    // answer, a time-out). PayTR's repeat is the very same signed form; Craftgate signs the
    // same event again.
    let client = reqwest::Client::new();
    let sent = sandbox
        .paytr
        .notifications_sent()
        .into_iter()
        .find(|n| n.merchant_oid == paid_at_paytr)
        .ok_or("PayTR sent no notification")?;
    let repeat = client
        .post(format!("{base_url}/notifications/paytr"))
        .form(&sent.fields)
        .send()
        .await?;
    println!(
        "PayTR repeats the notification of order {paid_at_paytr}: answered {}, body {}",
        answer(Some(repeat.status().as_u16())),
        repeat.text().await?
    );
    let again = sandbox
        .craftgate
        .trigger_webhook(
            &first_webhook.event.event_type,
            &first_webhook.event.status,
            &first_webhook.event.payload_id,
        )
        .await
        .ok_or("no webhook URL set")?;
    println!(
        "Craftgate repeats webhook {} {} of payment {paid_at_craftgate}: answered {}",
        again.event.event_type,
        again.event.status,
        answer(again.response_status)
    );

    // Forged calls: a PayTR form with a made-up hash, a Craftgate webhook with a bad signature.
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
        "forged PayTR notification: answered {}",
        answer(Some(forged_paytr.status().as_u16()))
    );
    println!(
        "forged Craftgate webhook: answered {}",
        answer(Some(forged_craftgate.status().as_u16()))
    );

    println!("\nevents (each processed once, however often it arrived):");
    let received = receiver
        .received
        .lock()
        .map_err(|_| "lock poisoned")?
        .clone();
    for (key, done) in receiver
        .processed
        .lock()
        .map_err(|_| "lock poisoned")?
        .iter()
    {
        let times = received.get(key).copied().unwrap_or(0);
        println!("  {key}: received {times} times, processed once: {done}");
    }
    server.abort();
    Ok(())
}

/// An HTTP status in words: `200 OK`, or that no answer came.
fn answer(status: Option<u16>) -> String {
    match status.map(StatusCode::from_u16) {
        Some(Ok(code)) => code.to_string(),
        Some(Err(_)) => "an invalid status".to_owned(),
        None => "nothing (the call failed)".to_owned(),
    }
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
            if let Ok(mut received) = receiver.received.lock() {
                *received.entry(notification.event_key.clone()).or_insert(0) += 1;
            }
            // Claiming the key and checking it is one step, so two deliveries of the same
            // event arriving at once still process it once.
            let first_time = receiver
                .seen
                .lock()
                .map(|mut seen| seen.insert(notification.event_key.clone()))
                .unwrap_or(false);
            if first_time {
                process(&receiver, &notification);
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
/// Here it only writes down what it would have done.
fn process(receiver: &Receiver, n: &Notification) {
    let what = match n.kind {
        NotificationKind::PaymentResult => "payment result",
        NotificationKind::Webhook => "webhook",
        NotificationKind::ThreeDsCallback => "3-D Secure return",
        _ => "notification",
    };
    let reference = match (&n.order_id, &n.payment_id) {
        (Some(order), _) => format!("order {order}"),
        (None, Some(payment)) => format!("payment {payment}"),
        (None, None) => "no payment".to_owned(),
    };
    let mut done = format!("{} {what}", n.provider);
    if let Some(event_type) = &n.event_type {
        done.push_str(&format!(" {event_type}"));
    }
    done.push_str(&format!(", {reference} marked {}", n.status));
    if let Some(amount) = n.amount {
        done.push_str(&format!(" ({amount})"));
    }
    if let Ok(mut processed) = receiver.processed.lock() {
        processed.push((n.event_key.clone(), done));
    }
}
