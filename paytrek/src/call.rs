//! Sending a built request and reading Paytrek's answer: refusals become errors, bodies
//! become wire types, and a sale can be read back after a write.

use std::fmt;

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use odeme_core::{Currency, Error, HttpRequest, HttpResponse, Payment, RequestKind, Result};

use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::errors;
use crate::sale::{self, Context};
use crate::wire;

/// Tokens go into URL paths and queries, so only the characters Paytrek's tokens use
/// (hex, UUIDs, merchant ids) are let through.
pub(crate) fn check_token(field: &str, token: &str) -> Result<()> {
    odeme_core::validate::required(field, token, 128)?;
    if token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            "may contain only letters, digits, `-` and `_`",
        ))
    }
}

/// `GET /api/v2/sale/<token>/`.
pub(crate) fn get_sale_request(config: &PaytrekConfig, sale_token: &str) -> Result<HttpRequest> {
    check_token("payment_id", sale_token)?;
    Ok(config.request(
        "GET",
        &format!("/api/v2/sale/{sale_token}/"),
        "get_sale",
        RequestKind::Read,
    ))
}

/// The answer's body as `T`, or the refusal it carries. A write's answer goes through
/// [`read_written`] instead.
pub(crate) fn read<'r, T: Deserialize<'r>>(response: &'r HttpResponse) -> Result<T> {
    if response.kind == RequestKind::Write {
        return read_written(response);
    }
    if !response.is_success() {
        return Err(errors::refusal(response));
    }
    response.json()
}

/// A write's answer as `T`. Only a 4xx is the refusal Paytrek answers a request it did not
/// carry out with; any other non-2xx, a body that is not JSON, a known field of the wrong
/// type and a field given twice are forms no document gives, and the write may have been
/// carried out: an unknown outcome keeping the provider's text.
///
/// The body is read twice, straight from its bytes both times: once by [`TypeProbe`], which
/// looks only at the fields whose type decides what an answer means and skips the rest
/// without keeping it, then into `T`. That costs far less than one tree of every key and
/// string of the answer, and an amount never passes through a float.
pub(crate) fn read_written<'r, T: Deserialize<'r>>(response: &'r HttpResponse) -> Result<T> {
    check_written_status(response)?;
    let probe: TypeProbe = response.json()?;
    if let Some((field, value)) = probe.wrong {
        return Err(response.undocumented(field, &value));
    }
    parse_written(response)
}

/// [`read`] for a sale object (the answer of every charge), in one pass over the body
/// instead of two: [`wire::Sale`] declares every field [`TypeProbe`] checks, with the type
/// the probe requires, so its own parse refuses whatever the probe would (the test
/// `a_sale_refuses_whatever_the_probe_refuses` holds it to that).
pub(crate) fn read_sale(response: &HttpResponse) -> Result<wire::Sale<'_>> {
    if response.kind != RequestKind::Write {
        return read(response);
    }
    check_written_status(response)?;
    parse_written(response)
}

/// The refusal or unknown outcome a write's non-2xx answer is.
fn check_written_status(response: &HttpResponse) -> Result<()> {
    if (400..500).contains(&response.status) {
        return Err(errors::refusal(response));
    }
    if !response.is_success() {
        return Err(response.undocumented("answer", &response.text()));
    }
    Ok(())
}

/// A 2xx write answer as `T`: a body that is not JSON is unreadable, JSON of another shape
/// an undocumented answer; both are unknown outcomes.
fn parse_written<'r, T: Deserialize<'r>>(response: &'r HttpResponse) -> Result<T> {
    serde_json::from_slice(&response.body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            response.undocumented(&format!("answer ({e})"), &response.text())
        }
        _ => response.unreadable(&format!("unreadable JSON ({e})")),
    })
}

/// What [`TypeProbe`] found in an answer: the first of [`crate::map::TEXT_FIELDS`] that is
/// not a string or null, or a `succeeded` that is not a boolean or null, with its JSON
/// text. An answer that is not an object has none of them.
#[derive(Default)]
struct TypeProbe {
    wrong: Option<(&'static str, String)>,
}

/// A key of the answer as the probe sees it.
enum ProbeKey {
    Text(&'static str),
    Succeeded,
    Other,
}

impl<'de> Deserialize<'de> for ProbeKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = ProbeKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> std::result::Result<ProbeKey, E> {
                Ok(match crate::map::TEXT_FIELDS.iter().find(|f| **f == key) {
                    Some(field) => ProbeKey::Text(field),
                    None if key == "succeeded" => ProbeKey::Succeeded,
                    None => ProbeKey::Other,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for TypeProbe {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(ProbeVisitor)
    }
}

struct ProbeVisitor;

impl ProbeVisitor {
    fn none<E>(self) -> std::result::Result<TypeProbe, E> {
        Ok(TypeProbe::default())
    }
}

impl<'de> Visitor<'de> for ProbeVisitor {
    type Value = TypeProbe;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<TypeProbe, A::Error> {
        let mut wrong = None;
        while let Some(key) = map.next_key::<ProbeKey>()? {
            let (field, value) = match key {
                ProbeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                ProbeKey::Text(field) => (field, map.next_value::<Value>()?),
                ProbeKey::Succeeded => ("succeeded", map.next_value::<Value>()?),
            };
            let documented = match (field, &value) {
                (_, Value::Null) => true,
                ("succeeded", v) => v.is_boolean(),
                (_, v) => v.is_string(),
            };
            if !documented && wrong.is_none() {
                wrong = Some((field, value.to_string()));
            }
        }
        Ok(TypeProbe { wrong })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<TypeProbe, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.none()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<TypeProbe, E> {
        self.none()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<TypeProbe, E> {
        self.none()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<TypeProbe, E> {
        self.none()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<TypeProbe, E> {
        self.none()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<TypeProbe, E> {
        self.none()
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<TypeProbe, E> {
        self.none()
    }
}

impl PaytrekGateway {
    /// Sends `request` and reads a `T` from a 2xx answer.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: HttpRequest,
    ) -> Result<(T, HttpResponse)> {
        let response = self.send(request).await?;
        let value = read(&response)?;
        Ok((value, response))
    }

    /// The answer to a read of the sale with `sale_token`, to be read with [`read`]: the
    /// sale borrows its text from it.
    pub(crate) async fn fetch_sale(&self, sale_token: &str) -> Result<HttpResponse> {
        self.send(get_sale_request(&self.config, sale_token)?).await
    }

    /// The sale with `sale_token` as a payment.
    pub(crate) async fn fetch_payment(
        &self,
        sale_token: &str,
        currency: Option<Currency>,
    ) -> Result<Payment> {
        self.fetch_payment_with(sale_token, currency, |_, _| ())
            .await
            .map(|(payment, ())| payment)
    }

    /// [`Self::fetch_payment`], and what `also` takes from the sale and the payment while
    /// the answer they are read from is at hand.
    pub(crate) async fn fetch_payment_with<T>(
        &self,
        sale_token: &str,
        currency: Option<Currency>,
        also: impl FnOnce(&wire::Sale<'_>, &Payment) -> T,
    ) -> Result<(Payment, T)> {
        let response = self.fetch_sale(sale_token).await?;
        let sale: wire::Sale<'_> = read(&response)?;
        let ctx = Context {
            response: &response,
            currency,
            order_id: None,
        };
        let payment = sale::to_payment(&sale, &ctx)?;
        let taken = also(&sale, &payment);
        Ok((payment, taken))
    }
}
