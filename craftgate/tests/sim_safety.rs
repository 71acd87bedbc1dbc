//! Failure handling against the Craftgate simulator: unknown outcomes and reconciliation,
//! idempotent retries, bad credentials, invalid input that never leaves the process,
//! webhooks, and redaction.

mod common;

use std::time::Duration;

use common::*;
use odeme_core::{
    Charge, Error, Gateway, GatewayExt, InboundRequest, LineItem, NotificationKind, Notifications,
    PaymentStatus, PaymentStatusQuery, Refund, RefundRequest, StatusQuery, TransportConfig,
};
use odeme_craftgate::{CraftgateConfig, CraftgateGateway};
use odeme_sandbox::{Fault, Simulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn dropped_answer_to_a_charge_is_an_unknown_outcome_reconciled_by_order_id() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("drop");
    sim.faults()
        .inject_on("/payment/v1/card-payments", Fault::DropAfterProcessing);
    let err = gw.charge(&sale(&order, 5000)).await.unwrap_err();
    match &err {
        Error::UnknownOutcome { reference, .. } => {
            assert_eq!(reference.as_deref(), Some(order.as_str()))
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    assert!(!err.is_safe_to_retry());

    let truth = gw
        .status(&StatusQuery::OrderId(order.clone()))
        .await
        .unwrap();
    assert_eq!(truth.status, PaymentStatus::Succeeded);
    assert_eq!(sim.ledger().charges_for_order(&order), 1);

    // The same request again carries the same idempotency key: no second charge.
    let again = gw.charge(&sale(&order, 5000)).await.unwrap();
    assert_eq!(again.id, truth.id);
    assert_eq!(sim.ledger().charges_for_order(&order), 1);
}

#[tokio::test]
async fn a_declined_order_can_be_retried_with_another_card() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("retry");
    let err = gw
        .charge(&sale_with(&order, 3000, "5100050000006661"))
        .await
        .unwrap_err();
    assert!(err.decline().is_some_and(|d| d.soft), "{err:?}");
    let paid = gw.charge(&sale(&order, 3000)).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(sim.ledger().charges_for_order(&order), 1);
    // The status of the order is the successful attempt.
    assert_eq!(
        gw.status(&StatusQuery::OrderId(order)).await.unwrap().id,
        paid.id
    );

    // With the caller's own key, a different request under the same key is a duplicate.
    let keyed = order_id_with_key(&gw).await;
    assert!(
        matches!(
            keyed,
            Error::Provider {
                kind: odeme_core::RejectionKind::Duplicate,
                ..
            }
        ),
        "{keyed:?}"
    );
}

async fn order_id_with_key(gw: &CraftgateGateway) -> Error {
    let order = order("keyed");
    gw.charge(&sale(&order, 1000).with_idempotency_key("merchant-key-1"))
        .await
        .unwrap();
    gw.charge(&sale(&order, 2000).with_idempotency_key("merchant-key-1"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn server_errors_and_garbage_after_a_write_are_unknown_outcomes() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    for fault in [
        Fault::HtmlServerErrorAfterProcessing(502),
        Fault::MalformedJson,
        Fault::TruncatedJson,
    ] {
        let order = order("fault");
        sim.faults()
            .inject_on("/payment/v1/card-payments", fault.clone());
        let err = gw.charge(&sale(&order, 1000)).await.unwrap_err();
        assert!(err.is_unknown_outcome(), "{fault:?}: {err:?}");
        assert_eq!(
            gw.status(&StatusQuery::OrderId(order.clone()))
                .await
                .unwrap()
                .status,
            PaymentStatus::Succeeded
        );
        assert_eq!(sim.ledger().charges_for_order(&order), 1);
    }
}

#[tokio::test]
async fn time_out_after_a_refund_is_an_unknown_outcome() {
    let sim = simulator().await;
    let c = sim.credentials();
    let config = CraftgateConfig::new(&c.api_key, &c.secret_key)
        .with_base_url(sim.base_url())
        .with_transport(TransportConfig {
            timeout: Duration::from_millis(500),
            ..TransportConfig::default()
        });
    let gw = CraftgateGateway::new(config).unwrap();
    let paid = gw.charge(&sale(&order("timeout"), 2000)).await.unwrap();
    sim.faults().inject_on(
        "/payment/v1/refunds",
        Fault::DelayAfterProcessing(Duration::from_secs(3)),
    );
    let err = gw.refund(&RefundRequest::full(&paid.id)).await.unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    // The lost answer was a same-day whole refund, which Craftgate made a cancel.
    assert_eq!(after.status, PaymentStatus::Cancelled);
    assert_eq!(after.refunded, paid.amount);
}

#[tokio::test]
async fn a_server_error_before_processing_a_read_is_not_an_unknown_outcome() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    sim.faults().inject(Fault::HtmlServerError(503));
    let err = gw
        .status(&StatusQuery::PaymentId("1".into()))
        .await
        .unwrap_err();
    // A failed read changed nothing: a transport error, safe to retry.
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_safe_to_retry());
}

#[tokio::test]
async fn bad_credentials_are_an_authentication_error() {
    let sim = simulator().await;
    let c = sim.credentials();
    for config in [
        CraftgateConfig::new("not-the-key", &c.secret_key),
        CraftgateConfig::new(&c.api_key, "not-the-secret"),
    ] {
        let gw = CraftgateGateway::new(config.with_base_url(sim.base_url())).unwrap();
        let err = gw.charge(&sale(&order("creds"), 1000)).await.unwrap_err();
        assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
        assert!(!format!("{err}{err:?}").contains(&c.secret_key));
    }
    assert_eq!(sim.ledger().len(), 0);
}

#[tokio::test]
async fn invalid_input_never_leaves_the_process() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let before = sim.requests().count();
    let bad_sum = sale(&order("sum"), 10000).with_items(vec![LineItem::new("a", try_(3000), 1)]);
    assert_eq!(
        gw.charge(&bad_sum).await.unwrap_err().invalid_field(),
        Some("items")
    );
    let bad_member =
        sale(&order("member"), 1000).with_items(vec![
            LineItem::new("a", try_(1000), 1).with_split("seller-x", try_(500))
        ]);
    assert_eq!(
        gw.charge(&bad_member).await.unwrap_err().invalid_field(),
        Some("items[0].split.sub_merchant_id")
    );
    assert_eq!(
        gw.charge(&sale("", 1000))
            .await
            .unwrap_err()
            .invalid_field(),
        Some("order_id")
    );
    assert_eq!(
        gw.charge(&sale(&order("inst"), 1000).with_installments(13))
            .await
            .unwrap_err()
            .invalid_field(),
        Some("installments")
    );
    let bad_url = sale(&order("url"), 1000).with_three_ds("not a url");
    assert_eq!(
        gw.charge(&bad_url).await.unwrap_err().invalid_field(),
        Some("three_ds.return_url")
    );
    let bad_id = gw.refund(&RefundRequest::full("pay-1")).await.unwrap_err();
    assert_eq!(bad_id.invalid_field(), Some("payment_id"));
    assert_eq!(sim.requests().count(), before, "nothing was sent");
}

