//! Approval probabilities by card-number prefix, so routing tests can give two simulators
//! different approval rates for the same cards (one issuer approving more often at one
//! gateway than at another).
//!
//! A rule approves a charge with its probability; whether one charge is approved is decided
//! by a hash of the seed, the order id and the card number, not by a shared random stream,
//! so the same run gives the same verdicts however the charges interleave. A charge whose
//! card matches no rule behaves as its test card says. A declined charge is answered with
//! the simulator's "insufficient funds" decline (a soft decline at every provider).

// Probabilities and hashes are computed here; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::{Arc, Mutex, MutexGuard};

/// The approval rules of one simulator; clones share the rules.
#[derive(Debug, Clone, Default)]
pub struct ApprovalRules {
    inner: Arc<Mutex<RulesState>>,
}

#[derive(Debug, Default)]
struct RulesState {
    seed: u64,
    /// (card-number prefix, approval probability), longest prefix first.
    rules: Vec<(String, f64)>,
}

impl RulesState {
    /// The probability of the longest prefix `card_number` starts with.
    fn probability(&self, card_number: &str) -> Option<f64> {
        self.rules
            .iter()
            .find(|(prefix, _)| card_number.starts_with(prefix.as_str()))
            .map(|(_, p)| *p)
    }
}

impl ApprovalRules {
    fn lock(&self) -> MutexGuard<'_, RulesState> {
        // The state holds no invariant a panicking holder could break.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Approves charges on cards starting with `prefix` (digits, e.g. a six-digit BIN) with
    /// `probability` (clamped to 0-1), replacing an earlier rule for the same prefix. The
    /// longest matching prefix wins. Takes effect for the next charge.
    pub fn set(&self, prefix: &str, probability: f64) {
        let probability = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        let mut state = self.lock();
        state.rules.retain(|(p, _)| p != prefix);
        state.rules.push((prefix.to_owned(), probability));
        state
            .rules
            .sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    }

    /// Sets the seed of the verdicts (0 by default).
    pub fn seed(&self, seed: u64) {
        self.lock().seed = seed;
    }

    /// Removes every rule: cards behave as their test cards say again.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// The approval probability of `card_number`, if a rule covers it.
    pub fn probability(&self, card_number: &str) -> Option<f64> {
        self.lock().probability(card_number)
    }

    /// Whether a rule declines the charge of `order_id` on `card_number`: `None` when no
    /// rule covers the card.
    pub fn declines(&self, order_id: &str, card_number: &str) -> Option<bool> {
        let (seed, probability) = {
            let state = self.lock();
            (state.seed, state.probability(card_number)?)
        };
        Some(draw(seed, order_id, card_number) >= probability)
    }
}

/// The path of every simulator's approval control: `POST /_sandbox/approval?prefix=435508&probability=0.9`
/// sets a rule, `?seed=7` the seed, `?clear=1` removes every rule (several at once apply
/// in that order: clear, seed, rule). For load tests driving a running `odeme-sandbox`
/// over HTTP; in-process tests use [`crate::Simulator::approval`].
pub const CONTROL_PATH: &str = "/_sandbox/approval";

/// Applies one control request's `query` to `rules`; the answer's text, or what is wrong.
pub(crate) fn control(rules: &ApprovalRules, query: &str) -> Result<String, String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if get("clear").is_some_and(|v| v == "1" || v == "true") {
        rules.clear();
    }
    if let Some(seed) = get("seed") {
        let seed = seed
            .parse::<u64>()
            .map_err(|_| format!("seed `{seed}` is not a whole number"))?;
        rules.seed(seed);
    }
    match (get("prefix"), get("probability")) {
        (Some(prefix), Some(probability)) => {
            if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("prefix `{prefix}` must be card-number digits"));
            }
            let p = probability
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=1.0).contains(p))
                .ok_or_else(|| format!("probability `{probability}` must be within 0 and 1"))?;
            rules.set(prefix, p);
            Ok(format!(
                "cards starting {prefix} approved with probability {p}\n"
            ))
        }
        (None, None) => Ok("ok\n".to_owned()),
        _ => Err("a rule needs both `prefix` and `probability`".to_owned()),
    }
}

/// A number in [0, 1) from the seed, the order id and the card number (FNV-1a, then
/// SplitMix64's finalizer to spread the bits).
fn draw(seed: u64, order_id: &str, card_number: &str) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for byte in order_id.bytes().chain([0]).chain(card_number.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash >> 30;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 27;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^= hash >> 31;
    // The top 53 bits as a fraction of 2^53: exact in an f64.
    (hash >> 11) as f64 / 9_007_199_254_740_992.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_met_and_verdicts_repeat() {
        let rules = ApprovalRules::default();
        rules.set("435508", 0.9);
        rules.set("4355", 0.2);
        let approved = |prefix: &str| {
            (0..10_000)
                .filter(|i| {
                    rules.declines(&format!("O{i}"), &format!("{prefix}0000000000")) == Some(false)
                })
                .count()
        };
        let specific = approved("435508");
        assert!((8_800..=9_200).contains(&specific), "{specific}");
        let coarse = approved("435599");
        assert!((1_800..=2_200).contains(&coarse), "{coarse}");
        assert_eq!(rules.declines("O1", "5258640000000001"), None);
        assert_eq!(
            rules.declines("O1", "4355080000000000"),
            rules.declines("O1", "4355080000000000")
        );
        rules.seed(7);
        let reseeded = approved("435508");
        assert_ne!(reseeded, specific, "another seed, other verdicts");
        rules.clear();
        assert_eq!(rules.probability("4355080000000000"), None);
    }

    #[test]
    fn the_control_sets_seeds_rules_and_clears() {
        let rules = ApprovalRules::default();
        assert!(control(&rules, "prefix=435508&probability=0.25&seed=3").is_ok());
        assert_eq!(rules.probability("4355080000000000"), Some(0.25));
        assert!(control(&rules, "prefix=43x&probability=0.5").is_err());
        assert!(control(&rules, "prefix=4&probability=1.5").is_err());
        assert!(control(&rules, "prefix=4").is_err());
        assert!(control(&rules, "seed=-1").is_err());
        assert!(control(&rules, "clear=1").is_ok());
        assert_eq!(rules.probability("4355080000000000"), None);
    }

    #[test]
    fn probabilities_are_clamped() {
        let rules = ApprovalRules::default();
        rules.set("4", 1.5);
        assert_eq!(rules.probability("4111"), Some(1.0));
        rules.set("4", f64::NAN);
        assert_eq!(rules.probability("4111"), Some(0.0));
        assert_eq!(rules.declines("O", "4111"), Some(true));
    }
}
