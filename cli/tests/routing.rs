//! `--route` and the profile's `[router]` table: the binary routes across the PayTR and
//! Craftgate simulators, fails over when PayTR is down, finds the owner of a payment it
//! did not make (a new process has an empty in-memory store), and refuses bad routes.
#![cfg(all(feature = "paytr", feature = "craftgate"))]

mod common;

use common::{odeme, order_id, temp_file, Odeme, CUSTOMER};
use odeme_sandbox::{Sandbox, Simulator};

const CARD: &str = "4355084355084358\n000\n";

/// Both providers' settings as environment variables, as a route needs them.
fn routed(sandbox: &Sandbox, args: &[&str]) -> Odeme {
    let p = sandbox.paytr.credentials();
    let c = sandbox.craftgate.credentials();
    odeme(args)
        .env("ODEME_PAYTR_BASE_URL", sandbox.paytr.base_url())
        .env("ODEME_PAYTR_MERCHANT_ID", &p.merchant_id)
        .env("ODEME_PAYTR_MERCHANT_KEY", &p.merchant_key)
        .env("ODEME_PAYTR_MERCHANT_SALT", &p.merchant_salt)
        .env("ODEME_PAYTR_OK_URL", "http://127.0.0.1/shop/ok")
        .env("ODEME_CRAFTGATE_BASE_URL", sandbox.craftgate.base_url())
        .env("ODEME_CRAFTGATE_API_KEY", &c.api_key)
        .env("ODEME_CRAFTGATE_SECRET_KEY", &c.secret_key)
}

