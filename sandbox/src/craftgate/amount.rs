//! Amounts on the wire: Craftgate sends and receives JSON numbers, and the simulator keeps
//! them as exact `Decimal`s by reading and writing the number's text, never an `f64`.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::value::RawValue;

/// The scale Craftgate answers with (`"price": 100.00000000`).
const WIRE_SCALE: u32 = 8;

/// Parses the text of a JSON number (or a quoted number, which Craftgate's JSON mapper also
/// accepts) into an exact decimal.
pub(crate) fn parse(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let unquoted = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if unquoted.is_empty() {
        return None;
    }
    Decimal::from_str(unquoted)
        .or_else(|_| Decimal::from_scientific(unquoted))
        .ok()
}

/// Deserializes an optional amount, keeping every digit the client sent.
pub(crate) fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw: Option<Box<RawValue>> = Option::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(raw) if raw.get() == "null" => Ok(None),
        Some(raw) => parse(raw.get())
            .map(Some)
            .ok_or_else(|| D::Error::custom("not a decimal number")),
    }
}

/// The JSON number text of `value` at Craftgate's answer scale.
#[cfg(test)]
pub(crate) fn wire_text(value: Decimal) -> String {
    let mut v = value;
    v.rescale(WIRE_SCALE);
    v.to_string()
}

/// Room for the longest text a `Decimal` prints: a sign, 29 digits and a point.
const TEXT_ROOM: usize = 40;

/// Writes the text [`Decimal`]'s `Display` gives `value` at the wire scale into the end of
/// `buf`, without allocating: every answer carries a dozen amounts or more, and formatting
/// each through a `String` was a large share of an answer's cost.
fn write_wire_text(value: Decimal, buf: &mut [u8; TEXT_ROOM]) -> &str {
    let mut v = value;
    // Large values keep fewer decimals, as `rescale` (and so `Display`) does.
    v.rescale(WIRE_SCALE);
    let scale = v.scale();
    let mut digits = v.mantissa().unsigned_abs();
    let mut at = buf.len();
    let mut written = 0u32;
    // Fraction digits, then the point, then the integer part (at least one digit).
    loop {
        if written == scale && scale > 0 {
            at = at.saturating_sub(1);
            if let Some(b) = buf.get_mut(at) {
                *b = b'.';
            }
        }
        // Amounts fit a u64 mantissa; its division is far cheaper than the u128 one.
        let digit = match u64::try_from(digits) {
            Ok(small) => {
                digits = u128::from(small / 10);
                small % 10
            }
            Err(_) => {
                let digit = digits % 10;
                digits /= 10;
                // Below 10, so it fits.
                u64::try_from(digit).unwrap_or(0)
            }
        };
        at = at.saturating_sub(1);
        if let Some(b) = buf.get_mut(at) {
            // `digit` is below 10, so the cast cannot truncate.
            *b = b'0'.saturating_add(digit as u8);
        }
        written = written.saturating_add(1);
        if digits == 0 && written > scale {
            break;
        }
    }
    if v.is_sign_negative() {
        at = at.saturating_sub(1);
        if let Some(b) = buf.get_mut(at) {
            *b = b'-';
        }
    }
    buf.get(at..)
        .and_then(|text| std::str::from_utf8(text).ok())
        .unwrap_or("0")
}

/// Serializes an amount as a JSON number with eight decimals.
pub(crate) fn ser<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; TEXT_ROOM];
    let text = write_wire_text(*value, &mut buf);
    // Borrowing the number's text as a raw value writes it as it is, with no copy.
    let raw: &RawValue = serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(raw, s)
}

/// Serializes an optional amount (callers skip `None`).
pub(crate) fn ser_opt<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => ser(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "de_opt", serialize_with = "ser_opt")]
        price: Option<Decimal>,
    }

    #[test]
    fn reads_numbers_exactly() {
        for (json, want) in [
            (r#"{"price":100}"#, "100"),
            (r#"{"price":100.0}"#, "100.0"),
            (r#"{"price":0.1}"#, "0.1"),
            (r#"{"price":"12.34"}"#, "12.34"),
            (r#"{"price":1e2}"#, "100"),
            (r#"{"price":12345678901234.56789}"#, "12345678901234.56789"),
        ] {
            let p: Probe = serde_json::from_str(json).unwrap();
            assert_eq!(p.price.unwrap(), Decimal::from_str(want).unwrap(), "{json}");
        }
        let p: Probe = serde_json::from_str(r#"{"price":null}"#).unwrap();
        assert!(p.price.is_none());
        assert!(serde_json::from_str::<Probe>(r#"{"price":"abc"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"price":true}"#).is_err());
    }

    #[test]
    fn writes_eight_decimals_as_a_number() {
        let p = Probe {
            price: Some(Decimal::from_str("33.3").unwrap()),
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"price":33.30000000}"#
        );
    }

    #[test]
    fn fast_text_is_display_text() {
        let mut values: Vec<Decimal> = [
            "0",
            "-0",
            "1",
            "-1",
            "0.1",
            "33.3",
            "100",
            "9999999999.99",
            "-12.345678901",
            "0.000000001",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7922816251426433759354395033.5",
            "123456789012345678901.5",
            "1e-28",
        ]
        .iter()
        .map(|t| {
            Decimal::from_str(t)
                .or_else(|_| Decimal::from_scientific(t))
                .unwrap()
        })
        .collect();
        values.push(Decimal::MAX);
        values.push(Decimal::MIN);
        values.push(-Decimal::ZERO);
        values.push(Decimal::new(-5, 3));
        for v in values {
            let mut buf = [0u8; TEXT_ROOM];
            assert_eq!(write_wire_text(v, &mut buf), wire_text(v), "{v:?}");
        }
    }
}
