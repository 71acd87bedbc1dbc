//! In which order a charge tries the gateways that can take it.
//!
//! The router first keeps only the gateways able to take the request (see
//! [`crate::eligibility`]) and whose circuit admits it; a strategy then orders those. The
//! first is sent the charge; the rest are the fallbacks a safe cascade may move on to.

use std::fmt;
use std::sync::{Arc, Mutex};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use odeme_core::{Capabilities, ChargeRequest, ProviderId};

use crate::approval::{self, ApprovalRouting, Estimate, ProcessingCost};

/// A gateway as a strategy sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Its name in the router.
    pub name: &'a str,
    /// Its provider.
    pub provider: ProviderId,
    /// Its configured weight (1 when none was given).
    pub weight: u32,
    /// What it supports.
    pub capabilities: &'a Capabilities,
    /// What a charge costs there, when it was given.
    pub cost: Option<&'a ProcessingCost>,
}

/// A user's own selection rule.
pub trait Select: Send + Sync + fmt::Debug {
    /// The order in which to try `candidates`, as indices into it. Indices left out are not
    /// tried; an out-of-range or repeated index is ignored.
    fn order(&self, request: &ChargeRequest, candidates: &[Candidate<'_>]) -> Vec<usize>;
}

/// How a router orders the gateways that can take a charge.
#[derive(Clone)]
#[non_exhaustive]
pub enum Strategy {
    /// In the order the gateways were added: the first is the primary, the next its
    /// fallback, and so on.
    Failover,
    /// By weight, deterministically: smooth weighted round-robin (as nginx does), so 70/30
    /// weights send exactly 7 of every 10 charges to the first while both are healthy.
    /// The fallbacks follow by descending weight.
    Weighted,
    /// By weight, at random; `seed` makes the sequence reproducible (tests). The fallbacks
    /// follow by descending weight.
    WeightedRandom {
        /// The random generator's seed; `None` seeds from the operating system.
        seed: Option<u64>,
    },
    /// The user's own rule.
    Custom(Arc<dyn Select>),
    /// To the gateway most likely to approve this charge now, learned from the router's
    /// own outcomes per card BIN, network, currency and installment bucket (see
    /// [`crate::approval`]); the fallbacks follow by descending estimate.
    ApprovalRate(ApprovalRouting),
    /// To the gateway with the best expected value: estimated approval rate × (amount −
    /// the gateway's [`ProcessingCost`]), so a cheaper gateway wins when its approval rate
    /// is close enough. A gateway without a cost counts as free.
    ExpectedValue(ApprovalRouting),
}

impl fmt::Debug for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Failover => f.write_str("Failover"),
            Strategy::Weighted => f.write_str("Weighted"),
            Strategy::WeightedRandom { seed } => f
                .debug_struct("WeightedRandom")
                .field("seed", seed)
                .finish(),
            Strategy::Custom(select) => f.debug_tuple("Custom").field(select).finish(),
            Strategy::ApprovalRate(settings) => {
                f.debug_tuple("ApprovalRate").field(settings).finish()
            }
            Strategy::ExpectedValue(settings) => {
                f.debug_tuple("ExpectedValue").field(settings).finish()
            }
        }
    }
}

impl Strategy {
    /// A short name for logs and route explanations.
    pub fn name(&self) -> &'static str {
        match self {
            Strategy::Failover => "failover",
            Strategy::Weighted => "weighted",
            Strategy::WeightedRandom { .. } => "weighted_random",
            Strategy::Custom(_) => "custom",
            Strategy::ApprovalRate(_) => "approval_rate",
            Strategy::ExpectedValue(_) => "expected_value",
        }
    }

    /// The learning settings of an approval-based strategy.
    pub fn learning(&self) -> Option<&ApprovalRouting> {
        match self {
            Strategy::ApprovalRate(settings) | Strategy::ExpectedValue(settings) => Some(settings),
            _ => None,
        }
    }
}

/// A strategy with the state it needs between charges.
#[derive(Debug)]
pub(crate) struct Selector {
    strategy: Strategy,
    state: Mutex<SelectorState>,
}

#[derive(Debug)]
struct SelectorState {
    /// Smooth weighted round-robin's running weights, per gateway index in the router.
    current: Vec<i64>,
    rng: StdRng,
}

impl Selector {
    pub(crate) fn new(strategy: Strategy, gateways: usize) -> Self {
        let seed = match &strategy {
            Strategy::WeightedRandom { seed } => *seed,
            Strategy::ApprovalRate(settings) | Strategy::ExpectedValue(settings) => settings.seed,
            _ => None,
        };
        let rng = seed.map_or_else(StdRng::from_entropy, StdRng::seed_from_u64);
        Self {
            strategy,
            state: Mutex::new(SelectorState {
                current: vec![0; gateways],
                rng,
            }),
        }
    }

    pub(crate) fn strategy(&self) -> &Strategy {
        &self.strategy
    }

