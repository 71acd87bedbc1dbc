//! Every PayTR command of the binary against the in-process PayTR simulator.
#![cfg(feature = "paytr")]

mod common;

use common::{order_id, paytr_flags, temp_file, with, CUSTOMER};
use odeme_sandbox::{Fault, Sandbox, Simulator};

const OFFICIAL_CARD: &str = "4355084355084358\n000\n";
const INSUFFICIENT_FUNDS_CARD: &str = "4355080000000013\n000\n";

#[tokio::test(flavor = "multi_thread")]
async fn charge_status_and_refunds() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    let order = order_id("PTR");
    let run = with(&flags)
        .args(&[
            "charge",
            "--amount",
            "120.50",
            "--expiry",
            "12/30",
            "--holder",
            "Jane Doe",
            "--order-id",
            &order,
        ])
        .args(CUSTOMER)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(0);
    assert!(
        run.stdout.starts_with("payment succeeded\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.row("amount").as_deref(), Some("120.50 TRY"));
    assert_eq!(run.row("payment id").as_deref(), Some(order.as_str()));
    assert!(
        !run.stdout.contains("4355084355084358"),
        "the PAN is never printed"
    );

    let status = with(&flags)
        .args(&["--json", "status", "--order-id", &order])
        .run()
        .await
        .expect_code(0);
    let payment = status.json();
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(payment["amount"]["amount"], "120.50");

    let partial = with(&flags)
        .args(&["refund", "--payment-id", &order, "--amount", "20.50"])
        .run()
        .await
        .expect_code(0);
    assert!(
        partial.stdout.starts_with("refund succeeded\n"),
        "{}",
        partial.stdout
    );
    assert_eq!(partial.row("amount").as_deref(), Some("20.50 TRY"));
    let after = with(&flags)
        .args(&["--json", "status", "--order-id", &order])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(after["status"], "partially_refunded");
    assert_eq!(after["refunded"]["amount"], "20.50");

    let too_much = with(&flags)
        .args(&["refund", "--payment-id", &order, "--amount", "500"])
        .run()
        .await;
    assert_eq!(too_much.code, 1, "{}", too_much.stderr);
    assert!(
        too_much.stderr.starts_with("error: "),
        "{}",
        too_much.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn decline_exits_3_with_the_reason() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    let order = order_id("PTRD");
    let run = with(&flags)
        .args(&[
            "charge",
            "--amount",
            "10",
            "--expiry",
            "12/30",
            "--holder",
            "Jane Doe",
            "--order-id",
            &order,
        ])
        .args(CUSTOMER)
        .stdin(INSUFFICIENT_FUNDS_CARD)
        .run()
        .await
        .expect_code(3);
    assert!(
        run.stdout.starts_with("payment declined\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.row("reason")
            .unwrap()
            .starts_with("insufficient_funds (soft"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .starts_with("error: declined: insufficient_funds"),
        "{}",
        run.stderr
    );

    let json = with(&flags)
        .args(&[
            "--json", "charge", "--amount", "10", "--expiry", "12/30", "--holder", "Jane Doe",
        ])
        .args(&["--order-id", &order_id("PTRD")])
        .args(CUSTOMER)
        .stdin(INSUFFICIENT_FUNDS_CARD)
        .run()
        .await
        .expect_code(3)
        .json();
    assert_eq!(json["error"]["kind"], "declined");
    assert_eq!(json["error"]["decline"]["reason"], "insufficient_funds");
    assert_eq!(json["error"]["decline"]["soft"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_answer_is_an_unknown_outcome_then_reconciled() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    let order = order_id("PTRU");
    sandbox.paytr.faults().inject(Fault::DropAfterProcessing);
    let run = with(&flags)
        .args(&[
            "charge",
            "--amount",
            "33.00",
            "--expiry",
            "12/30",
            "--holder",
            "Jane Doe",
            "--order-id",
            &order,
        ])
        .args(CUSTOMER)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(4);
    assert!(
        run.stderr.contains("unknown outcome of charge at paytr"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("status --order-id {order}")),
        "{}",
        run.stderr
    );
    assert_eq!(sandbox.paytr.faults().pending(), 0);

    let status = with(&flags)
        .args(&["status", "--order-id", &order])
        .run()
        .await
        .expect_code(0);
    assert!(
        status.stdout.starts_with("payment succeeded\n"),
        "the charge went through: {}",
        status.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_exits_2_and_sends_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    let charge = [
        "charge", "--amount", "10", "--expiry", "12/30", "--holder", "Jane Doe",
    ];

    let luhn = with(&flags)
        .args(&charge)
        .args(CUSTOMER)
        .stdin("4355084355084357\n000\n")
        .run()
        .await
        .expect_code(2);
    assert!(
        luhn.stderr.contains("`card.number` fails the Luhn check"),
        "{}",
        luhn.stderr
    );
    assert!(!luhn.stderr.contains("4355084355084357"), "{}", luhn.stderr);

    let amount = with(&flags)
        .args(&[
            "charge", "--amount", "10.999", "--expiry", "12/30", "--holder", "Jane Doe",
        ])
        .args(CUSTOMER)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(2);
    assert!(
        amount
            .stderr
            .contains("`--amount` has more decimals than TRY allows"),
        "{}",
        amount.stderr
    );

    let on_command_line = with(&flags)
        .args(&charge)
        .args(&["--card-number", "4355084355084358"])
        .args(CUSTOMER)
        .run()
        .await
        .expect_code(2);
    assert!(
        on_command_line
            .stderr
            .contains("never taken from the command line"),
        "{}",
        on_command_line.stderr
    );
    assert!(!on_command_line.stderr.contains("4355084355084358"));

    let items = with(&flags)
        .args(&charge)
        .args(&[
            "--item",
            "name=Book,price=6",
            "--item",
            "name=Pen,price=3,qty=2",
        ])
        .args(CUSTOMER)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(2);
    assert!(
        items
            .stderr
            .contains("`items` line totals add up to 12.00, not the amount 10.00"),
        "{}",
        items.stderr
    );

    let no_email = with(&flags)
        .args(&charge)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(2);
    assert!(no_email.stderr.contains("--email"), "{}", no_email.stderr);

    assert_eq!(
        sandbox.paytr.requests().count(),
        0,
        "nothing reached the simulator"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stored_cards_charge_stored_recurring_and_delete() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    let stored = with(&flags)
        .args(&[
            "--json",
            "charge",
            "--amount",
            "1.00",
            "--expiry",
            "12/30",
            "--holder",
            "Jane Doe",
            "--store-card",
        ])
        .args(&["--order-id", &order_id("PTRS")])
        .args(CUSTOMER)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    let utoken = stored["stored_card"]["reference"]["customer_token"]
        .as_str()
        .expect("utoken")
        .to_owned();
    assert!(!utoken.is_empty());

    let list = with(&flags)
        .args(&["--json", "card", "list", "--customer-token", &utoken])
        .run()
        .await
        .expect_code(0)
        .json();
    let cards = list["cards"].as_array().expect("cards");
    assert_eq!(cards.len(), 1, "{list}");
    let ctoken = cards[0]["reference"]["card_token"]
        .as_str()
        .expect("ctoken")
        .to_owned();
    assert_eq!(cards[0]["summary"]["last4"], "4358");

    let human = with(&flags)
        .args(&["card", "list", "--customer-token", &utoken])
        .run()
        .await
        .expect_code(0);
    assert!(
        human.stdout.starts_with("1 stored card(s)"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains(&ctoken), "{}", human.stdout);

    let stored_charge = with(&flags)
        .args(&[
            "charge-stored",
            "--customer-token",
            &utoken,
            "--card-token",
            &ctoken,
            "--amount",
            "5.00",
        ])
        .args(&[
            "--first-name",
            "Jane",
            "--last-name",
            "Doe",
            "--order-id",
            &order_id("PTRC"),
        ])
        .args(CUSTOMER)
        .env("ODEME_CARD_CVC", "000")
        .args(&["--with-cvc"])
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
            &utoken,
            "--card-token",
            &ctoken,
            "--amount",
            "7.00",
        ])
        .args(&[
            "--first-name",
            "Jane",
            "--last-name",
            "Doe",
            "--order-id",
            &order_id("PTRR"),
        ])
        .args(CUSTOMER)
        .run()
        .await
        .expect_code(0);
    assert!(
        recurring.stdout.starts_with("payment succeeded\n"),
        "{}",
        recurring.stdout
    );
    assert_eq!(recurring.row("amount").as_deref(), Some("7.00 TRY"));

    let plan = with(&flags)
        .args(&["recurring", "plan", "get", "--plan-id", "P1"])
        .run()
        .await
        .expect_code(6);
    assert!(
        plan.stderr.contains("paytr does not support"),
        "{}",
        plan.stderr
    );

    with(&flags)
        .args(&[
            "card",
            "delete",
            "--customer-token",
            &utoken,
            "--card-token",
            &ctoken,
        ])
        .run()
        .await
        .expect_code(0);
    assert_eq!(sandbox.paytr.stored_card_count(&utoken), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn three_ds_charge_saves_the_bank_page() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    let page = temp_file("paytr-3ds.html", b"");
    let run = with(&flags)
        .args(&[
            "charge", "--amount", "15.00", "--expiry", "12/30", "--holder", "Jane Doe",
        ])
        .args(&[
            "--three-ds-return-url",
            "https://shop.example/back",
            "--save-3ds-page",
            page.to_str().unwrap(),
        ])
        .args(CUSTOMER)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(0);
    assert!(
        run.stdout.starts_with("payment requires_action\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.row("next action")
            .unwrap()
            .contains(sandbox.paytr.base_url()),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("4355084355084358"), "{}", run.stdout);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    assert!(
        html.contains("4355084355084358"),
        "the page the browser posts carries the card"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_notification_from_the_simulator() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    let order = order_id("PTRN");
    with(&flags)
        .args(&[
            "charge",
            "--amount",
            "42.00",
            "--expiry",
            "12/30",
            "--holder",
            "Jane Doe",
            "--order-id",
            &order,
        ])
        .args(CUSTOMER)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(0);
    let sent = sandbox.paytr.notifications_sent();
    let notification = sent
        .iter()
        .find(|n| n.merchant_oid == order)
        .expect("a notification for the order");
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&notification.fields)
        .finish();

    let ok = with(&flags)
        .args(&["verify-notification"])
        .stdin(&format!("{body}\n"))
        .run()
        .await
        .expect_code(0);
    assert!(
        ok.stdout.starts_with("notification authentic\n"),
        "{}",
        ok.stdout
    );
    assert_eq!(ok.row("order id").as_deref(), Some(order.as_str()));
    assert_eq!(ok.row("status").as_deref(), Some("succeeded"));
    assert_eq!(ok.row("amount").as_deref(), Some("42.00 TRY"));

    let file = temp_file("paytr-notification.txt", body.as_bytes());
    let json = with(&flags)
        .args(&[
            "--json",
            "verify-notification",
            "--file",
            file.to_str().unwrap(),
        ])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(json["authentic"], true);
    assert_eq!(json["notification"]["order_id"], order.as_str());

    let tampered = body.replace("total_amount=4200", "total_amount=1");
    assert_ne!(tampered, body, "the body carries the amount in kuruş");
    let bad = with(&flags)
        .args(&["--json", "verify-notification"])
        .stdin(&tampered)
        .run()
        .await
        .expect_code(5);
    assert_eq!(bad.json()["authentic"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn unsupported_operations_exit_6() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    let capture = with(&flags)
        .args(&["capture", "--payment-id", "X1"])
        .run()
        .await
        .expect_code(6);
    assert!(
        capture.stderr.contains("paytr does not support"),
        "{}",
        capture.stderr
    );
    let caps = with(&flags)
        .args(&["--json", "capabilities"])
        .run()
        .await
        .expect_code(0)
        .json();
    assert!(
        !caps["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "capture"),
        "{caps}"
    );
    assert_eq!(sandbox.paytr.requests().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_key_is_an_authentication_error_that_never_shows_the_key() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut flags = paytr_flags(&sandbox);
    let key = flags.iter().position(|f| f == "--merchant-key").unwrap() + 1;
    flags[key] = "WrongSecretKey42".into();
    let run = with(&flags)
        .args(&[
            "charge", "--amount", "10", "--expiry", "12/30", "--holder", "Jane Doe",
        ])
        .args(CUSTOMER)
        .stdin(OFFICIAL_CARD)
        .run()
        .await
        .expect_code(1);
    assert!(
        run.stderr
            .starts_with("error: authentication failed at paytr"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("WrongSecretKey42") && !run.stdout.contains("WrongSecretKey42"));
    assert!(!run
        .stderr
        .contains(&sandbox.paytr.credentials().merchant_salt));
}
