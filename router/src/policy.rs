//! The knobs of a router: when a charge may move on to the next gateway, when a circuit
//! opens, and how long claims and records live.

use std::time::Duration;

/// When a charge moves on from one gateway to the next. A charge never moves on after a
/// hard decline or after an unknown outcome, whatever this says: an unknown outcome is
/// reconciled at the gateway that may have charged, and its answer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CascadePolicy {
    /// After a soft decline (insufficient funds, issuer unavailable, ...): the card may
    /// pass at another acquirer. Default `true`.
    pub on_soft_decline: bool,
    /// After an error that proves nothing was sent or done: the gateway could not be
    /// reached, refused the credentials, or said it is temporarily unavailable; also when
    /// its circuit is open. Default `true`.
    pub on_unavailable: bool,
    /// After the adapter refused the request before sending it (a field this provider does
    /// not accept, an operation it does not offer). Default `true`.
    pub on_refused_before_sending: bool,
}

impl Default for CascadePolicy {
    fn default() -> Self {
        Self {
            on_soft_decline: true,
            on_unavailable: true,
            on_refused_before_sending: true,
        }
    }
}

impl CascadePolicy {
    /// Never move on: the first gateway's answer is the answer.
    pub fn never() -> Self {
        Self {
            on_soft_decline: false,
            on_unavailable: false,
            on_refused_before_sending: false,
        }
    }
}

/// A per-gateway circuit breaker: after `failure_threshold` failures in a row the circuit
/// opens and the gateway gets no charges for `cool_down`; then one real request is let
/// through as a probe (half-open): its success closes the circuit, its failure opens it
/// again. A failure is an error that says the gateway is unwell (unreachable, unavailable,
/// refused credentials, an unknown outcome or an unreadable answer), never a decline or a
/// refused request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Failures in a row that open the circuit. Default 5.
    pub failure_threshold: u32,
    /// How long an open circuit stays open. Default 30 s.
    pub cool_down: Duration,
    /// How long one half-open probe may take before another request may probe. Default
    /// 30 s.
    pub probe_lease: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
            probe_lease: Duration::from_secs(30),
        }
    }
}

/// How long claims wait and records live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// How long an attempt's claim on its key stands without being renewed. It must
    /// outlast a charge and its reconciliation (the adapters' time-outs); after it, another
    /// instance may take over an attempt whose holder died, reconciling it at the gateway
    /// it was sent to. Default 2 minutes.
    pub claim_lease: Duration,
    /// How long a second charge with the same key waits for the first to finish before
    /// answering that it is in progress. Default 10 s.
    pub wait_for_in_flight: Duration,
    /// How often a waiting charge looks at the first attempt's record. Default 25 ms.
    pub poll_interval: Duration,
    /// How long a charge key's record is kept: a repeat within it returns the first
    /// outcome. Default 7 days.
    pub key_ttl: Duration,
    /// How long the router remembers which gateway owns a payment, card or plan: follow-ups
    /// (refunds come months later) need it. Default 400 days.
    pub ownership_ttl: Duration,
    /// How long a customer has to finish 3-D Secure: a payment started and not completed
    /// by then is swept (its status asked) by the [`crate::Sweeper`]. Default 30 minutes.
    pub three_ds_window: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            claim_lease: Duration::from_secs(120),
            wait_for_in_flight: Duration::from_secs(10),
            poll_interval: Duration::from_millis(25),
            key_ttl: Duration::from_secs(7 * 24 * 3600),
            ownership_ttl: Duration::from_secs(400 * 24 * 3600),
            three_ds_window: Duration::from_secs(30 * 60),
        }
    }
}
