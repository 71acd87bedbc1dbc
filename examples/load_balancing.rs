//! Load-balancing across two providers with one `Router`: 1,000 charges split 70/30 between
//! PayTR and Craftgate, with PayTR taken down in the middle of the run and brought back.
//!
//! What it shows: while both are up the split is exactly 70/30 (smooth weighted
//! round-robin); while PayTR is down its charges fail over to Craftgate, its circuit opens
//! after a few refused connections so PayTR stops being tried at all, and after the
//! cool-down a probe finds it back and the split resumes. At the end the two simulators'
//! ledgers are checked: exactly one charge per order, none lost, none doubled.
//!
//! Run with `cargo run --example load_balancing`.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use odeme::router::{BreakerPolicy, Health, Router, Strategy, GATEWAY_REFERENCE};
use odeme::{Card, ChargeRequest, Expiry, Gateway, GatewayExt, LineItem, Money, PaymentSource};
use odeme_sandbox::{LedgerKind, Sandbox, Simulator};
use tokio::task::JoinSet;

const CHARGES: usize = 1_000;
/// Charges in flight at once, as a busy checkout would have.
const IN_FLIGHT: usize = 16;
/// PayTR goes down after this many charges and comes back after `UP_AGAIN`.
const DOWN_AT: usize = 400;
const UP_AGAIN: usize = 700;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn request(order_id: &str) -> Result<ChargeRequest, Error> {
    // Approved by every simulator.
    let card = Card::new(
        "4355084355084358",
        Expiry::new(12, 2030)?,
        "000",
        "AYSE YILMAZ",
    )?;
    let amount = Money::from_minor(10_000, odeme::Currency::TRY)?;
    Ok(ChargeRequest::new(
        order_id,
        amount,
        PaymentSource::NewCard(card),
        support::customer(),
    )
    .with_billing(support::billing())
    .with_items(vec![LineItem::new("Ticket", amount, 1)]))
}

fn health_text(health: &Health) -> String {
    match health {
        Health::Closed {
            consecutive_failures,
        } => format!("closed ({consecutive_failures} failures in a row)"),
        Health::Open { .. } => "open (no charges are sent to it)".to_owned(),
        Health::HalfOpen => "half-open (the next charge is a probe)".to_owned(),
        _ => "unknown".to_owned(),
    }
}

/// One batch of charges, `IN_FLIGHT` at a time; returns the gateway each order went to.
async fn charge_batch(router: &Router, orders: &[String]) -> Result<Vec<(String, String)>, Error> {
    let mut done = Vec::with_capacity(orders.len());
    for chunk in orders.chunks(IN_FLIGHT) {
        let mut tasks = JoinSet::new();
        for order in chunk {
            let router = router.clone();
            let request = request(order)?;
            tasks.spawn(async move {
                let payment = router.require_charges()?.charge(&request).await?;
                let gateway = payment
                    .references
                    .get(GATEWAY_REFERENCE)
                    .cloned()
                    .unwrap_or_default();
                Ok::<_, odeme::Error>((request.order_id, gateway))
            });
        }
        while let Some(joined) = tasks.join_next().await {
            done.push(joined??);
        }
    }
    Ok(done)
}

fn split(done: &[(String, String)]) -> BTreeMap<String, usize> {
    let mut at = BTreeMap::new();
    for (_, gateway) in done {
        *at.entry(gateway.clone()).or_insert(0) += 1;
    }
    at
}

fn print_split(title: &str, done: &[(String, String)]) {
    let at = split(done);
    let shown: Vec<String> = at.iter().map(|(g, n)| format!("{g} {n}")).collect();
    println!(
        "{title:<34} {:>4} charges: {}",
        done.len(),
        shown.join(", ")
    );
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let sandbox = Sandbox::start().await?;
    let paytr: Arc<dyn Gateway> = support::paytr(&sandbox)?;
    let craftgate: Arc<dyn Gateway> = support::craftgate(&sandbox)?;
    // A short cool-down so that the circuit's recovery shows within the run; production
    // keeps the default (30 s).
    let router = Router::builder()
        .weighted("paytr", paytr, 70)
        .weighted("craftgate", craftgate, 30)
        .strategy(Strategy::Weighted)
        .breaker(BreakerPolicy {
            failure_threshold: 5,
            cool_down: Duration::from_millis(500),
            probe_lease: Duration::from_secs(5),
        })
        .build()?;

    let orders: Vec<String> = (0..CHARGES)
        .map(|i| format!("LB{}N{i}", support::order_id("R")))
        .collect();
    let started = Instant::now();

    println!("1,000 charges, weights paytr 70 / craftgate 30, {IN_FLIGHT} in flight\n");
    let before = charge_batch(&router, &orders[..DOWN_AT]).await?;
    print_split("both up", &before);

    sandbox.paytr.server().take_down().await;
    let down = charge_batch(&router, &orders[DOWN_AT..UP_AGAIN]).await?;
    print_split("PayTR down (connections refused)", &down);
    println!(
        "{:<34} {}",
        "  PayTR's circuit",
        health_text(&router.health("paytr").await?)
    );

    sandbox.paytr.server().bring_up().await?;
    // Let the cool-down pass so the next PayTR pick is the half-open probe.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let after = charge_batch(&router, &orders[UP_AGAIN..]).await?;
    print_split("PayTR back", &after);
    println!(
        "{:<34} {}",
        "  PayTR's circuit",
        health_text(&router.health("paytr").await?)
    );

    let all: Vec<(String, String)> = before
        .into_iter()
        .chain(down.clone())
        .chain(after)
        .collect();
    let elapsed = started.elapsed();
    println!();
    print_split("in all", &all);
    // While PayTR was down Craftgate took everything: its own 30 % share, and PayTR's
    // picks, which failed over.
    let craftgate_while_down = split(&down).get("craftgate").copied().unwrap_or(0);
    let own_share = down.len() * 3 / 10;
    println!(
        "{:<34} {} (Craftgate took {craftgate_while_down} while PayTR was down, {own_share} of them its own share)",
        "failed over to craftgate",
        craftgate_while_down.saturating_sub(own_share),
    );
    println!(
        "{:<34} {:.2} s ({:.0} charges/s)",
        "time",
        elapsed.as_secs_f64(),
        CHARGES as f64 / elapsed.as_secs_f64()
    );

    // The ledgers are the simulators' own record of money taken.
    let mut wrong = Vec::new();
    for order in &orders {
        let charges = sandbox
            .paytr
            .ledger()
            .for_order(order, LedgerKind::Charge)
            .len()
            + sandbox
                .craftgate
                .ledger()
                .for_order(order, LedgerKind::Charge)
                .len();
        if charges != 1 {
            wrong.push(format!("{order}: {charges} charges"));
        }
    }
    if !wrong.is_empty() {
        return Err(format!("orders without exactly one charge: {}", wrong.join(", ")).into());
    }
    println!(
        "{:<34} exactly one charge for each of the {CHARGES} orders",
        "ledgers"
    );
    Ok(())
}
