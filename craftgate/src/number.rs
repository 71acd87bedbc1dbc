//! Exact JSON numbers. Craftgate sends and takes amounts as JSON numbers (`100.00000000`)
//! and ids as numbers or strings; both are read from the number's own text, never through
//! an `f64`, and amounts are written as the decimal's text.
//!
//! The text is borrowed from the answer's bytes (`&RawValue`), not copied out for every
//! number: answers are always read with `serde_json::from_slice`, which lends it.

use std::borrow::Cow;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// An amount written as a bare JSON number with exactly the decimal's digits.
pub(crate) use odeme_core::json::JsonNumber as Amount;

/// The trimmed literal of an optional JSON value, borrowed from the answer; `null` and an
/// absent field are `None`. Every reader below starts here.
fn literal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de str>, D::Error> {
    let raw: Option<&'de RawValue> = Option::deserialize(d)?;
    Ok(raw
        .map(|raw| raw.get().trim())
        .filter(|text| *text != "null"))
}

/// A literal without its quotes, if it is a string (its escapes, if any, left as written).
fn unquoted(text: &str) -> &str {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
}

/// Whether a literal is an object or a list, which no scalar field may be.
fn is_compound(text: &str) -> bool {
    text.starts_with(['{', '['])
}

/// Parses the text of a JSON number or a quoted number.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let unquoted = unquoted(text.trim()).trim();
    if unquoted.is_empty() {
        return None;
    }
    Decimal::from_str(unquoted)
        .or_else(|_| Decimal::from_scientific(unquoted))
        .ok()
}

/// Deserializes an optional amount from a JSON number or string, exactly.
pub(crate) fn decimal_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    literal(d)?
        .map(|text| {
            parse_decimal(text).ok_or_else(|| D::Error::custom("expected a decimal number"))
        })
        .transpose()
}

/// Deserializes an optional id or code that may be a JSON number or a string (`"id": 1`,
/// `"binNumber": "525864"`, `"errorCode": "10051"`) into its text: core's reader of such
/// text ([`odeme_core::answer_text::text_opt`]), kept as an owned `String`.
pub(crate) fn text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    odeme_core::answer_text::text_opt(d).map(|text| text.map(Cow::into_owned))
}

/// Any JSON value's text, never failing: a string's content, any other value's JSON.
fn raw_text(literal: &str) -> String {
    if literal.starts_with('"') {
        if let Ok(s) = serde_json::from_str::<String>(literal) {
            return s;
        }
    }
    literal.to_owned()
}

/// A payout figure as Craftgate wrote it: the decimal, when it reads as one (no text kept
/// for it), else its text ([`raw_text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Payout {
    /// The figure, read exactly.
    Amount(Decimal),
    /// What could not be read as a decimal, kept for the payment's references.
    Odd(String),
}

/// An optional [`Payout`], `null` read as absent. It never fails: a payout Craftgate
/// computes oddly must not make the whole answer unreadable.
pub(crate) fn payout_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Payout>, D::Error> {
    let Some(text) = literal(d)? else {
        return Ok(None);
    };
    // A bare number, or a string without escapes, is its own text between the quotes,
    // which `parse_decimal` strips: read in place, nothing allocated.
    if !text.contains('\\') {
        if let Some(value) = parse_decimal(text) {
            return Ok(Some(Payout::Amount(value)));
        }
    }
    let kept = raw_text(text);
    Ok(Some(match parse_decimal(&kept) {
        Some(value) => Payout::Amount(value),
        None => Payout::Odd(kept),
    }))
}

/// An optional count (an installment number) written as a number or a string, read as
/// [`text_opt`]'s text would be: `null`, or text that is not a count, is absent; an object
/// or a list fails, as does a string that is not valid JSON.
pub(crate) fn count_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    let Some(text) = literal(d)? else {
        return Ok(None);
    };
    if is_compound(text) {
        return Err(D::Error::custom("expected a string or a number"));
    }
    if text.starts_with('"') && text.contains('\\') {
        let unescaped: String = serde_json::from_str(text).map_err(D::Error::custom)?;
        return Ok(unescaped.parse().ok());
    }
    Ok(unquoted(text).parse().ok())
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
    fn payouts_read_in_place_are_what_their_text_reads_as() {
        #[derive(Deserialize)]
        struct Both<'a> {
            #[serde(default, deserialize_with = "payout_opt")]
            p: Option<Payout>,
            #[serde(borrow)]
            r: &'a RawValue,
        }
        for v in [
            "-0.30000000",
            "30.00000000",
            r#""12.5""#,
            r#"" 7 ""#,
            r#""\u0031""#,
            r#""n/a""#,
            r#"{"x":1}"#,
            "[1]",
            "1e2",
            "true",
        ] {
            let json = format!(r#"{{"p":{v},"r":{v}}}"#);
            let both: Both = serde_json::from_str(&json).unwrap();
            let kept = raw_text(both.r.get());
            let expected = match parse_decimal(&kept) {
                Some(value) => Payout::Amount(value),
                None => Payout::Odd(kept),
            };
            assert_eq!(both.p, Some(expected), "{v}");
        }
        let none: Both = serde_json::from_str(r#"{"p":null,"r":0}"#).unwrap();
        assert_eq!(none.p, None);
    }

    #[test]
    fn counts_read_numbers_and_strings() {
        #[derive(Deserialize)]
        struct C {
            #[serde(default, deserialize_with = "count_opt")]
            n: Option<u8>,
        }
        let read = |json: &str| serde_json::from_str::<C>(json).map(|c| c.n);
        assert_eq!(read(r#"{"n":3}"#).unwrap(), Some(3));
        assert_eq!(read(r#"{"n":"6"}"#).unwrap(), Some(6));
        assert_eq!(read(r#"{"n":null}"#).unwrap(), None);
        assert_eq!(read(r#"{"n":"x"}"#).unwrap(), None);
        assert_eq!(read(r#"{"n":"\u0033"}"#).unwrap(), Some(3));
        assert_eq!(read(r#"{"n":" 3 "}"#).unwrap(), None);
        assert_eq!(read(r#"{"n":300}"#).unwrap(), None);
        assert_eq!(read(r#"{}"#).unwrap(), None);
        assert!(read(r#"{"n":{}}"#).is_err());
    }

    #[test]
    fn payouts_never_fail() {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default, deserialize_with = "payout_opt")]
            v: Option<Payout>,
        }
        let read = |json: &str| serde_json::from_str::<Raw>(json).unwrap().v;
        let amount = |text: &str| Some(Payout::Amount(Decimal::from_str(text).unwrap()));
        let odd = |text: &str| Some(Payout::Odd(text.to_owned()));
        assert_eq!(read(r#"{"v":-0.30000000}"#), amount("-0.30000000"));
        assert_eq!(read(r#"{"v":"12.5"}"#), amount("12.5"));
        assert_eq!(read(r#"{"v":"\u0031"}"#), amount("1"));
        assert_eq!(read(r#"{"v":"n/a"}"#), odd("n/a"));
        assert_eq!(read(r#"{"v":{"x":1}}"#), odd(r#"{"x":1}"#));
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
