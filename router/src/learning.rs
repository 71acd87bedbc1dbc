//! The router's side of approval-rate routing: reading the windows of the gateways
//! considered (one store round trip per charge) and adding each counted outcome.

use odeme_core::{ChargeRequest, DeclineReason, Error, Payment, PaymentStatus, Result};

use crate::approval::{self, ApprovalRouting, Estimate};
use crate::router::{store_unavailable, Route, Router};

/// Whether an answer counts as approved (`Some(true)`), declined (`Some(false)`) or not at
/// all (see [`crate::approval`] for the rule).
pub(crate) fn counts(result: &Result<Payment>) -> Option<bool> {
    match result {
        Ok(payment) => match payment.status {
            PaymentStatus::Succeeded | PaymentStatus::Authorized => Some(true),
            PaymentStatus::Failed => Some(false),
            _ => None,
        },
        Err(Error::Declined(decline)) => match decline.reason {
            // The customer's 3-D Secure, not the gateway's answer.
            DeclineReason::ThreeDsFailed | DeclineReason::ThreeDsRequired => None,
            _ => Some(false),
        },
        Err(_) => None,
    }
}

impl Router {
    /// The estimate of each of `routes` for `request`.
    pub(crate) async fn estimates(
        &self,
        settings: &ApprovalRouting,
        segments: &[String],
        routes: &[&Route],
    ) -> Result<Vec<Estimate>> {
        let keys: Vec<String> = routes
            .iter()
            .flat_map(|route| {
                segments
                    .iter()
                    .map(|segment| approval::window_key(&route.name, segment))
            })
            .collect();
        let windows = self
            .inner
            .store
            .outcome_windows(&keys)
            .await
            .map_err(store_unavailable)?;
        Ok(windows
            .chunks(segments.len().max(1))
            .map(|w| approval::estimate(segments, w, settings.min_samples, settings.decay))
            .collect())
    }

    /// Adds one outcome at `gateway` to its windows of `segments`, when the strategy
    /// learns. A store failure only loses this one outcome.
    pub(crate) async fn learn(&self, gateway: &str, segments: &[String], approved: bool) {
        let Some(settings) = self.strategy().learning() else {
            return;
        };
        if segments.is_empty() {
            return;
        }
        let keys: Vec<String> = segments
            .iter()
            .map(|segment| approval::window_key(gateway, segment))
            .collect();
        if let Err(e) = self
            .inner
            .store
            .record_outcome(&keys, approved, settings.window, settings.ttl)
            .await
        {
            tracing::warn!(target: "odeme_router::route", gateway, error = %e, "outcome not recorded");
        }
    }

    /// The segments `request` is learned in, when the strategy learns.
    pub(crate) fn segments_of(&self, request: &ChargeRequest) -> Vec<String> {
        match self.strategy().learning() {
            Some(_) => approval::segments(request),
            None => Vec::new(),
        }
    }
}
