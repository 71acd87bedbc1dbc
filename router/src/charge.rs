//! A charge through the router, exactly once per key: claim the key, try the planned
//! gateways while moving on is safe, reconcile an unknown outcome where it happened, and
//! record the outcome for every later call with the same key, in any instance.

use odeme_core::{ChargeRequest, Error, GatewayExt, Payment, PaymentStatus, Result};

use crate::breaker::{is_failure, Admission};
use crate::clock::millis;
use crate::eligibility::ChargeKind;
use crate::explain::RouteExplanation;
use crate::learning;
use crate::outcome::{class, outcome_text, Class};
use crate::reconcile::{self, Reconciled};
use crate::router::{store_unavailable, Route, Router};
use crate::store::{Attempt, AttemptState, Claim, OwnerKind};

/// The `references` entry naming the router gateway that took a payment.
pub const GATEWAY_REFERENCE: &str = "router_gateway";

/// The [`odeme_core::Payment::references`] entry that holds a routed payment's route,
/// explained in one line ([`RouteExplanation`]'s `Display`).
pub const ROUTE_REFERENCE: &str = "router_route";

/// How often a charge key may be found released and claimed again before giving up.
const MAX_CLAIM_ROUNDS: usize = 8;

/// The store key of a charge: the explicit idempotency key, else the order id.
fn charge_key(request: &ChargeRequest) -> String {
    match &request.idempotency_key {
        Some(key) => format!("key:{key}"),
        None => format!("order:{}", request.order_id),
    }
}

/// How joining an existing attempt ended.
enum Joined {
    Done(Box<Result<Payment>>),
    /// The record went away (its holder released it, nothing sent): claim afresh.
    Released,
    /// The holder is gone before sending anything: this call carries on with the claim.
    TookOver(Box<Attempt>),
}

impl Router {
    fn lease_until(&self) -> u64 {
        self.inner
            .clock
            .now_ms()
            .saturating_add(millis(self.inner.timings.claim_lease))
    }

    pub(crate) async fn route_charge(
        &self,
        kind: ChargeKind,
        request: &ChargeRequest,
    ) -> Result<Payment> {
        let (result, explanation) = self.route_charge_explained(kind, request).await;
        result.map(|mut payment| {
            payment
                .references
                .insert(ROUTE_REFERENCE.to_owned(), explanation.to_string());
            payment
        })
    }

    /// Routes the charge and says why it went where it went, for its result either way.
    pub(crate) async fn route_charge_explained(
        &self,
        kind: ChargeKind,
        request: &ChargeRequest,
    ) -> (Result<Payment>, RouteExplanation) {
        let mut explain = RouteExplanation {
            strategy: self.strategy().name(),
            ..RouteExplanation::default()
        };
        let result = self.claim_and_run(kind, request, &mut explain).await;
        tracing::info!(
            target: "odeme_router::route",
            order_id = %request.order_id,
            ok = result.is_ok(),
            route = %explain,
            "charge routed"
        );
        (result, explain)
    }

    async fn claim_and_run(
        &self,
        kind: ChargeKind,
        request: &ChargeRequest,
        explain: &mut RouteExplanation,
    ) -> Result<Payment> {
        request.validate()?;
        let key = charge_key(request);
        let holder = uuid::Uuid::new_v4().to_string();
        let ttl = self.inner.timings.key_ttl;
        for _ in 0..MAX_CLAIM_ROUNDS {
            let mine = Attempt::claim(&request.order_id, &holder, self.lease_until());
            let claim = self
                .inner
                .store
                .claim(&key, &mine, ttl)
                .await
                .map_err(store_unavailable)?;
            match claim {
                Claim::Claimed => return self.run(kind, request, &key, mine, explain).await,
                Claim::Taken(existing) => match self.join(kind, &key, &holder, *existing).await? {
                    Joined::Done(result) => {
                        explain.verdict =
                            "an earlier attempt with the same key answered; nothing was sent"
                                .to_owned();
                        return *result;
                    }
                    Joined::Released => continue,
                    Joined::TookOver(attempt) => {
                        return self.run(kind, request, &key, *attempt, explain).await
                    }
                },
            }
        }
        Err(Error::Unavailable(format!(
            "the key of order `{}` kept changing hands; nothing was sent by this call",
            request.order_id
        )))
    }

