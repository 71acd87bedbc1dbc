//! Huge amounts in every Paytrek money field answer DRF's field validation error instead
//! of dropping the connection, and nothing is charged or stored for them.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::str::FromStr;

use odeme_sandbox::paytrek::PaytrekSimulator;
use odeme_sandbox::{LedgerKind, Simulator};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
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

/// An amount of a sale object (`"24.00"`) as an exact decimal.
fn amount(value: &Value) -> Decimal {
    value
        .as_str()
        .and_then(|text| Decimal::from_str(text).ok())
        .unwrap_or_else(|| panic!("not an amount: {value}"))
}

/// Reads back every sale the simulator stored (the sale list, page by page, then each
/// sale retrieved by its token) and checks it against the ledger: a sale that was paid or
/// pre-authorized (and maybe since refunded or cancelled) has exactly one charge or
/// pre-authorization of its amount, a declined or unpaid one none; refunds never exceed
/// the amount and add up to what the sale says was refunded; every ledger entry belongs to
/// a stored sale. Returns how many sales are stored.
async fn assert_store_matches_ledger(env: &Env) -> usize {
    let mut tokens = Vec::new();
    let mut path = "/api/v2/sale/?page_size=100".to_owned();
    loop {
        let (status, page) = env.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let results = page["results"].as_array().cloned().unwrap_or_default();
        tokens.extend(
            results
                .iter()
                .map(|s| s["sale_token"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => path = next.trim_start_matches(env.sim.base_url()).to_owned(),
            None => {
                assert_eq!(page["count"], tokens.len(), "{page}");
                break;
            }
        }
    }
    assert_eq!(tokens.len(), env.sim.sale_count());
    let ledger = env.sim.ledger().entries();
    let money_kinds = [
        LedgerKind::Charge,
        LedgerKind::PreAuthorization,
        LedgerKind::Capture,
        LedgerKind::Cancel,
        LedgerKind::Refund,
        LedgerKind::Decline,
    ];
    for token in &tokens {
        let (status, sale) = env.get(&format!("/api/v2/sale/{token}/")).await;
        assert_eq!(status, StatusCode::OK, "sale {token}: {sale}");
        let sale_amount = amount(&sale["amount"]);
        let entries = |kinds: &[LedgerKind]| -> Vec<Decimal> {
            ledger
                .iter()
                .filter(|e| &e.reference == token && kinds.contains(&e.kind))
                .map(|e| e.amount.unwrap_or_default())
                .collect()
        };
        let charged = entries(&[LedgerKind::Charge, LedgerKind::PreAuthorization]);
        let refunds: Decimal = entries(&[LedgerKind::Refund]).into_iter().sum();
        match sale["status"].as_str().unwrap_or("") {
            "Paid" | "PreAuthorized" | "Partially Refunded" | "Refunded" | "Cancelled" => {
                assert_eq!(charged, vec![sale_amount], "sale {token}: {sale}");
            }
            _ => assert!(
                charged.is_empty(),
                "unpaid sale {token} was charged: {sale}"
            ),
        }
        assert!(refunds <= sale_amount, "sale {token} refunded {refunds}");
        if sale["status"] != "Cancelled" {
            assert_eq!(
                amount(&sale["refunded_amount"]),
                refunds,
                "sale {token}: {sale}"
            );
        }
    }
    let stored: BTreeSet<&String> = tokens.iter().collect();
    for entry in ledger.iter().filter(|e| money_kinds.contains(&e.kind)) {
        assert!(
            stored.contains(&entry.reference),
            "a ledger entry without a stored sale: {entry:?}"
        );
    }
    tokens.len()
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
    assert_eq!(assert_store_matches_ledger(&env).await, 0);
}

#[tokio::test]
async fn huge_refund_amounts_are_field_errors_and_the_sale_stays_whole() {
    let env = env().await;
    let (status, paid) = env
        .post("/api/v2/direct_charge/", direct_body("paid1", SUCCESS_CARD))
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    let token = paid["sale_token"].as_str().unwrap().to_owned();
    let (status, refund) = env
        .post(
            "/api/v2/refund/",
            json!({"sale_token": token, "amount": 4.0}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refund}");
    for amount in huge() {
        let (status, answer) = env
            .post(
                "/api/v2/refund/",
                json!({"sale_token": token, "amount": amount.clone()}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{amount}: {answer}");
        assert!(answer.get("amount").is_some(), "{answer}");
    }
    // Hostile sales around the stored one change nothing.
    for (n, amount) in huge().into_iter().enumerate() {
        let mut body = direct_body(&format!("h{n}"), SUCCESS_CARD);
        merge(&mut body, json!({"amount": amount}));
        let (status, answer) = env.post("/api/v2/direct_charge/", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    }
    assert_eq!(env.sim.ledger().charges_for_order("paid1"), 1);
    assert_eq!(
        env.sim
            .ledger()
            .for_order("paid1", LedgerKind::Refund)
            .len(),
        1
    );
    assert_eq!(
        env.sim.sale_status(&token).as_deref(),
        Some("Partially Refunded")
    );
    assert_eq!(assert_store_matches_ledger(&env).await, 1);
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
    assert_eq!(assert_store_matches_ledger(&env).await, 0);
}

#[tokio::test]
async fn the_largest_page_number_is_an_invalid_page() {
    let env = env().await;
    let (status, answer) = env.get("/api/v2/sale/?page=4294967295").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (status, answer) = env.get("/api/v2/sale/?page=18446744073709551615").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(assert_store_matches_ledger(&env).await, 0);
}
