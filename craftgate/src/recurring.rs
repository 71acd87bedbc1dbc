//! Recurring payments and stored-card charges. Craftgate has no provider-side plans or
//! subscriptions (the official clients have no such endpoint; "subscription" exists only as
//! the `LISTING_OR_SUBSCRIPTION` payment group), so recurring billing is a merchant-initiated
//! charge on a stored card, scheduled by the merchant.

use async_trait::async_trait;
use odeme_core::{
    CancelPlanRequest, Capability, ChargeRequest, ChargeStoredCard, Error, Payment, PaymentSource,
    Plan, PlanRequest, ProviderId, Recurring, Result, ThreeDs,
};

use crate::card_payment::{validate_charge, GROUP_SUBSCRIPTION};
use crate::charge;
use crate::{three_ds, CraftgateGateway};

fn require_stored_card(request: &ChargeRequest) -> Result<()> {
    match request.source {
        PaymentSource::StoredCard { .. } => Ok(()),
        PaymentSource::NewCard(_) => Err(Error::invalid(
            "source",
            "must be a stored card (cardUserKey + cardToken)",
        )),
    }
}

fn no_plans() -> Error {
    Error::unsupported(
        ProviderId::Craftgate,
        Capability::RecurringPlans,
        "Craftgate has no provider-side plans; schedule recurring_charge on a stored card instead",
    )
}

#[async_trait]
impl ChargeStoredCard for CraftgateGateway {
    async fn charge_stored_card(&self, request: &ChargeRequest) -> Result<Payment> {
        require_stored_card(request)?;
        validate_charge(request)?;
        match &request.three_ds {
            ThreeDs::Off => charge::create(&self.client, request, "PRODUCT").await,
            ThreeDs::Required { return_url, .. } => {
                three_ds::init(&self.client, request, return_url).await
            }
        }
    }
}

#[async_trait]
impl Recurring for CraftgateGateway {
    /// Charges the stored card without the customer, in the `LISTING_OR_SUBSCRIPTION` group.
    async fn recurring_charge(&self, request: &ChargeRequest) -> Result<Payment> {
        require_stored_card(request)?;
        if request.three_ds != ThreeDs::Off {
            return Err(Error::invalid(
                "three_ds",
                "a merchant-initiated charge has no customer to authenticate",
            ));
        }
        validate_charge(request)?;
        charge::create(&self.client, request, GROUP_SUBSCRIPTION).await
    }

    async fn create_plan(&self, _request: &PlanRequest) -> Result<Plan> {
        Err(no_plans())
    }

    async fn get_plan(&self, _plan_id: &str) -> Result<Plan> {
        Err(no_plans())
    }

    async fn cancel_plan(&self, _request: &CancelPlanRequest) -> Result<Plan> {
        Err(no_plans())
    }
}
