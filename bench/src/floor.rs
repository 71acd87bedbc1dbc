//! The third side of `compare`: the least a client of each protocol must do per payment,
//! on the same raw `reqwest::Client` as the raw side.
//!
//! The raw side replays prebuilt bytes, so it does none of a payment's own work. A real
//! client has to write this charge's body from the caller's data, compute what the
//! protocol computes per request (PayTR's `paytr_token`; Craftgate's `x-rnd-key` and
//! `x-signature`), send it, and read the answer far enough to know whether it was approved.
//! That and nothing more is done here: no validation, no neutral `Payment`, no error
//! mapping, no tracing, precomputed headers wherever the protocol allows. Its ratio to raw
//! is therefore a ceiling for the adapters' ratio on this machine (BENCHMARKS.md, "Why the
//! ratio targets are missed").
//!
//! [`FloorClient::new`] checks that it writes exactly the body the adapter sent (the
//! captured first request) and the same header names, so both sides carry the same bytes.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::net::IpAddr;

use axum::body::Bytes;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use odeme::json::{DisplayText, JsonNumber, TwoDigits};
use odeme::{ChargeRequest, Expiry, LineItem, PaymentSource};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::canned::Captured;
use crate::provider::{Provider, BENCH_CREDENTIALS};

/// A minimal client of one protocol, bound to one charge.
#[derive(Debug)]
pub struct FloorClient {
    provider: Provider,
    client: reqwest::Client,
    url: reqwest::Url,
    /// The URL as signed (Craftgate signs the full URL).
    url_text: String,
    /// The headers that do not change between requests, built once.
    fixed_headers: HeaderMap,
    request: ChargeRequest,
}

