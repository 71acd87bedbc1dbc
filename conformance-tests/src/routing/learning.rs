//! Approval-rate and cost-aware routing, route explanations and the reconciliation
//! sweeper, on two simulators whose approval rates are set per BIN.

use std::sync::Arc;
use std::time::Duration;

use odeme::router::store::RouterStore;
use odeme::router::{
    ApprovalRouting, BreakerPolicy, CascadePolicy, ProcessingCost, RouteExplanation, Router,
    Strategy, SweepPolicy, Sweeper, GATEWAY_REFERENCE,
};
use odeme::{ChargeRequest, Payment, TransportConfig};
use odeme_sandbox::{Fault, FaultRule, Simulator};
use rust_decimal::Decimal;
use tokio::task::JoinSet;

use super::{RoutingEnv, RoutingScenario, UNIVERSAL_CARD};
use crate::harness::{fail, Check, Fail};
use crate::profile::{BoxFuture, TestCard};
use crate::{ensure, ensure_eq};

/// Every scenario of the section, in report order.
pub fn all() -> Vec<RoutingScenario> {
    vec![
        routing!(
            "approval-rate routing learns per BIN, beats a 50/50 split and follows a swap",
            learns_and_follows
        ),
        routing!(
            "expected value: the cheaper gateway wins at equal approval, not at 10 points less",
            cost_aware
        ),
        routing!(
            "sweeper: 500 charges with drops and time-outs end matching the ledgers",
            sweeper_settles_everything
        ),
        routing!(
            "two sweepers share the open records, and one killed mid-sweep is taken over",
            two_sweepers_and_a_killed_one
        ),
    ]
}

/// Card X (BIN 435508) and card Y (BIN 411111): every simulator approves both.
const CARD_X: TestCard = UNIVERSAL_CARD;
const CARD_Y: TestCard = TestCard {
    number: "4111111111111111",
    cvc: "000",
};
const BIN_X: &str = "435508";
const BIN_Y: &str = "411111";
/// Charges in flight at once.
const IN_FLIGHT: usize = 16;

fn gateway_of(payment: &Payment) -> &str {
    payment
        .references
        .get(GATEWAY_REFERENCE)
        .map_or("(none)", String::as_str)
}

/// One routed charge as a scenario sees it.
struct Routed {
    order: String,
    card: TestCard,
    gateway: Option<String>,
    explanation: RouteExplanation,
}

/// Charges `requests` through `router`, `IN_FLIGHT` at a time, in order of completion
/// within each batch; every approved one is checked to be explained down to its owner.
async fn charge_all(
    router: &Router,
    requests: Vec<(TestCard, ChargeRequest)>,
) -> Result<Vec<Routed>, Fail> {
    let mut out = Vec::with_capacity(requests.len());
    let mut pending = requests.into_iter();
    loop {
        let mut batch = JoinSet::new();
        for (card, request) in pending.by_ref().take(IN_FLIGHT) {
            let router = router.clone();
            batch.spawn(async move {
                let (result, explanation) = router.charge_explained(&request).await;
                (request.order_id.clone(), card, result, explanation)
            });
        }
        if batch.is_empty() {
            return Ok(out);
        }
        while let Some(done) = batch.join_next().await {
            let (order, card, result, explanation) =
                done.map_err(|e| fail(format!("a charge task failed: {e}")))?;
            let gateway = result.ok().map(|p| gateway_of(&p).to_owned());
            if let Some(owner) = &gateway {
                ensure_eq!(
                    explanation.last_gateway().map(str::to_owned),
                    Some(owner.clone()),
                    "the route's last entry for {order} ({explanation})"
                );
            }
            out.push(Routed {
                order,
                card,
                gateway,
                explanation,
            });
        }
    }
}

/// `count` charges alternating between cards X and Y.
fn mixed(env: &RoutingEnv, count: usize) -> Result<Vec<(TestCard, ChargeRequest)>, Fail> {
    (0..count)
        .map(|i| {
            let card = if i % 2 == 0 { CARD_X } else { CARD_Y };
            Ok((card, env.charge(&env.order_id(), card)?))
        })
        .collect()
}

fn set_rates(env: &RoutingEnv, x_at_a: f64, y_at_a: f64) {
    let (a, b) = (env.a.sim().approval(), env.b.sim().approval());
    a.seed(11);
    b.seed(29);
    a.set(BIN_X, x_at_a);
    a.set(BIN_Y, y_at_a);
    b.set(BIN_X, y_at_a);
    b.set(BIN_Y, x_at_a);
}