#[tokio::test]
async fn declared_capabilities_and_behaviour_agree() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let dynamic: std::sync::Arc<dyn Gateway> = std::sync::Arc::new(gw.clone());
    assert!(dynamic.require_charges().is_ok());
    assert!(dynamic.require_cards().is_ok());
    assert!(dynamic.require_refunds().is_ok());
    assert!(dynamic.require_recurring().is_ok());
    assert!(dynamic.require_three_ds().is_ok());
    assert!(dynamic.require_installments().is_ok());
    assert!(dynamic.require_notifications().is_ok());
    assert!(dynamic.require_status_query().is_ok());
    assert!(dynamic.require_stored_card_charges().is_ok());
    assert!(!dynamic.supports(odeme_core::Capability::RecurringPlans));
}

/// Receives one HTTP request on a loopback port and answers 200, returning it raw.
async fn one_request_receiver() -> (String, tokio::task::JoinHandle<InboundRequest>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/webhooks/craftgate",
        listener.local_addr().unwrap()
    );
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        let (head_end, length) = loop {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed early");
            raw.extend_from_slice(&buf[..n]);
            if let Some(pos) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..pos]).to_string();
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                break (pos + 4, length);
            }
        };
        while raw.len() < head_end + length {
            let n = socket.read(&mut buf).await.unwrap();
            raw.extend_from_slice(&buf[..n]);
        }
        socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nOK")
            .await
            .unwrap();
        let head = String::from_utf8_lossy(&raw[..head_end - 4]).to_string();
        let mut request = InboundRequest::post(raw[head_end..head_end + length].to_vec());
        for line in head.lines().skip(1) {
            if let Some((name, value)) = line.split_once(':') {
                request = request.with_header(name.trim(), value.trim());
            }
        }
        request
    });
    (url, task)
}

