//! The PayTR simulator driven over real HTTP on loopback, as a merchant's server and a
//! customer's browser would drive PayTR.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use odeme_sandbox::paytr::{PaytrCredentials, PaytrSimulator, SentNotification};
use odeme_sandbox::{Fault, LedgerKind, Simulator};
use serde_json::Value;
use sha2::Sha256;

const OFFICIAL_VISA: &str = "4355084355084358";
const INSUFFICIENT: &str = "4355080000000013";
const EXPIRED: &str = "4355080000000021";
const BAD_CVV: &str = "4355080000000039";
const DO_NOT_HONOUR: &str = "4355080000000047";
const LOST: &str = "4355080000000054";
const FRAUD: &str = "4355080000000062";
const THREE_D_FAILS: &str = "4355080000000070";
const NO_INSTALLMENTS: &str = "4355080000000088";
const TRY_AGAIN: &str = "4355080000000096";
const SLOW: &str = "4355080000000104";
const NEEDS_CVV: &str = "4355080000000112";
const NOT_PERMITTED: &str = "4355080000000120";
const CLOSED_LATER: &str = "4355080000000138";

fn sign(key: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn token(creds: &PaytrCredentials, fields: &[&str]) -> String {
    sign(
        &creds.merchant_key,
        &format!("{}{}", fields.concat(), creds.merchant_salt),
    )
}

struct Paytr {
    sim: PaytrSimulator,
    http: reqwest::Client,
}

type Fields = Vec<(String, String)>;

fn get<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn set(fields: &mut Fields, name: &str, value: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_owned(), value.to_owned()));
}

impl Paytr {
    async fn start() -> Self {
        let sim = PaytrSimulator::start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { sim, http }
    }

