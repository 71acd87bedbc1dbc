//! The Craftgate simulator driven over real HTTP on loopback, as a merchant's server (signed
//! API calls), a customer's browser (the 3-D Secure bank page) and a webhook receiver would.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use odeme_sandbox::craftgate::signature::{decode_url, request_signature};
use odeme_sandbox::craftgate::three_ds_hash::{verify_callback_hash, CallbackFields};
use odeme_sandbox::craftgate::webhook::{verify_webhook_signature, WebhookEvent, SIGNATURE_HEADER};
use odeme_sandbox::craftgate::{CraftgateCredentials, CraftgateSimulator};
use odeme_sandbox::{Fault, LedgerKind, Simulator};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const SUCCESS_CARD: &str = "5258640000000001";
const DEBIT_CARD: &str = "4043080000000003";
const NO_INSTALLMENT_CARD: &str = "5200330000006666";
const THREE_DS_INIT_ERROR_CARD: &str = "5200340000006665";
const THREE_DS_FAILS_CARD: &str = "5200350000006664";

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
    fn error_group(&self) -> &str {
        self.json["errors"]["errorGroup"].as_str().unwrap_or("")
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

    async fn post(&self, path: &str, body: &Value) -> Answer {
        self.raw("POST", path, Some(&body.to_string()), None, &[])
            .await
    }

    async fn get(&self, path: &str) -> Answer {
        self.raw("GET", path, None, None, &[]).await
    }
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|_| panic!("not a number: {v}"))
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn card(number: &str) -> Value {
    json!({"cardHolderName": "Haluk Demir", "cardNumber": number, "expireYear": "2044", "expireMonth": "07", "cvc": "000"})
}

fn payment(conversation_id: &str, number: &str) -> Value {
    json!({
        "price": 100, "paidPrice": 100, "walletPrice": 0, "installment": 1, "currency": "TRY",
        "paymentGroup": "PRODUCT", "conversationId": conversation_id, "externalId": format!("ext-{conversation_id}"),
        "card": card(number),
        "items": [{"name": "item 1", "price": 30, "externalId": "i1"}, {"name": "item 2", "price": 50}, {"name": "item 3", "price": 20}]
    })
}

// ---------------------------------------------------------------- authentication

#[tokio::test]
async fn signed_requests_are_accepted_with_both_auth_version_spellings() {
    let sim = simulator().await;
    let mut client = Client::new(&sim);
    assert_eq!(client.get("/installment/v1/bins/525864").await.status, 200);
    client.auth_version = "1";
    let answer = client
        .post(
            "/payment/v1/card-payments",
            &payment("auth-1", SUCCESS_CARD),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    client.auth_version = "2";
    let answer = client.get("/installment/v1/bins/525864").await;
    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn unknown_api_key_is_refused() {
    let sim = simulator().await;
    let mut client = Client::new(&sim);
    client.api_key = "someone-else".into();
    let answer = client
        .post(
            "/payment/v1/card-payments",
            &payment("auth-2", SUCCESS_CARD),
        )
        .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.error_code(), "1001");
    assert_eq!(
        answer.json["errors"]["errorDescription"],
        "API credential not found"
    );
    assert!(sim.ledger().is_empty());
}

#[tokio::test]
async fn bad_signatures_are_refused() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let body = payment("auth-3", SUCCESS_CARD).to_string();

    // Signed with the wrong secret.
    let mut wrong = Client::new(&sim);
    wrong.secret = "not-the-secret".into();
    let answer = wrong
        .post(
            "/payment/v1/card-payments",
            &payment("auth-3", SUCCESS_CARD),
        )
        .await;
    assert_eq!((answer.status, answer.error_code()), (401, "1002"));

    // A body other than the signed one.
    let rnd = "fixed-rnd";
    let sig = client.sign("/payment/v1/card-payments", rnd, &body);
    let tampered = body.replace("\"price\":100", "\"price\":1");
    let answer = client
        .http
        .post(format!("{}/payment/v1/card-payments", client.base))
        .header("x-api-key", &client.api_key)
        .header("x-rnd-key", rnd)
        .header("x-auth-version", "v1")
        .header("x-signature", &sig)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);

    // A signature made for another path, and a missing signature.
    let other = client.sign("/payment/v1/cards", "r", "");
    assert_eq!(
        client
            .raw(
                "GET",
                "/payment/v1/cards?cardUserKey=x",
                None,
                Some(other),
                &[]
            )
            .await
            .status,
        401
    );
    let missing = client
        .http
        .get(format!("{}/installment/v1/bins/525864", client.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    assert!(sim.ledger().is_empty());
}

#[tokio::test]
async fn the_query_string_is_signed_decoded() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    // Signed over the decoded URL (a space), sent encoded.
    let answer = client
        .get("/payment/v1/cards?cardAlias=my%20card&page=0&size=10")
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    // A signature over a different query is refused.
    let sig = client.sign("/payment/v1/cards?cardAlias=other", "r", "");
    let answer = client
        .raw(
            "GET",
            "/payment/v1/cards?cardAlias=my%20card",
            None,
            Some(sig),
            &[],
        )
        .await;
    assert_eq!(answer.status, 401);
}

// ---------------------------------------------------------------- payments

#[tokio::test]
async fn a_payment_succeeds_with_the_documented_shape_and_one_ledger_charge() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let answer = client
        .post(
            "/payment/v1/card-payments",
            &payment("order-1", SUCCESS_CARD),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let data = answer.data();
    assert_eq!(data["paymentStatus"], "SUCCESS");
    assert_eq!(data["paymentPhase"], "AUTH");
    assert_eq!(data["conversationId"], "order-1");
    assert_eq!(data["externalId"], "ext-order-1");
    assert_eq!(data["binNumber"], "525864");
    assert_eq!(data["lastFourDigits"], "0001");
    assert_eq!(data["cardType"], "CREDIT_CARD");
    assert_eq!(data["cardAssociation"], "MASTER_CARD");
    assert_eq!(data["cardBrand"], "World");
    assert_eq!(data["isThreeDS"], false);
    assert_eq!(data["paymentTransactions"].as_array().unwrap().len(), 3);
    assert!(
        answer.text.contains("\"price\":100.00000000"),
        "{}",
        answer.text
    );
    assert!(!answer.text.contains(SUCCESS_CARD));
    assert!(data["id"].as_u64().is_some());
    assert!(data["authCode"].as_str().is_some_and(|a| a.len() == 6));
    assert!(data["createdDate"]
        .as_str()
        .is_some_and(|c| c.len() == 19 && c.contains('T')));

    assert_eq!(sim.ledger().charges_for_order("order-1"), 1);
    let charge = &sim.ledger().for_order("order-1", LedgerKind::Charge)[0];
    assert_eq!(charge.amount, Some(d("100")));
    assert_eq!(charge.currency.as_deref(), Some("TRY"));
    assert_eq!(charge.reference, data["id"].as_u64().unwrap().to_string());

    let id = data["id"].as_u64().unwrap();
    let again = client.get(&format!("/payment/v1/card-payments/{id}")).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.data()["paymentStatus"], "SUCCESS");
    assert_eq!(again.data()["id"], id);
}

