//! The Direct API `/odeme` form shared by new-card, stored-card, 3-D Secure and recurring
//! payments, and the reading of its JSON answer. Building is pure, so tests pin every
//! field exactly.

use std::io::Write as _;

use odeme_core::json::TwoDigits;
use odeme_core::{
    ChargeRequest, Decimal, Decline, Error, FormField, HttpResponse, Payment, PaymentSource,
    PaymentStatus, ProviderId, Result, StoreCardMode, StoredCard, StoredCardRef, ThreeDs,
};

use crate::client::Client;
use crate::map;
use crate::sign::DirectHashFields;
use crate::validate::{self, CARD_TYPE_METADATA};
use crate::wire::{text, Form, OdemeAnswer, SENSITIVE_FIELDS};

/// How the payment is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Non-3D with `sync_mode=1`: PayTR answers with JSON.
    Sync,
    /// 3-D Secure: the customer's browser posts the form to PayTR.
    ThreeDs,
    /// Merchant-initiated on a stored card: `recurring_payment=1` and `recurring=1`,
    /// `non_3d=1`, no CVV, JSON answer.
    Recurring,
}

/// The `user_basket` JSON: `[[name, unit_price, quantity], ...]`, raw (the Direct API does
/// not take the iFrame API's base64), with the whole order as one line when there are no
/// items. Written into one buffer: the amounts straight from their decimals.
pub(crate) fn basket(request: &ChargeRequest) -> Result<String> {
    let room: usize = request.items.iter().map(|i| i.name.len() + 24).sum();
    let mut json = Vec::with_capacity(room + 32);
    json.push(b'[');
    if request.items.is_empty() {
        push_basket_line(&mut json, &request.order_id, request.amount.amount(), 1)?;
    }
    for (i, item) in request.items.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        push_basket_line(
            &mut json,
            &item.name,
            item.unit_price.amount(),
            item.quantity,
        )?;
    }
    json.push(b']');
    String::from_utf8(json).map_err(|_| Error::invalid("items", "cannot be encoded as text"))
}

/// One `[name, unit_price, quantity]` of the basket, appended to `json`.
fn push_basket_line(json: &mut Vec<u8>, name: &str, price: Decimal, quantity: u32) -> Result<()> {
    let cannot =
        |e: &dyn std::fmt::Display| Error::invalid("items", format!("cannot be encoded: {e}"));
    json.push(b'[');
    serde_json::to_writer(&mut *json, name).map_err(|e| cannot(&e))?;
    // A decimal's and a count's digits need no JSON escaping.
    write!(json, ",\"{price}\",{quantity}]").map_err(|e| cannot(&e))
}

/// `merchant_ok_url` and `merchant_fail_url`: the 3-D Secure return URLs when given, else
/// the configured ones (PayTR requires them on every payment).
fn return_urls<'a>(client: &'a Client, request: &'a ChargeRequest) -> Result<(&'a str, &'a str)> {
    match &request.three_ds {
        ThreeDs::Required {
            return_url,
            fail_url,
        } => Ok((return_url, fail_url.as_deref().unwrap_or(return_url))),
        ThreeDs::Off => match (&client.config.ok_url, &client.config.fail_url) {
            (Some(ok), Some(fail)) => Ok((ok, fail)),
            _ => Err(Error::Configuration(
                "PayTR requires merchant_ok_url and merchant_fail_url on every payment: \
                 set PaytrConfig::with_return_urls or give 3-D Secure return URLs"
                    .into(),
            )),
        },
    }
}

