//! The router as a [`Gateway`]: every capability that at least one of its gateways has,
//! with charges routed and everything else sent to its owner.

use async_trait::async_trait;

use odeme_core::{
    CancelPlanRequest, CancelRequest, Capabilities, Capability, CaptureRequest, CardList,
    CardOwner, Charge, ChargeRequest, ChargeStoredCard, CompleteThreeDsRequest, DeleteCardRequest,
    Error, Gateway, GatewayExt, InboundRequest, InstallmentOptions, InstallmentQuery, Installments,
    ListCardsRequest, Notification, Notifications, Payment, PaymentStatusQuery, Plan, PlanRequest,
    ProviderId, Recurring, Refund, RefundRequest, RefundResult, Result, StatusQuery, StoreCard,
    StoreCardRequest, StoredCard, ThreeDsCompletion,
};

use crate::charge::GATEWAY_REFERENCE;
use crate::eligibility::ChargeKind;
use crate::router::{Route, Router};
use crate::store::OwnerKind;

impl Router {
    fn any(&self, has: impl Fn(&dyn Gateway) -> bool) -> bool {
        self.routes().iter().any(|r| has(r.gateway.as_ref()))
    }

    /// The first gateway, in the order they were added, able to do `capability`.
    fn first_capable(&self, capability: Capability) -> Result<&Route> {
        self.routes()
            .iter()
            .find(|r| r.supports(capability))
            .ok_or_else(|| {
                Error::unsupported(
                    self.provider(),
                    capability,
                    "no gateway of this router offers it",
                )
            })
    }
}

fn tagged(route: &Route, mut payment: Payment) -> Payment {
    payment
        .references
        .insert(GATEWAY_REFERENCE.to_owned(), route.name.clone());
    payment
}

impl Gateway for Router {
    /// The provider of the first gateway. Every [`Payment`] names its own provider, and
    /// its `references["router_gateway"]` the router gateway that took it.
    fn provider(&self) -> ProviderId {
        self.routes()
            .first()
            .map_or(ProviderId::Paytrek, |r| r.gateway.provider())
    }

    /// Everything at least one gateway supports.
    fn capabilities(&self) -> Capabilities {
        let all: Vec<Capability> = self
            .routes()
            .iter()
            .flat_map(|r| r.capabilities.iter())
            .collect();
        Capabilities::new(&all)
    }

    fn charges(&self) -> Option<&dyn Charge> {
        self.any(|g| g.charges().is_some())
            .then_some(self as &dyn Charge)
    }

    fn cards(&self) -> Option<&dyn StoreCard> {
        self.any(|g| g.cards().is_some())
            .then_some(self as &dyn StoreCard)
    }

    fn stored_card_charges(&self) -> Option<&dyn ChargeStoredCard> {
        self.any(|g| g.stored_card_charges().is_some())
            .then_some(self as &dyn ChargeStoredCard)
    }

    fn refunds(&self) -> Option<&dyn Refund> {
        self.any(|g| g.refunds().is_some())
            .then_some(self as &dyn Refund)
    }

    fn recurring(&self) -> Option<&dyn Recurring> {
        self.any(|g| g.recurring().is_some())
            .then_some(self as &dyn Recurring)
    }

    fn status_query(&self) -> Option<&dyn PaymentStatusQuery> {
        self.any(|g| g.status_query().is_some())
            .then_some(self as &dyn PaymentStatusQuery)
    }

    fn three_ds(&self) -> Option<&dyn ThreeDsCompletion> {
        self.any(|g| g.three_ds().is_some())
            .then_some(self as &dyn ThreeDsCompletion)
    }

    fn installment_options(&self) -> Option<&dyn Installments> {
        self.any(|g| g.installment_options().is_some())
            .then_some(self as &dyn Installments)
    }

    fn notifications(&self) -> Option<&dyn Notifications> {
        self.any(|g| g.notifications().is_some())
            .then_some(self as &dyn Notifications)
    }
}

#[async_trait]
impl Charge for Router {
    async fn charge(&self, request: &ChargeRequest) -> Result<Payment> {
        self.route_charge(ChargeKind::Charge, request).await
    }

    async fn capture(&self, request: &CaptureRequest) -> Result<Payment> {
        let route = self
            .owner(OwnerKind::Payment, &request.payment_id, Capability::Capture)
            .await?;
        let payment = route.gateway.require_charges()?.capture(request).await?;
        Ok(tagged(route, payment))
    }

    async fn cancel(&self, request: &CancelRequest) -> Result<Payment> {
        let route = self
            .owner(OwnerKind::Payment, &request.payment_id, Capability::Cancel)
            .await?;
        let payment = route.gateway.require_charges()?.cancel(request).await?;
        Ok(tagged(route, payment))
    }
}

#[async_trait]
impl ChargeStoredCard for Router {
    async fn charge_stored_card(&self, request: &ChargeRequest) -> Result<Payment> {
        self.route_charge(ChargeKind::StoredCard, request).await
    }
}

#[async_trait]
impl Refund for Router {
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult> {
        let capability = if request.items.is_empty() {
            Capability::Refund
        } else {
            Capability::ItemRefund
        };
        let route = self
            .owner(OwnerKind::Payment, &request.payment_id, capability)
            .await?;
        route.gateway.require_refunds()?.refund(request).await
    }
}

