//! `recurring charge` and `recurring plan create|get|cancel`.

use odeme::{
    CancelPlanRequest, GatewayExt, PaymentSource, PlanRequest, RecurringPeriod, StatusQuery,
    StoredCardRef,
};

use super::Context;
use crate::args::{PeriodArg, PlanCommand, PlanCreateArgs, RecurringCommand};
use crate::args_payment::RecurringChargeArgs;
use crate::card_input::{read_card, read_cvc};
use crate::exit::{reconcile_with, CliError, CliResult};
use crate::output::Outcome;
use crate::requests::{charge_request, check_customer};

/// Runs a `recurring` subcommand.
pub async fn run(command: &RecurringCommand, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    match command {
        RecurringCommand::Charge(args) => charge(args, ctx).await,
        RecurringCommand::Plan(PlanCommand::Create(args)) => create_plan(args, ctx).await,
        RecurringCommand::Plan(PlanCommand::Get(args)) => {
            let plan = ctx
                .gateway
                .require_recurring()?
                .get_plan(non_empty(&args.plan_id)?)
                .await?;
            Ok(Outcome::Plan(Box::new(plan)))
        }
        RecurringCommand::Plan(PlanCommand::Cancel(args)) => {
            let request = CancelPlanRequest {
                plan_id: non_empty(&args.plan_id)?.to_owned(),
                subscription_ids: args.subscriptions.clone(),
            };
            let plan = ctx
                .gateway
                .require_recurring()?
                .cancel_plan(&request)
                .await?;
            Ok(Outcome::Plan(Box::new(plan)))
        }
    }
}

async fn charge(args: &RecurringChargeArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    if let Some(provider) = ctx.provider {
        check_customer(&args.details, None, provider)?;
    }
    let cvc = read_cvc(&args.cvc, ctx.env, &mut ctx.input)?;
    let card = StoredCardRef::new(&args.stored.customer_token, &args.stored.card_token);
    let request = charge_request(&args.details, PaymentSource::StoredCard { card, cvc }, None)?;
    request.validate()?;
    let payment = ctx
        .gateway
        .require_recurring()?
        .recurring_charge(&request)
        .await
        .map_err(reconcile_with(StatusQuery::OrderId(
            request.order_id.clone(),
        )))?;
    Ok(Outcome::Payment(Box::new(payment)))
}

async fn create_plan(args: &PlanCreateArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    if let Some(provider) = ctx.provider {
        check_customer(
            &args.charge.details,
            Some(&args.charge.card.holder),
            provider,
        )?;
    }
    let card = read_card(&args.charge.card, ctx.env, &mut ctx.input)?;
    let holder = card.holder_name().to_owned();
    let charge = charge_request(
        &args.charge.details,
        PaymentSource::NewCard(card),
        Some(&holder),
    )?;
    let request = PlanRequest {
        charge,
        name: args.name.clone(),
        period: match args.period {
            PeriodArg::Daily => RecurringPeriod::Daily,
            PeriodArg::Weekly => RecurringPeriod::Weekly,
            PeriodArg::Monthly => RecurringPeriod::Monthly,
            PeriodArg::Yearly => RecurringPeriod::Yearly,
        },
        frequency: args.frequency,
        start_date: args.start_date.clone(),
    };
    request.validate()?;
    let plan = ctx
        .gateway
        .require_recurring()?
        .create_plan(&request)
        .await?;
    Ok(Outcome::Plan(Box::new(plan)))
}

fn non_empty(plan_id: &str) -> CliResult<&str> {
    let trimmed = plan_id.trim();
    if trimmed.is_empty() {
        Err(CliError::input("`--plan-id` is empty"))
    } else {
        Ok(trimmed)
    }
}
