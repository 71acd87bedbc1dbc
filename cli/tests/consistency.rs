//! The same command behaves the same at every provider (issue 17, item 5), and errors
//! speak in the CLI's flags (item 4), run against the in-process sandbox.

mod common;

use common::{craftgate_flags, order_id, paytr_flags, paytrek_flags, with, Run, CUSTOMER};
use odeme_sandbox::{Sandbox, Simulator};

/// Each provider's flags and a card its simulator approves.
fn providers(sandbox: &Sandbox) -> [(&'static str, Vec<String>, &'static str); 3] {
    [
        ("paytrek", paytrek_flags(sandbox), "4508034508034509\n000\n"),
        ("paytr", paytr_flags(sandbox), "4355084355084358\n000\n"),
        (
            "craftgate",
            craftgate_flags(sandbox),
            "4543590000000006\n123\n",
        ),
    ]
}

fn requests(sandbox: &Sandbox, provider: &str) -> usize {
    match provider {
        "paytrek" => sandbox.paytrek.requests().count(),
        "paytr" => sandbox.paytr.requests().count(),
        _ => sandbox.craftgate.requests().count(),
    }
}

async fn charge(flags: &[String], card: &str, extra: &[&str]) -> Run {
    with(flags)
        .args(&["charge", "--expiry", "12/30", "--holder", "Jane Doe"])
        .args(CUSTOMER)
        .args(extra)
        .stdin(card)
        .run()
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn negative_amounts_and_installment_counts_meet_the_library_rules() {
    let sandbox = Sandbox::start().await.unwrap();
    for (name, flags, card) in providers(&sandbox) {
        let before = requests(&sandbox, name);
        let run = charge(&flags, card, &["--amount", "-5"])
            .await
            .expect_code(2);
        assert!(
            run.stderr.contains("`--amount` must not be negative"),
            "{name}: {}",
            run.stderr
        );
        let run = charge(&flags, card, &["--amount", "5", "--installments", "300"])
            .await
            .expect_code(2);
        assert!(
            run.stderr.contains("`installments` must be 1 to 12"),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("--installments"), "{}", run.stderr);
        assert!(!run.stderr.contains("0..=255"), "{name}: {}", run.stderr);
        assert_eq!(requests(&sandbox, name), before, "{name}: nothing is sent");
    }
    // A refund amount too.
    let run = with(&paytr_flags(&sandbox))
        .args(&[
            "refund",
            "--payment-id",
            "X1",
            "--amount",
            "-5",
            "--currency",
            "TRY",
        ])
        .run()
        .await
        .expect_code(2);
    assert!(
        run.stderr.contains("must not be negative"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn provider_names_are_read_in_any_case() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut flags = paytr_flags(&sandbox);
    flags[1] = "PayTR".into();
    let run = with(&flags)
        .args(&["capabilities"])
        .run()
        .await
        .expect_code(0);
    assert!(run.stdout.starts_with("paytr supports"), "{}", run.stdout);
    let mut flags = craftgate_flags(&sandbox);
    flags[1] = "CRAFTGATE".into();
    with(&flags)
        .args(&["capabilities"])
        .run()
        .await
        .expect_code(0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bin_without_installments_says_so_everywhere() {
    let sandbox = Sandbox::start().await.unwrap();
    for (name, flags, _) in providers(&sandbox) {
        let run = with(&flags)
            .args(&["installments", "--bin", "999999", "--amount", "100"])
            .run()
            .await
            .expect_code(0);
        assert_eq!(
            run.stdout,
            format!(
                "no installment options for 100.00 TRY\n  provider         {name}\n  BIN 999999: a single payment only\n"
            ),
            "{name}"
        );
        let json = with(&flags)
            .args(&[
                "--json",
                "installments",
                "--bin",
                "999999",
                "--amount",
                "100",
            ])
            .run()
            .await
            .expect_code(0)
            .json();
        assert_eq!(json["banks"], serde_json::json!([]), "{name}: {json}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refund_finds_the_payment_by_order_id_in_its_currency() {
    let sandbox = Sandbox::start().await.unwrap();
    for (name, flags, card) in providers(&sandbox) {
        let order = order_id("RFO");
        charge(&flags, card, &["--amount", "30", "--order-id", &order])
            .await
            .expect_code(0);
        let run = with(&flags)
            .args(&["refund", "--order-id", &order, "--amount", "10"])
            .run()
            .await
            .expect_code(0);
        assert!(
            run.stdout.starts_with("refund succeeded\n"),
            "{name}: {}",
            run.stdout
        );
        assert_eq!(run.row("amount").as_deref(), Some("10.00 TRY"), "{name}");
    }

    // A JPY payment (Craftgate takes JPY): no `--currency`, and its refunds are in JPY.
    let flags = craftgate_flags(&sandbox);
    let order = order_id("JPY");
    let paid = charge(
        &flags,
        "4543590000000006\n123\n",
        &[
            "--amount",
            "1500",
            "--currency",
            "JPY",
            "--order-id",
            &order,
        ],
    )
    .await
    .expect_code(0);
    let payment_id = paid.row("payment id").expect("payment id");
    let by_order = with(&flags)
        .args(&["refund", "--order-id", &order, "--amount", "500"])
        .run()
        .await
        .expect_code(0);
    assert_eq!(by_order.row("amount").as_deref(), Some("500 JPY"));
    let by_id = with(&flags)
        .args(&["refund", "--payment-id", &payment_id, "--amount", "100"])
        .run()
        .await
        .expect_code(0);
    assert_eq!(by_id.row("total refunded").as_deref(), Some("600 JPY"));
    let wrong = with(&flags)
        .args(&[
            "refund",
            "--order-id",
            &order,
            "--amount",
            "1",
            "--currency",
            "TRY",
        ])
        .run()
        .await
        .expect_code(2);
    assert!(
        wrong.stderr.contains("not the payment's currency (JPY)"),
        "{}",
        wrong.stderr
    );
    let neither = with(&flags)
        .args(&["refund", "--amount", "1"])
        .run()
        .await
        .expect_code(2);
    assert!(
        neither.stderr.contains("--payment-id"),
        "{}",
        neither.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stored_cards_store_and_delete_alike() {
    let sandbox = Sandbox::start().await.unwrap();
    for (name, flags, card) in providers(&sandbox) {
        // PayTR stores cards only during a payment; the others also without one.
        let stored = if name == "paytr" {
            let paid = charge(&flags, card, &["--json", "--amount", "1", "--store-card"])
                .await
                .expect_code(0)
                .json();
            let customer = paid["stored_card"]["reference"]["customer_token"]
                .as_str()
                .expect("utoken")
                .to_owned();
            let list = with(&flags)
                .args(&["--json", "card", "list", "--customer-token", &customer])
                .run()
                .await
                .expect_code(0)
                .json();
            list["cards"][0].clone()
        } else {
            with(&flags)
                .args(&[
                    "--json", "card", "store", "--expiry", "12/30", "--holder", "Jane Doe",
                ])
                .args(&["--email", "jane@example.com"])
                .stdin(card)
                .run()
                .await
                .expect_code(0)
                .json()
        };
        assert_eq!(stored["expiry_month"], 12, "{name}: {stored}");
        assert_eq!(stored["expiry_year"], 2030, "{name}: {stored}");
        assert!(stored["summary"]["last4"].is_string(), "{name}: {stored}");
        assert!(
            stored["summary"]["association"].is_string(),
            "{name}: {stored}"
        );
        let customer = stored["reference"]["customer_token"].as_str().unwrap();
        let token = stored["reference"]["card_token"].as_str().unwrap();
        let delete = || {
            with(&flags).args(&[
                "card",
                "delete",
                "--customer-token",
                customer,
                "--card-token",
                token,
            ])
        };
        let first = delete().run().await.expect_code(0);
        assert!(
            first.stdout.starts_with("card deleted\n"),
            "{name}: {}",
            first.stdout
        );
        let second = delete().run().await.expect_code(1);
        assert!(
            second.stderr.starts_with(&format!(
                "error: not found: no card with token {token} is stored for customer {customer} at {name}"
            )),
            "{name}: {}",
            second.stderr
        );
        assert!(second.stdout.is_empty(), "{name}: {}", second.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_word_holder_needs_a_family_name_only_at_paytrek() {
    let sandbox = Sandbox::start().await.unwrap();
    for (name, flags, card) in providers(&sandbox) {
        let before = requests(&sandbox, name);
        let run = with(&flags)
            .args(&[
                "charge", "--amount", "5", "--expiry", "12/30", "--holder", "Jane",
            ])
            .args(CUSTOMER)
            .stdin(card)
            .run()
            .await;
        if name == "paytrek" {
            let run = run.expect_code(2);
            assert!(run.stderr.contains("--last-name"), "{}", run.stderr);
            assert!(
                run.stderr.contains("the card holder name `Jane` has none"),
                "{}",
                run.stderr
            );
            assert_eq!(requests(&sandbox, name), before, "nothing is sent");
        } else {
            let run = run.expect_code(0);
            assert!(
                run.stdout.starts_with("payment succeeded\n"),
                "{name}: {}",
                run.stdout
            );
            assert!(
                !run.stderr.contains("--last-name"),
                "{name}: {}",
                run.stderr
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn charge_stored_derives_the_cvc_and_names_every_missing_flag() {
    let sandbox = Sandbox::start().await.unwrap();
    let flags = paytr_flags(&sandbox);
    // A card PayTR stores with `require_cvv`.
    let paid = charge(
        &flags,
        "4355080000000112\n000\n",
        &["--json", "--amount", "1", "--store-card"],
    )
    .await
    .expect_code(0)
    .json();
    let customer = paid["stored_card"]["reference"]["customer_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = with(&flags)
        .args(&["--json", "card", "list", "--customer-token", &customer])
        .run()
        .await
        .expect_code(0)
        .json();
    let token = list["cards"][0]["reference"]["card_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored = [
        "charge-stored",
        "--customer-token",
        &customer,
        "--card-token",
        &token,
    ];

    // Nothing but an amount and an e-mail: every missing flag in one error, nothing charged.
    let charges = sandbox.paytr.ledger().len();
    let run = with(&flags)
        .args(&stored)
        .args(&["--amount", "2", "--email", "jane@example.com"])
        .run()
        .await
        .expect_code(2);
    for flag in ["--phone", "--billing-line1"] {
        assert!(run.stderr.contains(flag), "{flag}: {}", run.stderr);
    }
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // The stored card's holder name stands in for the customer's.
    assert!(!run.stderr.contains("--first-name"), "{}", run.stderr);

    // No --with-cvc: the stored card says it needs its CVC, so it is read.
    let ok = with(&flags)
        .args(&stored)
        .args(&["--amount", "2"])
        .args(CUSTOMER)
        .env("ODEME_CARD_CVC", "000")
        .run()
        .await
        .expect_code(0);
    assert!(
        ok.stdout.starts_with("payment succeeded\n"),
        "{}",
        ok.stdout
    );
    let no_cvc = with(&flags)
        .args(&stored)
        .args(&["--amount", "2"])
        .args(CUSTOMER)
        .run()
        .await
        .expect_code(2);
    assert!(
        no_cvc
            .stderr
            .contains("this stored card is charged with its CVC"),
        "{}",
        no_cvc.stderr
    );
    assert_eq!(sandbox.paytr.ledger().len(), charges + 1);

    // Paytrek lists no holder name, so the customer's names are asked for, with the rest.
    let flags = paytrek_flags(&sandbox);
    let card = with(&flags)
        .args(&[
            "--json", "card", "store", "--expiry", "12/30", "--holder", "Jane Doe",
        ])
        .args(&["--email", "jane@example.com"])
        .stdin("4508034508034509\n000\n")
        .run()
        .await
        .expect_code(0)
        .json();
    let before = sandbox.paytrek.ledger().len();
    let run = with(&flags)
        .args(&["charge-stored", "--customer-token"])
        .args(&[card["reference"]["customer_token"].as_str().unwrap()])
        .args(&[
            "--card-token",
            card["reference"]["card_token"].as_str().unwrap(),
        ])
        .args(&["--amount", "2", "--email", "jane@example.com"])
        .run()
        .await
        .expect_code(2);
    for flag in ["--first-name", "--last-name", "--billing-line1"] {
        assert!(run.stderr.contains(flag), "{flag}: {}", run.stderr);
    }
    assert_eq!(sandbox.paytrek.ledger().len(), before);
    // A card that is not stored is said so before anything is charged.
    let run = with(&flags)
        .args(&[
            "charge-stored",
            "--customer-token",
            "nobody",
            "--card-token",
            "none",
        ])
        .args(&[
            "--amount",
            "2",
            "--first-name",
            "Jane",
            "--last-name",
            "Doe",
        ])
        .args(CUSTOMER)
        .run()
        .await
        .expect_code(1);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn paytr_without_return_urls_names_the_flags() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut flags = paytr_flags(&sandbox);
    flags.truncate(flags.len() - 2); // drop --ok-url
    let run = charge(&flags, "4355084355084358\n000\n", &["--amount", "5"])
        .await
        .expect_code(2);
    assert!(run.stderr.contains("--ok-url"), "{}", run.stderr);
    assert!(run.stderr.contains("ODEME_PAYTR_OK_URL"), "{}", run.stderr);
    assert!(!run.stderr.contains("PaytrConfig"), "{}", run.stderr);
    assert_eq!(sandbox.paytr.requests().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_connection_names_the_host_and_where_it_came_from() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let run = common::odeme(&["-p", "paytrek", "--api-key", "a", "--secret-key", "b"])
        .args(&["--base-url", &url, "status", "--order-id", "X1"])
        .run()
        .await
        .expect_code(1);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "hint: paytrek was tried at {url} (from --base-url)"
        )),
        "{}",
        run.stderr
    );
    let run = common::odeme(&["-p", "craftgate", "--api-key", "a", "--secret-key", "b"])
        .env("ODEME_CRAFTGATE_BASE_URL", &url)
        .args(&["status", "--order-id", "X1"])
        .run()
        .await
        .expect_code(1);
    assert!(
        run.stderr
            .contains(&format!("tried at {url} (from ODEME_CRAFTGATE_BASE_URL)")),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn without_a_base_url_the_host_used_is_said() {
    // `capabilities` sends nothing, so no provider host is ever contacted here.
    let run = common::odeme(&["-p", "paytr", "--merchant-id", "1", "--merchant-key", "k"])
        .args(&["--merchant-salt", "s", "capabilities"])
        .run()
        .await
        .expect_code(0);
    assert!(
        run.stderr.contains(
            "note: no base URL for paytr, so odeme talks to https://www.paytr.com, PayTR's own (production) host"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--base-url"), "{}", run.stderr);
    let run = common::odeme(&["-p", "paytr", "--merchant-id", "1", "--merchant-key", "k"])
        .args(&["--merchant-salt", "s", "--base-url", "http://127.0.0.1:9"])
        .args(&["capabilities"])
        .run()
        .await
        .expect_code(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}
