//! Approval-rate routing: what the router learns from its own outcomes, per gateway and
//! segment, and how it scores a gateway for one charge.
//!
//! # What counts
//! A charge counts as **approved** when the gateway answered with a payment that succeeded
//! or was authorized, and as **declined** when the issuer or the gateway declined it. An
//! unknown outcome counts once it is reconciled (by the charge itself or by the
//! [`crate::Sweeper`]), as what the status query found. Nothing else counts: errors before
//! sending, invalid input, a gateway that was unavailable (the circuit breaker's business),
//! a 3-D Secure payment that is only started, and a 3-D Secure failure or abandonment,
//! which is the customer's doing, not the gateway's.
//!
//! # Segments
//! Each outcome is added to one window per segment of the charge, most specific first:
//! the card's BIN (first six digits), its network, the currency, the installment bucket
//! (1, 2–3, 4–6, 7–9, 10+), and the gateway as a whole. A gateway is scored in the most
//! specific segment holding at least [`ApprovalRouting::min_samples`] outcomes; with fewer
//! everywhere it scores the neutral prior 0.5. The rate is Laplace-smoothed:
//! (approved + 1) / (total + 2).
//!
//! # Choosing
//! [`crate::Strategy::ApprovalRate`] uses Thompson sampling: each gateway's rate is drawn
//! from its posterior (Beta over the window's approvals and declines) and the highest draw
//! goes first, so a gateway gets traffic in proportion to the chance that it is the best
//! and a little-known or recovered gateway keeps getting some until it is known.
//! [`crate::Strategy::ExpectedValue`] ranks by the posterior mean × (amount − cost): a
//! draw's noise would drown a cost difference of a fraction of a percent.
//!
//! # Exploration
//! On top of that, with probability [`ApprovalRouting::exploration`] a charge goes first
//! to a gateway other than the best one, chosen at random (seedable), so a gateway whose
//! window went stale is tried again.
//!
//! # Store
//! Windows are capped lists of the latest outcomes (size [`ApprovalRouting::window`]): per
//! gateway, one window for each BIN seen plus one per network, currency and installment
//! bucket used, and one for the whole gateway; each expires [`ApprovalRouting::ttl`] after
//! its last outcome. On Redis a window is one string of `0`/`1`, newest first, at most `window`
//! bytes; reading every candidate's windows is one `MGET`, recording an outcome one script
//! call over the charge's windows.

use std::fmt;
use std::time::Duration;

use rust_decimal::Decimal;

use odeme_core::{ChargeRequest, Error, PaymentSource, Result};

use crate::store::OutcomeWindow;

/// The settings of approval-rate and expected-value routing.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalRouting {
    /// Outcomes kept per gateway and segment.
    pub window: u32,
    /// Outcomes a segment needs before its rate is trusted over a coarser segment's.
    pub min_samples: u32,
    /// The share of charges sent first to a gateway other than the best (0 to 1).
    pub exploration: f64,
    /// The random generator's seed for sampling and exploration; `None` seeds from the
    /// system.
    pub seed: Option<u64>,
    /// The weight of an outcome relative to the next newer one (0 < decay ≤ 1): with 0.97
    /// the outcome 23 charges back counts half, so a change of a gateway's rate shows
    /// within a few dozen charges; 1 weighs the whole window equally.
    pub decay: f64,
    /// How long a window lives without a new outcome.
    pub ttl: Duration,
}

