//! Snapshots of every request the adapter can send, and checks that the document's example
//! bodies come out of the builders.

use std::collections::BTreeMap;

use odeme_core::{
    Address, Card, CardOwner, ChargeRequest, Currency, Customer, Expiry, HttpRequest,
    InstallmentQuery, LineItem, ListCardsRequest, Money, PaymentSource, PlanRequest,
    RecurringPeriod, StoreCardMode, StoreCardRequest, StoredCardRef,
};
use rust_decimal_macros::dec;
use serde_json::{json, Value};

use crate::cards::{delete_card_request, get_card_request, list_cards_request, store_card_request};
use crate::charge::direct_charge_request;
use crate::client::PaytrekConfig;
use crate::hosted::{charge_sale_request, create_sale_request, redirect_url};
use crate::installments::installments_request;
use crate::recurring::{cancel_subscriptions_request, create_plan_request, get_plan_request};
use crate::sale::SaleParts;
use crate::settle::{cancel_request, capture_request, refund_request};
use crate::status::sales_by_order_request;
use crate::stored_charge::charge_with_token_request;

const PAN: &str = "4508034508034509";

fn config() -> PaytrekConfig {
    PaytrekConfig::new("test-api-key", "test-secret")
}

/// The document's card, judged at a date when its 12/2020 expiry was still valid.
fn card() -> Card {
    Card::new_at(
        PAN,
        Expiry::new(12, 2020).unwrap(),
        "000",
        "John Doe",
        2020,
        1,
    )
    .unwrap()
}

fn try_money(amount: rust_decimal::Decimal) -> Money {
    Money::new(amount, Currency::TRY).unwrap()
}

/// The document's direct-charge example as a neutral request.
fn documented_charge() -> ChargeRequest {
    let customer = Customer::new(
        "John",
        "Doe",
        "johndoe@gmail.com",
        "212.57.9.204".parse().unwrap(),
    );
    let mut metadata = BTreeMap::new();
    metadata.insert("merchant_name".to_owned(), "Ted".to_owned());
    let mut request = ChargeRequest::new(
        "1467034250",
        try_money(dec!(24)),
        PaymentSource::NewCard(card()),
        customer,
    )
    .with_billing(Address {
        line1: "123 Market St. San Francisco".into(),
        line2: None,
        city: "San Francisco".into(),
        state: Some("CA".into()),
        postal_code: None,
        country: "US".into(),
    })
    .with_items(vec![LineItem::new("product_name", try_money(dec!(12)), 2)]);
    request.metadata = metadata;
    request
}

/// A request as reviewable text: method, URL, headers with the credentials masked, and
/// the exact body with the card number and CVC masked.
fn render(request: &HttpRequest) -> String {
    let mut out = format!("{} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        let shown = if name.eq_ignore_ascii_case("authorization") {
            "Basic [MASKED]"
        } else {
            value.as_ref()
        };
        out.push_str(&format!("{name}: {shown}\n"));
    }
    out.push_str(&format!(
        "operation: {} ({:?}, reference {})\n",
        request.operation,
        request.kind,
        request.reference.as_deref().unwrap_or("-")
    ));
    if let Some(body) = &request.body {
        let text = String::from_utf8(body.clone()).unwrap();
        let masked = text
            .replace(PAN, "450803******4509")
            .replace("\"cvc\":\"000\"", "\"cvc\":\"***\"");
        out.push('\n');
        out.push_str(&masked);
        out.push('\n');
    }
    assert!(!out.contains(PAN), "PAN in snapshot");
    assert!(
        !out.contains("test-secret") && !out.contains("dGVzdC1hcGkta2V5"),
        "secret in snapshot"
    );
    out
}

fn body(request: &HttpRequest) -> Value {
    serde_json::from_slice(request.body.as_ref().unwrap()).unwrap()
}

/// Drops what the document's examples carry and the adapter deliberately does not send
/// (`photo` of items).
fn without_photos(mut value: Value) -> Value {
    if let Some(items) = value.get_mut("items").and_then(Value::as_array_mut) {
        for item in items {
            if let Some(o) = item.as_object_mut() {
                o.remove("photo");
            }
        }
    }
    value
}

#[test]
fn basic_auth_header_is_sent() {
    let request = capture_request(&config(), "b39887704acb480e81ab8611ae256719").unwrap();
    assert_eq!(
        request.header_value("Authorization"),
        Some("Basic dGVzdC1hcGkta2V5OnRlc3Qtc2VjcmV0")
    );
    assert_eq!(
        request.header_value("Content-Type"),
        Some("application/json")
    );
}