fn charge_args(order: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "--json",
        "charge",
        "--amount",
        "40.00",
        "--expiry",
        "12/30",
        "--holder",
        "Jane Doe",
        "--order-id",
        order,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(CUSTOMER.iter().map(|s| (*s).to_owned()));
    args
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn failover_routes_charges_and_follow_ups_find_their_owner() {
    let sandbox = Sandbox::start().await.unwrap();
    let route = ["--route", "failover:paytr,craftgate"];

    let first = order_id("RTA");
    let paid = routed(&sandbox, &route)
        .args(&refs(&charge_args(&first)))
        .stdin(CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(paid["provider"], "paytr", "{paid}");
    assert_eq!(paid["references"]["router_gateway"], "paytr", "{paid}");

    sandbox.paytr.server().take_down().await;
    let second = order_id("RTB");
    let run = routed(&sandbox, &route)
        .args(&refs(&charge_args(&second)))
        .stdin(CARD)
        .run()
        .await
        .expect_code(0);
    let failed_over = run.json();
    assert_eq!(failed_over["references"]["router_gateway"], "craftgate");
    let payment_id = failed_over["id"].as_str().unwrap().to_owned();

    // A new process has no record of the payment: with PayTR down it cannot make sure the
    // payment is not PayTR's, so it refuses to guess.
    let unsure = routed(&sandbox, &route)
        .args(&["status", "--payment-id", &payment_id])
        .run()
        .await;
    assert_ne!(unsure.code, 0, "{}", unsure.stdout);
    assert!(
        unsure.stderr.contains("could not ask every gateway"),
        "{}",
        unsure.stderr
    );

    // With PayTR back, the status query at every gateway finds the one owner, and the
    // refund goes there.
    sandbox.paytr.server().bring_up().await.unwrap();
    let status = routed(&sandbox, &route)
        .args(&["--json", "status", "--payment-id", &payment_id])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(status["references"]["router_gateway"], "craftgate");
    let refund = routed(&sandbox, &route)
        .args(&["--json", "refund", "--payment-id", &payment_id])
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(refund["provider"], "craftgate", "{refund}");
}

#[tokio::test(flavor = "multi_thread")]
async fn weighted_specs_and_the_router_table_are_used() {
    let sandbox = Sandbox::start().await.unwrap();
    // Craftgate weighted far above PayTR: the first pick of a fresh process is Craftgate.
    let order = order_id("RTW");
    let paid = routed(&sandbox, &["--route", "weighted:paytr=1,craftgate=9"])
        .args(&refs(&charge_args(&order)))
        .stdin(CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(paid["references"]["router_gateway"], "craftgate");

    let profile = temp_file(
        "router.toml",
        b"[router]\nstrategy = \"failover\"\ngateways = [\"craftgate\", \"paytr\"]\n",
    );
    let order = order_id("RTP");
    let paid = routed(&sandbox, &["--profile", profile.to_str().unwrap()])
        .args(&refs(&charge_args(&order)))
        .stdin(CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(paid["references"]["router_gateway"], "craftgate");
    // --provider wins over the profile's route.
    let order = order_id("RTQ");
    let paid = routed(
        &sandbox,
        &[
            "--profile",
            profile.to_str().unwrap(),
            "--provider",
            "paytr",
        ],
    )
    .args(&refs(&charge_args(&order)))
    .stdin(CARD)
    .run()
    .await
    .expect_code(0)
    .json();
    assert_eq!(paid["provider"], "paytr");
    assert!(paid["references"].get("router_gateway").is_none(), "{paid}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_routes_are_input_errors() {
    let sandbox = Sandbox::start().await.unwrap();
    for (spec, expected) in [
        ("failover:paytr,iyzico", "unknown provider `iyzico`"),
        ("failover:", "lists no provider"),
        ("failover:paytr,paytr", "`paytr` twice"),
        ("weighted:paytr=0,craftgate=1", "weights start at 1"),
        ("weighted:paytr=-3,craftgate=1", "is -3"),
        ("weighted:paytr=many", "not a whole number"),
        ("roundrobin:paytr", "unknown routing strategy"),
    ] {
        let run = routed(&sandbox, &["--route", spec])
            .args(&refs(&charge_args("RTX1")))
            .stdin(CARD)
            .run()
            .await
            .expect_code(2);
        assert!(run.stderr.contains(expected), "{spec}: {}", run.stderr);
    }
    // A provider of the route without its credentials is named.
    let run = odeme(&["--route", "failover:paytr,craftgate"])
        .env("ODEME_PAYTR_BASE_URL", sandbox.paytr.base_url())
        .args(&refs(&charge_args("RTX2")))
        .stdin(CARD)
        .run()
        .await
        .expect_code(2);
    assert!(
        run.stderr.contains("the paytr merchant id is missing"),
        "{}",
        run.stderr
    );
    let help = odeme(&["--help"]).run().await.expect_code(0);
    assert!(help.stdout.contains("--route"), "{}", help.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn explain_prints_the_route_of_a_charge_and_of_its_failure() {
    let sandbox = Sandbox::start().await.unwrap();
    let route = ["--route", "failover:paytr,craftgate", "--explain"];
    sandbox.paytr.server().take_down().await;
    let order = order_id("RTX");
    let run = routed(&sandbox, &route)
        .args(&refs(&charge_args(&order)))
        .stdin(CARD)
        .run()
        .await
        .expect_code(0);
    let route_line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("route: "))
        .unwrap_or_else(|| panic!("no route on stderr: {}", run.stderr));
    assert!(route_line.contains("strategy failover"), "{route_line}");
    assert!(
        route_line.contains("tried paytr: not charged"),
        "{route_line}"
    );
    assert!(
        route_line.ends_with("approved at craftgate"),
        "{route_line}"
    );
    assert!(!route_line.contains("4355084355084358"), "{route_line}");
    assert_eq!(run.json()["references"]["router_gateway"], "craftgate");
    // A failed charge is explained too: both down, nothing charged.
    sandbox.craftgate.server().take_down().await;
    let run = routed(&sandbox, &route)
        .args(&refs(&charge_args(&order_id("RTY"))))
        .stdin(CARD)
        .run()
        .await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("route: ") && l.contains("no gateway left to try")),
        "{}",
        run.stderr
    );
    // Without a route there is nothing to explain, and it says so.
    sandbox.craftgate.server().bring_up().await.unwrap();
    let run = routed(&sandbox, &["--provider", "craftgate", "--explain"])
        .args(&refs(&charge_args(&order_id("RTZ"))))
        .stdin(CARD)
        .run()
        .await
        .expect_code(0);
    assert!(run.stderr.contains("route: none"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn reconcile_settles_open_attempts_in_the_route_store() {
    let sandbox = Sandbox::start().await.unwrap();
    let reconcile = routed(&sandbox, &["--provider", "paytr", "reconcile"])
        .run()
        .await
        .expect_code(2);
    assert!(
        reconcile.stderr.contains("--route-store"),
        "{}",
        reconcile.stderr
    );
    let Some(redis) = odeme_sandbox::redis_server::start().unwrap() else {
        odeme_sandbox::redis_server::skip_notice("odeme reconcile against a Redis route store");
        return;
    };
    let store = [
        "--route",
        "failover:paytr,craftgate",
        "--route-store",
        &redis.url(),
    ];
    // The charge never reaches PayTR (the connection is cut before it is processed) and
    // the status query right after it fails too: the attempt stays open in the store.
    sandbox.paytr.faults().add(odeme_sandbox::FaultRule {
        path_prefix: Some("/odeme".into()),
        method: None,
        fault: odeme_sandbox::Fault::TimeoutBeforeProcessing(std::time::Duration::ZERO),
        times: 2,
    });
    let order = order_id("RTO");
    let charged = routed(&sandbox, &store)
        .args(&refs(&charge_args(&order)))
        .stdin(CARD)
        .run()
        .await;
    assert_eq!(charged.code, 4, "an unknown outcome: {}", charged.stderr);
    assert_eq!(
        sandbox.craftgate.ledger().charges_for_order(&order),
        0,
        "never cascaded"
    );
    let mut args = store.to_vec();
    args.extend(["--json", "reconcile", "--not-found-after", "0"]);
    let report = routed(&sandbox, &args).run().await.expect_code(0).json();
    assert_eq!(report["found"], 1, "{report}");
    assert_eq!(report["not_charged"], 1, "{report}");
    assert_eq!(
        report["still_open"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
    assert_eq!(sandbox.paytr.ledger().charges_for_order(&order), 0);
    // The order's key was given back: charging it again now goes through, once.
    let again = routed(&sandbox, &store)
        .args(&refs(&charge_args(&order)))
        .stdin(CARD)
        .run()
        .await
        .expect_code(0)
        .json();
    assert_eq!(again["references"]["router_gateway"], "paytr", "{again}");
    assert_eq!(sandbox.paytr.ledger().charges_for_order(&order), 1);
    let report = routed(&sandbox, &args).run().await.expect_code(0).json();
    assert_eq!(report["found"], 0, "{report}");
}
