//! Every Paytrek command of the binary against the in-process Paytrek simulator.
#![cfg(feature = "paytrek")]

mod common;

use common::{order_id, paytrek_flags, with, CUSTOMER};
use odeme_sandbox::{Fault, Sandbox, Simulator};

const DOCUMENTED_CARD: &str = "4508034508034509\n000\n";
/// The document's Akbank card: enrolled in 3-D Secure (İşbank's is not).
const ENROLLED_CARD: &str = "4355084355084358\n000\n";
const INSUFFICIENT_FUNDS_CARD: &str = "4000000000009995\n000\n";

fn charge_args(amount: &str) -> Vec<String> {
    [
        "charge", "--amount", amount, "--expiry", "12/30", "--holder", "Jane Doe",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn pre_authorize_capture_refund_and_cancel() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytrek_flags(&sandbox);
    let order = order_id("PTK");
    let auth = with(&flags)
        .args(&["--json"])
        .args(&strs(&charge_args("80.00")))
        .args(&["--pre-authorize", "--order-id", &order])
        .args(CUSTOMER)
        .stdin(DOCUMENTED_CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(auth["status"], "authorized");
    assert_eq!(auth["captured"]["amount"], "0.00");
    let sale = auth["id"].as_str().unwrap().to_owned();

    let captured = with(&flags)
        .args(&["capture", "--payment-id", &sale])
        .run()
        .await
        .expect_code(0);
    assert!(
        captured.stdout.starts_with("payment succeeded\n"),
        "{}",
        captured.stdout
    );
    assert_eq!(captured.row("captured").as_deref(), Some("80.00 TRY"));

    let refund = with(&flags)
        .args(&["refund", "--payment-id", &sale, "--amount", "30"])
        .run()
        .await
        .expect_code(0);
    assert_eq!(
        refund.row("amount").as_deref(),
        Some("30.00 TRY"),
        "{}",
        refund.stdout
    );

    let by_ref = with(&flags)
        .args(&["--json", "status", "--payment-id", &sale])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(by_ref["order_id"], order.as_str());
    assert_eq!(by_ref["refunded"]["amount"], "30.00");
    let by_order = with(&flags)
        .args(&["--json", "status", "--order-id", &order])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(by_order["id"], sale.as_str());

    let second = with(&flags)
        .args(&["--json"])
        .args(&strs(&charge_args("12.00")))
        .args(&["--pre-authorize", "--order-id", &order_id("PTK")])
        .args(CUSTOMER)
        .stdin(DOCUMENTED_CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    let cancel = with(&flags)
        .args(&[
            "cancel",
            "--payment-id",
            second["id"].as_str().unwrap(),
            "--reason",
            "customer asked",
        ])
        .run()
        .await
        .expect_code(0);
    assert!(
        cancel.stdout.starts_with("payment cancelled\n"),
        "{}",
        cancel.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn decline_and_unknown_outcome() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytrek_flags(&sandbox);
    let declined = with(&flags)
        .args(&strs(&charge_args("10.00")))
        .args(&["--order-id", &order_id("PTKD")])
        .args(CUSTOMER)
        .stdin(INSUFFICIENT_FUNDS_CARD)
        .run()
        .await
        .expect_code(3);
    assert!(
        declined
            .row("reason")
            .unwrap()
            .starts_with("insufficient_funds"),
        "{}",
        declined.stdout
    );
    assert_eq!(declined.row("provider code").as_deref(), Some("10020"));

    let order = order_id("PTKU");
    sandbox.paytrek.faults().inject(Fault::DropAfterProcessing);
    let unknown = with(&flags)
        .args(&strs(&charge_args("10.00")))
        .args(&["--order-id", &order])
        .args(CUSTOMER)
        .stdin(DOCUMENTED_CARD)
        .run()
        .await
        .expect_code(4);
    assert!(
        unknown.stderr.contains("unknown outcome"),
        "{}",
        unknown.stderr
    );
    let status = with(&flags)
        .args(&["--json", "status", "--order-id", &order])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(status["status"], "succeeded", "{status}");

    // A charge answered with a status word nobody documented is an unknown outcome (exit
    // 4 with the lookup that reconciles it), never a payment the script ships goods on.
    let order = order_id("PTKW");
    sandbox
        .paytrek
        .faults()
        .inject(Fault::UndocumentedStatus("Under Review By Bank".into()));
    let undocumented = with(&flags)
        .args(&strs(&charge_args("10.00")))
        .args(&["--order-id", &order])
        .args(CUSTOMER)
        .stdin(DOCUMENTED_CARD)
        .run()
        .await
        .expect_code(4);
    assert!(
        undocumented.stderr.contains("Under Review By Bank")
            && undocumented
                .stderr
                .contains(&format!("status --order-id {order}")),
        "{}",
        undocumented.stderr
    );
    // A read may report the word, but the CLI does not exit 0 on it.
    let sale = status["id"].as_str().unwrap().to_owned();
    sandbox
        .paytrek
        .faults()
        .inject(Fault::UndocumentedStatus("Under Review By Bank".into()));
    let unknown_read = with(&flags)
        .args(&["status", "--payment-id", &sale])
        .run()
        .await
        .expect_code(4);
    assert!(
        unknown_read.stderr.contains("not a success"),
        "{}",
        unknown_read.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cards_stored_charges_recurring_and_installments() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytrek_flags(&sandbox);
    let stored = with(&flags)
        .args(&[
            "--json",
            "card",
            "store",
            "--expiry",
            "12/30",
            "--holder",
            "Jane Doe",
            "--email",
            "jane@example.com",
        ])
        .args(&["--label", "work"])
        .env("ODEME_CARD_NUMBER", "4508034508034509")
        .env("ODEME_CARD_CVC", "000")
        .run()
        .await
        .expect_code(0)
        .json();
    let customer = stored["reference"]["customer_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let card = stored["reference"]["card_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(stored["summary"]["last4"], "4509");

    let list = with(&flags)
        .args(&["--json", "card", "list", "--customer-token", &customer])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(
        list["cards"][0]["reference"]["card_token"],
        card.as_str(),
        "{list}"
    );

    let names = ["--first-name", "Jane", "--last-name", "Doe"];
    let charged = with(&flags)
        .args(&[
            "charge-stored",
            "--customer-token",
            &customer,
            "--card-token",
            &card,
            "--amount",
            "20.00",
        ])
        .args(&names)
        .args(CUSTOMER)
        .run()
        .await
        .expect_code(0);
    assert!(
        charged.stdout.starts_with("payment succeeded\n"),
        "{}",
        charged.stdout
    );

    let recurring = with(&flags)
        .args(&[
            "recurring",
            "charge",
            "--customer-token",
            &customer,
            "--card-token",
            &card,
            "--amount",
            "9.99",
        ])
        .args(&names)
        .args(CUSTOMER)
        .run()
        .await
        .expect_code(0);
    assert_eq!(
        recurring.row("amount").as_deref(),
        Some("9.99 TRY"),
        "{}",
        recurring.stdout
    );

    with(&flags)
        .args(&[
            "card",
            "delete",
            "--customer-token",
            &customer,
            "--card-token",
            &card,
        ])
        .run()
        .await
        .expect_code(0);
    let empty = with(&flags)
        .args(&["card", "list", "--customer-token", &customer])
        .run()
        .await
        .expect_code(0);
    assert!(
        empty.stdout.starts_with("0 stored card(s)"),
        "{}",
        empty.stdout
    );

    let options = with(&flags)
        .args(&[
            "--json",
            "installments",
            "--bin",
            "450803",
            "--amount",
            "100",
        ])
        .run()
        .await
        .expect_code(0)
        .json();
    let counts: Vec<u64> = options["banks"][0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["count"].as_u64())
        .collect();
    assert!(counts.contains(&1) && counts.len() > 1, "{options}");
    let bad_bin = with(&flags)
        .args(&["installments", "--bin", "45", "--amount", "100"])
        .run()
        .await
        .expect_code(2);
    assert!(bad_bin.stderr.contains("`bin`"), "{}", bad_bin.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn plans_create_get_cancel() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytrek_flags(&sandbox);
    let created = with(&flags)
        .args(&[
            "--json",
            "recurring",
            "plan",
            "create",
            "--name",
            "Gold",
            "--period",
            "monthly",
            "--amount",
            "50",
        ])
        .args(&[
            "--expiry",
            "12/30",
            "--holder",
            "Jane Doe",
            "--order-id",
            &order_id("PTKP"),
        ])
        .args(CUSTOMER)
        .stdin(DOCUMENTED_CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(created["active"], true);
    assert_eq!(created["first_payment"]["status"], "succeeded");
    let plan = created["id"].as_str().unwrap().to_owned();

    let fetched = with(&flags)
        .args(&["recurring", "plan", "get", "--plan-id", &plan])
        .run()
        .await
        .expect_code(0);
    assert!(
        fetched.stdout.starts_with("plan active\n"),
        "{}",
        fetched.stdout
    );
    assert_eq!(fetched.row("name").as_deref(), Some("Gold"));

    let cancelled = with(&flags)
        .args(&["--json", "recurring", "plan", "cancel", "--plan-id", &plan])
        .run()
        .await
        .expect_code(0)
        .json();
    let subscriptions = cancelled["subscriptions"].as_array().unwrap();
    assert!(
        !subscriptions.is_empty() && subscriptions.iter().all(|s| s["cancelled"] == true),
        "{cancelled}"
    );
}

/// Passes or fails the simulated bank page and returns the query the browser brings back.
async fn bank_page(forward_url: &str, result: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .get(format!("{forward_url}?result={result}"))
        .send()
        .await
        .unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    location.split_once('?').unwrap().1.to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_ds_completed_or_declined() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytrek_flags(&sandbox);
    for (result, code, status) in [("success", 0, "succeeded"), ("failure", 3, "declined")] {
        let order = order_id("PTK3");
        let started = with(&flags)
            .args(&["--json"])
            .args(&strs(&charge_args("45.00")))
            .args(&[
                "--order-id",
                &order,
                "--three-ds-return-url",
                "https://shop.example/back",
            ])
            .args(CUSTOMER)
            .stdin(ENROLLED_CARD)
            .run()
            .await
            .expect_code(0)
            .json();
        assert_eq!(started["status"], "requires_action");
        assert_eq!(started["next_action"]["type"], "redirect");
        let query = bank_page(started["next_action"]["url"].as_str().unwrap(), result).await;
        let done = with(&flags)
            .args(&["complete-3ds", "--order-id", &order, "--format", "query"])
            .stdin(&query)
            .run()
            .await
            .expect_code(code);
        assert!(
            done.stdout.starts_with(&format!("payment {status}\n")),
            "{result}: {}",
            done.stdout
        );
    }
}
