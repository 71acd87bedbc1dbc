//! Reading a JSON request body and its fields with DRF-like validation messages.

use std::str::FromStr;

use axum::http::{header, HeaderMap};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::errors::{error_code, ApiError, ErrorCode};

/// The body of a POST or PUT as a JSON object. The document requires
/// `Content-Type: application/json`; an empty body reads as `{}`, as DRF does.
pub(crate) fn json_object(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let essence = media.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::UnsupportedMediaType(media));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            let mut fields = Map::new();
            fields.insert(
                "non_field_errors".into(),
                Value::from(vec![Value::from(format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    json_type(&other)
                ))]),
            );
            Err(ApiError::Invalid { fields, code: None })
        }
        Err(error) => Err(ApiError::Parse(error.to_string())),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "list",
        Value::String(_) => "str",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        Value::Object(_) => "dict",
    }
}

pub(crate) const REQUIRED: &str = "This field is required.";

/// A validating reader over one JSON object: every problem is collected, so a refusal
/// names every bad field at once, as a DRF serializer does.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    errors: Map<String, Value>,
    code: Option<&'static ErrorCode>,
}

impl<'a> Fields<'a> {
    /// A reader over `map`.
    pub(crate) fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            errors: Map::new(),
            code: None,
        }
    }

    /// Records a message for `name`.
    pub(crate) fn error(&mut self, name: &str, message: impl Into<String>) {
        let entry = self
            .errors
            .entry(name.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(Value::from(message.into()));
        }
    }

    /// Records a nested serializer's errors (e.g. `recurring`) under `name`.
    pub(crate) fn nested(&mut self, name: &str, errors: Map<String, Value>) {
        if !errors.is_empty() {
            self.errors.insert(name.to_owned(), Value::Object(errors));
        }
    }

    /// Records an already shaped error value (a list serializer's list) under `name`.
    pub(crate) fn nested_value(&mut self, name: &str, errors: Value) {
        self.errors.insert(name.to_owned(), errors);
    }

    /// Attaches the document's error code to the refusal; the first one wins.
    pub(crate) fn code(&mut self, code: &str) {
        if self.code.is_none() {
            self.code = Some(error_code(code));
        }
    }

    /// Whether a problem was found so far.
    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The collected refusal, if any.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid {
                fields: self.errors,
                code: self.code,
            })
        }
    }

    /// The collected errors as a nested object (for a field holding an object).
    pub(crate) fn into_errors(self) -> Map<String, Value> {
        self.errors
    }

    /// The raw value, if present.
    pub(crate) fn raw(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name)
    }

    fn string_value(&mut self, name: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            // DRF's CharField takes numbers and turns them into text.
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.error(name, "Not a valid string.");
                None
            }
        }
    }

    /// A required, non-blank string.
    pub(crate) fn required_str(&mut self, name: &str) -> Option<String> {
        match self.map.get(name) {
            None => {
                self.error(name, REQUIRED);
                None
            }
            Some(Value::Null) => {
                self.error(name, "This field may not be null.");
                None
            }
            Some(value) => {
                let text = self.string_value(name, value)?;
                if text.trim().is_empty() {
                    self.error(name, "This field may not be blank.");
                    return None;
                }
                Some(text.trim().to_owned())
            }
        }
    }

    /// An optional string; null and blank read as absent.
    pub(crate) fn optional_str(&mut self, name: &str) -> Option<String> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(value) => {
                let text = self.string_value(name, value)?;
                let text = text.trim();
                (!text.is_empty()).then(|| text.to_owned())
            }
        }
    }

    /// An optional boolean, read as DRF's BooleanField reads it (`true`, `"false"`, `1`...).
    pub(crate) fn optional_bool(&mut self, name: &str) -> Option<bool> {
        let value = self.map.get(name)?;
        let parsed = match value {
            Value::Null => return None,
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Some(true),
                "false" | "0" | "no" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if parsed.is_none() {
            self.error(name, "Must be a valid boolean.");
        }
        parsed
    }

    /// A required integer of at least `min`.
    pub(crate) fn required_int(&mut self, name: &str, min: i64) -> Option<i64> {
        let Some(value) = self.map.get(name) else {
            self.error(name, REQUIRED);
            return None;
        };
        self.int_value(name, value, min)
    }

    fn int_value(&mut self, name: &str, value: &Value, min: i64) -> Option<i64> {
        let parsed = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        match parsed {
            None => {
                self.error(name, "A valid integer is required.");
                None
            }
            Some(n) if n < min => {
                self.error(
                    name,
                    format!("Ensure this value is greater than or equal to {min}."),
                );
                None
            }
            Some(n) => Some(n),
        }
    }

    /// A required positive amount with at most two decimal places, given as a JSON number
    /// or a string (the document's examples use both).
    pub(crate) fn required_amount(&mut self, name: &str) -> Option<Decimal> {
        let Some(value) = self.map.get(name) else {
            self.error(name, REQUIRED);
            return None;
        };
        self.amount_value(name, value)
    }

    /// An optional positive amount.
    pub(crate) fn optional_amount(&mut self, name: &str) -> Option<Decimal> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(value) => self.amount_value(name, value),
        }
    }

    fn amount_value(&mut self, name: &str, value: &Value) -> Option<Decimal> {
        match parse_amount(value) {
            Ok(amount) => Some(amount),
            Err(message) => {
                self.error(name, message);
                None
            }
        }
    }
}

