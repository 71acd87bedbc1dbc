//! Tests of refund planning, answers and item refunds.

use super::*;
use odeme_core::{Currency, ItemRefund, PaymentTransaction};
use rust_decimal::Decimal;

fn try_(v: i64) -> Money {
    Money::new(Decimal::new(v, 2), Currency::TRY).unwrap()
}

fn tx(id: &str, paid: i64, refunded: i64) -> PaymentTransaction {
    PaymentTransaction {
        id: id.into(),
        external_id: None,
        name: None,
        price: try_(paid),
        paid_price: try_(paid),
        merchant_payout: None,
        sub_merchant_id: None,
        sub_merchant_payout: None,
        refunded: try_(refunded),
        status: None,
    }
}

fn paid(transactions: Vec<PaymentTransaction>) -> Payment {
    let total: i64 = transactions
        .iter()
        .map(|t| t.paid_price.minor_units().unwrap())
        .sum();
    let refunded: i64 = transactions
        .iter()
        .map(|t| t.refunded.minor_units().unwrap())
        .sum();
    let mut p = Payment::new(
        ProviderId::Craftgate,
        "100",
        "o",
        PaymentStatus::Succeeded,
        try_(total),
    );
    p.captured = try_(total);
    p.refunded = try_(refunded);
    p.transactions = transactions;
    p
}

#[test]
fn amount_is_spread_in_item_order() {
    let p = paid(vec![tx("1", 3000, 0), tx("2", 5000, 0), tx("3", 2000, 0)]);
    let plan = plan_amount(&p, try_(4500)).unwrap();
    let got: Vec<_> = plan
        .iter()
        .map(|s| (s.transaction_id, s.amount.to_decimal_string()))
        .collect();
    assert_eq!(got, [(1, "30.00".to_owned()), (2, "15.00".to_owned())]);
    let plan = plan_amount(&p, try_(1)).unwrap();
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].transaction_id, 1);
}

#[test]
fn refunded_items_are_skipped_and_over_refunds_refused() {
    let p = paid(vec![
        tx("1", 3000, 3000),
        tx("2", 5000, 1500),
        tx("3", 2000, 0),
    ]);
    let plan = plan_amount(&p, try_(4000)).unwrap();
    let got: Vec<_> = plan
        .iter()
        .map(|s| (s.transaction_id, s.amount.to_decimal_string()))
        .collect();
    assert_eq!(got, [(2, "35.00".into()), (3, "5.00".into())]);
    let err = plan_amount(&p, try_(5501)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::AmountExceeded,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(plan_amount(&p, Money::new(Decimal::ONE, Currency::USD).unwrap()).is_err());
}

#[test]
fn named_items() {
    let p = paid(vec![tx("1", 3000, 1000), tx("2", 5000, 0)]);
    let whole_rest = plan_items(
        &p,
        &[ItemRefund {
            transaction_id: "1".into(),
            amount: None,
        }],
    )
    .unwrap();
    assert_eq!(whole_rest[0].amount.to_decimal_string(), "20.00");
    let err = plan_items(
        &p,
        &[ItemRefund {
            transaction_id: "1".into(),
            amount: Some(try_(2001)),
        }],
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::Provider {
            kind: RejectionKind::AmountExceeded,
            ..
        }
    ));
    let err = plan_items(
        &p,
        &[ItemRefund {
            transaction_id: "9".into(),
            amount: None,
        }],
    )
    .unwrap_err();
    assert!(matches!(
        err,
        Error::Provider {
            kind: RejectionKind::NotFound,
            ..
        }
    ));
}

#[test]
fn item_keys_come_from_the_reference_or_are_fresh_never_from_state() {
    assert_eq!(item_key(Some("r-1"), "fresh-a", 7), "r-1:7");
    assert_eq!(item_key(Some("r-1"), "fresh-b", 7), "r-1:7");
    // Two identical refunds without a reference are two refunds: two keys.
    assert_ne!(item_key(None, "fresh-a", 7), item_key(None, "fresh-b", 7));
    assert_eq!(item_key(None, "fresh-a", 7), "refund-tx:7:fresh-a");
    let step = ItemPlan {
        transaction_id: 7,
        amount: try_(1500),
    };
    let call = item_call("100", &step, Some("r-1"), item_key(Some("r-1"), "x", 7)).unwrap();
    assert_eq!(call.idempotency_key.as_deref(), Some("r-1:7"));
    let body: serde_json::Value = serde_json::from_slice(call.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["conversationId"], "r-1");
    assert_eq!(
        whole_call(100, None).unwrap().idempotency_key.as_deref(),
        Some("refund:100:whole")
    );
}

