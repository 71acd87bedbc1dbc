//! Issue 16 at Craftgate's writes: the documented answer forms (see the table in `map`)
//! are read as before; every other form is an unknown outcome keeping the provider's text.

use std::collections::HashSet;

use odeme_core::{
    Error, HttpResponse, Payment, PaymentStatus, ProviderId, RefundResult, RequestKind,
};
use proptest::prelude::*;

use crate::card_payment::payment_outcome;
use crate::client::read_data;
use crate::convert::Known;
use crate::errors::ErrorContext;
use crate::refund::{check_answer, whole_result, ItemPlan};
use crate::wire::{PaymentData, PaymentRefundData, TransactionRefundData};

fn answer(operation: &'static str, status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        provider: ProviderId::Craftgate,
        operation,
        kind: RequestKind::Write,
        reference: Some("ref-1".into()),
        status,
        body: body.as_bytes().to_vec(),
    }
}

#[track_caller]
fn assert_unknown<T: std::fmt::Debug>(result: odeme_core::Result<T>, text: &str, status: u16) {
    match result {
        Err(Error::UnknownOutcome { reason, .. }) => {
            assert!(reason.contains(text), "{reason:?} lacks {text:?}");
            assert!(reason.contains(&format!("HTTP {status}")), "{reason:?}");
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
}

fn charge(status: u16, body: &str) -> odeme_core::Result<Payment> {
    let response = answer("charge", status, body);
    let context = ErrorContext::charge("o-1");
    read_data::<PaymentData>(&response, &context)
        .and_then(|data| payment_outcome(data, &response, &Known::default(), &context))
}

fn payment_body(status: &str) -> String {
    format!(
        r#"{{"data":{{"id":12,"price":10,"paidPrice":10,"currency":"TRY","conversationId":"o-1","paymentStatus":{status}}}}}"#
    )
}

#[test]
fn charge_with_an_unknown_or_wrong_typed_status_is_an_unknown_outcome() {
    assert_unknown(
        charge(200, &payment_body(r#""UNDER_REVIEW""#)),
        "UNDER_REVIEW",
        200,
    );
    assert_unknown(charge(200, &payment_body("7")), "HTTP 200", 200);
    assert_unknown(charge(200, &payment_body(r#"{"a":1}"#)), "HTTP 200", 200);
    assert_unknown(charge(200, &payment_body("null")), "(none)", 200);
    assert_unknown(charge(200, r#"{"data":null}"#), "data", 200);
    assert_unknown(charge(200, "<html>ok</html>"), "HTTP 200", 200);
    assert_unknown(charge(404, "<html>not here</html>"), "error body", 404);
}

#[test]
fn charge_documented_forms_are_read_as_before() {
    let paid = charge(200, &payment_body(r#""SUCCESS""#)).unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    let waiting = charge(200, &payment_body(r#""WAITING""#)).unwrap();
    assert_eq!(waiting.status, PaymentStatus::Pending);
    assert!(matches!(
        charge(200, &payment_body(r#""FAILURE""#)),
        Err(Error::Declined(_))
    ));
    let refused = charge(
        400,
        r#"{"errors":{"errorCode":"10051","errorDescription":"Kart limiti yetersiz","errorGroup":"NOT_SUFFICIENT_FUNDS"}}"#,
    );
    assert!(matches!(refused, Err(Error::Declined(_))), "{refused:?}");
    let rejected = charge(
        422,
        r#"{"errors":{"errorCode":"1","errorDescription":"price must be positive"}}"#,
    );
    assert!(
        matches!(rejected, Err(Error::Provider { .. })),
        "{rejected:?}"
    );
}

fn whole(status: u16, body: &str) -> odeme_core::Result<RefundResult> {
    let response = answer("refund", status, body);
    read_data::<PaymentRefundData>(&response, &ErrorContext::payment("5", false)).and_then(|data| {
        whole_result(&data, "5", None).map_err(|reason| response.unreadable(&reason))
    })
}

fn refund_body(status: &str) -> String {
    format!(
        r#"{{"data":{{"id":11,"status":{status},"refundPrice":100,"currency":"TRY","paymentId":5,"refundType":"REFUND"}}}}"#
    )
}

#[test]
fn whole_refund_and_cancel_forms() {
    let done = whole(200, &refund_body(r#""SUCCESS""#)).unwrap();
    assert_eq!(done.status, odeme_core::RefundStatus::Succeeded);
    let waiting = whole(200, &refund_body(r#""WAITING""#)).unwrap();
    assert_eq!(waiting.status, odeme_core::RefundStatus::Pending);
    // Was read as pending before issue 16: a user would wait for a refund that may be done.
    assert_unknown(whole(200, &refund_body(r#""IN_REVIEW""#)), "IN_REVIEW", 200);
    assert_unknown(whole(200, &refund_body("true")), "HTTP 200", 200);
    assert_unknown(whole(200, &refund_body("null")), "(none)", 200);
    assert_unknown(whole(302, ""), "HTTP 302", 302);
}

fn item(status: u16, body: &str) -> odeme_core::Result<crate::refund::Made> {
    let response = answer("refund", status, body);
    let step = ItemPlan {
        transaction_id: 3,
        amount: odeme_core::Money::from_minor(500, odeme_core::Currency::TRY).unwrap(),
    };
    read_data::<TransactionRefundData>(&response, &ErrorContext::payment("5", false))
        .and_then(|data| check_answer(&data, &step, &HashSet::new(), &response))
}

#[test]
fn item_refund_forms() {
    let body = |status: &str| {
        format!(
            r#"{{"data":{{"id":61,"status":{status},"refundPrice":5,"paymentTransactionId":3}}}}"#
        )
    };
    assert!(item(200, &body(r#""SUCCESS""#)).is_ok());
    assert_unknown(item(200, &body(r#""LATER""#)), "LATER", 200);
    assert_unknown(item(200, &body("1")), "HTTP 200", 200);
}

/// The `paymentStatus` / `status` word of a `data` envelope, if it is a string.
fn word(body: &[u8], field: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("data")?.get(field)?.as_str().map(str::to_owned)
}

fn has_errors(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("errors").cloned())
        .is_some_and(|e| e.is_object())
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (-5i64..1_000_000).prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "SUCCESS",
            "FAILURE",
            "WAITING",
            "INIT_THREEDS",
            "CALLBACK_THREEDS",
            "UNDER_REVIEW",
            "TRY",
            "USD",
            "",
            "success",
            "REFUND",
            "CANCEL",
            "10051",
            "NOT_SUFFICIENT_FUNDS",
        ])
        .prop_map(serde_json::Value::from),
    ]
}

fn object(keys: &'static [&'static str]) -> impl Strategy<Value = serde_json::Value> {
    prop::collection::btree_map(prop::sample::select(keys), json_value(), 0..8).prop_map(|m| {
        serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    })
}

/// Arbitrary answers: random bytes, or envelopes built from the fields the readers look at.
fn answer_body() -> impl Strategy<Value = Vec<u8>> {
    const DATA: &[&str] = &[
        "id",
        "price",
        "paidPrice",
        "currency",
        "paymentStatus",
        "status",
        "refundPrice",
        "conversationId",
        "paymentId",
        "refundType",
        "paymentTransactionId",
        "htmlContent",
    ];
    const ERRORS: &[&str] = &["errorCode", "errorDescription", "errorGroup"];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40),
        (object(DATA), prop::option::of(object(ERRORS))).prop_map(|(data, errors)| {
            let mut envelope = serde_json::Map::new();
            envelope.insert("data".into(), data);
            if let Some(errors) = errors {
                envelope.insert("errors".into(), errors);
            }
            serde_json::to_vec(&envelope).unwrap_or_default()
        }),
    ]
}

fn definitive(error: &Error) -> bool {
    matches!(
        error,
        Error::Declined(_) | Error::Provider { .. } | Error::InvalidRequest { .. }
    )
}

proptest! {
    #[test]
    fn a_charge_is_ok_or_refused_only_in_a_documented_form(
        status in 100u16..600,
        body in answer_body(),
    ) {
        let text = String::from_utf8_lossy(&body).into_owned();
        let paid = word(&body, "paymentStatus");
        match charge(status, &text) {
            Ok(payment) => {
                prop_assert!((200..300).contains(&status));
                prop_assert!(!has_errors(&body));
                prop_assert!(paid.as_deref().is_some_and(|w| crate::map::PAYMENT_STATUSES
                    .iter()
                    .any(|(name, s)| *name == w && *s != PaymentStatus::Failed)));
                prop_assert_ne!(payment.status, PaymentStatus::Unknown);
            }
            Err(e) if definitive(&e) => prop_assert!(
                has_errors(&body) || paid.as_deref() == Some("FAILURE"),
                "{e:?}"
            ),
            Err(_) => {}
        }
    }

    #[test]
    fn a_refund_is_ok_or_refused_only_in_a_documented_form(
        status in 100u16..600,
        body in answer_body(),
    ) {
        let text = String::from_utf8_lossy(&body).into_owned();
        let said = word(&body, "status");
        match whole(status, &text) {
            Ok(_) => {
                prop_assert!((200..300).contains(&status));
                prop_assert!(!has_errors(&body));
                prop_assert!(matches!(said.as_deref(), Some("SUCCESS" | "WAITING" | "FAILURE")));
            }
            Err(e) if definitive(&e) => prop_assert!(has_errors(&body), "{e:?}"),
            Err(_) => {}
        }
    }
}