    /// Tries the planned gateways under the claim `attempt` holds.
    async fn run(
        &self,
        kind: ChargeKind,
        request: &ChargeRequest,
        key: &str,
        mut attempt: Attempt,
        explain: &mut RouteExplanation,
    ) -> Result<Payment> {
        let mut plan = match self.plan(kind, request).await {
            Ok(plan) => plan,
            Err(error) => return self.give_back(key, &attempt, error).await,
        };
        explain.considered = std::mem::take(&mut plan.considered);
        for (name, why) in &plan.ruled_out {
            explain.skip(name, why.clone());
        }
        attempt.segments = std::mem::take(&mut plan.segments);
        let cascade = self.inner.cascade;
        let mut passed_over: Vec<(String, String)> = Vec::new();
        let mut last: Option<Error> = None;
        for route in plan.order.iter().copied() {
            if attempt.passed_over.contains(&route.name) {
                continue;
            }
            let admission = match self.inner.breaker.admit(&route.name).await {
                Ok(admission) => admission,
                Err(e) => return self.give_back(key, &attempt, store_unavailable(e)).await,
            };
            if admission == Admission::Open {
                explain.skip(&route.name, "has its circuit open");
                passed_over.push((route.name.clone(), "has its circuit open".into()));
                attempt.passed_over.push(route.name.clone());
                if cascade.on_unavailable {
                    continue;
                }
                break;
            }
            attempt.state = AttemptState::Sending;
            attempt.gateway = Some(route.name.clone());
            attempt.lease_until_ms = self.lease_until();
            match self
                .inner
                .store
                .replace(key, &attempt.holder, &attempt, self.inner.timings.key_ttl)
                .await
            {
                Ok(true) => {}
                Ok(false) => return Err(lost_claim(route, request)),
                Err(e) => return self.give_back(key, &attempt, store_unavailable(e)).await,
            }
            tracing::info!(
                target: "odeme_router::route",
                order_id = %request.order_id,
                gateway = %route.name,
                strategy = self.strategy().name(),
                passed_over = ?passed_over,
                ruled_out = ?plan.ruled_out,
                "charge sent"
            );
            let result = send(kind, route, request).await;
            let failed = result.as_ref().err().is_some_and(is_failure);
            self.note_health(route, admission, failed).await;
            if let Some(approved) = learning::counts(&result) {
                self.learn(&route.name, &attempt.segments, approved).await;
            }
            explain.tried(&route.name, outcome_text(&result));
            let error = match result {
                Ok(payment) => {
                    if payment.status == PaymentStatus::RequiresAction {
                        let due = self.due_after(self.inner.timings.three_ds_window);
                        self.mark_open(key, due).await;
                        explain.verdict = format!(
                            "3-D Secure started at {}; swept if not completed in time",
                            route.name
                        );
                    } else {
                        explain.verdict = format!("approved at {}", route.name);
                    }
                    return Ok(self.record_paid(key, &mut attempt, route, payment).await);
                }
                Err(error) => error,
            };
            let moves_on = match class(&error) {
                Class::Declined { soft } => soft && cascade.on_soft_decline,
                Class::NotSent => cascade.on_unavailable,
                Class::RefusedBeforeSending => cascade.on_refused_before_sending,
                Class::Refused => false,
                Class::Unknown => {
                    return self
                        .reconcile_and_record(kind, key, &mut attempt, route, error, explain)
                        .await
                }
            };
            if moves_on {
                tracing::info!(
                    target: "odeme_router::route",
                    order_id = %request.order_id,
                    gateway = %route.name,
                    error = %error,
                    "nothing was charged here: moving on"
                );
                explain.amend_last("; nothing was charged there: moved on");
                passed_over.push((route.name.clone(), format!("was passed over: {error}")));
                attempt.passed_over.push(route.name.clone());
                last = Some(error);
                continue;
            }
            explain.verdict = match error.decline() {
                Some(d) if d.soft => format!(
                    "soft decline at {}: no gateway left to move on to",
                    route.name
                ),
                Some(_) => format!("hard decline at {}: never cascaded", route.name),
                None => format!(
                    "refused at {}: the same request would be refused elsewhere",
                    route.name
                ),
            };
            if error.decline().is_some() {
                self.record_declined(key, &mut attempt, &error).await;
                return Err(error);
            }
            return self.give_back(key, &attempt, error).await;
        }
        explain.verdict = "no gateway left to try".to_owned();
        match last {
            // Every gateway tried declined softly: the last decline is the answer.
            Some(error @ Error::Declined(_)) => {
                self.record_declined(key, &mut attempt, &error).await;
                Err(error)
            }
            Some(error) if passed_over.len() <= 1 && plan.ruled_out.is_empty() => {
                self.give_back(key, &attempt, error).await
            }
            _ => {
                let error = plan.no_route(&passed_over);
                self.give_back(key, &attempt, error).await
            }
        }
    }

