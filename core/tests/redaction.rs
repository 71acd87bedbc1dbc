//! The `Debug` and `Display` of requests, cards, secrets, results and every error variant
//! never contain a test PAN, a CVC or a secret.

use std::net::{IpAddr, Ipv4Addr};

use odeme_core::*;
use rust_decimal_macros::dec;

const PAN: &str = "4508034508034509";
const PAN_MIDDLE: &str = "034508";
const CVC: &str = "987";
const SECRET: &str = "sk-very-secret-salt-42";

fn card() -> Card {
    Card::new(PAN, Expiry::new(12, 2099).unwrap(), CVC, "Jane Doe").unwrap()
}

fn customer() -> Customer {
    Customer::new(
        "Jane",
        "Doe",
        "jane@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
}

fn assert_clean(label: &str, text: &str) {
    assert!(!text.contains(PAN), "{label} leaks the PAN: {text}");
    assert!(
        !text.contains(PAN_MIDDLE),
        "{label} leaks the PAN's middle digits: {text}"
    );
    assert!(!text.contains(SECRET), "{label} leaks a secret: {text}");
    // A CVC of 987 must not show as a value; the digits may appear inside other numbers
    // (amounts, dates), so look for it as a standalone token.
    let standalone = text
        .split(|c: char| !c.is_ascii_digit())
        .any(|token| token == CVC);
    assert!(!standalone, "{label} leaks the CVC: {text}");
}

#[test]
fn charge_request_and_card_are_redacted() {
    let amount = Money::new(dec!(100.99), Currency::TRY).unwrap();
    let request = ChargeRequest::new("order1", amount, PaymentSource::NewCard(card()), customer())
        .with_three_ds("https://shop.example/return");
    assert_clean("ChargeRequest Debug", &format!("{request:?}"));
    assert_clean("Card Debug", &format!("{:?}", card()));
    assert_clean("Card Display", &format!("{}", card()));
    assert_clean("CardNumber Display", &format!("{}", card().number()));
    assert_clean("Cvc Debug", &format!("{:?}", card().cvc()));
    let stored = PaymentSource::StoredCard {
        card: StoredCardRef::new("utoken", "ctoken"),
        cvc: Some(Cvc::parse(CVC).unwrap()),
    };
    assert_clean("stored source Debug", &format!("{stored:?}"));
    let store = StoreCardRequest {
        card: card(),
        owner: CardOwner::Existing("u".into()),
        label: None,
    };
    assert_clean("StoreCardRequest Debug", &format!("{store:?}"));
}

#[test]
fn secrets_are_redacted() {
    let secret = Secret::new(SECRET);
    assert_clean("Secret Debug", &format!("{secret:?}"));
    assert_clean("Secret Display", &format!("{secret}"));
}

#[test]
fn next_action_masks_sensitive_form_fields() {
    let action = NextAction::PostForm {
        url: "https://www.paytr.com/odeme".into(),
        fields: vec![
            FormField {
                name: "cc_number".into(),
                value: PAN.into(),
                sensitive: true,
            },
            FormField {
                name: "cvv".into(),
                value: CVC.into(),
                sensitive: true,
            },
            FormField {
                name: "merchant_oid".into(),
                value: "order1".into(),
                sensitive: false,
            },
        ],
    };
    assert_clean("NextAction Debug", &format!("{action:?}"));
    assert_clean("NextAction JSON", &serde_json::to_string(&action).unwrap());
    // The HTML is what the customer's browser posts, so it must carry the card.
    assert!(action.to_html().contains(PAN));
    assert!(format!("{action:?}").contains("merchant_oid=order1"));
}

#[test]
fn every_error_variant_is_redacted() {
    // Errors are built from what adapters pass in; the variants' own text must not invent
    // leaks, and error helpers that carry provider bodies must mask card numbers.
    let response = HttpResponse {
        provider: ProviderId::Paytr,
        operation: "charge",
        kind: RequestKind::Read,
        reference: None,
        status: 400,
        body: format!("{{\"cc_number\":\"{PAN}\"}}").into_bytes(),
    };
    let errors = vec![
        Error::invalid("card.number", "fails the Luhn check"),
        Error::declined(
            Decline::new(ProviderId::Paytrek, DeclineReason::InsufficientFunds)
                .with_provider(Some("10020".into()), Some("Insufficient Limit".into())),
        ),
        Error::Authentication {
            provider: ProviderId::Craftgate,
            message: "invalid signature".into(),
        },
        Error::Configuration("missing merchant key".into()),
        Error::UnknownOutcome {
            provider: ProviderId::Paytr,
            operation: "charge".into(),
            reference: Some("order1".into()),
            reason: "timed out".into(),
        },
        Error::Transport {
            provider: ProviderId::Paytr,
            operation: "status".into(),
            reason: "could not connect".into(),
        },
        Error::Provider {
            provider: ProviderId::Paytr,
            kind: RejectionKind::AmountExceeded,
            code: Some("009".into()),
            message: "Toplam iade tutari odeme tutarindan fazla olamaz".into(),
            http_status: Some(200),
        },
        response.unexpected(),
        Error::unsupported(
            ProviderId::Paytr,
            Capability::StoreCard,
            "PayTR stores cards only during a payment",
        ),
        Error::SignatureMismatch("PayTR notification hash".into()),
    ];
    let mut kinds = std::collections::HashSet::new();
    for error in &errors {
        kinds.insert(error.kind());
        assert_clean("error Debug", &format!("{error:?}"));
        assert_clean("error Display", &format!("{error}"));
    }
    assert_eq!(kinds.len(), 10, "one error of every variant");
}

#[test]
fn http_request_and_response_debug_hide_bodies_and_credentials() {
    let request = HttpRequest::new(
        "POST",
        "https://www.paytr.com/odeme".into(),
        "charge",
        RequestKind::Write,
    )
    .header("Authorization", format!("Basic {SECRET}"))
    .body(format!("cc_number={PAN}&cvv={CVC}").into_bytes());
    assert_clean("HttpRequest Debug", &format!("{request:?}"));
    let response = HttpResponse {
        provider: ProviderId::Paytrek,
        operation: "charge",
        kind: RequestKind::Write,
        reference: None,
        status: 200,
        body: format!("{{\"number\":\"{PAN}\"}}").into_bytes(),
    };
    assert_clean("HttpResponse Debug", &format!("{response:?}"));
}

#[test]
fn errors_built_from_provider_answers_are_redacted() {
    // The paths through which provider text reaches an error: an unreadable answer to a
    // write or a read, and an unexpected status, each with card data echoed in the body.
    let spaced = "4508 0345 0803 4509";
    for body in [
        format!("{{\"number\":\"{PAN}\",\"cvc\":\"{CVC}\""),
        format!("<html>card {spaced} refused</html>"),
        format!("number={PAN}&secret={SECRET}"),
    ] {
        for kind in [RequestKind::Write, RequestKind::Read] {
            let response = HttpResponse {
                provider: ProviderId::Craftgate,
                operation: "charge",
                kind,
                reference: Some("order1".into()),
                status: 502,
                body: body.clone().into_bytes(),
            };
            let unreadable = response.json::<serde_json::Value>().err();
            let errors = [unreadable, Some(response.unexpected())];
            for error in errors.iter().flatten() {
                let text = format!("{error:?} {error}");
                assert!(!text.contains(PAN) && !text.contains(spaced), "{text}");
                assert!(!text.contains("0345 0803"), "{text}");
            }
        }
    }
}

#[test]
fn money_and_items_validation_names_fields() {
    let try_ = |v| Money::new(v, Currency::TRY).unwrap();
    let amount = try_(dec!(30));
    let items = vec![
        LineItem::new("a", try_(dec!(10)), 1),
        LineItem::new("b", try_(dec!(10)), 1),
    ];
    let request = ChargeRequest::new("order1", amount, PaymentSource::NewCard(card()), customer())
        .with_items(items);
    assert_eq!(
        request.validate().unwrap_err().invalid_field(),
        Some("items")
    );
    let ok_items = vec![
        LineItem::new("a", try_(dec!(10)), 2),
        LineItem::new("b", try_(dec!(10)), 1),
    ];
    let request = request.with_items(ok_items);
    assert!(request.validate().is_ok());
    let split = vec![LineItem::new("a", try_(dec!(30)), 1).with_split("sm1", try_(dec!(31)))];
    let request = request.with_items(split);
    assert_eq!(
        request.validate().unwrap_err().invalid_field(),
        Some("items[0].split.payout")
    );
}
