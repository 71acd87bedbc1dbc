//! Cancel against refund, against the Craftgate simulator: a same-day whole refund and a
//! released pre-authorization are `Cancelled`, in the answer and in every later status
//! query; a whole refund after settlement (or on a later day) is `Refunded`.

mod common;

use std::time::Duration;

use common::*;
use odeme_core::{
    CancelRequest, CaptureRequest, Charge, Error, Payment, PaymentStatus, PaymentStatusQuery,
    Refund, RefundKind, RefundRequest, RejectionKind, StatusQuery,
};
use odeme_craftgate::CraftgateGateway;
use odeme_sandbox::ledger::LedgerKind;
use odeme_sandbox::Simulator;

fn cancel_of(payment: &Payment) -> CancelRequest {
    CancelRequest {
        payment_id: payment.id.clone(),
        reason: Some("customer changed mind".into()),
    }
}

/// The payment's status by payment id and by order id, which must agree.
async fn statuses(gw: &CraftgateGateway, payment: &Payment) -> (Payment, Payment) {
    let by_id = gw
        .status(&StatusQuery::PaymentId(payment.id.clone()))
        .await
        .unwrap();
    let by_order = gw
        .status(&StatusQuery::OrderId(payment.order_id.clone()))
        .await
        .unwrap();
    (by_id, by_order)
}

#[tokio::test]
async fn pre_authorization_cancelled_stays_cancelled() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("pre-void");
    let auth = gw
        .charge(&sale(&order, 5000).pre_authorize())
        .await
        .unwrap();
    assert_eq!(auth.status, PaymentStatus::Authorized);

    let cancelled = gw.cancel(&cancel_of(&auth)).await.unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    assert_eq!(cancelled.refunds[0].kind, RefundKind::Cancel);
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Cancel).len(), 1);

    let (by_id, by_order) = statuses(&gw, &auth).await;
    for now in [&by_id, &by_order] {
        assert_eq!(now.status, PaymentStatus::Cancelled);
        assert_eq!(now.id, auth.id);
        // Nothing was captured, so nothing was paid back either.
        assert!(now.captured.is_zero());
        assert!(now.refunded.is_zero());
    }

    // A voided authorization can be neither captured nor refunded.
    let capture = gw
        .capture(&CaptureRequest {
            payment_id: auth.id.clone(),
            amount: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            capture,
            Error::Provider {
                kind: RejectionKind::InvalidState,
                ..
            }
        ),
        "{capture:?}"
    );
    let refund = gw.refund(&RefundRequest::full(&auth.id)).await.unwrap_err();
    assert!(
        matches!(
            refund,
            Error::Provider {
                kind: RejectionKind::InvalidState,
                ..
            }
        ),
        "{refund:?}"
    );
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Capture).len(), 0);
}

#[tokio::test]
async fn pre_authorization_released_days_later_is_still_a_cancel() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let auth = gw
        .charge(&sale(&order("pre-late"), 5000).pre_authorize())
        .await
        .unwrap();
    sim.advance_clock(Duration::from_secs(3 * 24 * 3600));
    let cancelled = gw.cancel(&cancel_of(&auth)).await.unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    let (by_id, _) = statuses(&gw, &auth).await;
    assert_eq!(by_id.status, PaymentStatus::Cancelled);
}

#[tokio::test]
async fn sale_cancelled_on_its_day_is_cancelled() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("sale-void");
    let paid = gw.charge(&sale(&order, 4000)).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);

    let cancelled = gw.cancel(&cancel_of(&paid)).await.unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    assert_eq!(cancelled.refunds[0].kind, RefundKind::Cancel);
    assert_eq!(cancelled.refunds[0].amount, try_(4000));
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Cancel).len(), 1);
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Refund).len(), 0);

    let (by_id, by_order) = statuses(&gw, &paid).await;
    for now in [&by_id, &by_order] {
        assert_eq!(now.status, PaymentStatus::Cancelled);
        assert_eq!(now.refunded, try_(4000));
        assert!(now.refundable().is_zero());
    }
    // The status came from the refund's own record, where Craftgate says CANCEL.
    assert!(
        sim.requests().count_path(&format!(
            "/payment-reporting/v1/payments/{}/refunds",
            paid.id
        )) >= 1
    );
    assert!(sim.requests().count_path("/payment/v1/refunds/") >= 1);

    let again = gw.refund(&RefundRequest::full(&paid.id)).await.unwrap_err();
    assert!(
        matches!(
            again,
            Error::Provider {
                kind: RejectionKind::InvalidState,
                ..
            }
        ),
        "{again:?}"
    );
}