    fn creds(&self) -> &PaytrCredentials {
        self.sim.credentials()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    /// A complete Non-3D sync-mode payment with the official test card; `changes` are
    /// applied before the token is computed over the changed fields.
    fn payment(&self, oid: &str, changes: &[(&str, &str)]) -> Fields {
        let mut f: Fields = [
            ("merchant_id", self.creds().merchant_id.as_str()),
            ("user_ip", "85.34.78.112"),
            ("merchant_oid", oid),
            ("email", "buyer@example.com"),
            ("payment_amount", "100.99"),
            ("payment_type", "card"),
            ("installment_count", "0"),
            ("currency", "TL"),
            ("test_mode", "1"),
            ("non_3d", "1"),
            ("sync_mode", "1"),
            ("debug_on", "1"),
            ("client_lang", "tr"),
            ("merchant_ok_url", "https://shop.example/ok"),
            ("merchant_fail_url", "https://shop.example/fail"),
            ("user_name", "Ayse Yilmaz"),
            ("user_address", "Kadikoy, Istanbul"),
            ("user_phone", "05551112233"),
            ("user_basket", "[[\"Kitap\",\"100.99\",1]]"),
            ("cc_owner", "PAYTR TEST"),
            ("card_number", OFFICIAL_VISA),
            ("expiry_month", "12"),
            ("expiry_year", "30"),
            ("cvv", "000"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        for (k, v) in changes {
            set(&mut f, k, v);
        }
        let signed: Vec<&str> = [
            "merchant_id",
            "user_ip",
            "merchant_oid",
            "email",
            "payment_amount",
            "payment_type",
            "installment_count",
            "currency",
            "test_mode",
            "non_3d",
        ]
        .iter()
        .map(|n| get(&f, n))
        .collect();
        let t = token(self.creds(), &signed);
        if !changes.iter().any(|(k, _)| *k == "paytr_token") {
            set(&mut f, "paytr_token", &t);
        }
        f
    }

    /// A payment with a stored card: no card fields, `utoken` and `ctoken` instead.
    fn stored_payment(
        &self,
        oid: &str,
        utoken: &str,
        ctoken: &str,
        changes: &[(&str, &str)],
    ) -> Fields {
        let mut f = self.payment(oid, changes);
        f.retain(|(k, _)| {
            ![
                "cc_owner",
                "card_number",
                "expiry_month",
                "expiry_year",
                "cvv",
            ]
            .contains(&k.as_str())
        });
        f.push(("utoken".into(), utoken.into()));
        f.push(("ctoken".into(), ctoken.into()));
        for (k, v) in changes {
            if *k == "cvv" {
                f.push(("cvv".into(), (*v).into()));
            }
        }
        f
    }

    async fn post(&self, path: &str, fields: &Fields) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    async fn post_json(&self, path: &str, fields: &Fields) -> Value {
        let response = self.post(path, fields).await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        response.json().await.unwrap()
    }

    async fn pay(&self, fields: &Fields) -> Value {
        self.post_json("/odeme", fields).await
    }

    async fn list(&self, utoken: &str) -> Value {
        let fields = vec![
            ("merchant_id".into(), self.creds().merchant_id.clone()),
            ("utoken".into(), utoken.into()),
            ("paytr_token".into(), token(self.creds(), &[utoken])),
        ];
        self.post_json("/odeme/capi/list", &fields).await
    }

    async fn delete(&self, utoken: &str, ctoken: &str) -> Value {
        let fields = vec![
            ("merchant_id".into(), self.creds().merchant_id.clone()),
            ("utoken".into(), utoken.into()),
            ("ctoken".into(), ctoken.into()),
            ("paytr_token".into(), token(self.creds(), &[ctoken, utoken])),
        ];
        self.post_json("/odeme/capi/delete", &fields).await
    }

    async fn refund(&self, oid: &str, amount: &str, reference_no: Option<&str>) -> Value {
        let mid = self.creds().merchant_id.clone();
        let mut fields: Fields = vec![
            ("merchant_id".into(), mid.clone()),
            ("merchant_oid".into(), oid.into()),
            ("return_amount".into(), amount.into()),
            (
                "paytr_token".into(),
                token(self.creds(), &[&mid, oid, amount]),
            ),
        ];
        if let Some(r) = reference_no {
            fields.push(("reference_no".into(), r.into()));
        }
        self.post_json("/odeme/iade", &fields).await
    }

    async fn status(&self, oid: &str) -> Value {
        let mid = self.creds().merchant_id.clone();
        let fields: Fields = vec![
            ("merchant_id".into(), mid.clone()),
            ("merchant_oid".into(), oid.into()),
            ("paytr_token".into(), token(self.creds(), &[&mid, oid])),
        ];
        self.post_json("/odeme/durum-sorgu", &fields).await
    }

    fn notification(&self, oid: &str) -> SentNotification {
        self.sim
            .notifications_sent()
            .into_iter()
            .rev()
            .find(|n| n.merchant_oid == oid)
            .unwrap_or_else(|| panic!("no notification for {oid}"))
    }

    /// Checks a notification's hash the way the merchant's handler must.
    fn assert_signed(&self, n: &SentNotification) {
        let expected = sign(
            &self.creds().merchant_key,
            &format!(
                "{}{}{}{}",
                n.field("merchant_oid").unwrap(),
                self.creds().merchant_salt,
                n.field("status").unwrap(),
                n.field("total_amount").unwrap()
            ),
        );
        assert_eq!(n.field("hash"), Some(expected.as_str()));
    }
}

/// A merchant notification endpoint: records forms and answers `OK` once `failures`
/// attempts have been refused.
#[derive(Clone, Default)]
struct Receiver {
    forms: Arc<Mutex<Vec<HashMap<String, String>>>>,
    failures_left: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(failures: usize) -> (Self, String, tokio::task::JoinHandle<()>) {
        let receiver = Receiver::default();
        receiver.failures_left.store(failures, Ordering::SeqCst);
        let state = receiver.clone();
        let app = axum::Router::new().route(
            "/notify",
            axum::routing::post(
                |axum::extract::State(r): axum::extract::State<Receiver>,
                 axum::extract::Form(form): axum::extract::Form<HashMap<String, String>>| async move {
                    r.forms.lock().unwrap().push(form);
                    let left = r.failures_left.load(Ordering::SeqCst);
                    if left > 0 {
                        r.failures_left.store(left - 1, Ordering::SeqCst);
                        "NOT YET"
                    } else {
                        "OK"
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let handle = tokio::spawn(async move {
            axum::serve(listener, app.with_state(state)).await.unwrap();
        });
        (receiver, format!("http://{addr}/notify"), handle)
    }

    fn count(&self) -> usize {
        self.forms.lock().unwrap().len()
    }
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..100 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    panic!("timed out waiting for {what}");
}

// ---------------------------------------------------------------- /odeme, sync mode

#[tokio::test]
async fn sync_payment_succeeds_charges_once_and_notifies_signed() {
    let p = Paytr::start().await;
    let answer = p.pay(&p.payment("SYNC1", &[])).await;
    assert_eq!(answer["status"], "success");
    assert_eq!(answer["msg"], "Ödeme Başarılı.");
    assert!(answer.get("utoken").is_none());
    assert_eq!(p.sim.ledger().charges_for_order("SYNC1"), 1);
    let charge = &p.sim.ledger().for_order("SYNC1", LedgerKind::Charge)[0];
    assert_eq!(charge.amount, Some("100.99".parse().unwrap()));
    assert_eq!(charge.currency.as_deref(), Some("TL"));

    let n = p.notification("SYNC1");
    p.assert_signed(&n);
    assert_eq!(n.field("status"), Some("success"));
    assert_eq!(n.field("total_amount"), Some("10099"));
    assert_eq!(n.field("payment_amount"), Some("10099"));
    assert_eq!(n.field("currency"), Some("TL"));
    assert_eq!(n.field("installment_count"), Some("0"));
    assert_eq!(n.field("payment_type"), Some("card"));
    assert_eq!(n.field("test_mode"), Some("1"));
    assert_eq!(n.field("merchant_id"), Some("100001"));
    assert_eq!(n.field("failed_reason_code"), None);
    assert_eq!(n.attempts, 0, "no URL configured, nothing POSTed");
}

#[tokio::test]
async fn try_currency_is_reported_as_tl_and_other_currencies_pass_through() {
    let p = Paytr::start().await;
    assert_eq!(
        p.pay(&p.payment("CURTRY", &[("currency", "TRY")])).await["status"],
        "success"
    );
    assert_eq!(p.notification("CURTRY").field("currency"), Some("TL"));
    assert_eq!(
        p.pay(&p.payment("CUREUR", &[("currency", "EUR")])).await["status"],
        "success"
    );
    assert_eq!(p.notification("CUREUR").field("currency"), Some("EUR"));
}

#[tokio::test]
async fn bad_missing_or_foreign_token_is_refused_before_anything_happens() {
    let p = Paytr::start().await;
    let wrong = p.payment("TOK1", &[("paytr_token", "AAAA")]);
    let answer = p.pay(&wrong).await;
    assert_eq!(
        answer,
        serde_json::json!({"status":"failed","reason":"paytr_token gonderilmedi veya gecersiz"})
    );

    let mut missing = p.payment("TOK2", &[]);
    missing.retain(|(k, _)| k != "paytr_token");
    assert_eq!(
        p.pay(&missing).await["reason"],
        "paytr_token gonderilmedi veya gecersiz"
    );

    // A token over the fields in another order (salt first) is wrong.
    let mut reordered = p.payment("TOK3", &[]);
    let c = p.creds();
    let bad = sign(
        &c.merchant_key,
        &format!("{}{}85.34.78.112TOK3", c.merchant_salt, c.merchant_id),
    );
    set(&mut reordered, "paytr_token", &bad);
    assert_eq!(p.pay(&reordered).await["status"], "failed");

    // Changing a signed field after signing breaks the token.
    let mut tampered = p.payment("TOK4", &[]);
    set(&mut tampered, "payment_amount", "1.00");
    assert_eq!(
        p.pay(&tampered).await["reason"],
        "paytr_token gonderilmedi veya gecersiz"
    );

    let foreign = p.payment("TOK5", &[("merchant_id", "999999")]);
    assert_eq!(p.pay(&foreign).await["status"], "failed");

    // JSON bodies carry no form fields.
    let response = p
        .http
        .post(p.url("/odeme"))
        .json(&serde_json::json!({"merchant_id": "100001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "failed");

    assert!(p.sim.ledger().is_empty());
    assert!(p.sim.notifications_sent().is_empty());
}

#[tokio::test]
async fn the_empty_installment_count_pitfall_is_refused() {
    let p = Paytr::start().await;
    // Hashed as "" and posted as "" (the commented-out PHP variable): the token matches,
    // the field rule does not.
    let answer = p
        .pay(&p.payment("INST0", &[("installment_count", "")]))
        .await;
    assert_eq!(answer["status"], "failed");
    assert!(
        answer["reason"]
            .as_str()
            .unwrap()
            .ends_with("installment_count"),
        "{answer}"
    );
}

#[tokio::test]
async fn field_rules_name_the_field_with_debug_on_and_hide_it_without() {
    let p = Paytr::start().await;
    let long_email = format!("{}@example.com", "a".repeat(95));
    let long_url = format!("https://shop.example/{}", "a".repeat(400));
    let cases: Vec<(&str, String, &str)> = vec![
        ("merchant_oid", "ORDER-1".into(), "merchant_oid"),
        ("email", long_email, "email"),
        ("user_ip", "999.1.1.1".into(), "user_ip"),
        ("payment_amount", "100,99".into(), "payment_amount"),
        ("payment_amount", "10099.999".into(), "payment_amount"),
        ("installment_count", "13".into(), "installment_count"),
        ("currency", "JPY".into(), "currency"),
        ("merchant_ok_url", long_url, "merchant_ok_url"),
        ("user_name", "x".repeat(61), "user_name"),
        ("user_address", "x".repeat(401), "user_address"),
        ("user_phone", "0".repeat(21), "user_phone"),
        ("card_number", "43550843550843".into(), "card_number"),
        ("cvv", "0000".into(), "cvv"),
        ("payment_type", "cash".into(), "payment_type"),
    ];
    for (i, (field, value, named)) in cases.iter().enumerate() {
        let oid = if *field == "merchant_oid" {
            value.clone()
        } else {
            format!("RULE{i}")
        };
        let answer = p.pay(&p.payment(&oid, &[(field, value.as_str())])).await;
        assert_eq!(answer["status"], "failed", "{field}");
        assert!(
            answer["reason"].as_str().unwrap().ends_with(named),
            "{field}: {answer}"
        );
    }
    let hidden = p
        .pay(&p.payment("RULEX", &[("email", "no-at-sign"), ("debug_on", "0")]))
        .await;
    assert_eq!(hidden["status"], "failed");
    assert!(hidden["reason"]
        .as_str()
        .unwrap()
        .contains("Teknik entegrasyon hatası"));
    assert!(p.sim.ledger().is_empty());
}

#[tokio::test]
async fn a_used_merchant_oid_is_refused() {
    let p = Paytr::start().await;
    assert_eq!(p.pay(&p.payment("DUP1", &[])).await["status"], "success");
    let again = p.pay(&p.payment("DUP1", &[])).await;
    assert_eq!(again["status"], "failed");
    assert!(again["reason"].as_str().unwrap().contains("merchant_oid"));
    // A declined order's id is used up too.
    assert_eq!(
        p.pay(&p.payment("DUP2", &[("card_number", INSUFFICIENT)]))
            .await["status"],
        "failed"
    );
    assert_eq!(p.pay(&p.payment("DUP2", &[])).await["status"], "failed");
    assert_eq!(p.sim.ledger().charges_for_order("DUP1"), 1);
    assert_eq!(p.sim.ledger().charges_for_order("DUP2"), 0);
}

#[tokio::test]
async fn designated_cards_decline_with_their_codes() {
    let p = Paytr::start().await;
    let cases: [(&str, &str, &str, &str); 7] = [
        ("DECL1", INSUFFICIENT, "0", "yetersiz"),
        ("DECL2", EXPIRED, "0", "son kullanma"),
        ("DECL3", BAD_CVV, "0", "CVV"),
        ("DECL4", DO_NOT_HONOUR, "0", "do not honour"),
        ("DECL5", LOST, "0", "kapatılmış"),
        ("DECL6", FRAUD, "11", "Güvenlik uyarısı"),
        ("DECL7", NOT_PERMITTED, "9", "yetkisi"),
    ];
    for (oid, card, code, words) in cases {
        let answer = p.pay(&p.payment(oid, &[("card_number", card)])).await;
        assert_eq!(answer["status"], "failed", "{card}");
        assert!(
            answer["msg"].as_str().unwrap().contains(words),
            "{card}: {answer}"
        );
        let n = p.notification(oid);
        p.assert_signed(&n);
        assert_eq!(n.field("status"), Some("failed"));
        assert_eq!(n.field("total_amount"), Some("0"));
        assert_eq!(n.field("payment_amount"), Some("10099"));
        assert_eq!(n.field("failed_reason_code"), Some(code), "{card}");
        assert!(n.field("failed_reason_msg").unwrap().contains(words));
        assert_eq!(p.sim.ledger().charges_for_order(oid), 0);
        assert_eq!(p.sim.ledger().for_order(oid, LedgerKind::Decline).len(), 1);
    }
}

#[tokio::test]
async fn official_cards_approve_with_cvv_000_only_and_past_expiry_declines() {
    let p = Paytr::start().await;
    for (i, card) in ["4355084355084358", "5406675406675403", "9792030394440796"]
        .iter()
        .enumerate()
    {
        let oid = format!("OFF{i}");
        assert_eq!(
            p.pay(&p.payment(&oid, &[("card_number", card)])).await["status"],
            "success"
        );
    }
    assert_eq!(
        p.pay(&p.payment("OFFCVV", &[("cvv", "123")])).await["status"],
        "failed"
    );
    assert!(p
        .notification("OFFCVV")
        .field("failed_reason_msg")
        .unwrap()
        .contains("CVV"));
    assert_eq!(
        p.pay(&p.payment("OFFEXP", &[("expiry_year", "20")])).await["status"],
        "failed"
    );
    assert!(p
        .notification("OFFEXP")
        .field("failed_reason_msg")
        .unwrap()
        .contains("son kullanma"));
    // Any other Luhn-valid number approves; a Luhn-invalid one is declined by the bank.
    assert_eq!(
        p.pay(&p.payment("ANY1", &[("card_number", "4508034508034509")]))
            .await["status"],
        "success"
    );
    assert_eq!(
        p.pay(&p.payment("ANY2", &[("card_number", "4508034508034508")]))
            .await["status"],
        "failed"
    );
}

#[tokio::test]
async fn installments_on_a_card_without_them_decline_with_code_8() {
    let p = Paytr::start().await;
    let changes = [
        ("card_number", NO_INSTALLMENTS),
        ("installment_count", "3"),
        ("card_type", "bonus"),
    ];
    assert_eq!(
        p.pay(&p.payment("TAKSIT1", &changes)).await["status"],
        "failed"
    );
    assert_eq!(
        p.notification("TAKSIT1").field("failed_reason_code"),
        Some("8")
    );
    assert_eq!(
        p.pay(&p.payment("TAKSIT2", &[("card_number", NO_INSTALLMENTS)]))
            .await["status"],
        "success"
    );
    let official = [("installment_count", "6"), ("card_type", "axess")];
    assert_eq!(
        p.pay(&p.payment("TAKSIT3", &official)).await["status"],
        "success"
    );
    assert_eq!(
        p.notification("TAKSIT3").field("installment_count"),
        Some("6")
    );
}

#[tokio::test]
async fn three_d_only_card_needs_three_d_outside_it() {
    let p = Paytr::start().await;
    assert_eq!(
        p.pay(&p.payment("N3D1", &[("card_number", THREE_D_FAILS)]))
            .await["status"],
        "failed"
    );
    assert_eq!(
        p.notification("N3D1").field("failed_reason_code"),
        Some("10")
    );
}

#[tokio::test]
async fn non3d_test_failed_only_counts_in_test_mode() {
    let p = Paytr::start().await;
    assert_eq!(
        p.pay(&p.payment("T3DF1", &[("non3d_test_failed", "1")]))
            .await["status"],
        "failed"
    );
    assert_eq!(p.notification("T3DF1").field("status"), Some("failed"));
    let live = [("non3d_test_failed", "1"), ("test_mode", "0")];
    assert_eq!(p.pay(&p.payment("T3DF2", &live)).await["status"], "success");
    assert_eq!(p.notification("T3DF2").field("test_mode"), Some("0"));
}

#[tokio::test]
async fn slow_bank_answers_wait_callback_then_notifies_success() {
    let p = Paytr::start().await;
    let answer = p.pay(&p.payment("SLOW1", &[("card_number", SLOW)])).await;
    assert_eq!(answer["status"], "wait_callback");
    assert_eq!(p.sim.ledger().charges_for_order("SLOW1"), 0);
    assert_eq!(p.status("SLOW1").await["err_no"], "004");
    eventually("the slow charge", || {
        p.sim.ledger().charges_for_order("SLOW1") == 1
    })
    .await;
    assert_eq!(p.notification("SLOW1").field("status"), Some("success"));
    assert_eq!(p.status("SLOW1").await["status"], "success");
}

// ---------------------------------------------------------------- browser flows

#[tokio::test]
async fn non_3d_browser_flow_redirects_to_the_merchant() {
    let p = Paytr::start().await;
    let ok = p
        .post("/odeme", &p.payment("BRW1", &[("sync_mode", "0")]))
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "https://shop.example/ok");
    assert_eq!(p.sim.ledger().charges_for_order("BRW1"), 1);

    let fail = p
        .post(
            "/odeme",
            &p.payment("BRW2", &[("sync_mode", "0"), ("card_number", FRAUD)]),
        )
        .await;
    assert_eq!(fail.status(), 200);
    let page = fail.text().await.unwrap();
    assert!(page.contains("action=\"https://shop.example/fail\""));
    assert!(page.contains("name=\"fail_message\""));
    assert_eq!(
        p.notification("BRW2").field("failed_reason_code"),
        Some("11")
    );
}

async fn start_three_d(p: &Paytr, oid: &str, card: &str) -> String {
    let fields = p.payment(
        oid,
        &[("non_3d", "0"), ("sync_mode", "0"), ("card_number", card)],
    );
    let response = p.post("/odeme", &fields).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/odeme/3d/"), "{location}");
    // Nothing is decided before the customer passes the bank page.
    assert_eq!(p.sim.ledger().charges_for_order(oid), 0);
    assert!(p
        .sim
        .notifications_sent()
        .iter()
        .all(|n| n.merchant_oid != oid));
    location
}

#[tokio::test]
async fn three_d_success_redirects_to_ok_url_and_charges() {
    let p = Paytr::start().await;
    let bank = start_three_d(&p, "TDS1", OFFICIAL_VISA).await;
    let page = p.http.get(p.url(&bank)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("TDS1") && html.contains("name=\"result\" value=\"success\""));
    assert!(
        !html.contains(OFFICIAL_VISA),
        "the page never shows the full number"
    );

    let done = p
        .http
        .get(p.url(&format!("{bank}?result=success")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "https://shop.example/ok");
    assert_eq!(p.sim.ledger().charges_for_order("TDS1"), 1);
    assert_eq!(p.notification("TDS1").field("status"), Some("success"));
    // The page is gone once used.
    let again = p
        .http
        .get(p.url(&format!("{bank}?result=success")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(p.sim.ledger().charges_for_order("TDS1"), 1);
}

#[tokio::test]
async fn three_d_failure_and_cancel_post_fail_message_to_fail_url() {
    let p = Paytr::start().await;
    let bank = start_three_d(&p, "TDF1", OFFICIAL_VISA).await;
    let form: Fields = vec![("result".into(), "failure".into())];
    let done = p.post(&bank, &form).await;
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    assert!(html.contains("action=\"https://shop.example/fail\""));
    assert!(html.contains("Kimlik Doğrulama başarısız"));
    assert_eq!(
        p.notification("TDF1").field("failed_reason_code"),
        Some("2")
    );
    assert_eq!(p.sim.ledger().charges_for_order("TDF1"), 0);

    let bank = start_three_d(&p, "TDF2", OFFICIAL_VISA).await;
    let form: Fields = vec![("result".into(), "cancel".into())];
    assert_eq!(p.post(&bank, &form).await.status(), 200);
    assert_eq!(
        p.notification("TDF2").field("failed_reason_code"),
        Some("6")
    );

    // A card that fails 3-D Secure fails even when the customer "passes" the page.
    let bank = start_three_d(&p, "TDF3", THREE_D_FAILS).await;
    let done = p
        .http
        .get(p.url(&format!("{bank}?result=success")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(
        p.notification("TDF3").field("failed_reason_code"),
        Some("2")
    );

    // A bank decline after a passed page: insufficient funds.
    let bank = start_three_d(&p, "TDF4", INSUFFICIENT).await;
    p.http
        .get(p.url(&format!("{bank}?result=success")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        p.notification("TDF4").field("failed_reason_code"),
        Some("0")
    );

    let bad = p
        .http
        .get(p.url(&format!("{bank}?result=maybe")))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let unknown = p.http.get(p.url("/odeme/3d/nope")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}

// ---------------------------------------------------------------- card storage

#[tokio::test]
async fn store_list_pay_and_delete_cards() {
    let p = Paytr::start().await;
    let stored = p.pay(&p.payment("CARD1", &[("store_card", "1")])).await;
    assert_eq!(stored["status"], "success");
    let utoken = stored["utoken"].as_str().unwrap().to_owned();
    let first = stored["ctoken"].as_str().unwrap().to_owned();
    assert_eq!(
        p.notification("CARD1").field("utoken"),
        Some(utoken.as_str())
    );
    assert_eq!(
        p.sim
            .ledger()
            .for_order("CARD1", LedgerKind::CardStored)
            .len(),
        1
    );

    // A second card joins the same user when the utoken is sent.
    let second = p
        .pay(&p.payment(
            "CARD2",
            &[
                ("store_card", "1"),
                ("utoken", &utoken),
                ("card_number", NEEDS_CVV),
                ("cc_owner", "AYSE YILMAZ"),
            ],
        ))
        .await;
    assert_eq!(second["utoken"].as_str(), Some(utoken.as_str()));
    let second_ctoken = second["ctoken"].as_str().unwrap().to_owned();

    let cards = p.list(&utoken).await;
    let cards = cards.as_array().expect("an array with no status");
    assert_eq!(cards.len(), 2);
    assert_eq!(cards[0]["ctoken"], first.as_str());
    assert_eq!(cards[0]["last_4"], "4358");
    assert_eq!(cards[0]["require_cvv"], "0");
    assert_eq!(cards[0]["month"], "12");
    assert_eq!(cards[0]["year"], "30");
    assert_eq!(cards[0]["schema"], "VISA");
    assert_eq!(cards[0]["initial"], "4");
    assert_eq!(cards[0]["c_name"], "PAYTR TEST");
    for key in ["c_bank", "c_brand", "c_type", "businessCard"] {
        assert!(cards[0][key].is_string(), "{key}");
    }
    assert_eq!(cards[1]["require_cvv"], "1");
    assert_eq!(cards[1]["c_name"], "AYSE YILMAZ");

    // Paying with a stored card: sync, with CVV where the card demands it.
    let paid = p
        .pay(&p.stored_payment("CARD3", &utoken, &first, &[]))
        .await;
    assert_eq!(paid["status"], "success");
    assert_eq!(p.sim.ledger().charges_for_order("CARD3"), 1);
    let refused = p
        .pay(&p.stored_payment("CARD4", &utoken, &second_ctoken, &[]))
        .await;
    assert_eq!(refused["status"], "failed");
    assert!(refused["reason"].as_str().unwrap().contains("cvv"));
    let with_cvv = p
        .pay(&p.stored_payment("CARD5", &utoken, &second_ctoken, &[("cvv", "123")]))
        .await;
    assert_eq!(with_cvv["status"], "success");
    let unknown = p
        .pay(&p.stored_payment("CARD6", &utoken, "nope", &[]))
        .await;
    assert_eq!(unknown["status"], "failed");

    // Delete: ctoken first in the token.
    let c = p.creds();
    let swapped: Fields = vec![
        ("merchant_id".into(), c.merchant_id.clone()),
        ("utoken".into(), utoken.clone()),
        ("ctoken".into(), first.clone()),
        ("paytr_token".into(), token(c, &[&utoken, &first])),
    ];
    let answer = p.post_json("/odeme/capi/delete", &swapped).await;
    assert_eq!(answer["status"], "error");
    assert_eq!(answer["err_msg"], "paytr_token gonderilmedi veya gecersiz");
    assert_eq!(
        p.delete(&utoken, &first).await,
        serde_json::json!({"status":"success"})
    );
    let again = p.delete(&utoken, &first).await;
    assert_eq!(again["status"], "error");
    assert_eq!(again["err_msg"], "Kart yok veya daha önce silinmiş");
    assert_eq!(
        p.sim
            .ledger()
            .entries()
            .iter()
            .filter(|e| e.kind == LedgerKind::CardDeleted)
            .count(),
        1
    );
    assert_eq!(p.list(&utoken).await.as_array().unwrap().len(), 1);
    assert_eq!(p.delete(&utoken, &second_ctoken).await["status"], "success");
    assert_eq!(p.list(&utoken).await, serde_json::json!([]));
    assert_eq!(p.sim.stored_card_count(&utoken), 0);
}

#[tokio::test]
async fn card_list_refusals_and_unknown_users() {
    let p = Paytr::start().await;
    assert_eq!(p.list("unknownutoken").await, serde_json::json!({}));
    let c = p.creds();
    let bad: Fields = vec![
        ("merchant_id".into(), c.merchant_id.clone()),
        ("utoken".into(), "u".into()),
        ("paytr_token".into(), token(c, &[&c.merchant_id, "u"])),
    ];
    let answer = p.post_json("/odeme/capi/list", &bad).await;
    assert_eq!(answer["status"], "error");
    assert!(answer["err_msg"].is_string());
    let foreign: Fields = vec![
        ("merchant_id".into(), "1".into()),
        ("utoken".into(), "u".into()),
        ("paytr_token".into(), token(c, &["u"])),
    ];
    assert_eq!(
        p.post_json("/odeme/capi/list", &foreign).await["status"],
        "error"
    );
}

#[tokio::test]
async fn a_declined_payment_stores_no_card_and_an_unknown_utoken_is_refused() {
    let p = Paytr::start().await;
    let answer = p
        .pay(&p.payment(
            "NOCARD1",
            &[("store_card", "1"), ("card_number", INSUFFICIENT)],
        ))
        .await;
    assert_eq!(answer["status"], "failed");
    assert!(answer.get("utoken").is_none());
    assert!(p.notification("NOCARD1").field("utoken").is_none());
    assert!(p
        .sim
        .ledger()
        .for_order("NOCARD1", LedgerKind::CardStored)
        .is_empty());
    let answer = p
        .pay(&p.payment("NOCARD2", &[("store_card", "1"), ("utoken", "madeup")]))
        .await;
    assert_eq!(answer["status"], "failed");
    assert!(answer["reason"].as_str().unwrap().contains("utoken"));
}

// ---------------------------------------------------------------- recurring

async fn stored_card(p: &Paytr, oid: &str, card: &str) -> (String, String) {
    let answer = p
        .pay(&p.payment(oid, &[("store_card", "1"), ("card_number", card)]))
        .await;
    let utoken: String = answer["utoken"].as_str().unwrap().into();
    match answer["status"].as_str() {
        Some("success") => {}
        // The slow bank: the tokens come at once, the card is stored when the charge is.
        Some("wait_callback") => {
            eventually("the card", || p.sim.stored_card_count(&utoken) == 1).await
        }
        _ => panic!("{answer}"),
    }
    (utoken, answer["ctoken"].as_str().unwrap().into())
}

#[tokio::test]
async fn recurring_payments_answer_in_json_with_try_again() {
    let p = Paytr::start().await;
    let (utoken, ctoken) = stored_card(&p, "RECSEED", OFFICIAL_VISA).await;
    let recurring = [("recurring_payment", "1"), ("sync_mode", "")];
    let ok = p
        .pay(&p.stored_payment("REC1", &utoken, &ctoken, &recurring))
        .await;
    assert_eq!(ok["status"], "success");
    assert_eq!(ok["msg"], "Ödeme Başarılı.");
    assert_eq!(p.sim.ledger().charges_for_order("REC1"), 1);
    assert_eq!(p.notification("REC1").field("status"), Some("success"));

    // The doc's table calls the flag `recurring`; both spellings work.
    let ok = p
        .pay(&p.stored_payment(
            "REC2",
            &utoken,
            &ctoken,
            &[("recurring", "1"), ("sync_mode", "")],
        ))
        .await;
    assert_eq!(ok["status"], "success");

    // A card that needs its CVV when the customer pays needs none in a recurring payment:
    // nobody is there to give it (CAPI document, recurring section).
    let (cvv_user, cvv_card) = stored_card(&p, "RECSEED2", NEEDS_CVV).await;
    let no_cvv = p
        .pay(&p.stored_payment("REC4", &cvv_user, &cvv_card, &recurring))
        .await;
    assert_eq!(no_cvv["status"], "success", "{no_cvv}");
    assert_eq!(p.sim.ledger().charges_for_order("REC4"), 1);
    let customer_present = p
        .pay(&p.stored_payment("REC5", &cvv_user, &cvv_card, &[]))
        .await;
    assert_eq!(customer_present["status"], "failed");
    assert!(customer_present["reason"].as_str().unwrap().contains("cvv"));
    assert_eq!(p.sim.ledger().charges_for_order("REC5"), 0);

    // Recurring needs non_3d=1.
    let three_d = p
        .pay(&p.stored_payment(
            "REC3",
            &utoken,
            &ctoken,
            &[
                ("recurring_payment", "1"),
                ("non_3d", "0"),
                ("sync_mode", ""),
            ],
        ))
        .await;
    assert_eq!(three_d["status"], "failed");
    assert!(three_d.get("reason").is_some());
}

#[tokio::test]
async fn recurring_declines_say_whether_to_try_again() {
    let p = Paytr::start().await;
    let recurring = [("recurring_payment", "1"), ("sync_mode", "")];

    // Soft: the card stores fine, then the bank asks to retry later.
    let (utoken, ctoken) = stored_card(&p, "SOFTSEED", TRY_AGAIN).await;
    let soft = p
        .pay(&p.stored_payment("SOFT1", &utoken, &ctoken, &recurring))
        .await;
    assert_eq!(soft["status"], "failed");
    assert_eq!(soft["try_again"], true);
    assert!(soft["msg"]
        .as_str()
        .unwrap()
        .starts_with("Henüz devam eden bir işleminiz"));
    let n = p.notification("SOFT1");
    p.assert_signed(&n);
    assert_eq!(n.field("failed_reason_code"), Some("0"));
    assert_eq!(p.sim.ledger().charges_for_order("SOFT1"), 0);

    // Hard: the bank has closed the card since it was stored.
    let (utoken, ctoken) = stored_card(&p, "HARDSEED", CLOSED_LATER).await;
    let hard = p
        .pay(&p.stored_payment("HARD1", &utoken, &ctoken, &recurring))
        .await;
    assert_eq!(hard["status"], "failed");
    assert_eq!(hard["try_again"], false);
    assert!(hard["msg"].as_str().unwrap().contains("kapatılmış"));

    // Sync mode answers carry no try_again.
    let sync = p
        .pay(&p.stored_payment("SOFT2", &utoken, &ctoken, &[]))
        .await;
    assert_eq!(sync["status"], "failed");
    assert!(sync.get("try_again").is_none());

    // The slow bank: wait_callback, then the charge and the notification.
    let (utoken, ctoken) = stored_card(&p, "SLOWSEED", SLOW).await;
    let wait = p
        .pay(&p.stored_payment("REC9", &utoken, &ctoken, &recurring))
        .await;
    assert_eq!(wait["status"], "wait_callback");
    assert_eq!(wait["msg"], "Ödeme Kontrol Ediliyor, Bildirimi Bekleyin.");
    eventually("the slow recurring charge", || {
        p.sim.ledger().charges_for_order("REC9") == 1
    })
    .await;
    assert_eq!(p.notification("REC9").field("status"), Some("success"));
}

// ---------------------------------------------------------------- refunds and status

#[tokio::test]
async fn partial_and_full_refunds_with_err_no_codes() {
    let p = Paytr::start().await;
    assert_eq!(p.pay(&p.payment("REF1", &[])).await["status"], "success");

    let partial = p.refund("REF1", "10.00", Some("RET1")).await;
    assert_eq!(
        partial,
        serde_json::json!({"status":"success","is_test":1,"merchant_oid":"REF1","return_amount":"10.00","reference_no":"RET1"})
    );
    let over = p.refund("REF1", "91.00", None).await;
    assert_eq!(over["status"], "error");
    assert_eq!(over["err_no"], "009");
    let rest = p.refund("REF1", "90.99", None).await;
    assert_eq!(rest["status"], "success");
    assert!(rest.get("reference_no").is_none());
    assert_eq!(p.refund("REF1", "0.01", None).await["err_no"], "009");
    let refunds = p.sim.ledger().for_order("REF1", LedgerKind::Refund);
    let amounts: Vec<String> = refunds
        .iter()
        .map(|e| e.amount.unwrap().to_string())
        .collect();
    assert_eq!(amounts, ["10.00", "90.99"]);

    assert_eq!(p.refund("NOSUCH", "1.00", None).await["err_no"], "005");
    p.pay(&p.payment("REF2", &[("card_number", INSUFFICIENT)]))
        .await;
    assert_eq!(p.refund("REF2", "1.00", None).await["err_no"], "005");

    let c = p.creds();
    let base = |amount: &str, token_amount: &str, oid: &str| -> Fields {
        vec![
            ("merchant_id".into(), c.merchant_id.clone()),
            ("merchant_oid".into(), oid.into()),
            ("return_amount".into(), amount.into()),
            (
                "paytr_token".into(),
                token(c, &[&c.merchant_id, oid, token_amount]),
            ),
        ]
    };
    assert_eq!(
        p.post_json("/odeme/iade", &base("1.00", "2.00", "REF1"))
            .await["err_no"],
        "004"
    );
    assert_eq!(
        p.post_json("/odeme/iade", &base("1,00", "1,00", "REF1"))
            .await["err_no"],
        "003"
    );
    assert_eq!(
        p.post_json("/odeme/iade", &base("1.00", "1.00", "REF-1"))
            .await["err_no"],
        "002"
    );
    let mut foreign = base("1.00", "1.00", "REF1");
    set(&mut foreign, "merchant_id", "42");
    assert_eq!(p.post_json("/odeme/iade", &foreign).await["err_no"], "001");
    let err = p
        .post_json("/odeme/iade", &base("1.00", "2.00", "REF1"))
        .await;
    assert_eq!(err["err_msg"], "paytr_token gonderilmedi veya gecersiz");
    assert_eq!(
        p.sim.ledger().for_order("REF1", LedgerKind::Refund).len(),
        2
    );
}

#[tokio::test]
async fn status_query_shows_amounts_the_paytr_way_and_the_refunds() {
    let p = Paytr::start().await;
    p.pay(&p.payment(
        "STAT1",
        &[
            ("payment_amount", "10.80"),
            ("user_basket", "[[\"x\",\"10.80\",1]]"),
        ],
    ))
    .await;
    let status = p.status("STAT1").await;
    assert_eq!(status["status"], "success");
    assert_eq!(status["payment_amount"], "10,8");
    assert_eq!(status["payment_total"], "10,8");
    assert_eq!(status["currency"], "TL");
    assert_eq!(status["taksit"], "0");
    assert_eq!(status["masked_pan"], "435508AAA4358");
    assert_eq!(status["odeme_tipi"], "KART");
    assert_eq!(status["test_mode"], "1");
    assert_eq!(status["returns"], serde_json::json!([]));
    assert_eq!(status["payment_date"].as_str().unwrap().len(), 10);
    for key in ["kart_marka", "net_tutar", "kesinti_tutari"] {
        assert!(status[key].is_string(), "{key}");
    }

    p.refund("STAT1", "5.30", Some("IADE7")).await;
    let status = p.status("STAT1").await;
    let returns = status["returns"].as_array().unwrap();
    assert_eq!(returns.len(), 1);
    assert_eq!(returns[0]["return_amount"], "5,3");
    assert_eq!(returns[0]["reference_no"], "IADE7");

    let missing = p.status("NOSUCH").await;
    assert_eq!(missing["status"], "error");
    assert_eq!(missing["err_no"], "004");
    p.pay(&p.payment("STAT2", &[("card_number", FRAUD)])).await;
    assert_eq!(p.status("STAT2").await["err_no"], "004");

    let c = p.creds();
    let bad: Fields = vec![
        ("merchant_id".into(), c.merchant_id.clone()),
        ("merchant_oid".into(), "STAT1".into()),
        ("paytr_token".into(), token(c, &["STAT1", &c.merchant_id])),
    ];
    let refused = p.post_json("/odeme/durum-sorgu", &bad).await;
    assert_eq!(refused["status"], "error");
    assert_eq!(refused["err_no"], "003");
    let mut foreign = bad.clone();
    set(&mut foreign, "merchant_id", "7");
    assert_eq!(
        p.post_json("/odeme/durum-sorgu", &foreign).await["err_no"],
        "001"
    );
}

// ---------------------------------------------------------------- notification delivery

#[tokio::test]
async fn notifications_retry_until_ok_and_refunds_wait_for_the_ack() {
    let p = Paytr::start().await;
    let (receiver, url, server) = Receiver::start(3).await;
    p.sim.set_notification_url(&url).unwrap();
    p.sim.set_notification_retry(Duration::from_millis(150), 50);

    assert_eq!(
        p.pay(&p.payment("ACK1", &[("store_card", "1")])).await["status"],
        "success"
    );
    // Refused attempts so far: the order is not yet notified, so no refund.
    let early = p.refund("ACK1", "1.00", None).await;
    assert_eq!(early["err_no"], "007", "{early}");
    assert!(!p.sim.notification_acknowledged("ACK1"));

    eventually("the acknowledgement", || {
        p.sim.notification_acknowledged("ACK1")
    })
    .await;
    assert_eq!(receiver.count(), 4);
    let n = p.notification("ACK1");
    assert_eq!(n.attempts, 4);
    assert!(n.acknowledged);
    // Every attempt carried the same signed form.
    let forms = receiver.forms.lock().unwrap().clone();
    assert!(forms.windows(2).all(|w| w[0] == w[1]));
    let form = &forms[0];
    assert_eq!(form["merchant_oid"], "ACK1");
    assert_eq!(form["total_amount"], "10099");
    assert_eq!(form["hash"], n.field("hash").unwrap());
    assert!(form["utoken"].len() >= 16);
    assert_eq!(p.refund("ACK1", "1.00", None).await["status"], "success");
    server.abort();
}

#[tokio::test]
async fn notification_delivery_gives_up_after_the_bounded_attempts() {
    let p = Paytr::start().await;
    let (receiver, url, server) = Receiver::start(usize::MAX).await;
    p.sim.set_notification_url(&url).unwrap();
    p.sim.set_notification_retry(Duration::from_millis(10), 3);
    p.pay(&p.payment("GIVEUP1", &[])).await;
    eventually("three attempts", || p.notification("GIVEUP1").attempts == 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(receiver.count(), 3);
    assert!(!p.sim.notification_acknowledged("GIVEUP1"));
    assert_eq!(p.refund("GIVEUP1", "1.00", None).await["err_no"], "007");
    server.abort();
}

#[tokio::test]
async fn failed_payments_are_notified_too() {
    let p = Paytr::start().await;
    let (receiver, url, server) = Receiver::start(0).await;
    p.sim.set_notification_url(&url).unwrap();
    p.pay(&p.payment("FAILN1", &[("card_number", INSUFFICIENT)]))
        .await;
    eventually("the failure notification", || receiver.count() == 1).await;
    let form = receiver.forms.lock().unwrap()[0].clone();
    assert_eq!(form["status"], "failed");
    assert_eq!(form["total_amount"], "0");
    assert_eq!(form["failed_reason_code"], "0");
    assert!(form["failed_reason_msg"].contains("yetersiz"));
    server.abort();
}

#[tokio::test]
async fn notification_urls_must_be_loopback() {
    let p = Paytr::start().await;
    assert!(p
        .sim
        .set_notification_url("https://www.paytr.com/notify")
        .is_err());
    assert!(p
        .sim
        .set_notification_url("http://192.168.1.10/notify")
        .is_err());
    assert!(p
        .sim
        .set_notification_url("http://127.0.0.1:9/notify")
        .is_ok());
    p.sim.clear_notification_url();
    assert_eq!(p.sim.notification_settings().url, None);
}

// ---------------------------------------------------------------- faults

#[tokio::test]
async fn a_dropped_answer_after_the_charge_is_reconciled_by_status_query() {
    let p = Paytr::start().await;
    p.sim
        .faults()
        .inject_on("/odeme", Fault::DropAfterProcessing);
    let sent = p
        .http
        .post(p.url("/odeme"))
        .form(&p.payment("DROP1", &[]))
        .send()
        .await;
    let outcome = match sent {
        Ok(response) => response.text().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "the client must not get an answer");
    assert_eq!(p.sim.ledger().charges_for_order("DROP1"), 1);
    assert_eq!(p.status("DROP1").await["status"], "success");
    // Retrying with the same merchant_oid cannot charge twice.
    assert_eq!(p.pay(&p.payment("DROP1", &[])).await["status"], "failed");
    assert_eq!(p.sim.ledger().charges_for_order("DROP1"), 1);
}

#[tokio::test]
async fn an_html_gateway_error_before_processing_charges_nothing() {
    let p = Paytr::start().await;
    p.sim
        .faults()
        .inject_on("/odeme", Fault::HtmlServerError(502));
    let response = p.post("/odeme", &p.payment("HTML1", &[])).await;
    assert_eq!(response.status(), 502);
    assert!(response.text().await.unwrap().contains("<html>"));
    assert_eq!(p.sim.ledger().charges_for_order("HTML1"), 0);
    assert_eq!(p.status("HTML1").await["err_no"], "004");
    assert_eq!(p.pay(&p.payment("HTML1", &[])).await["status"], "success");
}

#[tokio::test]
async fn three_d_payments_store_cards_and_pay_with_them() {
    let p = Paytr::start().await;
    let fields = p.payment(
        "TDST1",
        &[("non_3d", "0"), ("sync_mode", "0"), ("store_card", "1")],
    );
    let bank = p.post("/odeme", &fields).await.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let done = p
        .http
        .get(p.url(&format!("{bank}?result=success")))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let n = p.notification("TDST1");
    let utoken = n
        .field("utoken")
        .expect("utoken in the notification")
        .to_owned();
    let cards = p.list(&utoken).await;
    let ctoken = cards[0]["ctoken"].as_str().unwrap().to_owned();

    // The stored card through 3-D Secure again: no card fields, the bank page decides.
    let mut stored = p.stored_payment(
        "TDST2",
        &utoken,
        &ctoken,
        &[("non_3d", "0"), ("sync_mode", "0")],
    );
    stored.retain(|(k, _)| k != "store_card");
    let response = p.post("/odeme", &stored).await;
    assert_eq!(response.status(), 303);
    let bank = response.headers()["location"].to_str().unwrap().to_owned();
    let form: Fields = vec![("result".into(), "success".into())];
    assert_eq!(p.post(&bank, &form).await.status(), 303);
    assert_eq!(p.sim.ledger().charges_for_order("TDST2"), 1);
    assert_eq!(p.notification("TDST2").field("status"), Some("success"));
    assert_eq!(p.status("TDST2").await["masked_pan"], "435508AAA4358");
    // Paying with a stored card stores nothing new.
    assert_eq!(p.sim.stored_card_count(&utoken), 1);
}

// ---------------------------------------------------------------- BIN lookup and installment rates

const WORLD_CONSUMER: &str = "4543600000000003";
const BUSINESS: &str = "5528790000000008";

impl Paytr {
    fn bin_fields(&self, bin: &str) -> Fields {
        let mid = self.creds().merchant_id.clone();
        vec![
            ("merchant_id".into(), mid.clone()),
            ("bin_number".into(), bin.into()),
            ("paytr_token".into(), token(self.creds(), &[bin, &mid])),
        ]
    }

    async fn bin_detail(&self, bin: &str) -> Value {
        self.post_json("/odeme/api/bin-detail", &self.bin_fields(bin))
            .await
    }

    fn rates_fields(&self, request_id: &str) -> Fields {
        let mid = self.creds().merchant_id.clone();
        vec![
            ("merchant_id".into(), mid.clone()),
            ("request_id".into(), request_id.into()),
            (
                "paytr_token".into(),
                token(self.creds(), &[&mid, request_id]),
            ),
        ]
    }

    /// The rates answer as raw text, so the exact digits can be checked.
    async fn rates_text(&self, fields: &Fields) -> String {
        let response = self.post("/odeme/taksit-oranlari", fields).await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        response.text().await.unwrap()
    }
}

#[tokio::test]
async fn bin_detail_answers_for_every_test_card_bin() {
    let p = Paytr::start().await;
    assert_eq!(
        p.bin_detail("435508").await,
        serde_json::json!({"status":"success","cardType":"credit","businessCard":"n",
            "bank":"Akbank","brand":"axess","schema":"VISA"})
    );
    assert_eq!(
        p.bin_detail("540667").await,
        serde_json::json!({"status":"success","cardType":"credit","businessCard":"n",
            "bank":"Garanti BBVA","brand":"bonus","schema":"MASTERCARD"})
    );
    assert_eq!(
        p.bin_detail("979203").await,
        serde_json::json!({"status":"success","cardType":"debit","businessCard":"n",
            "bank":"Halkbank","brand":"none","schema":"TROY"})
    );
    assert_eq!(
        p.bin_detail("454360").await,
        serde_json::json!({"status":"success","cardType":"credit","businessCard":"n",
            "bank":"Yapı Kredi","brand":"world","schema":"VISA"})
    );
    assert_eq!(
        p.bin_detail("552879").await,
        serde_json::json!({"status":"success","cardType":"credit","businessCard":"y",
            "bank":"Yapı Kredi","brand":"world","schema":"MASTERCARD"})
    );
    // Eight digits work too, and every designated card shares the official VISA's BIN.
    assert_eq!(p.bin_detail("43550843").await, p.bin_detail("435508").await);
    assert_eq!(p.bin_detail(&INSUFFICIENT[..8]).await["brand"], "axess");
}

#[tokio::test]
async fn bin_detail_agrees_with_the_card_list_and_the_status_query() {
    let p = Paytr::start().await;
    let cards = [
        OFFICIAL_VISA,
        "5406675406675403",
        "9792030394440796",
        WORLD_CONSUMER,
        BUSINESS,
    ];
    let mut utoken = String::new();
    for (i, card) in cards.iter().enumerate() {
        let oid = format!("BINCARD{i}");
        let mut changes = vec![("store_card", "1"), ("card_number", *card)];
        if !utoken.is_empty() {
            changes.push(("utoken", &utoken));
        }
        let answer = p.pay(&p.payment(&oid, &changes)).await;
        assert_eq!(answer["status"], "success", "{card}: {answer}");
        utoken = answer["utoken"].as_str().unwrap().to_owned();
    }
    let listed = p.list(&utoken).await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), cards.len());
    for (i, (card, entry)) in cards.iter().zip(listed).enumerate() {
        let detail = p.bin_detail(&card[..6]).await;
        assert_eq!(detail["status"], "success");
        assert_eq!(entry["c_bank"], detail["bank"], "{card}");
        assert_eq!(entry["c_brand"], detail["brand"], "{card}");
        assert_eq!(entry["c_type"], detail["cardType"], "{card}");
        assert_eq!(entry["businessCard"], detail["businessCard"], "{card}");
        assert_eq!(entry["schema"], detail["schema"], "{card}");
        let marka = p.status(&format!("BINCARD{i}")).await["kart_marka"].clone();
        // A card in no program is named by its scheme; the others by their program.
        let expected = match detail["brand"].as_str().unwrap() {
            "none" => detail["schema"].as_str().unwrap().to_owned(),
            brand => brand.to_uppercase(),
        };
        assert_eq!(marka, expected.as_str(), "{card}");
    }
}

#[tokio::test]
async fn bin_detail_unknown_bin_fails_and_refusals_are_errors() {
    let p = Paytr::start().await;
    // A Luhn-valid card the simulator approves, but whose BIN it does not know.
    assert_eq!(
        p.bin_detail("450803").await,
        serde_json::json!({"status":"failed"})
    );
    assert_eq!(
        p.bin_detail("45080345").await,
        serde_json::json!({"status":"failed"})
    );

    let c = p.creds();
    let refused = |answer: &Value, text: &str| {
        assert_eq!(answer["status"], "error", "{answer}");
        assert!(
            answer["err_msg"].as_str().unwrap().contains(text),
            "{answer}"
        );
    };
    // Bad token: the fields in the wrong order, the wrong key, or none at all.
    let mut swapped = p.bin_fields("435508");
    set(
        &mut swapped,
        "paytr_token",
        &token(c, &[&c.merchant_id, "435508"]),
    );
    let answer = p.post_json("/odeme/api/bin-detail", &swapped).await;
    refused(&answer, "paytr_token");
    let mut wrong_key = p.bin_fields("435508");
    set(
        &mut wrong_key,
        "paytr_token",
        &sign(
            "another key",
            &format!("435508{}{}", c.merchant_id, c.merchant_salt),
        ),
    );
    refused(
        &p.post_json("/odeme/api/bin-detail", &wrong_key).await,
        "paytr_token",
    );
    let mut no_token = p.bin_fields("435508");
    no_token.retain(|(k, _)| k != "paytr_token");
    refused(
        &p.post_json("/odeme/api/bin-detail", &no_token).await,
        "paytr_token",
    );
    // A foreign store, even with a token that matches its id.
    let foreign: Fields = vec![
        ("merchant_id".into(), "999".into()),
        ("bin_number".into(), "435508".into()),
        ("paytr_token".into(), token(c, &["435508", "999"])),
    ];
    refused(
        &p.post_json("/odeme/api/bin-detail", &foreign).await,
        "magaza",
    );
    // Missing fields name themselves.
    let mut no_bin = p.bin_fields("");
    no_bin.retain(|(k, _)| k != "bin_number");
    refused(
        &p.post_json("/odeme/api/bin-detail", &no_bin).await,
        "bin_number",
    );
    let mut no_merchant = p.bin_fields("435508");
    no_merchant.retain(|(k, _)| k != "merchant_id");
    refused(
        &p.post_json("/odeme/api/bin-detail", &no_merchant).await,
        "merchant_id",
    );
    // A whole card number is not a BIN, and the answer does not repeat it.
    let answer = p.bin_detail(OFFICIAL_VISA).await;
    refused(&answer, "bin_number");
    assert!(!answer.to_string().contains(OFFICIAL_VISA));
    refused(&p.bin_detail("4355a8").await, "bin_number");
    // A JSON body carries no form fields.
    let json_body = p
        .http
        .post(p.url("/odeme/api/bin-detail"))
        .json(&serde_json::json!({"merchant_id": c.merchant_id, "bin_number": "435508"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(json_body["status"], "error");
}

#[tokio::test]
async fn installment_rates_are_exact_per_program() {
    let p = Paytr::start().await;
    let text = p.rates_text(&p.rates_fields("1764000000123")).await;
    // Exact digits, as JSON numbers.
    assert!(
        text.contains(r#""world":{"taksit_2":2.06,"taksit_3":3.12,"#),
        "{text}"
    );
    assert!(text.contains(r#""taksit_12":11.5}"#), "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["status"], "success");
    assert_eq!(answer["request_id"], "1764000000123");
    assert_eq!(answer["max_inst_non_bus"], 9);
    let oranlar = answer["oranlar"].as_object().unwrap();
    let mut brands: Vec<&str> = oranlar.keys().map(String::as_str).collect();
    brands.sort_unstable();
    assert_eq!(
        brands,
        [
            "advantage",
            "axess",
            "bonus",
            "cardfinans",
            "combo",
            "maximum",
            "paraf",
            "saglamkart",
            "world"
        ]
    );
    let counts = |brand: &str| -> Vec<u32> {
        let mut n: Vec<u32> = oranlar[brand]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.strip_prefix("taksit_").unwrap().parse().unwrap())
            .collect();
        n.sort_unstable();
        n
    };
    assert_eq!(counts("world"), (2..=12).collect::<Vec<_>>());
    assert_eq!(counts("bonus"), (2..=9).collect::<Vec<_>>());
    assert!(oranlar["bonus"].get("taksit_10").is_none());
    assert!(oranlar.get("none").is_none());
    // Every program's rate rises with the count.
    for brand in &brands {
        let rates: Vec<rust_decimal::Decimal> = counts(brand)
            .iter()
            .map(|n| {
                let raw = oranlar[*brand][format!("taksit_{n}")].to_string();
                raw.parse().unwrap()
            })
            .collect();
        assert!(rates.windows(2).all(|w| w[0] < w[1]), "{brand}");
    }

    // The other spelling: strings, with the same digits.
    p.sim.set_installment_rates_as_strings(true);
    let text = p.rates_text(&p.rates_fields("R2")).await;
    assert!(
        text.contains(r#""world":{"taksit_2":"2.06","taksit_3":"3.12","#),
        "{text}"
    );
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["oranlar"]["bonus"]["taksit_9"], "8.99");
    assert_eq!(answer["request_id"], "R2");
}

#[tokio::test]
async fn installment_rate_refusals() {
    let p = Paytr::start().await;
    let c = p.creds();
    let refused = |answer: Value, text: &str| {
        assert_eq!(answer["status"], "error", "{answer}");
        assert!(
            answer["err_msg"].as_str().unwrap().contains(text),
            "{answer}"
        );
        assert!(answer.get("oranlar").is_none());
    };
    let mut swapped = p.rates_fields("R1");
    set(
        &mut swapped,
        "paytr_token",
        &token(c, &["R1", &c.merchant_id]),
    );
    refused(
        p.post_json("/odeme/taksit-oranlari", &swapped).await,
        "paytr_token",
    );
    let mut no_token = p.rates_fields("R1");
    no_token.retain(|(k, _)| k != "paytr_token");
    refused(
        p.post_json("/odeme/taksit-oranlari", &no_token).await,
        "paytr_token",
    );
    let mut no_request_id = p.rates_fields("");
    no_request_id.retain(|(k, _)| k != "request_id");
    refused(
        p.post_json("/odeme/taksit-oranlari", &no_request_id).await,
        "request_id",
    );
    let foreign: Fields = vec![
        ("merchant_id".into(), "999".into()),
        ("request_id".into(), "R1".into()),
        ("paytr_token".into(), token(c, &["999", "R1"])),
    ];
    refused(
        p.post_json("/odeme/taksit-oranlari", &foreign).await,
        "magaza",
    );
    let long = "9".repeat(65);
    refused(
        p.post_json("/odeme/taksit-oranlari", &p.rates_fields(&long))
            .await,
        "request_id",
    );
}
