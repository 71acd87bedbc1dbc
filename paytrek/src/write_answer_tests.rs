//! Issue 16 at every write: documented answer forms are read as today, every other form
//! is an unknown outcome keeping the provider's text.

use odeme_core::{
    CompleteThreeDsRequest, Currency, Error, HttpResponse, InboundRequest, Payment, PaymentStatus,
    ProviderId, RefundRequest, RequestKind,
};
use proptest::prelude::*;

use crate::cards::{read_deleted, read_stored_card};
use crate::charge::{check_sale_status, read_charge_answer};
use crate::hosted::read_created_sale;
use crate::recurring::{read_plan_create, read_plan_update};
use crate::refund::read_refund_answer;
use crate::settle::read_settle;
use crate::three_ds::read_completion;
use crate::wire;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../tests/fixtures/", $name))
    };
}

fn answer(operation: &'static str, status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        provider: ProviderId::Paytrek,
        operation,
        kind: RequestKind::Write,
        reference: Some("ref-1".into()),
        status,
        body: body.as_bytes().to_vec(),
    }
}

/// Asserts an unknown outcome whose reason keeps `text` and the HTTP status.
#[track_caller]
fn assert_unknown<T: std::fmt::Debug>(result: odeme_core::Result<T>, text: &str, status: u16) {
    match result {
        Err(Error::UnknownOutcome {
            reason, reference, ..
        }) => {
            assert!(reason.contains(text), "{reason:?} lacks {text:?}");
            assert!(reason.contains(&format!("HTTP {status}")), "{reason:?}");
            assert_eq!(reference.as_deref(), Some("ref-1"));
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
}

fn sale_body(status: &str) -> String {
    format!(
        r#"{{"sale_token":"tok1","order_id":"o-1","currency":"TRY","amount":"24.00","pre_auth":false,"status":{status}}}"#
    )
}

fn charge(status: u16, body: &str) -> odeme_core::Result<Payment> {
    read_charge_answer(
        &answer("charge", status, body),
        Some(Currency::TRY),
        Some("o-1"),
    )
}

#[test]
fn charge_with_an_unknown_or_wrong_typed_status_is_an_unknown_outcome() {
    assert_unknown(
        charge(200, &sale_body(r#""Under Review By Bank""#)),
        "Under Review By Bank",
        200,
    );
    assert_unknown(charge(200, &sale_body("5")), "5", 200);
    assert_unknown(charge(201, &sale_body(r#"{"a":1}"#)), "status", 201);
    // Mapped for reads, but not a documented answer to a charge.
    assert_unknown(charge(200, &sale_body(r#""Refunded""#)), "Refunded", 200);
    // No status word at all and no redirect: nothing says what happened.
    assert_unknown(charge(200, &sale_body("null")), "(none)", 200);
    assert_unknown(
        charge(200, r#"{"sale_token":"t","succeeded":"yes"}"#),
        "yes",
        200,
    );
    assert_unknown(charge(200, "<html>ok</html>"), "unreadable", 200);
    assert_unknown(charge(302, ""), "HTTP 302", 302);
    assert_unknown(charge(500, "oops"), "oops", 500);
}

#[test]
fn a_charge_answer_that_gives_a_field_twice_is_an_unknown_outcome() {
    // Which of the two is meant is not ours to guess: "Paid" after "Declined" would ship
    // goods, "Declined" after "Paid" would retry a charge that went through.
    let body = sale_body(r#""Declined","status":"Paid""#);
    assert_unknown(charge(200, &body), "duplicate field `status`", 200);
    let body = sale_body(r#""Paid","amount":"1.00""#);
    assert_unknown(charge(200, &body), "duplicate field `amount`", 200);
    // The same document with each field once reads as it should.
    assert_eq!(
        charge(200, &sale_body(r#""Paid""#)).unwrap().status,
        PaymentStatus::Succeeded
    );
}

#[test]
fn a_write_answer_that_is_not_an_object_is_an_unknown_outcome() {
    for body in ["[]", "[1,{\"status\":5}]", "true", "3", "\"Paid\"", "null"] {
        assert_unknown(charge(200, body), "answer", 200);
    }
}

#[test]
fn charge_documented_forms_are_read_as_before() {
    let paid = charge(200, &sale_body(r#""Paid""#)).unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    let fixture = charge(201, fixture!("direct_charge.json")).unwrap();
    assert_eq!(fixture.status, PaymentStatus::Succeeded);
    let created = charge(200, &sale_body(r#""Created""#)).unwrap();
    assert_eq!(created.status, PaymentStatus::Pending);
    let redirect = charge(
        200,
        r#"{"sale_token":"t","currency":"TRY","amount":"1.00","forward_url":"https://bank/3d"}"#,
    )
    .unwrap();
    assert_eq!(redirect.status, PaymentStatus::RequiresAction);
    assert!(matches!(
        charge(200, &sale_body(r#""Declined""#)),
        Err(Error::Declined(_))
    ));
    let declined = charge(
        200,
        r#"{"succeeded":false,"error_code":"10020","status":"Under Review"}"#,
    );
    match declined {
        Err(Error::Declined(d)) => assert_eq!(d.provider_code.as_deref(), Some("10020")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        charge(400, r#"{"detail":"bad"}"#),
        Err(Error::Provider {
            http_status: Some(400),
            ..
        })
    ));
}

#[test]
fn a_short_charge_answer_with_an_undocumented_status_is_an_unknown_outcome() {
    // `charge` and `charge_with_token` answer in the short form read by `finish_sale_charge`.
    for (operation, body) in [
        ("charge", fixture!("charge.json")),
        ("charge", fixture!("charge_with_token.json")),
    ] {
        let response = answer(operation, 200, body);
        let sale: wire::Sale = crate::call::read(&response).unwrap();
        assert!(check_sale_status(&sale, &response).is_ok());
    }
    let response = answer("charge", 200, r#"{"succeeded":true,"status":"On Hold"}"#);
    let sale: wire::Sale = crate::call::read(&response).unwrap();
    assert_unknown(check_sale_status(&sale, &response), "On Hold", 200);
    let response = answer("charge", 200, r#"{"succeeded":true,"status":7}"#);
    assert_unknown(crate::call::read::<wire::Sale>(&response), "7", 200);
}

#[test]
fn created_sale_forms() {
    let read = |status: u16, body: &str| {
        read_created_sale(&answer("create_sale", status, body), Currency::TRY, "o-1")
    };
    assert_eq!(
        read(201, fixture!("sale_create.json")).unwrap().status,
        PaymentStatus::Pending
    );
    assert_unknown(read(201, &sale_body(r#""Queued""#)), "Queued", 201);
    assert_unknown(read(201, &sale_body("true")), "true", 201);
}

#[test]
fn settle_answers_only_succeed_when_they_say_so() {
    for operation in ["capture", "cancel"] {
        let read = |body: &str| read_settle(&answer(operation, 200, body));
        assert!(read(fixture!("capture.json")).is_ok());
        assert!(read(fixture!("cancel.json")).is_ok());
        assert_unknown(read(r#"{"succeeded":"true"}"#), "true", 200);
        assert_unknown(read(r#"{"succeeded":1}"#), "1", 200);
        assert_unknown(
            read(r#"{"succeeded":true,"status":"Pending Review"}"#),
            "Pending Review",
            200,
        );
        assert_unknown(read(r#"{"succeeded":true,"status":3}"#), "3", 200);
        assert_unknown(read(r#"{"amount":"24.00"}"#), "succeeded", 200);
        assert!(matches!(
            read(r#"{"succeeded":false,"error_code":"30003"}"#),
            Err(Error::Provider { .. })
        ));
    }
}

fn paid() -> Payment {
    let money = odeme_core::Money::new(rust_decimal_macros::dec!(24.72), Currency::TRY).unwrap();
    let mut payment = Payment::new(
        ProviderId::Paytrek,
        "tok1",
        "o-1",
        PaymentStatus::Succeeded,
        money,
    );
    payment.captured = money;
    payment
}

fn refund(status: u16, body: &str) -> odeme_core::Result<odeme_core::RefundResult> {
    let request = RefundRequest::full("tok1");
    read_refund_answer(&request, &paid(), &answer("refund", status, body))
}

#[test]
fn refund_forms() {
    let done = refund(200, fixture!("refund.json")).unwrap();
    assert_eq!(done.amount.amount(), rust_decimal_macros::dec!(24));
    assert_unknown(
        refund(200, r#"{"succeeded":true,"status":"Queued"}"#),
        "Queued",
        200,
    );
    assert_unknown(
        refund(200, r#"{"succeeded":true,"amount":"lots"}"#),
        "lots",
        200,
    );
    assert_unknown(refund(200, r#"{"succeeded":"no"}"#), "no", 200);
    assert_unknown(refund(502, "gateway"), "gateway", 502);
    assert!(matches!(
        refund(200, r#"{"succeeded":false,"error_message":"not refundable"}"#),
        Err(Error::Provider { ref message, .. }) if message == "not refundable"
    ));
    assert!(matches!(
        refund(400, r#"{"amount":["too big"]}"#),
        Err(Error::Provider { .. })
    ));
}

#[test]
fn plan_creation_forms() {
    let read =
        |body: &str| read_plan_create(&answer("create_plan", 201, body), Currency::TRY, "o-1");
    let plan = read(fixture!("plan_create.json")).unwrap();
    assert!(!plan.id.is_empty());
    let odd = fixture!("plan_create.json").replacen(
        r#""status": "Created""#,
        r#""status": "Scheduled""#,
        1,
    );
    assert_ne!(
        odd,
        fixture!("plan_create.json"),
        "the fixture's first sale is Created"
    );
    assert_unknown(read(&odd), "Scheduled", 201);
}

#[test]
fn plan_cancel_forms() {
    let read = |body: &str| read_plan_update(&answer("cancel_plan", 200, body));
    let plan = read(fixture!("plan_update.json")).unwrap();
    assert!(plan.subscriptions.iter().any(|s| s.cancelled));
    let odd = fixture!("plan_update.json").replacen(r#""Cancelled""#, r#""Paused""#, 1);
    assert_unknown(read(&odd), "Paused", 200);
    let typed = fixture!("plan_update.json").replacen(r#""Cancelled""#, "2", 1);
    assert_unknown(read(&typed), "integer `2`", 200);
}

#[test]
fn card_store_and_delete_forms() {
    let store = |status: u16, body: &str| read_stored_card(&answer("store_card", status, body));
    assert!(store(201, fixture!("vault_create.json")).is_ok());
    assert_unknown(store(201, r#"{"card_token":123}"#), "123", 201);
    assert_unknown(store(500, "down"), "down", 500);
    assert!(matches!(
        store(400, r#"{"number":["bad"]}"#),
        Err(Error::Provider { .. })
    ));
    let delete = |status: u16, body: &str| read_deleted(&answer("delete_card", status, body));
    assert!(delete(204, "").is_ok());
    assert!(matches!(
        delete(404, r#"{"detail":"Not found."}"#),
        Err(Error::Provider { .. })
    ));
    assert_unknown(delete(302, ""), "HTTP 302", 302);
    assert_unknown(delete(503, "busy"), "busy", 503);
}

#[test]
fn three_ds_completion_forms() {
    let request = CompleteThreeDsRequest {
        order_id: Some("o-1".into()),
        payment_id: None,
        callback: InboundRequest::get("token=tok1"),
        currency: Some(Currency::TRY),
    };
    let read = |body: &str| {
        let mut response = answer("get_sale", 200, body);
        response.kind = RequestKind::Read;
        read_completion(&request, &response)
    };
    assert_eq!(
        read(&sale_body(r#""Paid""#)).unwrap().status,
        PaymentStatus::Succeeded
    );
    assert!(matches!(
        read(&sale_body(r#""Declined""#)),
        Err(Error::Declined(_))
    ));
    match read(&sale_body(r#""Under Review By Bank""#)) {
        Err(Error::UnknownOutcome { reason, .. }) => {
            assert!(reason.contains("Under Review By Bank"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        read(&sale_body("9")),
        Err(Error::UnknownOutcome { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Properties over arbitrary answers

const SALE_WORDS: &[&str] = &[
    "Created",
    "Paid",
    "Ready to Send",
    "Authorized",
    "PreAuthorized",
    "Declined",
    "Cancelled",
    "Refunded",
    "Partially Refunded",
    "Failed",
    "Under Review By Bank",
    "",
];

fn key(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A JSON value for a field: absent, null, a string from `words` or arbitrary, or
/// another JSON type.
fn field(words: &'static [&'static str]) -> impl Strategy<Value = Option<serde_json::Value>> {
    use serde_json::Value;
    prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        prop::sample::select(words).prop_map(|w| Some(Value::String(w.to_owned()))),
        "[ -~]{0,24}".prop_map(|s| Some(Value::String(s))),
        any::<i64>().prop_map(|n| Some(Value::from(n))),
        any::<bool>().prop_map(|b| Some(Value::Bool(b))),
        Just(Some(serde_json::json!(["x"]))),
    ]
}

fn amount_field() -> impl Strategy<Value = Option<serde_json::Value>> {
    use serde_json::Value;
    prop_oneof![
        Just(None),
        Just(Some(Value::String("24.00".into()))),
        Just(Some(serde_json::json!(24.72))),
        Just(Some(Value::String("lots".into()))),
        Just(Some(Value::Bool(true))),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let object = (
        field(SALE_WORDS),
        field(SALE_WORDS),
        field(&["true", "false"]),
        field(&["https://bank.example/3d", ""]),
        amount_field(),
        amount_field(),
        field(&["10020", "30003"]),
        field(&["TRY", "USD"]),
    )
        .prop_map(
            |(status, financial, succeeded, forward, amount, refunded, code, currency)| {
                let mut map = serde_json::Map::new();
                map.insert("sale_token".into(), "tok1".into());
                map.insert("order_id".into(), "o-1".into());
                for (name, value) in [
                    ("status", status),
                    ("financial_status", financial),
                    (
                        "succeeded",
                        succeeded.map(|v| match v.as_str() {
                            Some("true") => serde_json::Value::Bool(true),
                            Some("false") => serde_json::Value::Bool(false),
                            _ => v,
                        }),
                    ),
                    ("forward_url", forward),
                    ("amount", amount),
                    ("total_refunded_amount", refunded),
                    ("error_code", code),
                    ("currency", currency),
                ] {
                    if let Some(value) = value {
                        map.insert(name.into(), value);
                    }
                }
                serde_json::to_vec(&serde_json::Value::Object(map)).unwrap_or_default()
            },
        );
    prop_oneof![
        3 => object,
        1 => prop::collection::vec(any::<u8>(), 0..48),
        1 => "[ -~]{0,48}".prop_map(String::into_bytes),
    ]
}

fn http_status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => prop::sample::select(&[200u16, 201, 204][..]),
        1 => prop::sample::select(&[301u16, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502][..]),
        1 => 100u16..600,
    ]
}

fn object(body: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice(body).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

fn text<'a>(map: &'a serde_json::Map<String, serde_json::Value>, name: &str) -> Option<&'a str> {
    map.get(name).and_then(serde_json::Value::as_str)
}

/// Every field the generator may send has its documented JSON type (or is absent/null).
fn well_typed(
    map: &serde_json::Map<String, serde_json::Value>,
    texts: &[&str],
    amounts: &[&str],
) -> bool {
    use serde_json::Value;
    let texts = texts
        .iter()
        .all(|f| matches!(map.get(*f), None | Some(Value::Null | Value::String(_))));
    let succeeded = matches!(
        map.get("succeeded"),
        None | Some(Value::Null | Value::Bool(_))
    );
    let amounts = amounts.iter().all(|f| match map.get(*f) {
        None | Some(Value::Null) => true,
        Some(v @ Value::Number(_)) => crate::wire::parse_amount_text(&v.to_string()).is_ok(),
        Some(Value::String(s)) => s.parse::<rust_decimal::Decimal>().is_ok(),
        _ => false,
    });
    let code = !matches!(
        map.get("error_code"),
        Some(Value::Array(_) | Value::Object(_))
    );
    texts && succeeded && amounts && code
}

const WRITE_TEXTS: &[&str] = &["status", "financial_status", "forward_url", "sale_token"];
const SALE_TEXTS: &[&str] = &[
    "status",
    "financial_status",
    "forward_url",
    "sale_token",
    "currency",
];

/// A sale answer the charge reader can read: documented types, a known currency or none.
fn readable_sale(map: &serde_json::Map<String, serde_json::Value>) -> bool {
    well_typed(map, SALE_TEXTS, &["amount"])
        && text(map, "currency").is_none_or(|c| c.parse::<Currency>().is_ok())
}

/// A settle answer the refund reader can read.
fn readable_settle(map: &serde_json::Map<String, serde_json::Value>) -> bool {
    well_typed(map, WRITE_TEXTS, &["amount", "total_refunded_amount"])
}

fn sale_word(map: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    text(map, "status")
        .filter(|s| !s.trim().is_empty())
        .or_else(|| text(map, "financial_status"))
        .filter(|s| !s.trim().is_empty())
        .map(key)
}

fn redirect(map: &serde_json::Map<String, serde_json::Value>) -> bool {
    text(map, "forward_url").is_some_and(|u| !u.trim().is_empty())
}

/// The documented success, pending and requires-action forms of a `direct_charge` answer.
fn charge_success_form(status: u16, body: &[u8]) -> bool {
    let Some(map) = object(body) else {
        return false;
    };
    let ok_words = [
        "created",
        "paid",
        "readytosend",
        "authorized",
        "preauthorized",
    ];
    (200..300).contains(&status)
        && readable_sale(&map)
        && (redirect(&map)
            || (map.get("succeeded") != Some(&serde_json::Value::Bool(false))
                && sale_word(&map).is_some_and(|w| ok_words.contains(&w.as_str()))))
}

/// The documented refusals of a `direct_charge` answer.
fn charge_refusal_form(status: u16, body: &[u8]) -> bool {
    if (400..500).contains(&status) {
        return true;
    }
    let Some(map) = object(body) else {
        return false;
    };
    // `succeeded: false` needs nothing else of the sale; a `Declined` word needs the sale.
    (200..300).contains(&status)
        && well_typed(&map, SALE_TEXTS, &["amount"])
        && ((map.get("succeeded") == Some(&serde_json::Value::Bool(false)) && !redirect(&map))
            || (readable_sale(&map) && sale_word(&map).as_deref() == Some("declined")))
}

fn refund_success_form(status: u16, body: &[u8]) -> bool {
    let Some(map) = object(body) else {
        return false;
    };
    (200..300).contains(&status)
        && readable_settle(&map)
        && map.get("succeeded") == Some(&serde_json::Value::Bool(true))
        && text(&map, "status").is_none_or(|s| s.trim().is_empty())
}

fn refund_refusal_form(status: u16, body: &[u8]) -> bool {
    if (400..500).contains(&status) {
        return true;
    }
    let Some(map) = object(body) else {
        return false;
    };
    (200..300).contains(&status)
        && readable_settle(&map)
        && map.get("succeeded") == Some(&serde_json::Value::Bool(false))
        && text(&map, "status").is_none_or(|s| s.trim().is_empty())
}

fn response(operation: &'static str, status: u16, body: Vec<u8>) -> HttpResponse {
    HttpResponse {
        provider: ProviderId::Paytrek,
        operation,
        kind: RequestKind::Write,
        reference: Some("ref-1".into()),
        status,
        body,
    }
}

fn check<T: std::fmt::Debug>(
    result: &odeme_core::Result<T>,
    body: &[u8],
    success: bool,
    refusal: bool,
) -> Result<(), TestCaseError> {
    let body = String::from_utf8_lossy(body);
    match result {
        Ok(value) => prop_assert!(success, "Ok({value:?}) for an undocumented form {body}"),
        Err(Error::Declined(_) | Error::Provider { .. } | Error::Authentication { .. }) => {
            prop_assert!(refusal, "{result:?} for {body}, no documented refusal")
        }
        Err(Error::UnknownOutcome { .. }) => {}
        Err(other) => prop_assert!(false, "a write answered {other:?} to {body}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_charge_reader_accepts_only_documented_forms(status in http_status(), body in body()) {
        let result = read_charge_answer(
            &response("charge", status, body.clone()),
            Some(Currency::TRY),
            Some("o-1"),
        );
        check(
            &result,
            &body,
            charge_success_form(status, &body),
            charge_refusal_form(status, &body),
        )?;
    }

    #[test]
    fn the_refund_reader_accepts_only_documented_forms(status in http_status(), body in body()) {
        let request = RefundRequest::full("tok1");
        let result = read_refund_answer(&request, &paid(), &response("refund", status, body.clone()));
        check(
            &result,
            &body,
            refund_success_form(status, &body),
            refund_refusal_form(status, &body),
        )?;
    }
}

/// A wrong-typed value for each kind of field the probe checks.
const WRONG_TEXT: &[&str] = &[
    "5",
    "1.5",
    "true",
    "false",
    "{}",
    r#"{"a":1}"#,
    "[]",
    r#"["x"]"#,
];
const WRONG_BOOL: &[&str] = &["5", "0", r#""true""#, r#""""#, "{}", "[]", "[true]"];

#[test]
fn a_sale_refuses_whatever_the_probe_refuses() {
    let cases = crate::map::TEXT_FIELDS
        .iter()
        .flat_map(|field| WRONG_TEXT.iter().map(move |v| (*field, *v)))
        .chain(WRONG_BOOL.iter().map(|v| ("succeeded", *v)));
    for (field, value) in cases {
        let body = format!(r#"{{"order_id":"o-1","currency":"TRY","{field}":{value}}}"#);
        let r = answer("charge", 200, &body);
        for result in [
            crate::call::read_written::<wire::Sale>(&r).map(|_| ()),
            crate::call::read_sale(&r).map(|_| ()),
        ] {
            assert!(
                matches!(result, Err(Error::UnknownOutcome { .. })),
                "{field}: {value} gave {result:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The one-pass reader of a sale and the probing reader of any write's answer agree on
    /// every answer: both read it, or both give the same kind of error.
    #[test]
    fn reading_a_sale_in_one_pass_changes_no_verdict(status in http_status(), body in body()) {
        let r = response("charge", status, body.clone());
        let probed = crate::call::read_written::<wire::Sale>(&r);
        let one_pass = crate::call::read_sale(&r);
        match (&probed, &one_pass) {
            (Ok(a), Ok(b)) => prop_assert_eq!(format!("{a:?}"), format!("{b:?}")),
            (Err(a), Err(b)) => prop_assert_eq!(a.kind(), b.kind(), "{} / {}", a, b),
            _ => prop_assert!(false, "{probed:?} vs {one_pass:?} for {}", String::from_utf8_lossy(&body)),
        }
    }
}
