//! PayTR's wire shapes: the ordered form every request posts, and the JSON answers, with
//! field names spelled exactly as PayTR spells them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// Form fields that carry card data: masked wherever a form is shown.
pub(crate) const SENSITIVE_FIELDS: [&str; 4] =
    ["card_number", "cvv", "expiry_month", "expiry_year"];

/// An ordered list of form fields, posted exactly in this order. Values borrow what outlives
/// the form (the request's and the configuration's text, fixed flags) and own only what is
/// computed for it.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Form<'a>(Vec<(&'static str, Cow<'a, str>)>);

impl<'a> Form<'a> {
    pub(crate) fn new() -> Self {
        // A payment form has about 25 fields: one allocation instead of five growths.
        Self(Vec::with_capacity(32))
    }

    pub(crate) fn push(&mut self, name: &'static str, value: impl Into<Cow<'a, str>>) {
        self.0.push((name, value.into()));
    }

    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }

    pub(crate) fn fields(&self) -> &[(&'static str, Cow<'a, str>)] {
        &self.0
    }

    /// `application/x-www-form-urlencoded` bytes.
    pub(crate) fn encode(&self) -> String {
        // Room for every field unescaped and a little escaping: usually one allocation.
        let plain: usize = self.0.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
        let room = plain.saturating_add(plain / 4);
        let mut serializer = url::form_urlencoded::Serializer::new(String::with_capacity(room));
        for (name, value) in &self.0 {
            serializer.append_pair(name, value);
        }
        serializer.finish()
    }
}

impl fmt::Debug for Form<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in &self.0 {
            if SENSITIVE_FIELDS.contains(name) {
                list.entry(&format_args!("{name}=[REDACTED]"));
            } else {
                list.entry(&format_args!("{name}={value}"));
            }
        }
        list.finish()
    }
}

/// A JSON scalar read as the text PayTR wrote: strings as themselves, numbers as their
/// literal digits (never through a float), booleans as `true`/`false`; `null` is absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text(pub(crate) String);

impl Text {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl Text {
    /// The text of one JSON scalar's literal.
    fn from_literal<E: serde::de::Error>(literal: &str) -> Result<Self, E> {
        let literal = literal.trim();
        if literal.starts_with('"') {
            let text: String = serde_json::from_str(literal).map_err(E::custom)?;
            Ok(Text(text))
        } else if literal.starts_with(['{', '[']) {
            Err(E::custom("expected a scalar"))
        } else {
            Ok(Text(literal.to_owned()))
        }
    }
}

// The literal is borrowed from the answer's bytes (every reader parses a whole body from a
// slice), so only the text kept is allocated.
impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: &'de RawValue = Deserialize::deserialize(deserializer)?;
        Text::from_literal(raw.get())
    }
}

/// An optional [`Text`] that also reads JSON `null` as absent.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Text>, D::Error> {
    let raw: Option<&'de RawValue> = Deserialize::deserialize(deserializer)?;
    match raw {
        None => Ok(None),
        Some(raw) if raw.get().trim() == "null" => Ok(None),
        Some(raw) => Text::from_literal(raw.get()).map(Some),
    }
}

/// The text of an optional field, empty when absent.
pub(crate) fn text(value: &Option<Text>) -> &str {
    value.as_ref().map_or("", Text::as_str)
}

/// The answer of `/odeme` to a server-side POST (sync mode, recurring, or a refusal).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct OdemeAnswer {
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub msg: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub reason: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub utoken: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub ctoken: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub try_again: Option<Text>,
}

/// One card of a `capi/list` answer.
#[derive(Debug, serde::Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct CapiCard {
    #[serde(default, deserialize_with = "opt_text")]
    pub ctoken: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub last_4: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub require_cvv: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub month: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub year: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub c_bank: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub c_name: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub c_brand: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub c_type: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub businessCard: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub initial: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub schema: Option<Text>,
}

/// A `{status, err_msg}` answer: `capi/list` errors and `capi/delete`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct StatusOnly {
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub err_msg: Option<Text>,
}

/// The answer of `/odeme/api/bin-detail` (the project's reading, see `bin`).
#[derive(Debug, serde::Deserialize)]
#[allow(non_snake_case)]
pub(crate) struct BinAnswer {
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub cardType: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub businessCard: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub bank: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub brand: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub schema: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub err_msg: Option<Text>,
}

/// A scalar that may be `null`, for map values where [`opt_text`] cannot be attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MaybeText(pub(crate) Option<Text>);

impl<'de> Deserialize<'de> for MaybeText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        opt_text(deserializer).map(MaybeText)
    }
}

