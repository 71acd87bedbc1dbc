//! Huge or malformed amounts in every Craftgate money field answer the documented
//! validation error, and nothing is half stored: every payment the simulator keeps has
//! its ledger charge and can be retrieved.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::str::FromStr;

use odeme_sandbox::craftgate::signature::{decode_url, request_signature};
use odeme_sandbox::craftgate::CraftgateSimulator;
use odeme_sandbox::{LedgerKind, Simulator};
use rust_decimal::Decimal;
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

/// An amount of an answer (a JSON number at eight decimals) as an exact decimal.
fn amount(value: &Value) -> Decimal {
    Decimal::from_str(&value.to_string()).unwrap_or_else(|_| panic!("not an amount: {value}"))
}

/// Reads back every payment the simulator stored (the reporting list, page by page, then
/// each payment retrieved by id) and checks it against the ledger: a successful payment
/// has exactly one charge or pre-authorization of its paid price (a captured one, one
/// capture of it), a failed one a decline and no charge, one still in 3-D Secure no entry
/// at all; refunds never exceed the paid price; and every ledger entry belongs to a stored
/// payment. Returns how many payments are stored.
async fn assert_store_matches_ledger(sim: &CraftgateSimulator, client: &Client) -> usize {
    let mut ids = Vec::new();
    for page in 0.. {
        let list = client
            .get(&format!(
                "/payment-reporting/v1/payments?page={page}&size=1000"
            ))
            .await;
        assert_eq!(list.status, 200, "{}", list.text);
        let items = list.data()["items"].as_array().cloned().unwrap_or_default();
        ids.extend(items.iter().map(|p| p["id"].as_u64().unwrap()));
        let total = list.data()["totalSize"].as_u64().unwrap();
        if items.is_empty() || ids.len() as u64 >= total {
            assert_eq!(ids.len() as u64, total, "{}", list.text);
            break;
        }
    }
    let ledger = sim.ledger().entries();
    let money_kinds = [
        LedgerKind::Charge,
        LedgerKind::PreAuthorization,
        LedgerKind::Capture,
        LedgerKind::Cancel,
        LedgerKind::Refund,
        LedgerKind::Decline,
    ];
    for id in &ids {
        let answer = client.get(&format!("/payment/v1/card-payments/{id}")).await;
        assert_eq!(answer.status, 200, "payment {id}: {}", answer.text);
        let payment = answer.data();
        let paid = amount(&payment["paidPrice"]);
        let reference = id.to_string();
        let entries = |kinds: &[LedgerKind]| -> Vec<Decimal> {
            ledger
                .iter()
                .filter(|e| e.reference == reference && kinds.contains(&e.kind))
                .map(|e| e.amount.unwrap_or_default())
                .collect()
        };
        let charged = entries(&[LedgerKind::Charge, LedgerKind::PreAuthorization]);
        match payment["paymentStatus"].as_str().unwrap_or("") {
            "SUCCESS" => {
                assert_eq!(charged.len(), 1, "payment {id}: {}", answer.text);
                if payment["paymentPhase"] == "POST_AUTH" {
                    assert_eq!(entries(&[LedgerKind::Capture]), vec![paid], "{id}");
                } else {
                    assert_eq!(charged, vec![paid], "payment {id}: {}", answer.text);
                }
                let refunded: Decimal = entries(&[LedgerKind::Cancel, LedgerKind::Refund])
                    .into_iter()
                    .sum();
                assert!(
                    refunded <= paid,
                    "payment {id} refunded {refunded} of {paid}"
                );
            }
            "FAILURE" => {
                assert!(charged.is_empty(), "failed payment {id} was charged");
                assert_eq!(entries(&[LedgerKind::Decline]).len(), 1, "{id}");
            }
            _ => assert!(
                entries(&money_kinds).is_empty(),
                "payment {id} in 3-D Secure moved money: {}",
                answer.text
            ),
        }
    }
    let stored: BTreeSet<String> = ids.iter().map(u64::to_string).collect();
    for entry in ledger.iter().filter(|e| money_kinds.contains(&e.kind)) {
        assert!(
            stored.contains(&entry.reference),
            "a ledger entry without a stored payment: {entry:?}"
        );
    }
    ids.len()
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
    assert_eq!(assert_store_matches_ledger(&sim, &client).await, 0);
    // Normal payments after the hostile ones are stored whole and charged once.
    let ok = post_raw(
        &client,
        "/payment/v1/card-payments",
        &body("100", "100", "100", "0", "after"),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let init = post_raw(
        &client,
        "/payment/v1/card-payments/3ds-init",
        &body("100", "100", "100", "0", "after3ds").replace(
            r#""items""#,
            r#""callbackUrl":"https://merchant.example/cb","items""#,
        ),
    )
    .await;
    assert_eq!(init.status, 200, "{}", init.text);
    assert_eq!(assert_store_matches_ledger(&sim, &client).await, 2);
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
    assert_eq!(assert_store_matches_ledger(&sim, &client).await, 0);
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
    assert!(sim
        .ledger()
        .for_order("fine", LedgerKind::Refund)
        .is_empty());
    assert_eq!(assert_store_matches_ledger(&sim, &client).await, 1);
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
    assert_eq!(assert_store_matches_ledger(&sim, &client).await, 0);
}
