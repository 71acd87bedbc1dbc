//! The router itself: its gateways, and what it shows of them.

use std::collections::BTreeSet;
use std::sync::Arc;

use odeme_core::{Capabilities, Capability, Currency, Error, Gateway, Result};

use crate::approval::ProcessingCost;
use crate::breaker::{Breaker, Health};
use crate::builder::RouterBuilder;
use crate::clock::Clock;
use crate::policy::{CascadePolicy, Timings};
use crate::store::{RouterStore, StoreError};
use crate::strategy::{Selector, Strategy};

/// A gateway of the router.
#[derive(Clone)]
pub(crate) struct Route {
    pub(crate) name: String,
    pub(crate) gateway: Arc<dyn Gateway>,
    pub(crate) weight: u32,
    pub(crate) currencies: Option<BTreeSet<Currency>>,
    pub(crate) capabilities: Capabilities,
    pub(crate) cost: Option<ProcessingCost>,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("name", &self.name)
            .field("provider", &self.gateway.provider())
            .field("weight", &self.weight)
            .field("currencies", &self.currencies)
            .finish()
    }
}

impl Route {
    pub(crate) fn supports(&self, capability: Capability) -> bool {
        self.capabilities.supports(capability)
    }
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) routes: Vec<Route>,
    pub(crate) selector: Selector,
    pub(crate) store: Arc<dyn RouterStore>,
    pub(crate) cascade: CascadePolicy,
    pub(crate) breaker: Breaker,
    pub(crate) timings: Timings,
    pub(crate) clock: Arc<dyn Clock>,
}

/// A [`Gateway`] made of several gateways: charges go where the [`Strategy`] says, move on
/// only when that is safe, happen once per key across every instance sharing the store,
/// and every follow-up goes to the gateway that owns the payment, card or plan.
///
/// Cheap to clone: clones share the gateways, the store and the strategy's state.
#[derive(Debug, Clone)]
pub struct Router {
    pub(crate) inner: Arc<Inner>,
}

impl Router {
    /// A builder with nothing in it.
    pub fn builder() -> RouterBuilder {
        RouterBuilder::default()
    }

    /// Ordered failover over `gateways` (primary first), in memory.
    pub fn failover<'a>(
        gateways: impl IntoIterator<Item = (&'a str, Arc<dyn Gateway>)>,
    ) -> Result<Router> {
        gateways
            .into_iter()
            .fold(Router::builder(), |b, (name, gateway)| {
                b.gateway(name, gateway)
            })
            .strategy(Strategy::Failover)
            .build()
    }

    /// Weighted load-balancing (smooth weighted round-robin) over `gateways`, in memory.
    pub fn weighted<'a>(
        gateways: impl IntoIterator<Item = (&'a str, Arc<dyn Gateway>, u32)>,
    ) -> Result<Router> {
        gateways
            .into_iter()
            .fold(Router::builder(), |b, (name, gateway, weight)| {
                b.weighted(name, gateway, weight)
            })
            .strategy(Strategy::Weighted)
            .build()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The gateway named `name`, to reach one provider directly.
    pub fn gateway(&self, name: &str) -> Option<&Arc<dyn Gateway>> {
        self.route(name).map(|r| &r.gateway)
    }

    /// The gateways' names, in the order they were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.inner.routes.iter().map(|r| r.name.as_str())
    }

    /// The strategy.
    pub fn strategy(&self) -> &Strategy {
        self.inner.selector.strategy()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn RouterStore> {
        &self.inner.store
    }

    /// The circuit of gateway `name` as the store has it now.
    pub async fn health(&self, name: &str) -> Result<Health> {
        if self.route(name).is_none() {
            return Err(Error::invalid(
                "gateway",
                format!("no gateway named `{name}`"),
            ));
        }
        self.inner
            .breaker
            .health(name)
            .await
            .map_err(store_unavailable)
    }

    /// Charges `request` (a new card) like [`odeme_core::Charge::charge`] and says why it
    /// went where it went, for its result either way: the gateways considered with their
    /// scores, the ones skipped and why, each one tried and what it answered. A routed
    /// payment also carries the same in one line under [`crate::ROUTE_REFERENCE`].
    pub async fn charge_explained(
        &self,
        request: &odeme_core::ChargeRequest,
    ) -> (Result<odeme_core::Payment>, crate::RouteExplanation) {
        self.route_charge_explained(crate::eligibility::ChargeKind::Charge, request)
            .await
    }

    pub(crate) fn route(&self, name: &str) -> Option<&Route> {
        self.inner.routes.iter().find(|r| r.name == name)
    }

    pub(crate) fn routes(&self) -> &[Route] {
        &self.inner.routes
    }
}

/// A store failure as the caller sees it: nothing was sent.
pub(crate) fn store_unavailable(error: StoreError) -> Error {
    Error::Unavailable(error.to_string())
}
