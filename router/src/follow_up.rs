//! Finding the gateway that owns a payment, order, card or plan, so that a capture,
//! cancel, refund, status query or stored-card operation reaches it and no other.
//!
//! The owner is the one recorded when the router made the payment, stored the card or
//! created the plan. A payment or order the router has no record of (made before the
//! router, or recorded in a store that was since emptied) is looked up by a status query
//! at every gateway, a read that is safe anywhere; it is used only when exactly one
//! gateway knows it and every other one answered that it does not.

use odeme_core::{Capability, Error, GatewayExt, Payment, RejectionKind, Result, StatusQuery};

use crate::router::{store_unavailable, Route, Router};
use crate::store::OwnerKind;

impl Router {
    /// The gateway that owns `id`, able to do `capability`.
    pub(crate) async fn owner(
        &self,
        kind: OwnerKind,
        id: &str,
        capability: Capability,
    ) -> Result<&Route> {
        let route = match self.recorded_owner(kind, id).await? {
            Some(route) => route,
            None => match kind {
                OwnerKind::Payment | OwnerKind::Order => self.discover(kind, id).await?.0,
                _ => self.only_capable(kind, id, capability)?,
            },
        };
        if !route.supports(capability) {
            return Err(Error::unsupported(
                route.gateway.provider(),
                capability,
                format!(
                    "`{id}` belongs to gateway `{}`, which does not offer it",
                    route.name
                ),
            ));
        }
        Ok(route)
    }

    pub(crate) async fn recorded_owner(&self, kind: OwnerKind, id: &str) -> Result<Option<&Route>> {
        let Some(name) = self
            .inner
            .store
            .owner(kind, id)
            .await
            .map_err(store_unavailable)?
        else {
            return Ok(None);
        };
        self.route(&name).map(Some).ok_or_else(|| {
            Error::Configuration(format!(
                "{} `{id}` belongs to gateway `{name}`, which this router does not have",
                kind.as_str()
            ))
        })
    }

    fn only_capable(&self, kind: OwnerKind, id: &str, capability: Capability) -> Result<&Route> {
        let capable: Vec<&Route> = self
            .routes()
            .iter()
            .filter(|r| r.supports(capability))
            .collect();
        match capable.as_slice() {
            [only] => Ok(only),
            _ => Err(Error::invalid(
                kind.as_str(),
                format!(
                    "no gateway of this router is recorded as the owner of `{id}`; reach it \
                     through `Router::gateway(name)`"
                ),
            )),
        }
    }

    /// Asks every gateway about a payment or order the router has no record of.
    pub(crate) async fn discover(&self, kind: OwnerKind, id: &str) -> Result<(&Route, Payment)> {
        let (query, capability, field) = match kind {
            OwnerKind::Order => (
                StatusQuery::OrderId(id.to_owned()),
                Capability::StatusByOrderId,
                "order_id",
            ),
            _ => (
                StatusQuery::PaymentId(id.to_owned()),
                Capability::StatusByPaymentId,
                "payment_id",
            ),
        };
        let mut found: Vec<(&Route, Payment)> = Vec::new();
        let mut unsure: Vec<String> = Vec::new();
        for route in self.routes().iter().filter(|r| r.supports(capability)) {
            let Ok(status) = route.gateway.require_status_query() else {
                continue;
            };
            match status.status(&query).await {
                Ok(payment) => found.push((route, payment)),
                Err(Error::Provider {
                    kind: RejectionKind::NotFound,
                    ..
                })
                | Err(Error::InvalidRequest { .. }) => {}
                Err(e) => unsure.push(format!("`{}`: {e}", route.name)),
            }
        }
        if !unsure.is_empty() {
            return Err(Error::Unavailable(format!(
                "the router has no record of {field} `{id}` and could not ask every gateway \
                 about it ({})",
                unsure.join("; ")
            )));
        }
        let mut found = found.into_iter();
        match (found.next(), found.next()) {
            (Some((route, payment)), None) => {
                self.own_payment(route, &payment).await;
                Ok((route, payment))
            }
            (None, _) => Err(Error::invalid(
                field,
                format!("no gateway of this router knows `{id}`"),
            )),
            (Some((first, _)), Some((second, _))) => Err(Error::invalid(
                field,
                format!(
                    "gateways `{}` and `{}` both know `{id}`; reach the owner through \
                     `Router::gateway(name)`",
                    first.name, second.name
                ),
            )),
        }
    }
}
