//! The wire types read and written alone: exact amounts, text lent from the answer, and
//! the request fields written in place.

use std::borrow::Cow;
use std::net::IpAddr;

use odeme_core::json::DisplayText;
use odeme_core::{Currency, Expiry, Money};
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use crate::wire::*;

#[test]
fn amounts_are_read_exactly_from_strings_and_numbers() {
    #[derive(Deserialize)]
    struct A {
        a: Amount,
        b: Amount,
        c: Option<Amount>,
        d: Option<Amount>,
    }
    let parsed: A = serde_json::from_str(
        r#"{"a": "24.00", "b": 24.72, "c": null, "d": 123456789012345678.99}"#,
    )
    .unwrap();
    assert_eq!(parsed.a.0, dec!(24.00));
    assert_eq!(parsed.b.0, dec!(24.72));
    assert!(parsed.c.is_none());
    // A float would have rounded this; the raw text keeps every digit.
    assert_eq!(parsed.d.unwrap().0.to_string(), "123456789012345678.99");
    assert_eq!(parse_amount_text("1e2").unwrap(), dec!(100));
    assert!(parse_amount_text("\"abc\"").is_err());
    // Escaped digits are unescaped; blanks inside the quotes are trimmed.
    assert_eq!(
        parse_amount_text(r#""\u0032\u0034.50""#).unwrap(),
        dec!(24.50)
    );
    assert_eq!(parse_amount_text(r#"" 24.00 ""#).unwrap(), dec!(24.00));
    assert!(parse_amount_text("true").is_err());
}

#[test]
fn amounts_are_written_as_exact_numbers() {
    #[derive(Serialize)]
    struct B {
        amount: JsonNumber,
    }
    let money = Money::new(dec!(24), Currency::TRY).unwrap();
    let json = serde_json::to_string(&B {
        amount: JsonNumber::money(&money),
    })
    .unwrap();
    assert_eq!(json, r#"{"amount":24.00}"#);
}

#[test]
fn codes_may_be_numbers_or_strings() {
    let e: PaytrekError =
        serde_json::from_str(r#"{"code": 10020, "message": "m", "customer_message": "c"}"#)
            .unwrap();
    assert_eq!(e.code.unwrap().0, "10020");
    let e: PaytrekError = serde_json::from_str(r#"{"code": "UNKNOWN_ERROR"}"#).unwrap();
    assert_eq!(e.code.unwrap().0, "UNKNOWN_ERROR");
    // As written, the same as a sale's codes: never through a float.
    let e: PaytrekError = serde_json::from_str(r#"{"code": 1.50}"#).unwrap();
    assert_eq!(e.code.unwrap().0, "1.50");
    let e: PaytrekError = serde_json::from_str(r#"{"code": null}"#).unwrap();
    assert!(e.code.is_none());
    assert!(serde_json::from_str::<PaytrekError>(r#"{"code": {"a": 1}}"#).is_err());
    // Where a code is required, null is no code.
    assert!(serde_json::from_str::<Text>("null").is_err());
    assert_eq!(serde_json::from_str::<Text>("true").unwrap().0, "true");
}

#[test]
fn text_fields_are_written_in_place_as_the_document_spells_them() {
    #[derive(Serialize)]
    struct B<'a> {
        billing_address: DisplayText<Street<'a>>,
        expiration: DisplayText<Expiration>,
        ip: DisplayText<IpAddr>,
    }
    let json = |line1, line2, month, year| {
        serde_json::to_string(&B {
            billing_address: DisplayText(Street { line1, line2 }),
            expiration: DisplayText(Expiration(Expiry::new(month, year).unwrap())),
            ip: DisplayText("85.34.78.112".parse().unwrap()),
        })
        .unwrap()
    };
    assert_eq!(
        json(" Bagdat Cd. 1 ", Some(" Daire 3 "), 7, 2030),
        r#"{"billing_address":"Bagdat Cd. 1 Daire 3","expiration":"07/2030","ip":"85.34.78.112"}"#
    );
    assert_eq!(
        json("Bagdat \"Cd\"", Some("  "), 12, 2031),
        r#"{"billing_address":"Bagdat \"Cd\"","expiration":"12/2031","ip":"85.34.78.112"}"#
    );
    assert_eq!(
        json("Bagdat", None, 1, 2029),
        r#"{"billing_address":"Bagdat","expiration":"01/2029","ip":"85.34.78.112"}"#
    );
}

#[test]
fn a_sale_lends_its_text_from_the_answer() {
    let body = br#"{"sale_token":"abc","status":"Paid","installment":3,"error_message":"\u00c7ok \"uzun\"","transactions":[{"paytrek_ref_id":"r1","fraud_risk":{"decision":"ACCEPT"}}]}"#;
    let sale: Sale = serde_json::from_slice(body).unwrap();
    assert!(matches!(sale.sale_token, Some(Cow::Borrowed("abc"))));
    assert!(matches!(sale.status, Some(Cow::Borrowed("Paid"))));
    assert_eq!(sale.installment.as_deref(), Some("3"));
    assert!(matches!(sale.error_message, Some(Cow::Owned(_))));
    assert_eq!(sale.error_message.as_deref(), Some("Çok \"uzun\""));
    let transaction = sale.transactions.first().unwrap();
    assert!(matches!(
        transaction.paytrek_ref_id,
        Some(Cow::Borrowed("r1"))
    ));
    assert_eq!(
        transaction.fraud_risk.as_ref().unwrap().decision.as_deref(),
        Some("ACCEPT")
    );
    // A status that is not text is refused, as an `Option<String>` would.
    assert!(serde_json::from_slice::<Sale>(br#"{"status":5}"#).is_err());
}