/// Whether `sim` approves `order` on `card` under its rules.
fn approves(sim: &dyn Simulator, order: &str, card: TestCard) -> bool {
    let bin = card.number.get(..6).unwrap_or_default();
    sim.approval().declines(order, bin) == Some(false)
}

/// Per routed charge: (approved by the router, approved by the better gateway, approved
/// on average by a 50/50 split), from the simulators' own rules.
fn tallies(env: &RoutingEnv, routed: &[Routed], better_x_is_a: bool) -> Vec<(f64, f64, f64)> {
    routed
        .iter()
        .map(|r| {
            let at_a = approves(env.a.sim(), &r.order, r.card);
            let at_b = approves(env.b.sim(), &r.order, r.card);
            let a_is_better = (r.card.number == CARD_X.number) == better_x_is_a;
            let oracle = if a_is_better { at_a } else { at_b };
            let split = (f64::from(u8::from(at_a)) + f64::from(u8::from(at_b))) / 2.0;
            (
                f64::from(u8::from(r.gateway.is_some())),
                f64::from(u8::from(oracle)),
                split,
            )
        })
        .collect()
}

fn share(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0.0), |(s, n), v| (s + v, n + 1.0));
    if n > 0.0 {
        sum / n
    } else {
        0.0
    }
}

async fn learns_and_follows(env: &RoutingEnv) -> Check {
    set_rates(env, 0.9, 0.6);
    let settings = ApprovalRouting {
        seed: Some(7),
        ..ApprovalRouting::default()
    };
    let router = env
        .builder()?
        .strategy(Strategy::ApprovalRate(settings))
        // Measure the routing decision itself: a declined charge is not retried elsewhere.
        .cascade(CascadePolicy {
            on_soft_decline: false,
            ..CascadePolicy::default()
        })
        .build()?;
    let learning = charge_all(&router, mixed(env, 4_000)?).await?;
    let mut rows = tallies(env, &learning, true);
    let achieved = share(rows.iter().map(|r| r.0));
    let oracle = share(rows.iter().map(|r| r.1));
    let split = share(rows.iter().map(|r| r.2));
    set_rates(env, 0.6, 0.9);
    let swapped = charge_all(&router, mixed(env, 1_000)?).await?;
    rows.extend(tallies(env, &swapped, false));
    let mut curve = String::from("charges | router | oracle\n");
    for (i, chunk) in rows.chunks(250).enumerate() {
        curve.push_str(&format!(
            "{:>5}-{:<5} | {:.3} | {:.3}\n",
            i * 250,
            i * 250 + chunk.len(),
            share(chunk.iter().map(|r| r.0)),
            share(chunk.iter().map(|r| r.1)),
        ));
    }
    eprintln!(
        "approval-rate routing, {} → {}: achieved {achieved:.3}, oracle {oracle:.3}, 50/50 split {split:.3}\n{curve}",
        env.pa.provider, env.pb.provider
    );
    let close_to_oracle = achieved >= oracle - 0.03;
    ensure!(
        close_to_oracle,
        "achieved {achieved:.3}, more than 3 points below the oracle's {oracle:.3}\n{curve}"
    );
    let beats_split = achieved >= split + 0.10;
    ensure!(
        beats_split,
        "achieved {achieved:.3}, less than 10 points above a 50/50 split's {split:.3}\n{curve}"
    );
    // 500 charges after the swap the router has followed: charges 500-750 after it are
    // as good as the oracle's, within the noise of 250 charges.
    let after = &rows[4_500..4_750];
    let (followed, best) = (
        share(after.iter().map(|r| r.0)),
        share(after.iter().map(|r| r.1)),
    );
    let has_followed = followed >= best - 0.04;
    ensure!(
        has_followed,
        "500-750 charges after the swap: {followed:.3} against the oracle's {best:.3}\n{curve}"
    );
    no_double_charges(
        env,
        learning.iter().chain(&swapped).map(|r| r.order.as_str()),
    )
}

fn no_double_charges<'a>(env: &RoutingEnv, orders: impl Iterator<Item = &'a str>) -> Check {
    for order in orders {
        let total = env.charges_at_a(order) + env.charges_at_b(order);
        ensure!(total <= 1, "order {order} was charged {total} times");
    }
    Ok(())
}

