//! What a router remembers between calls and shares between application instances: the
//! claim and record of every charge key, which gateway owns each payment, card and plan,
//! the circuit breakers' counters, the recent outcomes that approval-rate routing learns
//! from, and the open attempts the [`crate::Sweeper`] reconciles.
//!
//! A store only keeps data; the decisions (when a claim may be taken over, when a breaker
//! opens) are the router's, so both implementations behave the same by construction.

mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use odeme_core::{Decline, Money, PaymentStatus};

pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::{RedisStore, RedisStoreConfig};

/// A store that could not be read or written. The router fails closed on it: a charge
/// whose key cannot be claimed is not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("router store: {0}")]
pub struct StoreError(pub String);

/// A store operation's result.
pub type StoreResult<T> = Result<T, StoreError>;

/// Where a charge attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AttemptState {
    /// Claimed; choosing a gateway. Nothing has been sent anywhere yet.
    Routing,
    /// Being sent to [`Attempt::gateway`]: from here on the charge may exist there.
    Sending,
    /// The gateway answered with a payment ([`Attempt::payment_id`], [`Attempt::status`]).
    Succeeded,
    /// The gateway declined ([`Attempt::decline`]); nothing was charged.
    Declined,
    /// Sent to [`Attempt::gateway`] without a definitive answer, and not reconciled yet:
    /// only that gateway may be asked about it, and no other may be sent the charge.
    Unknown,
}

impl AttemptState {
    /// Whether the attempt has its final answer.
    pub fn is_settled(self) -> bool {
        matches!(self, AttemptState::Succeeded | AttemptState::Declined)
    }
}

/// The record of one charge key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// The merchant's order id.
    pub order_id: String,
    /// The instance (router) that holds the claim: only it may change the record until
    /// [`Attempt::lease_until_ms`].
    pub holder: String,
    /// Until when (milliseconds since the Unix epoch) the holder's claim stands; after
    /// that another instance may take the attempt over and reconcile it.
    pub lease_until_ms: u64,
    /// Where the attempt stands.
    pub state: AttemptState,
    /// The gateway the charge was sent (or is being sent) to, by its name in the router.
    pub gateway: Option<String>,
    /// Gateways tried before and ruled out without charging (refused before sending,
    /// unavailable, soft-declined), in order.
    pub passed_over: Vec<String>,
    /// The payment's id at [`Attempt::gateway`], once known.
    pub payment_id: Option<String>,
    /// The payment's status when it was recorded.
    pub status: Option<PaymentStatus>,
    /// The amount charged.
    pub amount: Option<Money>,
    /// The decline, for [`AttemptState::Declined`].
    pub decline: Option<Decline>,
    /// The approval segments of the charge (see [`crate::approval`]), so that an outcome
    /// reconciled later is learned where the charge was scored; empty when the strategy
    /// does not learn.
    #[serde(default)]
    pub segments: Vec<String>,
}

impl Attempt {
    /// A fresh claim on `order_id` by `holder`.
    pub fn claim(order_id: &str, holder: &str, lease_until_ms: u64) -> Self {
        Self {
            order_id: order_id.to_owned(),
            holder: holder.to_owned(),
            lease_until_ms,
            state: AttemptState::Routing,
            gateway: None,
            passed_over: Vec::new(),
            payment_id: None,
            status: None,
            amount: None,
            decline: None,
            segments: Vec::new(),
        }
    }
}

/// The answer to [`RouterStore::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free and is now this attempt's.
    Claimed,
    /// The key already has a record (another attempt, here or in another instance).
    Taken(Box<Attempt>),
}

/// What a gateway is recorded as the owner of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OwnerKind {
    /// A payment id.
    Payment,
    /// A merchant order id.
    Order,
    /// A stored card's token.
    Card,
    /// A customer token (the cards' owner at the provider).
    Customer,
    /// A provider-side recurring plan.
    Plan,
}

impl OwnerKind {
    /// The kind's short name, used in store keys.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Payment => "payment",
            OwnerKind::Order => "order",
            OwnerKind::Card => "card",
            OwnerKind::Customer => "customer",
            OwnerKind::Plan => "plan",
        }
    }
}

/// One gateway's circuit-breaker counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BreakerCounters {
    /// Failures in a row since the last success.
    pub consecutive_failures: u32,
    /// Open until then (milliseconds since the Unix epoch), if the circuit was opened.
    pub open_until_ms: Option<u64>,
}

/// The recent outcomes of one window (a gateway in one segment): at most the window's
/// size, newest first; `true` is an approval.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutcomeWindow {
    /// The outcomes, newest first.
    pub newest_first: Vec<bool>,
}

