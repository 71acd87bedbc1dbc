//! Subscription plans (`/api/v2/subscription_plan/`) and merchant-initiated charges.
//!
//! Only the plan's creation is in Paytrek's original documentation; reading and updating
//! it appear in a later copy that names a `plan_token` parameter without saying where it
//! goes. The documented URL has no path segment for it, so it is sent in the query.

use async_trait::async_trait;

use odeme_core::{
    CancelPlanRequest, ChargeRequest, Currency, Error, HttpRequest, HttpResponse, Payment,
    PaymentSource, Plan, PlanRequest, ProviderId, Recurring, RecurringPeriod, RequestKind, Result,
    StoreCardMode, Subscription, ThreeDs,
};

use crate::call::{check_token, read, read_sale};
use crate::charge::{payment_or_decline, validate_charge};
use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::sale::{self, Context, SaleParts};
use crate::wire::{PlanUpdateBody, PlanWire, RecurringBody, Sale, SubscriptionUpdate};

/// Paytrek's spelling of a period.
pub(crate) fn period(period: RecurringPeriod) -> Result<&'static str> {
    match period {
        RecurringPeriod::Daily => Ok("Daily"),
        RecurringPeriod::Weekly => Ok("Weekly"),
        RecurringPeriod::Monthly => Ok("Monthly"),
        RecurringPeriod::Yearly => Ok("Yearly"),
        _ => Err(Error::invalid(
            "period",
            "Paytrek plans run daily, weekly, monthly or yearly",
        )),
    }
}

/// `POST /api/v2/subscription_plan/`: the direct charge fields, `recurring`, and
/// `save_card: true`, which Paytrek requires.
pub(crate) fn create_plan_request(
    config: &PaytrekConfig,
    request: &PlanRequest,
) -> Result<HttpRequest> {
    let charge = &request.charge;
    let mut body = sale::with_card(sale::sale_body(&SaleParts::of(charge), config)?, charge)?;
    body.save_card = Some(true);
    body.recurring = Some(RecurringBody {
        name: &request.name,
        recurring_period: period(request.period)?,
        start_date: request.start_date.as_deref(),
        recurring_frequency: request.frequency,
    });
    Ok(config
        .request(
            "POST",
            "/api/v2/subscription_plan/",
            "create_plan",
            RequestKind::Write,
        )
        .body(sale::to_bytes(&body)?)
        .reference(charge.order_id.clone()))
}

fn plan_path(plan_token: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("plan_token", plan_token)
        .finish();
    format!("/api/v2/subscription_plan/?{query}")
}

/// `GET /api/v2/subscription_plan/?plan_token=<token>`.
pub(crate) fn get_plan_request(config: &PaytrekConfig, plan_token: &str) -> Result<HttpRequest> {
    check_token("plan_id", plan_token)?;
    Ok(config.request("GET", &plan_path(plan_token), "get_plan", RequestKind::Read))
}

/// `PUT /api/v2/subscription_plan/?plan_token=<token>` marking subscriptions `Cancelled`.
pub(crate) fn cancel_subscriptions_request(
    config: &PaytrekConfig,
    plan_token: &str,
    subscription_tokens: &[String],
) -> Result<HttpRequest> {
    check_token("plan_id", plan_token)?;
    for (i, token) in subscription_tokens.iter().enumerate() {
        check_token(&format!("subscription_ids[{i}]"), token)?;
    }
    let body = PlanUpdateBody {
        subscriptions: subscription_tokens
            .iter()
            .map(|t| SubscriptionUpdate {
                subscription_token: t,
                status: "Cancelled",
            })
            .collect(),
    };
    Ok(config
        .request(
            "PUT",
            &plan_path(plan_token),
            "cancel_plan",
            RequestKind::Write,
        )
        .body(sale::to_bytes(&body)?)
        .reference(plan_token.to_owned()))
}

fn is_cancelled(status: &str) -> bool {
    let lower = status.trim().to_ascii_lowercase();
    lower == "cancelled" || lower == "canceled"
}

/// A plan, whether answered alone or nested in its first sale.
pub(crate) fn to_plan(
    wire: &PlanWire,
    first_payment: Option<Payment>,
    response: &HttpResponse,
) -> Result<Plan> {
    let plan = wire.subscription_plan.as_deref().unwrap_or(wire);
    let id = plan
        .plan_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| response.unreadable("the answer has no plan_token"))?;
    let subscriptions = plan
        .subscriptions
        .iter()
        .map(|s| {
            let status = s.status.clone().unwrap_or_default();
            Subscription {
                id: s.subscription_token.clone().unwrap_or_default(),
                cancelled: is_cancelled(&status),
                status,
                payment_date: s.payment_date.clone(),
            }
        })
        .collect();
    Ok(Plan {
        provider: ProviderId::Paytrek,
        id: id.to_owned(),
        name: plan.name.clone(),
        active: plan.is_active.unwrap_or(plan.cancelled_at.is_none()),
        cancelled_at: plan.cancelled_at.clone(),
        subscriptions,
        active_card_token: plan
            .active_card_token
            .clone()
            .or_else(|| plan.vaults.iter().find_map(|v| v.token.clone())),
        first_payment,
    })
}

