//! Snapshots of every request the adapter can send: method, URL, headers and each form
//! field in order, with the card number and CVV masked (the `paytr_token` is kept: it is
//! an HMAC, not a secret, and pins the exact hashed strings).

use odeme_core::{
    ChargeRequest, Cvc, HttpRequest, Money, PaymentSource, StoreCardMode, StoredCardRef,
};
use rust_decimal_macros::dec;

use crate::payment_form::tests::{client, request};
use crate::payment_form::{browser_fields, build, Mode};
use crate::wire::SENSITIVE_FIELDS;
use crate::{bin_lookup, cards, charge, installments, refund, status};

const PAN: &str = "4355084355084358";

fn render(request: &HttpRequest) -> String {
    let mut out = format!("{} {}\n", request.method, request.url);
    out.push_str(&format!(
        "kind: {:?}, operation: {}, reference: {:?}\n",
        request.kind, request.operation, request.reference
    ));
    for (name, value) in &request.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    let body = request.body.clone().unwrap_or_default();
    for (name, value) in url::form_urlencoded::parse(&body) {
        let shown = if name == "card_number" || name == "cvv" {
            "[MASKED]".to_owned()
        } else {
            value.into_owned()
        };
        out.push_str(&format!("{name}={shown}\n"));
    }
    assert!(!out.contains(PAN), "a snapshot must never hold a PAN");
    out
}

fn sync_charge(req: &ChargeRequest, mode: Mode) -> String {
    let c = client();
    let form = build(&c, req, mode).unwrap();
    let operation = if mode == Mode::Recurring {
        "recurring_charge"
    } else {
        "charge"
    };
    render(&charge::http_request(&c, &form, &req.order_id, operation))
}

fn stored(cvc: Option<&str>) -> ChargeRequest {
    let mut req = request(dec!(49.90));
    req.order_id = "ORDER2".into();
    req.source = PaymentSource::StoredCard {
        card: StoredCardRef::new("UTOKEN123", "CTOKEN456"),
        cvc: cvc.map(|c| Cvc::parse(c).unwrap()),
    };
    req
}

#[test]
fn charge_non_3d_sync() {
    insta::assert_snapshot!(sync_charge(&request(dec!(100.99)), Mode::Sync));
}

#[test]
fn charge_storing_a_first_card() {
    let req = request(dec!(100.99)).with_store_card(StoreCardMode::NewCustomer);
    insta::assert_snapshot!(sync_charge(&req, Mode::Sync));
}

#[test]
fn charge_storing_another_card_for_the_same_user() {
    let req =
        request(dec!(100.99)).with_store_card(StoreCardMode::ExistingCustomer("UTOKEN123".into()));
    insta::assert_snapshot!(sync_charge(&req, Mode::Sync));
}

#[test]
fn charge_in_installments() {
    let mut req = request(dec!(1200)).with_installments(6);
    req.metadata.insert("card_type".into(), "bonus".into());
    insta::assert_snapshot!(sync_charge(&req, Mode::Sync));
}

#[test]
fn charge_stored_card_with_cvv() {
    insta::assert_snapshot!(sync_charge(&stored(Some("000")), Mode::Sync));
}

#[test]
fn charge_stored_card_without_cvv() {
    insta::assert_snapshot!(sync_charge(&stored(None), Mode::Sync));
}

#[test]
fn recurring_charge() {
    insta::assert_snapshot!(sync_charge(&stored(Some("000")), Mode::Recurring));
}

#[test]
fn three_ds_browser_form() {
    let c = client();
    let req = request(dec!(100.99)).with_three_ds("https://shop.example/paytr/ok");
    let form = build(&c, &req, Mode::ThreeDs).unwrap();
    let fields = browser_fields(&form);
    for field in &fields {
        assert_eq!(
            field.sensitive,
            SENSITIVE_FIELDS.contains(&field.name.as_str()),
            "{}",
            field.name
        );
    }
    let action = odeme_core::NextAction::PostForm {
        url: c.url("/odeme"),
        fields,
    };
    let json = serde_json::to_string_pretty(&action).unwrap();
    assert!(!json.contains(PAN) && !json.contains("\"000\""), "{json}");
    insta::assert_snapshot!(json);
}

#[test]
fn three_ds_form_fields_in_order_for_a_stored_card() {
    let c = client();
    let req = stored(Some("000")).with_three_ds("https://shop.example/paytr/ok");
    let form = build(&c, &req, Mode::ThreeDs).unwrap();
    let shown: String = browser_fields(&form)
        .iter()
        .map(|f| {
            format!(
                "{}={}{}\n",
                f.name,
                f.shown_value(),
                if f.sensitive { " (sensitive)" } else { "" }
            )
        })
        .collect();
    assert!(!shown.contains("=000"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn capi_list() {
    insta::assert_snapshot!(render(&cards::list_request(&client(), "UTOKEN123")));
}

#[test]
fn capi_delete() {
    let card = StoredCardRef::new("UTOKEN123", "CTOKEN456");
    insta::assert_snapshot!(render(&cards::delete_request(&client(), &card)));
}

#[test]
fn refund_partial_with_reference() {
    let amount = Money::new(dec!(11.97), odeme_core::Currency::TRY).unwrap();
    insta::assert_snapshot!(render(&refund::refund_request(
        &client(),
        "ORDER1",
        &amount,
        Some("REF1")
    )));
}

#[test]
fn refund_without_reference() {
    let amount = Money::new(dec!(100.99), odeme_core::Currency::TRY).unwrap();
    insta::assert_snapshot!(render(&refund::refund_request(
        &client(),
        "ORDER1",
        &amount,
        None
    )));
}

#[test]
fn status_query() {
    insta::assert_snapshot!(render(&status::status_request(&client(), "ORDER1")));
}

#[test]
fn bin_detail() {
    insta::assert_snapshot!(render(&bin_lookup::bin_request(&client(), "435508")));
}

#[test]
fn installment_rates() {
    insta::assert_snapshot!(render(&installments::rates_request(
        &client(),
        "1700000000000"
    )));
}