    /// The order to try `candidates` in, as indices into `candidates`. `slots[i]` is the
    /// router-wide index of `candidates[i]` (the round-robin state is kept per gateway);
    /// `scoring[i]` is `candidates[i]`'s estimate and value factor for the approval-based
    /// strategies, whose scores (the draws or expected values) come back in the second
    /// vector, per candidate.
    pub(crate) fn order(
        &self,
        request: &ChargeRequest,
        candidates: &[Candidate<'_>],
        slots: &[usize],
        scoring: &[(Estimate, f64)],
    ) -> (Vec<usize>, Vec<f64>) {
        match &self.strategy {
            Strategy::ApprovalRate(settings) => {
                let scores: Vec<f64> = {
                    let mut state = self.lock();
                    scoring
                        .iter()
                        .map(|(estimate, _)| approval::thompson(estimate, &mut state.rng))
                        .collect()
                };
                let order = self.best_first(candidates.len(), &scores, settings.exploration);
                (order, scores)
            }
            Strategy::ExpectedValue(settings) => {
                let scores: Vec<f64> = scoring.iter().map(|(e, factor)| e.rate * factor).collect();
                let order = self.best_first(candidates.len(), &scores, settings.exploration);
                (order, scores)
            }
            _ => (self.order_unscored(request, candidates, slots), Vec::new()),
        }
    }

    fn order_unscored(
        &self,
        request: &ChargeRequest,
        candidates: &[Candidate<'_>],
        slots: &[usize],
    ) -> Vec<usize> {
        if candidates.is_empty() {
            return Vec::new();
        }
        match &self.strategy {
            Strategy::Failover => (0..candidates.len()).collect(),
            Strategy::Weighted => {
                let first = self.smooth_pick(candidates, slots);
                with_fallbacks(first, candidates)
            }
            Strategy::WeightedRandom { .. } => {
                let first = self.random_pick(candidates);
                with_fallbacks(first, candidates)
            }
            Strategy::Custom(select) => {
                let mut seen = vec![false; candidates.len()];
                select
                    .order(request, candidates)
                    .into_iter()
                    .filter(|&i| match seen.get_mut(i) {
                        Some(s) if !*s => {
                            *s = true;
                            true
                        }
                        _ => false,
                    })
                    .collect()
            }
            // Scored above.
            Strategy::ApprovalRate(_) | Strategy::ExpectedValue(_) => {
                (0..candidates.len()).collect()
            }
        }
    }

    /// By descending score (ties in the router's order); with probability `exploration`
    /// one of the others, at random, goes first.
    fn best_first(&self, count: usize, scores: &[f64], exploration: f64) -> Vec<usize> {
        let score = |i: usize| scores.get(i).copied().unwrap_or(0.0);
        let mut order: Vec<usize> = (0..count).collect();
        order.sort_by(|&a, &b| score(b).total_cmp(&score(a)));
        if count > 1 && exploration > 0.0 {
            let mut state = self.lock();
            if state.rng.gen::<f64>() < exploration {
                let picked = state.rng.gen_range(1..count);
                let explored = order.remove(picked);
                order.insert(0, explored);
            }
        }
        order
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SelectorState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Smooth weighted round-robin over the candidates: each gains its weight, the largest
    /// is picked and loses the candidates' total.
    fn smooth_pick(&self, candidates: &[Candidate<'_>], slots: &[usize]) -> usize {
        let mut state = self.lock();
        let total: i64 = candidates.iter().map(|c| i64::from(c.weight)).sum();
        let mut best: Option<(usize, i64)> = None;
        for (i, (candidate, slot)) in candidates.iter().zip(slots).enumerate() {
            if let Some(current) = state.current.get_mut(*slot) {
                *current = current.saturating_add(i64::from(candidate.weight));
                if best.is_none_or(|(_, b)| *current > b) {
                    best = Some((i, *current));
                }
            }
        }
        let Some((picked, _)) = best else { return 0 };
        if let Some(current) = slots.get(picked).and_then(|s| state.current.get_mut(*s)) {
            *current = current.saturating_sub(total);
        }
        picked
    }

    fn random_pick(&self, candidates: &[Candidate<'_>]) -> usize {
        let total: u64 = candidates.iter().map(|c| u64::from(c.weight)).sum();
        if total == 0 {
            return 0;
        }
        let mut roll = self.lock().rng.gen_range(0..total);
        for (i, candidate) in candidates.iter().enumerate() {
            let weight = u64::from(candidate.weight);
            if roll < weight {
                return i;
            }
            roll -= weight;
        }
        0
    }
}

/// `first`, then the other candidates by descending weight (ties in the router's order).
fn with_fallbacks(first: usize, candidates: &[Candidate<'_>]) -> Vec<usize> {
    let mut rest: Vec<usize> = (0..candidates.len()).filter(|&i| i != first).collect();
    rest.sort_by_key(|&i| std::cmp::Reverse(candidates.get(i).map_or(0, |c| c.weight)));
    std::iter::once(first).chain(rest).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::{Customer, Money, PaymentSource, StoredCardRef};

    fn request() -> ChargeRequest {
        ChargeRequest::new(
            "o1",
            Money::from_minor(100, odeme_core::Currency::TRY).unwrap(),
            PaymentSource::StoredCard {
                card: StoredCardRef::new("c", "t"),
                cvc: None,
            },
            Customer::new(
                "A",
                "B",
                "a@example.com",
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            ),
        )
    }

    fn candidates<'a>(caps: &'a Capabilities, weights: &[u32]) -> Vec<Candidate<'a>> {
        weights
            .iter()
            .map(|&weight| Candidate {
                name: "g",
                provider: ProviderId::Paytr,
                weight,
                capabilities: caps,
                cost: None,
            })
            .collect()
    }

    #[test]
    fn smooth_round_robin_is_exact_and_interleaved() {
        let caps = Capabilities::default();
        let c = candidates(&caps, &[7, 3]);
        let selector = Selector::new(Strategy::Weighted, 2);
        let picks: Vec<usize> = (0..10)
            .map(|_| selector.order(&request(), &c, &[0, 1], &[]).0[0])
            .collect();
        assert_eq!(picks.iter().filter(|&&p| p == 0).count(), 7);
        // Interleaved, not seven in a row.
        assert!(picks.windows(4).all(|w| w.contains(&0)));
        assert!(picks[..5].contains(&1));
    }

    #[test]
    fn weighted_random_is_reproducible_and_near_its_weights() {
        let caps = Capabilities::default();
        let c = candidates(&caps, &[70, 30]);
        let run = || {
            let s = Selector::new(Strategy::WeightedRandom { seed: Some(7) }, 2);
            (0..2000)
                .map(|_| s.order(&request(), &c, &[0, 1], &[]).0[0])
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let first = a.iter().filter(|&&p| p == 0).count();
        assert!((1300..1500).contains(&first), "{first}");
    }

    #[test]
    fn fallbacks_follow_by_weight() {
        let caps = Capabilities::default();
        let c = candidates(&caps, &[1, 5, 3]);
        assert_eq!(with_fallbacks(0, &c), vec![0, 1, 2]);
        assert_eq!(with_fallbacks(2, &c), vec![2, 1, 0]);
    }

    fn estimate(approved: u32, samples: u32) -> (Estimate, f64) {
        let e = Estimate {
            rate: (f64::from(approved) + 1.0) / (f64::from(samples) + 2.0),
            segment: "all".into(),
            samples,
            approved,
            weighted_approved: f64::from(approved),
            weighted_total: f64::from(samples),
        };
        (e, 100.0)
    }

    #[test]
    fn expected_value_orders_by_score_and_explores_at_its_share() {
        let caps = Capabilities::default();
        let c = candidates(&caps, &[1, 1, 1]);
        let settings = ApprovalRouting {
            exploration: 0.1,
            seed: Some(3),
            ..ApprovalRouting::default()
        };
        let s = Selector::new(Strategy::ExpectedValue(settings), 3);
        let scoring = [estimate(50, 100), estimate(90, 100), estimate(70, 100)];
        let orders: Vec<Vec<usize>> = (0..2000)
            .map(|_| s.order(&request(), &c, &[0, 1, 2], &scoring).0)
            .collect();
        let best_first = orders.iter().filter(|o| o[0] == 1).count();
        assert!((1750..1850).contains(&best_first), "{best_first}");
        assert!(orders
            .iter()
            .filter(|o| o[0] == 1)
            .all(|o| o == &vec![1, 2, 0]));
    }

    #[test]
    fn thompson_sampling_favours_the_better_gateway_in_proportion() {
        let caps = Capabilities::default();
        let c = candidates(&caps, &[1, 1]);
        let settings = ApprovalRouting {
            exploration: 0.0,
            seed: Some(5),
            ..ApprovalRouting::default()
        };
        let s = Selector::new(Strategy::ApprovalRate(settings), 2);
        let first = |scoring: &[(Estimate, f64)]| {
            (0..2000)
                .filter(|_| s.order(&request(), &c, &[0, 1], scoring).0[0] == 1)
                .count()
        };
        // Well known and far apart: nearly always the better one.
        assert!(first(&[estimate(60, 100), estimate(90, 100)]) > 1990);
        // Unknown against known-good: the unknown one still gets some traffic.
        let unknown = 2000 - first(&[estimate(0, 0), estimate(90, 100)]);
        assert!((50..400).contains(&unknown), "{unknown}");
        // Close and little known: both get a fair share.
        let close = first(&[estimate(7, 10), estimate(8, 10)]);
        assert!((1000..1600).contains(&close), "{close}");
    }

    #[derive(Debug)]
    struct Reverse;
    impl Select for Reverse {
        fn order(&self, _: &ChargeRequest, c: &[Candidate<'_>]) -> Vec<usize> {
            let mut v: Vec<usize> = (0..c.len()).rev().collect();
            v.push(0);
            v.push(99);
            v
        }
    }

    #[test]
    fn a_custom_rule_is_cleaned_of_repeats_and_strays() {
        let caps = Capabilities::default();
        let c = candidates(&caps, &[1, 1, 1]);
        let s = Selector::new(Strategy::Custom(Arc::new(Reverse)), 3);
        assert_eq!(s.order(&request(), &c, &[0, 1, 2], &[]).0, vec![2, 1, 0]);
    }
}
