//! Every Craftgate command of the binary against the in-process Craftgate simulator.
#![cfg(feature = "craftgate")]

mod common;

use common::{craftgate_flags, order_id, temp_file, with, CUSTOMER};
use odeme_sandbox::{Fault, Sandbox, Simulator};

const CARD: &str = "4543590000000006\n123\n";
const INSUFFICIENT_FUNDS_CARD: &str = "5100050000006661\n123\n";

fn charge(amount: &str) -> Vec<&str> {
    vec![
        "charge", "--amount", amount, "--expiry", "12/30", "--holder", "Jane Doe",
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn marketplace_charge_with_splits_and_item_refund() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = craftgate_flags(&sandbox);
    let order = order_id("CG");
    let payment = with(&flags)
        .args(&["--json"])
        .args(&charge("100.00"))
        .args(&[
            "--order-id",
            &order,
            "--item",
            "name=Book,price=60,sub-merchant=11,payout=50,id=SKU1",
        ])
        .args(&["--item", "name=Pen,price=20,qty=2"])
        .args(CUSTOMER)
        .stdin(CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(payment["status"], "succeeded");
    let transactions = payment["transactions"].as_array().unwrap();
    assert_eq!(transactions.len(), 2, "{payment}");
    let book = transactions.iter().find(|t| t["name"] == "Book").unwrap();
    assert_eq!(book["sub_merchant_id"], "11");
    assert_eq!(book["sub_merchant_payout"]["amount"], "50.00");
    let payment_id = payment["id"].as_str().unwrap().to_owned();
    let book_tx = book["id"].as_str().unwrap().to_owned();

    let refund = with(&flags)
        .args(&[
            "refund",
            "--payment-id",
            &payment_id,
            "--item",
            &format!("{book_tx}=10"),
        ])
        .run()
        .await
        .expect_code(0);
    assert_eq!(
        refund.row("amount").as_deref(),
        Some("10.00 TRY"),
        "{}",
        refund.stdout
    );

    let status = with(&flags)
        .args(&["--json", "status", "--payment-id", &payment_id])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(status["status"], "partially_refunded", "{status}");
    assert_eq!(status["order_id"], order.as_str());
    let human = with(&flags)
        .args(&["status", "--order-id", &order])
        .run()
        .await
        .expect_code(0);
    assert!(
        human.stdout.contains("sub-merchant 11 gets 50.00 TRY"),
        "{}",
        human.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pre_authorize_capture_cancel_decline_and_unknown_outcome() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = craftgate_flags(&sandbox);
    let auth = with(&flags)
        .args(&["--json"])
        .args(&charge("25.00"))
        .args(&["--pre-authorize"])
        .args(CUSTOMER)
        .stdin(CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(auth["status"], "authorized");
    let id = auth["id"].as_str().unwrap().to_owned();
    let captured = with(&flags)
        .args(&["capture", "--payment-id", &id])
        .run()
        .await
        .expect_code(0);
    assert!(
        captured.stdout.starts_with("payment succeeded\n"),
        "{}",
        captured.stdout
    );
    let cancelled = with(&flags)
        .args(&["cancel", "--payment-id", &id])
        .run()
        .await
        .expect_code(0);
    assert!(
        cancelled.stdout.starts_with("payment cancelled\n"),
        "{}",
        cancelled.stdout
    );

    let declined = with(&flags)
        .args(&charge("10"))
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
    assert_eq!(declined.row("provider code").as_deref(), Some("10051"));

    let order = order_id("CGU");
    sandbox
        .craftgate
        .faults()
        .inject(Fault::DropAfterProcessing);
    let unknown = with(&flags)
        .args(&charge("10"))
        .args(&["--order-id", &order])
        .args(CUSTOMER)
        .stdin(CARD)
        .run()
        .await;
    let unknown = unknown.expect_code(4);
    assert!(
        unknown.stderr.contains("unknown outcome of"),
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
}

#[tokio::test(flavor = "multi_thread")]
async fn cards_stored_charges_installments_and_no_plans() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = craftgate_flags(&sandbox);
    let card_file = temp_file("craftgate-card.txt", b"4543590000000006\n123\n");
    let stored = with(&flags)
        .args(&[
            "--json",
            "card",
            "store",
            "--expiry",
            "12/30",
            "--holder",
            "Jane Doe",
            "--card-file",
        ])
        .args(&[
            card_file.to_str().unwrap(),
            "--customer-id",
            "C-1",
            "--email",
            "jane@example.com",
        ])
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

    let list = with(&flags)
        .args(&["card", "list", "--customer-token", &customer])
        .run()
        .await
        .expect_code(0);
    assert!(
        list.stdout.starts_with("1 stored card(s)"),
        "{}",
        list.stdout
    );
    assert!(list.stdout.contains("454359******0006"), "{}", list.stdout);

    let names = ["--first-name", "Jane", "--last-name", "Doe"];
    let stored_charge = with(&flags)
        .args(&[
            "charge-stored",
            "--customer-token",
            &customer,
            "--card-token",
            &card,
            "--amount",
            "15.00",
        ])
        .args(&names)
        .args(CUSTOMER)
        .run()
        .await
        .expect_code(0);
    assert!(
        stored_charge.stdout.starts_with("payment succeeded\n"),
        "{}",
        stored_charge.stdout
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
            "5.00",
        ])
        .args(&names)
        .args(CUSTOMER)
        .run()
        .await
        .expect_code(0);
    assert_eq!(
        recurring.row("amount").as_deref(),
        Some("5.00 TRY"),
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
            "454671",
            "--amount",
            "100",
        ])
        .run()
        .await
        .expect_code(0)
        .json();
    assert!(
        !options["banks"].as_array().unwrap().is_empty(),
        "{options}"
    );

    let plan = with(&flags)
        .args(&["recurring", "plan", "get", "--plan-id", "1"])
        .run()
        .await
        .expect_code(6);
    assert!(
        plan.stderr.contains("craftgate does not support"),
        "{}",
        plan.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_webhook_and_three_ds_callback() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = craftgate_flags(&sandbox);
    let payment = with(&flags)
        .args(&["--json"])
        .args(&charge("10"))
        .args(&["--three-ds-return-url", "http://127.0.0.1:9/back"])
        .args(CUSTOMER)
        .stdin(CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(payment["status"], "requires_action");
    let id = payment["id"].as_str().unwrap().to_owned();

    // The customer passes the bank page; the simulator redirects the browser to the callback.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let bank = format!(
        "{}?result=success&callback=redirect",
        sandbox.craftgate.bank_page_url(id.parse().unwrap())
    );
    let answer = client.get(&bank).send().await.unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let query = location.split_once('?').unwrap().1.to_owned();
    let callback = with(&flags)
        .args(&["verify-notification", "--format", "query"])
        .stdin(&query)
        .run()
        .await
        .expect_code(0);
    assert_eq!(callback.row("kind").as_deref(), Some("three_ds_callback"));
    assert_eq!(callback.row("payment id").as_deref(), Some(id.as_str()));
    let forged = query.replace("status=SUCCESS", "status=FAILURE");
    assert_ne!(forged, query);
    with(&flags)
        .args(&["verify-notification", "--format", "query"])
        .stdin(&forged)
        .run()
        .await
        .expect_code(5);
    let refused = with(&flags)
        .args(&["complete-3ds", "--format", "query"])
        .stdin(&forged)
        .run()
        .await
        .expect_code(5);
    assert!(
        refused.stderr.contains("signature mismatch"),
        "{}",
        refused.stderr
    );
    let completed = with(&flags)
        .args(&["complete-3ds", "--payment-id", &id, "--format", "query"])
        .stdin(&query)
        .run()
        .await
        .expect_code(0);
    assert!(
        completed.stdout.starts_with("payment succeeded\n"),
        "{}",
        completed.stdout
    );
    assert_eq!(completed.row("payment id").as_deref(), Some(id.as_str()));

    // A webhook: the simulator posts to a closed loopback port and keeps what it sent.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    sandbox
        .craftgate
        .set_webhook_url(Some(format!("http://127.0.0.1:{port}/hook")));
    let delivery = sandbox
        .craftgate
        .trigger_webhook("API_AUTH", "SUCCESS", &id)
        .await
        .unwrap();
    let body = serde_json::to_string(&delivery.event).unwrap();
    let file = temp_file("craftgate-webhook.json", body.as_bytes());
    let webhook = with(&flags)
        .args(&[
            "--json",
            "verify-notification",
            "--file",
            file.to_str().unwrap(),
            "--signature",
            &delivery.signature,
        ])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(webhook["authentic"], true);
    assert_eq!(webhook["notification"]["kind"], "webhook");
    assert_eq!(webhook["notification"]["event_type"], "API_AUTH");

    let wrong = with(&flags)
        .args(&[
            "verify-notification",
            "--file",
            file.to_str().unwrap(),
            "--signature",
            "AAAA",
        ])
        .run()
        .await
        .expect_code(5);
    assert!(
        wrong.stderr.contains("signature mismatch"),
        "{}",
        wrong.stderr
    );
    assert!(
        !wrong.stderr.contains(&delivery.signature),
        "{}",
        wrong.stderr
    );
}
