//! Refunds against the PayTR simulator: what PayTR's `/odeme/iade` cannot express is
//! refused before the wire, and every refund carries a `reference_no` to reconcile with.

mod common;

use common::*;
use odeme_core::{
    Charge, Currency, Error, Money, PaymentStatusQuery, Refund, RefundRequest, RejectionKind,
    StatusQuery,
};
use odeme_sandbox::{Fault, LedgerKind, Simulator};
use rust_decimal_macros::dec;

#[tokio::test]
async fn a_partial_refund_in_another_currency_is_refused_before_the_wire() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("X");
    gw.charge(&new_card(&id, dec!(100), OFFICIAL))
        .await
        .unwrap();
    // `/odeme/iade` has no currency: PayTR would return 10 TL, not 10 USD.
    let usd = Money::new(dec!(10), Currency::USD).unwrap();
    let err = gw
        .refund(&RefundRequest::partial(&id, usd))
        .await
        .unwrap_err();
    assert_eq!(err.invalid_field(), Some("amount"), "{err:?}");
    assert_eq!(sim.requests().count_path("/odeme/iade"), 0);
    assert!(sim.ledger().for_order(&id, LedgerKind::Refund).is_empty());
    let now = gw.status(&StatusQuery::OrderId(id)).await.unwrap();
    assert!(now.refunded.is_zero());
}

#[tokio::test]
async fn a_partial_refund_above_what_is_left_is_refused_before_the_wire() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("Y");
    gw.charge(&new_card(&id, dec!(100), OFFICIAL))
        .await
        .unwrap();
    gw.refund(&RefundRequest::partial(&id, try_(dec!(60))))
        .await
        .unwrap();
    let err = gw
        .refund(&RefundRequest::partial(&id, try_(dec!(40.01))))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: odeme_core::RejectionKind::AmountExceeded,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        sim.requests().count_path("/odeme/iade"),
        1,
        "only the first"
    );
    // What is left can still be refunded, and the result says the new total.
    let rest = gw
        .refund(&RefundRequest::partial(&id, try_(dec!(40))))
        .await
        .unwrap();
    assert_eq!(rest.total_refunded, Some(try_(dec!(100))));
}

#[tokio::test]
async fn refunds_without_a_reference_get_distinct_ones_the_status_query_shows() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("Z");
    gw.charge(&new_card(&id, dec!(50), OFFICIAL)).await.unwrap();
    let first = gw
        .refund(&RefundRequest::partial(&id, try_(dec!(5))))
        .await
        .unwrap();
    let second = gw
        .refund(&RefundRequest::partial(&id, try_(dec!(5))))
        .await
        .unwrap();
    let (a, b) = (first.reference.unwrap(), second.reference.unwrap());
    assert_ne!(a, b, "two equal refunds must be told apart");
    for r in [&a, &b] {
        assert!(r.len() <= 64 && r.bytes().all(|c| c.is_ascii_alphanumeric()));
    }
    let now = gw.status(&StatusQuery::OrderId(id)).await.unwrap();
    let listed: Vec<_> = now
        .refunds
        .iter()
        .filter_map(|r| r.reference.clone())
        .collect();
    assert_eq!(listed, vec![a, b]);
}

#[tokio::test]
async fn a_lost_refund_answer_names_the_reference_to_find_in_the_status_query() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("L");
    gw.charge(&new_card(&id, dec!(80), OFFICIAL)).await.unwrap();
    gw.refund(&RefundRequest::partial(&id, try_(dec!(7))))
        .await
        .unwrap();
    sim.faults()
        .inject_on("/odeme/iade", Fault::DropAfterProcessing);
    let err = gw
        .refund(&RefundRequest::partial(&id, try_(dec!(7))))
        .await
        .unwrap_err();
    let Error::UnknownOutcome {
        reference, reason, ..
    } = &err
    else {
        panic!("expected an unknown outcome, got {err:?}");
    };
    assert_eq!(
        reference.as_deref(),
        Some(id.as_str()),
        "the order to query"
    );
    let sent = reason
        .split_whitespace()
        .skip_while(|w| *w != "reference_no")
        .nth(1)
        .map(|w| w.trim_end_matches(':').to_owned())
        .unwrap_or_else(|| panic!("no reference_no in {reason}"));
    // The dropped refund happened; its reference tells it from the equal earlier one.
    let now = gw.status(&StatusQuery::OrderId(id.clone())).await.unwrap();
    assert_eq!(now.refunded, try_(dec!(14)));
    let found: Vec<_> = now
        .refunds
        .iter()
        .filter(|r| r.reference.as_deref() == Some(sent.as_str()))
        .collect();
    assert_eq!(found.len(), 1, "{sent} among {:?}", now.refunds);
    assert_eq!(found[0].amount, try_(dec!(7)));
    assert_eq!(sim.ledger().for_order(&id, LedgerKind::Refund).len(), 2);
}

#[tokio::test]
async fn a_caller_reference_is_sent_as_is() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("M");
    gw.charge(&new_card(&id, dec!(20), OFFICIAL)).await.unwrap();
    let mut request = RefundRequest::partial(&id, try_(dec!(2)));
    request.reference = Some("IADE42".into());
    let refund = gw.refund(&request).await.unwrap();
    assert_eq!(refund.reference.as_deref(), Some("IADE42"));
    let now = gw.status(&StatusQuery::OrderId(id)).await.unwrap();
    assert_eq!(now.refunds[0].reference.as_deref(), Some("IADE42"));
}

#[tokio::test]
async fn a_refund_retried_under_its_reference_after_a_lost_answer_is_made_once() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("Q");
    gw.charge(&new_card(&id, dec!(80), OFFICIAL)).await.unwrap();
    let request = RefundRequest {
        reference: Some("IADE1".into()),
        ..RefundRequest::partial(&id, try_(dec!(7)))
    };
    sim.faults()
        .inject_on("/odeme/iade", Fault::DropAfterProcessing);
    let err = gw.refund(&request).await.unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    // The retry finds the first attempt in the payment and sends nothing.
    let before = sim.requests().count_path("/odeme/iade");
    let again = gw.refund(&request).await.unwrap();
    assert_eq!(sim.requests().count_path("/odeme/iade"), before);
    assert_eq!(again.amount, try_(dec!(7)));
    assert_eq!(again.reference.as_deref(), Some("IADE1"));
    assert_eq!(again.total_refunded, Some(try_(dec!(7))));
    let now = gw.status(&StatusQuery::OrderId(id.clone())).await.unwrap();
    assert_eq!(now.refunded, try_(dec!(7)), "refunded once");
    // The same reference for another amount is another refund under a used name.
    let other = RefundRequest {
        reference: Some("IADE1".into()),
        ..RefundRequest::partial(&id, try_(dec!(8)))
    };
    let err = gw.refund(&other).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::Duplicate,
                ..
            }
        ),
        "{err:?}"
    );
}
