//! The router against two real simulators (PayTR primary, Craftgate second) with the
//! in-memory store: construction errors, failover, safe cascades, reconciliation,
//! follow-ups and exactly-once charges from many tasks.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use odeme_core::{
    Address, Card, ChargeRequest, Customer, Error, Expiry, Gateway, GatewayExt, Money,
    PaymentSource, PaymentStatus, RefundRequest, StatusQuery, TransportConfig,
};
use odeme_craftgate::{CraftgateConfig, CraftgateGateway};
use odeme_paytr::{PaytrConfig, PaytrGateway};
use odeme_router::{BreakerPolicy, Router, Strategy, GATEWAY_REFERENCE};
use odeme_sandbox::{Fault, LedgerKind, Sandbox, Simulator};

fn paytr(sandbox: &Sandbox, transport: TransportConfig) -> Arc<dyn Gateway> {
    let c = sandbox.paytr.credentials();
    let config = PaytrConfig::new(
        &c.merchant_id,
        c.merchant_key.as_str(),
        c.merchant_salt.as_str(),
    )
    .with_base_url(sandbox.paytr.base_url())
    .with_transport(transport)
    .with_test_mode(true)
    .with_return_urls("http://127.0.0.1:9/ok", "http://127.0.0.1:9/fail");
    Arc::new(PaytrGateway::new(config).unwrap())
}

fn craftgate(sandbox: &Sandbox) -> Arc<dyn Gateway> {
    let c = sandbox.craftgate.credentials();
    let config =
        CraftgateConfig::new(&c.api_key, &c.secret_key).with_base_url(sandbox.craftgate.base_url());
    Arc::new(CraftgateGateway::new(config).unwrap())
}

fn short_timeout() -> TransportConfig {
    TransportConfig {
        timeout: Duration::from_secs(2),
        ..TransportConfig::default()
    }
}

/// Approved at all three simulators.
const CARD: &str = "4355084355084358";
/// PayTR's insufficient-funds card (soft); any other simulator approves it.
const PAYTR_SOFT: &str = "4355080000000013";
/// PayTR's lost/stolen card (hard).
const PAYTR_HARD: &str = "4355080000000054";

fn charge(order_id: &str, number: &str) -> ChargeRequest {
    let card = Card::new(number, Expiry::new(12, 2030).unwrap(), "000", "AYSE YILMAZ").unwrap();
    let customer = Customer::new(
        "Ayse",
        "Yilmaz",
        "ayse@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
    .with_phone("+905350000000");
    ChargeRequest::new(
        order_id,
        Money::from_minor(10_000, odeme_core::Currency::TRY).unwrap(),
        PaymentSource::NewCard(card),
        customer,
    )
    .with_billing(Address {
        line1: "Bagdat Caddesi 1".into(),
        line2: None,
        city: "Istanbul".into(),
        state: None,
        postal_code: Some("34710".into()),
        country: "TR".into(),
    })
}

fn order(tag: &str) -> String {
    format!("RT{tag}{}", uuid_like())
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000_000)
        .unwrap_or(0);
    format!("{nanos}")
}

fn charges_at(sim: &dyn Simulator, order_id: &str) -> usize {
    sim.ledger().for_order(order_id, LedgerKind::Charge).len()
}

