//! Exact JSON numbers. Craftgate sends and takes amounts as JSON numbers (`100.00000000`)
//! and ids as numbers or strings; both are read from the number's own text, never through
//! an `f64`, and amounts are written as the decimal's text.
//!
//! The text is borrowed from the answer's bytes (`&RawValue`), not copied out for every
//! number: answers are always read with `serde_json::from_slice`, which lends it.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// An amount written as a bare JSON number with exactly the decimal's digits.
pub(crate) use odeme_core::json::JsonNumber as Amount;

/// Parses the text of a JSON number or a quoted number.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let unquoted = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .trim();
    if unquoted.is_empty() {
        return None;
    }
    Decimal::from_str(unquoted)
        .or_else(|_| Decimal::from_scientific(unquoted))
        .ok()
}

/// Deserializes an optional amount from a JSON number or string, exactly.
pub(crate) fn decimal_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw: Option<&'de RawValue> = Option::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(raw) if raw.get() == "null" => Ok(None),
        Some(raw) => parse_decimal(raw.get())
            .map(Some)
            .ok_or_else(|| D::Error::custom("expected a decimal number")),
    }
}

/// Deserializes an optional id or code that may be a JSON number or a string (`"id": 1`,
/// `"binNumber": "525864"`, `"errorCode": "10051"`) into its text.
pub(crate) fn text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw: Option<&'de RawValue> = Option::deserialize(d)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().trim();
    if text == "null" {
        return Ok(None);
    }
    if text.starts_with('"') {
        let s: String = serde_json::from_str(text).map_err(D::Error::custom)?;
        return Ok(Some(s));
    }
    if text.starts_with(['{', '[']) {
        return Err(D::Error::custom("expected a string or a number"));
    }
    Ok(Some(text.to_owned()))
}

/// Deserializes any optional JSON value into its text (a string's content, any other
/// value's JSON), never failing: for fields whose oddity must not make the whole answer
/// unreadable (payouts), read with [`parse_decimal`] afterwards.
pub(crate) fn raw_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw: Option<&'de RawValue> = Option::deserialize(d)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().trim();
    if text == "null" {
        return Ok(None);
    }
    if text.starts_with('"') {
        if let Ok(s) = serde_json::from_str::<String>(text) {
            return Ok(Some(s));
        }
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "decimal_opt")]
        amount: Option<Decimal>,
        #[serde(default, deserialize_with = "text_opt")]
        id: Option<String>,
    }

    #[test]
    fn reads_numbers_exactly() {
        let cases = [
            (
                r#"{"amount":100.00000000,"id":1}"#,
                Some("100.00000000"),
                Some("1"),
            ),
            (r#"{"amount":0.1,"id":"a-1"}"#, Some("0.1"), Some("a-1")),
            (
                r#"{"amount":"33.33","id":9007199254740993}"#,
                Some("33.33"),
                Some("9007199254740993"),
            ),
            (r#"{"amount":1e2}"#, Some("100"), None),
            (r#"{"amount":null,"id":null}"#, None, None),
            (r#"{}"#, None, None),
        ];
        for (json, amount, id) in cases {
            let p: Probe = serde_json::from_str(json).unwrap();
            assert_eq!(p.amount.map(|d| d.to_string()).as_deref(), amount, "{json}");
            assert_eq!(p.id.as_deref(), id, "{json}");
        }
        assert!(serde_json::from_str::<Probe>(r#"{"amount":"ten"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"id":{}}"#).is_err());
    }

    #[test]
    fn raw_values_never_fail() {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default, deserialize_with = "raw_opt")]
            v: Option<String>,
        }
        let read = |json: &str| serde_json::from_str::<Raw>(json).unwrap().v;
        assert_eq!(read(r#"{"v":-0.30000000}"#).as_deref(), Some("-0.30000000"));
        assert_eq!(read(r#"{"v":"12.5"}"#).as_deref(), Some("12.5"));
        assert_eq!(read(r#"{"v":{"x":1}}"#).as_deref(), Some(r#"{"x":1}"#));
        assert_eq!(read(r#"{"v":null}"#), None);
        assert_eq!(read(r#"{}"#), None);
    }

    #[test]
    fn writes_the_decimal_text() {
        let json =
            serde_json::to_string(&[Amount(Decimal::new(10099, 2)), Amount(Decimal::new(24, 0))])
                .unwrap();
        assert_eq!(json, "[100.99,24]");
    }
}
