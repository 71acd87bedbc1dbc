//! The reconciliation sweeper: every attempt left open (an unknown outcome, a 3-D Secure
//! payment not completed in its window) is asked about at the gateway it was sent to, by
//! order id (a read, never a write), until it has a verdict.
//!
//! Several sweepers, in one process or in many sharing a Redis store, share the work: each
//! record is swept under a lease in the store, so no record is swept by two at once, and
//! the lease of a sweeper that died expires and another takes the record.

use std::time::Duration;

use odeme_core::{Error, PaymentStatus, Result};

use crate::clock::millis;
use crate::reconcile::{self, Reconciled};
use crate::router::{store_unavailable, Router};
use crate::store::{Attempt, AttemptState};

/// How a [`Sweeper`] works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepPolicy {
    /// Open records looked at per sweep.
    pub batch: usize,
    /// How long a sweeper holds one record; longer than a few status queries.
    pub lease: Duration,
    /// Status queries per record per sweep before it is left open for the next sweep.
    pub queries: u32,
    /// The wait before the second query, doubled for each further one.
    pub backoff: Duration,
    /// A gateway that still does not know an order this long after the record was opened
    /// never received the charge: the verdict is "not charged". Shorter than the adapters'
    /// time-outs this would be a guess, so it must be longer. Default 10 minutes.
    pub not_found_is_final_after: Duration,
    /// Whether an order found not charged gets its key back (a new charge of it may then
    /// be sent) or keeps its declined record (a repeat answers the decline). Default: back.
    pub release_not_charged: bool,
}

impl Default for SweepPolicy {
    fn default() -> Self {
        Self {
            batch: 500,
            lease: Duration::from_secs(60),
            queries: 3,
            backoff: Duration::from_millis(200),
            not_found_is_final_after: Duration::from_secs(600),
            release_not_charged: true,
        }
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Open records due for sweeping.
    pub found: usize,
    /// Found charged (paid, authorized or refunded since) at their gateway.
    pub charged: usize,
    /// Found not charged (failed, cancelled, or never received).
    pub not_charged: usize,
    /// Settled meanwhile by a repeat of the charge, or expired: only taken off the list.
    pub already_settled: usize,
    /// Held by another sweeper this time.
    pub leased_elsewhere: usize,
    /// Still open after this sweep, each with its key and why.
    pub still_open: Vec<(String, String)>,
    /// How long the oldest record still open has been open.
    pub oldest_open: Option<Duration>,
}

/// Sweeps a router's open records, each with the gateway that owns it, under store leases.
#[derive(Debug, Clone)]
pub struct Sweeper {
    router: Router,
    policy: SweepPolicy,
    id: String,
}

impl Sweeper {
    /// A sweeper of `router`'s store with the default policy.
    pub fn new(router: &Router) -> Self {
        Self {
            router: router.clone(),
            policy: SweepPolicy::default(),
            id: format!("sweeper-{}", uuid::Uuid::new_v4()),
        }
    }

    /// The same sweeper with `policy`.
    pub fn with_policy(mut self, policy: SweepPolicy) -> Result<Self> {
        if policy.batch == 0 || policy.queries == 0 || policy.lease.is_zero() {
            return Err(Error::Configuration(
                "sweeper: batch, queries and lease must be larger than 0".into(),
            ));
        }
        self.policy = policy;
        Ok(self)
    }