fn tx_refund(json: &str) -> TransactionRefundData {
    serde_json::from_str(json).unwrap()
}

#[test]
fn earlier_refunds_under_the_reference_are_reused() {
    let known = [
        tx_refund(
            r#"{"id":50,"status":"SUCCESS","refundPrice":30,"paymentTransactionId":1,"conversationId":"r-1"}"#,
        ),
        tx_refund(
            r#"{"id":51,"status":"SUCCESS","refundPrice":5,"paymentTransactionId":3,"conversationId":"other"}"#,
        ),
        tx_refund(
            r#"{"id":52,"status":"FAILURE","refundPrice":15,"paymentTransactionId":2,"conversationId":"r-1"}"#,
        ),
        tx_refund(r#"{"id":53,"status":"SUCCESS","refundPrice":2,"paymentTransactionId":2}"#),
    ];
    let (seen, mine) = earlier(&known, Some("r-1"), Currency::TRY).unwrap();
    assert_eq!(seen.len(), 4);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, "50");
    assert_eq!(mine[0].amount, try_(3000));
    // Without a reference nothing is reused, but every id is known.
    let (seen, mine) = earlier(&known, None, Currency::TRY).unwrap();
    assert_eq!((seen.len(), mine.len()), (4, 0));

    let (_, mine) = earlier(&known, Some("r-1"), Currency::TRY).unwrap();
    assert_eq!(rest_of_amount(try_(4500), &mine).unwrap(), try_(1500));
    assert!(rest_of_amount(try_(3000), &mine).unwrap().is_zero());
    let err = rest_of_amount(try_(2000), &mine).unwrap_err();
    assert!(matches!(
        err,
        Error::Provider {
            kind: RejectionKind::Duplicate,
            ..
        }
    ));

    let p = paid(vec![tx("1", 3000, 3000), tx("2", 5000, 0)]);
    let whole_item = |id: &str, amount: Option<Money>| ItemRefund {
        transaction_id: id.into(),
        amount,
    };
    let (reused, plan) = split_items(
        &p,
        &[whole_item("1", None), whole_item("2", Some(try_(1000)))],
        &mine,
    )
    .unwrap();
    assert_eq!(reused.len(), 1);
    assert_eq!(
        plan,
        [ItemPlan {
            transaction_id: 2,
            amount: try_(1000)
        }]
    );
    assert!(split_items(&p, &[whole_item("1", Some(try_(1000)))], &mine).is_err());
}

fn ok_response() -> odeme_core::HttpResponse {
    odeme_core::HttpResponse {
        provider: ProviderId::Craftgate,
        operation: "refund",
        kind: odeme_core::RequestKind::Write,
        reference: Some("100".into()),
        status: 200,
        body: Vec::new(),
    }
}

#[test]
fn a_replayed_or_different_answer_is_never_a_success() {
    let step = ItemPlan {
        transaction_id: 3,
        amount: try_(500),
    };
    let seen: HashSet<String> = ["60".to_owned()].into_iter().collect();
    let answer = tx_refund(r#"{"id":60,"status":"SUCCESS","refundPrice":5.00000000}"#);
    let err = check_answer(&answer, &step, &seen, &ok_response()).unwrap_err();
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
    let answer = tx_refund(r#"{"id":61,"status":"SUCCESS","refundPrice":4.00000000}"#);
    let err = check_answer(&answer, &step, &seen, &ok_response()).unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    let answer = tx_refund(r#"{"id":61,"status":"SUCCESS","refundPrice":5.00000000}"#);
    let made = check_answer(&answer, &step, &seen, &ok_response()).unwrap();
    assert_eq!((made.id.as_str(), made.amount), ("61", try_(500)));
}

#[test]
fn parses_a_documented_refund_shape() {
    let json = r#"{"id":11,"createdDate":"2026-11-24T10:00:00","status":"SUCCESS","refundDestinationType":"PROVIDER","refundPrice":100.00000000,"refundBankPrice":100,"refundWalletPrice":0,"conversationId":null,"authCode":"a","hostReference":"h","transId":"t","paymentId":5,"refundType":"CANCEL","currency":"TRY","paymentTransactionRefunds":[]}"#;
    let r = whole_result(&serde_json::from_str(json).unwrap(), "5", None).unwrap();
    assert_eq!(r.kind, RefundKind::Cancel);
    assert_eq!(r.status, RefundStatus::Succeeded);
    assert_eq!(r.amount.to_decimal_string(), "100.00");
    assert_eq!(r.refund_ids, ["11"]);
    assert_eq!(r.payment_id, "5");
}
