//! The in-process store: no set-up, shared by every clone of one router and gone with the
//! process. Several instances of an application need [`super::RedisStore`] instead.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{
    Attempt, BreakerCounters, Claim, OpenAttempt, OutcomeWindow, OwnerKind, RouterStore,
    StoreResult,
};

/// A value that disappears at its deadline, as a Redis key with an expiry does.
#[derive(Debug, Clone)]
struct Expiring<T> {
    value: T,
    until: Instant,
}

impl<T> Expiring<T> {
    fn new(value: T, ttl: Duration) -> Self {
        let now = Instant::now();
        Self {
            value,
            until: now.checked_add(ttl).unwrap_or(now),
        }
    }

    fn live(&self) -> bool {
        Instant::now() < self.until
    }
}

#[derive(Debug, Default)]
struct State {
    attempts: HashMap<String, Expiring<Attempt>>,
    owners: HashMap<(&'static str, String), Expiring<String>>,
    breakers: HashMap<String, BreakerCounters>,
    probes: HashMap<String, u64>,
    windows: HashMap<String, Expiring<VecDeque<bool>>>,
    open: HashMap<String, u64>,
    leases: HashMap<String, Expiring<String>>,
}

/// At most this many outcome windows are kept; past it, expired ones are dropped, then the
/// oldest, so that a stream of new BINs cannot grow the process without bound.
const MAX_WINDOWS: usize = 100_000;

impl State {
    fn live_attempt(&mut self, key: &str) -> Option<&Attempt> {
        if self.attempts.get(key).is_some_and(|a| !a.live()) {
            self.attempts.remove(key);
        }
        self.attempts.get(key).map(|a| &a.value)
    }
}

/// The default store: in memory, for one process.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written entry: every change
        // is one map operation.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl RouterStore for MemoryStore {
    async fn claim(&self, key: &str, attempt: &Attempt, ttl: Duration) -> StoreResult<Claim> {
        let mut state = self.lock();
        if let Some(existing) = state.live_attempt(key) {
            return Ok(Claim::Taken(Box::new(existing.clone())));
        }
        state
            .attempts
            .insert(key.to_owned(), Expiring::new(attempt.clone(), ttl));
        Ok(Claim::Claimed)
    }