impl FloorClient {
    /// A floor client of `provider` sending `request` to `base_url`, checked against the
    /// adapter's `captured` request.
    pub fn new(
        provider: Provider,
        base_url: &str,
        captured: &Captured,
        request: ChargeRequest,
        client: reqwest::Client,
    ) -> Result<Self, String> {
        let url_text = format!("{base_url}{}", captured.path);
        let url = reqwest::Url::parse(&url_text).map_err(|e| e.to_string())?;
        let mut fixed_headers = HeaderMap::new();
        let fixed: &[(&str, String)] = match provider {
            Provider::Paytrek => &[
                ("content-type", "application/json".into()),
                ("accept", "application/json".into()),
                (
                    "authorization",
                    format!(
                        "Basic {}",
                        STANDARD.encode(format!(
                            "{}:{}",
                            BENCH_CREDENTIALS.api_key, BENCH_CREDENTIALS.secret
                        ))
                    ),
                ),
                ("user-agent", "odeme/0.1.0".into()),
            ],
            Provider::Paytr => &[
                ("content-type", "application/x-www-form-urlencoded".into()),
                ("accept", "application/json".into()),
                ("user-agent", "odeme/0.1.0".into()),
            ],
            Provider::Craftgate => &[
                ("x-api-key", BENCH_CREDENTIALS.api_key.into()),
                ("x-rnd-key", String::new()),
                ("x-signature", String::new()),
                ("x-idempotency-key", String::new()),
                ("x-auth-version", "v1".into()),
                ("accept", "application/json".into()),
                ("content-type", "application/json".into()),
                ("user-agent", "odeme/0.1.0".into()),
            ],
        };
        for (name, value) in fixed {
            fixed_headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).map_err(|e| e.to_string())?,
            );
        }
        let floor = Self {
            provider,
            client,
            url,
            url_text,
            fixed_headers,
            request,
        };
        floor.check_against(captured)?;
        Ok(floor)
    }

    /// Fails unless this client writes the captured body and the same header names.
    fn check_against(&self, captured: &Captured) -> Result<(), String> {
        let (body, headers) = self.build()?;
        if body != captured.body {
            // Where, not what: the bodies hold a card number and a CVC, even a test card's.
            let at = body
                .iter()
                .zip(captured.body.iter())
                .position(|(a, b)| a != b)
                .unwrap_or(body.len().min(captured.body.len()));
            return Err(format!(
                "{}: the floor client's body differs from the adapter's from byte {at} \
                 ({} and {} bytes)",
                self.provider.name(),
                body.len(),
                captured.body.len()
            ));
        }
        let mut ours: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        let mut theirs: Vec<&str> = captured.headers.iter().map(|(n, _)| n.as_str()).collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        if ours != theirs {
            return Err(format!(
                "{}: the floor client's headers {ours:?} differ from the adapter's {theirs:?}",
                self.provider.name()
            ));
        }
        Ok(())
    }

    /// This payment's body and headers.
    fn build(&self) -> Result<(Vec<u8>, HeaderMap), String> {
        let mut headers = self.fixed_headers.clone();
        let body = match self.provider {
            Provider::Paytrek => paytrek_body(&self.request)?,
            Provider::Paytr => paytr_body(&self.request)?.into_bytes(),
            Provider::Craftgate => {
                let body = craftgate_body(&self.request)?;
                let mut random_key = [0u8; uuid::fmt::Hyphenated::LENGTH];
                let random_key = uuid::Uuid::new_v4()
                    .hyphenated()
                    .encode_lower(&mut random_key);
                let mut hasher = Sha256::new();
                hasher.update(self.url_text.as_bytes());
                hasher.update(BENCH_CREDENTIALS.api_key.as_bytes());
                hasher.update(BENCH_CREDENTIALS.secret.as_bytes());
                hasher.update(random_key.as_bytes());
                hasher.update(&body);
                let mut signature = StackText::empty();
                signature.len = STANDARD
                    .encode_slice(hasher.finalize(), &mut signature.bytes)
                    .map_err(|e| e.to_string())?;
                let idempotency = StackText::of(format_args!(
                    "odeme-{}:card-payments",
                    self.request.order_id
                ))?;
                // Each replaces a placeholder of `new`, so the map never grows.
                for (name, value) in [
                    ("x-rnd-key", &*random_key),
                    ("x-signature", signature.as_str()),
                    ("x-idempotency-key", idempotency.as_str()),
                ] {
                    headers.insert(
                        HeaderName::from_static(name),
                        HeaderValue::from_str(value).map_err(|e| e.to_string())?,
                    );
                }
                body
            }
        };
        Ok((body, headers))
    }

    /// Sends this payment once; true when the answer says approved.
    pub async fn send(&self) -> bool {
        self.exchange()
            .await
            .is_some_and(|answer| approved(self.provider, &answer))
    }

    /// Builds this payment, sends it once and reads the whole answer: `None` unless it is a
    /// 200.
    pub async fn exchange(&self) -> Option<Bytes> {
        let (body, headers) = self.build().ok()?;
        let response = self
            .client
            .post(self.url.clone())
            .headers(headers)
            .body(body)
            .send()
            .await
            .ok()?;
        if response.status().as_u16() != 200 {
            return None;
        }
        response.bytes().await.ok()
    }

    /// The charge this client sends.
    pub fn request(&self) -> &ChargeRequest {
        &self.request
    }
}

/// Whether the answer reports an approved payment, reading no more than that.
fn approved(provider: Provider, answer: &[u8]) -> bool {
    match provider {
        Provider::Paytrek => serde_json::from_slice::<PaytrekAnswer>(answer)
            .is_ok_and(|a| a.transactions.first().is_some_and(|t| t.succeeded)),
        Provider::Paytr => {
            serde_json::from_slice::<PaytrAnswer>(answer).is_ok_and(|a| a.status == "success")
        }
        Provider::Craftgate => serde_json::from_slice::<CraftgateAnswer>(answer)
            .is_ok_and(|a| a.data.payment_status == "SUCCESS"),
    }
}

#[derive(Deserialize)]
struct PaytrekAnswer {
    transactions: Vec<PaytrekTransaction>,
}

#[derive(Deserialize)]
struct PaytrekTransaction {
    succeeded: bool,
}

#[derive(Deserialize)]
struct PaytrAnswer<'a> {
    #[serde(borrow)]
    status: Cow<'a, str>,
}

#[derive(Deserialize)]
struct CraftgateAnswer<'a> {
    #[serde(borrow)]
    data: CraftgateData<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CraftgateData<'a> {
    #[serde(borrow)]
    payment_status: Cow<'a, str>,
}

