//! Huge or malformed amounts in every Craftgate money field answer the documented
//! validation error, and nothing is half stored: every payment the simulator keeps has
//! its ledger charge and can be retrieved.

use std::net::SocketAddr;

use odeme_sandbox::craftgate::signature::{decode_url, request_signature};
use odeme_sandbox::craftgate::CraftgateSimulator;
use odeme_sandbox::Simulator;
use serde_json::{json, Value};

const SUCCESS_CARD: &str = "5258640000000001";
const HUGE: [&str; 5] = [
    "1e27",
    "5e28",
    "79228162514264337593543950335",
    "\"79228162514264337593543950335\"",
    "10000000000.00",
];

async fn simulator() -> CraftgateSimulator {
    CraftgateSimulator::start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

/// A minimal signing client, written from the notes' algorithm.
struct Client {
    base: String,
    api_key: String,
    secret: String,
    auth_version: &'static str,
    http: reqwest::Client,
}

struct Answer {
    status: u16,
    text: String,
    json: Value,
}

impl Answer {
    fn data(&self) -> &Value {
        &self.json["data"]
    }
    fn error_code(&self) -> &str {
        self.json["errors"]["errorCode"].as_str().unwrap_or("")
    }
}

impl Client {
    fn new(sim: &CraftgateSimulator) -> Self {
        let c = sim.credentials();
        Self {
            base: sim.base_url().to_owned(),
            api_key: c.api_key.clone(),
            secret: c.secret_key.clone(),
            auth_version: "v1",
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    fn sign(&self, path: &str, rnd: &str, body: &str) -> String {
        let url = decode_url(&format!("{}{path}", self.base), false);
        request_signature(&url, &self.api_key, &self.secret, rnd, body.as_bytes())
    }

    async fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        signature: Option<String>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let rnd = uuid::Uuid::new_v4().to_string();
        let signature = signature.unwrap_or_else(|| self.sign(path, &rnd, body.unwrap_or("")));
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .header("x-api-key", &self.api_key)
            .header("x-rnd-key", &rnd)
            .header("x-auth-version", self.auth_version)
            .header("x-signature", signature)
            .header("content-type", "application/json");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, text, json }
    }

    async fn get(&self, path: &str) -> Answer {
        self.raw("GET", path, None, None, &[]).await
    }
}

fn card() -> Value {
    json!({"cardHolderName": "Haluk Demir", "cardNumber": SUCCESS_CARD, "expireYear": "2044", "expireMonth": "07", "cvc": "000"})
}

/// A payment body with the raw JSON number text `huge` in one money field.
fn body(price: &str, paid: &str, item: &str, wallet: &str, order: &str) -> String {
    format!(
        r#"{{"price":{price},"paidPrice":{paid},"walletPrice":{wallet},"installment":1,"currency":"TRY","paymentGroup":"PRODUCT","conversationId":"{order}","card":{},"items":[{{"name":"i","price":{item}}}]}}"#,
        card()
    )
}

async fn post_raw(client: &Client, path: &str, body: &str) -> Answer {
    client.raw("POST", path, Some(body), None, &[]).await
}

#[tokio::test]
async fn huge_amounts_in_every_payment_field_are_validation_errors() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let mut n = 0;
    for huge in HUGE {
        let bodies = [
            body(huge, huge, huge, "0", "o"),
            body("1", huge, "1", "0", "o"),
            body(huge, "1", "1", "0", "o"),
            body("1", "1", huge, "0", "o"),
            body("1", "1", "1", huge, "o"),
        ];
        for b in bodies {
            for path in [
                "/payment/v1/card-payments",
                "/payment/v1/card-payments/3ds-init",
            ] {
                n += 1;
                let answer =
                    post_raw(&client, path, &b.replace("\"o\"", &format!("\"o{n}\""))).await;
                assert_eq!(answer.status, 400, "{path} {b}: {}", answer.text);
                assert!(!answer.error_code().is_empty(), "{}", answer.text);
            }
        }
    }
    assert!(sim.ledger().is_empty(), "a refused payment was charged");
}

#[tokio::test]
async fn price_one_paid_price_1e27_is_refused_and_nothing_is_stored() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let answer = post_raw(
        &client,
        "/payment/v1/card-payments",
        &body("1", "1e27", "1", "0", "big"),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.text);
    assert!(sim.ledger().is_empty());
    let found = client
        .get("/payment-reporting/v1/payments?conversationId=big")
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.data()["totalSize"], 0, "{}", found.text);
}

#[tokio::test]
async fn huge_refund_and_post_auth_amounts_are_validation_errors_and_payments_stay_whole() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let ok = post_raw(
        &client,
        "/payment/v1/card-payments",
        &body("100", "100", "100", "0", "fine"),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let id = ok.data()["id"].as_u64().unwrap();
    let tx = ok.data()["paymentTransactions"][0]["id"].as_u64().unwrap();
    for huge in HUGE {
        let refund = format!(r#"{{"paymentTransactionId":{tx},"refundPrice":{huge}}}"#);
        let answer = post_raw(&client, "/payment/v1/refund-transactions", &refund).await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        assert!(!answer.error_code().is_empty(), "{}", answer.text);
        let post_auth = format!(r#"{{"paidPrice":{huge}}}"#);
        let answer = post_raw(
            &client,
            &format!("/payment/v1/card-payments/{id}/post-auth"),
            &post_auth,
        )
        .await;
        assert_ne!(answer.status, 200, "{}", answer.text);
        assert!(!answer.text.is_empty());
    }
    let again = client.get(&format!("/payment/v1/card-payments/{id}")).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.data()["paymentStatus"], "SUCCESS");
    assert_eq!(sim.ledger().charges_for_order("fine"), 1);
}

#[tokio::test]
async fn huge_installment_prices_and_max_pages_are_answered() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    for huge in ["1e27", "5e28", "79228162514264337593543950335"] {
        let answer = client
            .get(&format!(
                "/installment/v1/installments?binNumber=525864&price={huge}"
            ))
            .await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        assert!(!answer.error_code().is_empty(), "{}", answer.text);
    }
    let cards = client
        .get("/payment/v1/cards?cardUserKey=x&page=4294967295&size=1000")
        .await;
    assert_eq!(cards.status, 200, "{}", cards.text);
    assert_eq!(cards.data()["page"], 4294967295u64);
    let payments = client
        .get(&format!(
            "/payment-reporting/v1/payments?page={}&size=1000",
            u64::MAX
        ))
        .await;
    assert_eq!(payments.status, 200, "{}", payments.text);
}
