//! The gateways a charge will try, in order, and why the others were left out.

use odeme_core::{ChargeRequest, Error, PaymentSource, Result};

use crate::approval::{self, Estimate};
use crate::eligibility::{refusal, ChargeKind};
use crate::explain::Considered;
use crate::router::{store_unavailable, Route, Router};
use crate::store::OwnerKind;
use crate::strategy::{Candidate, Strategy};

/// The routing decision for one charge.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    /// The gateways to try, first the strategy's pick, then the fallbacks.
    pub(crate) order: Vec<&'a Route>,
    /// The gateways left out, each with the reason.
    pub(crate) ruled_out: Vec<(String, String)>,
    /// The gateways ordered, with their estimates and scores.
    pub(crate) considered: Vec<Considered>,
    /// The charge's approval segments, when the strategy learns.
    pub(crate) segments: Vec<String>,
}

impl Plan<'_> {
    /// The error when nothing is left to try.
    pub(crate) fn no_route(&self, passed_over: &[(String, String)]) -> Error {
        let reasons: Vec<String> = self
            .ruled_out
            .iter()
            .chain(passed_over)
            .map(|(name, why)| format!("`{name}` {why}"))
            .collect();
        Error::Unavailable(format!(
            "no gateway can take this charge: {}",
            if reasons.is_empty() {
                "none was tried".to_owned()
            } else {
                reasons.join("; ")
            }
        ))
    }
}

impl Router {
    pub(crate) async fn plan(&self, kind: ChargeKind, request: &ChargeRequest) -> Result<Plan<'_>> {
        let home = match &request.source {
            PaymentSource::StoredCard { card, .. } => Some(self.card_home(kind, card).await?),
            PaymentSource::NewCard(_) => None,
        };
        let mut ruled_out = Vec::new();
        let mut slots = Vec::new();
        for (slot, route) in self.routes().iter().enumerate() {
            if let Some(home) = &home {
                if &route.name != home {
                    ruled_out.push((
                        route.name.clone(),
                        format!("does not hold the stored card (`{home}` does)"),
                    ));
                    continue;
                }
            }
            match refusal(route, kind, request) {
                Some(why) => ruled_out.push((route.name.clone(), why)),
                None => slots.push(slot),
            }
        }
        let routes = self.routes();
        let candidates: Vec<Candidate<'_>> = slots
            .iter()
            .filter_map(|&slot| routes.get(slot))
            .map(|route| Candidate {
                name: &route.name,
                provider: route.gateway.provider(),
                weight: route.weight,
                capabilities: &route.capabilities,
                cost: route.cost.as_ref(),
            })
            .collect();
        let segments = self.segments_of(request);
        let scoring = match self.strategy().learning() {
            Some(settings) => {
                let eligible: Vec<&Route> =
                    slots.iter().filter_map(|&slot| routes.get(slot)).collect();
                let estimates = self.estimates(settings, &segments, &eligible).await?;
                value_factors(
                    request,
                    &candidates,
                    estimates,
                    matches!(self.strategy(), Strategy::ExpectedValue(_)),
                )
            }
            None => Vec::new(),
        };
        let (picked, scores) = self
            .inner
            .selector
            .order(request, &candidates, &slots, &scoring);
        let considered = picked
            .iter()
            .filter_map(|&i| {
                Some(Considered {
                    gateway: candidates.get(i)?.name.to_owned(),
                    estimate: scoring.get(i).map(|(e, _)| e.to_string()),
                    score: scores.get(i).copied(),
                })
            })
            .collect();
        let order = picked
            .into_iter()
            .filter_map(|i| slots.get(i).and_then(|&slot| routes.get(slot)))
            .collect();
        Ok(Plan {
            order,
            ruled_out,
            considered,
            segments,
        })
    }

    /// The gateway that holds a stored card: the one recorded when the card was stored
    /// through this router (or any instance sharing its store), else the only gateway
    /// able to charge stored cards at all.
    async fn card_home(
        &self,
        kind: ChargeKind,
        card: &odeme_core::StoredCardRef,
    ) -> Result<String> {
        let store = &self.inner.store;
        let recorded = match store
            .owner(OwnerKind::Card, &card.card_token)
            .await
            .map_err(store_unavailable)?
        {
            Some(name) => Some(name),
            None => store
                .owner(OwnerKind::Customer, &card.customer_token)
                .await
                .map_err(store_unavailable)?,
        };
        if let Some(name) = recorded {
            return Ok(name);
        }
        let capable: Vec<&Route> = self
            .routes()
            .iter()
            .filter(|r| r.supports(kind.capability()))
            .collect();
        match capable.as_slice() {
            [only] => Ok(only.name.clone()),
            _ => Err(Error::invalid(
                "source.card",
                "no gateway of this router is recorded as holding this card; store the card \
                 through the router, or charge it through `Router::gateway(name)`",
            )),
        }
    }
}

/// Each candidate's estimate with the factor its rate is multiplied by: for the
/// expected-value ranking the net amount a charge brings there, else 1.
fn value_factors(
    request: &ChargeRequest,
    candidates: &[Candidate<'_>],
    estimates: Vec<Estimate>,
    by_value: bool,
) -> Vec<(Estimate, f64)> {
    candidates
        .iter()
        .zip(estimates)
        .map(|(candidate, estimate)| {
            let factor = if by_value {
                approval::net_amount(
                    request.amount.amount(),
                    request.installments,
                    candidate.cost,
                )
            } else {
                1.0
            };
            (estimate, factor)
        })
        .collect()
}
