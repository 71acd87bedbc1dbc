//! Huge amounts in PayTR's money fields answer PayTR's `failed` field error instead of
//! dropping the connection, and nothing is charged for them.

use std::collections::BTreeSet;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use odeme_sandbox::paytr::{PaytrCredentials, PaytrSimulator};
use odeme_sandbox::{LedgerKind, Simulator};
use rust_decimal::Decimal;
use serde_json::Value;
use sha2::Sha256;

const OFFICIAL_VISA: &str = "4355084355084358";
const HUGE: [&str; 6] = [
    "1e27",
    "5e28",
    "79228162514264337593543950335",
    "1000000000000.00",
    "100.999999999999",
    "99999999999999999999999999999999",
];
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
}

/// An amount as the status query writes it (`"100,99"`, `"150"`) as an exact decimal.
fn status_amount(value: &Value) -> Decimal {
    value
        .as_str()
        .and_then(|text| Decimal::from_str(&text.replace(',', ".")).ok())
        .unwrap_or_else(|| panic!("not an amount: {value}"))
}

/// Reads back every order the simulator stored (each through the status query) and
/// checks it against the ledger: an order charged once is found as paid with the charged
/// amount and exactly the refunds the ledger holds; an order never charged (declined,
/// abandoned) is not found as paid; and every ledger entry belongs to a stored order.
/// Returns how many orders are stored.
async fn assert_store_matches_ledger(p: &Paytr) -> usize {
    let oids = p.sim.order_ids();
    let ledger = p.sim.ledger().entries();
    let money_kinds = [
        LedgerKind::Charge,
        LedgerKind::PreAuthorization,
        LedgerKind::Capture,
        LedgerKind::Cancel,
        LedgerKind::Refund,
        LedgerKind::Decline,
    ];
    for oid in &oids {
        let entries = |kind: LedgerKind| -> Vec<Decimal> {
            ledger
                .iter()
                .filter(|e| e.order_id.as_deref() == Some(oid.as_str()) && e.kind == kind)
                .map(|e| e.amount.unwrap_or_default())
                .collect()
        };
        let charges = entries(LedgerKind::Charge);
        let answer = p.status(oid).await;
        if charges.is_empty() {
            assert_eq!(
                answer["status"], "error",
                "uncharged {oid} reads as paid: {answer}"
            );
            assert!(entries(LedgerKind::Refund).is_empty(), "{oid}");
            continue;
        }
        assert_eq!(charges.len(), 1, "{oid} charged more than once");
        assert_eq!(answer["status"], "success", "{oid}: {answer}");
        assert_eq!(
            status_amount(&answer["payment_amount"]),
            charges[0],
            "{answer}"
        );
        let returned: Decimal = answer["returns"]
            .as_array()
            .map(|r| r.iter().map(|r| status_amount(&r["return_amount"])).sum())
            .unwrap_or_default();
        let refunded: Decimal = entries(LedgerKind::Refund).into_iter().sum();
        assert_eq!(returned, refunded, "{oid}: {answer}");
        assert!(refunded <= charges[0], "{oid} refunded {refunded}");
    }
    let stored: BTreeSet<&str> = oids.iter().map(String::as_str).collect();
    for entry in ledger.iter().filter(|e| money_kinds.contains(&e.kind)) {
        assert!(
            entry
                .order_id
                .as_deref()
                .is_some_and(|o| stored.contains(o)),
            "a ledger entry without a stored order: {entry:?}"
        );
    }
    oids.len()
}

#[tokio::test]
async fn huge_payment_amounts_are_field_errors_and_charge_nothing() {
    let p = Paytr::start().await;
    for (i, huge) in HUGE.iter().enumerate() {
        let oid = format!("HUGE{i}");
        let basket = format!("[[\"Kitap\",\"{huge}\",1]]");
        for changes in [
            vec![("payment_amount", *huge)],
            vec![("payment_amount", *huge), ("user_basket", basket.as_str())],
        ] {
            let answer = p.pay(&p.payment(&oid, &changes)).await;
            assert_eq!(answer["status"], "failed", "{huge}: {answer}");
            assert!(
                answer["reason"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with("payment_amount"),
                "{huge}: {answer}"
            );
        }
    }
    assert!(p.sim.ledger().is_empty(), "a refused payment was charged");
    assert_eq!(assert_store_matches_ledger(&p).await, 0);
    // A normal payment after the hostile ones is stored whole and charged once.
    let paid = p.pay(&p.payment("AFTER1", &[])).await;
    assert_eq!(paid["status"], "success", "{paid}");
    assert_eq!(assert_store_matches_ledger(&p).await, 1);
}

#[tokio::test]
async fn huge_refund_amounts_are_refused_and_the_payment_stays_whole() {
    let p = Paytr::start().await;
    let paid = p.pay(&p.payment("PAID1", &[])).await;
    assert_eq!(paid["status"], "success", "{paid}");
    let part = p.refund("PAID1", "10.00", None).await;
    assert_eq!(part["status"], "success", "{part}");
    for huge in HUGE {
        let answer = p.refund("PAID1", huge, None).await;
        assert_eq!(answer["status"], "error", "{huge}: {answer}");
    }
    assert_eq!(
        p.sim.ledger().for_order("PAID1", LedgerKind::Charge).len(),
        1
    );
    assert_eq!(
        p.sim.ledger().for_order("PAID1", LedgerKind::Refund).len(),
        1
    );
    assert_eq!(assert_store_matches_ledger(&p).await, 1);
}