#[tokio::test]
async fn invalid_payment_requests_are_refused_and_charge_nothing() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let cases: Vec<(Value, u16, &str)> = vec![
        // Items not adding up to price.
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "TRY", "card": card(SUCCESS_CARD), "items": [{"price": 60}, {"price": 30}]}),
            400,
            "4001",
        ),
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "TRY", "card": card(SUCCESS_CARD), "items": []}),
            400,
            "1005",
        ),
        (
            json!({"paidPrice": 100, "installment": 1, "currency": "TRY", "card": card(SUCCESS_CARD), "items": [{"price": 100}]}),
            400,
            "1005",
        ),
        (
            json!({"price": 100, "installment": 1, "currency": "TRY", "card": card(SUCCESS_CARD), "items": [{"price": 100}]}),
            400,
            "1005",
        ),
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "XYZ", "card": card(SUCCESS_CARD), "items": [{"price": 100}]}),
            400,
            "1006",
        ),
        (
            json!({"price": 100, "paidPrice": 100, "installment": 13, "currency": "TRY", "card": card(SUCCESS_CARD), "items": [{"price": 100}]}),
            400,
            "1006",
        ),
        (
            json!({"price": 100, "paidPrice": 100, "currency": "TRY", "card": card(SUCCESS_CARD), "items": [{"price": 100}]}),
            400,
            "1005",
        ),
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "TRY", "items": [{"price": 100}]}),
            400,
            "1005",
        ),
        (
            json!({"price": 100, "paidPrice": 100.001, "installment": 1, "currency": "TRY", "card": card(SUCCESS_CARD), "items": [{"price": 100}]}),
            400,
            "1006",
        ),
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "TRY", "paymentPhase": "POST_AUTH", "card": card(SUCCESS_CARD), "items": [{"price": 100}]}),
            400,
            "1006",
        ),
        // Card number failing Luhn, an expired date, a bad CVC.
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "TRY", "card": card("5258640000000002"), "items": [{"price": 100}]}),
            400,
            "4151",
        ),
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "TRY", "card": {"cardHolderName": "A", "cardNumber": SUCCESS_CARD, "expireYear": "2010", "expireMonth": "07", "cvc": "000"}, "items": [{"price": 100}]}),
            400,
            "4152",
        ),
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "TRY", "card": {"cardHolderName": "A", "cardNumber": SUCCESS_CARD, "expireYear": "2044", "expireMonth": "07", "cvc": "0"}, "items": [{"price": 100}]}),
            400,
            "4153",
        ),
        // A sub-merchant id without its price.
        (
            json!({"price": 100, "paidPrice": 100, "installment": 1, "currency": "TRY", "card": card(SUCCESS_CARD), "items": [{"price": 100, "subMerchantMemberId": 7}]}),
            400,
            "1005",
        ),
        // Wallet payments: the card must not be sent when the wallet pays it all.
        (
            json!({"price": 100, "paidPrice": 100, "walletPrice": 100, "buyerMemberId": 1, "installment": 1, "currency": "TRY", "card": card(SUCCESS_CARD), "items": [{"price": 100}]}),
            400,
            "1006",
        ),
    ];
    for (body, status, code) in cases {
        let answer = client.post("/payment/v1/card-payments", &body).await;
        assert_eq!(
            (answer.status, answer.error_code()),
            (status, code),
            "{body} -> {}",
            answer.text
        );
        assert!(answer.json["errors"]["errorDescription"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
    let answer = client
        .raw(
            "POST",
            "/payment/v1/card-payments",
            Some("{not json"),
            None,
            &[],
        )
        .await;
    assert_eq!((answer.status, answer.error_code()), (400, "1004"));
    assert!(sim.ledger().is_empty());
}

#[tokio::test]
async fn sub_merchant_splits_are_echoed_with_exact_payouts() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let body = json!({
        "price": 100, "paidPrice": 110, "installment": 1, "currency": "TRY", "conversationId": "split-1",
        "card": card(SUCCESS_CARD),
        "items": [
            {"name": "Pharmaton", "price": 30, "externalId": "p1", "subMerchantMemberId": 1, "subMerchantMemberPrice": 27},
            {"name": "Own", "price": 70, "externalId": "p2"}
        ]
    });
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let data = answer.data();
    assert_eq!(dec(&data["merchantCommissionRate"]), d("10"));
    assert_eq!(dec(&data["merchantCommissionRateAmount"]), d("10"));
    let txs = data["paymentTransactions"].as_array().unwrap();
    let t1 = &txs[0];
    assert_eq!(t1["externalId"], "p1");
    assert_eq!(t1["subMerchantMemberId"], 1);
    assert_eq!(dec(&t1["price"]), d("30"));
    assert_eq!(dec(&t1["paidPrice"]), d("33"));
    assert_eq!(dec(&t1["merchantCommissionRateAmount"]), d("3"));
    assert_eq!(dec(&t1["subMerchantMemberPrice"]), d("27"));
    assert_eq!(dec(&t1["subMerchantMemberPayoutRate"]), d("90"));
    assert_eq!(dec(&t1["subMerchantMemberPayoutAmount"]), d("29.7"));
    assert_eq!(dec(&t1["merchantPayoutAmount"]), d("2.97"));
    assert_eq!(t1["payout"]["currency"], "TRY");
    assert_eq!(
        dec(&t1["payout"]["subMerchantMemberPayoutAmount"]),
        d("29.7")
    );
    let t2 = &txs[1];
    assert_eq!(dec(&t2["paidPrice"]), d("77"));
    assert_eq!(dec(&t2["merchantPayoutAmount"]), d("76.23"));
    assert!(t2.get("subMerchantMemberId").is_none());
    assert_eq!(dec(&data["bankCommissionRateAmount"]), d("1.10"));
    assert_eq!(
        sim.ledger().for_order("split-1", LedgerKind::Charge)[0].amount,
        Some(d("110"))
    );
}

#[tokio::test]
async fn every_documented_error_card_declines_with_its_group() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let cards = [
        ("5100050000006661", "NOT_SUFFICIENT_FUNDS"),
        ("5100560000006669", "DO_NOT_HONOUR"),
        ("5101380000006661", "INVALID_TRANSACTION"),
        ("5101520000006662", "STOLEN_CARD"),
        ("5102210000006669", "DECLINED"),
        ("5136620000006669", "LOST_CARD"),
        ("5163080000006662", "EXPIRED_CARD"),
        ("5164580000006660", "INVALID_CVC2"),
        ("5192610000006661", "FRAUD_SUSPECT"),
        ("5200170000006666", "UNKNOWN"),
        ("5200310000006668", "PICKUP_CARD"),
        ("5200320000006667", "NOT_PERMITTED_TO_CARDHOLDER"),
    ];
    for (i, (number, group)) in cards.iter().enumerate() {
        let order = format!("decline-{i}");
        let answer = client
            .post("/payment/v1/card-payments", &payment(&order, number))
            .await;
        assert_eq!(answer.status, 422, "{number}: {}", answer.text);
        assert_eq!(answer.error_group(), *group);
        assert!(answer.error_code().parse::<u32>().unwrap() > 10000);
        assert_eq!(sim.ledger().charges_for_order(&order), 0);
        assert_eq!(sim.ledger().for_order(&order, LedgerKind::Decline).len(), 1);
    }
    // The failed attempt is findable by its conversationId, with its error.
    let found = client
        .get("/payment-reporting/v1/payments?conversationId=decline-0")
        .await;
    assert_eq!(found.status, 200);
    let item = &found.data()["items"][0];
    assert_eq!(item["paymentStatus"], "FAILURE");
    assert_eq!(item["paymentError"]["errorGroup"], "NOT_SUFFICIENT_FUNDS");
}

