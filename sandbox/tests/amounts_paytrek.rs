//! Huge amounts in every Paytrek money field answer DRF's field validation error instead
//! of dropping the connection, and nothing is charged or stored for them.

use std::net::SocketAddr;

use odeme_sandbox::paytrek::PaytrekSimulator;
use odeme_sandbox::Simulator;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const RETURN_URL: &str = "https://merchant.example/return";
const SUCCESS_CARD: &str = "4508034508034509";

fn huge() -> Vec<Value> {
    vec![
        json!(1e27),
        json!(5e28),
        json!("79228162514264337593543950335"),
        json!("1e27"),
        json!("10000000000.00"),
    ]
}
struct Env {
    sim: PaytrekSimulator,
    http: reqwest::Client,
}

async fn env() -> Env {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let sim = PaytrekSimulator::start(addr).await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Env { sim, http }
}

impl Env {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    fn authed(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let creds = self.sim.credentials();
        self.http
            .request(method, self.url(path))
            .basic_auth(&creds.api_key, Some(&creds.secret))
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.authed(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, value)
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
}

fn merge(body: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (body.as_object_mut(), extra) {
        target.extend(extra);
    }
}

fn sale_body(order_id: &str) -> Value {
    json!({
        "amount": 24.0,
        "order_id": order_id,
        "secure_option": false,
        "pre_auth": false,
        "billing_address": "123 Market St. San Francisco",
        "billing_city": "San Francisco",
        "billing_country": "US",
        "billing_state": "CA",
        "currency": "TRY",
        "customer_email": "johndoe@gmail.com",
        "customer_first_name": "John",
        "customer_ip_address": "212.57.9.204",
        "customer_last_name": "Doe",
        "installment": 1,
        "return_url": RETURN_URL,
        "items": [{
            "unit_price": 12.0,
            "quantity": 2,
            "name": "product_name",
            "photo": "https://sandbox.paytrek.com/statics/images/testing.jpg"
        }],
        "sale_data": {"merchant_name": "Ted"}
    })
}

fn card(number: &str) -> Value {
    let cvc = if number.starts_with("4000") || number.starts_with("4100") {
        "123"
    } else {
        "000"
    };
    json!({"number": number, "expiration": "12/2030", "cvc": cvc, "card_holder_name": "John Doe"})
}

fn direct_body(order_id: &str, number: &str) -> Value {
    let mut body = sale_body(order_id);
    merge(&mut body, card(number));
    body
}

#[tokio::test]
async fn huge_sale_and_charge_amounts_are_field_errors() {
    let env = env().await;
    for (n, amount) in huge().into_iter().enumerate() {
        for (path, mut body) in [
            ("/api/v2/sale/", sale_body(&format!("s{n}"))),
            (
                "/api/v2/direct_charge/",
                direct_body(&format!("d{n}"), SUCCESS_CARD),
            ),
        ] {
            merge(&mut body, json!({"amount": amount.clone()}));
            let (status, answer) = env.post(path, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {amount}: {answer}");
            assert!(answer.get("amount").is_some(), "{answer}");
        }
    }
    assert!(env.sim.ledger().is_empty(), "a refused sale was charged");
    let (status, list) = env.get("/api/v2/sale/").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["count"], 0, "{list}");
}

#[tokio::test]
async fn huge_installment_amounts_are_field_errors() {
    let env = env().await;
    for amount in [
        "1e27",
        "5e28",
        "79228162514264337593543950335",
        "10000000000",
    ] {
        let (status, answer) = env
            .get(&format!(
                "/api/v2/installments/?bin_number=450803&amount={amount}"
            ))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{amount}: {answer}");
        assert!(answer.get("amount").is_some(), "{answer}");
    }
    let (status, answer) = env
        .get("/api/v2/installments/?bin_number=450803&amount=9999999999.99")
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn the_largest_page_number_is_an_invalid_page() {
    let env = env().await;
    let (status, answer) = env.get("/api/v2/sale/?page=4294967295").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (status, answer) = env.get("/api/v2/sale/?page=18446744073709551615").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
}
