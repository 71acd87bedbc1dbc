//! Shared set-up of the simulator tests: a simulator, a gateway configured from its
//! credentials, and requests with the simulator's test cards.

#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};

use odeme_core::{
    Card, ChargeRequest, Currency, Customer, Expiry, InboundRequest, Money, PaymentSource,
    StoredCardRef,
};
use odeme_craftgate::{CraftgateConfig, CraftgateGateway};
use odeme_sandbox::craftgate::CraftgateSimulator;
use odeme_sandbox::Simulator;
use rust_decimal::Decimal;

/// The sandbox's success card (YKB World MasterCard, 07/2044, CVC 000).
pub const SUCCESS_CARD: &str = "5258640000000001";
pub const CVC: &str = "000";

pub async fn simulator() -> CraftgateSimulator {
    CraftgateSimulator::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

pub fn config(sim: &CraftgateSimulator) -> CraftgateConfig {
    let c = sim.credentials();
    CraftgateConfig::new(&c.api_key, &c.secret_key)
        .with_base_url(sim.base_url())
        .with_three_ds_callback_key(&c.three_ds_callback_key)
        .with_webhook_key(&c.webhook_key)
}

pub fn gateway(sim: &CraftgateSimulator) -> CraftgateGateway {
    CraftgateGateway::new(config(sim)).unwrap()
}

pub fn try_(minor: i64) -> Money {
    Money::new(Decimal::new(minor, 2), Currency::TRY).unwrap()
}

pub fn card(number: &str) -> Card {
    Card::new(number, Expiry::new(7, 2044).unwrap(), CVC, "Haluk Demir").unwrap()
}

pub fn customer() -> Customer {
    Customer::new(
        "Haluk",
        "Demir",
        "haluk.demir@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
}

pub fn sale(order: &str, minor: i64) -> ChargeRequest {
    sale_with(order, minor, SUCCESS_CARD)
}

pub fn sale_with(order: &str, minor: i64, number: &str) -> ChargeRequest {
    ChargeRequest::new(
        order,
        try_(minor),
        PaymentSource::NewCard(card(number)),
        customer(),
    )
}

pub fn stored_charge(order: &str, minor: i64, card: &StoredCardRef) -> ChargeRequest {
    ChargeRequest::new(
        order,
        try_(minor),
        PaymentSource::StoredCard {
            card: card.clone(),
            cvc: None,
        },
        customer(),
    )
}

/// A unique order id per test run.
pub fn order(prefix: &str) -> String {
    format!("{prefix}-{}", uuid_like())
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{nanos:x}")
}

/// The `action` of the first form in `html` (the simulator's 3-D page posts to the bank).
pub fn form_action(html: &str) -> String {
    let start = html.find("action=\"").expect("a form action") + "action=\"".len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].replace("&amp;", "&")
}

/// Plays the customer on the bank page: approves (or fails) and returns the callback the
/// browser is sent back with, as the merchant's server receives it.
pub async fn bank_page(page_url: &str, approve: bool) -> InboundRequest {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let result = if approve { "success" } else { "failure" };
    let response = client
        .get(format!("{page_url}?result={result}&callback=redirect"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        303,
        "the bank page redirects to the callback"
    );
    let location = response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    InboundRequest::get(query)
}