/// A JSON object keyed by name. PHP encodes an empty associative array as `[]`, so an
/// empty array (and `null`) read as an empty map.
fn php_map<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: serde::de::DeserializeOwned,
{
    let raw: Option<Box<RawValue>> = Deserialize::deserialize(deserializer)?;
    let Some(raw) = raw else {
        return Ok(BTreeMap::new());
    };
    let literal = raw.get().trim();
    if literal == "null" {
        return Ok(BTreeMap::new());
    }
    if literal.starts_with('[') {
        let items: Vec<serde::de::IgnoredAny> =
            serde_json::from_str(literal).map_err(serde::de::Error::custom)?;
        return if items.is_empty() {
            Ok(BTreeMap::new())
        } else {
            Err(serde::de::Error::custom("expected an object"))
        };
    }
    serde_json::from_str(literal).map_err(serde::de::Error::custom)
}

/// One card program's rates: `taksit_N` to the rate in percent.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct ProgramRates(
    #[serde(deserialize_with = "php_map")] pub BTreeMap<String, MaybeText>,
);

/// The answer of `/odeme/taksit-oranlari` (the project's reading, see `installments`).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct RatesAnswer {
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub request_id: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub max_inst_non_bus: Option<Text>,
    #[serde(default, deserialize_with = "php_map")]
    pub oranlar: BTreeMap<String, ProgramRates>,
    #[serde(default, deserialize_with = "opt_text")]
    pub err_msg: Option<Text>,
}

/// The answer of `/odeme/iade`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct RefundAnswer {
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub merchant_oid: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub return_amount: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub reference_no: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub err_no: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub err_msg: Option<Text>,
}

/// The answer of `/odeme/durum-sorgu`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct StatusAnswer {
    #[serde(default, deserialize_with = "opt_text")]
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub payment_amount: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub payment_total: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub payment_date: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub currency: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub taksit: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub kart_marka: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub masked_pan: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub odeme_tipi: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub test_mode: Option<Text>,
    #[serde(default)]
    pub returns: Option<Vec<StatusReturn>>,
    #[serde(default, deserialize_with = "opt_text")]
    pub net_tutar: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub kesinti_tutari: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub err_no: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub err_msg: Option<Text>,
}

/// One refund in a status-query answer.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct StatusReturn {
    #[serde(default, deserialize_with = "opt_text")]
    pub return_amount: Option<Text>,
    #[serde(default, deserialize_with = "opt_text")]
    pub reference_no: Option<Text>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_numbers_literally() {
        let answer: StatusAnswer =
            serde_json::from_str(r#"{"status":"success","payment_amount":10.8,"payment_total":"10,80","test_mode":1,"taksit":null}"#)
                .unwrap();
        assert_eq!(text(&answer.payment_amount), "10.8");
        assert_eq!(text(&answer.payment_total), "10,80");
        assert_eq!(text(&answer.test_mode), "1");
        assert!(answer.taksit.is_none());
        let precise: RefundAnswer =
            serde_json::from_str(r#"{"return_amount":12345678901234567.89}"#).unwrap();
        assert_eq!(text(&precise.return_amount), "12345678901234567.89");
    }

    #[test]
    fn rates_read_numbers_and_strings_exactly_and_php_empty_arrays() {
        let answer: RatesAnswer = serde_json::from_str(
            r#"{"status":"success","request_id":"R1","max_inst_non_bus":"9",
            "oranlar":{"world":{"taksit_2":2.06,"taksit_3":"3.120","taksit_4":null},
            "bonus":[]}}"#,
        )
        .unwrap();
        assert_eq!(text(&answer.max_inst_non_bus), "9");
        let world = &answer.oranlar["world"].0;
        assert_eq!(world["taksit_2"].0.as_ref().map(Text::as_str), Some("2.06"));
        assert_eq!(
            world["taksit_3"].0.as_ref().map(Text::as_str),
            Some("3.120")
        );
        assert_eq!(world["taksit_4"], MaybeText(None));
        assert!(answer.oranlar["bonus"].0.is_empty());
        for body in [
            r#"{"status":"success","oranlar":[]}"#,
            r#"{"status":"error"}"#,
        ] {
            let answer: RatesAnswer = serde_json::from_str(body).unwrap();
            assert!(answer.oranlar.is_empty(), "{body}");
        }
        assert!(serde_json::from_str::<RatesAnswer>(r#"{"oranlar":[1]}"#).is_err());
    }

    #[test]
    fn form_order_encoding_and_masking() {
        let mut form = Form::new();
        form.push("merchant_id", "100001");
        form.push("email", "a b@c.co");
        form.push("card_number", "4355084355084358");
        form.push("cvv", "000");
        assert_eq!(
            form.encode(),
            "merchant_id=100001&email=a+b%40c.co&card_number=4355084355084358&cvv=000"
        );
        let shown = format!("{form:?}");
        assert!(
            !shown.contains("4355084355084358") && !shown.contains("=000"),
            "{shown}"
        );
        assert_eq!(form.get("email"), Some("a b@c.co"));
    }
}
