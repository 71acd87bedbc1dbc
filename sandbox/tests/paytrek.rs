//! The Paytrek v2 simulator driven over real HTTP on loopback.

use std::net::SocketAddr;

use odeme_sandbox::paytrek::test_cards::{DEBIT_CARD, DESIGNATED_CARDS};
use odeme_sandbox::paytrek::PaytrekSimulator;
use odeme_sandbox::{Fault, LedgerKind, Simulator};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const RETURN_URL: &str = "https://merchant.example/return";
/// A document test card with a 3-D password (Akbank): enrolled in 3-D Secure.
const ENROLLED_3DS: &str = "4355084355084358";

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

    async fn direct(&self, order_id: &str, number: &str, extra: Value) -> (StatusCode, Value) {
        let mut body = direct_body(order_id, number);
        merge(&mut body, extra);
        self.post("/api/v2/direct_charge/", body).await
    }

    async fn create_sale(&self, order_id: &str, extra: Value) -> String {
        let mut body = sale_body(order_id);
        merge(&mut body, extra);
        let (status, sale) = self.post("/api/v2/sale/", body).await;
        assert_eq!(status, StatusCode::CREATED, "{sale}");
        sale["sale_token"].as_str().unwrap().to_owned()
    }

    async fn sale(&self, token: &str) -> Value {
        let (status, sale) = self.get(&format!("/api/v2/sale/{token}/")).await;
        assert_eq!(status, StatusCode::OK);
        sale
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

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

// ---------------------------------------------------------------- authentication, transport

#[tokio::test]
async fn every_endpoint_requires_basic_auth() {
    let env = env().await;
    let endpoints = [
        (Method::POST, "/api/v2/sale/"),
        (Method::GET, "/api/v2/sale/"),
        (Method::GET, "/api/v2/sale/abc/"),
        (Method::POST, "/api/v2/charge/"),
        (Method::POST, "/api/v2/direct_charge/"),
        (Method::POST, "/api/v2/charge_with_token/"),
        (Method::POST, "/api/v2/vault/"),
        (Method::GET, "/api/v2/vault/"),
        (Method::DELETE, "/api/v2/vault/abc/"),
        (Method::POST, "/api/v2/capture/"),
        (Method::POST, "/api/v2/cancel/"),
        (Method::POST, "/api/v2/refund/"),
        (Method::POST, "/api/v2/subscription_plan/"),
        (Method::GET, "/api/v2/subscription_plan/abc/"),
        (Method::PUT, "/api/v2/subscription_plan/abc/"),
        (Method::GET, "/api/v2/installments/?amount=10"),
    ];
    for (method, path) in endpoints {
        let response = env
            .http
            .request(method.clone(), env.url(path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert_eq!(
            response.headers()["www-authenticate"],
            "Basic realm=\"api\""
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({"detail": "Authentication credentials were not provided."})
        );

        let wrong = env
            .http
            .request(method.clone(), env.url(path))
            .basic_auth(&env.sim.credentials().api_key, Some("not-the-secret"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        let body: Value = wrong.json().await.unwrap();
        assert_eq!(body, json!({"detail": "Invalid username/password."}));
    }
    assert!(env.sim.ledger().is_empty());
    assert_eq!(env.sim.sale_count(), 0);
}

#[tokio::test]
async fn posts_must_be_json() {
    let env = env().await;
    let response = env
        .authed(Method::POST, "/api/v2/sale/")
        .header("content-type", "text/plain")
        .body(sale_body("ct-1").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["detail"],
        "Unsupported media type \"text/plain\" in request."
    );

    let response = env
        .authed(Method::POST, "/api/v2/sale/")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .starts_with("JSON parse error - "));
    assert_eq!(env.sim.sale_count(), 0);
}

#[tokio::test]
async fn unknown_methods_and_paths_are_drf_errors() {
    let env = env().await;
    let (status, body) = env.call(Method::DELETE, "/api/v2/sale/", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body, json!({"detail": "Method \"DELETE\" not allowed."}));
    let (status, body) = env.get("/api/v2/nothing/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "Not found."}));
    // The document prints every path with its trailing slash; without it there is no route.
    let (status, _) = env.get("/api/v2/sale").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn credentials_debug_hides_the_secret() {
    let creds = odeme_sandbox::paytrek::PaytrekCredentials::default();
    let debug = format!("{creds:?}");
    assert!(!debug.contains(&creds.secret), "{debug}");
    assert!(debug.contains(&creds.api_key));
}

// ---------------------------------------------------------------- sale resource

#[tokio::test]
async fn sale_create_get_and_list() {
    let env = env().await;
    let (status, sale) = env.post("/api/v2/sale/", sale_body("1467034250")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(sale["amount"], "24.00");
    assert_eq!(sale["refunded_amount"], "0.00");
    assert_eq!(sale["status"], "Created");
    assert_eq!(sale["financial_status"], Value::Null);
    assert_eq!(sale["transactions"], json!([]));
    assert_eq!(sale["items"][0]["unit_price"], "12.00");
    assert_eq!(sale["items"][0]["quantity"], 2);
    assert_eq!(sale["sale_data"], json!({"merchant_name": "Ted"}));
    assert_eq!(sale["installment"], 1);
    assert_eq!(sale["hosted_payment"], true);
    assert_eq!(sale["billing_zipcode"], Value::Null);
    assert!(sale["sys_time"].is_i64());
    let token = sale["sale_token"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(sale["expires_at"].as_str().unwrap().ends_with('Z'));

    let fetched = env.sale(token).await;
    assert_eq!(fetched["order_id"], "1467034250");
    assert_eq!(fetched["sale_token"], token);

    let (status, body) = env
        .get("/api/v2/sale/0123456789abcdef0123456789abcdef/")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "Not found."}));

    env.create_sale("list-2", json!({})).await;
    env.create_sale("list-3", json!({})).await;
    let (status, list) = env.get("/api/v2/sale/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["count"], 3);
    assert_eq!(list["next"], Value::Null);
    assert_eq!(list["previous"], Value::Null);
    assert_eq!(list["results"].as_array().unwrap().len(), 3);

    let (_, filtered) = env.get("/api/v2/sale/?order_id=list-2").await;
    assert_eq!(filtered["count"], 1);
    assert_eq!(filtered["results"][0]["order_id"], "list-2");
    let (_, none) = env.get("/api/v2/sale/?order_id=nope").await;
    assert_eq!(none["count"], 0);
    assert_eq!(none["results"], json!([]));

    let (_, page1) = env.get("/api/v2/sale/?page_size=2").await;
    assert_eq!(page1["results"].as_array().unwrap().len(), 2);
    let next = page1["next"].as_str().unwrap();
    assert_eq!(next, env.url("/api/v2/sale/?page_size=2&page=2"));
    let page2: Value = env
        .http
        .get(next)
        .basic_auth(
            &env.sim.credentials().api_key,
            Some(&env.sim.credentials().secret),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page2["results"].as_array().unwrap().len(), 1);
    assert_eq!(page2["previous"], env.url("/api/v2/sale/?page_size=2"));
    let (status, body) = env.get("/api/v2/sale/?page=9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "Invalid page."}));
    assert!(
        env.sim.ledger().is_empty(),
        "creating a sale moves no money"
    );
}

#[tokio::test]
async fn sale_create_validation() {
    let env = env().await;
    let (status, body) = env.post("/api/v2/sale/", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in [
        "currency",
        "order_id",
        "amount",
        "installment",
        "customer_first_name",
        "customer_last_name",
        "customer_email",
        "customer_ip_address",
        "billing_address",
        "billing_city",
        "billing_country",
        "items",
    ] {
        assert_eq!(body[field], json!(["This field is required."]), "{field}");
    }

    let mut bad = sale_body("v-1");
    merge(
        &mut bad,
        json!({"amount": "10.005", "customer_email": "nope", "customer_ip_address": "1.2.3", "installment": 0}),
    );
    let (status, body) = env.post("/api/v2/sale/", bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["amount"],
        json!(["Ensure that there are no more than 2 decimal places."])
    );
    assert_eq!(
        body["customer_email"],
        json!(["Enter a valid email address."])
    );
    assert_eq!(
        body["customer_ip_address"],
        json!(["Enter a valid IPv4 or IPv6 address."])
    );
    assert_eq!(
        body["installment"],
        json!(["Ensure this value is greater than or equal to 1."])
    );

    let mut currency = sale_body("v-2");
    merge(&mut currency, json!({"currency": "XYZ"}));
    let (status, body) = env.post("/api/v2/sale/", currency).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "30053");
    assert_eq!(body["error_message"], "Invalid Currency");
    assert!(body["currency"].is_array());

    let mut items = sale_body("v-3");
    merge(
        &mut items,
        json!({"items": [{"name": "a", "quantity": 1, "unit_price": 1}, {"quantity": 1}]}),
    );
    let (status, body) = env.post("/api/v2/sale/", items).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["items"][0], json!({}));
    assert_eq!(body["items"][1]["name"], json!(["This field is required."]));
    assert_eq!(
        body["items"][1]["unit_price"],
        json!(["This field is required."])
    );
    assert_eq!(env.sim.sale_count(), 0);
}

#[tokio::test]
async fn an_order_id_is_used_once() {
    let env = env().await;
    env.create_sale("dup-1", json!({})).await;
    let (status, body) = env.post("/api/v2/sale/", sale_body("dup-1")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "30120");
    assert_eq!(body["error_message"], "Order Number is in Use");
    assert_eq!(body["order_id"], json!(["Order Number is in Use"]));

    let (status, first) = env.direct("dup-2", "4508034508034509", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["status"], "Paid");
    let (status, second) = env.direct("dup-2", "4508034508034509", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(second["error_code"], "30120");
    assert_eq!(env.sim.ledger().charges_for_order("dup-2"), 1);
    // A declined order id stays in use too.
    env.direct("dup-3", "4000000000000002", json!({})).await;
    let (status, _) = env.direct("dup-3", "4508034508034509", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(env.sim.ledger().charges_for_order("dup-3"), 0);
}

// ---------------------------------------------------------------- paying

#[tokio::test]
async fn direct_charge_pays_the_sale() {
    let env = env().await;
    let (status, body) = env.direct("dc-1", "4508034508034509", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["succeeded"], true);
    assert_eq!(body["error_message"], "");
    assert_eq!(body["status"], "Paid");
    assert_eq!(body["financial_status"], "Ready to Send");
    assert_eq!(body["number"], "450803******4509");
    assert_eq!(body["card_holder_name"], "J********");
    assert_eq!(body["cvc"], "***");
    assert_eq!(body["exp_month"], "12");
    assert_eq!(body["exp_year"], "2030");
    assert_eq!(body["issuer_bank_id"], "isbank");
    assert_eq!(body["secure_charge"], false);
    assert_eq!(body["hosted_payment"], false);
    assert!(
        body.get("card_token").is_none(),
        "no save_card, no card_token"
    );
    let token = body["sale_token"].as_str().unwrap();
    assert_eq!(body["return_url"], format!("{RETURN_URL}?token={token}"));
    let tx = &body["transactions"][0];
    assert_eq!(tx["type"], "Sale");
    assert_eq!(tx["succeeded"], true);
    assert_eq!(tx["amount"], "24.00");
    assert_eq!(tx["bin_number"], "450803");
    assert_eq!(tx["card_number_last4"], "4509");
    assert_eq!(tx["paytrek_error"], Value::Null);
    assert_eq!(tx["fraud_risk"]["decision"], "ACCEPT");

    let charges = env.sim.ledger().for_order("dc-1", LedgerKind::Charge);
    assert_eq!(charges.len(), 1);
    assert_eq!(charges[0].amount, Some(dec("24")));
    assert_eq!(charges[0].reference, token);
    assert_eq!(env.sale(token).await["status"], "Paid");
}

#[tokio::test]
async fn charge_pays_a_created_sale_once() {
    let env = env().await;
    let token = env.create_sale("ch-1", json!({})).await;
    let mut body = card("4506347043358536");
    merge(&mut body, json!({"sale_token": token}));
    let (status, answer) = env.post("/api/v2/charge/", body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["succeeded"], true);
    assert_eq!(answer["error_message"], "");
    assert_eq!(answer["number"], "450634******8536");
    assert_eq!(answer["issuer_bank_id"], "ykb");
    assert_eq!(answer["sale_token"], token);
    assert_eq!(answer["return_url"], format!("{RETURN_URL}?token={token}"));
    assert_eq!(env.sale(&token).await["status"], "Paid");

    let (status, again) = env.post("/api/v2/charge/", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error_code"], "30015");
    assert_eq!(env.sim.ledger().charges_for_order("ch-1"), 1);

    let mut unknown = card("4506347043358536");
    merge(
        &mut unknown,
        json!({"sale_token": "ffffffffffffffffffffffffffffffff"}),
    );
    let (status, body) = env.post("/api/v2/charge/", unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"detail": "Not found."}));
}

#[tokio::test]
async fn card_fields_are_validated_before_the_bank() {
    let env = env().await;
    let (status, body) = env.direct("cv-1", "4508034508034508", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["number"], json!(["Invalid card number."]));
    assert_eq!(body["error_code"], "10009");
    let (status, body) = env
        .direct("cv-2", "4508034508034509", json!({"expiration": "2030-12"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["expiration"].is_array());
    assert_eq!(body["error_code"], "10032");
    let (status, body) = env
        .direct("cv-3", "4508034508034509", json!({"cvc": "12a"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["cvc"].is_array());
    let (status, body) = env
        .direct("cv-4", "4508034508034509", json!({"expiration": "12/30"}))
        .await;
    assert_eq!(status, StatusCode::OK, "MM/YY is accepted too: {body}");
    assert_eq!(env.sim.sale_count(), 1);
    assert_eq!(env.sim.ledger().len(), 1);
}

async fn assert_declined(env: &Env, order_id: &str, number: &str, extra: Value, code: &str) {
    let (status, body) = env.direct(order_id, number, extra).await;
    assert_eq!(status, StatusCode::OK, "{number}: {body}");
    assert_eq!(body["succeeded"], false, "{number}");
    assert_eq!(body["error_code"], code, "{number}");
    assert_eq!(body["status"], "Declined", "{number}");
    let tx = &body["transactions"][0];
    assert_eq!(tx["succeeded"], false);
    assert_eq!(tx["paytrek_error"]["code"], code);
    assert_eq!(tx["paytrek_error"]["message"], body["error_message"]);
    assert!(tx["paytrek_error"]["customer_message"].is_string());
    assert_eq!(env.sim.ledger().charges_for_order(order_id), 0, "{number}");
    assert_eq!(
        env.sim
            .ledger()
            .for_order(order_id, LedgerKind::Decline)
            .len(),
        1,
        "{number}"
    );
}

#[tokio::test]
async fn decline_cards_answer_in_the_documented_format() {
    let env = env().await;
    let expected = [
        ("4000000000009995", "10020", "Insufficient Limit"),
        ("4000000000000127", "10033", "Wrong / Invalid Cvv"),
        ("4000000000000069", "10023", "Card has Expired"),
        (
            "4100000000000019",
            "10046",
            "The Request can be Fraud, Ip of cardholder did not clear the check",
        ),
        (
            "4000000000000002",
            "10004",
            "Transaction has been denied / General Rejection",
        ),
        ("4000000000009987", "10003", "Block The Card"),
        ("4000000000000010", "99999", "Card Declined"),
    ];
    assert_eq!(
        expected.len(),
        DESIGNATED_CARDS.len() - 2,
        "every designated decline card is exercised"
    );
    for (i, (number, code, message)) in expected.iter().enumerate() {
        let order = format!("dec-{i}");
        assert_declined(&env, &order, number, json!({}), code).await;
        let (_, list) = env.get(&format!("/api/v2/sale/?order_id={order}")).await;
        assert_eq!(
            list["results"][0]["transactions"][0]["error_message"],
            *message
        );
    }
    let (_, fraud) = env.get("/api/v2/sale/?order_id=dec-3").await;
    assert_eq!(
        fraud["results"][0]["transactions"][0]["fraud_risk"]["decision"],
        "REJECT"
    );
}

#[tokio::test]
async fn bank_rules_decline_documented_cards() {
    let env = env().await;
    assert_declined(
        &env,
        "rule-1",
        "4508034508034509",
        json!({"cvc": "123"}),
        "10033",
    )
    .await;
    assert_declined(
        &env,
        "rule-2",
        "4508034508034509",
        json!({"expiration": "12/2020"}),
        "10023",
    )
    .await;
    assert_declined(
        &env,
        "rule-3",
        DEBIT_CARD,
        json!({"installment": 3}),
        "30037",
    )
    .await;
    assert_declined(
        &env,
        "rule-4",
        "4508034508034509",
        json!({"installment": 5}),
        "30037",
    )
    .await;
    let (_, ok) = env
        .direct("rule-5", DEBIT_CARD, json!({"installment": 1}))
        .await;
    assert_eq!(ok["status"], "Paid");
    let (_, ok) = env
        .direct("rule-6", "5456165456165454", json!({"installment": 6}))
        .await;
    assert_eq!(ok["status"], "Paid");
    assert_eq!(ok["installment"], 6);
    let (_, ok) = env
        .direct(
            "rule-7",
            "5101180000000007",
            json!({"installment": 4, "cvc": "321"}),
        )
        .await;
    assert_eq!(ok["status"], "Paid");
    assert_eq!(ok["issuer_bank_id"], "denizbank");
    assert_declined(
        &env,
        "rule-8",
        "5101180000000007",
        json!({"installment": 9}),
        "30037",
    )
    .await;
    assert_declined(
        &env,
        "rule-9",
        "4111111111111111",
        json!({"installment": 2}),
        "30037",
    )
    .await;
}

#[tokio::test]
async fn fraud_review_leaves_the_sale_pre_authorized() {
    let env = env().await;
    let (_, body) = env.direct("fr-1", "4000000000000259", json!({})).await;
    assert_eq!(body["succeeded"], true);
    assert_eq!(body["status"], "PreAuthorized");
    assert_eq!(body["transactions"][0]["fraud_risk"]["decision"], "REVIEW");
    assert_eq!(
        env.sim
            .ledger()
            .for_order("fr-1", LedgerKind::PreAuthorization)
            .len(),
        1
    );
    let token = body["sale_token"].as_str().unwrap().to_owned();
    let (status, _) = env
        .post(
            "/api/v2/capture/",
            json!({"sale_token": token, "comments": "I accept the result of the fraud check."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let sale = env.sale(&token).await;
    assert_eq!(sale["status"], "Paid");
    let fraud = &sale["transactions"][0]["fraud_risk"];
    assert_eq!(fraud["decision"], "ACCEPT");
    assert_eq!(fraud["reviewer_decision"], "ACCEPTED");
    assert_eq!(
        fraud["reviewer_comments"],
        "I accept the result of the fraud check."
    );

    let (_, body) = env.direct("fr-2", "4000000000000259", json!({})).await;
    let token = body["sale_token"].as_str().unwrap().to_owned();
    env.post("/api/v2/cancel/", json!({"sale_token": token}))
        .await;
    let sale = env.sale(&token).await;
    assert_eq!(sale["status"], "Cancelled");
    assert_eq!(sale["transactions"][0]["fraud_risk"]["decision"], "REJECT");
    assert_eq!(
        sale["transactions"][0]["fraud_risk"]["reviewer_decision"],
        "REJECTED"
    );
}

#[tokio::test]
async fn a_declined_sale_can_be_charged_again() {
    let env = env().await;
    let token = env.create_sale("retry-1", json!({})).await;
    let mut declined = card("4000000000009995");
    merge(&mut declined, json!({"sale_token": token}));
    let (_, answer) = env.post("/api/v2/charge/", declined).await;
    assert_eq!(answer["succeeded"], false);
    assert_eq!(answer["error_code"], "10020");
    assert_eq!(answer["error_message"], "Insufficient Limit");
    let mut good = card("4508034508034509");
    merge(&mut good, json!({"sale_token": token}));
    let (_, answer) = env.post("/api/v2/charge/", good).await;
    assert_eq!(answer["succeeded"], true);
    let sale = env.sale(&token).await;
    assert_eq!(sale["status"], "Paid");
    assert_eq!(sale["transactions"].as_array().unwrap().len(), 2);
    assert_eq!(env.sim.ledger().charges_for_order("retry-1"), 1);
}

// ---------------------------------------------------------------- capture, cancel, refund

#[tokio::test]
async fn pre_authorization_capture_and_cancel() {
    let env = env().await;
    let (_, body) = env
        .direct("pa-1", "4508034508034509", json!({"pre_auth": true}))
        .await;
    assert_eq!(body["status"], "PreAuthorized");
    assert_eq!(body["financial_status"], Value::Null);
    let token = body["sale_token"].as_str().unwrap().to_owned();
    assert_eq!(
        env.sim
            .ledger()
            .for_order("pa-1", LedgerKind::PreAuthorization)
            .len(),
        1
    );

    let (status, captured) = env
        .post(
            "/api/v2/capture/",
            json!({"sale_token": token, "comments": "testing"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(captured["amount"], "24.00");
    assert_eq!(captured["sale_amount"], "24.00");
    assert_eq!(captured["succeeded"], true);
    assert!(captured["sale_id"].is_u64());
    let sale = env.sale(&token).await;
    assert_eq!(sale["status"], "Paid");
    assert_eq!(sale["financial_status"], "Ready to Send");
    assert_eq!(
        env.sim
            .ledger()
            .for_order("pa-1", LedgerKind::Capture)
            .len(),
        1
    );

    let (status, again) = env
        .post("/api/v2/capture/", json!({"sale_token": token}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error_code"], "30002");
    assert!(again["sale_token"].is_array());

    let (_, body) = env
        .direct("pa-2", "4508034508034509", json!({"pre_auth": true}))
        .await;
    let token2 = body["sale_token"].as_str().unwrap().to_owned();
    let response = env
        .authed(Method::POST, "/api/v2/cancel/")
        .json(&json!({"sale_token": token2}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let raw = response.text().await.unwrap();
    let cancelled: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        cancelled["amount"],
        json!(24),
        "cancel amounts are JSON numbers: {raw}"
    );
    assert_eq!(cancelled["sale_amount"], json!(24));
    assert_eq!(cancelled["succeeded"], true);
    assert_eq!(env.sale(&token2).await["status"], "Cancelled");
    assert_eq!(
        env.sim.ledger().for_order("pa-2", LedgerKind::Cancel).len(),
        1
    );
    let (status, again) = env
        .post("/api/v2/cancel/", json!({"sale_token": token2}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error_code"], "30005");
    let (status, _) = env
        .post("/api/v2/capture/", json!({"sale_token": token2}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let created = env.create_sale("pa-3", json!({})).await;
    let (status, body) = env
        .post("/api/v2/capture/", json!({"sale_token": created}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = env.post("/api/v2/capture/", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["sale_token"], json!(["This field is required."]));
}

#[tokio::test]
async fn partial_and_full_refunds() {
    let env = env().await;
    let mut body = direct_body("rf-1", "4508034508034509");
    merge(&mut body, json!({"amount": "50.00", "items": []}));
    let (_, sale) = env.post("/api/v2/direct_charge/", body).await;
    let token = sale["sale_token"].as_str().unwrap().to_owned();

    let response = env
        .authed(Method::POST, "/api/v2/refund/")
        .json(&json!({"sale_token": token, "amount": 9.70, "comments": "testing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let raw = response.text().await.unwrap();
    let refund: Value = serde_json::from_str(&raw).unwrap();
    assert!(raw.contains("\"amount\": 9.7"), "{raw}");
    assert!(raw.contains("\"sale_amount\": 50"), "{raw}");
    assert_eq!(refund["total_refunded_amount"], json!(9.7));
    assert_eq!(refund["succeeded"], true);
    assert!(refund["sale_id"].is_u64());
    let sale = env.sale(&token).await;
    assert_eq!(sale["status"], "Partially Refunded");
    assert_eq!(sale["refunded_amount"], "9.70");

    let (status, over) = env
        .post(
            "/api/v2/refund/",
            json!({"sale_token": token, "amount": "40.31"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(over["error_code"], "30003");
    assert!(over["amount"][0].as_str().unwrap().contains("40.30"));

    let (status, rest) = env
        .post("/api/v2/refund/", json!({"sale_token": token}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rest["amount"], json!(40.3));
    assert_eq!(rest["total_refunded_amount"], json!(50));
    assert_eq!(env.sale(&token).await["status"], "Refunded");
    let refunds = env.sim.ledger().for_order("rf-1", LedgerKind::Refund);
    let amounts: Vec<_> = refunds.iter().map(|e| e.amount.unwrap()).collect();
    assert_eq!(amounts, vec![dec("9.70"), dec("40.30")]);

    let (status, more) = env
        .post("/api/v2/refund/", json!({"sale_token": token, "amount": 1}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(more["error_code"], "30002");
    let created = env.create_sale("rf-2", json!({})).await;
    let (status, _) = env
        .post("/api/v2/refund/", json!({"sale_token": created}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, bad) = env
        .post("/api/v2/refund/", json!({"sale_token": token, "amount": 0}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad["amount"].is_array());
    let (status, _) = env
        .post("/api/v2/refund/", json!({"sale_token": "nope"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cancel_after_a_partial_refund_returns_the_rest() {
    let env = env().await;
    let (_, sale) = env.direct("cx-1", "4508034508034509", json!({})).await;
    let token = sale["sale_token"].as_str().unwrap().to_owned();
    env.post(
        "/api/v2/refund/",
        json!({"sale_token": token, "amount": "4.00"}),
    )
    .await;
    let (status, cancelled) = env
        .post("/api/v2/cancel/", json!({"sale_token": token}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["amount"], json!(20));
    assert_eq!(env.sale(&token).await["status"], "Refunded");
    let refunded: Decimal = env
        .sim
        .ledger()
        .for_order("cx-1", LedgerKind::Refund)
        .iter()
        .filter_map(|e| e.amount)
        .sum();
    assert_eq!(refunded, dec("24"));
}

// ---------------------------------------------------------------- vault

#[tokio::test]
async fn vault_store_get_list_delete() {
    let env = env().await;
    let body = json!({
        "card_holder_name": "Joe Doe",
        "number": "4508034508034509",
        "expiration": "12/2030",
        "cvc": "000",
        "card_label": "Ted",
        "card_user_id": "10001",
    });
    let (status, stored) = env.post("/api/v2/vault/", body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored["bin_number"], "450803");
    assert_eq!(stored["last4"], "4509");
    assert_eq!(stored["card_brand"], "visa");
    assert_eq!(stored["card_type"], "credit");
    assert_eq!(stored["card_issuer"], "isbank");
    assert_eq!(stored["card_country"], "TR");
    assert_eq!(stored["card_label"], "Ted");
    assert_eq!(stored["card_user_id"], "10001");
    let token = stored["card_token"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&token).is_ok());
    assert!(!stored.to_string().contains("4508034508034509"));

    let mut other = body.clone();
    merge(
        &mut other,
        json!({"card_label": "", "card_user_id": "20002", "number": "5456165456165454"}),
    );
    let (_, other) = env.post("/api/v2/vault/", other).await;
    assert!(other["card_user_id"] == "20002");
    let mut generated = body.clone();
    generated.as_object_mut().unwrap().remove("card_user_id");
    let (_, generated) = env.post("/api/v2/vault/", generated).await;
    assert_eq!(generated["card_user_id"].as_str().unwrap().len(), 32);

    let (status, fetched) = env.get(&format!("/api/v2/vault/{token}/")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched["card_token"], token);

    let (_, all) = env.get("/api/v2/vault/").await;
    assert_eq!(all["count"], 3);
    let (_, by_user) = env.get("/api/v2/vault/?card_user_id=10001").await;
    assert_eq!(by_user["count"], 1);
    assert_eq!(by_user["results"][0]["card_token"], token);
    let (_, by_label) = env.get("/api/v2/vault/?card_label=Ted").await;
    assert_eq!(by_label["count"], 2);
    let (_, paged) = env.get("/api/v2/vault/?page_size=2").await;
    assert_eq!(paged["results"].as_array().unwrap().len(), 2);
    assert!(paged["next"].is_string());

    let (status, body) = env
        .call(Method::DELETE, &format!("/api/v2/vault/{token}/"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    let (status, _) = env.get(&format!("/api/v2/vault/{token}/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = env
        .call(Method::DELETE, &format!("/api/v2/vault/{token}/"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let kinds: Vec<LedgerKind> = env.sim.ledger().entries().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == LedgerKind::CardStored)
            .count(),
        3
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == LedgerKind::CardDeleted)
            .count(),
        1
    );
    assert_eq!(env.sim.stored_card_count(), 2);
}

#[tokio::test]
async fn vault_validation() {
    let env = env().await;
    let (status, body) = env
        .post("/api/v2/vault/", json!({"number": "4508034508034509"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["expiration", "cvc", "card_holder_name"] {
        assert_eq!(body[field], json!(["This field is required."]), "{field}");
    }
    let (status, body) = env
        .post(
            "/api/v2/vault/",
            json!({"number": "4508034508034509", "expiration": "12/2020", "cvc": "000", "card_holder_name": "J"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "10023");
    assert_eq!(env.sim.stored_card_count(), 0);
}

#[tokio::test]
async fn save_card_then_charge_with_token() {
    let env = env().await;
    let (_, first) = env
        .direct(
            "tok-1",
            "5456165456165454",
            json!({"save_card": true, "card_user_id": "cust-9"}),
        )
        .await;
    assert_eq!(first["status"], "Paid");
    let card_token = first["card_token"].as_str().unwrap().to_owned();
    assert_eq!(first["card_user_id"], "cust-9");
    let (_, stored) = env.get(&format!("/api/v2/vault/{card_token}/")).await;
    assert_eq!(stored["last4"], "5454");

    let sale = env.create_sale("tok-2", json!({"amount": "77.10"})).await;
    let (status, answer) = env
        .post(
            "/api/v2/charge_with_token/",
            json!({"sale_token": sale, "card_token": card_token}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["succeeded"], true);
    assert_eq!(answer["error_message"], Value::Null);
    assert_eq!(answer["number"], "545616******5454");
    assert_eq!(answer["payment_product"], Value::Null);
    assert_eq!(answer["dcc_currency"], Value::Null);
    assert_eq!(answer["sale_risk"], Value::Null);
    let charges = env.sim.ledger().for_order("tok-2", LedgerKind::Charge);
    assert_eq!(charges.len(), 1);
    assert_eq!(
        charges[0].amount,
        Some(dec("77.10")),
        "the amount comes from the sale"
    );
    assert_eq!(env.sale(&sale).await["status"], "Paid");

    let (status, again) = env
        .post(
            "/api/v2/charge_with_token/",
            json!({"sale_token": sale, "card_token": card_token}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error_code"], "30015");

    let other = env.create_sale("tok-3", json!({})).await;
    let (status, body) = env
        .post(
            "/api/v2/charge_with_token/",
            json!({"sale_token": other, "card_token": "00000000-0000-4000-8000-000000000000"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["card_token"].is_array());
    let (status, body) = env.post("/api/v2/charge_with_token/", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["sale_token"], json!(["This field is required."]));
    assert_eq!(body["card_token"], json!(["This field is required."]));
}

#[tokio::test]
async fn a_vaulted_decline_card_still_declines() {
    let env = env().await;
    let (_, stored) = env
        .post(
            "/api/v2/vault/",
            json!({"number": "4000000000009995", "expiration": "12/2030", "cvc": "123", "card_holder_name": "J"}),
        )
        .await;
    let sale = env.create_sale("tokd-1", json!({})).await;
    let (_, answer) = env
        .post(
            "/api/v2/charge_with_token/",
            json!({"sale_token": sale, "card_token": stored["card_token"]}),
        )
        .await;
    assert_eq!(answer["succeeded"], false);
    assert_eq!(answer["error_code"], "10020");
    assert_eq!(env.sale(&sale).await["status"], "Declined");
}

// ---------------------------------------------------------------- 3-D Secure

#[tokio::test]
async fn three_d_secure_success_redirects_with_the_token() {
    let env = env().await;
    let (status, body) = env
        .direct("3d-1", "4355084355084358", json!({"secure_option": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["succeeded"], true);
    assert_eq!(body["secure_charge"], true);
    assert_eq!(body["status"], "Created");
    let forward = body["forward_url"].as_str().unwrap().to_owned();
    assert!(forward.starts_with(env.sim.base_url()));
    let token = body["sale_token"].as_str().unwrap().to_owned();
    assert!(
        env.sim.ledger().is_empty(),
        "nothing is charged before authentication"
    );

    let page = env.http.get(&forward).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("435508******4358") && html.contains("24.00"));

    let done = env
        .http
        .get(format!("{forward}?result=success"))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::FOUND);
    assert_eq!(
        done.headers()["location"],
        format!("{RETURN_URL}?token={token}").as_str()
    );
    let sale = env.sale(&token).await;
    assert_eq!(sale["status"], "Paid");
    assert_eq!(sale["transactions"][0]["is_secure"], true);
    assert_eq!(env.sim.ledger().charges_for_order("3d-1"), 1);

    let reused = env
        .http
        .get(format!("{forward}?result=success"))
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), StatusCode::NOT_FOUND);
    assert_eq!(env.sim.ledger().charges_for_order("3d-1"), 1);
}

#[tokio::test]
async fn three_d_secure_failure_declines() {
    let env = env().await;
    let (_, body) = env
        .direct("3d-2", "5456165456165454", json!({"secure_option": true}))
        .await;
    let forward = body["forward_url"].as_str().unwrap().to_owned();
    let token = body["sale_token"].as_str().unwrap().to_owned();
    let done = env
        .http
        .post(&forward)
        .form(&[("result", "failure"), ("code", "40000")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::FOUND);
    assert_eq!(
        done.headers()["location"],
        format!("{RETURN_URL}?token={token}").as_str()
    );
    let sale = env.sale(&token).await;
    assert_eq!(sale["status"], "Declined");
    assert_eq!(sale["transactions"][0]["paytrek_error"]["code"], "40000");
    assert_eq!(env.sim.ledger().charges_for_order("3d-2"), 0);
    assert_eq!(
        env.sim
            .ledger()
            .for_order("3d-2", LedgerKind::Decline)
            .len(),
        1
    );

    let (_, body) = env
        .direct("3d-3", "4355084355084358", json!({"secure_option": true}))
        .await;
    let forward = body["forward_url"].as_str().unwrap().to_owned();
    let token = body["sale_token"].as_str().unwrap().to_owned();
    let done = env
        .http
        .post(&forward)
        .form(&[("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::FOUND);
    let sale = env.sale(&token).await;
    assert_eq!(sale["transactions"][0]["paytrek_error"]["code"], "40006");

    let (_, body) = env
        .direct("3d-4", "4355084355084358", json!({"secure_option": true}))
        .await;
    let forward = body["forward_url"].as_str().unwrap().to_owned();
    let bad = env
        .http
        .get(format!("{forward}?result=failure&code=10020"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let done = env
        .http
        .post(&forward)
        .form(&[("password", "a")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::FOUND);
    assert_eq!(env.sim.ledger().charges_for_order("3d-4"), 1);
}

#[tokio::test]
async fn three_d_secure_then_bank_decline_and_pre_auth() {
    let env = env().await;
    let (_, body) = env
        .direct("3d-5", "4000000000009995", json!({"secure_option": true}))
        .await;
    let forward = body["forward_url"].as_str().unwrap().to_owned();
    env.http
        .get(format!("{forward}?result=success"))
        .send()
        .await
        .unwrap();
    let sale = env.sale(body["sale_token"].as_str().unwrap()).await;
    assert_eq!(sale["status"], "Declined");
    assert_eq!(sale["transactions"][0]["paytrek_error"]["code"], "10020");

    let (_, body) = env
        .direct(
            "3d-6",
            ENROLLED_3DS,
            json!({"secure_option": true, "pre_auth": true}),
        )
        .await;
    let forward = body["forward_url"].as_str().unwrap().to_owned();
    env.http
        .get(format!("{forward}?result=success"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        env.sale(body["sale_token"].as_str().unwrap()).await["status"],
        "PreAuthorized"
    );
    assert_eq!(
        env.sim
            .ledger()
            .for_order("3d-6", LedgerKind::PreAuthorization)
            .len(),
        1
    );
}

#[tokio::test]
async fn three_d_secure_needs_a_return_url_for_direct_charge() {
    let env = env().await;
    let mut body = direct_body("3d-7", ENROLLED_3DS);
    body.as_object_mut().unwrap().remove("return_url");
    merge(&mut body, json!({"secure_option": true}));
    let (status, answer) = env.post("/api/v2/direct_charge/", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["return_url"].is_array());
}

#[tokio::test]
async fn three_d_secure_on_a_sale_and_with_a_token() {
    let env = env().await;
    let sale = env
        .create_sale("3d-8", json!({"secure_option": true}))
        .await;
    let mut body = card(ENROLLED_3DS);
    merge(&mut body, json!({"sale_token": sale, "save_card": true}));
    let (_, answer) = env.post("/api/v2/charge/", body).await;
    assert_eq!(answer["secure_charge"], true);
    let forward = answer["forward_url"].as_str().unwrap().to_owned();
    env.http
        .get(format!("{forward}?result=success"))
        .send()
        .await
        .unwrap();
    let paid = env.sale(&sale).await;
    assert_eq!(paid["status"], "Paid");
    assert_eq!(
        env.sim.stored_card_count(),
        1,
        "save_card vaults after authentication"
    );

    let (_, cards) = env.get("/api/v2/vault/").await;
    let card_token = cards["results"][0]["card_token"].clone();
    let sale2 = env
        .create_sale("3d-9", json!({"secure_option": true}))
        .await;
    let (_, answer) = env
        .post(
            "/api/v2/charge_with_token/",
            json!({"sale_token": sale2, "card_token": card_token}),
        )
        .await;
    let forward = answer["forward_url"].as_str().unwrap().to_owned();
    assert_eq!(env.sim.ledger().charges_for_order("3d-9"), 0);
    env.http
        .get(format!("{forward}?result=success"))
        .send()
        .await
        .unwrap();
    assert_eq!(env.sim.ledger().charges_for_order("3d-9"), 1);
}

#[tokio::test]
async fn not_enrolled_cards_need_half_secure() {
    let env = env().await;
    assert_declined(
        &env,
        "ne-1",
        "4000000000003030",
        json!({"secure_option": true}),
        "40002",
    )
    .await;
    let (_, body) = env
        .direct(
            "ne-2",
            "4000000000003030",
            json!({"secure_option": true, "half_secure": true}),
        )
        .await;
    assert_eq!(body["status"], "Paid");
    assert!(body.get("forward_url").is_none());
    let (_, body) = env.direct("ne-3", "4000000000003030", json!({})).await;
    assert_eq!(body["status"], "Paid");
}

#[tokio::test]
async fn documented_cards_without_a_3ds_password_are_not_enrolled() {
    let env = env().await;
    for (i, number) in ["4508034508034509", "4506347043358536"]
        .into_iter()
        .enumerate()
    {
        assert_declined(
            &env,
            &format!("ne-doc-{i}"),
            number,
            json!({"secure_option": true}),
            "40002",
        )
        .await;
        let (_, body) = env
            .direct(
                &format!("ne-doc-half-{i}"),
                number,
                json!({"secure_option": true, "half_secure": true}),
            )
            .await;
        assert_eq!(body["status"], "Paid", "{number}");
        assert!(body.get("forward_url").is_none(), "{number}");
    }
    for (i, number) in ["4355084355084358", "5456165456165454"]
        .into_iter()
        .enumerate()
    {
        let (_, body) = env
            .direct(
                &format!("en-doc-{i}"),
                number,
                json!({"secure_option": true}),
            )
            .await;
        assert!(body["forward_url"].is_string(), "{number}: {body}");
        assert_eq!(body["status"], "Created", "{number}");
    }
}

#[tokio::test]
async fn hosted_payment_page_pays_a_sale() {
    let env = env().await;
    let token = env.create_sale("hp-1", json!({})).await;
    let hosted = env.url(&format!("/?token={token}"));
    let page = env.http.get(&hosted).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("24.00"));

    let bad = env
        .http
        .post(&hosted)
        .form(&[("number", "4508034508034508")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(env.sim.ledger().charges_for_order("hp-1"), 0);

    let form = [
        ("number", "4508034508034509"),
        ("expiration", "12/2030"),
        ("cvc", "000"),
        ("card_holder_name", "John Doe"),
    ];
    let done = env.http.post(&hosted).form(&form).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::FOUND);
    assert_eq!(
        done.headers()["location"],
        format!("{RETURN_URL}?token={token}").as_str()
    );
    assert_eq!(env.sale(&token).await["status"], "Paid");
    let again = env.http.post(&hosted).form(&form).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(env.sim.ledger().charges_for_order("hp-1"), 1);

    let secure = env
        .create_sale("hp-2", json!({"secure_option": true}))
        .await;
    let hosted = env.url(&format!("/?token={secure}"));
    let mut enrolled = form;
    enrolled[0].1 = ENROLLED_3DS;
    let to_bank = env.http.post(&hosted).form(&enrolled).send().await.unwrap();
    assert_eq!(to_bank.status(), StatusCode::FOUND);
    let forward = to_bank.headers()["location"].to_str().unwrap().to_owned();
    assert!(forward.contains("/bank/3ds/"));
    assert_eq!(env.sim.ledger().charges_for_order("hp-2"), 0);
    let back = env
        .http
        .get(format!("{forward}?result=success"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        back.headers()["location"],
        format!("{RETURN_URL}?token={secure}").as_str()
    );
    assert_eq!(env.sim.ledger().charges_for_order("hp-2"), 1);

    let unknown = env.http.get(env.url("/?token=nope")).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- subscription plans

fn plan_body(order_id: &str, start_date: Option<&str>) -> Value {
    let mut body = direct_body(order_id, "4508034508034509");
    let mut recurring = json!({
        "name": "Test Store Recurring Payments",
        "recurring_period": "Monthly",
        "recurring_frequency": 4
    });
    if let Some(start) = start_date {
        recurring["start_date"] = json!(start);
    }
    merge(
        &mut body,
        json!({"recurring": recurring, "save_card": true, "secure_option": "false", "amount": "100.00"}),
    );
    body
}

#[tokio::test]
async fn subscription_plan_lifecycle() {
    let env = env().await;
    let (status, body) = env
        .post(
            "/api/v2/subscription_plan/",
            plan_body("sub-1", Some("2099-06-30")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "Created");
    assert_eq!(body["amount"], "100.00");
    assert_eq!(body["last4"], "4509");
    assert_eq!(body["card_brand"], "visa");
    let plan = &body["subscription_plan"];
    assert_eq!(plan["is_active"], true);
    assert_eq!(plan["name"], "Test Store Recurring Payments");
    assert_eq!(plan["active_card_token"], body["card_token"]);
    assert_eq!(plan["vaults"][0]["token"], body["card_token"]);
    let subs = plan["subscriptions"].as_array().unwrap();
    assert_eq!(subs.len(), 4);
    let dates: Vec<&str> = subs
        .iter()
        .map(|s| s["payment_date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2099-09-29T21:00:00Z",
            "2099-08-29T21:00:00Z",
            "2099-07-29T21:00:00Z",
            "2099-06-29T21:00:00Z"
        ]
    );
    assert!(subs.iter().all(|s| s["status"] == "Active"));
    assert_eq!(
        env.sim.ledger().charges_for_order("sub-1"),
        0,
        "the first payment is in the future"
    );
    let plan_token = plan["plan_token"].as_str().unwrap().to_owned();

    let (status, by_path) = env
        .get(&format!("/api/v2/subscription_plan/{plan_token}/"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_path["subscription_plan"]["plan_token"], plan_token);
    let (status, by_query) = env
        .get(&format!(
            "/api/v2/subscription_plan/?plan_token={plan_token}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_query["subscription_plan"], by_path["subscription_plan"]);

    let first = subs[0]["subscription_token"].clone();
    let (status, updated) = env
        .call(
            Method::PUT,
            &format!("/api/v2/subscription_plan/{plan_token}/"),
            Some(json!({"subscriptions": [{"subscription_token": first, "status": "Cancelled"}], "name": "New name"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["name"], "New name");
    assert_eq!(updated["subscriptions"][0]["status"], "Cancelled");
    assert_eq!(updated["subscriptions"][1]["status"], "Active");
    assert_eq!(updated["is_active"], true);

    let (status, refused) = env
        .call(
            Method::PUT,
            &format!("/api/v2/subscription_plan/?plan_token={plan_token}"),
            Some(json!({"subscriptions": [{"subscription_token": first, "status": "Active"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused["subscriptions"][0]["status"].is_array());
    let (status, refused) = env
        .call(
            Method::PUT,
            &format!("/api/v2/subscription_plan/{plan_token}/"),
            Some(json!({"subscriptions": [{"subscription_token": "nope", "status": "Cancelled"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused["subscriptions"][0]["subscription_token"].is_array());

    let (status, ended) = env
        .call(
            Method::PUT,
            &format!("/api/v2/subscription_plan/?plan_token={plan_token}"),
            Some(json!({"is_active": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ended["is_active"], false);
    assert!(ended["cancelled_at"].is_string());
    assert!(ended["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "Cancelled"));

    let (status, _) = env
        .get("/api/v2/subscription_plan/00000000-0000-4000-8000-000000000000/")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = env.get("/api/v2/subscription_plan/").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["plan_token"], json!(["This field is required."]));
}

#[tokio::test]
async fn subscription_plan_charges_today_and_validates() {
    let env = env().await;
    let (status, body) = env
        .post("/api/v2/subscription_plan/", plan_body("sub-2", None))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "Paid");
    assert_eq!(body["succeeded"], true);
    assert_eq!(env.sim.ledger().charges_for_order("sub-2"), 1);
    assert_eq!(env.sim.stored_card_count(), 1);

    let mut no_save = plan_body("sub-3", None);
    merge(&mut no_save, json!({"save_card": false}));
    let (status, body) = env.post("/api/v2/subscription_plan/", no_save).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["save_card"].is_array());

    let mut bad_period = plan_body("sub-4", None);
    bad_period["recurring"]["recurring_period"] = json!("Biweekly");
    bad_period["recurring"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let (status, body) = env.post("/api/v2/subscription_plan/", bad_period).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["recurring"]["recurring_period"].is_array());
    assert_eq!(
        body["recurring"]["name"],
        json!(["This field is required."])
    );
    assert_eq!(body["error_code"], "30090");

    let (status, body) = env
        .post("/api/v2/subscription_plan/", plan_body("sub-2", None))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_code"], "30120");
    assert_eq!(env.sim.ledger().charges_for_order("sub-2"), 1);
}

// ---------------------------------------------------------------- installments

#[tokio::test]
async fn installments_match_the_documented_example() {
    let env = env().await;
    let (status, body) = env
        .get("/api/v2/installments/?bin_number=510118&amount=123.00")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bin_number"], "510118");
    assert_eq!(body["amount"], "123.00");
    let banks = body["banks"].as_array().unwrap();
    assert_eq!(banks.len(), 1);
    let bank = &banks[0];
    assert_eq!(bank["card_brand"], "mastercard");
    assert_eq!(bank["card_issuer"], "denizbank");
    assert_eq!(bank["loyalty"], "bonus");
    assert_eq!(bank["is_commercial"], false);
    assert_eq!(
        bank["installments"][3],
        json!({
            "number": 4,
            "commission": "5.46",
            "instalment_amounts": "32.12",
            "total_amount": "128.46",
            "total_amount_wo_commission": "117.54"
        })
    );
    assert_eq!(bank["installments"][0]["total_amount"], "132.92");

    let (_, all) = env.get("/api/v2/installments/?amount=100").await;
    assert!(all["banks"].as_array().unwrap().len() > 1);
    assert_eq!(all["bin_number"], Value::Null);
    let (_, isbank) = env
        .get("/api/v2/installments/?bin_number=450803&amount=100")
        .await;
    let options = &isbank["banks"][0]["installments"];
    assert_eq!(options[0]["commission"], "0.00");
    assert_eq!(options[1]["number"], 2);
    assert_eq!(options[1]["total_amount"], "102.50");
    assert_eq!(options[1]["instalment_amounts"], "51.25");
    let (_, unknown) = env
        .get("/api/v2/installments/?bin_number=999999&amount=100")
        .await;
    assert_eq!(unknown["banks"], json!([]));

    let (status, body) = env.get("/api/v2/installments/?bin_number=450803").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["amount"], json!(["This field is required."]));
    let (status, body) = env
        .get("/api/v2/installments/?bin_number=45a&amount=1")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["bin_number"].is_array());
}

// ---------------------------------------------------------------- faults and reconciliation

#[tokio::test]
async fn a_dropped_answer_is_reconciled_by_order_id() {
    let env = env().await;
    env.sim
        .faults()
        .inject_on("/api/v2/direct_charge/", Fault::DropAfterProcessing);
    let result = env
        .authed(Method::POST, "/api/v2/direct_charge/")
        .json(&direct_body("drop-1", "4508034508034509"))
        .send()
        .await;
    let failed = match result {
        Err(_) => true,
        Ok(response) => response.text().await.is_err(),
    };
    assert!(failed, "the client must not get a complete answer");
    assert_eq!(
        env.sim.ledger().charges_for_order("drop-1"),
        1,
        "the charge happened"
    );

    let (_, found) = env.get("/api/v2/sale/?order_id=drop-1").await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["results"][0]["status"], "Paid");
    let (status, retry) = env.direct("drop-1", "4508034508034509", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(retry["error_code"], "30120");
    assert_eq!(env.sim.ledger().charges_for_order("drop-1"), 1);
}

#[tokio::test]
async fn a_proxy_error_before_processing_changes_nothing() {
    let env = env().await;
    env.sim
        .faults()
        .inject_on("/api/v2/direct_charge/", Fault::HtmlServerError(502));
    let response = env
        .authed(Method::POST, "/api/v2/direct_charge/")
        .json(&direct_body("px-1", "4508034508034509"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(response.text().await.unwrap().contains("<html>"));
    assert_eq!(env.sim.sale_count(), 0);
    assert!(env.sim.ledger().is_empty());
    let (status, _) = env.direct("px-1", "4508034508034509", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(env.sim.ledger().charges_for_order("px-1"), 1);
    assert_eq!(env.sim.requests().count_path("/api/v2/direct_charge/"), 2);
}

#[tokio::test]
async fn concurrent_duplicates_charge_once() {
    let env = env().await;
    let attempts = (0..8).map(|_| {
        env.authed(Method::POST, "/api/v2/direct_charge/")
            .json(&direct_body("race-1", "4508034508034509"))
            .send()
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.unwrap().status())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::BAD_REQUEST)
            .count(),
        7
    );
    assert_eq!(env.sim.ledger().charges_for_order("race-1"), 1);
}
