//! The `/odeme` form built and its answer read, field by field.

use super::*;
use crate::client::PaytrConfig;
use odeme_core::{Address, Card, Currency, Customer, Expiry, LineItem, Money};
use rust_decimal_macros::dec;

pub(crate) fn client() -> Client {
    Client::new(
        PaytrConfig::new("100001", "TestMerchantKey1", "TestMerchantSalt")
            .with_test_mode(true)
            .with_return_urls("https://shop.example/ok", "https://shop.example/fail"),
    )
    .unwrap()
}

pub(crate) fn customer() -> Customer {
    Customer::new(
        "Ayşe",
        "Yılmaz",
        "buyer@example.com",
        "85.34.78.112".parse().unwrap(),
    )
    .with_phone("05551112233")
}

pub(crate) fn address() -> Address {
    Address {
        line1: "Örnek Mah. 1".into(),
        city: "İstanbul".into(),
        country: "TR".into(),
        ..Address::default()
    }
}

pub(crate) fn card() -> Card {
    Card::new(
        "4355084355084358",
        Expiry::new(12, 2030).unwrap(),
        "000",
        "PAYTR TEST",
    )
    .unwrap()
}

pub(crate) fn request(amount: rust_decimal::Decimal) -> ChargeRequest {
    let money = Money::new(amount, Currency::TRY).unwrap();
    ChargeRequest::new("ORDER1", money, PaymentSource::NewCard(card()), customer())
        .with_billing(address())
}

#[test]
fn single_payment_posts_and_hashes_zero_installments() {
    let c = client();
    let req = request(dec!(100.99));
    let form = build(&c, &req, Mode::Sync).unwrap();
    assert_eq!(form.get("installment_count"), Some("0"));
    assert_eq!(form.get("payment_amount"), Some("100.99"));
    assert_eq!(form.get("currency"), Some("TL"));
    let expected = c.signer.direct_payment(&DirectHashFields {
        merchant_id: "100001",
        user_ip: "85.34.78.112",
        merchant_oid: "ORDER1",
        email: "buyer@example.com",
        payment_amount: "100.99",
        payment_type: "card",
        installment_count: "0",
        currency: "TL",
        test_mode: "1",
        non_3d: "1",
    });
    assert_eq!(form.get("paytr_token"), Some(expected.as_str()));
    // The known answer of sign.rs for the same strings.
    assert_eq!(expected, "XklntnrDE9HZjOX2ayVvtpHv5my5pPqXAwaYcrwUwt4=");
}