impl FromIterator<bool> for OutcomeWindow {
    /// A window of outcomes given newest first.
    fn from_iter<I: IntoIterator<Item = bool>>(outcomes: I) -> Self {
        Self {
            newest_first: outcomes.into_iter().collect(),
        }
    }
}

impl OutcomeWindow {
    /// Approved charges in the window.
    pub fn approved(&self) -> u32 {
        u32::try_from(self.newest_first.iter().filter(|&&o| o).count()).unwrap_or(u32::MAX)
    }

    /// Charges in the window, approved or declined.
    pub fn total(&self) -> u32 {
        u32::try_from(self.newest_first.len()).unwrap_or(u32::MAX)
    }
}

/// An attempt left open: its outcome is unknown, or its 3-D Secure is not completed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAttempt {
    /// The attempt's charge key.
    pub key: String,
    /// When it may be swept (milliseconds since the Unix epoch): at once for an unknown
    /// outcome, at the end of the customer's window for 3-D Secure.
    pub due_ms: u64,
}

/// The router's memory. Every method is atomic on its own; [`RouterStore::claim`] and
/// [`RouterStore::replace`] are the compare-and-set steps that make a charge key belong to
/// one attempt at a time, across every instance sharing the store.
#[async_trait]
pub trait RouterStore: Send + Sync + fmt::Debug {
    /// Writes `attempt` under `key` only if the key has no record (`SET NX`); otherwise
    /// returns the record there. The record expires after `ttl`.
    async fn claim(&self, key: &str, attempt: &Attempt, ttl: Duration) -> StoreResult<Claim>;

    /// Replaces the record of `key` only if its holder is still `holder`; `false` when it
    /// is not (the claim was taken over, or the record expired).
    async fn replace(
        &self,
        key: &str,
        holder: &str,
        attempt: &Attempt,
        ttl: Duration,
    ) -> StoreResult<bool>;

    /// The record of `key`, if any.
    async fn attempt(&self, key: &str) -> StoreResult<Option<Attempt>>;

    /// Deletes the record of `key` if its holder is still `holder`: used when nothing was
    /// sent anywhere, so a retry starts afresh.
    async fn release(&self, key: &str, holder: &str) -> StoreResult<()>;

    /// Records that `gateway` owns `id`.
    async fn set_owner(
        &self,
        kind: OwnerKind,
        id: &str,
        gateway: &str,
        ttl: Duration,
    ) -> StoreResult<()>;

    /// The gateway recorded as the owner of `id`.
    async fn owner(&self, kind: OwnerKind, id: &str) -> StoreResult<Option<String>>;

    /// `gateway`'s breaker counters.
    async fn breaker(&self, gateway: &str) -> StoreResult<BreakerCounters>;

    /// Counts one more failure in a row at `gateway` and returns the new count.
    async fn record_failure(&self, gateway: &str) -> StoreResult<u32>;

    /// Resets `gateway`'s failures, closes its circuit and frees its probe.
    async fn record_success(&self, gateway: &str) -> StoreResult<()>;

    /// Opens `gateway`'s circuit until `until_ms` and frees its probe.
    async fn open(&self, gateway: &str, until_ms: u64) -> StoreResult<()>;

    /// Takes the one half-open probe of `gateway` for `lease`; `false` when another
    /// request (here or in another instance) holds it.
    async fn try_probe(&self, gateway: &str, now_ms: u64, lease: Duration) -> StoreResult<bool>;

    /// Adds one outcome to each window of `keys` (one per segment of a gateway), keeping
    /// only the latest `size` outcomes of each; a window not written for `ttl` is dropped.
    async fn record_outcome(
        &self,
        keys: &[String],
        approved: bool,
        size: u32,
        ttl: Duration,
    ) -> StoreResult<()>;

    /// The windows of `keys`, in order (empty for a key with no outcomes). One round trip.
    async fn outcome_windows(&self, keys: &[String]) -> StoreResult<Vec<OutcomeWindow>>;

    /// Lists charge key `key` as open, due for sweeping at `due_ms`.
    async fn mark_open(&self, key: &str, due_ms: u64) -> StoreResult<()>;

    /// Removes `key` from the open attempts.
    async fn clear_open(&self, key: &str) -> StoreResult<()>;

    /// Up to `limit` open attempts, the longest due first.
    async fn open_attempts(&self, limit: usize) -> StoreResult<Vec<OpenAttempt>>;

    /// Takes lease `name` for `holder` for `ttl` when it is free or already `holder`'s:
    /// the sweepers' way of never working on one record at once.
    async fn try_lease(&self, name: &str, holder: &str, ttl: Duration) -> StoreResult<bool>;

    /// Frees lease `name` if `holder` holds it.
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;
}