impl Default for ApprovalRouting {
    /// A window of 100, 10 outcomes per segment, 2 % exploration, a decay of 0.97,
    /// windows kept a day.
    fn default() -> Self {
        Self {
            window: 100,
            min_samples: 10,
            exploration: 0.02,
            seed: None,
            decay: 0.97,
            ttl: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl ApprovalRouting {
    /// Checks the settings: a window of at least one, an exploration share within 0–1.
    pub fn validate(&self) -> Result<()> {
        if self.window == 0 {
            return Err(Error::Configuration(
                "approval routing: the window must hold at least one outcome".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.exploration) {
            return Err(Error::Configuration(format!(
                "approval routing: the exploration share must be within 0 and 1, not {}",
                self.exploration
            )));
        }
        if !(self.decay > 0.0 && self.decay <= 1.0) {
            return Err(Error::Configuration(format!(
                "approval routing: the decay must be within 0 (excluded) and 1, not {}",
                self.decay
            )));
        }
        if self.min_samples > self.window {
            return Err(Error::Configuration(format!(
                "approval routing: min_samples ({}) cannot exceed the window ({})",
                self.min_samples, self.window
            )));
        }
        Ok(())
    }
}

/// What a charge costs at one gateway: a percentage of the amount plus a fixed fee, in the
/// charge's currency; installment counts may have their own rate (Turkish gateways charge
/// more the more installments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingCost {
    percent: Decimal,
    fixed: Decimal,
    by_installments: Vec<(u8, Decimal)>,
}

impl ProcessingCost {
    /// `percent` of the amount (2.5 for 2.5 %) plus `fixed`; neither may be negative.
    pub fn new(percent: Decimal, fixed: Decimal) -> Result<Self> {
        if percent.is_sign_negative() || fixed.is_sign_negative() {
            return Err(Error::Configuration(format!(
                "a processing cost cannot be negative ({percent} %, {fixed} fixed)"
            )));
        }
        Ok(Self {
            percent,
            fixed,
            by_installments: Vec::new(),
        })
    }

    /// `percent` instead for charges in `installments` installments (a gateway's
    /// published commission for that count).
    pub fn with_installments(mut self, installments: u8, percent: Decimal) -> Result<Self> {
        if percent.is_sign_negative() {
            return Err(Error::Configuration(format!(
                "a processing cost cannot be negative ({percent} % for {installments} installments)"
            )));
        }
        self.by_installments.retain(|(n, _)| *n != installments);
        self.by_installments.push((installments, percent));
        Ok(self)
    }

    /// The cost of charging `amount` in `installments`.
    pub fn of(&self, amount: Decimal, installments: u8) -> Decimal {
        let percent = self
            .by_installments
            .iter()
            .find(|(n, _)| *n == installments)
            .map_or(self.percent, |(_, p)| *p);
        let share = amount
            .checked_mul(percent)
            .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
            .unwrap_or(amount);
        share.checked_add(self.fixed).unwrap_or(amount)
    }
}

/// The segments of `request`, most specific first, the gateway as a whole last. Only the
/// BIN and network of a new card are used; a stored card's segments start at the currency.
pub(crate) fn segments(request: &ChargeRequest) -> Vec<String> {
    let mut segments = Vec::with_capacity(5);
    if let PaymentSource::NewCard(card) = &request.source {
        let number = card.number();
        segments.push(format!("bin:{}", number.bin()));
        if let Some(network) = number.association() {
            segments.push(format!("network:{network:?}").to_ascii_lowercase());
        }
    }
    segments.push(format!("currency:{}", request.amount.currency()));
    let bucket = match request.installments {
        0 | 1 => "1",
        2 | 3 => "2-3",
        4..=6 => "4-6",
        7..=9 => "7-9",
        _ => "10+",
    };
    segments.push(format!("installments:{bucket}"));
    segments.push("all".to_owned());
    segments
}

/// The store key of `gateway`'s window in `segment`.
pub(crate) fn window_key(gateway: &str, segment: &str) -> String {
    format!("{gateway}|{segment}")
}

/// A gateway's estimated approval rate for one charge, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The smoothed approval rate, 0 to 1.
    pub rate: f64,
    /// The segment it was read from (`bin:435508`, `all`, ...), or `prior` when no segment
    /// had enough outcomes.
    pub segment: String,
    /// The outcomes behind it.
    pub samples: u32,
    /// The approved ones among them.
    pub approved: u32,
    /// The approvals weighted by recency (see [`ApprovalRouting::decay`]).
    pub weighted_approved: f64,
    /// The outcomes weighted by recency.
    pub weighted_total: f64,
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} % approval ({}, {} outcomes)",
            Fixed(self.rate * 100.0, 1),
            self.segment,
            self.samples
        )
    }
}