#[test]
fn amounts_always_have_two_decimals_and_a_dot() {
    let (client, req) = (client(), request(dec!(150)));
    let form = build(&client, &req, Mode::Sync).unwrap();
    assert_eq!(form.get("payment_amount"), Some("150.00"));
    assert_eq!(form.get("user_basket"), Some(r#"[["ORDER1","150.00",1]]"#));
}

#[test]
fn basket_from_line_items() {
    let m = |d| Money::new(d, Currency::TRY).unwrap();
    let req = request(dec!(84.50)).with_items(vec![
        LineItem::new("Örnek ürün 1", m(dec!(18)), 1),
        LineItem::new("Örnek ürün 2", m(dec!(33.25)), 2),
    ]);
    let client = client();
    let form = build(&client, &req, Mode::Sync).unwrap();
    assert_eq!(
        form.get("user_basket"),
        Some(r#"[["Örnek ürün 1","18.00",1],["Örnek ürün 2","33.25",2]]"#)
    );
}

#[test]
fn every_ip_address_fits_user_ip() {
    // Why the checks have no length rule for `user_ip` (39 characters): the longest
    // text an address has is eight full groups of an IPv6 address.
    let longest: std::net::IpAddr = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff".parse().unwrap();
    let mapped: std::net::IpAddr = "::ffff:255.255.255.255".parse().unwrap();
    let client = client();
    for ip in [longest, mapped] {
        let mut req = request(dec!(10));
        req.customer.ip = ip;
        let form = build(&client, &req, Mode::Sync).unwrap();
        let sent = form.get("user_ip").unwrap();
        assert_eq!(sent, ip.to_string());
        assert!(sent.chars().count() <= 39, "{sent}");
    }
}

#[test]
fn basket_names_are_json_escaped_as_serde_json_would() {
    let m = |d| Money::new(d, Currency::TRY).unwrap();
    let name = "Kitap \"ikinci\" baskı \\ 2\u{1}";
    let req = request(dec!(7)).with_items(vec![LineItem::new(name, m(dec!(7)), 1)]);
    let client = client();
    let form = build(&client, &req, Mode::Sync).unwrap();
    let expected = serde_json::to_string(&[(name, "7.00", 1)]).unwrap();
    assert_eq!(form.get("user_basket"), Some(expected.as_str()));
    let read: Vec<(String, String, u32)> =
        serde_json::from_str(form.get("user_basket").unwrap()).unwrap();
    assert_eq!(read, vec![(name.to_owned(), "7.00".to_owned(), 1)]);
}

#[test]
fn validation_names_fields_before_the_wire() {
    let c = client();
    let cases: Vec<(ChargeRequest, &str)> = vec![
        (
            {
                let mut r = request(dec!(1));
                r.order_id = "ORDER-1".into();
                r
            },
            "order_id",
        ),
        (
            {
                let mut r = request(dec!(1));
                r.order_id = "A".repeat(65);
                r
            },
            "order_id",
        ),
        (
            {
                let mut r = request(dec!(1));
                r.customer.email = format!("{}@example.com", "a".repeat(95));
                r
            },
            "customer.email",
        ),
        (
            {
                let mut r = request(dec!(1));
                r.customer.first_name = "A".repeat(40);
                r.customer.last_name = "B".repeat(30);
                r
            },
            "customer.name",
        ),
        (
            {
                let mut r = request(dec!(1));
                r.customer.phone = None;
                r
            },
            "customer.phone",
        ),
        (
            {
                let mut r = request(dec!(1));
                r.billing = None;
                r
            },
            "billing",
        ),
        (
            {
                let mut r = request(dec!(1));
                r.billing = Some(Address {
                    line1: "x".repeat(401),
                    ..address()
                });
                r
            },
            "billing",
        ),
        (
            {
                let mut r = request(dec!(1));
                r.amount = Money::new(dec!(1), Currency::JPY).unwrap();
                r
            },
            "amount.currency",
        ),
        (request(dec!(1)).with_installments(3), "metadata.card_type"),
        (
            {
                let mut r = request(dec!(1)).with_installments(3);
                r.metadata.insert("card_type".into(), "gold".into());
                r
            },
            "metadata.card_type",
        ),
        (
            request(dec!(1)).with_three_ds(&format!("https://shop.example/{}", "a".repeat(400))),
            "three_ds.return_url",
        ),
    ];
    for (req, field) in cases {
        let err = build(&c, &req, Mode::Sync).unwrap_err();
        assert_eq!(err.invalid_field(), Some(field), "{err}");
    }
    let amex = Card::new(
        "378282246310005",
        Expiry::new(12, 2030).unwrap(),
        "1234",
        "A B",
    )
    .unwrap();
    let mut req = request(dec!(1));
    req.source = PaymentSource::NewCard(amex);
    assert_eq!(
        build(&c, &req, Mode::Sync).unwrap_err().invalid_field(),
        Some("card.cvc")
    );
}

#[test]
fn installments_post_count_and_card_type() {
    let mut req = request(dec!(100)).with_installments(6);
    req.metadata.insert("card_type".into(), "bonus".into());
    let client = client();
    let form = build(&client, &req, Mode::Sync).unwrap();
    assert_eq!(form.get("installment_count"), Some("6"));
    assert_eq!(form.get("card_type"), Some("bonus"));
}

#[test]
fn pre_authorization_and_splits_are_unsupported() {
    let c = client();
    let err = build(&c, &request(dec!(1)).pre_authorize(), Mode::Sync).unwrap_err();
    assert!(matches!(
        err,
        Error::Unsupported {
            capability: odeme_core::Capability::PreAuthorize,
            ..
        }
    ));
    let m = Money::new(dec!(1), Currency::TRY).unwrap();
    let req = request(dec!(1)).with_items(vec![LineItem::new("x", m, 1).with_split("sub1", m)]);
    let err = build(&c, &req, Mode::Sync).unwrap_err();
    assert!(matches!(
        err,
        Error::Unsupported {
            capability: odeme_core::Capability::SubMerchantSplits,
            ..
        }
    ));
}

#[test]
fn missing_return_urls_are_a_configuration_error() {
    let c = Client::new(PaytrConfig::new("100001", "k", "s")).unwrap();
    assert!(matches!(
        build(&c, &request(dec!(1)), Mode::Sync),
        Err(Error::Configuration(_))
    ));
}

fn odeme_response(status: u16, body: &[u8]) -> HttpResponse {
    HttpResponse {
        provider: ProviderId::Paytr,
        operation: "charge",
        kind: odeme_core::RequestKind::Write,
        reference: Some("O1".into()),
        status,
        body: body.to_vec(),
    }
}

fn read(status: u16, body: &str) -> Result<Payment> {
    read_answer(
        &client(),
        &request(dec!(10)),
        &odeme_response(status, body.as_bytes()),
        false,
    )
}

#[test]
fn unknown_status_word_after_a_charge_is_an_unknown_outcome() {
    let err = read(200, r#"{"status":"under_review"}"#).unwrap_err();
    match err {
        Error::UnknownOutcome { reason, .. } => assert!(reason.contains("under_review")),
        other => panic!("expected UnknownOutcome, got {other:?}"),
    }
}

#[test]
fn wrong_typed_status_after_a_charge_is_an_unknown_outcome() {
    for body in [
        r#"{"status":{"a":1}}"#,
        r#"{"status":["success"]}"#,
        r#"{"status":7}"#,
    ] {
        let err = read(200, body).unwrap_err();
        assert!(err.is_unknown_outcome(), "{body}: {err:?}");
    }
}

#[test]
fn documented_charge_answers_keep_their_meaning() {
    let ok = read(200, r#"{"status":"success"}"#).unwrap();
    assert_eq!(ok.status, PaymentStatus::Succeeded);
    let pending = read(200, r#"{"status":"wait_callback"}"#).unwrap();
    assert_eq!(pending.status, PaymentStatus::Pending);
    let declined = read(200, r#"{"status":"failed","msg":"Yetersiz bakiye"}"#).unwrap_err();
    assert!(matches!(declined, Error::Declined { .. }), "{declined:?}");
    let rejected = read(
        200,
        r#"{"status":"failed","reason":"paytr_token gecersiz"}"#,
    )
    .unwrap_err();
    assert!(
        !rejected.is_unknown_outcome() && !matches!(rejected, Error::Declined { .. }),
        "{rejected:?}"
    );
}

/// A body read as one of the documented `/odeme` success forms.
fn documented_success(body: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
        return false;
    };
    matches!(
        map.get("status").and_then(|s| s.as_str()),
        Some("success" | "wait_callback")
    )
}

/// A body read as the documented `/odeme` refusal form.
fn documented_refusal(body: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
        return false;
    };
    map.get("status").and_then(|s| s.as_str()) == Some("failed")
}

fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        prop_oneof![
            Just("success".to_owned()),
            Just("wait_callback".to_owned()),
            Just("failed".to_owned()),
            Just("error".to_owned()),
            "[a-z_ ]{0,12}",
        ]
        .prop_map(serde_json::Value::from),
        proptest::collection::vec(any::<u8>(), 0..3).prop_map(serde_json::Value::from),
    ]
}

pub(crate) fn answer_body() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let keys = prop_oneof![
        Just("status".to_owned()),
        Just("msg".to_owned()),
        Just("reason".to_owned()),
        Just("err_no".to_owned()),
        Just("err_msg".to_owned()),
        Just("merchant_oid".to_owned()),
        Just("return_amount".to_owned()),
        "[a-z]{1,6}",
    ];
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        proptest::collection::btree_map(keys, json_value(), 0..5).prop_map(|m| {
            serde_json::to_vec(&m.into_iter().collect::<serde_json::Map<_, _>>())
                .unwrap_or_default()
        }),
    ]
}

proptest::proptest! {
    #[test]
    fn charge_reader_is_ok_or_refused_only_for_documented_forms(
        status in 100u16..600,
        body in answer_body(),
    ) {
        let result = read_answer(
            &client(),
            &request(dec!(10)),
            &odeme_response(status, &body),
            false,
        );
        match result {
            Ok(_) => proptest::prop_assert!(documented_success(&body)),
            Err(e @ (Error::Declined { .. } | Error::Provider { .. })) => {
                proptest::prop_assert!(documented_refusal(&body), "{e:?}")
            }
            Err(_) => {}
        }
    }
}
