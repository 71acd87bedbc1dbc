//! Shared set-up for the simulator tests: a gateway pointed at a fresh Paytrek simulator,
//! neutral requests, and a browser for the bank and hosted pages.

#![allow(dead_code)]

use odeme_core::{
    Address, Card, ChargeRequest, Currency, Customer, Expiry, InboundRequest, Money, PaymentSource,
    StoredCardRef,
};
use odeme_paytrek::{PaytrekConfig, PaytrekGateway};
use odeme_sandbox::paytrek::PaytrekSimulator;
use odeme_sandbox::Simulator;
use rust_decimal::Decimal;

/// The document's İşbank test card: approved with CVC 000, not enrolled in 3-D Secure.
pub const VISA: &str = "4508034508034509";
/// The document's Akbank test card: its table gives it the 3-D password `a`.
pub const ENROLLED: &str = "4355084355084358";

pub struct Env {
    pub sim: PaytrekSimulator,
    pub gateway: PaytrekGateway,
}

pub async fn env() -> Env {
    let sim = PaytrekSimulator::start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let credentials = sim.credentials().clone();
    let config =
        PaytrekConfig::new(&credentials.api_key, &credentials.secret).with_base_url(sim.base_url());
    let gateway = PaytrekGateway::new(config).unwrap();
    Env { sim, gateway }
}

pub fn try_money(text: &str) -> Money {
    Money::new(text.parse::<Decimal>().unwrap(), Currency::TRY).unwrap()
}

pub fn card(number: &str, cvc: &str) -> Card {
    Card::new(number, Expiry::new(12, 2030).unwrap(), cvc, "John Doe").unwrap()
}

pub fn customer() -> Customer {
    Customer::new(
        "John",
        "Doe",
        "johndoe@example.com",
        "212.57.9.204".parse().unwrap(),
    )
}

pub fn billing() -> Address {
    Address {
        line1: "123 Market St.".into(),
        line2: None,
        city: "San Francisco".into(),
        state: Some("CA".into()),
        postal_code: None,
        country: "US".into(),
    }
}

pub fn charge(order_id: &str, amount: &str, number: &str, cvc: &str) -> ChargeRequest {
    ChargeRequest::new(
        order_id,
        try_money(amount),
        PaymentSource::NewCard(card(number, cvc)),
        customer(),
    )
    .with_billing(billing())
}

pub fn stored_charge(order_id: &str, amount: &str, stored: &StoredCardRef) -> ChargeRequest {
    ChargeRequest::new(
        order_id,
        try_money(amount),
        PaymentSource::StoredCard {
            card: stored.clone(),
            cvc: None,
        },
        customer(),
    )
    .with_billing(billing())
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Follows the bank page with `result`, returning the redirect back to the merchant as the
/// inbound request the merchant's server would see.
pub async fn bank_page(forward_url: &str, result: &str) -> InboundRequest {
    let separator = if forward_url.contains('?') { '&' } else { '?' };
    let response = browser()
        .get(format!("{forward_url}{separator}result={result}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        302,
        "bank page should redirect back"
    );
    returned(&response)
}

pub fn returned(response: &reqwest::Response) -> InboundRequest {
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let url = url_query(&location);
    InboundRequest::get(&url)
}

fn url_query(location: &str) -> String {
    location
        .split_once('?')
        .map(|(_, q)| q.to_owned())
        .unwrap_or_default()
}
