//! Idempotency keys against the Craftgate simulator: a key moves on only after an answer
//! that proves its attempt took no effect, so no retry can ever charge or refund twice.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use common::*;
use odeme_core::{
    Charge, Error, PaymentStatus, PaymentStatusQuery, Refund, RefundRequest, RejectionKind,
    StatusQuery,
};
use odeme_sandbox::ledger::LedgerKind;
use odeme_sandbox::{Fault, Simulator};

#[tokio::test]
async fn a_key_reused_with_another_body_does_not_move_the_key_on() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let o = order("mm");
    let request = sale(&o, 3000).with_idempotency_key("K-mm-1");
    sim.faults()
        .inject_on("/payment/v1/card-payments", Fault::DropAfterProcessing);
    let first = gw.charge(&request).await.unwrap_err();
    assert!(first.is_unknown_outcome(), "{first:?}");
    // The same key with another body: Craftgate refuses the mismatch.
    let mut changed = request.clone();
    changed.customer.ip = IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3));
    let mismatch = gw.charge(&changed).await.unwrap_err();
    assert!(
        matches!(
            mismatch,
            Error::Provider {
                kind: RejectionKind::Duplicate,
                ..
            }
        ),
        "{mismatch:?}"
    );
    // The identical retry of the unknown first attempt is still that attempt.
    let retry = gw.charge(&request).await.unwrap();
    assert_eq!(retry.status, PaymentStatus::Succeeded);
    assert_eq!(sim.ledger().charges_for_order(&o), 1, "charged once");
}

#[tokio::test]
async fn a_late_refusal_of_an_earlier_attempt_does_not_skip_the_attempt_in_flight() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let o = order("race");
    let declining = sale_with(&o, 3000, "5100050000006661").with_idempotency_key("K-race");
    let good = sale(&o, 3000).with_idempotency_key("K-race");
    // A double click: the first copy's answer is held back, the second is replayed at once.
    sim.faults().inject_on(
        "/payment/v1/card-payments",
        Fault::DelayAfterProcessing(Duration::from_millis(400)),
    );
    let late_gw = gw.clone();
    let late_request = declining.clone();
    let late = tokio::spawn(async move { late_gw.charge(&late_request).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(gw.charge(&declining).await.unwrap_err().decline().is_some());
    // Another card under the same caller key: its answer is lost.
    sim.faults()
        .inject_on("/payment/v1/card-payments", Fault::DropAfterProcessing);
    assert!(gw.charge(&good).await.unwrap_err().is_unknown_outcome());
    // The held-back decline of the first attempt arrives now.
    assert!(late.await.unwrap().unwrap_err().decline().is_some());
    // Retrying the unknown attempt carries its own key: Craftgate answers it once.
    let retry = gw.charge(&good).await.unwrap();
    assert_eq!(retry.status, PaymentStatus::Succeeded);
    assert_eq!(sim.ledger().charges_for_order(&o), 1, "charged once");
}

#[tokio::test]
async fn a_refund_reference_reused_for_another_payment_refunds_that_payment() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let (oa, ob) = (order("wa"), order("wb"));
    let a = gw.charge(&sale(&oa, 5000)).await.unwrap();
    let b = gw.charge(&sale(&ob, 7000)).await.unwrap();
    let with_reference = |id: &str| RefundRequest {
        reference: Some("R1".into()),
        ..RefundRequest::full(id)
    };
    let refund_a = gw.refund(&with_reference(&a.id)).await.unwrap();
    assert_eq!(refund_a.payment_id, a.id);
    let refund_b = gw.refund(&with_reference(&b.id)).await.unwrap();
    assert_eq!(refund_b.payment_id, b.id, "never payment A's refund");
    assert_eq!(refund_b.amount, try_(7000));
    assert_eq!(sim.ledger().for_order(&ob, LedgerKind::Cancel).len(), 1);
    let now = gw
        .status(&StatusQuery::PaymentId(b.id.clone()))
        .await
        .unwrap();
    assert_eq!(now.status, PaymentStatus::Cancelled);
}
