//! Merchant-initiated charges on a stored card (`recurring_payment=1` and `recurring=1`,
//! `non_3d=1`, no CVV). PayTR keeps no plans of its own.

use async_trait::async_trait;
use odeme_core::{
    CancelPlanRequest, Capability, ChargeRequest, Error, Payment, Plan, PlanRequest, ProviderId,
    Recurring, Result,
};

use crate::charge::http_request;
use crate::payment_form::{self, Mode};
use crate::PaytrGateway;

fn no_plans() -> Error {
    Error::unsupported(
        ProviderId::Paytr,
        Capability::RecurringPlans,
        "PayTR has no provider-side plans; schedule recurring_charge on a stored card yourself",
    )
}

#[async_trait]
impl Recurring for PaytrGateway {
    async fn recurring_charge(&self, request: &ChargeRequest) -> Result<Payment> {
        let request = &*crate::program::with_program(&self.client, &self.programs, request).await?;
        let form = payment_form::build(&self.client, request, Mode::Recurring)?;
        let response = self
            .client
            .send(http_request(
                &self.client,
                &form,
                &request.order_id,
                "recurring_charge",
            ))
            .await?;
        payment_form::read_answer(&self.client, request, &response, true)
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