/// Validates `request` and builds the `/odeme` form for `mode`, `paytr_token` last.
pub(crate) fn build<'a>(
    client: &'a Client,
    request: &'a ChargeRequest,
    mode: Mode,
) -> Result<Form<'a>> {
    let checked = validate::charge(request)?;
    match (mode, &request.three_ds) {
        (Mode::ThreeDs, ThreeDs::Off) => {
            return Err(Error::invalid(
                "three_ds",
                "a 3-D Secure payment needs return URLs",
            ))
        }
        (Mode::Sync | Mode::Recurring, ThreeDs::Required { .. }) => {
            return Err(Error::invalid(
                "three_ds",
                "this payment is non-3D; 3-D Secure cannot be asked for",
            ))
        }
        _ => {}
    }
    if mode == Mode::Recurring {
        if !matches!(request.source, PaymentSource::StoredCard { .. }) {
            return Err(Error::invalid(
                "source",
                "a recurring charge needs a stored card",
            ));
        }
        if request.installments > 1 {
            return Err(Error::invalid(
                "installments",
                "a recurring charge is a single payment",
            ));
        }
    }
    let (ok_url, fail_url) = return_urls(client, request)?;
    let config = &client.config;
    let user_ip = request.customer.ip.to_string();
    let payment_amount = request.amount.to_decimal_string();
    let installment_count = validate::installment_count(request.installments)?;
    let currency = validate::currency_code(request.amount.currency())?;
    let test_mode = client.test_mode_flag();
    let non_3d = if mode == Mode::ThreeDs { "0" } else { "1" };
    let token = client.signer.direct_payment(&DirectHashFields {
        merchant_id: &config.merchant_id,
        user_ip: &user_ip,
        merchant_oid: &request.order_id,
        email: &request.customer.email,
        payment_amount: &payment_amount,
        payment_type: "card",
        installment_count,
        currency,
        test_mode,
        non_3d,
    });

    let mut form = Form::new();
    form.push("merchant_id", config.merchant_id.as_str());
    form.push("user_ip", user_ip);
    form.push("merchant_oid", request.order_id.as_str());
    form.push("email", request.customer.email.as_str());
    form.push("payment_amount", payment_amount);
    form.push("payment_type", "card");
    form.push("installment_count", installment_count);
    form.push("currency", currency);
    form.push("test_mode", test_mode);
    form.push("non_3d", non_3d);
    if let Some(card_type) = request
        .metadata
        .get(CARD_TYPE_METADATA)
        .filter(|_| request.installments > 1)
    {
        form.push("card_type", card_type.as_str());
    }
    form.push("client_lang", config.language.code());
    form.push("merchant_ok_url", ok_url);
    form.push("merchant_fail_url", fail_url);
    form.push("user_name", checked.name);
    form.push("user_address", checked.address);
    form.push(
        "user_phone",
        request.customer.phone.as_deref().unwrap_or_default(),
    );
    form.push("user_basket", basket(request)?);
    form.push("debug_on", if config.debug_on { "1" } else { "0" });
    if let Some(minutes) = config.timeout_limit {
        form.push("timeout_limit", minutes.to_string());
    }
    match mode {
        Mode::Sync => form.push("sync_mode", "1"),
        Mode::Recurring => {
            // The CAPI document's field table names the flag `recurring`, its PHP sample
            // and the other official samples `recurring_payment`; neither is hashed, so
            // both are posted and PayTR reads whichever it knows.
            form.push("recurring_payment", "1");
            form.push("recurring", "1");
        }
        Mode::ThreeDs => {}
    }
    match &request.source {
        PaymentSource::NewCard(card) => {
            form.push("cc_owner", card.holder_name());
            form.push("card_number", card.number().expose());
            form.push(
                "expiry_month",
                TwoDigits(card.expiry().month().into()).text(),
            );
            form.push("expiry_year", TwoDigits(card.expiry().year_2()).text());
            form.push("cvv", card.cvc().expose());
            match &request.store_card {
                StoreCardMode::No => {}
                StoreCardMode::NewCustomer => form.push("store_card", "1"),
                StoreCardMode::ExistingCustomer(utoken) => {
                    form.push("store_card", "1");
                    form.push("utoken", utoken.as_str());
                }
            }
        }
        PaymentSource::StoredCard { card, cvc } => {
            form.push("utoken", card.customer_token.as_str());
            form.push("ctoken", card.card_token.as_str());
            // A merchant-initiated charge has no customer to give a CVV.
            if let (Some(cvc), false) = (cvc, mode == Mode::Recurring) {
                form.push("cvv", cvc.expose());
            }
        }
    }
    form.push("paytr_token", token);
    Ok(form)
}

/// The form as fields for the customer's browser, card data marked sensitive.
pub(crate) fn browser_fields(form: &Form<'_>) -> Vec<FormField> {
    form.fields()
        .iter()
        .map(|(name, value)| FormField {
            name: (*name).to_owned(),
            value: value.clone().into_owned(),
            sensitive: SENSITIVE_FIELDS.contains(name),
        })
        .collect()
}

