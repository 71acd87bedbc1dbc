//! The three providers, their gateways (on a canned server or on a simulator) and the
//! neutral charge every run sends: 24.00 TRY of three items, non-3-D, a new card.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use odeme::craftgate::{CraftgateConfig, CraftgateGateway};
use odeme::paytr::{PaytrConfig, PaytrGateway};
use odeme::paytrek::{PaytrekConfig, PaytrekGateway};
use odeme::{
    Address, Card, ChargeRequest, Currency, Customer, Expiry, Gateway, LineItem, Money,
    PaymentSource,
};
use odeme_sandbox::{Sandbox, Simulator};

use crate::contract::Adapter;
use rust_decimal::Decimal;

/// A provider under measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Provider {
    /// Paytrek v2.
    Paytrek,
    /// PayTR Direct API.
    Paytr,
    /// Craftgate.
    Craftgate,
}

impl Provider {
    /// Every provider, in table order.
    pub const ALL: [Provider; 3] = [Provider::Paytrek, Provider::Paytr, Provider::Craftgate];

    /// The provider's name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Paytrek => "paytrek",
            Provider::Paytr => "paytr",
            Provider::Craftgate => "craftgate",
        }
    }

    /// A test card the simulator approves without 3-D Secure: (number, CVC).
    fn card(self) -> (&'static str, &'static str) {
        match self {
            Provider::Paytrek | Provider::Paytr => ("4355084355084358", "000"),
            Provider::Craftgate => ("5258640000000001", "123"),
        }
    }
}

/// The credentials of the canned runs (a canned server checks none).
#[derive(Debug, Clone, Copy)]
pub struct BenchCredentials {
    /// Paytrek's and Craftgate's API key.
    pub api_key: &'static str,
    /// Paytrek's and Craftgate's secret.
    pub secret: &'static str,
    /// PayTR's merchant id.
    pub merchant_id: &'static str,
    /// PayTR's merchant key.
    pub merchant_key: &'static str,
    /// PayTR's merchant salt.
    pub merchant_salt: &'static str,
    /// PayTR's success return URL.
    pub ok_url: &'static str,
    /// PayTR's failure return URL.
    pub fail_url: &'static str,
}

/// The one set of canned-run credentials.
pub const BENCH_CREDENTIALS: BenchCredentials = BenchCredentials {
    api_key: "bench-key",
    secret: "bench-secret",
    merchant_id: "100001",
    merchant_key: "bench-merchant-key",
    merchant_salt: "bench-merchant-salt",
    ok_url: "http://127.0.0.1:8080/paid",
    fail_url: "http://127.0.0.1:8080/failed",
};

/// A gateway of `provider` sending to `base_url` with [`BENCH_CREDENTIALS`].
pub fn canned_gateway(provider: Provider, base_url: &str) -> odeme::Result<Arc<dyn Gateway>> {
    let c = BENCH_CREDENTIALS;
    Ok(match provider {
        Provider::Paytrek => Arc::new(PaytrekGateway::new(
            PaytrekConfig::new(c.api_key, c.secret).with_base_url(base_url),
        )?),
        Provider::Paytr => Arc::new(PaytrGateway::new(paytr_config(
            c.merchant_id,
            c.merchant_key,
            c.merchant_salt,
            base_url,
        ))?),
        Provider::Craftgate => Arc::new(CraftgateGateway::new(
            CraftgateConfig::new(c.api_key, c.secret).with_base_url(base_url),
        )?),
    })
}

/// What the adapter of `provider` needs to check a charge and map its answer, configured as
/// [`canned_gateway`] configures the gateway (see `contract`).
pub fn canned_adapter(provider: Provider, base_url: &str) -> odeme::Result<Adapter> {
    let c = BENCH_CREDENTIALS;
    Ok(match provider {
        Provider::Paytrek => Adapter::Paytrek(Box::new(
            PaytrekConfig::new(c.api_key, c.secret).with_base_url(base_url),
        )),
        Provider::Paytr => Adapter::Paytr(Box::new(PaytrGateway::new(paytr_config(
            c.merchant_id,
            c.merchant_key,
            c.merchant_salt,
            base_url,
        ))?)),
        Provider::Craftgate => Adapter::Craftgate,
    })
}

/// A gateway of `provider` on the sandbox's simulator, with its test credentials.
pub fn sandbox_gateway(provider: Provider, sandbox: &Sandbox) -> odeme::Result<Arc<dyn Gateway>> {
    Ok(match provider {
        Provider::Paytrek => {
            let c = sandbox.paytrek.credentials();
            Arc::new(PaytrekGateway::new(
                PaytrekConfig::new(&c.api_key, &c.secret).with_base_url(sandbox.paytrek.base_url()),
            )?)
        }
        Provider::Paytr => {
            let c = sandbox.paytr.credentials();
            Arc::new(PaytrGateway::new(paytr_config(
                &c.merchant_id,
                c.merchant_key.as_str(),
                c.merchant_salt.as_str(),
                sandbox.paytr.base_url(),
            ))?)
        }
        Provider::Craftgate => {
            let c = sandbox.craftgate.credentials();
            Arc::new(CraftgateGateway::new(
                CraftgateConfig::new(&c.api_key, &c.secret_key)
                    .with_base_url(sandbox.craftgate.base_url()),
            )?)
        }
    })
}

fn paytr_config(id: &str, key: &str, salt: &str, base_url: &str) -> PaytrConfig {
    PaytrConfig::new(id, key, salt)
        .with_base_url(base_url)
        .with_test_mode(true)
        .with_return_urls(BENCH_CREDENTIALS.ok_url, BENCH_CREDENTIALS.fail_url)
}

fn try_money(minor: i64) -> odeme::Result<Money> {
    Money::new(Decimal::new(minor, 2), Currency::TRY)
}

/// The neutral charge: order `order_id`, 24.00 TRY of three items, a new card, no 3-D.
pub fn charge_request(provider: Provider, order_id: &str) -> odeme::Result<ChargeRequest> {
    let (number, cvc) = provider.card();
    let card = Card::new(number, Expiry::new(12, 2030)?, cvc, "Ayse Yilmaz")?;
    let customer = Customer::new(
        "Ayse",
        "Yilmaz",
        "ayse.yilmaz@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
    .with_phone("+905350000000");
    let items = vec![
        LineItem::new("Book", try_money(1000)?, 1).with_external_id("i1"),
        LineItem::new("Pen", try_money(400)?, 2).with_external_id("i2"),
        LineItem::new("Bag", try_money(600)?, 1).with_external_id("i3"),
    ];
    Ok(ChargeRequest::new(
        order_id,
        try_money(2400)?,
        PaymentSource::NewCard(card),
        customer,
    )
    .with_items(items)
    .with_billing(Address {
        line1: "Bagdat Caddesi 1".into(),
        line2: None,
        city: "Istanbul".into(),
        state: None,
        postal_code: Some("34710".into()),
        country: "TR".into(),
    }))
}