    /// Runs [`Sweeper::sweep`] every `every` until the task is aborted; each report is a
    /// `tracing` event (target `odeme_router::sweep`).
    pub fn spawn(self, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                match self.sweep().await {
                    Ok(report) => tracing::info!(target: "odeme_router::sweep", ?report, "swept"),
                    Err(e) => {
                        tracing::warn!(target: "odeme_router::sweep", error = %e, "sweep failed")
                    }
                }
            }
        })
    }

    /// One pass over the open records that are due.
    pub async fn sweep(&self) -> Result<SweepReport> {
        let store = &self.router.inner.store;
        let now = self.router.inner.clock.now_ms();
        let open = store
            .open_attempts(self.policy.batch)
            .await
            .map_err(store_unavailable)?;
        let mut report = SweepReport::default();
        for entry in open.into_iter().filter(|o| o.due_ms <= now) {
            report.found = report.found.saturating_add(1);
            let lease = format!("sweep:{}", entry.key);
            let leased = store
                .try_lease(&lease, &self.id, self.policy.lease)
                .await
                .map_err(store_unavailable)?;
            if !leased {
                report.leased_elsewhere = report.leased_elsewhere.saturating_add(1);
                continue;
            }
            let age = Duration::from_millis(now.saturating_sub(entry.due_ms));
            let verdict = self.settle(&entry.key, age).await;
            if let Err(e) = store.release_lease(&lease, &self.id).await {
                tracing::warn!(target: "odeme_router::sweep", error = %e, "lease not released; it expires");
            }
            match verdict? {
                Verdict::Charged => report.charged = report.charged.saturating_add(1),
                Verdict::NotCharged => report.not_charged = report.not_charged.saturating_add(1),
                Verdict::Settled => {
                    report.already_settled = report.already_settled.saturating_add(1)
                }
                Verdict::Open(why) => {
                    report.oldest_open = report.oldest_open.max(Some(age));
                    report.still_open.push((entry.key.clone(), why));
                }
            }
        }
        Ok(report)
    }

    /// Asks the owning gateway about one open record and records what it says.
    async fn settle(&self, key: &str, age: Duration) -> Result<Verdict> {
        let router = &self.router;
        let store = &router.inner.store;
        let Some(attempt) = store.attempt(key).await.map_err(store_unavailable)? else {
            store.clear_open(key).await.map_err(store_unavailable)?;
            return Ok(Verdict::Settled);
        };
        let three_ds = attempt.status == Some(PaymentStatus::RequiresAction);
        if attempt.state == AttemptState::Declined
            || (attempt.state == AttemptState::Succeeded && !three_ds)
        {
            store.clear_open(key).await.map_err(store_unavailable)?;
            return Ok(Verdict::Settled);
        }
        let Some(route) = attempt.gateway.as_deref().and_then(|g| router.route(g)) else {
            return Ok(Verdict::Open(format!(
                "recorded at gateway {:?}, which this router does not have",
                attempt.gateway
            )));
        };
        let mut answer = reconcile::at(route, &attempt.order_id).await;
        let mut wait = self.policy.backoff;
        for _ in 1..self.policy.queries {
            if !matches!(answer, Reconciled::Unknown(_) | Reconciled::NotFound(_)) {
                break;
            }
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
            answer = reconcile::at(route, &attempt.order_id).await;
        }
        let mut updated = attempt.clone();
        let verdict = match answer {
            // A 3-D Secure payment still waiting for its customer is not a verdict yet.
            Reconciled::Charged(payment) if payment.status == PaymentStatus::RequiresAction => {
                return Ok(Verdict::Open(format!(
                    "`{}` still waits for the customer's 3-D Secure",
                    route.name
                )));
            }
            Reconciled::Charged(payment) => {
                updated.state = AttemptState::Succeeded;
                updated.payment_id = Some(payment.id.clone());
                updated.status = Some(payment.status);
                updated.amount = Some(payment.amount);
                router.own_payment(route, &payment).await;
                router.learn(&route.name, &attempt.segments, true).await;
                Verdict::Charged
            }
            Reconciled::NotCharged(payment) => {
                updated.state = AttemptState::Declined;
                updated.status = Some(payment.status);
                updated.decline = Some(reconcile::decline_of(&payment));
                if !three_ds {
                    router.learn(&route.name, &attempt.segments, false).await;
                }
                Verdict::NotCharged
            }
            Reconciled::NotFound(why) if age < self.policy.not_found_is_final_after => {
                return Ok(Verdict::Open(why));
            }
            Reconciled::NotFound(_) => {
                // Long after the charge's time-out: it never reached the gateway. Nothing
                // was charged, and nothing is learned about the gateway's approvals.
                updated.state = AttemptState::Declined;
                updated.status = Some(PaymentStatus::Failed);
                Verdict::NotCharged
            }
            Reconciled::Unknown(why) => return Ok(Verdict::Open(why)),
        };
        self.record(key, &attempt, &updated, &verdict).await?;
        store.clear_open(key).await.map_err(store_unavailable)?;
        tracing::info!(
            target: "odeme_router::sweep",
            order_id = %attempt.order_id,
            gateway = %route.name,
            verdict = ?verdict,
            "open attempt settled"
        );
        Ok(verdict)
    }

    /// Writes the verdict over the record, as long as nobody changed it meanwhile.
    async fn record(
        &self,
        key: &str,
        before: &Attempt,
        after: &Attempt,
        verdict: &Verdict,
    ) -> Result<()> {
        let store = &self.router.inner.store;
        let ttl = self.router.inner.timings.key_ttl;
        if matches!(verdict, Verdict::NotCharged) && self.policy.release_not_charged {
            return store
                .release(key, &before.holder)
                .await
                .map_err(store_unavailable);
        }
        store
            .replace(key, &before.holder, after, ttl)
            .await
            .map(|_| ())
            .map_err(store_unavailable)
    }
}

/// What one record came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Charged,
    NotCharged,
    Settled,
    Open(String),
}

impl Router {
    /// Lists `key` as open for the sweeper from `due_ms`. Losing it only delays the
    /// verdict to the next repeat of the charge, which reconciles too.
    pub(crate) async fn mark_open(&self, key: &str, due_ms: u64) {
        if let Err(e) = self.inner.store.mark_open(key, due_ms).await {
            tracing::error!(target: "odeme_router::sweep", error = %e, "open attempt not listed for the sweeper");
        }
    }

    /// When a record opened now for `window` falls due.
    pub(crate) fn due_after(&self, window: Duration) -> u64 {
        self.inner.clock.now_ms().saturating_add(millis(window))
    }
}