fn cost_router(env: &RoutingEnv, a: &str, b: &str) -> Result<Router, Fail> {
    let settings = ApprovalRouting {
        exploration: 0.05,
        seed: Some(3),
        ..ApprovalRouting::default()
    };
    let cost = |percent: Decimal| {
        ProcessingCost::new(percent, Decimal::ZERO).map_err(|e| fail(e.to_string()))
    };
    Ok(Router::builder()
        .gateway(a, env.gateway_a()?)
        .gateway(b, env.gateway_b()?)
        .store(env.store())
        .cost(a, cost(Decimal::new(25, 1))?)
        .cost(b, cost(Decimal::new(19, 1))?)
        .strategy(Strategy::ExpectedValue(settings))
        .cascade(CascadePolicy {
            on_soft_decline: false,
            ..CascadePolicy::default()
        })
        .build()?)
}

fn card_x_charges(env: &RoutingEnv, count: usize) -> Result<Vec<(TestCard, ChargeRequest)>, Fail> {
    (0..count)
        .map(|_| Ok((CARD_X, env.charge(&env.order_id(), CARD_X)?)))
        .collect()
}

async fn cost_aware(env: &RoutingEnv) -> Check {
    // Equal approval (both approve every charge): the cheaper B takes the traffic.
    let router = cost_router(env, "equal-a", "equal-b")?;
    let routed = charge_all(&router, card_x_charges(env, 400)?).await?;
    let to_b = routed
        .iter()
        .filter(|r| r.gateway.as_deref() == Some("equal-b"))
        .count();
    ensure!(
        to_b * 10 >= routed.len() * 9,
        "B (1.9 %) took {to_b} of {}",
        routed.len()
    );
    // B approves 10 points less: A (2.5 %) is worth more and takes over.
    env.b.sim().approval().set(BIN_X, 0.9);
    let router = cost_router(env, "dear-a", "cheap-b")?;
    // At a 5 % exploration share A has its 10 outcomes after ~200 charges (later in the
    // tail): the last 300 of 800 are well past that.
    let routed = charge_all(&router, card_x_charges(env, 800)?).await?;
    let late = &routed[500..];
    let to_a = late
        .iter()
        .filter(|r| r.explanation.tried.first().map(|t| t.gateway.as_str()) == Some("dear-a"))
        .count();
    ensure!(
        to_a * 10 >= late.len() * 7,
        "with B approving 10 points less, A was tried first for {to_a} of the last {}: {}",
        late.len(),
        late.last()
            .map(|r| r.explanation.to_string())
            .unwrap_or_default()
    );
    Ok(())
}

/// A router whose gateway A answers within 1 s, so a request held 1.5 s is a time-out;
/// failover to B only when A cannot be reached.
fn sweep_router(env: &RoutingEnv) -> Result<Router, Fail> {
    let quick = TransportConfig {
        timeout: Duration::from_secs(1),
        ..TransportConfig::default()
    };
    let (a, b) = env.names();
    Ok(Router::builder()
        .gateway(
            a,
            env.a
                .gateway(quick)
                .map_err(|e| fail(format!("gateway A: {e}")))?,
        )
        .gateway(b, env.gateway_b()?)
        .store(env.store())
        .strategy(Strategy::Failover)
        // Keep A's circuit closed through the faults, so every charge meets them at A.
        .breaker(BreakerPolicy {
            failure_threshold: 10_000,
            ..BreakerPolicy::default()
        })
        .build()?)
}

/// 500 charges at A, 100 of them cut after processing and 50 timed out before it.
async fn faulted_charges(env: &RoutingEnv, router: &Router) -> Result<Vec<String>, Fail> {
    let faults = env.a.sim().faults();
    for (fault, times) in [
        (Fault::DropAfterProcessing, 100),
        (
            Fault::TimeoutBeforeProcessing(Duration::from_millis(1_500)),
            50,
        ),
    ] {
        faults.add(FaultRule {
            path_prefix: Some(env.pa.charge_path.to_owned()),
            method: Some("POST".into()),
            fault,
            times,
        });
    }
    let requests = (0..500)
        .map(|_| Ok((CARD_X, env.charge(&env.order_id(), CARD_X)?)))
        .collect::<Result<Vec<_>, Fail>>()?;
    let routed = charge_all(router, requests).await?;
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for r in &routed {
        let last = r
            .explanation
            .tried
            .last()
            .map_or("(none)", |t| t.outcome.as_str());
        *outcomes.entry(last.to_owned()).or_default() += 1;
    }
    eprintln!(
        "faulted charges {} → {}: {} faults unused; outcomes {outcomes:?}",
        env.pa.provider,
        env.pb.provider,
        faults.pending()
    );
    faults.clear();
    Ok(routed.into_iter().map(|r| r.order).collect())
}

