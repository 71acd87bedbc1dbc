//! No PAN, CVC, merchant key or salt in the `Debug`/`Display` of anything the adapter
//! hands out: config, gateway, requests, payments, next actions and errors.

mod common;

use common::*;
use odeme_core::{
    Card, Charge, Expiry, InboundRequest, Notifications, PaymentSource, Refund, RefundRequest,
    StoreCardMode,
};
use odeme_paytr::PaytrGateway;
use odeme_sandbox::{Fault, Simulator};
use rust_decimal_macros::dec;

const PAN: &str = "4508034508034509";
const CVC: &str = "987";

fn assert_clean(texts: &[String], secrets: &[&str]) {
    for text in texts {
        for secret in secrets {
            assert!(!shows(text, secret), "{secret:?} leaked in: {text}");
        }
    }
}

/// Whether `text` shows `secret`. A secret as short as a CVC also occurs by chance inside
/// random hex tokens (`58d8c987…`), so it counts only standing alone, as a leaked CVC
/// would (`"987"`, `cvv=987`); longer secrets count anywhere.
fn shows(text: &str, secret: &str) -> bool {
    if secret.len() > 4 {
        return text.contains(secret);
    }
    text.match_indices(secret).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + secret.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[test]
fn a_standalone_cvc_is_found_and_one_inside_a_token_is_not() {
    assert!(shows("cvv=987&x", "987"));
    assert!(shows("\"987\"", "987"));
    assert!(!shows("58d8c98744da", "987"));
    assert!(shows("key SuperSecretKey1", "SuperSecretKey1"));
}

#[tokio::test]
async fn nothing_secret_is_ever_shown() {
    let sim = simulator().await;
    let key = sim.credentials().merchant_key.clone();
    let salt = sim.credentials().merchant_salt.clone();
    let config = config(&sim);
    let gw = PaytrGateway::new(config.clone()).unwrap();
    let card = Card::new(PAN, Expiry::new(12, 2030).unwrap(), CVC, "Jane Doe").unwrap();
    let mut texts = vec![
        format!("{config:?}"),
        format!("{gw:?}"),
        format!("{:?}", gw.config()),
    ];

    let sale = charge(&oid("Z"), dec!(10), PaymentSource::NewCard(card.clone()))
        .with_store_card(StoreCardMode::NewCustomer);
    texts.push(format!("{sale:?}"));
    let payment = gw.charge(&sale).await.unwrap();
    texts.push(format!("{payment:?}"));
    texts.push(serde_json::to_string(&payment).unwrap());

    let three_ds = charge(&oid("Z"), dec!(10), PaymentSource::NewCard(card.clone()))
        .with_three_ds("https://shop.example/ok");
    let action = gw.charge(&three_ds).await.unwrap();
    texts.push(format!("{action:?}"));
    texts.push(serde_json::to_string(&action).unwrap());
    // The form itself must carry the card for the browser; only its shown forms are masked.
    let Some(odeme_core::NextAction::PostForm { fields, .. }) = &action.next_action else {
        panic!("no form")
    };
    assert!(fields
        .iter()
        .any(|f| f.name == "card_number" && f.value == PAN && f.sensitive));
    texts.extend(fields.iter().map(|f| format!("{f:?} {}", f.shown_value())));

    let too_long = Card::new(PAN, Expiry::new(12, 2030).unwrap(), "9876", "Jane Doe").unwrap();
    let invalid = gw
        .charge(&charge(
            &oid("Z"),
            dec!(10),
            PaymentSource::NewCard(too_long),
        ))
        .await
        .unwrap_err();
    texts.push(format!("{invalid:?} {invalid}"));
    let declined = gw
        .charge(&new_card(&oid("Z"), dec!(10), INSUFFICIENT))
        .await
        .unwrap_err();
    texts.push(format!("{declined:?} {declined}"));
    sim.faults().inject_on("/odeme", Fault::MalformedJson);
    let unknown = gw
        .charge(&charge(&oid("Z"), dec!(10), PaymentSource::NewCard(card)))
        .await
        .unwrap_err();
    texts.push(format!("{unknown:?} {unknown}"));
    sim.faults()
        .inject_on("/odeme/iade", Fault::HtmlServerError(500));
    let refund = gw
        .refund(&RefundRequest::partial(&payment.id, try_(dec!(1))))
        .await
        .unwrap_err();
    texts.push(format!("{refund:?} {refund}"));
    let tampered = gw
        .verify_notification(&InboundRequest::post(
            "merchant_oid=A&status=success&total_amount=1&hash=x",
        ))
        .unwrap_err();
    texts.push(format!("{tampered:?} {tampered}"));

    assert_clean(&texts, &[PAN, CVC, "0345080", &key, &salt]);
}
