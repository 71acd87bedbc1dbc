//! JSON request bodies, written for the wire.

use std::fmt::{self, Write as _};

use rust_decimal::Decimal;
use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::money::Money;

/// The buffer a body starts in. A payment request with a card, a customer and a few items
/// is just under it; starting from an empty buffer instead grew it seven or eight times
/// per request, and each growth was a `realloc` that copied what was written so far (the
/// largest single cost of building a Craftgate charge in a profile at 64 in flight).
const BODY_CAPACITY: usize = 1024;

/// `body` as compact JSON bytes; `what` names the request for the error (which cannot
/// happen for the adapters' own wire types: they hold no maps with non-string keys).
pub fn to_body<T: Serialize + ?Sized>(body: &T, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(BODY_CAPACITY);
    serde_json::to_writer(&mut bytes, body)
        .map_err(|e| Error::Configuration(format!("cannot encode the {what} request: {e}")))?;
    Ok(bytes)
}

/// Room for the longest text a `Decimal` prints: a sign, 29 digits and a point.
const NUMBER_ROOM: usize = 32;

/// A number's text, written on the stack.
struct NumberText {
    bytes: [u8; NUMBER_ROOM],
    len: usize,
}

impl fmt::Write for NumberText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A decimal written as a bare JSON number with exactly its digits (`24.00` stays `24.00`;
/// never through a float): how Craftgate and Paytrek take amounts. Written on the stack: a
/// `String` and a boxed raw value per amount were two allocations each, several per charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonNumber(pub Decimal);

impl JsonNumber {
    /// The amount of `money`, with the money's decimals.
    pub fn money(money: &Money) -> Self {
        JsonNumber(money.amount())
    }
}

impl Serialize for JsonNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut text = NumberText {
            bytes: [0; NUMBER_ROOM],
            len: 0,
        };
        write!(text, "{}", self.0).map_err(|_| S::Error::custom("an amount too long to write"))?;
        let text = text
            .bytes
            .get(..text.len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .ok_or_else(|| S::Error::custom("an amount that is not text"))?;
        // Borrowed from the stack: checked to be a JSON number, then written as it is.
        let raw: &RawValue = serde_json::from_str(text).map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A value written as a JSON string through its `Display` (an IP address, a year): the
/// text goes straight into the body, with no `String` made for it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisplayText<T>(pub T);

impl<T: fmt::Display> Serialize for DisplayText<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// A number shown with at least two digits (`07`), as expiry months and two-digit years
/// are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoDigits(pub u16);

/// `00` to `99`, so that a two-digit field needs no `String` of its own.
const TWO_DIGITS: &str = concat!(
    "00010203040506070809",
    "10111213141516171819",
    "20212223242526272829",
    "30313233343536373839",
    "40414243444546474849",
    "50515253545556575859",
    "60616263646566676869",
    "70717273747576777879",
    "80818283848586878889",
    "90919293949596979899",
);

impl TwoDigits {
    /// The text: borrowed from a table up to 99; a larger number keeps all its digits.
    pub fn text(self) -> std::borrow::Cow<'static, str> {
        let at = usize::from(self.0).saturating_mul(2);
        match TWO_DIGITS.get(at..at.saturating_add(2)) {
            Some(digits) => std::borrow::Cow::Borrowed(digits),
            None => std::borrow::Cow::Owned(self.0.to_string()),
        }
    }
}

impl fmt::Display for TwoDigits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_is_written_with_exactly_its_digits() {
        #[derive(Serialize)]
        struct Body {
            amount: JsonNumber,
        }
        for value in [
            Decimal::new(2400, 2),
            Decimal::new(-5, 1),
            Decimal::new(1, 28),
            Decimal::ZERO,
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(123_456_789, 8),
        ] {
            let json = serde_json::to_string(&Body {
                amount: JsonNumber(value),
            })
            .unwrap();
            assert_eq!(json, format!(r#"{{"amount":{value}}}"#));
        }
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let long = "x".repeat(3000);
        for value in [
            serde_json::json!({"a": 1, "b": [true, null, "ş"]}),
            serde_json::json!({ "long": long }),
        ] {
            assert_eq!(
                to_body(&value, "test").ok(),
                serde_json::to_vec(&value).ok()
            );
        }
    }

    #[test]
    fn display_text_is_the_json_string_of_its_text() {
        let ip: std::net::IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&DisplayText(ip)).unwrap(),
            r#""2001:db8::1""#
        );
        assert_eq!(
            serde_json::to_string(&DisplayText("a \"b\"\n")).unwrap(),
            serde_json::to_string("a \"b\"\n").unwrap()
        );
        for n in 0..=99u16 {
            assert_eq!(TwoDigits(n).text(), format!("{n:02}"));
        }
        for (n, text) in [
            (0, "00"),
            (7, "07"),
            (12, "12"),
            (100, "100"),
            (2030, "2030"),
        ] {
            assert_eq!(TwoDigits(n).to_string(), text);
            assert_eq!(
                serde_json::to_string(&DisplayText(TwoDigits(n))).unwrap(),
                format!("\"{text}\"")
            );
        }
    }

    #[test]
    fn a_body_that_cannot_be_encoded_names_the_request() {
        let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let error = to_body(&map, "charge").unwrap_err();
        assert!(error.to_string().contains("charge request"), "{error}");
    }
}