fn card(request: &ChargeRequest) -> Result<&odeme::Card, String> {
    match &request.source {
        PaymentSource::NewCard(card) => Ok(card),
        _ => Err("the bench charge pays with a new card".into()),
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let mut body = Vec::with_capacity(1024);
    serde_json::to_writer(&mut body, value).map_err(|e| e.to_string())?;
    Ok(body)
}

/// Short text formatted on the stack: an IP address, an amount, a token, an item's name.
struct StackText {
    bytes: [u8; 128],
    len: usize,
}

impl StackText {
    fn empty() -> Self {
        StackText {
            bytes: [0; 128],
            len: 0,
        }
    }

    fn of(value: impl fmt::Display) -> Result<Self, String> {
        let mut text = StackText::empty();
        write!(text, "{value}").map_err(|_| "a value too long for the stack".to_owned())?;
        Ok(text)
    }

    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl std::io::Write for StackText {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let end = self.len + buf.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(std::io::ErrorKind::WriteZero)?
            .copy_from_slice(buf);
        self.len = end;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `MM/YYYY`, Paytrek's `expiration`.
struct MonthSlashYear(Expiry);

impl fmt::Display for MonthSlashYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", TwoDigits(self.0.month().into()), self.0.year())
    }
}

#[derive(Serialize)]
struct PaytrekCharge<'a> {
    currency: &'a str,
    order_id: &'a str,
    amount: JsonNumber,
    installment: u8,
    secure_option: bool,
    pre_auth: bool,
    customer_first_name: &'a str,
    customer_last_name: &'a str,
    customer_email: &'a str,
    customer_ip_address: DisplayText<IpAddr>,
    billing_address: &'a str,
    billing_city: &'a str,
    billing_country: &'a str,
    billing_zipcode: Option<&'a str>,
    billing_phone: Option<&'a str>,
    items: Items<'a, PaytrekItem<'a>>,
    sale_data: Empty,
    number: &'a str,
    expiration: DisplayText<MonthSlashYear>,
    cvc: &'a str,
    card_holder_name: &'a str,
}

#[derive(Serialize)]
struct Empty {}

/// The request's line items, serialized as a sequence of `T` without a `Vec` of them.
struct Items<'a, T>(&'a [LineItem], fn(&'a LineItem) -> Result<T, String>);

impl<'a, T: Serialize> Serialize for Items<'a, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item).map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct PaytrekItem<'a> {
    name: &'a str,
    quantity: u32,
    unit_price: JsonNumber,
}