/// A non-negative number shown with a fixed number of decimals through integer
/// formatting: a route is explained on every routed charge, and float formatting was a
/// tenth of the approval decision's cost.
pub(crate) struct Fixed(pub(crate) f64, pub(crate) u32);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(value, decimals) = *self;
        let scale = 10u64.pow(decimals.min(6));
        if !value.is_finite() || value < 0.0 || value * scale as f64 >= u64::MAX as f64 {
            return write!(f, "{value}");
        }
        let scaled = (value * scale as f64).round() as u64;
        let (whole, part) = (scaled / scale, scaled % scale);
        if decimals == 0 {
            write!(f, "{whole}")
        } else {
            write!(
                f,
                "{whole}.{part:0width$}",
                width = decimals.min(6) as usize
            )
        }
    }
}

/// The estimate from `windows` (one per segment of `segments`, same order). Outcomes are
/// weighted by `decay` per newer outcome (1 for the newest, `decay` for the one before,
/// ...), so a gateway whose rate changed is seen to change before its window has turned
/// over.
pub(crate) fn estimate(
    segments: &[String],
    windows: &[OutcomeWindow],
    min_samples: u32,
    decay: f64,
) -> Estimate {
    segments
        .iter()
        .zip(windows)
        .find(|(_, w)| w.total() >= min_samples.max(1))
        .map_or_else(
            || Estimate {
                rate: 0.5,
                segment: "prior".to_owned(),
                samples: 0,
                approved: 0,
                weighted_approved: 0.0,
                weighted_total: 0.0,
            },
            |(segment, w)| {
                let (mut approved, mut total, mut weight) = (0.0, 0.0, 1.0);
                for &outcome in &w.newest_first {
                    if outcome {
                        approved += weight;
                    }
                    total += weight;
                    weight *= decay;
                }
                Estimate {
                    rate: (approved + 1.0) / (total + 2.0),
                    segment: segment.clone(),
                    samples: w.total(),
                    approved: w.approved(),
                    weighted_approved: approved,
                    weighted_total: total,
                }
            },
        )
}

/// A draw of the approval rate from its posterior, Beta(approvals + 1, declines + 1) over
/// the recency-weighted counts: Thompson sampling, so a gateway is tried in proportion to
/// the chance that it is the best, and a little-known one keeps being tried until it is
/// known.
pub(crate) fn thompson(estimate: &Estimate, rng: &mut impl rand::Rng) -> f64 {
    if estimate.samples == 0 {
        return rng.gen::<f64>();
    }
    let a = estimate.weighted_approved.max(0.0) + 1.0;
    let b = (estimate.weighted_total - estimate.weighted_approved).max(0.0) + 1.0;
    let (x, y) = (gamma(a, rng), gamma(b, rng));
    if x + y > 0.0 {
        x / (x + y)
    } else {
        estimate.rate
    }
}

/// A Gamma(`shape`, 1) draw for `shape` ≥ 1 (Marsaglia and Tsang's method).
fn gamma(shape: f64, rng: &mut impl rand::Rng) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    // Accepts about 98 % of the time; bounded so a broken generator cannot spin forever.
    for _ in 0..64 {
        let (u1, u2) = (1.0 - rng.gen::<f64>(), rng.gen::<f64>());
        let x = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.gen::<f64>();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
    d
}

