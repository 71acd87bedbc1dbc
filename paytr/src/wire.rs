//! PayTR's wire shapes: the ordered form every request posts, and the JSON answers, with
//! field names spelled exactly as PayTR spells them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use odeme_core::answer_text::text_opt;
use serde::de::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// Form fields that carry card data: masked wherever a form is shown.
pub(crate) const SENSITIVE_FIELDS: [&str; 4] =
    ["card_number", "cvv", "expiry_month", "expiry_year"];

/// An ordered list of form fields, posted exactly in this order. Values borrow what outlives
/// the form (the request's and the configuration's text, fixed flags); what is computed for
/// it (the IP's and the amount's text, the basket, the token) is written into one buffer
/// the form owns, instead of a `String` each.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Form<'a> {
    fields: Vec<(&'static str, Value<'a>)>,
    computed: String,
}

#[derive(Clone, PartialEq, Eq)]
enum Value<'a> {
    Text(Cow<'a, str>),
    /// Where in `computed` the value lies.
    Computed(Range<usize>),
}

impl<'a> Form<'a> {
    pub(crate) fn new() -> Self {
        // A payment form has about 25 fields: one allocation instead of five growths. The
        // buffer of computed values is allocated only if one is written.
        Self::with_texts(String::new())
    }

    pub(crate) fn push(&mut self, name: &'static str, value: impl Into<Cow<'a, str>>) {
        self.fields.push((name, Value::Text(value.into())));
    }

    /// A form whose buffer starts as `texts`, already written (see [`Form::push_range`]).
    pub(crate) fn with_texts(texts: String) -> Self {
        Self {
            fields: Vec::with_capacity(32),
            computed: texts,
        }
    }

    /// Adds a field whose value lies at `range` of the buffer the form was made with.
    pub(crate) fn push_range(&mut self, name: &'static str, range: Range<usize>) {
        self.fields.push((name, Value::Computed(range)));
    }

    /// Adds a field whose value `write` appends to the form's own buffer.
    pub(crate) fn push_written<E>(
        &mut self,
        name: &'static str,
        write: impl FnOnce(&mut String) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = self.computed.len();
        write(&mut self.computed)?;
        self.fields
            .push((name, Value::Computed(start..self.computed.len())));
        Ok(())
    }

    /// Adds a field whose value is `value`'s `Display`, and returns where it is, for
    /// [`Form::value`].
    pub(crate) fn push_display(&mut self, name: &'static str, value: impl fmt::Display) -> usize {
        use fmt::Write as _;
        // Writing to a `String` cannot fail.
        let _ = self.push_written(name, |text| write!(text, "{value}"));
        self.fields.len() - 1
    }

    /// The value of the field at `index`, as [`Form::push_display`] returned it.
    pub(crate) fn value(&self, index: usize) -> &str {
        self.fields
            .get(index)
            .map_or("", |(_, value)| self.text_of(value))
    }

    fn text_of<'s>(&'s self, value: &'s Value<'a>) -> &'s str {
        match value {
            Value::Text(text) => text.as_ref(),
            Value::Computed(range) => self.computed.get(range.clone()).unwrap_or_default(),
        }
    }

    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value)
    }

    /// The fields in order, each name with its value.
    pub(crate) fn fields(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.fields
            .iter()
            .map(|(name, value)| (*name, self.text_of(value)))
    }

    /// `application/x-www-form-urlencoded` bytes.
    pub(crate) fn encode(&self) -> String {
        // Room for every field unescaped and a little escaping: usually one allocation.
        let plain: usize = self.fields().map(|(n, v)| n.len() + v.len() + 2).sum();
        let room = plain.saturating_add(plain / 4);
        let mut body = String::with_capacity(room);
        for (name, value) in self.fields() {
            if !body.is_empty() {
                body.push('&');
            }
            // The names are this crate's own (`merchant_oid`, `paytr_token`): letters,
            // digits and `_`, which the encoding leaves as they are, so they are copied.
            if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                body.push_str(name);
            } else {
                body.extend(url::form_urlencoded::byte_serialize(name.as_bytes()));
            }
            body.push('=');
            body.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
        body
    }
}

impl fmt::Debug for Form<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in self.fields() {
            if SENSITIVE_FIELDS.contains(&name) {
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

/// An optional [`Text`] that also reads JSON `null` as absent: core's reader of codes
/// written as strings or numbers, kept as an owned `Text`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Text>, D::Error> {
    Ok(text_opt(deserializer)?.map(|text| Text(text.into_owned())))
}

/// The text of an optional field, empty when absent.
pub(crate) fn text(value: &Option<Text>) -> &str {
    value.as_ref().map_or("", Text::as_str)
}

/// The trimmed text of an optional field, `None` when absent or blank.
pub(crate) fn non_empty(value: &Option<Text>) -> Option<String> {
    Some(text(value).trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The answer of `/odeme` to a server-side POST (sync mode, recurring, or a refusal). Its
/// texts are lent from the answer's bytes (a string is copied only when it has an escape),
/// read as [`Text`] reads them: a number or a boolean as its literal.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct OdemeAnswer<'a> {
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub status: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub msg: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub reason: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub utoken: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub ctoken: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub try_again: Option<Cow<'a, str>>,
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
    fn the_odeme_answer_lends_its_texts_and_reads_scalars_as_written() {
        let body = r#"{"status":"failed","msg":"Kart \u0131ptal","try_again":true,"utoken":null,"ctoken":7}"#;
        let answer: OdemeAnswer<'_> = serde_json::from_str(body).unwrap();
        assert!(matches!(answer.status, Some(Cow::Borrowed("failed"))));
        // An escape is the one case copied.
        assert!(matches!(answer.msg.as_deref(), Some("Kart ıptal")));
        assert!(matches!(answer.msg, Some(Cow::Owned(_))));
        assert_eq!(answer.try_again.as_deref(), Some("true"));
        assert_eq!(answer.utoken, None);
        assert_eq!(answer.ctoken.as_deref(), Some("7"));
        assert_eq!(answer.reason, None);
        assert!(serde_json::from_str::<OdemeAnswer<'_>>(r#"{"status":{"a":1}}"#).is_err());
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
    fn the_form_is_encoded_as_the_url_crate_encodes_it() {
        let fields = [
            ("user_basket", "[[\"Örnek ürün\",\"18.00\",1]]"),
            ("user_address", "Bağdat Cad. 1/4, 34710 & co; a+b=c %"),
            ("odd name", "x"),
            (
                "paytr_token",
                "XklntnrDE9HZjOX2ayVvtpHv5my5pPqXAwaYcrwUwt4=",
            ),
            ("empty", ""),
        ];
        let mut form = Form::new();
        let mut reference = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in fields {
            form.push(name, value);
            reference.append_pair(name, value);
        }
        form.push_display("payment_amount", "10.80");
        reference.append_pair("payment_amount", "10.80");
        assert_eq!(form.encode(), reference.finish());
        assert_eq!(Form::new().encode(), "");
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