#[test]
fn direct_charge_reproduces_the_documented_example() {
    let request = direct_charge_request(&config(), &documented_charge()).unwrap();
    let documented = json!({
      "amount": 24.0, "order_id": "1467034250", "secure_option": false, "pre_auth": false,
      "number": "4508034508034509", "expiration": "12/2020", "cvc": "000",
      "card_holder_name": "John Doe", "billing_address": "123 Market St. San Francisco",
      "billing_city": "San Francisco", "billing_country": "US", "billing_state": "CA",
      "currency": "TRY", "customer_email": "johndoe@gmail.com", "customer_first_name": "John",
      "customer_ip_address": "212.57.9.204", "customer_last_name": "Doe", "installment": 1,
      "items": [{"unit_price": 12.0, "quantity": 2, "name": "product_name"}],
      "sale_data": {"merchant_name": "Ted"}
    });
    assert_eq!(body(&request), without_photos(documented));
    insta::assert_snapshot!("direct_charge_documented", render(&request));
}

#[test]
fn direct_charge_three_ds_pre_auth_and_save_card() {
    let request = documented_charge()
        .pre_authorize()
        .with_three_ds("https://shop.example/paytrek/return")
        .with_store_card(StoreCardMode::ExistingCustomer(
            "b561169d7a2d467f885a7aedf7b10cf3".into(),
        ))
        .with_installments(3);
    let http = direct_charge_request(&config().with_half_secure(true), &request).unwrap();
    let sent = body(&http);
    assert_eq!(sent["secure_option"], json!(true));
    assert_eq!(sent["half_secure"], json!(true));
    assert_eq!(sent["pre_auth"], json!(true));
    assert_eq!(sent["save_card"], json!(true));
    assert_eq!(
        sent["return_url"],
        json!("https://shop.example/paytrek/return")
    );
    insta::assert_snapshot!("direct_charge_3ds_preauth_save", render(&http));
}

