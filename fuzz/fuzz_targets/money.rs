//! `Money::parse` on arbitrary text in every currency: never a panic; what it accepts is at
//! the currency's scale, within the documented bound, and formats back to text that parses
//! to the same amount. The accepted amounts then make line items of fuzzed quantities and
//! names in a charge, whose validation answers `Ok` or an error, never a panic.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};

use libfuzzer_sys::fuzz_target;
use odeme_core::{Card, ChargeRequest, Currency, Customer, Expiry, LineItem, Money, PaymentSource};

const CURRENCIES: [Currency; 5] = [
    Currency::TRY,
    Currency::USD,
    Currency::JPY,
    Currency::KWD,
    Currency::EUR,
];

fuzz_target!(|input: (u8, u32, String, Vec<String>)| {
    let (pick, quantity, name, texts) = input;
    let currency = CURRENCIES[usize::from(pick) % CURRENCIES.len()];
    let mut items = Vec::new();
    for text in texts.iter().take(16) {
        let Ok(money) = Money::parse("amount", text, currency) else {
            continue;
        };
        assert_eq!(money.currency(), currency);
        assert_eq!(money.amount().scale(), currency.exponent());
        assert!(money.amount().is_sign_positive() || money.amount().is_zero());
        let minor = money
            .minor_units()
            .expect("every Money fits in minor units");
        assert!((0..=Money::MAX_MINOR_UNITS).contains(&minor), "{minor}");
        let again = Money::parse("amount", &money.amount().to_string(), currency)
            .expect("a formatted amount parses back");
        assert_eq!(again, money);
        items.push(LineItem::new(&name, money, quantity));
    }
    let Some(first) = items.first().map(|i| i.unit_price) else {
        return;
    };
    let card = Card::new(
        "4355084355084358",
        Expiry::new(12, 2099).expect("an expiry"),
        "000",
        "Ayse Yilmaz",
    )
    .expect("a card");
    let customer = Customer::new(
        "Ayse",
        "Yilmaz",
        "ayse@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    );
    let request = ChargeRequest::new("FUZZ-1", first, PaymentSource::NewCard(card), customer)
        .with_items(items);
    let _ = request.validate();
});
