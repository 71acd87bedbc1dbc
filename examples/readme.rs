//! The README's first example: `cargo run --example readme`. README.md shows this file
//! verbatim and tests/readme_example.rs checks that and runs it, so the two cannot drift.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use odeme::craftgate::{CraftgateConfig, CraftgateGateway};
use odeme::paytr::{PaytrConfig, PaytrGateway};
use odeme::paytrek::{PaytrekConfig, PaytrekGateway};
use odeme::{
    Address, Card, ChargeRequest, Currency, Customer, Error, Expiry, Gateway, GatewayExt, Money,
    PaymentSource, StatusQuery,
};
use odeme_sandbox::{Sandbox, Simulator};

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Charges 100.99 TRY once at `gateway` and says how it ended. The same code for every
/// provider: only the line that builds the gateway differs.
async fn checkout(gateway: &dyn Gateway, order_id: &str, card: Card) -> Result<String, AnyError> {
    // Every provider needs a first name, an e-mail address and the customer's IP address.
    // Paytrek also needs a family name; PayTR a phone number. Craftgate needs neither.
    let ip = IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112));
    let customer =
        Customer::new("Ayse", "Yilmaz", "ayse@example.com", ip).with_phone("+905350000000");
    // Paytrek and PayTR need a billing address; Craftgate does not send one.
    let billing = Address::new("Bagdat Caddesi 1", "Istanbul", "TR").with_postal_code("34710");
    // Exact money: 10099 kuruş is 100.99 TRY (or `Money::new(odeme::Decimal::new(10099, 2), ..)`).
    let amount = Money::from_minor(10099, Currency::TRY)?;
    let request = ChargeRequest::new(order_id, amount, PaymentSource::NewCard(card), customer)
        .with_billing(billing);

    match gateway.require_charges()?.charge(&request).await {
        Ok(paid) => Ok(format!("{} {} ({})", paid.status, paid.amount, paid.id)),
        // A decline is an answer, not a failure: say why, and whether a retry may help.
        Err(Error::Declined(decline)) => Ok(format!("declined: {decline}")),
        // Sent, but no definitive answer: never charge again blindly, ask the provider.
        Err(e) if e.is_unknown_outcome() => {
            let query = StatusQuery::OrderId(order_id.to_owned());
            let now = gateway.require_status_query()?.status(&query).await?;
            Ok(format!("{} after reconciling ({})", now.status, now.id))
        }
        Err(e) => Err(e.into()),
    }
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    // Local simulators of all three providers on 127.0.0.1, with their own credentials. In
    // production, pass your credentials and leave out `with_base_url`.
    let sandbox = Sandbox::start().await?;

    let paytrek = sandbox.paytrek.credentials();
    let paytrek = PaytrekConfig::new(&paytrek.api_key, &paytrek.secret)
        .with_base_url(sandbox.paytrek.base_url());
    let paytr = sandbox.paytr.credentials();
    let (key, salt) = (paytr.merchant_key.as_str(), paytr.merchant_salt.as_str());
    let paytr = PaytrConfig::new(&paytr.merchant_id, key, salt)
        .with_base_url(sandbox.paytr.base_url())
        // PayTR needs its ok/fail return URLs on every charge, even without 3-D Secure.
        .with_return_urls("https://shop.example/paid", "https://shop.example/failed");
    let craftgate = sandbox.craftgate.credentials();
    let craftgate = CraftgateConfig::new(&craftgate.api_key, &craftgate.secret_key)
        .with_base_url(sandbox.craftgate.base_url());

    // One handle type for every provider; a `Router` of several is one too.
    let gateways: [Arc<dyn Gateway>; 3] = [
        Arc::new(PaytrekGateway::new(paytrek)?),
        Arc::new(PaytrGateway::new(paytr)?),
        Arc::new(CraftgateGateway::new(craftgate)?),
    ];
    for (n, gateway) in gateways.iter().enumerate() {
        // A test card each simulator approves (sandbox/docs/ lists the declining ones too).
        let (number, cvc) = match gateway.provider().as_str() {
            "craftgate" => ("5258640000000001", "123"),
            _ => ("4355084355084358", "000"),
        };
        // Card data is checked (Luhn, expiry, CVC) before anything is sent.
        let card = Card::new(number, Expiry::new(12, 2030)?, cvc, "Ayse Yilmaz")?;
        // PayTR takes letters and digits only in an order id.
        let order_id = format!("README{n}");
        let outcome = checkout(gateway.as_ref(), &order_id, card).await?;
        println!("{}: {outcome}", gateway.provider());
    }
    Ok(())
}
