//! Sending a built request and reading Paytrek's answer: refusals become errors, bodies
//! become wire types, and a sale can be read back after a write.

use serde::de::DeserializeOwned;

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
pub(crate) fn read<T: DeserializeOwned>(response: &HttpResponse) -> Result<T> {
    if response.kind == RequestKind::Write {
        return read_written(response);
    }
    if !response.is_success() {
        return Err(errors::refusal(response));
    }
    response.json()
}

/// A write's answer as `T`. Only a 4xx is the refusal Paytrek answers a request it did not
/// carry out with; any other non-2xx, a body that is not JSON, and a known field of the
/// wrong type are forms no document gives, and the write may have been carried out: an
/// unknown outcome keeping the provider's text.
pub(crate) fn read_written<T: DeserializeOwned>(response: &HttpResponse) -> Result<T> {
    if (400..500).contains(&response.status) {
        return Err(errors::refusal(response));
    }
    if !response.is_success() {
        return Err(response.undocumented("answer", &response.text()));
    }
    let value: serde_json::Value = response.json()?;
    if let Some(object) = value.as_object() {
        for field in crate::map::TEXT_FIELDS {
            match object.get(*field) {
                None | Some(serde_json::Value::Null | serde_json::Value::String(_)) => {}
                Some(other) => return Err(response.undocumented(field, &other.to_string())),
            }
        }
        if let Some(other) = object
            .get("succeeded")
            .filter(|v| !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(_)))
        {
            return Err(response.undocumented("succeeded", &other.to_string()));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| response.undocumented(&format!("answer ({e})"), &response.text()))
}

impl PaytrekGateway {
    /// Sends `request` and reads a `T` from a 2xx answer.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: &HttpRequest,
    ) -> Result<(T, HttpResponse)> {
        let response = self.send(request).await?;
        let value = read(&response)?;
        Ok((value, response))
    }

    /// The sale object with `sale_token`.
    pub(crate) async fn fetch_sale(&self, sale_token: &str) -> Result<(wire::Sale, HttpResponse)> {
        self.call(&get_sale_request(&self.config, sale_token)?)
            .await
    }

    /// The sale with `sale_token` as a payment.
    pub(crate) async fn fetch_payment(
        &self,
        sale_token: &str,
        currency: Option<Currency>,
    ) -> Result<(Payment, wire::Sale)> {
        let (sale, response) = self.fetch_sale(sale_token).await?;
        let ctx = Context {
            response: &response,
            currency,
            order_id: None,
        };
        Ok((sale::to_payment(&sale, &ctx)?, sale))
    }
}
