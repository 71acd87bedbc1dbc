//! Why a charge went where it went: the gateways considered and their scores, the ones
//! left out and why, and each gateway tried with what happened there. No card data: only
//! gateway names, segment names (a BIN is at most the first six digits), rates and reasons.

use std::fmt;

use serde::Serialize;

use crate::approval::Fixed;

/// The route of one routed charge.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RouteExplanation {
    /// The strategy's name (`failover`, `weighted`, `approval_rate`, ...).
    pub strategy: &'static str,
    /// The gateways able to take the charge, in the order the strategy put them, each with
    /// its score where the strategy scores.
    pub considered: Vec<Considered>,
    /// The gateways left out, each with the reason (unsupported, wrong currency, circuit
    /// open, does not hold the stored card, ...).
    pub skipped: Vec<Skipped>,
    /// The gateways tried, in order, and what each answered; the last one owns the
    /// payment when the charge succeeded.
    pub tried: Vec<Tried>,
    /// How the charge ended, in words (for example why no cascade happened).
    pub verdict: String,
}

/// A gateway the strategy ordered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Considered {
    /// The gateway's name.
    pub gateway: String,
    /// Its estimated approval, for the approval-based strategies (`87.5 % approval
    /// (bin:435508, 120 outcomes)`).
    pub estimate: Option<String>,
    /// Its score: the approval rate, or the expected value in the charge's currency.
    pub score: Option<f64>,
}

/// A gateway left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The gateway's name.
    pub gateway: String,
    /// Why.
    pub reason: String,
}

/// A gateway tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tried {
    /// The gateway's name.
    pub gateway: String,
    /// What happened (`approved`, `soft decline: ... — moved on`, `unknown outcome,
    /// reconciled: charged`, ...).
    pub outcome: String,
}

impl RouteExplanation {
    /// The gateway that was tried last, which owns the payment when the charge succeeded.
    pub fn last_gateway(&self) -> Option<&str> {
        self.tried.last().map(|t| t.gateway.as_str())
    }

    pub(crate) fn skip(&mut self, gateway: &str, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            gateway: gateway.to_owned(),
            reason: reason.into(),
        });
    }

    pub(crate) fn tried(&mut self, gateway: &str, outcome: impl Into<String>) {
        self.tried.push(Tried {
            gateway: gateway.to_owned(),
            outcome: outcome.into(),
        });
    }

    /// Appends to the outcome of the last gateway tried.
    pub(crate) fn amend_last(&mut self, more: &str) {
        if let Some(last) = self.tried.last_mut() {
            last.outcome.push_str(more);
        }
    }
}

impl fmt::Display for RouteExplanation {
    /// One line: `strategy approval_rate; considered a (91.0 % approval (bin:435508, 120
    /// outcomes)), b (...); skipped c: has its circuit open; tried a: approved; approved at a`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "strategy {}", self.strategy)?;
        if !self.considered.is_empty() {
            f.write_str("; considered ")?;
            for (i, c) in self.considered.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(&c.gateway)?;
                match (&c.estimate, c.score.map(|s| Fixed(s, 4))) {
                    (Some(estimate), Some(score)) => write!(f, " ({estimate}, score {score})")?,
                    (Some(estimate), None) => write!(f, " ({estimate})")?,
                    (None, Some(score)) => write!(f, " (score {score})")?,
                    (None, None) => {}
                }
            }
        }
        for s in &self.skipped {
            write!(f, "; skipped {}: {}", s.gateway, s.reason)?;
        }
        for t in &self.tried {
            write!(f, "; tried {}: {}", t.gateway, t.outcome)?;
        }
        if !self.verdict.is_empty() {
            write!(f, "; {}", self.verdict)?;
        }
        Ok(())
    }
}