#[tokio::test]
async fn installment_declines() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let mut body = payment("inst-1", NO_INSTALLMENT_CARD);
    body["installment"] = json!(3);
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(
        (answer.status, answer.error_group()),
        (422, "NOT_PERMITTED_TO_INSTALLMENT")
    );
    // The same card pays in one go.
    let answer = client
        .post(
            "/payment/v1/card-payments",
            &payment("inst-2", NO_INSTALLMENT_CARD),
        )
        .await;
    assert_eq!(answer.status, 200);
    // Debit cards take no installments.
    let mut body = payment("inst-3", DEBIT_CARD);
    body["installment"] = json!(2);
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(
        (answer.status, answer.error_group()),
        (422, "DEBIT_CARDS_INSTALLMENT_NOT_ALLOWED")
    );
    let mut body = payment("inst-4", SUCCESS_CARD);
    body["installment"] = json!(6);
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.data()["installment"], 6);
}

#[tokio::test]
async fn pre_auth_then_post_auth() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let mut body = payment("pre-1", SUCCESS_CARD);
    body["paymentPhase"] = json!("PRE_AUTH");
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.data()["paymentPhase"], "PRE_AUTH");
    let id = answer.data()["id"].as_u64().unwrap();
    assert_eq!(
        sim.ledger()
            .for_order("pre-1", LedgerKind::PreAuthorization)
            .len(),
        1
    );

    let too_much = client
        .post(
            &format!("/payment/v1/card-payments/{id}/post-auth"),
            &json!({"paidPrice": 100.01}),
        )
        .await;
    assert_eq!((too_much.status, too_much.error_code()), (422, "5102"));

    let answer = client
        .post(
            &format!("/payment/v1/card-payments/{id}/post-auth"),
            &json!({"paidPrice": 80}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.data()["paymentPhase"], "POST_AUTH");
    assert_eq!(dec(&answer.data()["paidPrice"]), d("80"));
    let tx_total: Decimal = answer.data()["paymentTransactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| dec(&t["paidPrice"]))
        .sum();
    assert_eq!(tx_total, d("80"));
    let captures = sim.ledger().for_order("pre-1", LedgerKind::Capture);
    assert_eq!(captures.len(), 1);
    assert_eq!(captures[0].amount, Some(d("80")));

    let again = client
        .post(
            &format!("/payment/v1/card-payments/{id}/post-auth"),
            &json!({"paidPrice": 80}),
        )
        .await;
    assert_eq!((again.status, again.error_code()), (422, "5101"));
    let normal = client
        .post("/payment/v1/card-payments", &payment("pre-2", SUCCESS_CARD))
        .await;
    let normal_id = normal.data()["id"].as_u64().unwrap();
    let refused = client
        .post(
            &format!("/payment/v1/card-payments/{normal_id}/post-auth"),
            &json!({"paidPrice": 10}),
        )
        .await;
    assert_eq!(refused.status, 422);
    let unknown = client
        .post(
            "/payment/v1/card-payments/999999/post-auth",
            &json!({"paidPrice": 10}),
        )
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn unknown_payments_are_not_found() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let answer = client.get("/payment/v1/card-payments/424242").await;
    assert_eq!((answer.status, answer.error_code()), (404, "5001"));
    let answer = client.get("/payment/v1/card-payments/abc").await;
    assert_eq!(answer.status, 400);
    let answer = client.get("/payment/v1/no-such-endpoint").await;
    assert_eq!((answer.status, answer.error_code()), (404, "5000"));
}

#[tokio::test]
async fn payments_are_found_by_conversation_id_and_external_id() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    client
        .post(
            "/payment/v1/card-payments",
            &payment("find-1", SUCCESS_CARD),
        )
        .await;
    client
        .post(
            "/payment/v1/card-payments",
            &payment("find-2", SUCCESS_CARD),
        )
        .await;
    let by_conv = client
        .get("/payment-reporting/v1/payments?conversationId=find-2")
        .await;
    assert_eq!(by_conv.status, 200);
    assert_eq!(by_conv.data()["totalSize"], 1);
    assert_eq!(by_conv.data()["items"][0]["conversationId"], "find-2");
    assert_eq!(by_conv.data()["items"][0]["refundStatus"], "NOT_REFUNDED");
    let by_ext = client
        .get("/payment-reporting/v1/payments?externalId=ext-find-1")
        .await;
    assert_eq!(by_ext.data()["items"][0]["conversationId"], "find-1");
    let none = client
        .get("/payment-reporting/v1/payments?conversationId=nope")
        .await;
    assert_eq!(none.data()["totalSize"], 0);
    let id = by_conv.data()["items"][0]["id"].as_u64().unwrap();
    let one = client
        .get(&format!("/payment-reporting/v1/payments/{id}"))
        .await;
    assert_eq!(dec(&one.data()["refundablePrice"]), d("100"));
}

// ---------------------------------------------------------------- stored cards

#[tokio::test]
async fn cards_are_stored_after_payment_used_listed_and_deleted() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let mut body = payment("store-1", SUCCESS_CARD);
    body["card"]["storeCardAfterSuccessPayment"] = json!(true);
    body["card"]["cardAlias"] = json!("my card");
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let user = answer.data()["cardUserKey"].as_str().unwrap().to_owned();
    let token = answer.data()["cardToken"].as_str().unwrap().to_owned();
    assert_eq!(
        sim.ledger()
            .entries()
            .iter()
            .filter(|e| e.kind == LedgerKind::CardStored)
            .count(),
        1
    );

    // Pay with it.
    let mut body = payment("store-2", SUCCESS_CARD);
    body["card"] = json!({"cardUserKey": user, "cardToken": token});
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.data()["paidWithStoredCard"], true);
    assert_eq!(answer.data()["lastFourDigits"], "0001");
    assert_eq!(sim.ledger().charges_for_order("store-2"), 1);

    // A second card for the same user, through the cards endpoint.
    let stored = client
        .post("/payment/v1/cards", &json!({"cardHolderName": "Haluk Demir", "cardNumber": DEBIT_CARD, "expireYear": "2044", "expireMonth": "01", "cardAlias": "debit", "cardUserKey": user}))
        .await;
    assert_eq!(stored.status, 200, "{}", stored.text);
    assert_eq!(stored.data()["cardUserKey"], user.as_str());
    assert_eq!(stored.data()["cardType"], "DEBIT_CARD");
    assert_eq!(stored.data()["binNumber"], "404308");
    assert_eq!(stored.data()["cardExpiryStatus"], "NOT_EXPIRED");
    let second = stored.data()["cardToken"].as_str().unwrap().to_owned();

    let list = client
        .get(&format!("/payment/v1/cards?cardUserKey={user}"))
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.data()["totalSize"], 2);
    assert_eq!(list.data()["items"][0]["cardAlias"], "my card");
    let paged = client
        .get(&format!(
            "/payment/v1/cards?cardUserKey={user}&page=1&size=1"
        ))
        .await;
    assert_eq!(paged.data()["items"].as_array().unwrap().len(), 1);
    assert_eq!(paged.data()["items"][0]["cardToken"], second.as_str());
    assert_eq!(
        (paged.data()["page"].as_u64(), paged.data()["size"].as_u64()),
        (Some(1), Some(1))
    );

    // Delete.
    let deleted = client
        .post(
            "/payment/v1/cards/delete",
            &json!({"cardUserKey": user, "cardToken": token}),
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.text.is_empty());
    let list = client
        .get(&format!("/payment/v1/cards?cardUserKey={user}"))
        .await;
    assert_eq!(list.data()["totalSize"], 1);
    let again = client
        .post(
            "/payment/v1/cards/delete",
            &json!({"cardUserKey": user, "cardToken": token}),
        )
        .await;
    assert_eq!((again.status, again.error_code()), (404, "5002"));
    assert_eq!(
        sim.ledger()
            .entries()
            .iter()
            .filter(|e| e.kind == LedgerKind::CardDeleted)
            .count(),
        1
    );

    // The deleted card no longer pays.
    let mut body = payment("store-3", SUCCESS_CARD);
    body["card"] = json!({"cardUserKey": user, "cardToken": token});
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(answer.status, 404);
    assert_eq!(sim.ledger().charges_for_order("store-3"), 0);
}