fn sweep_policy() -> SweepPolicy {
    SweepPolicy {
        lease: Duration::from_secs(2),
        backoff: Duration::from_millis(50),
        // Every request was given far longer than its time-out to arrive (above).
        not_found_is_final_after: Duration::ZERO,
        ..SweepPolicy::default()
    }
}

/// Every order's record against the ledgers: charged once where the record says, or
/// nowhere when the record says not charged (or was released).
async fn matches_ledgers(
    env: &RoutingEnv,
    store: &Arc<dyn RouterStore>,
    orders: &[String],
) -> Check {
    let (a, b) = env.names();
    let mut mismatches = Vec::new();
    for order in orders {
        let (at_a, at_b) = (env.charges_at_a(order), env.charges_at_b(order));
        ensure!(
            at_a + at_b <= 1,
            "order {order} charged {} times",
            at_a + at_b
        );
        let record = store
            .attempt(&format!("order:{order}"))
            .await
            .map_err(|e| fail(e.to_string()))?;
        let charged_at = record
            .as_ref()
            .filter(|r| r.state == odeme::router::store::AttemptState::Succeeded)
            .and_then(|r| r.gateway.clone());
        let ledger = match (at_a, at_b) {
            (1, _) => Some(a.to_owned()),
            (_, 1) => Some(b.to_owned()),
            _ => None,
        };
        if charged_at != ledger {
            mismatches.push(format!("{order}: store {charged_at:?}, ledger {ledger:?}"));
        }
        let open = record
            .as_ref()
            .is_some_and(|r| r.state == odeme::router::store::AttemptState::Unknown);
        ensure!(!open, "order {order} is still open after the sweep");
    }
    ensure!(
        mismatches.is_empty(),
        "{} mismatches: {}",
        mismatches.len(),
        mismatches.join("; ")
    );
    Ok(())
}

async fn sweeper_settles_everything(env: &RoutingEnv) -> Check {
    let router = sweep_router(env)?;
    let orders = faulted_charges(env, &router).await?;
    let sweeper = Sweeper::new(&router).with_policy(sweep_policy())?;
    let report = sweeper.sweep().await?;
    eprintln!(
        "sweep {} → {}: {report:?}",
        env.pa.provider, env.pb.provider
    );
    ensure!(
        report.found > 0,
        "nothing was left open to sweep: {report:?}"
    );
    ensure!(
        report.still_open.is_empty(),
        "left open: {:?}",
        report.still_open
    );
    ensure_eq!(
        report.found,
        report.charged + report.not_charged + report.already_settled,
        "every record found has a verdict ({report:?})"
    );
    matches_ledgers(env, &env.store(), &orders).await
}

async fn two_sweepers_and_a_killed_one(env: &RoutingEnv) -> Check {
    let router = sweep_router(env)?;
    let orders = faulted_charges(env, &router).await?;
    let one = Sweeper::new(&router).with_policy(sweep_policy())?;
    let two = Sweeper::new(&router).with_policy(sweep_policy())?;
    // One is killed a moment into its sweep: whatever it leased stays leased until the
    // lease expires, then the other takes it.
    let killed = tokio::spawn({
        let one = one.clone();
        async move { one.sweep().await }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    killed.abort();
    let three = Sweeper::new(&router).with_policy(sweep_policy())?;
    let (first, second) = tokio::join!(two.sweep(), three.sweep());
    let (first, second) = (first?, second?);
    ensure!(
        first.still_open.is_empty() && second.still_open.is_empty(),
        "left open: {:?} {:?}",
        first.still_open,
        second.still_open
    );
    tokio::time::sleep(sweep_policy().lease).await;
    let last = two.sweep().await?;
    ensure!(
        last.still_open.is_empty(),
        "left open: {:?}",
        last.still_open
    );
    ensure_eq!(
        last.leased_elsewhere,
        0,
        "leases of the killed sweeper outlived it"
    );
    eprintln!(
        "two sweepers {} → {}: {first:?} / {second:?} / after the lease: {last:?}",
        env.pa.provider, env.pb.provider
    );
    matches_ledgers(env, &env.store(), &orders).await
}