#[tokio::test]
async fn bad_configuration_is_an_error_at_construction() {
    let sandbox = Sandbox::start().await.unwrap();
    let a = paytr(&sandbox, TransportConfig::default());
    let b = craftgate(&sandbox);
    let cases: Vec<(odeme_core::Result<Router>, &str)> = vec![
        (Router::builder().build(), "at least one gateway"),
        (
            Router::weighted([("paytr", a.clone(), 0), ("craftgate", b.clone(), 1)]),
            "weight 0",
        ),
        (
            Router::failover([("x", a.clone()), ("x", b.clone())]),
            "two gateways are named `x`",
        ),
        (Router::failover([("has space", a.clone())]), "gateway name"),
        (
            Router::builder()
                .gateway("paytr", a.clone())
                .breaker(BreakerPolicy {
                    failure_threshold: 0,
                    ..BreakerPolicy::default()
                })
                .build(),
            "failure threshold",
        ),
        (
            Router::builder()
                .gateway("paytr", a.clone())
                .currencies("paytr", &[])
                .build(),
            "empty currency list",
        ),
    ];
    for (result, expected) in cases {
        match result {
            Err(Error::Configuration(message)) => {
                assert!(message.contains(expected), "{message} lacks {expected}")
            }
            other => panic!("expected a configuration error with {expected}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn fails_over_when_the_primary_is_down_and_follow_ups_stick() {
    let sandbox = Sandbox::start().await.unwrap();
    let router = Router::failover([
        ("paytr", paytr(&sandbox, short_timeout())),
        ("craftgate", craftgate(&sandbox)),
    ])
    .unwrap();
    let first = order("A");
    let paid = router
        .require_charges()
        .unwrap()
        .charge(&charge(&first, CARD))
        .await
        .unwrap();
    assert_eq!(paid.references[GATEWAY_REFERENCE], "paytr");

    sandbox.paytr.server().take_down().await;
    let second = order("B");
    let failed_over = router
        .require_charges()
        .unwrap()
        .charge(&charge(&second, CARD))
        .await
        .unwrap();
    assert_eq!(failed_over.references[GATEWAY_REFERENCE], "craftgate");
    assert_eq!(charges_at(&sandbox.craftgate, &second), 1);
    assert_eq!(charges_at(&sandbox.paytr, &second), 0);

    // The refund of the Craftgate payment goes to Craftgate even though PayTR is back.
    sandbox.paytr.server().bring_up().await.unwrap();
    let refund = router
        .require_refunds()
        .unwrap()
        .refund(&RefundRequest::full(&failed_over.id))
        .await
        .unwrap();
    assert_eq!(refund.provider, odeme_core::ProviderId::Craftgate);
    let status = router
        .require_status_query()
        .unwrap()
        .status(&StatusQuery::OrderId(first.clone()))
        .await
        .unwrap();
    assert_eq!(status.references[GATEWAY_REFERENCE], "paytr");
    assert_eq!(status.status, PaymentStatus::Succeeded);
}

#[tokio::test]
async fn a_soft_decline_moves_on_and_a_hard_one_does_not() {
    let sandbox = Sandbox::start().await.unwrap();
    let router = Router::failover([
        ("paytr", paytr(&sandbox, TransportConfig::default())),
        ("craftgate", craftgate(&sandbox)),
    ])
    .unwrap();
    let soft = order("S");
    let paid = router
        .require_charges()
        .unwrap()
        .charge(&charge(&soft, PAYTR_SOFT))
        .await
        .unwrap();
    assert_eq!(paid.references[GATEWAY_REFERENCE], "craftgate");
    assert_eq!(charges_at(&sandbox.craftgate, &soft), 1);

    let hard = order("H");
    let craftgate_before = sandbox.craftgate.requests().count();
    let error = router
        .require_charges()
        .unwrap()
        .charge(&charge(&hard, PAYTR_HARD))
        .await
        .unwrap_err();
    assert!(error.decline().is_some_and(|d| !d.soft), "{error:?}");
    assert_eq!(
        sandbox.craftgate.requests().count(),
        craftgate_before,
        "a hard decline is never sent on"
    );
    // A repeat of the declined order answers the same decline without sending anything.
    let before = sandbox.paytr.requests().count();
    let again = router
        .require_charges()
        .unwrap()
        .charge(&charge(&hard, PAYTR_HARD))
        .await
        .unwrap_err();
    assert_eq!(
        again.decline().map(|d| d.reason),
        error.decline().map(|d| d.reason)
    );
    assert_eq!(sandbox.paytr.requests().count(), before);
}

#[tokio::test]
async fn an_unknown_outcome_is_reconciled_at_the_primary_and_never_sent_elsewhere() {
    let sandbox = Sandbox::start().await.unwrap();
    let router = Router::failover([
        ("paytr", paytr(&sandbox, TransportConfig::default())),
        ("craftgate", craftgate(&sandbox)),
    ])
    .unwrap();
    let id = order("U");
    sandbox
        .paytr
        .faults()
        .inject_on("/odeme", Fault::DropAfterProcessing);
    let paid = router
        .require_charges()
        .unwrap()
        .charge(&charge(&id, CARD))
        .await
        .unwrap();
    assert_eq!(paid.references[GATEWAY_REFERENCE], "paytr");
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(charges_at(&sandbox.paytr, &id), 1);
    assert_eq!(sandbox.craftgate.requests().count(), 0);
}

#[tokio::test]
async fn the_breaker_opens_and_recovers() {
    let sandbox = Sandbox::start().await.unwrap();
    let clock = odeme_router::clock::ManualClock::new();
    let router = Router::builder()
        .gateway("paytr", paytr(&sandbox, short_timeout()))
        .gateway("craftgate", craftgate(&sandbox))
        .breaker(BreakerPolicy {
            failure_threshold: 3,
            cool_down: Duration::from_secs(60),
            probe_lease: Duration::from_secs(60),
        })
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    sandbox.paytr.server().take_down().await;
    for i in 0..6 {
        let paid = router
            .require_charges()
            .unwrap()
            .charge(&charge(&order(&format!("K{i}")), CARD))
            .await
            .unwrap();
        assert_eq!(paid.references[GATEWAY_REFERENCE], "craftgate");
    }
    assert!(matches!(
        router.health("paytr").await.unwrap(),
        odeme_router::Health::Open { .. }
    ));
    sandbox.paytr.server().bring_up().await.unwrap();
    // Still open: the cool-down has not passed, PayTR gets nothing.
    let before = sandbox.paytr.requests().count();
    router
        .require_charges()
        .unwrap()
        .charge(&charge(&order("K6"), CARD))
        .await
        .unwrap();
    assert_eq!(sandbox.paytr.requests().count(), before);
    clock.advance(Duration::from_secs(61));
    let probe = router
        .require_charges()
        .unwrap()
        .charge(&charge(&order("K7"), CARD))
        .await
        .unwrap();
    assert_eq!(probe.references[GATEWAY_REFERENCE], "paytr");
    assert_eq!(
        router.health("paytr").await.unwrap(),
        odeme_router::Health::Closed {
            consecutive_failures: 0
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_order_from_many_tasks_is_charged_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let router = Router::builder()
        .weighted("paytr", paytr(&sandbox, TransportConfig::default()), 1)
        .weighted("craftgate", craftgate(&sandbox), 1)
        .strategy(Strategy::Weighted)
        .build()
        .unwrap();
    let orders: Vec<String> = (0..20).map(|i| order(&format!("X{i}"))).collect();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let router = router.clone();
        let orders = orders.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for id in &orders {
                let payment = router
                    .require_charges()
                    .unwrap()
                    .charge(&charge(id, CARD))
                    .await
                    .unwrap();
                ids.push(payment.id);
            }
            ids
        }));
    }
    let mut seen: Vec<Vec<String>> = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    for window in seen.windows(2) {
        assert_eq!(
            window[0], window[1],
            "every task sees the same payment per order"
        );
    }
    for id in &orders {
        let total = charges_at(&sandbox.paytr, id) + charges_at(&sandbox.craftgate, id);
        assert_eq!(total, 1, "order {id}");
    }
}
