//! The field rules of a Direct API `/odeme` request, checked after its token.

// Amounts and expiry years come from clients; checking them may not overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::net::IpAddr;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::amount::parse_major;
use super::form::Form;

/// Card fields of a request that does not pay with a stored card.
#[derive(Clone)]
pub(crate) struct CardInput {
    pub number: String,
    pub owner: String,
    pub month: String,
    pub year: String,
    pub cvv: String,
}

impl std::fmt::Debug for CardInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardInput")
            .field(
                "last4",
                &self.number.get(self.number.len().saturating_sub(4)..),
            )
            .finish()
    }
}

/// How the card is given.
#[derive(Clone)]
pub(crate) enum CardSource {
    /// Card fields in the form.
    Entered(CardInput),
    /// A stored card, with the CVV when one was sent.
    Stored {
        utoken: String,
        ctoken: String,
        cvv: Option<String>,
    },
}

impl std::fmt::Debug for CardSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Entered(card) => f.debug_tuple("Entered").field(card).finish(),
            // The CVV never shows; the tokens are references, not card data.
            Self::Stored {
                utoken,
                ctoken,
                cvv,
            } => f
                .debug_struct("Stored")
                .field("utoken", utoken)
                .field("ctoken", ctoken)
                .field("cvv_sent", &cvv.is_some())
                .finish(),
        }
    }
}

/// A `/odeme` request that passed the field rules.
#[derive(Debug, Clone)]
pub(crate) struct PaymentRequest {
    pub merchant_oid: String,
    pub amount: Decimal,
    pub payment_type: String,
    pub installments: u8,
    /// As notifications spell it (`TL` for `TRY` or empty).
    pub currency: String,
    pub test_mode: bool,
    pub non_3d: bool,
    pub sync_mode: bool,
    pub recurring: bool,
    pub non3d_test_failed: bool,
    /// `Some` when `store_card=1`, with the user to add the card to.
    pub store_card: Option<Option<String>>,
    pub card: CardSource,
    pub ok_url: String,
    pub fail_url: String,
}

const CARD_TYPES: [&str; 9] = [
    "advantage",
    "axess",
    "combo",
    "bonus",
    "cardfinans",
    "maximum",
    "paraf",
    "world",
    "saglamkart",
];

/// PayTR's text for a missing or invalid field (seen in its get-token answers).
pub(crate) fn field_error(field: &str) -> String {
    format!("Zorunlu alan degeri gecersiz veya gönderilmedi. (odeme): {field}")
}

fn one_of<'a>(form: &'a Form, field: &'static str, allowed: &[&str]) -> Result<&'a str, String> {
    let value = form.text(field);
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(field_error(field))
    }
}

fn bounded<'a>(form: &'a Form, field: &'static str, max: usize) -> Result<&'a str, String> {
    let value = form.text(field);
    if value.trim().is_empty() || value.chars().count() > max {
        Err(field_error(field))
    } else {
        Ok(value)
    }
}

fn digits(value: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// `merchant_oid`: 1 to 64 ASCII letters and digits.
pub(crate) fn valid_oid(oid: &str) -> bool {
    (1..=64).contains(&oid.len()) && oid.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn valid_url(value: &str) -> bool {
    value.len() <= 400
        && url::Url::parse(value)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// The basket is raw JSON (HTML-escaped JSON is tolerated): an array of
/// `[name, unit_price, quantity]`.
fn valid_basket(value: &str) -> bool {
    let unescaped = value
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    match serde_json::from_str::<serde_json::Value>(&unescaped) {
        Ok(serde_json::Value::Array(items)) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|item| item.as_array().is_some_and(|line| line.len() == 3))
        }
        _ => false,
    }
}

fn card_input(form: &Form) -> Result<CardInput, String> {
    let owner = bounded(form, "cc_owner", 50)?.to_owned();
    let number = form.text("card_number");
    if !digits(number, 15..=16) {
        return Err(field_error("card_number"));
    }
    let month = form.text("expiry_month");
    let month_ok = digits(month, 1..=2) && month.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m));
    if !month_ok {
        return Err(field_error("expiry_month"));
    }
    let year = form.text("expiry_year");
    if !digits(year, 2..=2) {
        return Err(field_error("expiry_year"));
    }
    let cvv = form.text("cvv");
    if !digits(cvv, 3..=3) {
        return Err(field_error("cvv"));
    }
    Ok(CardInput {
        number: number.to_owned(),
        owner,
        month: format!("{:0>2}", month),
        year: year.to_owned(),
        cvv: cvv.to_owned(),
    })
}

