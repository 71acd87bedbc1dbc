//! Text fields of provider answers, read in place from the answer's bytes.
//!
//! Every charge's answer carries a dozen or more strings (tokens, statuses, card echoes)
//! that an adapter reads once, on its way to a [`crate::Payment`]. Copying each into its own
//! `String` was the largest share of an adapter's cost beyond the HTTP exchange
//! (BENCHMARKS.md): these readers lend the text instead, and copy only a string that holds
//! an escape. Use them with `deserialize_with` on `Option<Cow<'a, str>>` fields marked
//! `#[serde(borrow)]`; answers must be read with `serde_json::from_slice` (or `from_str`),
//! which lends the bytes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// An optional JSON string, borrowed unless it holds an escape; `null` and an absent field
/// are `None`, any other type is an error (as it is for `Option<String>`).
pub fn str_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    Ok(Option::<Lent<'de>>::deserialize(d)?.map(|lent| lent.0))
}

/// An optional code or id that may be a JSON string or another scalar (`"id": 1`,
/// `"installment": "1"`, `"secure_option": true`): a string's content, else the literal as
/// written (never through a float). `null` and an absent field are `None`; an object or a
/// list is an error.
pub fn text_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    let Some(raw) = Option::<&'de RawValue>::deserialize(d)? else {
        return Ok(None);
    };
    let literal = raw.get().trim();
    if literal == "null" {
        return Ok(None);
    }
    if let Some(inner) = literal.strip_prefix('"') {
        // The parser has already checked the string: without an escape, what lies between
        // the quotes is its text.
        if let Some(text) = inner.strip_suffix('"').filter(|t| !t.contains('\\')) {
            return Ok(Some(Cow::Borrowed(text)));
        }
        let mut text = serde_json::Deserializer::from_str(literal);
        return Lent::deserialize(&mut text)
            .map(|lent| Some(lent.0))
            .map_err(de::Error::custom);
    }
    if literal.starts_with(['{', '[']) {
        return Err(de::Error::custom("expected a string or a number"));
    }
    Ok(Some(Cow::Borrowed(literal)))
}

/// A string borrowed from the input when it can be.
struct Lent<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Lent<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(LentVisitor)
    }
}

struct LentVisitor;

impl<'de> Visitor<'de> for LentVisitor {
    type Value = Lent<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Lent<'de>, E> {
        Ok(Lent(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Lent<'de>, E> {
        Ok(Lent(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Lent<'de>, E> {
        Ok(Lent(Cow::Owned(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(default, borrow, deserialize_with = "str_opt")]
        word: Option<Cow<'a, str>>,
        #[serde(default, borrow, deserialize_with = "text_opt")]
        code: Option<Cow<'a, str>>,
    }

    fn probe(json: &str) -> Result<Probe<'_>, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn strings_are_lent_unless_escaped() {
        let p = probe(r#"{"word":"Paid","code":"05"}"#).unwrap();
        assert!(matches!(p.word, Some(Cow::Borrowed("Paid"))));
        assert!(matches!(p.code, Some(Cow::Borrowed("05"))));
        let p = probe(r#"{"word":"\u00d6deme \"x\"","code":"a\nb"}"#).unwrap();
        assert!(matches!(p.word.as_deref(), Some("Ödeme \"x\"")));
        assert!(matches!(p.word, Some(Cow::Owned(_))));
        assert_eq!(p.code.as_deref(), Some("a\nb"));
    }

    #[test]
    fn absent_and_null_are_none() {
        let p = probe(r#"{"word":null,"code":null}"#).unwrap();
        assert!(p.word.is_none() && p.code.is_none());
        let p = probe("{}").unwrap();
        assert!(p.word.is_none() && p.code.is_none());
    }

    #[test]
    fn a_word_must_be_a_string_and_a_code_a_scalar() {
        assert!(probe(r#"{"word":5}"#).is_err());
        assert!(probe(r#"{"word":true}"#).is_err());
        assert!(probe(r#"{"word":{}}"#).is_err());
        assert!(probe(r#"{"code":{"a":1}}"#).is_err());
        assert!(probe(r#"{"code":[1]}"#).is_err());
        assert!(probe(r#"{"code":"unterminated}"#).is_err());
        for (json, text) in [
            (r#"{"code":1}"#, "1"),
            (r#"{"code": 24.50 }"#, "24.50"),
            (r#"{"code":1e2}"#, "1e2"),
            (r#"{"code":true}"#, "true"),
            (r#"{"code":"10051"}"#, "10051"),
        ] {
            assert_eq!(probe(json).unwrap().code.as_deref(), Some(text), "{json}");
        }
    }
}
