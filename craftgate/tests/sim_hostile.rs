//! Abuse cases against the simulator: a 3-D callback signed for another payment or order,
//! replayed callbacks and webhooks, oversized, deeply nested and invalid UTF-8 bodies, and
//! header injection through strings that reach a header.

mod common;

use common::*;
use odeme_core::{
    Charge, CompleteThreeDsRequest, Error, ErrorKind, InboundRequest, NextAction, Notifications,
    PaymentStatus, ThreeDsCompletion,
};
use odeme_sandbox::Simulator;

/// Starts a 3-D Secure payment of `order` and returns its payment id and the approved
/// callback the customer's browser brings back.
async fn approved_callback(
    gw: &odeme_craftgate::CraftgateGateway,
    order: &str,
) -> (String, InboundRequest) {
    let started = gw
        .charge(&sale(order, 5000).with_three_ds("https://shop.example/3ds/return"))
        .await
        .unwrap();
    let Some(NextAction::Html { html }) = &started.next_action else {
        panic!("expected the bank's HTML, got {:?}", started.next_action)
    };
    (
        started.id.clone(),
        bank_page(&form_action(html), true).await,
    )
}

fn completion(
    order_id: Option<&str>,
    payment_id: Option<&str>,
    callback: InboundRequest,
) -> CompleteThreeDsRequest {
    CompleteThreeDsRequest {
        order_id: order_id.map(str::to_owned),
        payment_id: payment_id.map(str::to_owned),
        callback,
        currency: None,
    }
}

#[tokio::test]
async fn a_callback_signed_for_another_payment_or_order_completes_nothing() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let (mine, my_order) = (order("attacker"), order("victim"));
    let (_, callback) = approved_callback(&gw, &mine).await;
    let (victim_payment, _) = approved_callback(&gw, &my_order).await;
    let before = sim.ledger().entries().len();

    // The merchant kept the victim's payment id: the callback names another payment.
    let err = gw
        .complete_three_ds(&completion(None, Some(&victim_payment), callback.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::SignatureMismatch(m) if m.contains("another payment")),
        "{err}"
    );
    // The merchant kept only the order id: the callback is signed for another order.
    let err = gw
        .complete_three_ds(&completion(Some(&my_order), None, callback))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::SignatureMismatch(m) if m.contains("another order")),
        "{err}"
    );
    assert_eq!(
        sim.ledger().entries().len(),
        before,
        "nothing moved at the provider"
    );
}

#[tokio::test]
async fn a_replayed_callback_charges_once() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("replay");
    let (payment, callback) = approved_callback(&gw, &order).await;
    let first = gw
        .complete_three_ds(&completion(Some(&order), Some(&payment), callback.clone()))
        .await
        .unwrap();
    assert_eq!(first.status, PaymentStatus::Succeeded);
    // The browser (or an attacker) posts the same callback again.
    let again = gw
        .complete_three_ds(&completion(Some(&order), Some(&payment), callback))
        .await;
    if let Ok(payment) = &again {
        assert_eq!(payment.id, first.id, "a replay answers the same payment");
    }
    assert_eq!(sim.ledger().charges_for_order(&order), 1, "{again:?}");
}

fn signed_webhook(key: &str, body: &str, header: &str) -> InboundRequest {
    InboundRequest::post(body.as_bytes().to_vec()).with_header(header, key)
}

#[tokio::test]
async fn hostile_webhook_and_callback_bodies_are_refused_without_panicking() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let header = odeme_craftgate::DEFAULT_WEBHOOK_SIGNATURE_HEADER;
    let nested = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let huge_field = format!(
        r#"{{"eventType":"API_AUTH","eventTimestamp":"1","status":"SUCCESS","payloadId":"{}"}}"#,
        "9".repeat(4 << 20)
    );
    let bodies: Vec<Vec<u8>> = vec![
        nested.clone().into_bytes(),
        huge_field.into_bytes(),
        vec![0xff, 0xfe, b'{', 0x80],
        b"{\"eventType\":\"API_AUTH\",\"status\":\"SUCC\xc3\x28ESS\"}".to_vec(),
        vec![b'a'; 8 << 20],
    ];
    for body in bodies {
        let webhook = InboundRequest::post(body.clone()).with_header(header, "c2lnbmF0dXJl");
        assert!(gw.verify_webhook(&webhook).is_err());
        assert!(gw.verify_notification(&webhook).is_err());
        assert!(gw
            .verify_three_ds_callback(&InboundRequest::post(body))
            .is_err());
    }
    let query = format!("hash={}&paymentId={}", "a".repeat(1 << 20), nested);
    assert!(gw
        .verify_three_ds_callback(&InboundRequest::get(&query))
        .is_err());
    // A signature header that is itself hostile.
    let body =
        r#"{"eventType":"API_AUTH","eventTimestamp":"1","status":"SUCCESS","payloadId":"1"}"#;
    for presented in ["", "\r\nx: y", &"A".repeat(1 << 16)] {
        assert!(gw
            .verify_webhook(&signed_webhook(presented, body, header))
            .is_err());
    }
}

#[tokio::test]
async fn header_injection_through_the_idempotency_key_sends_nothing() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    for key in ["k\r\nx-api-key: other", "k\nx-evil: 1", "k\0"] {
        let order = order("inject");
        let err = gw
            .charge(&sale(&order, 1000).with_idempotency_key(key))
            .await
            .unwrap_err();
        assert_ne!(err.kind(), ErrorKind::UnknownOutcome, "{err}");
        assert_eq!(sim.ledger().charges_for_order(&order), 0);
    }
    assert!(
        sim.requests().all().is_empty(),
        "no request reached the provider: {:?}",
        sim.requests().all()
    );
}