/// Reads an amount the way the simulator accepts it: exact decimal text, at most two
/// places, at least 0.01.
pub(crate) fn parse_amount(value: &Value) -> Result<Decimal, &'static str> {
    let text = match value {
        // serde_json prints a number's shortest exact text; it is parsed as decimal text,
        // never through a float.
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err("A valid number is required."),
    };
    let amount = Decimal::from_str(&text).map_err(|_| "A valid number is required.")?;
    if amount.normalize().scale() > 2 {
        return Err("Ensure that there are no more than 2 decimal places.");
    }
    if amount < Decimal::new(1, 2) {
        return Err("Ensure this value is greater than or equal to 0.01.");
    }
    // The DRF DecimalField's max_digits bound: it also keeps every later product
    // (installment commission, totals) far inside `Decimal`'s range.
    if amount > Decimal::new(999_999_999_999, 2) {
        return Err("Ensure that there are no more than 12 digits in total.");
    }
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        h
    }

    #[test]
    fn json_content_type_is_required() {
        let err = json_object(&headers("text/plain"), b"{}").unwrap_err();
        assert!(matches!(err, ApiError::UnsupportedMediaType(m) if m == "text/plain"));
        assert!(json_object(&headers("application/json; charset=utf-8"), b"{\"a\":1}").is_ok());
        assert!(json_object(&HeaderMap::new(), b"{}").is_err());
    }

    #[test]
    fn non_objects_and_bad_json_are_refused() {
        assert!(matches!(
            json_object(&headers("application/json"), b"[1]"),
            Err(ApiError::Invalid { .. })
        ));
        assert!(matches!(
            json_object(&headers("application/json"), b"{nope"),
            Err(ApiError::Parse(_))
        ));
        assert!(json_object(&headers("application/json"), b"")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn amounts_are_exact_and_bounded() {
        assert_eq!(parse_amount(&json!(24.0)).unwrap(), Decimal::new(24, 0));
        assert_eq!(
            parse_amount(&json!("100.00")).unwrap(),
            Decimal::new(10000, 2)
        );
        assert_eq!(parse_amount(&json!(9.7)).unwrap(), Decimal::new(97, 1));
        assert!(parse_amount(&json!(1.005)).is_err());
        assert!(parse_amount(&json!(0)).is_err());
        assert!(parse_amount(&json!(-5)).is_err());
        assert!(parse_amount(&json!("abc")).is_err());
        assert!(parse_amount(&json!(true)).is_err());
    }

    #[test]
    fn fields_collect_every_problem() {
        let map = json!({"a": "", "b": "x", "c": "false", "d": 1.5})
            .as_object()
            .unwrap()
            .clone();
        let mut f = Fields::new(&map);
        assert_eq!(f.required_str("a"), None);
        assert_eq!(f.required_str("b").as_deref(), Some("x"));
        assert_eq!(f.required_str("missing"), None);
        assert_eq!(f.optional_bool("c"), Some(false));
        assert_eq!(f.required_int("d", 1), None);
        let Err(ApiError::Invalid { fields, .. }) = f.finish() else {
            panic!("expected refusal")
        };
        assert_eq!(fields["a"], json!(["This field may not be blank."]));
        assert_eq!(fields["missing"], json!([REQUIRED]));
        assert_eq!(fields["d"], json!(["A valid integer is required."]));
        assert!(!fields.contains_key("b"));
    }
}