/// What a charge of `amount` (in `installments`) brings at a gateway with `cost`: amount −
/// cost, in the charge's currency (the amount itself without a cost). The expected value
/// ranked by [`crate::Strategy::ExpectedValue`] is the approval rate × this.
pub(crate) fn net_amount(amount: Decimal, installments: u8, cost: Option<&ProcessingCost>) -> f64 {
    let net = cost.map_or(amount, |c| {
        amount.saturating_sub(c.of(amount, installments))
    });
    net.try_into().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn fixed_decimals_round_like_float_formatting() {
        assert_eq!(Fixed(91.25, 1).to_string(), format!("{:.1}", 91.26));
        assert_eq!(Fixed(0.90344, 4).to_string(), "0.9034");
        assert_eq!(Fixed(96.5, 0).to_string(), "97");
        assert_eq!(Fixed(0.0, 2).to_string(), "0.00");
        assert_eq!(Fixed(f64::NAN, 2).to_string(), "NaN");
    }

    #[test]
    fn costs_compute_in_decimal_and_refuse_negatives() {
        let cost = ProcessingCost::new(dec!(2.5), dec!(0.25)).unwrap();
        assert_eq!(cost.of(dec!(100), 1), dec!(2.75));
        let cost = cost.with_installments(3, dec!(4)).unwrap();
        assert_eq!(cost.of(dec!(100), 3), dec!(4.25));
        assert!(ProcessingCost::new(dec!(-1), dec!(0)).is_err());
        assert!(ProcessingCost::new(dec!(1), dec!(-0.01)).is_err());
        assert!(cost.with_installments(2, dec!(-3)).is_err());
    }

    #[test]
    fn settings_are_checked() {
        assert!(ApprovalRouting::default().validate().is_ok());
        for bad in [
            ApprovalRouting {
                window: 0,
                min_samples: 0,
                ..Default::default()
            },
            ApprovalRouting {
                exploration: 1.5,
                ..Default::default()
            },
            ApprovalRouting {
                exploration: -0.1,
                ..Default::default()
            },
            ApprovalRouting {
                exploration: f64::NAN,
                ..Default::default()
            },
            ApprovalRouting {
                window: 10,
                min_samples: 11,
                ..Default::default()
            },
            ApprovalRouting {
                decay: 0.0,
                ..Default::default()
            },
            ApprovalRouting {
                decay: 1.01,
                ..Default::default()
            },
        ] {
            assert!(
                matches!(bad.validate(), Err(Error::Configuration(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_most_specific_segment_with_enough_outcomes_wins() {
        let segments: Vec<String> = ["bin:435508", "network:visa", "all"]
            .map(str::to_owned)
            .to_vec();
        let w = |approved: usize, total: usize| OutcomeWindow {
            newest_first: (0..total).map(|i| i < approved).collect(),
        };
        let e = estimate(&segments, &[w(3, 5), w(90, 100), w(50, 200)], 20, 1.0);
        assert_eq!(e.segment, "network:visa");
        assert!((e.rate - 91.0 / 102.0).abs() < 1e-9);
        let e = estimate(&segments, &[w(19, 20), w(0, 100), w(0, 200)], 20, 1.0);
        assert_eq!(e.segment, "bin:435508");
        let e = estimate(&segments, &[w(0, 0), w(1, 1), w(2, 2)], 20, 1.0);
        assert_eq!((e.segment.as_str(), e.rate), ("prior", 0.5));
        // Recent approvals after old declines: the decay sees the change.
        let recovered = estimate(&segments[2..], &[w(20, 100)], 20, 0.9);
        assert!(recovered.rate > 0.8, "{recovered:?}");
        assert_eq!((recovered.approved, recovered.samples), (20, 100));
    }

    #[test]
    fn expected_value_prefers_the_cheaper_gateway_at_equal_approval() {
        let a = ProcessingCost::new(dec!(2.5), dec!(0)).unwrap();
        let b = ProcessingCost::new(dec!(1.9), dec!(0)).unwrap();
        let ev = |rate: f64, cost| rate * net_amount(dec!(100), 1, Some(cost));
        assert!(ev(0.9, &b) > ev(0.9, &a));
        assert!(ev(0.8, &b) < ev(0.9, &a));
    }
}