#[tokio::test]
async fn whole_refund_on_its_day_is_a_cancel_too() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&sale(&order("refund-void"), 2500)).await.unwrap();
    let refund = gw.refund(&RefundRequest::full(&paid.id)).await.unwrap();
    assert_eq!(refund.kind, RefundKind::Cancel);
    let (by_id, _) = statuses(&gw, &paid).await;
    assert_eq!(by_id.status, PaymentStatus::Cancelled);
}

#[tokio::test]
async fn settled_sale_refunded_in_full_is_refunded() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("settled-refund");
    let paid = gw.charge(&sale(&order, 6000)).await.unwrap();
    assert!(sim.settle_payment(paid.id.parse().unwrap()));

    let refund = gw.refund(&RefundRequest::full(&paid.id)).await.unwrap();
    assert_eq!(refund.kind, RefundKind::Refund);
    assert_eq!(refund.amount, try_(6000));
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Refund).len(), 1);
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Cancel).len(), 0);

    let (by_id, by_order) = statuses(&gw, &paid).await;
    for now in [&by_id, &by_order] {
        assert_eq!(now.status, PaymentStatus::Refunded);
        assert_eq!(now.refunded, try_(6000));
    }
}

#[tokio::test]
async fn cancelling_a_settled_sale_refunds_it() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw
        .charge(&sale(&order("settled-void"), 3000))
        .await
        .unwrap();
    assert!(sim.settle_payment(paid.id.parse().unwrap()));
    let answer = gw.cancel(&cancel_of(&paid)).await.unwrap();
    assert_eq!(answer.refunds[0].kind, RefundKind::Refund);
    assert_eq!(answer.status, PaymentStatus::Refunded);
    let (by_id, _) = statuses(&gw, &paid).await;
    assert_eq!(by_id.status, PaymentStatus::Refunded);
}

#[tokio::test]
async fn cancelling_on_a_later_day_refunds_it() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&sale(&order("next-day"), 3000)).await.unwrap();
    sim.advance_clock(Duration::from_secs(24 * 3600));
    let answer = gw.cancel(&cancel_of(&paid)).await.unwrap();
    assert_eq!(answer.refunds[0].kind, RefundKind::Refund);
    assert_eq!(answer.status, PaymentStatus::Refunded);
    let (by_id, _) = statuses(&gw, &paid).await;
    assert_eq!(by_id.status, PaymentStatus::Refunded);
}

#[tokio::test]
async fn partial_then_the_rest_on_the_same_day_is_refunded() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&sale(&order("parts"), 10000)).await.unwrap();
    gw.refund(&RefundRequest::partial(&paid.id, try_(3000)))
        .await
        .unwrap();
    let rest = gw.refund(&RefundRequest::full(&paid.id)).await.unwrap();
    assert_eq!(rest.amount, try_(7000));
    let (by_id, _) = statuses(&gw, &paid).await;
    assert_eq!(by_id.status, PaymentStatus::Refunded);
    assert_eq!(by_id.refunded, try_(10000));
}

#[tokio::test]
async fn a_payment_without_refunds_costs_no_refund_lookup() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&sale(&order("plain"), 1000)).await.unwrap();
    let (by_id, _) = statuses(&gw, &paid).await;
    assert_eq!(by_id.status, PaymentStatus::Succeeded);
    assert_eq!(
        sim.requests().count_path(&format!(
            "/payment-reporting/v1/payments/{}/refunds",
            paid.id
        )),
        0
    );
}