/// The answer of a plan's creation: its first sale, in a documented success form, with
/// the plan inside it; a decline the first sale carries; an unknown outcome otherwise.
pub(crate) fn read_plan_create(
    response: &HttpResponse,
    currency: Currency,
    order_id: &str,
) -> Result<Plan> {
    let sale: Sale = read_sale(response)?;
    let ctx = Context {
        response,
        currency: Some(currency),
        order_id: Some(order_id),
    };
    let first = response.accept_payment(payment_or_decline(&sale, &ctx)?)?;
    let wire = sale
        .subscription_plan
        .clone()
        .ok_or_else(|| response.unreadable("the answer has no subscription_plan"))?;
    to_plan(&wire, Some(first), response)
}

/// The answer of a plan update: a plan whose subscriptions carry only the status words
/// Paytrek shows (see [`crate::map::DOCUMENTED_WRITE_ANSWERS`]).
pub(crate) fn read_plan_update(response: &HttpResponse) -> Result<Plan> {
    let wire: PlanWire = read(response)?;
    let plan = to_plan(&wire, None, response)?;
    if let Some(odd) = plan
        .subscriptions
        .iter()
        .find(|s| !crate::map::SUBSCRIPTION_STATUSES.contains(&s.status.trim()))
    {
        return Err(response.undocumented("subscription status", &odd.status));
    }
    Ok(plan)
}

impl PaytrekGateway {
    async fn fetch_plan(&self, plan_token: &str) -> Result<Plan> {
        let (wire, response): (PlanWire, _) = self
            .call(get_plan_request(&self.config, plan_token)?)
            .await?;
        to_plan(&wire, None, &response)
    }
}

#[async_trait]
impl Recurring for PaytrekGateway {
    /// Paytrek documents no merchant-initiated charge other than `charge_with_token`, so
    /// this creates a sale without 3-D Secure and charges the stored card with it.
    async fn recurring_charge(&self, request: &ChargeRequest) -> Result<Payment> {
        if !matches!(request.source, PaymentSource::StoredCard { .. }) {
            return Err(Error::invalid(
                "source",
                "a recurring charge needs a stored card",
            ));
        }
        if request.three_ds != ThreeDs::Off {
            return Err(Error::invalid(
                "three_ds",
                "a merchant-initiated charge has no customer for 3-D Secure",
            ));
        }
        self.charge_token(request).await
    }

    async fn create_plan(&self, request: &PlanRequest) -> Result<Plan> {
        request.validate()?;
        validate_charge(&request.charge, &self.config)?;
        if !matches!(request.charge.source, PaymentSource::NewCard(_)) {
            return Err(Error::invalid(
                "charge.source",
                "a Paytrek plan stores a new card",
            ));
        }
        if let StoreCardMode::ExistingCustomer(_) = request.charge.store_card {
            return Err(Error::invalid(
                "charge.store_card",
                "a Paytrek plan stores its card for a new card user",
            ));
        }
        let http = create_plan_request(&self.config, request)?;
        let response = self.send(http).await?;
        read_plan_create(
            &response,
            request.charge.amount.currency(),
            &request.charge.order_id,
        )
    }

    async fn get_plan(&self, plan_id: &str) -> Result<Plan> {
        self.fetch_plan(plan_id).await
    }

    async fn cancel_plan(&self, request: &CancelPlanRequest) -> Result<Plan> {
        check_token("plan_id", &request.plan_id)?;
        let tokens = if request.subscription_ids.is_empty() {
            let plan = self.fetch_plan(&request.plan_id).await?;
            let open: Vec<String> = plan
                .subscriptions
                .iter()
                .filter(|s| !s.cancelled && !s.id.is_empty())
                .map(|s| s.id.clone())
                .collect();
            if open.is_empty() {
                return Ok(plan);
            }
            open
        } else {
            request.subscription_ids.clone()
        };
        let http = cancel_subscriptions_request(&self.config, &request.plan_id, &tokens)?;
        let response = self.send(http).await?;
        read_plan_update(&response)
    }
}