#[tokio::test]
async fn a_webhook_is_verified_and_a_tampered_one_rejected() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&sale(&order("hook"), 1000)).await.unwrap();
    let (url, receiver) = one_request_receiver().await;
    sim.set_webhook_url(Some(url));
    let delivery = sim
        .trigger_webhook("API_AUTH", "SUCCESS", &paid.id)
        .await
        .expect("delivered");
    assert_eq!(delivery.response_status, Some(200));
    let received = receiver.await.unwrap();

    let note = gw.verify_notification(&received).unwrap();
    assert_eq!(note.kind, NotificationKind::Webhook);
    assert_eq!(note.event_type.as_deref(), Some("API_AUTH"));
    assert_eq!(note.payment_id.as_deref(), Some(paid.id.as_str()));
    assert_eq!(note.status, PaymentStatus::Succeeded);
    assert_eq!(
        note.event_key,
        format!("craftgate:API_AUTH:{}:SUCCESS", paid.id)
    );
    assert_eq!(note.acknowledgement.as_ref().map(|a| a.status), Some(200));
    assert_eq!(gw.verify_webhook(&received).unwrap(), note);

    let body = String::from_utf8(received.body.clone()).unwrap();
    let mut tampered = received.clone();
    tampered.body = body.replace("\"SUCCESS\"", "\"FAILURE\"").into_bytes();
    assert_ne!(tampered.body, received.body);
    assert!(matches!(
        gw.verify_notification(&tampered),
        Err(Error::SignatureMismatch(_))
    ));
    let mut unsigned = received.clone();
    unsigned.headers.clear();
    assert!(matches!(
        gw.verify_notification(&unsigned),
        Err(Error::SignatureMismatch(_))
    ));
    let other_key = CraftgateGateway::new(config(&sim).with_webhook_key("another-key")).unwrap();
    assert!(matches!(
        other_key.verify_notification(&received),
        Err(Error::SignatureMismatch(_))
    ));
}

#[tokio::test]
async fn nothing_secret_in_debug_or_display() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let c = sim.credentials().clone();
    let request = sale(&order("redact"), 1000);
    let paid = gw.charge(&request).await.unwrap();
    let declined = gw
        .charge(&sale_with(&order("redact"), 1000, "5100050000006661"))
        .await
        .unwrap_err();
    let auth = CraftgateGateway::new(
        CraftgateConfig::new(&c.api_key, "wrong-secret-value").with_base_url(sim.base_url()),
    )
    .unwrap()
    .charge(&request)
    .await
    .unwrap_err();
    let shown = [
        format!("{:?}", config(&sim)),
        format!("{gw:?}"),
        format!("{request:?}"),
        format!("{paid:?}"),
        serde_json::to_string(&paid).unwrap(),
        format!("{declined:?} {declined}"),
        format!("{auth:?} {auth}"),
    ];
    for text in &shown {
        for secret in [
            SUCCESS_CARD,
            "5100050000006661",
            &c.secret_key,
            &c.webhook_key,
            &c.three_ds_callback_key,
            "wrong-secret-value",
        ] {
            assert!(!text.contains(secret), "`{secret}` in {text}");
        }
        assert!(
            !text.contains("cvc\":\"000") && !text.contains("\"000\""),
            "{text}"
        );
    }
}