fn paytrek_body(request: &ChargeRequest) -> Result<Vec<u8>, String> {
    let card = card(request)?;
    let billing = request
        .billing
        .as_ref()
        .ok_or("the bench charge has an address")?;
    to_json(&PaytrekCharge {
        currency: request.amount.currency().code(),
        order_id: &request.order_id,
        amount: JsonNumber::money(&request.amount),
        installment: request.installments.max(1),
        secure_option: false,
        pre_auth: false,
        customer_first_name: &request.customer.first_name,
        customer_last_name: &request.customer.last_name,
        customer_email: &request.customer.email,
        customer_ip_address: DisplayText(request.customer.ip),
        billing_address: &billing.line1,
        billing_city: &billing.city,
        billing_country: &billing.country,
        billing_zipcode: billing.postal_code.as_deref(),
        billing_phone: request.customer.phone.as_deref(),
        items: Items(&request.items, |i| {
            Ok(PaytrekItem {
                name: &i.name,
                quantity: i.quantity,
                unit_price: JsonNumber::money(&i.unit_price),
            })
        }),
        sale_data: Empty {},
        number: card.number().expose(),
        expiration: DisplayText(MonthSlashYear(card.expiry())),
        cvc: card.cvc().expose(),
        card_holder_name: card.holder_name(),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CraftgateCharge<'a> {
    price: JsonNumber,
    paid_price: JsonNumber,
    wallet_price: JsonNumber,
    installment: u8,
    currency: &'a str,
    conversation_id: &'a str,
    external_id: &'a str,
    payment_group: &'a str,
    payment_phase: &'a str,
    client_ip: DisplayText<IpAddr>,
    card: CraftgateCard<'a>,
    items: Items<'a, CraftgateItem<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CraftgateCard<'a> {
    card_holder_name: &'a str,
    card_number: &'a str,
    expire_year: DisplayText<u16>,
    expire_month: DisplayText<TwoDigits>,
    cvc: &'a str,
    store_card_after_success_payment: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CraftgateItem<'a> {
    name: &'a str,
    price: JsonNumber,
    external_id: Option<&'a str>,
}

fn craftgate_body(request: &ChargeRequest) -> Result<Vec<u8>, String> {
    let card = card(request)?;
    let amount = JsonNumber::money(&request.amount);
    to_json(&CraftgateCharge {
        price: amount,
        paid_price: amount,
        wallet_price: JsonNumber(rust_decimal::Decimal::new(0, 2)),
        installment: request.installments.max(1),
        currency: request.amount.currency().code(),
        conversation_id: &request.order_id,
        external_id: &request.order_id,
        payment_group: "PRODUCT",
        payment_phase: "AUTH",
        client_ip: DisplayText(request.customer.ip),
        card: CraftgateCard {
            card_holder_name: card.holder_name(),
            card_number: card.number().expose(),
            expire_year: DisplayText(card.expiry().year()),
            expire_month: DisplayText(TwoDigits(card.expiry().month().into())),
            cvc: card.cvc().expose(),
            store_card_after_success_payment: false,
        },
        items: Items(&request.items, |item| {
            Ok(CraftgateItem {
                name: &item.name,
                price: JsonNumber::money(&item.total().map_err(|e| e.to_string())?),
                external_id: item.external_id.as_deref(),
            })
        }),
    })
}

/// A form body written in one buffer, each value percent-encoded straight into it.
struct Form(String);

impl Form {
    /// Starts `name=`, `&name=` after the first.
    fn key(&mut self, name: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.push_str(name);
        self.0.push('=');
        self
    }

    /// Appends `value` encoded (more than one call continues the same value).
    fn value(&mut self, value: &str) -> &mut Self {
        self.0
            .extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        self
    }

    fn pair(&mut self, name: &str, value: &str) -> &mut Self {
        self.key(name).value(value)
    }
}

fn paytr_body(request: &ChargeRequest) -> Result<String, String> {
    let card = card(request)?;
    let billing = request
        .billing
        .as_ref()
        .ok_or("the bench charge has an address")?;
    let expiry = card.expiry();
    let user_ip = StackText::of(request.customer.ip)?;
    let amount = StackText::of(request.amount.amount())?;
    let c = BENCH_CREDENTIALS;
    let (payment_type, installment_count, currency, test_mode, non_3d) =
        ("card", "0", "TL", "1", "1");
    let mut mac =
        Hmac::<Sha256>::new_from_slice(c.merchant_key.as_bytes()).map_err(|e| e.to_string())?;
    for part in [
        c.merchant_id,
        user_ip.as_str(),
        &request.order_id,
        &request.customer.email,
        amount.as_str(),
        payment_type,
        installment_count,
        currency,
        test_mode,
        non_3d,
        c.merchant_salt,
    ] {
        mac.update(part.as_bytes());
    }
    let mut token = StackText::empty();
    token.len = STANDARD
        .encode_slice(mac.finalize().into_bytes(), &mut token.bytes)
        .map_err(|e| e.to_string())?;

    let mut f = Form(String::with_capacity(1024));
    f.pair("merchant_id", c.merchant_id)
        .pair("user_ip", user_ip.as_str())
        .pair("merchant_oid", &request.order_id)
        .pair("email", &request.customer.email)
        .pair("payment_amount", amount.as_str())
        .pair("payment_type", payment_type)
        .pair("installment_count", installment_count)
        .pair("currency", currency)
        .pair("test_mode", test_mode)
        .pair("non_3d", non_3d)
        .pair("client_lang", "tr")
        .pair("merchant_ok_url", c.ok_url)
        .pair("merchant_fail_url", c.fail_url)
        .pair("user_name", &request.customer.first_name)
        .value(" ")
        .value(&request.customer.last_name);
    f.pair("user_address", &billing.line1);
    for part in [
        billing.postal_code.as_deref().unwrap_or_default(),
        &billing.city,
        &billing.country,
    ] {
        f.value(", ").value(part);
    }
    f.pair(
        "user_phone",
        request.customer.phone.as_deref().unwrap_or_default(),
    );
    f.key("user_basket").value("[");
    // The basket is JSON inside the form: each name JSON-escaped on the stack first.
    for (i, item) in request.items.iter().enumerate() {
        let mut name = StackText::empty();
        serde_json::to_writer(&mut name, &item.name).map_err(|e| e.to_string())?;
        let price = StackText::of(item.unit_price.amount())?;
        let quantity = StackText::of(item.quantity)?;
        f.value(if i == 0 { "[" } else { ",[" })
            .value(name.as_str())
            .value(",\"")
            .value(price.as_str())
            .value("\",")
            .value(quantity.as_str())
            .value("]");
    }
    f.value("]")
        .pair("debug_on", "1")
        .pair("sync_mode", "1")
        .pair("cc_owner", card.holder_name())
        .pair("card_number", card.number().expose())
        .pair("expiry_month", &TwoDigits(expiry.month().into()).text())
        .pair("expiry_year", &TwoDigits(expiry.year_2()).text())
        .pair("cvv", card.cvc().expose())
        .pair("paytr_token", token.as_str());
    Ok(f.0)
}

/// A canned server of `provider` that has seen the adapter's first charge, and the floor
/// client checked against it (tests of this side and of the contract side).
#[cfg(test)]
pub(crate) async fn canned_floor(provider: Provider) -> (crate::canned::CannedServer, FloorClient) {
    use odeme::GatewayExt;

    let server = crate::canned::CannedServer::start(provider, std::time::Duration::ZERO)
        .await
        .unwrap();
    let gateway = crate::provider::canned_gateway(provider, &server.base_url).unwrap();
    let request = crate::provider::charge_request(provider, "BENCH1").unwrap();
    gateway
        .require_charges()
        .unwrap()
        .charge(&request)
        .await
        .unwrap();
    let captured = server.captured().unwrap();
    let floor = FloorClient::new(
        provider,
        &server.base_url,
        &captured,
        request,
        crate::compare::plain_client().unwrap(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (server, floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::plain_client;
    use crate::provider::charge_request;

    /// The floor is only a floor if it sends what the adapter sends: for every provider, the
    /// adapter's first charge is captured and the floor client must write the same body and
    /// header names (`FloorClient::new` refuses otherwise), then get an approval.
    #[tokio::test]
    async fn every_floor_client_sends_the_adapters_bytes_and_reads_the_approval() {
        for provider in Provider::ALL {
            let (_server, floor) = canned_floor(provider).await;
            assert!(floor.send().await, "{}", provider.name());
        }
    }

    #[test]
    fn a_floor_that_writes_other_bytes_is_refused() {
        let request = charge_request(Provider::Paytr, "BENCH1").unwrap();
        let captured = Captured {
            method: axum::http::Method::POST,
            path: "/odeme".into(),
            headers: vec![],
            body: axum::body::Bytes::from_static(b"merchant_id=1"),
        };
        let error = FloorClient::new(
            Provider::Paytr,
            "http://127.0.0.1:9",
            &captured,
            request,
            plain_client().unwrap(),
        )
        .unwrap_err();
        assert!(error.contains("body differs"), "{error}");
        assert!(error.contains("from byte 13 ("), "{error}");
        assert!(error.contains("and 13 bytes)"), "{error}");
        assert!(!error.contains("4355084355084358"), "{error}");
    }

    #[test]
    fn approvals_are_read_from_the_protocols_fields() {
        assert!(approved(Provider::Paytr, br#"{"status":"success"}"#));
        assert!(!approved(Provider::Paytr, br#"{"status":"failed"}"#));
        assert!(approved(
            Provider::Craftgate,
            br#"{"data":{"paymentStatus":"SUCCESS"}}"#
        ));
        assert!(!approved(
            Provider::Craftgate,
            br#"{"data":{"paymentStatus":"FAILURE"}}"#
        ));
        assert!(approved(
            Provider::Paytrek,
            br#"{"transactions":[{"succeeded":true}]}"#
        ));
        assert!(!approved(Provider::Paytrek, br#"{"transactions":[]}"#));
        assert!(!approved(Provider::Paytrek, b"not json"));
    }
}