#[tokio::test]
async fn storing_cards_is_validated() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let bad = [
        (
            json!({"cardHolderName": "A", "cardNumber": "4111", "expireYear": "2044", "expireMonth": "01"}),
            400,
        ),
        (
            json!({"cardHolderName": "A", "cardNumber": SUCCESS_CARD, "expireYear": "2044", "expireMonth": "13"}),
            400,
        ),
        (
            json!({"cardNumber": SUCCESS_CARD, "expireYear": "2044", "expireMonth": "01"}),
            400,
        ),
        (
            json!({"cardHolderName": "A", "cardNumber": SUCCESS_CARD, "expireYear": "2044", "expireMonth": "01", "cardUserKey": "unknown-user"}),
            404,
        ),
    ];
    for (body, status) in bad {
        assert_eq!(
            client.post("/payment/v1/cards", &body).await.status,
            status,
            "{body}"
        );
    }
    let mut body = payment("store-x", SUCCESS_CARD);
    body["card"]["storeCardAfterSuccessPayment"] = json!(true);
    body["card"]["cardUserKey"] = json!("unknown-user");
    assert_eq!(
        client.post("/payment/v1/card-payments", &body).await.status,
        404
    );
    assert_eq!(
        client
            .post("/payment/v1/cards/delete", &json!({"cardUserKey": "x"}))
            .await
            .status,
        400
    );
    assert!(sim.ledger().is_empty());
}

// ---------------------------------------------------------------- 3-D Secure

