//! Snapshots of every request the adapter can send: method, URL, headers (the signature
//! reduced to its shape) and body (card number and CVC masked), with a pinned random key.

use std::net::{IpAddr, Ipv4Addr};

use odeme_core::{
    Card, CardOwner, ChargeRequest, Currency, Customer, DeleteCardRequest, Expiry, HttpRequest,
    InstallmentQuery, LineItem, ListCardsRequest, Money, PaymentSource, StoreCardMode,
    StoreCardRequest, StoredCardRef,
};
use rust_decimal::Decimal;

use crate::card_payment::{charge_call, post_auth_call, three_ds_init_call, GROUP_SUBSCRIPTION};
use crate::client::{build_request, Call, CraftgateConfig};
use crate::refund::{item_call, item_key, item_refunds_call, whole_call, ItemPlan};
use crate::{cancelled, cards, installments, status, three_ds};

const PAN: &str = "5258640000000001";
const CVC: &str = "000";
const SECRET: &str = "snapshot-secret-key";

fn config() -> CraftgateConfig {
    CraftgateConfig::new("snapshot-api-key", SECRET).with_language("tr")
}

fn money(minor: i64) -> Money {
    Money::new(Decimal::new(minor, 2), Currency::TRY).unwrap()
}

fn card() -> Card {
    Card::new(PAN, Expiry::new(7, 2044).unwrap(), CVC, "Haluk Demir").unwrap()
}

