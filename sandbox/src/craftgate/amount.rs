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
pub(crate) fn wire_text(value: Decimal) -> String {
    let mut v = value;
    v.rescale(WIRE_SCALE);
    v.to_string()
}

/// Serializes an amount as a JSON number with eight decimals.
pub(crate) fn ser<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(wire_text(*value)).map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(&raw, s)
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
}