/// Whether a two-digit month and year lie before the current month.
pub(crate) fn expired(month: &str, year: &str, now: OffsetDateTime) -> bool {
    match (month.parse::<i32>(), year.parse::<i32>()) {
        // A year that does not fit is no valid expiry.
        (Ok(month), Ok(year)) => year
            .checked_add(2000)
            .is_none_or(|year| (year, month) < (now.year(), i32::from(u8::from(now.month())))),
        _ => true,
    }
}

/// Checks every field rule of a `/odeme` request.
pub(crate) fn payment_request(form: &Form) -> Result<PaymentRequest, String> {
    let merchant_oid = form.text("merchant_oid");
    if !valid_oid(merchant_oid) {
        return Err(field_error("merchant_oid"));
    }
    let email = bounded(form, "email", 100)?;
    if !email.contains('@') {
        return Err(field_error("email"));
    }
    let ip = form.text("user_ip");
    if ip.len() > 39 || ip.parse::<IpAddr>().is_err() {
        return Err(field_error("user_ip"));
    }
    let amount =
        parse_major(form.text("payment_amount")).ok_or_else(|| field_error("payment_amount"))?;
    let payment_type = one_of(form, "payment_type", &["card", "card_points"])?.to_owned();
    let installments_text = one_of(
        form,
        "installment_count",
        &[
            "0", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
        ],
    )?;
    let installments = installments_text
        .parse::<u8>()
        .map_err(|_| field_error("installment_count"))?;
    let card_type = one_of(form, "card_type", &[&[""][..], &CARD_TYPES[..]].concat())?;
    if installments >= 2 && card_type.is_empty() {
        return Err(field_error("card_type"));
    }
    let currency = match one_of(
        form,
        "currency",
        &["", "TL", "TRY", "USD", "EUR", "GBP", "RUB"],
    )? {
        "" | "TRY" => "TL".to_owned(),
        other => other.to_owned(),
    };
    let flags = ["", "0", "1"];
    for field in [
        "test_mode",
        "non_3d",
        "sync_mode",
        "recurring_payment",
        "recurring",
        "non3d_test_failed",
        "store_card",
        "debug_on",
    ] {
        one_of(form, field, &flags)?;
    }
    one_of(form, "client_lang", &["", "tr", "en"])?;
    let timeout = form.text("timeout_limit");
    if !timeout.is_empty() && !digits(timeout, 1..=4) {
        return Err(field_error("timeout_limit"));
    }
    let ok_url = form.text("merchant_ok_url");
    if !valid_url(ok_url) {
        return Err(field_error("merchant_ok_url"));
    }
    let fail_url = form.text("merchant_fail_url");
    if !valid_url(fail_url) {
        return Err(field_error("merchant_fail_url"));
    }
    bounded(form, "user_name", 60)?;
    bounded(form, "user_address", 400)?;
    bounded(form, "user_phone", 20)?;
    if !valid_basket(form.text("user_basket")) {
        return Err(field_error("user_basket"));
    }
    let utoken = form
        .get("utoken")
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let card = match (utoken.clone(), form.get("ctoken").filter(|t| !t.is_empty())) {
        (Some(utoken), Some(ctoken)) => {
            let cvv = form.get("cvv").filter(|c| !c.is_empty());
            if cvv.is_some_and(|c| !digits(c, 3..=3)) {
                return Err(field_error("cvv"));
            }
            CardSource::Stored {
                utoken,
                ctoken: ctoken.to_owned(),
                cvv: cvv.map(str::to_owned),
            }
        }
        (None, Some(_)) => return Err(field_error("utoken")),
        _ => CardSource::Entered(card_input(form)?),
    };
    let recurring = form.flag("recurring_payment") || form.flag("recurring");
    let non_3d = form.flag("non_3d");
    if recurring && (!non_3d || !matches!(card, CardSource::Stored { .. })) {
        return Err(
            "Tekrarlayan odeme (recurring_payment) icin non_3d=1, utoken ve ctoken gonderilmelidir"
                .into(),
        );
    }
    let sync_mode = form.flag("sync_mode");
    if sync_mode && !non_3d {
        return Err("sync_mode yalnizca Non3D (non_3d=1) islemlerde kullanilabilir".into());
    }
    let test_mode = form.flag("test_mode");
    Ok(PaymentRequest {
        merchant_oid: merchant_oid.to_owned(),
        amount,
        payment_type,
        installments,
        currency,
        test_mode,
        non_3d,
        sync_mode,
        recurring,
        non3d_test_failed: form.flag("non3d_test_failed") && test_mode && non_3d,
        store_card: form.flag("store_card").then_some(utoken),
        card,
        ok_url: ok_url.to_owned(),
        fail_url: fail_url.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("merchant_id", "100001"),
            ("user_ip", "85.34.78.112"),
            ("merchant_oid", "ORDER1"),
            ("email", "buyer@example.com"),
            ("payment_amount", "100.99"),
            ("payment_type", "card"),
            ("installment_count", "0"),
            ("currency", "TL"),
            ("test_mode", "1"),
            ("non_3d", "1"),
            ("merchant_ok_url", "https://shop.example/ok"),
            ("merchant_fail_url", "https://shop.example/fail"),
            ("user_name", "Ayse Yilmaz"),
            ("user_address", "Istanbul"),
            ("user_phone", "05551112233"),
            ("user_basket", "[[\"Kitap\",\"100.99\",1]]"),
            ("cc_owner", "PAYTR TEST"),
            ("card_number", "4355084355084358"),
            ("expiry_month", "12"),
            ("expiry_year", "30"),
            ("cvv", "000"),
        ]
    }

    fn with(changes: &[(&'static str, &'static str)]) -> Result<PaymentRequest, String> {
        let mut pairs = base();
        for (k, v) in changes {
            pairs.retain(|(name, _)| name != k);
            pairs.push((k, v));
        }
        payment_request(&Form::from_pairs(&pairs))
    }

    #[test]
    fn debug_never_shows_card_data() {
        let request = with(&[]).unwrap();
        let text = format!("{request:?}");
        assert!(!text.contains("4355084355084358"));
        assert!(text.contains("4358"));
        let stored = with(&[("utoken", "u"), ("ctoken", "c"), ("cvv", "987")]).unwrap();
        assert!(!format!("{stored:?}").contains("987"));
    }

    #[test]
    fn a_complete_request_passes() {
        let request = with(&[]).unwrap();
        assert_eq!(request.merchant_oid, "ORDER1");
        assert_eq!(request.currency, "TL");
        assert!(matches!(request.card, CardSource::Entered(_)));
    }

    #[test]
    fn each_rule_names_its_field() {
        let long_oid = "A".repeat(65);
        let long_email = format!("{}@x.co", "a".repeat(100));
        let cases: Vec<(&str, String)> = vec![
            ("merchant_oid", "ORDER-1".into()),
            ("merchant_oid", long_oid),
            ("email", long_email),
            ("user_ip", "not-an-ip".into()),
            ("payment_amount", "100,99".into()),
            ("payment_amount", "10099.5".into()),
            ("installment_count", "1".into()),
            ("installment_count", "".into()),
            ("currency", "JPY".into()),
            ("merchant_ok_url", "/relative".into()),
            ("user_phone", "0".repeat(21)),
            ("user_name", "".into()),
            ("user_basket", "W1siS2l0YXAiLCIxMDAuOTkiLDFdXQ==".into()),
            ("card_number", "4355 0843".into()),
            ("expiry_month", "13".into()),
            ("expiry_year", "2030".into()),
            ("cvv", "12".into()),
        ];
        for (field, value) in cases {
            let leaked: &'static str = Box::leak(value.into_boxed_str());
            let error = with(&[(field, leaked)]).unwrap_err();
            assert!(error.ends_with(field), "{field}={leaked}: {error}");
        }
    }

    #[test]
    fn installments_need_a_card_type() {
        assert!(with(&[("installment_count", "3")])
            .unwrap_err()
            .ends_with("card_type"));
        assert_eq!(
            with(&[("installment_count", "3"), ("card_type", "bonus")])
                .unwrap()
                .installments,
            3
        );
    }

    #[test]
    fn recurring_needs_a_stored_card_and_non_3d() {
        assert!(with(&[("recurring_payment", "1")]).is_err());
        let stored = with(&[("recurring_payment", "1"), ("utoken", "u"), ("ctoken", "c")]).unwrap();
        assert!(stored.recurring);
        assert!(matches!(stored.card, CardSource::Stored { .. }));
    }

    #[test]
    fn try_currency_is_tl() {
        assert_eq!(with(&[("currency", "TRY")]).unwrap().currency, "TL");
        assert_eq!(with(&[("currency", "")]).unwrap().currency, "TL");
    }

    #[test]
    fn expiry() {
        let now = time::macros::datetime!(2026-11-24 0:00 UTC);
        assert!(expired("10", "26", now));
        assert!(!expired("11", "26", now));
        assert!(!expired("01", "30", now));
    }
}