fn form_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input ")
        .skip(1)
        .filter_map(|input| {
            let name = input.split("name=\"").nth(1)?.split('"').next()?.to_owned();
            let value = input
                .split("value=\"")
                .nth(1)?
                .split('"')
                .next()?
                .to_owned();
            Some((name, value))
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn callback_fields(fields: &[(String, String)]) -> CallbackFields {
    CallbackFields {
        status: field(fields, "status").into(),
        complete_status: field(fields, "completeStatus").into(),
        payment_id: field(fields, "paymentId").into(),
        conversation_data: field(fields, "conversationData").into(),
        conversation_id: field(fields, "conversationId").into(),
        callback_status: field(fields, "callbackStatus").into(),
    }
}

async fn init_3ds(client: &Client, order: &str, number: &str) -> Answer {
    let mut body = payment(order, number);
    body["callbackUrl"] = json!("https://merchant.example/3ds/callback?order=1");
    client
        .post("/payment/v1/card-payments/3ds-init", &body)
        .await
}

#[tokio::test]
async fn three_ds_success_flow() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let answer = init_3ds(&client, "3ds-1", SUCCESS_CARD).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.data()["paymentStatus"], "INIT_THREEDS");
    assert_eq!(answer.data()["additionalAction"], "SHOW_HTML_CONTENT");
    let id = answer.data()["paymentId"].as_u64().unwrap();
    let html = String::from_utf8(
        STANDARD
            .decode(answer.data()["htmlContent"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let page = sim.bank_page_url(id);
    assert!(html.contains(&format!("action=\"{page}\"")), "{html}");
    assert_eq!(sim.ledger().charges_for_order("3ds-1"), 0);

    // Completing before the customer verified is refused.
    let early = client
        .post(
            "/payment/v1/card-payments/3ds-complete",
            &json!({"paymentId": id}),
        )
        .await;
    assert_eq!((early.status, early.error_code()), (422, "5105"));

    // The browser lands on the bank page, then approves.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let landing = http
        .post(&page)
        .form(&[("paymentId", id.to_string())])
        .send()
        .await
        .unwrap();
    assert!(landing.text().await.unwrap().contains("result"));
    let callback = http
        .get(format!("{page}?result=success"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        callback.contains("action=\"https://merchant.example/3ds/callback?order=1\""),
        "{callback}"
    );
    let fields = form_fields(&callback);
    assert_eq!(field(&fields, "status"), "SUCCESS");
    assert_eq!(field(&fields, "completeStatus"), "WAITING");
    assert_eq!(field(&fields, "paymentId"), id.to_string());
    assert_eq!(field(&fields, "conversationId"), "3ds-1");
    assert!(!field(&fields, "conversationData").is_empty());
    let key = &sim.credentials().three_ds_callback_key;
    assert!(verify_callback_hash(
        key,
        &callback_fields(&fields),
        field(&fields, "hash")
    ));
    assert!(!verify_callback_hash(
        &sim.credentials().secret_key,
        &callback_fields(&fields),
        field(&fields, "hash")
    ));
    let status = client.get(&format!("/payment/v1/card-payments/{id}")).await;
    assert_eq!(status.data()["paymentStatus"], "CALLBACK_THREEDS");

    let done = client
        .post(
            "/payment/v1/card-payments/3ds-complete",
            &json!({"paymentId": id}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.data()["paymentStatus"], "SUCCESS");
    assert_eq!(done.data()["isThreeDS"], true);
    assert_eq!(sim.ledger().charges_for_order("3ds-1"), 1);
    let twice = client
        .post(
            "/payment/v1/card-payments/3ds-complete",
            &json!({"paymentId": id}),
        )
        .await;
    assert_eq!(twice.status, 422);
    assert_eq!(sim.ledger().charges_for_order("3ds-1"), 1);

    // A second visit says the callback already returned.
    let again = http
        .post(&page)
        .form(&[("result", "success")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fields = form_fields(&again);
    assert_eq!(field(&fields, "callbackStatus"), "ALREADY_RETURNED");
    assert!(verify_callback_hash(
        key,
        &callback_fields(&fields),
        field(&fields, "hash")
    ));
}

#[tokio::test]
async fn three_ds_failure_and_redirect_mode() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let answer = init_3ds(&client, "3ds-2", SUCCESS_CARD).await;
    let id = answer.data()["paymentId"].as_u64().unwrap();
    let response = http
        .get(format!(
            "{}?result=failure&callback=redirect",
            sim.bank_page_url(id)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location
        .as_str()
        .starts_with("https://merchant.example/3ds/callback?order=1&"));
    let fields: Vec<(String, String)> = location
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(field(&fields, "status"), "FAILURE");
    assert!(verify_callback_hash(
        &sim.credentials().three_ds_callback_key,
        &callback_fields(&fields),
        field(&fields, "hash")
    ));
    let complete = client
        .post(
            "/payment/v1/card-payments/3ds-complete",
            &json!({"paymentId": id}),
        )
        .await;
    assert_eq!(complete.status, 422);
    assert_eq!(sim.ledger().charges_for_order("3ds-2"), 0);
    assert_eq!(
        sim.ledger().for_order("3ds-2", LedgerKind::Decline).len(),
        1
    );

    // The designated card fails 3-D even when the test chooses success.
    let answer = init_3ds(&client, "3ds-3", THREE_DS_FAILS_CARD).await;
    let id = answer.data()["paymentId"].as_u64().unwrap();
    let page = http
        .get(format!("{}?result=success", sim.bank_page_url(id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(field(&form_fields(&page), "status"), "FAILURE");

    // 3-D init error card.
    let answer = init_3ds(&client, "3ds-4", THREE_DS_INIT_ERROR_CARD).await;
    assert_eq!(
        (answer.status, answer.error_group()),
        (422, "THREEDS_INIT_ERROR")
    );

    // A bank decline surfaces at 3ds-complete.
    let answer = init_3ds(&client, "3ds-5", "5100050000006661").await;
    let id = answer.data()["paymentId"].as_u64().unwrap();
    http.get(format!("{}?result=success", sim.bank_page_url(id)))
        .send()
        .await
        .unwrap();
    let complete = client
        .post(
            "/payment/v1/card-payments/3ds-complete",
            &json!({"paymentId": id}),
        )
        .await;
    assert_eq!(
        (complete.status, complete.error_group()),
        (422, "NOT_SUFFICIENT_FUNDS")
    );

    // 3ds-init needs a callback URL; an unknown bank page is 404.
    let no_callback = client
        .post(
            "/payment/v1/card-payments/3ds-init",
            &payment("3ds-6", SUCCESS_CARD),
        )
        .await;
    assert_eq!(no_callback.status, 400);
    let missing = http
        .get(format!("{}?result=success", sim.bank_page_url(987654)))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(
        client
            .post(
                "/payment/v1/card-payments/3ds-complete",
                &json!({"paymentId": 987654})
            )
            .await
            .status,
        404
    );
}

// ---------------------------------------------------------------- refunds

#[tokio::test]
async fn a_same_day_refund_is_a_cancel_and_cannot_be_repeated() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let paid = client
        .post(
            "/payment/v1/card-payments",
            &payment("cancel-1", SUCCESS_CARD),
        )
        .await;
    let id = paid.data()["id"].as_u64().unwrap();
    let refund = client
        .post(
            "/payment/v1/refunds",
            &json!({"paymentId": id, "conversationId": "r1"}),
        )
        .await;
    assert_eq!(refund.status, 200, "{}", refund.text);
    assert_eq!(refund.data()["refundType"], "CANCEL");
    assert_eq!(refund.data()["status"], "SUCCESS");
    assert_eq!(refund.data()["refundDestinationType"], "PROVIDER");
    assert_eq!(dec(&refund.data()["refundPrice"]), d("100"));
    assert!(refund.data()["paymentTransactionRefunds"]
        .as_array()
        .unwrap()
        .is_empty());
    let cancels = sim.ledger().for_order("cancel-1", LedgerKind::Cancel);
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].amount, Some(d("100")));

    let again = client
        .post("/payment/v1/refunds", &json!({"paymentId": id}))
        .await;
    assert_eq!((again.status, again.error_code()), (422, "5104"));
    let refund_id = refund.data()["id"].as_u64().unwrap();
    let fetched = client
        .get(&format!("/payment/v1/refunds/{refund_id}"))
        .await;
    assert_eq!(fetched.data()["refundType"], "CANCEL");
    let report = client
        .get(&format!("/payment-reporting/v1/payments/{id}"))
        .await;
    assert_eq!(report.data()["refundStatus"], "FULLY_REFUNDED");
    assert_eq!(
        client
            .post("/payment/v1/refunds", &json!({"paymentId": 5}))
            .await
            .status,
        404
    );
    assert_eq!(
        client.post("/payment/v1/refunds", &json!({})).await.status,
        400
    );
}

#[tokio::test]
async fn the_next_day_or_after_settlement_a_refund_is_a_refund() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let paid = client
        .post(
            "/payment/v1/card-payments",
            &payment("refund-1", SUCCESS_CARD),
        )
        .await;
    let id = paid.data()["id"].as_u64().unwrap();
    sim.advance_clock(Duration::from_secs(24 * 3600));
    let refund = client
        .post("/payment/v1/refunds", &json!({"paymentId": id}))
        .await;
    assert_eq!(refund.status, 200, "{}", refund.text);
    assert_eq!(refund.data()["refundType"], "REFUND");
    let items = refund.data()["paymentTransactionRefunds"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items
            .iter()
            .map(|t| dec(&t["refundPrice"]))
            .sum::<Decimal>(),
        d("100")
    );
    assert_eq!(items[0]["isAfterSettlement"], true);
    assert_eq!(
        sim.ledger().for_order("refund-1", LedgerKind::Refund)[0].amount,
        Some(d("100"))
    );

    let paid = client
        .post(
            "/payment/v1/card-payments",
            &payment("refund-2", SUCCESS_CARD),
        )
        .await;
    let id = paid.data()["id"].as_u64().unwrap();
    assert!(sim.settle_payment(id));
    assert!(!sim.settle_payment(1));
    let refund = client
        .post(
            "/payment/v1/refunds",
            &json!({"paymentId": id, "refundDestinationType": "CARD"}),
        )
        .await;
    assert_eq!(refund.data()["refundType"], "REFUND");
    assert_eq!(refund.data()["refundDestinationType"], "CARD");
    let wallet = client
        .post(
            "/payment/v1/refunds",
            &json!({"paymentId": id, "refundDestinationType": "WALLET"}),
        )
        .await;
    assert_eq!(wallet.status, 422);
}

#[tokio::test]
async fn a_sub_merchant_paid_the_whole_item_leaves_no_negative_merchant_payout() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let body = json!({
        "price": 30, "paidPrice": 30, "installment": 1, "currency": "TRY", "conversationId": "split-all",
        "card": card(SUCCESS_CARD),
        "items": [{"name": "Whole", "price": 30, "subMerchantMemberId": 101, "subMerchantMemberPrice": 30}]
    });
    let answer = client.post("/payment/v1/card-payments", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let tx = &answer.data()["paymentTransactions"][0];
    assert_eq!(dec(&tx["subMerchantMemberPayoutAmount"]), d("30"));
    assert_eq!(dec(&tx["merchantPayoutAmount"]), d("0"));
    assert_eq!(dec(&tx["payout"]["merchantPayoutAmount"]), d("0"));
    // The commission comes out of what the sub-merchant leaves: nothing.
    assert_eq!(dec(&answer.data()["bankCommissionRateAmount"]), d("0"));
}

#[tokio::test]
async fn item_refunds_are_reported_per_item_and_searchable_by_conversation_id() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let paid = client
        .post("/payment/v1/card-payments", &payment("rep-1", SUCCESS_CARD))
        .await;
    let id = paid.data()["id"].as_u64().unwrap();
    let txs: Vec<u64> = paid.data()["paymentTransactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    // Item 3 (20) whole under "r-a", then 5 of item 1 without a conversation id.
    for (tx, price, conversation) in [(txs[2], 20, Some("r-a")), (txs[0], 5, None)] {
        let mut body = json!({"paymentTransactionId": tx, "refundPrice": price});
        if let Some(c) = conversation {
            body["conversationId"] = json!(c);
        }
        let answer = client.post("/payment/v1/refund-transactions", &body).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
    }

    let report = client
        .get(&format!("/payment-reporting/v1/payments/{id}/transactions"))
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    let items = report.data()["items"].as_array().unwrap();
    let refundable: Vec<_> = items.iter().map(|t| dec(&t["refundablePrice"])).collect();
    assert_eq!(refundable, [d("25"), d("50"), d("0")]);
    let states: Vec<_> = items.iter().map(|t| t["refundStatus"].clone()).collect();
    assert_eq!(
        states,
        [
            json!("PARTIAL_REFUNDED"),
            json!("NOT_REFUNDED"),
            json!("FULLY_REFUNDED")
        ]
    );
    assert_eq!(items[0]["id"], txs[0]);
    assert_eq!(
        client
            .get("/payment-reporting/v1/payments/999999/transactions")
            .await
            .status,
        404
    );

    let all = client
        .get(&format!(
            "/payment-reporting/v1/refund-transactions?paymentId={id}&page=0&size=10"
        ))
        .await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.data()["totalSize"], 2);
    let mine = client
        .get(&format!(
            "/payment-reporting/v1/refund-transactions?paymentId={id}&conversationId=r-a"
        ))
        .await;
    let mine = mine.data()["items"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["paymentTransactionId"], txs[2]);
    assert_eq!(dec(&mine[0]["refundPrice"]), d("20"));
    assert_eq!(mine[0]["conversationId"], "r-a");

    // After a same-day cancel nothing is left of any item.
    let other = client
        .post("/payment/v1/card-payments", &payment("rep-2", SUCCESS_CARD))
        .await;
    let other_id = other.data()["id"].as_u64().unwrap();
    let cancel = client
        .post("/payment/v1/refunds", &json!({"paymentId": other_id}))
        .await;
    assert_eq!(cancel.data()["refundType"], "CANCEL");
    let report = client
        .get(&format!(
            "/payment-reporting/v1/payments/{other_id}/transactions"
        ))
        .await;
    for item in report.data()["items"].as_array().unwrap() {
        assert_eq!(dec(&item["refundablePrice"]), d("0"));
        assert_eq!(item["refundStatus"], "FULLY_REFUNDED");
    }
}

#[tokio::test]
async fn item_refunds_never_exceed_what_remains() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let paid = client
        .post("/payment/v1/card-payments", &payment("tx-1", SUCCESS_CARD))
        .await;
    let id = paid.data()["id"].as_u64().unwrap();
    let tx = paid.data()["paymentTransactions"][0]["id"]
        .as_u64()
        .unwrap();

    let first = client
        .post(
            "/payment/v1/refund-transactions",
            &json!({"paymentTransactionId": tx, "refundPrice": 10.5, "conversationId": "rt"}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(dec(&first.data()["refundPrice"]), d("10.5"));
    assert_eq!(first.data()["paymentTransactionId"], tx);
    assert_eq!(first.data()["paymentId"], id);
    assert_eq!(first.data()["isAfterSettlement"], false);
    let over = client
        .post(
            "/payment/v1/refund-transactions",
            &json!({"paymentTransactionId": tx, "refundPrice": 19.51}),
        )
        .await;
    assert_eq!((over.status, over.error_code()), (422, "5103"));
    let rest = client
        .post(
            "/payment/v1/refund-transactions",
            &json!({"paymentTransactionId": tx, "refundPrice": 19.5}),
        )
        .await;
    assert_eq!(rest.status, 200);
    let none_left = client
        .post(
            "/payment/v1/refund-transactions",
            &json!({"paymentTransactionId": tx, "refundPrice": 0.01}),
        )
        .await;
    assert_eq!(none_left.status, 422);
    let refund_id = rest.data()["id"].as_u64().unwrap();
    assert_eq!(
        client
            .get(&format!("/payment/v1/refund-transactions/{refund_id}"))
            .await
            .data()["id"],
        refund_id
    );

    let refunds: Vec<_> = sim
        .ledger()
        .for_order("tx-1", LedgerKind::Refund)
        .into_iter()
        .filter_map(|e| e.amount)
        .collect();
    assert_eq!(refunds, vec![d("10.5"), d("19.5")]);

    // The whole-payment refund after a partial one is a REFUND of what remains (70).
    let whole = client
        .post("/payment/v1/refunds", &json!({"paymentId": id}))
        .await;
    assert_eq!(whole.data()["refundType"], "REFUND");
    assert_eq!(dec(&whole.data()["refundPrice"]), d("70"));
    let report = client
        .get(&format!("/payment-reporting/v1/payments/{id}"))
        .await;
    assert_eq!(report.data()["refundStatus"], "FULLY_REFUNDED");

    let bad = client
        .post(
            "/payment/v1/refund-transactions",
            &json!({"paymentTransactionId": 1, "refundPrice": 1}),
        )
        .await;
    assert_eq!(bad.status, 404);
    let bad = client
        .post(
            "/payment/v1/refund-transactions",
            &json!({"paymentTransactionId": tx, "refundPrice": -1}),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn an_uncaptured_pre_auth_is_cancelled_not_item_refunded() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let mut body = payment("pre-cancel", SUCCESS_CARD);
    body["paymentPhase"] = json!("PRE_AUTH");
    let paid = client.post("/payment/v1/card-payments", &body).await;
    let id = paid.data()["id"].as_u64().unwrap();
    let tx = paid.data()["paymentTransactions"][0]["id"]
        .as_u64()
        .unwrap();
    let item = client
        .post(
            "/payment/v1/refund-transactions",
            &json!({"paymentTransactionId": tx, "refundPrice": 1}),
        )
        .await;
    assert_eq!(item.status, 422);
    sim.advance_clock(Duration::from_secs(3 * 24 * 3600));
    let refund = client
        .post("/payment/v1/refunds", &json!({"paymentId": id}))
        .await;
    assert_eq!(refund.data()["refundType"], "CANCEL");
    let capture = client
        .post(
            &format!("/payment/v1/card-payments/{id}/post-auth"),
            &json!({"paidPrice": 10}),
        )
        .await;
    assert_eq!(capture.status, 422);
}

// ---------------------------------------------------------------- how a cancel is reported

/// What the records say after the fact: `paymentStatus`, `paymentPhase`, `refundStatus` and
/// `refundablePrice` of the reporting record, and the `refundType` of each whole-payment
/// refund the reporting list names (retrieved one by one, as the list does not carry it).
async fn reported(client: &Client, id: u64) -> (Value, Vec<String>) {
    let report = client
        .get(&format!("/payment-reporting/v1/payments/{id}"))
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    let listed = client
        .get(&format!("/payment-reporting/v1/payments/{id}/refunds"))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let mut types = Vec::new();
    for item in listed.data()["items"].as_array().unwrap() {
        assert_eq!(item["paymentId"].as_u64(), Some(id));
        assert_eq!(item["status"], "SUCCESS");
        let refund_id = item["id"].as_u64().unwrap();
        let refund = client
            .get(&format!("/payment/v1/refunds/{refund_id}"))
            .await;
        assert_eq!(
            dec(&refund.data()["refundPrice"]),
            dec(&item["refundPrice"])
        );
        types.push(refund.data()["refundType"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        listed.data()["totalSize"].as_u64(),
        Some(types.len() as u64)
    );
    (report.data().clone(), types)
}

#[tokio::test]
async fn a_cancelled_pre_auth_is_recorded_as_cancelled() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let mut body = payment("pre-void-1", SUCCESS_CARD);
    body["paymentPhase"] = json!("PRE_AUTH");
    let auth = client.post("/payment/v1/card-payments", &body).await;
    let id = auth.data()["id"].as_u64().unwrap();
    let (before, types) = reported(&client, id).await;
    assert_eq!(before["refundStatus"], "NOT_REFUNDED");
    assert!(types.is_empty());

    let cancel = client
        .post("/payment/v1/refunds", &json!({"paymentId": id}))
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.text);
    assert_eq!(cancel.data()["refundType"], "CANCEL");
    assert_eq!(dec(&cancel.data()["refundPrice"]), d("100"));

    let (after, types) = reported(&client, id).await;
    assert_eq!(after["paymentStatus"], "SUCCESS");
    assert_eq!(after["paymentPhase"], "PRE_AUTH");
    assert_eq!(after["refundStatus"], "FULLY_REFUNDED");
    assert_eq!(dec(&after["refundablePrice"]), d("0"));
    assert_eq!(types, ["CANCEL"]);
    assert_eq!(
        sim.ledger()
            .for_order("pre-void-1", LedgerKind::Cancel)
            .len(),
        1
    );
    let capture = client
        .post(
            &format!("/payment/v1/card-payments/{id}/post-auth"),
            &json!({"paidPrice": 100}),
        )
        .await;
    assert_eq!(capture.status, 422);
}

#[tokio::test]
async fn a_same_day_cancel_and_a_settled_refund_are_told_apart_by_the_refund() {
    let sim = simulator().await;
    let client = Client::new(&sim);

    let sale = client
        .post(
            "/payment/v1/card-payments",
            &payment("void-2", SUCCESS_CARD),
        )
        .await;
    let sale_id = sale.data()["id"].as_u64().unwrap();
    client
        .post("/payment/v1/refunds", &json!({"paymentId": sale_id}))
        .await;
    let (cancelled, types) = reported(&client, sale_id).await;
    assert_eq!(cancelled["refundStatus"], "FULLY_REFUNDED");
    assert_eq!(types, ["CANCEL"]);

    let settled = client
        .post(
            "/payment/v1/card-payments",
            &payment("refund-3", SUCCESS_CARD),
        )
        .await;
    let settled_id = settled.data()["id"].as_u64().unwrap();
    assert!(sim.settle_payment(settled_id));
    client
        .post("/payment/v1/refunds", &json!({"paymentId": settled_id}))
        .await;
    let (refunded, types) = reported(&client, settled_id).await;
    // The payment record is the same either way; only the refund differs.
    assert_eq!(refunded["refundStatus"], "FULLY_REFUNDED");
    assert_eq!(dec(&refunded["refundablePrice"]), d("0"));
    assert_eq!(types, ["REFUND"]);

    // Item refunds are not whole-payment refunds and are not listed.
    let partly = client
        .post(
            "/payment/v1/card-payments",
            &payment("refund-4", SUCCESS_CARD),
        )
        .await;
    let partly_id = partly.data()["id"].as_u64().unwrap();
    let tx = partly.data()["paymentTransactions"][0]["id"]
        .as_u64()
        .unwrap();
    client
        .post(
            "/payment/v1/refund-transactions",
            &json!({"paymentTransactionId": tx, "refundPrice": 10}),
        )
        .await;
    let (partial, types) = reported(&client, partly_id).await;
    assert_eq!(partial["refundStatus"], "PARTIAL_REFUNDED");
    assert!(types.is_empty());

    assert_eq!(
        client
            .get("/payment-reporting/v1/payments/987654/refunds")
            .await
            .status,
        404
    );
}

// ---------------------------------------------------------------- installments and BINs

#[tokio::test]
async fn installments_and_bin_lookup() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let bin = client.get("/installment/v1/bins/525864").await;
    assert_eq!(bin.status, 200);
    assert_eq!(bin.data()["cardType"], "CREDIT_CARD");
    assert_eq!(bin.data()["cardAssociation"], "MASTER_CARD");
    assert_eq!(bin.data()["cardBrand"], "World");
    assert_eq!(bin.data()["bankName"], "YAPI VE KREDİ BANKASI A.Ş.");
    assert_eq!(bin.data()["bankCode"], 67);
    assert_eq!(bin.data()["commercial"], false);
    assert_eq!(client.get("/installment/v1/bins/123456").await.status, 404);
    assert_eq!(client.get("/installment/v1/bins/12ab").await.status, 400);

    let options = client.get("/installment/v1/installments?binNumber=525864&price=100&currency=TRY&distinctCardBrandsWithLowestCommissions=false&loyaltyExists=false&").await;
    assert_eq!(options.status, 200, "{}", options.text);
    let item = &options.data()["items"][0];
    assert_eq!(item["binNumber"], "525864");
    let prices = item["installmentPrices"].as_array().unwrap();
    assert_eq!(prices[0]["installmentNumber"], 1);
    assert_eq!(dec(&prices[0]["totalPrice"]), d("100"));
    assert!(prices.iter().any(|p| p["installmentNumber"] == 12));
    let all = client.get("/installment/v1/installments?price=250.5").await;
    assert!(all.data()["items"].as_array().unwrap().len() >= 4);
    let debit = client
        .get("/installment/v1/installments?binNumber=404308&price=100")
        .await;
    assert_eq!(
        debit.data()["items"][0]["installmentPrices"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client
            .get("/installment/v1/installments?binNumber=525864")
            .await
            .status,
        400
    );
    assert_eq!(
        client
            .get("/installment/v1/installments?price=100&currency=XXX")
            .await
            .status,
        400
    );
}

// ---------------------------------------------------------------- webhooks

async fn webhook_receiver() -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    use axum::routing::post;
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let store = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let store = store.clone();
            async move {
                let signature = headers
                    .get(SIGNATURE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                store
                    .lock()
                    .unwrap()
                    .push((signature, serde_json::from_str(&body).unwrap()));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

fn event_of(body: &Value) -> WebhookEvent {
    WebhookEvent {
        event_type: body["eventType"].as_str().unwrap().into(),
        event_time: body["eventTime"].as_str().unwrap().into(),
        event_timestamp: body["eventTimestamp"].as_i64().unwrap(),
        status: body["status"].as_str().unwrap().into(),
        payload_id: body["payloadId"].as_str().unwrap().into(),
    }
}

#[tokio::test]
async fn signed_webhooks_are_sent() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    assert!(sim
        .trigger_webhook("API_AUTH", "SUCCESS", "1")
        .await
        .is_none());
    let (url, seen) = webhook_receiver().await;
    sim.set_webhook_url(Some(url.clone()));

    let delivery = sim
        .trigger_webhook("API_VERIFY_AND_AUTH", "SUCCESS", "584")
        .await
        .unwrap();
    assert_eq!(delivery.response_status, Some(200));
    let (signature, body) = seen.lock().unwrap()[0].clone();
    assert_eq!(body["eventType"], "API_VERIFY_AND_AUTH");
    assert_eq!(body["payloadId"], "584");
    let key = &sim.credentials().webhook_key;
    assert!(verify_webhook_signature(key, &event_of(&body), &signature));
    assert!(!verify_webhook_signature(
        "wrong",
        &event_of(&body),
        &signature
    ));

    // A payment sends API_AUTH on its own.
    let paid = client
        .post(
            "/payment/v1/card-payments",
            &payment("hook-1", SUCCESS_CARD),
        )
        .await;
    let id = paid.data()["id"].as_u64().unwrap().to_string();
    for _ in 0..100 {
        if seen.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (signature, body) = seen.lock().unwrap()[1].clone();
    assert_eq!(
        (body["eventType"].as_str(), body["payloadId"].as_str()),
        (Some("API_AUTH"), Some(id.as_str()))
    );
    assert!(verify_webhook_signature(key, &event_of(&body), &signature));
    assert!(sim.webhook_deliveries().len() >= 2);
}

// ---------------------------------------------------------------- idempotency and faults

#[tokio::test]
async fn the_same_idempotency_key_never_charges_twice() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let body = payment("idem-1", SUCCESS_CARD).to_string();
    let first = client
        .raw(
            "POST",
            "/payment/v1/card-payments",
            Some(&body),
            None,
            &[("x-idempotency-key", "k-1")],
        )
        .await;
    let second = client
        .raw(
            "POST",
            "/payment/v1/card-payments",
            Some(&body),
            None,
            &[("x-idempotency-key", "k-1")],
        )
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.text, second.text);
    assert_eq!(sim.ledger().charges_for_order("idem-1"), 1);

    let other = payment("idem-2", SUCCESS_CARD).to_string();
    let clash = client
        .raw(
            "POST",
            "/payment/v1/card-payments",
            Some(&other),
            None,
            &[("x-idempotency-key", "k-1")],
        )
        .await;
    assert_eq!((clash.status, clash.error_code()), (422, "1007"));
    assert_eq!(sim.ledger().charges_for_order("idem-2"), 0);

    // Without a key, the same body is a second payment.
    client
        .raw("POST", "/payment/v1/card-payments", Some(&body), None, &[])
        .await;
    assert_eq!(sim.ledger().charges_for_order("idem-1"), 2);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_charge_once() {
    let sim = simulator().await;
    let client = Arc::new(Client::new(&sim));
    // The first request answers late, so the retries arrive while it is still running.
    sim.faults().inject_on(
        "/payment/v1/card-payments",
        Fault::DelayAfterProcessing(Duration::from_millis(300)),
    );
    let body = payment("race-1", SUCCESS_CARD).to_string();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (client, body) = (client.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            client
                .raw(
                    "POST",
                    "/payment/v1/card-payments",
                    Some(&body),
                    None,
                    &[("x-idempotency-key", "race")],
                )
                .await
                .text
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(sim.ledger().charges_for_order("race-1"), 1);
}

#[tokio::test]
async fn a_dropped_answer_is_reconciled_by_conversation_id_and_retried_safely() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    sim.faults()
        .inject_on("/payment/v1/card-payments", Fault::DropAfterProcessing);
    let body = payment("lost-1", SUCCESS_CARD).to_string();
    let rnd = "r-lost";
    let sig = client.sign("/payment/v1/card-payments", rnd, &body);
    let dropped = client
        .http
        .post(format!("{}/payment/v1/card-payments", client.base))
        .header("x-api-key", &client.api_key)
        .header("x-rnd-key", rnd)
        .header("x-auth-version", "v1")
        .header("x-signature", &sig)
        .header("x-idempotency-key", "lost-key")
        .body(body.clone())
        .send()
        .await;
    let failed = match dropped {
        Err(_) => true,
        Ok(response) => response.text().await.is_err(),
    };
    assert!(failed, "the answer should have been lost");
    assert_eq!(sim.ledger().charges_for_order("lost-1"), 1);

    let found = client
        .get("/payment-reporting/v1/payments?conversationId=lost-1")
        .await;
    assert_eq!(found.data()["items"][0]["paymentStatus"], "SUCCESS");
    let retry = client
        .raw(
            "POST",
            "/payment/v1/card-payments",
            Some(&body),
            None,
            &[("x-idempotency-key", "lost-key")],
        )
        .await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.data()["id"], found.data()["items"][0]["id"]);
    assert_eq!(sim.ledger().charges_for_order("lost-1"), 1);

    // A proxy error before processing charges nothing.
    sim.faults()
        .inject_on("/payment/v1/card-payments", Fault::HtmlServerError(502));
    let answer = client
        .post(
            "/payment/v1/card-payments",
            &payment("lost-2", SUCCESS_CARD),
        )
        .await;
    assert_eq!(answer.status, 502);
    assert!(answer.text.contains("<html>"));
    assert_eq!(sim.ledger().charges_for_order("lost-2"), 0);
}

#[tokio::test]
async fn custom_credentials_and_redacted_debug() {
    let creds = CraftgateCredentials {
        api_key: "k".into(),
        secret_key: "top-secret".into(),
        webhook_key: "hook-secret".into(),
        three_ds_callback_key: "cb-secret".into(),
    };
    let sim = CraftgateSimulator::start_with(SocketAddr::from(([127, 0, 0, 1], 0)), creds)
        .await
        .unwrap();
    let shown = format!("{:?} {}", sim.credentials(), sim.base_url());
    assert!(
        !shown.contains("top-secret")
            && !shown.contains("hook-secret")
            && !shown.contains("cb-secret")
    );
    assert!(sim.banner_line().contains(sim.base_url()));
    let client = Client::new(&sim);
    assert_eq!(client.get("/installment/v1/bins/525864").await.status, 200);
}

#[tokio::test]
async fn approval_rules_set_over_http_decline_by_bin_and_repeat() {
    let sim = simulator().await;
    let client = Client::new(&sim);
    let control = |query: &str| {
        let url = format!(
            "{}{}?{query}",
            sim.base_url(),
            odeme_sandbox::approval::CONTROL_PATH
        );
        async move { reqwest::Client::new().post(url).send().await.unwrap() }
    };
    assert_eq!(
        control("prefix=525864&probability=0.5&seed=9")
            .await
            .status(),
        200
    );
    assert_eq!(control("prefix=52x&probability=0.5").await.status(), 400);
    let mut approved = 0;
    for i in 0..40 {
        let order = format!("rule-{i}");
        let answer = client
            .post("/payment/v1/card-payments", &payment(&order, SUCCESS_CARD))
            .await;
        let expected = sim.approval().declines(&order, "525864") == Some(false);
        if expected {
            approved += 1;
            assert_eq!(answer.status, 200, "{}", answer.text);
            assert_eq!(sim.ledger().charges_for_order(&order), 1);
        } else {
            assert_eq!(answer.status, 422, "{}", answer.text);
            assert_eq!(answer.error_group(), "NOT_SUFFICIENT_FUNDS");
            assert_eq!(sim.ledger().charges_for_order(&order), 0);
        }
    }
    assert!(
        (10..=30).contains(&approved),
        "{approved} of 40 approved at 50 %"
    );
    // The control's own requests are not in the request log.
    assert!(sim
        .requests()
        .all()
        .iter()
        .all(|r| r.path != odeme_sandbox::approval::CONTROL_PATH));
    assert_eq!(control("clear=1").await.status(), 200);
    let answer = client
        .post(
            "/payment/v1/card-payments",
            &payment("rule-after", SUCCESS_CARD),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}
