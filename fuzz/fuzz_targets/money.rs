//! `Money::parse` on arbitrary text in every currency: never a panic; what it accepts is at
//! the currency's scale, within the documented bound, and formats back to text that parses
//! to the same amount.
#![no_main]

use libfuzzer_sys::fuzz_target;
use odeme_core::{Currency, Money};

const CURRENCIES: [Currency; 5] = [
    Currency::TRY,
    Currency::USD,
    Currency::JPY,
    Currency::KWD,
    Currency::EUR,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let currency = CURRENCIES[usize::from(pick) % CURRENCIES.len()];
    if let Ok(money) = Money::parse("amount", text, currency) {
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
    }
});