    async fn note_health(&self, route: &Route, admission: Admission, failed: bool) {
        let breaker = &self.inner.breaker;
        let noted = if failed {
            breaker.failed(&route.name, admission).await
        } else {
            breaker.succeeded(&route.name, admission).await
        };
        if let Err(e) = noted {
            tracing::warn!(target: "odeme_router::health", gateway = %route.name, error = %e, "breaker not updated");
        }
    }

    /// Nothing was sent under this claim: frees the key so a retry starts afresh, and
    /// returns `error`.
    async fn give_back(&self, key: &str, attempt: &Attempt, error: Error) -> Result<Payment> {
        if let Err(e) = self.inner.store.release(key, &attempt.holder).await {
            tracing::warn!(target: "odeme_router::route", error = %e, "claim not released; it expires with its lease");
        }
        Err(error)
    }

    async fn save(&self, key: &str, attempt: &Attempt) {
        match self
            .inner
            .store
            .replace(key, &attempt.holder, attempt, self.inner.timings.key_ttl)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(target: "odeme_router::route", order_id = %attempt.order_id, "the attempt's record was taken over; not updated")
            }
            Err(e) => {
                tracing::error!(target: "odeme_router::route", order_id = %attempt.order_id, error = %e, "the attempt's outcome could not be recorded; a repeat will reconcile it at its gateway")
            }
        }
    }

    async fn record_paid(
        &self,
        key: &str,
        attempt: &mut Attempt,
        route: &Route,
        mut payment: Payment,
    ) -> Payment {
        attempt.state = AttemptState::Succeeded;
        attempt.payment_id = Some(payment.id.clone());
        attempt.status = Some(payment.status);
        attempt.amount = Some(payment.amount);
        self.save(key, attempt).await;
        self.own_payment(route, &payment).await;
        payment
            .references
            .insert(GATEWAY_REFERENCE.to_owned(), route.name.clone());
        payment
    }

    async fn record_declined(&self, key: &str, attempt: &mut Attempt, error: &Error) {
        attempt.state = AttemptState::Declined;
        attempt.decline = error.decline().cloned();
        self.save(key, attempt).await;
    }

    /// Records that `route` owns what `payment` made: the payment, its order and any card
    /// stored with it.
    pub(crate) async fn own_payment(&self, route: &Route, payment: &Payment) {
        let mut owned = vec![
            (OwnerKind::Payment, payment.id.clone()),
            (OwnerKind::Order, payment.order_id.clone()),
        ];
        if let Some(card) = &payment.stored_card {
            owned.push((OwnerKind::Card, card.reference.card_token.clone()));
            owned.push((OwnerKind::Customer, card.reference.customer_token.clone()));
        }
        self.own(route, &owned).await;
    }

    pub(crate) async fn own(&self, route: &Route, owned: &[(OwnerKind, String)]) {
        for (kind, id) in owned {
            if id.is_empty() {
                continue;
            }
            if let Err(e) = self
                .inner
                .store
                .set_owner(*kind, id, &route.name, self.inner.timings.ownership_ttl)
                .await
            {
                tracing::error!(target: "odeme_router::route", gateway = %route.name, kind = kind.as_str(), error = %e, "ownership not recorded; follow-ups will look the payment up");
            }
        }
    }

    /// The charge may exist at `route`: asks `route` (and only it) and lets its answer
    /// decide.
    async fn reconcile_and_record(
        &self,
        kind: ChargeKind,
        key: &str,
        attempt: &mut Attempt,
        route: &Route,
        error: Error,
        explain: &mut RouteExplanation,
    ) -> Result<Payment> {
        tracing::warn!(
            target: "odeme_router::route",
            order_id = %attempt.order_id,
            gateway = %route.name,
            error = %error,
            "unknown outcome: reconciling at this gateway; no other gateway will be tried"
        );
        match reconcile::at(route, &attempt.order_id).await {
            Reconciled::Charged(payment) => {
                self.learn(&route.name, &attempt.segments, true).await;
                explain.amend_last("; reconciled by a status query: charged");
                explain.verdict = format!("charged at {} (reconciled); never cascaded", route.name);
                Ok(self.record_paid(key, attempt, route, payment).await)
            }
            Reconciled::NotCharged(payment) => {
                let error = Error::declined(reconcile::decline_of(&payment));
                self.learn(&route.name, &attempt.segments, false).await;
                explain.amend_last("; reconciled by a status query: not charged");
                explain.verdict = format!(
                    "not charged at {} (reconciled); an unknown outcome never cascades",
                    route.name
                );
                self.record_declined(key, attempt, &error).await;
                Err(error)
            }
            Reconciled::Unknown(why) | Reconciled::NotFound(why) => {
                attempt.state = AttemptState::Unknown;
                self.save(key, attempt).await;
                self.mark_open(key, self.inner.clock.now_ms()).await;
                explain.amend_last("; still unknown: left open for the sweeper");
                explain.verdict = format!("outcome unknown at {}; never cascaded", route.name);
                Err(Error::UnknownOutcome {
                    provider: route.gateway.provider(),
                    operation: kind.operation().to_owned(),
                    reference: Some(attempt.order_id.clone()),
                    reason: format!(
                        "{error}; reconciling at `{}`: {why}; no other gateway will be sent \
                         this charge, and a repeat with the same key reconciles again",
                        route.name
                    ),
                })
            }
        }
    }

    /// Another call holds (or held) the key.
    async fn join(
        &self,
        kind: ChargeKind,
        key: &str,
        holder: &str,
        mut existing: Attempt,
    ) -> Result<Joined> {
        let timings = self.inner.timings;
        // The wait is this call's own, so it runs on the local monotonic clock; leases are
        // shared between instances and compared on the router's wall clock.
        let deadline = tokio::time::Instant::now() + timings.wait_for_in_flight;
        loop {
            let now = self.inner.clock.now_ms();
            match existing.state {
                AttemptState::Succeeded => {
                    return Ok(Joined::Done(Box::new(self.recorded(&existing).await)))
                }
                AttemptState::Declined => {
                    return Ok(Joined::Done(Box::new(Err(match &existing.decline {
                        Some(decline) => Error::declined(decline.clone()),
                        None => Error::Unavailable(format!(
                            "order `{}` was declined before",
                            existing.order_id
                        )),
                    }))))
                }
                AttemptState::Unknown => {
                    return Ok(Joined::Done(Box::new(
                        self.take_over_sent(kind, key, holder, existing).await,
                    )))
                }
                AttemptState::Routing | AttemptState::Sending if existing.lease_until_ms <= now => {
                    if existing.state == AttemptState::Sending {
                        return Ok(Joined::Done(Box::new(
                            self.take_over_sent(kind, key, holder, existing).await,
                        )));
                    }
                    let mut mine = existing.clone();
                    mine.holder = holder.to_owned();
                    mine.lease_until_ms = self.lease_until();
                    if self
                        .inner
                        .store
                        .replace(key, &existing.holder, &mine, timings.key_ttl)
                        .await
                        .map_err(store_unavailable)?
                    {
                        tracing::warn!(target: "odeme_router::route", order_id = %existing.order_id, "took over an attempt abandoned before sending");
                        return Ok(Joined::TookOver(Box::new(mine)));
                    }
                }
                AttemptState::Routing | AttemptState::Sending => {
                    if tokio::time::Instant::now() >= deadline {
                        return Ok(Joined::Done(Box::new(Err(
                            self.in_progress(kind, &existing)
                        ))));
                    }
                    tokio::time::sleep(timings.poll_interval).await;
                }
            }
            match self
                .inner
                .store
                .attempt(key)
                .await
                .map_err(store_unavailable)?
            {
                Some(attempt) => existing = attempt,
                None => return Ok(Joined::Released),
            }
        }
    }

    /// An attempt sent to a gateway whose outcome is not known (its holder gave up or
    /// died): reconcile at that gateway, and only there.
    async fn take_over_sent(
        &self,
        kind: ChargeKind,
        key: &str,
        holder: &str,
        existing: Attempt,
    ) -> Result<Payment> {
        let Some(route) = existing.gateway.as_deref().and_then(|g| self.route(g)) else {
            return Err(self.in_progress(kind, &existing));
        };
        let mut mine = existing.clone();
        mine.holder = holder.to_owned();
        mine.lease_until_ms = self.lease_until();
        let taken = self
            .inner
            .store
            .replace(key, &existing.holder, &mine, self.inner.timings.key_ttl)
            .await
            .map_err(store_unavailable)?;
        if !taken {
            return Err(self.in_progress(kind, &existing));
        }
        let error = Error::UnknownOutcome {
            provider: route.gateway.provider(),
            operation: kind.operation().to_owned(),
            reference: Some(existing.order_id.clone()),
            reason: "an earlier attempt with this key got no definitive answer".to_owned(),
        };
        let mut explain = RouteExplanation::default();
        self.reconcile_and_record(kind, key, &mut mine, route, error, &mut explain)
            .await
    }

    /// The payment a settled attempt made, as its gateway has it now (a read), or as
    /// recorded when the gateway cannot be asked.
    async fn recorded(&self, attempt: &Attempt) -> Result<Payment> {
        let route = attempt.gateway.as_deref().and_then(|g| self.route(g));
        let (Some(route), Some(payment_id)) = (route, attempt.payment_id.as_deref()) else {
            return Err(Error::Unavailable(format!(
                "order `{}` was charged through a gateway this router does not have",
                attempt.order_id
            )));
        };
        if let Ok(status) = route.gateway.require_status_query() {
            let query = odeme_core::StatusQuery::PaymentId(payment_id.to_owned());
            if let Ok(mut payment) = status.status(&query).await {
                payment
                    .references
                    .insert(GATEWAY_REFERENCE.to_owned(), route.name.clone());
                return Ok(payment);
            }
        }
        let Some(amount) = attempt.amount else {
            return Err(Error::Unavailable(format!(
                "order `{}` was charged at `{}` as payment `{payment_id}`; its status could not \
                 be read",
                attempt.order_id, route.name
            )));
        };
        let mut payment = Payment::new(
            route.gateway.provider(),
            payment_id,
            &attempt.order_id,
            attempt.status.unwrap_or(PaymentStatus::Unknown),
            amount,
        );
        payment
            .references
            .insert(GATEWAY_REFERENCE.to_owned(), route.name.clone());
        Ok(payment)
    }

    fn in_progress(&self, kind: ChargeKind, attempt: &Attempt) -> Error {
        let route = attempt
            .gateway
            .as_deref()
            .and_then(|g| self.route(g))
            .or_else(|| self.routes().first());
        Error::UnknownOutcome {
            provider: route.map_or(odeme_core::ProviderId::Paytrek, |r| r.gateway.provider()),
            operation: kind.operation().to_owned(),
            reference: Some(attempt.order_id.clone()),
            reason: format!(
                "another call with the same key is still at it ({:?}{}); its outcome is not known \
                 yet: query the status by order id",
                attempt.state,
                attempt
                    .gateway
                    .as_deref()
                    .map(|g| format!(" at `{g}`"))
                    .unwrap_or_default()
            ),
        }
    }
}

fn lost_claim(route: &Route, request: &ChargeRequest) -> Error {
    Error::UnknownOutcome {
        provider: route.gateway.provider(),
        operation: "charge".to_owned(),
        reference: Some(request.order_id.clone()),
        reason: "this call's claim on the key was taken over by another before it sent anything; \
                 the other call decides the outcome: query the status by order id"
            .to_owned(),
    }
}

async fn send(kind: ChargeKind, route: &Route, request: &ChargeRequest) -> Result<Payment> {
    let gateway = &route.gateway;
    match kind {
        ChargeKind::Charge => gateway.require_charges()?.charge(request).await,
        ChargeKind::StoredCard => {
            gateway
                .require_stored_card_charges()?
                .charge_stored_card(request)
                .await
        }
        ChargeKind::Recurring => gateway.require_recurring()?.recurring_charge(request).await,
    }
}
