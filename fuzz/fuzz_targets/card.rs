//! Card number, expiry and CVC parsing and the customer field checks on arbitrary text:
//! never a panic; an accepted number is Luhn-valid digits whose `Debug`, `Display` and
//! masked form never show it whole; a rejected one is never quoted in the error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use odeme_core::card::luhn_valid;
use odeme_core::{validate, Card, CardNumber, Cvc, Expiry};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    match CardNumber::parse(text) {
        Ok(number) => {
            let exposed = number.expose();
            assert!(exposed.bytes().all(|b| b.is_ascii_digit()));
            assert!(luhn_valid(exposed));
            assert!(number.masked().ends_with(number.last4()));
            for shown in [format!("{number:?}"), number.masked()] {
                assert!(!shown.contains(exposed), "card number shown whole: {shown}");
            }
        }
        Err(e) => {
            if digits.len() >= 12 {
                let shown = format!("{e} {e:?}");
                assert!(!shown.contains(&digits), "rejected number quoted: {shown}");
            }
        }
    }
    if let Ok(expiry) = Expiry::parse(text) {
        assert!((1..=12).contains(&expiry.month()));
        assert_eq!(
            Expiry::new(expiry.month(), expiry.year()).ok(),
            Some(expiry)
        );
    }
    if let Ok(cvc) = Cvc::parse(text) {
        let exposed = cvc.expose();
        assert!((3..=4).contains(&exposed.len()));
        assert!(!format!("{cvc:?}").contains(exposed));
    }
    // The same text as the number of a whole card.
    if let Ok(expiry) = Expiry::new(12, 2099) {
        if let Ok(card) = Card::new(text, expiry, "123", "Ayse Yilmaz") {
            let shown = format!("{card:?} {:?}", card.summary());
            assert!(!shown.contains(card.number().expose()), "{shown}");
        }
    }
    let _ = validate::email("email", text);
    let _ = validate::phone("phone", text);
    let _ = validate::url("url", text);
    let _ = validate::alphanumeric("field", text, 64);
    let _ = text.parse::<std::net::IpAddr>();
});
