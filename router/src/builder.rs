//! Putting a router together, and refusing a configuration that cannot route.

use std::collections::BTreeSet;
use std::sync::Arc;

use odeme_core::{Currency, Error, Gateway, Result};

use crate::approval::ProcessingCost;
use crate::breaker::Breaker;
use crate::clock::{Clock, SystemClock};
use crate::policy::{BreakerPolicy, CascadePolicy, Timings};
use crate::router::{Inner, Route, Router};
use crate::store::{MemoryStore, RouterStore};
use crate::strategy::{Selector, Strategy};

/// Builds a [`Router`]. Every mistake (no gateway, a zero weight, two gateways of one
/// name, a zero threshold or lease) is an [`Error::Configuration`] from
/// [`RouterBuilder::build`], never a panic or a silent default.
#[derive(Debug)]
pub struct RouterBuilder {
    routes: Vec<Route>,
    strategy: Strategy,
    store: Option<Arc<dyn RouterStore>>,
    cascade: CascadePolicy,
    breaker: BreakerPolicy,
    timings: Timings,
    clock: Arc<dyn Clock>,
    problems: Vec<String>,
}

impl Default for RouterBuilder {
    fn default() -> Self {
        Self {
            routes: Vec::new(),
            strategy: Strategy::Failover,
            store: None,
            cascade: CascadePolicy::default(),
            breaker: BreakerPolicy::default(),
            timings: Timings::default(),
            clock: Arc::new(SystemClock),
            problems: Vec::new(),
        }
    }
}

impl RouterBuilder {
    /// Adds `gateway` under `name` with weight 1. Names identify gateways in the store,
    /// in logs and in [`Router::gateway`]; several instances sharing a store must use the
    /// same names for the same accounts.
    pub fn gateway(self, name: &str, gateway: Arc<dyn Gateway>) -> Self {
        self.weighted(name, gateway, 1)
    }

    /// Adds `gateway` under `name` with `weight` (used by the weighted strategies; must
    /// be at least 1).
    pub fn weighted(mut self, name: &str, gateway: Arc<dyn Gateway>, weight: u32) -> Self {
        if weight == 0 {
            self.problems
                .push(format!("gateway `{name}` has weight 0; weights start at 1"));
        }
        let capabilities = gateway.capabilities();
        self.routes.push(Route {
            name: name.to_owned(),
            gateway,
            weight,
            currencies: None,
            capabilities,
            cost: None,
        });
        self
    }

    /// Sends `name` only charges in these currencies (what the merchant's contract with
    /// that provider covers). Without it a gateway gets every currency and its adapter
    /// refuses, before sending, one it cannot take.
    pub fn currencies(mut self, name: &str, currencies: &[Currency]) -> Self {
        match self.routes.iter_mut().find(|r| r.name == name) {
            Some(route) if !currencies.is_empty() => {
                route.currencies = Some(currencies.iter().copied().collect());
            }
            Some(_) => self
                .problems
                .push(format!("gateway `{name}` is given an empty currency list")),
            None => self.problems.push(format!(
                "currencies for `{name}`, which is not (yet) a gateway of this router"
            )),
        }
        self
    }

    /// What a charge costs at `name`, for [`Strategy::ExpectedValue`] (and shown in route
    /// explanations).
    pub fn cost(mut self, name: &str, cost: ProcessingCost) -> Self {
        match self.routes.iter_mut().find(|r| r.name == name) {
            Some(route) => route.cost = Some(cost),
            None => self.problems.push(format!(
                "a cost for `{name}`, which is not (yet) a gateway of this router"
            )),
        }
        self
    }

    /// The order in which charges try the gateways. Default [`Strategy::Failover`].
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Where keys, routing records and breaker counters live. Default a fresh
    /// [`MemoryStore`]; several application instances share a [`crate::store::RedisStore`]
    /// (feature `redis`).
    pub fn store(mut self, store: Arc<dyn RouterStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// When a charge moves on to the next gateway.
    pub fn cascade(mut self, cascade: CascadePolicy) -> Self {
        self.cascade = cascade;
        self
    }

    /// The circuit breakers' policy.
    pub fn breaker(mut self, breaker: BreakerPolicy) -> Self {
        self.breaker = breaker;
        self
    }

    /// Leases, waits and record lifetimes.
    pub fn timings(mut self, timings: Timings) -> Self {
        self.timings = timings;
        self
    }

    /// The clock (tests move a [`crate::clock::ManualClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The router, or what is wrong with the configuration.
    pub fn build(self) -> Result<Router> {
        let mut problems = self.problems;
        if self.routes.is_empty() {
            problems.push("a router needs at least one gateway".to_owned());
        }
        let mut names = BTreeSet::new();
        for route in &self.routes {
            if !valid_name(&route.name) {
                problems.push(format!(
                    "gateway name `{}` must be 1 to 64 letters, digits, `-` or `_`",
                    route.name
                ));
            }
            if !names.insert(route.name.as_str()) {
                problems.push(format!("two gateways are named `{}`", route.name));
            }
        }
        if self.breaker.failure_threshold == 0 {
            problems.push("the breaker's failure threshold must be at least 1".to_owned());
        }
        if self.breaker.cool_down.is_zero() || self.breaker.probe_lease.is_zero() {
            problems.push("the breaker's cool-down and probe lease must be longer than 0".into());
        }
        if self.timings.claim_lease.is_zero()
            || self.timings.key_ttl < self.timings.claim_lease
            || self.timings.ownership_ttl.is_zero()
            || self.timings.poll_interval.is_zero()
        {
            problems.push(
                "the claim lease and record lifetimes must be longer than 0, and keys must live \
                 at least as long as a claim"
                    .to_owned(),
            );
        }
        if let Some(settings) = self.strategy.learning() {
            if let Err(Error::Configuration(problem)) = settings.validate() {
                problems.push(problem);
            }
        }
        if !problems.is_empty() {
            return Err(Error::Configuration(format!(
                "router: {}",
                problems.join("; ")
            )));
        }
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(MemoryStore::new()) as Arc<dyn RouterStore>);
        let selector = Selector::new(self.strategy, self.routes.len());
        let breaker = Breaker::new(self.breaker, store.clone(), self.clock.clone());
        Ok(Router::from_inner(Inner {
            routes: self.routes,
            selector,
            store,
            cascade: self.cascade,
            breaker,
            timings: self.timings,
            clock: self.clock,
        }))
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