/// A payment of `request` in `status`, before PayTR has said more.
pub(crate) fn payment(client: &Client, request: &ChargeRequest, status: PaymentStatus) -> Payment {
    let mut payment = Payment::new(
        ProviderId::Paytr,
        &request.order_id,
        &request.order_id,
        status,
        request.amount,
    );
    if status == PaymentStatus::Succeeded {
        payment.captured = request.amount;
    }
    payment.installments = request.installments;
    payment.test_mode = Some(client.config.test_mode);
    if let PaymentSource::NewCard(card) = &request.source {
        payment.card = Some(card.summary());
    }
    payment
}

fn stored_card(request: &ChargeRequest, utoken: &str, ctoken: &str) -> StoredCard {
    let (summary, month, year) = match &request.source {
        PaymentSource::NewCard(card) => (
            card.summary(),
            Some(card.expiry().month()),
            Some(card.expiry().year()),
        ),
        PaymentSource::StoredCard { .. } => (Default::default(), None, None),
    };
    StoredCard {
        provider: ProviderId::Paytr,
        reference: StoredCardRef::new(utoken, ctoken),
        summary,
        expiry_month: month,
        expiry_year: year,
        label: None,
        // PayTR tells only through capi/list: until the card is listed, assume the CVV is
        // needed (asking for one too many is harmless, a missing one is refused) and say
        // so in `extra`. The charge lists it once (see `charge::complete_stored_card`).
        requires_cvc: true,
        extra: [(REQUIRE_CVV.to_owned(), UNKNOWN.to_owned())].into(),
    }
}

/// The `extra` key of a stored card whose `require_cvv` was not read yet.
pub(crate) const REQUIRE_CVV: &str = "require_cvv";
/// Its value while unknown.
pub(crate) const UNKNOWN: &str = "unknown";

/// Reads `/odeme`'s JSON answer to a sync, stored-card or recurring payment.
pub(crate) fn read_answer(
    client: &Client,
    request: &ChargeRequest,
    response: &HttpResponse,
    recurring: bool,
) -> Result<Payment> {
    let answer: OdemeAnswer = response.json()?;
    let Some(status) = answer.status.as_ref().map(|s| s.as_str().to_owned()) else {
        return Err(response.unreadable("the answer has no status"));
    };
    let normalized = map::payment_status(&status);
    match normalized {
        PaymentStatus::Succeeded | PaymentStatus::Pending => {
            let mut payment = payment(client, request, normalized);
            payment.provider_status = Some(status);
            if let (Some(u), Some(c)) = (&answer.utoken, &answer.ctoken) {
                if !u.as_str().is_empty() && !c.as_str().is_empty() {
                    payment.stored_card = Some(stored_card(request, u.as_str(), c.as_str()));
                }
            }
            Ok(payment)
        }
        PaymentStatus::Failed => Err(failure(&answer, request, recurring)),
        // Issue 16: a status word PayTR does not document is no outcome the caller may
        // act on after a write; the gate turns it into UnknownOutcome with the text.
        _ => {
            let mut payment = payment(client, request, PaymentStatus::Unknown);
            payment.provider_status = Some(status);
            response.accept_payment(payment)
        }
    }
}

/// A `failed` answer: a decline when PayTR reports the bank's `msg`, a refusal when it
/// reports a `reason` (the token, a field, a permission).
fn failure(answer: &OdemeAnswer, request: &ChargeRequest, recurring: bool) -> Error {
    if let (Some(reason), None) = (&answer.reason, &answer.msg) {
        return map::message_error(reason.as_str());
    }
    let message = text(&answer.msg);
    let reason = map::reason_from_message(message);
    let mut decline: Decline = map::decline(
        reason,
        None,
        Some(message).filter(|m| !m.is_empty()),
        &request.order_id,
    );
    if recurring {
        // PayTR's own word on whether sending the same card again may work.
        decline.soft = matches!(text(&answer.try_again), "true" | "1");
    }
    Error::declined(decline)
}

#[cfg(test)]
pub(crate) mod tests {
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
                request(dec!(1))
                    .with_three_ds(&format!("https://shop.example/{}", "a".repeat(400))),
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
}
