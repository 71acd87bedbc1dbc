//! The exactly-once and fail-closed rules with scripted in-process gateways, where each
//! answer (a payment, an unknown outcome, a refused connection) is chosen by the test and
//! every call is counted: abandoned claims are taken over safely, unknown outcomes are
//! only ever reconciled where they happened, and a store that fails sends nothing.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use odeme_core::{Error, GatewayExt, ProviderId};
use odeme_router::clock::ManualClock;
use odeme_router::store::{
    Attempt, AttemptState, BreakerCounters, Claim, MemoryStore, OpenAttempt, OutcomeWindow,
    OwnerKind, RouterStore, StoreError, StoreResult,
};
use odeme_router::{Router, Timings};

mod support;
use support::{charge, request, Answer, Scripted};

fn router(a: &Arc<Scripted>, b: &Arc<Scripted>, store: Arc<dyn RouterStore>) -> Router {
    Router::builder()
        .gateway("a", a.clone())
        .gateway("b", b.clone())
        .store(store)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_unknown_outcome_not_found_at_a_stays_unknown_and_b_is_never_asked() {
    let a = Scripted::new(ProviderId::Paytr, &[Answer::Unknown], false);
    let b = Scripted::new(ProviderId::Craftgate, &[], true);
    let router = router(&a, &b, Arc::new(MemoryStore::new()));
    let charges = router.require_charges().unwrap();
    for round in 0..3 {
        let error = charges.charge(&request("O1")).await.unwrap_err();
        assert!(error.is_unknown_outcome(), "round {round}: {error:?}");
    }
    assert_eq!(a.charges(), 1, "A is sent the charge once");
    assert_eq!(a.statuses(), 3, "each repeat reconciles at A again");
    assert_eq!(b.charges() + b.statuses(), 0, "B never hears of the order");
}

#[tokio::test]
async fn an_unknown_outcome_found_at_a_is_the_payment() {
    let a = Scripted::new(ProviderId::Paytr, &[Answer::Unknown], true);
    let b = Scripted::new(ProviderId::Craftgate, &[], true);
    let router = router(&a, &b, Arc::new(MemoryStore::new()));
    let paid = charge(&router, "O2").await.unwrap();
    assert_eq!(paid.provider, ProviderId::Paytr);
    assert_eq!((a.charges(), b.charges()), (1, 0));
}

#[tokio::test]
async fn a_refused_connection_moves_on_and_a_repeat_does_not_charge_again() {
    let a = Scripted::new(ProviderId::Paytr, &[Answer::Refused], true);
    let b = Scripted::new(ProviderId::Craftgate, &[], true);
    let router = router(&a, &b, Arc::new(MemoryStore::new()));
    let charges = router.require_charges().unwrap();
    let first = charges.charge(&request("O3")).await.unwrap();
    assert_eq!(first.provider, ProviderId::Craftgate);
    let again = charges.charge(&request("O3")).await.unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!((a.charges(), b.charges()), (0, 1));
}

#[tokio::test]
async fn an_abandoned_claim_is_taken_over_only_after_its_lease() {
    let store = Arc::new(MemoryStore::new());
    let clock = ManualClock::new();
    let a = Scripted::new(ProviderId::Paytr, &[], true);
    let b = Scripted::new(ProviderId::Craftgate, &[], true);
    let router = Router::builder()
        .gateway("a", a.clone())
        .gateway("b", b.clone())
        .store(store.clone())
        .clock(Arc::new(clock.clone()))
        .timings(Timings {
            wait_for_in_flight: Duration::from_millis(100),
            ..Timings::default()
        })
        .build()
        .unwrap();
    // Another instance claimed "O4", marked it as being sent to A, then died.
    let mut dead = Attempt::claim("O4", "dead-instance", clock_ms(&clock) + 60_000);
    dead.state = AttemptState::Sending;
    dead.gateway = Some("a".into());
    assert_eq!(
        store
            .claim("order:O4", &dead, Duration::from_secs(3600))
            .await
            .unwrap(),
        Claim::Claimed
    );
    // While its lease stands, a repeat neither charges nor reconciles: it is in progress.
    let error = charge(&router, "O4").await.unwrap_err();
    assert!(error.is_unknown_outcome(), "{error:?}");
    assert_eq!(a.charges() + a.statuses() + b.charges() + b.statuses(), 0);
    // After the lease, the repeat reconciles at A (where it may have been sent): A has
    // nothing, so it is still unknown, and B is never sent the charge.
    clock.advance(Duration::from_secs(61));
    let error = charge(&router, "O4").await.unwrap_err();
    assert!(error.is_unknown_outcome(), "{error:?}");
    assert_eq!((a.charges(), a.statuses(), b.charges()), (0, 1, 0));

    // An attempt abandoned before anything was sent is simply carried on.
    let routing = Attempt::claim("O5", "dead-instance", clock_ms(&clock) + 1_000);
    store
        .claim("order:O5", &routing, Duration::from_secs(3600))
        .await
        .unwrap();
    clock.advance(Duration::from_secs(2));
    let paid = charge(&router, "O5").await.unwrap();
    assert_eq!(paid.provider, ProviderId::Paytr);
    assert_eq!(a.charges(), 1);
}

fn clock_ms(clock: &ManualClock) -> u64 {
    odeme_router::clock::Clock::now_ms(clock)
}

/// A store that is down: every operation fails.
#[derive(Debug)]
struct DownStore;

fn down<T>() -> StoreResult<T> {
    Err(StoreError("connection refused".into()))
}

#[async_trait]
impl RouterStore for DownStore {
    async fn claim(&self, _: &str, _: &Attempt, _: Duration) -> StoreResult<Claim> {
        down()
    }
    async fn replace(&self, _: &str, _: &str, _: &Attempt, _: Duration) -> StoreResult<bool> {
        down()
    }
    async fn attempt(&self, _: &str) -> StoreResult<Option<Attempt>> {
        down()
    }
    async fn release(&self, _: &str, _: &str) -> StoreResult<()> {
        down()
    }
    async fn set_owner(&self, _: OwnerKind, _: &str, _: &str, _: Duration) -> StoreResult<()> {
        down()
    }
    async fn owner(&self, _: OwnerKind, _: &str) -> StoreResult<Option<String>> {
        down()
    }
    async fn breaker(&self, _: &str) -> StoreResult<BreakerCounters> {
        down()
    }
    async fn record_failure(&self, _: &str) -> StoreResult<u32> {
        down()
    }
    async fn record_success(&self, _: &str) -> StoreResult<()> {
        down()
    }
    async fn open(&self, _: &str, _: u64) -> StoreResult<()> {
        down()
    }
    async fn try_probe(&self, _: &str, _: u64, _: Duration) -> StoreResult<bool> {
        down()
    }
    async fn record_outcome(&self, _: &[String], _: bool, _: u32, _: Duration) -> StoreResult<()> {
        down()
    }
    async fn outcome_windows(&self, _: &[String]) -> StoreResult<Vec<OutcomeWindow>> {
        down()
    }
    async fn mark_open(&self, _: &str, _: u64) -> StoreResult<()> {
        down()
    }
    async fn clear_open(&self, _: &str) -> StoreResult<()> {
        down()
    }
    async fn open_attempts(&self, _: usize) -> StoreResult<Vec<OpenAttempt>> {
        down()
    }
    async fn try_lease(&self, _: &str, _: &str, _: Duration) -> StoreResult<bool> {
        down()
    }
    async fn release_lease(&self, _: &str, _: &str) -> StoreResult<()> {
        down()
    }
}

#[tokio::test]
async fn a_store_that_is_down_fails_closed() {
    let a = Scripted::new(ProviderId::Paytr, &[], true);
    let b = Scripted::new(ProviderId::Craftgate, &[], true);
    let router = router(&a, &b, Arc::new(DownStore));
    let error = charge(&router, "O6").await.unwrap_err();
    assert!(matches!(error, Error::Unavailable(_)), "{error:?}");
    assert!(error.is_safe_to_retry());
    assert_eq!(a.charges() + b.charges(), 0, "nothing is sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_repeats_wait_for_the_first_and_share_its_payment() {
    let a = Scripted::new(ProviderId::Paytr, &[], true);
    let b = Scripted::new(ProviderId::Craftgate, &[], true);
    let router = router(&a, &b, Arc::new(MemoryStore::new()));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let router = router.clone();
        tasks.push(tokio::spawn(async move {
            charge(&router, "O7").await.map(|p| p.id)
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(a.charges() + b.charges(), 1);
}