#[async_trait]
impl StoreCard for Router {
    async fn store_card(&self, request: &StoreCardRequest) -> Result<StoredCard> {
        let route = match &request.owner {
            CardOwner::Existing(customer) => {
                self.owner(OwnerKind::Customer, customer, Capability::StoreCard)
                    .await?
            }
            _ => self.first_capable(Capability::StoreCard)?,
        };
        let stored = route.gateway.require_cards()?.store_card(request).await?;
        self.own(
            route,
            &[
                (OwnerKind::Card, stored.reference.card_token.clone()),
                (OwnerKind::Customer, stored.reference.customer_token.clone()),
            ],
        )
        .await;
        Ok(stored)
    }

    async fn list_cards(&self, request: &ListCardsRequest) -> Result<CardList> {
        let route = self
            .owner(
                OwnerKind::Customer,
                &request.customer_token,
                Capability::ListCards,
            )
            .await?;
        route.gateway.require_cards()?.list_cards(request).await
    }

    async fn delete_card(&self, request: &DeleteCardRequest) -> Result<()> {
        let route = match self
            .recorded_owner(OwnerKind::Card, &request.card.card_token)
            .await?
        {
            Some(route) => route,
            None => {
                self.owner(
                    OwnerKind::Customer,
                    &request.card.customer_token,
                    Capability::DeleteCard,
                )
                .await?
            }
        };
        route.gateway.require_cards()?.delete_card(request).await
    }
}

#[async_trait]
impl Recurring for Router {
    async fn recurring_charge(&self, request: &ChargeRequest) -> Result<Payment> {
        self.route_charge(ChargeKind::Recurring, request).await
    }

    async fn create_plan(&self, request: &PlanRequest) -> Result<Plan> {
        let route = match request.charge.stored_card() {
            Some(card) => match self
                .recorded_owner(OwnerKind::Card, &card.card_token)
                .await?
            {
                Some(route) => route,
                None => self.first_capable(Capability::RecurringPlans)?,
            },
            None => self.first_capable(Capability::RecurringPlans)?,
        };
        let plan = route
            .gateway
            .require_recurring()?
            .create_plan(request)
            .await?;
        self.own(route, &[(OwnerKind::Plan, plan.id.clone())]).await;
        Ok(plan)
    }

    async fn get_plan(&self, plan_id: &str) -> Result<Plan> {
        let route = self
            .owner(OwnerKind::Plan, plan_id, Capability::RecurringPlans)
            .await?;
        route.gateway.require_recurring()?.get_plan(plan_id).await
    }

    async fn cancel_plan(&self, request: &CancelPlanRequest) -> Result<Plan> {
        let route = self
            .owner(
                OwnerKind::Plan,
                &request.plan_id,
                Capability::RecurringPlans,
            )
            .await?;
        route
            .gateway
            .require_recurring()?
            .cancel_plan(request)
            .await
    }
}

#[async_trait]
impl PaymentStatusQuery for Router {
    async fn status(&self, query: &StatusQuery) -> Result<Payment> {
        query.validate()?;
        let (kind, id, capability) = match query {
            StatusQuery::OrderId(id) => (OwnerKind::Order, id, Capability::StatusByOrderId),
            StatusQuery::PaymentId(id) => (OwnerKind::Payment, id, Capability::StatusByPaymentId),
        };
        let route = match self.recorded_owner(kind, id).await? {
            Some(route) => route,
            None => {
                let (route, payment) = self.discover(kind, id).await?;
                return Ok(tagged(route, payment));
            }
        };
        if !route.supports(capability) {
            return Err(Error::unsupported(
                route.gateway.provider(),
                capability,
                format!(
                    "`{id}` belongs to `{}`, which does not offer it",
                    route.name
                ),
            ));
        }
        let payment = route.gateway.require_status_query()?.status(query).await?;
        Ok(tagged(route, payment))
    }
}

#[async_trait]
impl ThreeDsCompletion for Router {
    async fn complete_three_ds(&self, request: &CompleteThreeDsRequest) -> Result<Payment> {
        let route = match (&request.payment_id, &request.order_id) {
            (Some(id), _) => {
                self.owner(OwnerKind::Payment, id, Capability::ThreeDSecure)
                    .await?
            }
            (None, Some(id)) => {
                self.owner(OwnerKind::Order, id, Capability::ThreeDSecure)
                    .await?
            }
            (None, None) => {
                return Err(Error::invalid(
                    "order_id",
                    "a router needs the order id or the payment id to find the gateway",
                ))
            }
        };
        let payment = route
            .gateway
            .require_three_ds()?
            .complete_three_ds(request)
            .await?;
        self.own_payment(route, &payment).await;
        Ok(tagged(route, payment))
    }
}

#[async_trait]
impl Installments for Router {
    async fn installments(&self, query: &InstallmentQuery) -> Result<InstallmentOptions> {
        let currency = query.amount.currency();
        let route = self
            .routes()
            .iter()
            .find(|r| {
                r.supports(Capability::Installments)
                    && r.currencies.as_ref().is_none_or(|c| c.contains(&currency))
            })
            .ok_or_else(|| {
                Error::unsupported(
                    self.provider(),
                    Capability::Installments,
                    "no gateway of this router offers installments in this currency",
                )
            })?;
        route
            .gateway
            .require_installments()?
            .installments(query)
            .await
    }
}

impl Notifications for Router {
    /// The notification verified by the gateway whose signature it carries. Each
    /// gateway checks in constant time; none says which check failed.
    fn verify_notification(&self, request: &InboundRequest) -> Result<Notification> {
        let mut last = None;
        for route in self.routes() {
            if let Some(notifications) = route.gateway.notifications() {
                match notifications.verify_notification(request) {
                    Ok(notification) => return Ok(notification),
                    Err(e) => last = Some(e),
                }
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::unsupported(
                self.provider(),
                Capability::Notifications,
                "no gateway of this router verifies notifications",
            )
        }))
    }
}