fn customer() -> Customer {
    Customer::new(
        "Haluk",
        "Demir",
        "haluk.demir@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
}

fn sale(order: &str, minor: i64) -> ChargeRequest {
    ChargeRequest::new(
        order,
        money(minor),
        PaymentSource::NewCard(card()),
        customer(),
    )
}

fn stored(order: &str) -> ChargeRequest {
    let card = StoredCardRef::new("card-user-key-1", "card-token-1");
    ChargeRequest::new(
        order,
        money(5000),
        PaymentSource::StoredCard { card, cvc: None },
        customer(),
    )
}

/// The request as a reviewer should see it: no PAN, no CVC, no secret, and the signature
/// only as its shape (it is checked against the official vectors elsewhere).
fn shown(request: &HttpRequest) -> String {
    let mut out = format!("{} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        let value = if *name == "x-signature" {
            assert_eq!(value.len(), 44, "a Base64 SHA-256");
            assert!(value.ends_with('='));
            "<base64 sha-256 of url+api key+secret+x-rnd-key+body>".to_owned()
        } else {
            value.to_string()
        };
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push_str(&format!(
        "kind: {:?}, reference: {:?}\n",
        request.kind, request.reference
    ));
    if let Some(body) = &request.body {
        // The exact bytes sent (and signed), with the card data masked in place.
        let text = String::from_utf8(body.clone()).expect("UTF-8 body");
        serde_json::from_str::<serde_json::Value>(&text).expect("a JSON body");
        let masked = text
            .replace(
                &format!("\"cardNumber\":\"{PAN}\""),
                "\"cardNumber\":\"[PAN]\"",
            )
            .replace(&format!("\"cvc\":\"{CVC}\""), "\"cvc\":\"[CVC]\"");
        out.push('\n');
        out.push_str(&masked);
        out.push('\n');
    }
    assert!(!out.contains(PAN), "PAN leaked:\n{out}");
    assert!(!out.contains(SECRET), "secret leaked:\n{out}");
    assert!(
        !out.contains(&format!("\"cvc\":\"{CVC}\"")),
        "CVC leaked:\n{out}"
    );
    out
}

fn snap(call: &Call) -> String {
    shown(&build_request(&config(), call, "fixed-rnd-key"))
}

#[test]
fn charge_without_items_sends_one_item() {
    insta::assert_snapshot!(
        "charge_single_item",
        snap(&charge_call(&sale("order-1", 10000), "PRODUCT").unwrap())
    );
}

#[test]
fn charge_with_split_items() {
    let items = vec![
        LineItem::new("Pharmaton", money(3000), 1)
            .with_external_id("line-1")
            .with_split("101", money(2700)),
        LineItem::new("Vitamin C", money(2500), 2)
            .with_external_id("line-2")
            .with_split("102", money(4500)),
        LineItem::new("Shipping", money(2000), 1).with_external_id("line-3"),
    ];
    let request = sale("order-2", 10000)
        .with_items(items)
        .with_installments(3);
    insta::assert_snapshot!(
        "charge_split_items",
        snap(&charge_call(&request, "PRODUCT").unwrap())
    );
}

#[test]
fn pre_authorization_and_store_card() {
    let request = sale("order-3", 10000)
        .pre_authorize()
        .with_store_card(StoreCardMode::NewCustomer);
    insta::assert_snapshot!(
        "charge_pre_auth_store_new",
        snap(&charge_call(&request, "PRODUCT").unwrap())
    );
    let request = sale("order-4", 10000)
        .with_store_card(StoreCardMode::ExistingCustomer("card-user-key-1".into()))
        .with_idempotency_key("merchant-key-4");
    insta::assert_snapshot!(
        "charge_store_existing_user",
        snap(&charge_call(&request, "PRODUCT").unwrap())
    );
}

#[test]
fn three_ds_init_and_complete() {
    let request = sale("order-5", 10000).with_three_ds("https://shop.example/3ds/return");
    insta::assert_snapshot!(
        "three_ds_init",
        snap(&three_ds_init_call(&request, "https://shop.example/3ds/return").unwrap())
    );
    insta::assert_snapshot!(
        "three_ds_complete",
        snap(&three_ds::complete_call(1042).unwrap())
    );
}

#[test]
fn stored_card_and_recurring_charges() {
    insta::assert_snapshot!(
        "charge_stored_card",
        snap(&charge_call(&stored("order-6"), "PRODUCT").unwrap())
    );
    insta::assert_snapshot!(
        "recurring_charge",
        snap(&charge_call(&stored("order-7"), GROUP_SUBSCRIPTION).unwrap())
    );
}

#[test]
fn capture_and_lookups() {
    insta::assert_snapshot!(
        "post_auth",
        snap(&post_auth_call(1042, &money(7550)).unwrap())
    );
    insta::assert_snapshot!("retrieve_payment", snap(&status::retrieve_call(1042)));
    insta::assert_snapshot!(
        "retrieve_payment_report",
        snap(&status::reporting_call(1042))
    );
    insta::assert_snapshot!(
        "retrieve_payment_transactions",
        snap(&status::transactions_call(1042))
    );
    insta::assert_snapshot!(
        "search_payments_by_order",
        snap(&status::search_call("order-1"))
    );
}

#[test]
fn refunds() {
    insta::assert_snapshot!("refund_whole", snap(&whole_call(1042, None).unwrap()));
    insta::assert_snapshot!(
        "refund_whole_with_reference",
        snap(&whole_call(1042, Some("refund-ref-1")).unwrap())
    );
    let step = ItemPlan {
        transaction_id: 1043,
        amount: money(1500),
    };
    insta::assert_snapshot!(
        "refund_transaction",
        snap(&item_call("1042", &step, None, item_key(None, "fixed-fresh-key", 1043)).unwrap())
    );
    insta::assert_snapshot!(
        "refund_transaction_with_reference",
        snap(
            &item_call(
                "1042",
                &step,
                Some("refund-ref-1"),
                item_key(Some("refund-ref-1"), "unused", 1043)
            )
            .unwrap()
        )
    );
    insta::assert_snapshot!(
        "search_transaction_refunds",
        snap(&item_refunds_call(1042, 0))
    );
    insta::assert_snapshot!(
        "retrieve_payment_refunds",
        snap(&cancelled::refunds_call(1042))
    );
    insta::assert_snapshot!("retrieve_refund", snap(&cancelled::refund_call("1044")));
}

#[test]
fn card_storage() {
    let request = StoreCardRequest {
        card: card(),
        owner: CardOwner::New {
            external_id: None,
            email: None,
        },
        label: Some("work".into()),
    };
    insta::assert_snapshot!(
        "store_card_new_user",
        snap(&cards::store_call(&request, "store-card:fixed".into()).unwrap())
    );
    let request = StoreCardRequest {
        card: card(),
        owner: CardOwner::Existing("card-user-key-1".into()),
        label: None,
    };
    insta::assert_snapshot!(
        "store_card_existing_user",
        snap(&cards::store_call(&request, "store-card:fixed".into()).unwrap())
    );
    let mut list = ListCardsRequest::new("card-user-key-1");
    list.page = Some(2);
    list.page_size = Some(5);
    insta::assert_snapshot!("list_cards", snap(&cards::list_call(&list)));
    let delete = DeleteCardRequest {
        card: StoredCardRef::new("card-user-key-1", "card-token-1"),
    };
    insta::assert_snapshot!("delete_card", snap(&cards::delete_call(&delete).unwrap()));
}

#[test]
fn installment_lookups() {
    let query = InstallmentQuery {
        bin: Some("525864".into()),
        amount: money(10000),
    };
    insta::assert_snapshot!(
        "installments",
        snap(&installments::installments_call(&query))
    );
    insta::assert_snapshot!("bin_lookup", snap(&installments::bin_call("525864")));
}
