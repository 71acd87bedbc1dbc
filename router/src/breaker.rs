//! Per-gateway circuit breakers over the store, so that every instance sharing it sees the
//! same circuits: a gateway that is down stops getting charges after
//! `failure_threshold` failures in a row, however many instances sent them.

use std::sync::Arc;

use odeme_core::Error;

use crate::clock::{millis, Clock};
use crate::policy::BreakerPolicy;
use crate::store::{RouterStore, StoreResult};

/// Where a gateway's circuit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Health {
    /// Taking requests; `consecutive_failures` so far.
    Closed {
        /// Failures in a row since the last success.
        consecutive_failures: u32,
    },
    /// Open: no charges until `until_ms` (milliseconds since the Unix epoch).
    Open {
        /// The end of the cool-down.
        until_ms: u64,
    },
    /// The cool-down is over: the next request is a probe.
    HalfOpen,
}

/// Whether one request may go to a gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// The circuit is closed.
    Closed { failures: u32 },
    /// This request is the half-open probe.
    Probe,
    /// The circuit is open (or another request holds the probe).
    Open,
}

#[derive(Debug)]
pub(crate) struct Breaker {
    policy: BreakerPolicy,
    store: Arc<dyn RouterStore>,
    clock: Arc<dyn Clock>,
}

/// Whether `error` says the gateway is unwell, rather than that the request or the card
/// was refused.
pub(crate) fn is_failure(error: &Error) -> bool {
    match error {
        Error::Transport { .. }
        | Error::Authentication { .. }
        | Error::UnknownOutcome { .. }
        | Error::UnexpectedResponse { .. } => true,
        Error::Provider { kind, .. } => *kind == odeme_core::RejectionKind::TemporarilyUnavailable,
        _ => false,
    }
}

impl Breaker {
    pub(crate) fn new(
        policy: BreakerPolicy,
        store: Arc<dyn RouterStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            policy,
            store,
            clock,
        }
    }

    pub(crate) async fn health(&self, gateway: &str) -> StoreResult<Health> {
        let counters = self.store.breaker(gateway).await?;
        Ok(match counters.open_until_ms {
            Some(until_ms) if self.clock.now_ms() < until_ms => Health::Open { until_ms },
            Some(_) => Health::HalfOpen,
            None => Health::Closed {
                consecutive_failures: counters.consecutive_failures,
            },
        })
    }

    /// Whether a request may go to `gateway` now.
    pub(crate) async fn admit(&self, gateway: &str) -> StoreResult<Admission> {
        let now = self.clock.now_ms();
        let counters = self.store.breaker(gateway).await?;
        match counters.open_until_ms {
            None => Ok(Admission::Closed {
                failures: counters.consecutive_failures,
            }),
            Some(until) if now < until => Ok(Admission::Open),
            Some(_) => {
                if self
                    .store
                    .try_probe(gateway, now, self.policy.probe_lease)
                    .await?
                {
                    tracing::info!(
                        target: "odeme_router::health",
                        gateway,
                        "circuit half-open: this request is the probe"
                    );
                    Ok(Admission::Probe)
                } else {
                    Ok(Admission::Open)
                }
            }
        }
    }

    /// `gateway` answered as a healthy gateway does (a payment, a decline, a refusal).
    pub(crate) async fn succeeded(&self, gateway: &str, admission: Admission) -> StoreResult<()> {
        match admission {
            Admission::Closed { failures: 0 } => Ok(()),
            Admission::Closed { .. } => self.store.record_success(gateway).await,
            Admission::Probe | Admission::Open => {
                self.store.record_success(gateway).await?;
                tracing::info!(
                    target: "odeme_router::health",
                    gateway,
                    "circuit closed: the probe succeeded"
                );
                Ok(())
            }
        }
    }

    /// `gateway` failed as an unwell gateway does.
    pub(crate) async fn failed(&self, gateway: &str, admission: Admission) -> StoreResult<()> {
        let failures = self.store.record_failure(gateway).await?;
        let probe_failed = matches!(admission, Admission::Probe);
        if probe_failed || failures >= self.policy.failure_threshold {
            let until = self
                .clock
                .now_ms()
                .saturating_add(millis(self.policy.cool_down));
            self.store.open(gateway, until).await?;
            tracing::warn!(
                target: "odeme_router::health",
                gateway,
                failures,
                probe_failed,
                cool_down_ms = millis(self.policy.cool_down),
                "circuit opened: no charges go to this gateway until the cool-down ends"
            );
        }
        Ok(())
    }
}
