//! No amount can crash an adapter: for arbitrary amounts (up to `Decimal::MAX`, every
//! scale) and item lists, building and validating a charge at every adapter ends in an
//! error naming the field, or in an attempt to send; never in a panic.
//!
//! The gateways point at a loopback port nobody listens on, so whatever passes validation
//! fails to connect (`Error::Transport`: nothing was sent) and nothing can be charged.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use odeme::craftgate::{CraftgateConfig, CraftgateGateway};
use odeme::paytr::{PaytrConfig, PaytrGateway};
use odeme::paytrek::{PaytrekConfig, PaytrekGateway};
use odeme::{
    Address, Card, ChargeRequest, Currency, Customer, Error, Expiry, Gateway, GatewayExt, LineItem,
    Money, PaymentSource,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A port on loopback that refuses connections (nothing listens on port 1 here).
const NOWHERE: &str = "http://127.0.0.1:1";

fn gateways() -> Vec<Arc<dyn Gateway>> {
    let paytrek = PaytrekGateway::new(PaytrekConfig::new("key", "secret").with_base_url(NOWHERE))
        .expect("paytrek gateway");
    let paytr = PaytrGateway::new(
        PaytrConfig::new("100000", "merchantkey123456", "merchantsalt1234")
            .with_base_url(NOWHERE)
            .with_test_mode(true)
            .with_return_urls("http://127.0.0.1:8080/ok", "http://127.0.0.1:8080/fail"),
    )
    .expect("paytr gateway");
    let craftgate =
        CraftgateGateway::new(CraftgateConfig::new("api-key", "secret-key").with_base_url(NOWHERE))
            .expect("craftgate gateway");
    vec![Arc::new(paytrek), Arc::new(paytr), Arc::new(craftgate)]
}

fn customer() -> Customer {
    Customer::new(
        "Ayse",
        "Yilmaz",
        "ayse.yilmaz@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
    .with_phone("+905350000000")
}

fn billing() -> Address {
    Address {
        line1: "Bagdat Caddesi 1".into(),
        line2: None,
        city: "Istanbul".into(),
        state: None,
        postal_code: Some("34710".into()),
        country: "TR".into(),
    }
}

/// Any decimal at all: every mantissa up to `Decimal::MAX`, every scale, either sign.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    (any::<i128>(), 0u32..=28).prop_map(|(mantissa, scale)| {
        let bound = 79_228_162_514_264_337_593_543_950_335i128; // Decimal::MAX's mantissa
        Decimal::from_i128_with_scale(mantissa % bound, scale)
    })
}

/// Amounts people actually type, and the huge ones that overflowed before.
fn amount() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        any_decimal(),
        (1i64..10_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        Just(Decimal::MAX),
        Just(Decimal::from_i128_with_scale(
            50_000_000_000_000_000_000_000_000_000,
            0
        )),
    ]
}

fn items() -> impl Strategy<Value = Vec<(Decimal, u32)>> {
    prop::collection::vec(
        (amount(), prop_oneof![3 => 1u32..5, 1 => any::<u32>()]),
        0..4,
    )
}

fn outcome_is_safe(result: &Result<odeme::Payment, Error>) -> Result<(), String> {
    match result {
        Err(Error::InvalidRequest { field, .. }) if !field.is_empty() => Ok(()),
        // Validation passed and the request could not be sent: nothing reached anyone.
        Err(Error::Transport { .. }) => Ok(()),
        other => Err(format!("unexpected result {other:?}")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn no_amount_panics_any_adapter(
        total in amount(),
        lines in items(),
        installments in prop_oneof![3 => Just(1u8), 1 => 2u8..=12],
        total_is_sum in any::<bool>(),
    ) {
        // Half the cases charge exactly what the lines add up to, so that they get past the
        // sum check into each adapter's own rules and request building.
        let total = if total_is_sum && !lines.is_empty() {
            lines.iter().try_fold(Decimal::ZERO, |sum, (price, quantity)| {
                price.checked_mul(Decimal::from(*quantity)).and_then(|line| sum.checked_add(line))
            }).unwrap_or(total)
        } else {
            total
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        for gateway in gateways() {
            // Building the money itself may refuse the amount; it must not panic.
            let Ok(money) = Money::new(total, Currency::TRY) else { continue };
            let card = Card::new("4355084355084358", Expiry::new(12, 2030).expect("expiry"), "000", "Ayse Yilmaz")
                .expect("card");
            let mut request = ChargeRequest::new("ORDER1", money, PaymentSource::NewCard(card), customer())
                .with_billing(billing());
            let mut built = Vec::new();
            for (i, (price, quantity)) in lines.iter().enumerate() {
                if let Ok(price) = Money::new(*price, Currency::TRY) {
                    built.push(LineItem::new(&format!("item{i}"), price, *quantity));
                }
            }
            if !built.is_empty() {
                request = request.with_items(built);
            }
            if installments > 1 {
                request = request.with_installments(installments);
            }
            let result = runtime.block_on(async { gateway.require_charges()?.charge(&request).await });
            if let Err(problem) = outcome_is_safe(&result) {
                prop_assert!(false, "{}: {}", gateway.provider(), problem);
            }
        }
    }
}