    async fn replace(
        &self,
        key: &str,
        holder: &str,
        attempt: &Attempt,
        ttl: Duration,
    ) -> StoreResult<bool> {
        let mut state = self.lock();
        match state.live_attempt(key) {
            Some(existing) if existing.holder == holder => {
                state
                    .attempts
                    .insert(key.to_owned(), Expiring::new(attempt.clone(), ttl));
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn attempt(&self, key: &str) -> StoreResult<Option<Attempt>> {
        Ok(self.lock().live_attempt(key).cloned())
    }

    async fn release(&self, key: &str, holder: &str) -> StoreResult<()> {
        let mut state = self.lock();
        if state.live_attempt(key).is_some_and(|a| a.holder == holder) {
            state.attempts.remove(key);
        }
        Ok(())
    }

    async fn set_owner(
        &self,
        kind: OwnerKind,
        id: &str,
        gateway: &str,
        ttl: Duration,
    ) -> StoreResult<()> {
        self.lock().owners.insert(
            (kind.as_str(), id.to_owned()),
            Expiring::new(gateway.to_owned(), ttl),
        );
        Ok(())
    }

    async fn owner(&self, kind: OwnerKind, id: &str) -> StoreResult<Option<String>> {
        let state = self.lock();
        Ok(state
            .owners
            .get(&(kind.as_str(), id.to_owned()))
            .filter(|o| o.live())
            .map(|o| o.value.clone()))
    }

    async fn breaker(&self, gateway: &str) -> StoreResult<BreakerCounters> {
        Ok(self
            .lock()
            .breakers
            .get(gateway)
            .copied()
            .unwrap_or_default())
    }

    async fn record_failure(&self, gateway: &str) -> StoreResult<u32> {
        let mut state = self.lock();
        let counters = state.breakers.entry(gateway.to_owned()).or_default();
        counters.consecutive_failures = counters.consecutive_failures.saturating_add(1);
        Ok(counters.consecutive_failures)
    }

    async fn record_success(&self, gateway: &str) -> StoreResult<()> {
        let mut state = self.lock();
        state.breakers.remove(gateway);
        state.probes.remove(gateway);
        Ok(())
    }

    async fn open(&self, gateway: &str, until_ms: u64) -> StoreResult<()> {
        let mut state = self.lock();
        state
            .breakers
            .entry(gateway.to_owned())
            .or_default()
            .open_until_ms = Some(until_ms);
        state.probes.remove(gateway);
        Ok(())
    }

    async fn try_probe(&self, gateway: &str, now_ms: u64, lease: Duration) -> StoreResult<bool> {
        let mut state = self.lock();
        let held = state
            .probes
            .get(gateway)
            .is_some_and(|until| *until > now_ms);
        if held {
            return Ok(false);
        }
        let lease_ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
        state
            .probes
            .insert(gateway.to_owned(), now_ms.saturating_add(lease_ms));
        Ok(true)
    }

    async fn record_outcome(
        &self,
        keys: &[String],
        approved: bool,
        size: u32,
        ttl: Duration,
    ) -> StoreResult<()> {
        let size = usize::try_from(size).unwrap_or(usize::MAX).max(1);
        let mut state = self.lock();
        if state.windows.len() >= MAX_WINDOWS {
            state.windows.retain(|_, w| w.live());
        }
        while state.windows.len() >= MAX_WINDOWS {
            let oldest = state
                .windows
                .iter()
                .min_by_key(|(_, w)| w.until)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(key) => state.windows.remove(&key),
                None => break,
            };
        }
        let now = Instant::now();
        let until = now.checked_add(ttl).unwrap_or(now);
        for key in keys {
            match state.windows.get_mut(key.as_str()) {
                Some(window) => {
                    if !window.live() {
                        window.value.clear();
                    }
                    window.value.push_front(approved);
                    window.value.truncate(size);
                    window.until = until;
                }
                None => {
                    let mut outcomes = VecDeque::with_capacity(size.min(128));
                    outcomes.push_front(approved);
                    state.windows.insert(
                        key.clone(),
                        Expiring {
                            value: outcomes,
                            until,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    async fn outcome_windows(&self, keys: &[String]) -> StoreResult<Vec<OutcomeWindow>> {
        let state = self.lock();
        let now = Instant::now();
        Ok(keys
            .iter()
            .map(
                |key| match state.windows.get(key).filter(|w| now < w.until) {
                    Some(window) => window.value.iter().copied().collect(),
                    None => OutcomeWindow::default(),
                },
            )
            .collect())
    }

    async fn mark_open(&self, key: &str, due_ms: u64) -> StoreResult<()> {
        self.lock().open.insert(key.to_owned(), due_ms);
        Ok(())
    }

    async fn clear_open(&self, key: &str) -> StoreResult<()> {
        self.lock().open.remove(key);
        Ok(())
    }

    async fn open_attempts(&self, limit: usize) -> StoreResult<Vec<OpenAttempt>> {
        let state = self.lock();
        let mut open: Vec<OpenAttempt> = state
            .open
            .iter()
            .map(|(key, due_ms)| OpenAttempt {
                key: key.clone(),
                due_ms: *due_ms,
            })
            .collect();
        open.sort_by(|a, b| a.due_ms.cmp(&b.due_ms).then_with(|| a.key.cmp(&b.key)));
        open.truncate(limit);
        Ok(open)
    }

    async fn try_lease(&self, name: &str, holder: &str, ttl: Duration) -> StoreResult<bool> {
        let mut state = self.lock();
        let free = state
            .leases
            .get(name)
            .is_none_or(|lease| !lease.live() || lease.value == holder);
        if free {
            state
                .leases
                .insert(name.to_owned(), Expiring::new(holder.to_owned(), ttl));
        }
        Ok(free)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let mut state = self.lock();
        if state.leases.get(name).is_some_and(|l| l.value == holder) {
            state.leases.remove(name);
        }
        Ok(())
    }
}