#[test]
fn create_sale_reproduces_the_documented_example() {
    let request = documented_charge();
    let parts = SaleParts::of(&request);
    let http = create_sale_request(&config(), &parts, false, false).unwrap();
    let documented = json!({
      "amount": 24.0, "order_id": "1467034250", "secure_option": false, "pre_auth": false,
      "billing_address": "123 Market St. San Francisco", "billing_city": "San Francisco",
      "billing_country": "US", "billing_state": "CA", "currency": "TRY",
      "customer_email": "johndoe@gmail.com", "customer_first_name": "John",
      "customer_ip_address": "212.57.9.204", "customer_last_name": "Doe", "installment": 1,
      "items": [{"unit_price": 12.0, "quantity": 2, "name": "product_name"}],
      "sale_data": {"merchant_name": "Ted"}
    });
    assert_eq!(body(&http), without_photos(documented));
    assert!(!String::from_utf8(http.body.clone().unwrap())
        .unwrap()
        .contains("number"));
    insta::assert_snapshot!("create_sale_documented", render(&http));
    let hosted = create_sale_request(&config(), &parts, true, false).unwrap();
    assert_eq!(body(&hosted)["hosted_payment"], json!(true));
    insta::assert_snapshot!("create_sale_hosted", render(&hosted));

    let mut secure = crate::HostedSaleRequest::from_charge(
        &request.clone().with_three_ds("https://shop.example/back"),
    );
    secure.capture = odeme_core::CaptureMode::PreAuthorize;
    let three_ds = secure.three_ds_mode();
    let http = create_sale_request(&config(), &secure.parts(&three_ds), true, false).unwrap();
    let sent = body(&http);
    assert_eq!(
        (sent["secure_option"].clone(), sent["pre_auth"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(sent["return_url"], json!("https://shop.example/back"));
    insta::assert_snapshot!("create_sale_hosted_3ds_preauth", render(&http));
    // A hosted sale comes back to its return URL even without 3-D Secure.
    let mut plain = crate::HostedSaleRequest::from_charge(&request);
    plain.return_url = Some("https://shop.example/back".into());
    let off = plain.three_ds_mode();
    let http = create_sale_request(&config(), &plain.parts(&off), true, false).unwrap();
    assert_eq!(
        body(&http)["return_url"],
        json!("https://shop.example/back")
    );
    assert_eq!(body(&http)["secure_option"], json!(false));
}

#[test]
fn charge_sale_reproduces_the_documented_example() {
    let http = charge_sale_request(
        &config(),
        "c626f49193114e24ad0980752b749318",
        &card(),
        false,
    )
    .unwrap();
    let mut documented = json!({
      "number": "4508034508034509", "expiration": "12/2020", "cvc": "000",
      "card_holder_name": "John Doe", "sale_token": "c626f49193114e24ad0980752b749318"
    });
    // Paytrek's `save_card` defaults to true on this endpoint, so false is always sent.
    documented["save_card"] = json!(false);
    assert_eq!(body(&http), documented);
    insta::assert_snapshot!("charge_sale_documented", render(&http));
}

#[test]
fn charge_with_token_reproduces_the_documented_example() {
    let http = charge_with_token_request(
        &config(),
        "5f20ca43d47244509949eb32c80e522a",
        "914dcf0b-236b-44e9-9b31-3925af88cdc5",
    )
    .unwrap();
    assert_eq!(
        body(&http),
        json!({"sale_token": "5f20ca43d47244509949eb32c80e522a", "card_token": "914dcf0b-236b-44e9-9b31-3925af88cdc5"})
    );
    insta::assert_snapshot!("charge_with_token_documented", render(&http));
}

#[test]
fn capture_cancel_refund_reproduce_the_documented_examples() {
    let token = "b39887704acb480e81ab8611ae256719";
    let capture = capture_request(&config(), token).unwrap();
    assert_eq!(body(&capture), json!({"sale_token": token}));
    insta::assert_snapshot!("capture", render(&capture));

    let cancel = cancel_request(&config(), token, Some("testing")).unwrap();
    assert_eq!(
        body(&cancel),
        json!({"sale_token": token, "comments": "testing"})
    );
    insta::assert_snapshot!("cancel_documented", render(&cancel));

    let partial = refund_request(
        &config(),
        token,
        Some(&try_money(dec!(9.70))),
        Some("testing"),
    )
    .unwrap();
    assert_eq!(
        body(&partial),
        json!({"sale_token": token, "amount": 9.70, "comments": "testing"})
    );
    assert!(String::from_utf8(partial.body.clone().unwrap())
        .unwrap()
        .contains("\"amount\":9.70"));
    insta::assert_snapshot!("refund_partial_documented", render(&partial));

    let full = refund_request(&config(), token, None, None).unwrap();
    assert_eq!(body(&full), json!({"sale_token": token}));
    insta::assert_snapshot!("refund_full", render(&full));
}

#[test]
fn vault_requests() {
    let card = Card::new_at(
        PAN,
        Expiry::new(12, 2020).unwrap(),
        "000",
        "Joe Doe",
        2020,
        1,
    )
    .unwrap();
    let store = StoreCardRequest {
        card,
        owner: CardOwner::New {
            external_id: None,
            email: None,
        },
        label: Some("Ted".into()),
    };
    let http = store_card_request(&config(), &store).unwrap();
    assert_eq!(
        body(&http),
        json!({"card_holder_name": "Joe Doe", "number": PAN, "expiration": "12/2020", "cvc": "000", "card_label": "Ted"})
    );
    insta::assert_snapshot!("vault_store_documented", render(&http));

    let existing = StoreCardRequest {
        owner: CardOwner::Existing("10001".into()),
        label: None,
        ..store
    };
    insta::assert_snapshot!(
        "vault_store_existing_user",
        render(&store_card_request(&config(), &existing).unwrap())
    );

    let token = "2b54e2f7-58ad-40e3-9a71-f3bc9333c406";
    insta::assert_snapshot!(
        "vault_get",
        render(&get_card_request(&config(), token).unwrap())
    );
    insta::assert_snapshot!(
        "vault_delete",
        render(&delete_card_request(&config(), token).unwrap())
    );

    let mut list = ListCardsRequest::new("10001");
    insta::assert_snapshot!(
        "vault_list",
        render(&list_cards_request(&config(), &list).unwrap())
    );
    list.label = Some("work card".into());
    list.page = Some(2);
    list.page_size = Some(10);
    insta::assert_snapshot!(
        "vault_list_filtered",
        render(&list_cards_request(&config(), &list).unwrap())
    );
}

#[test]
fn subscription_plan_requests() {
    let mut charge = documented_charge();
    charge.order_id = "20180424141314".into();
    charge.amount = try_money(dec!(100));
    charge.items.clear();
    charge.metadata.clear();
    charge.customer.email = "accept@paytrek.com".into();
    charge.billing = Some(Address {
        line1: "123 Market St. San Francisco".into(),
        line2: None,
        city: "San Francisco".into(),
        state: Some("CA".into()),
        postal_code: Some("34410".into()),
        country: "US".into(),
    });
    let plan = PlanRequest {
        charge: charge.with_three_ds("https://www.google.com.tr/"),
        name: "Test Store Recurring Payments".into(),
        period: RecurringPeriod::Monthly,
        frequency: 4,
        start_date: Some("2018-06-30".into()),
    };
    let http = create_plan_request(&config(), &plan).unwrap();
    let sent = body(&http);
    assert_eq!(
        sent["recurring"],
        json!({"name": "Test Store Recurring Payments", "recurring_period": "Monthly", "start_date": "2018-06-30", "recurring_frequency": 4})
    );
    assert_eq!(sent["save_card"], json!(true));
    assert_eq!(sent["billing_zipcode"], json!("34410"));
    insta::assert_snapshot!("subscription_plan_create", render(&http));

    let token = "d0351fe3-4c05-4611-8c38-c07ff33679e0";
    insta::assert_snapshot!(
        "subscription_plan_get",
        render(&get_plan_request(&config(), token).unwrap())
    );
    let cancel = cancel_subscriptions_request(
        &config(),
        token,
        &["6ac1726c-b8bd-4241-8976-601bcf4e4b75".to_owned()],
    )
    .unwrap();
    assert_eq!(
        body(&cancel),
        json!({"subscriptions": [{"subscription_token": "6ac1726c-b8bd-4241-8976-601bcf4e4b75", "status": "Cancelled"}]})
    );
    insta::assert_snapshot!("subscription_plan_cancel", render(&cancel));
}

#[test]
fn lookups() {
    let query = InstallmentQuery {
        bin: Some("510118".into()),
        amount: try_money(dec!(123)),
    };
    insta::assert_snapshot!(
        "installments",
        render(&installments_request(&config(), &query))
    );
    let all_banks = InstallmentQuery {
        bin: None,
        amount: try_money(dec!(123)),
    };
    insta::assert_snapshot!(
        "installments_all_banks",
        render(&installments_request(&config(), &all_banks))
    );
    insta::assert_snapshot!(
        "sale_get",
        render(
            &crate::call::get_sale_request(&config(), "c626f49193114e24ad0980752b749318").unwrap()
        )
    );
    insta::assert_snapshot!(
        "sale_by_order_id",
        render(&sales_by_order_request(&config(), "order 1/2"))
    );
}

#[test]
fn environments_and_hosted_page() {
    use crate::client::Environment;
    let token = "c626f49193114e24ad0980752b749318";
    assert_eq!(
        redirect_url(&config(), token),
        format!("https://sandbox.paytrek.com/?token={token}")
    );
    let live = config().with_environment(Environment::LiveWorldwide);
    assert_eq!(
        redirect_url(&live, token),
        format!("https://secure.paytrek.com/?token={token}")
    );
    let turkey = config().with_environment(Environment::LiveTurkey);
    assert_eq!(
        capture_request(&turkey, token).unwrap().url,
        "https://secure.paytrek.com.tr/api/v2/capture/"
    );
    let local = turkey.with_base_url("http://127.0.0.1:9999/");
    assert_eq!(
        redirect_url(&local, token),
        format!("http://127.0.0.1:9999/?token={token}")
    );
}

#[test]
fn tokens_are_checked_before_they_reach_a_url() {
    let err = capture_request(&config(), "../vault/x").unwrap_err();
    assert_eq!(err.invalid_field(), Some("payment_id"));
    let err = get_card_request(&config(), "a b").unwrap_err();
    assert_eq!(err.invalid_field(), Some("card_token"));
    let stored = StoredCardRef::new("u", "t");
    assert!(charge_with_token_request(&config(), "s", &stored.card_token).is_ok());
}

#[test]
fn built_requests_show_no_card_data_or_credentials() {
    let charge = direct_charge_request(&config(), &documented_charge()).unwrap();
    let vault = store_card_request(
        &config(),
        &StoreCardRequest {
            card: card(),
            owner: CardOwner::New {
                external_id: None,
                email: None,
            },
            label: None,
        },
    )
    .unwrap();
    for request in [charge, vault] {
        let text = format!("{request:?}");
        assert!(!text.contains(PAN), "{text}");
        assert!(!text.contains("\"cvc\""), "{text}");
        assert!(!text.contains("dGVzdC1hcGkta2V5OnRlc3Qtc2VjcmV0"), "{text}");
        assert!(!text.contains("test-secret"), "{text}");
    }
    let config_text = format!("{:?}", config());
    assert!(!config_text.contains("test-secret") && !config_text.contains("test-api-key"));
}
