//! The requests scenarios send: one customer, cards from the profile, and charges with one
//! line item that adds up to the amount.

use std::net::{IpAddr, Ipv4Addr};

use odeme::{
    Address, Card, ChargeRequest, Customer, Expiry, LineItem, Money, PaymentSource, StoredCard,
};
use rust_decimal::Decimal;

use crate::harness::{fail, Env, Fail};
use crate::profile::TestCard;

/// The paying customer of every scenario.
pub fn customer() -> Customer {
    let mut customer = Customer::new(
        "Ayse",
        "Yilmaz",
        "ayse.yilmaz@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
    .with_phone("+905350000000");
    customer.id = Some("CUST42".into());
    customer
}

/// The billing address of every charge (PayTR and Paytrek require one).
pub fn billing() -> Address {
    Address {
        line1: "Bagdat Caddesi 1".into(),
        line2: None,
        city: "Istanbul".into(),
        state: Some("Kadikoy".into()),
        postal_code: Some("34710".into()),
        country: "TR".into(),
    }
}

/// `request` in `count` installments, with what the provider needs to know for them.
pub fn in_installments(env: &Env, mut request: ChargeRequest, count: u8) -> ChargeRequest {
    request.installments = count;
    if count > 1 {
        for (key, value) in env.profile.installment_metadata {
            request
                .metadata
                .insert((*key).to_owned(), (*value).to_owned());
        }
    }
    request
}

/// The expiry every test card is given: far enough ahead to be valid.
pub fn expiry() -> Result<Expiry, Fail> {
    Expiry::new(12, 2030).map_err(|e| fail(format!("test expiry rejected: {e}")))
}

/// A validated card from a test card.
pub fn card(test: TestCard) -> Result<Card, Fail> {
    Card::new(test.number, expiry()?, test.cvc, "Ayse Yilmaz")
        .map_err(|e| fail(format!("test card rejected: {e}")))
}

/// `amount` in the profile's currency.
pub fn money(env: &Env, amount: Decimal) -> Result<Money, Fail> {
    Money::positive("amount", amount, env.profile.currency)
        .map_err(|e| fail(format!("bad test amount: {e}")))
}

/// A sale of `amount` on `test` with one line item.
pub fn charge_with(env: &Env, test: TestCard, amount: Decimal) -> Result<ChargeRequest, Fail> {
    let amount = money(env, amount)?;
    Ok(ChargeRequest::new(
        &env.order_id(),
        amount,
        PaymentSource::NewCard(card(test)?),
        customer(),
    )
    .with_billing(billing())
    .with_items(vec![
        LineItem::new("Conformance item", amount, 1).with_external_id("ITEM1")
    ]))
}

/// A sale of `amount` on the profile's approved card.
pub fn charge(env: &Env, amount: Decimal) -> Result<ChargeRequest, Fail> {
    charge_with(env, env.profile.card, amount)
}

/// A charge of `amount` on a stored card, with the CVC when the provider asks for it.
pub fn stored_charge(
    env: &Env,
    stored: &StoredCard,
    cvc: &str,
    amount: Decimal,
) -> Result<ChargeRequest, Fail> {
    let amount = money(env, amount)?;
    let cvc = if stored.requires_cvc {
        Some(odeme::Cvc::parse(cvc).map_err(|e| fail(format!("bad test CVC: {e}")))?)
    } else {
        None
    };
    let source = PaymentSource::StoredCard {
        card: stored.reference.clone(),
        cvc,
    };
    Ok(
        ChargeRequest::new(&env.order_id(), amount, source, customer())
            .with_billing(billing())
            .with_items(vec![
                LineItem::new("Conformance item", amount, 1).with_external_id("ITEM1")
            ]),
    )
}
