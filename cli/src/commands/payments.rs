//! `charge`, `capture`, `cancel`, `refund`, `status` and `charge-stored`.

use odeme::{
    CancelRequest, CaptureRequest, GatewayExt, ItemRefund, Payment, PaymentSource, RefundRequest,
    StatusQuery, StoredCardRef,
};

use super::Context;
use crate::args::{CancelArgs, CaptureArgs, RefundArgs, StatusArgs};
use crate::args_payment::{ChargeArgs, ChargeModeArgs, ChargeStoredArgs};
use crate::card_input::{read_card, read_cvc};
use crate::exit::{reconcile_with, CliError, CliResult};
use crate::output::Outcome;
use crate::requests::{amount, apply_mode, apply_store, charge_request, currency};

/// `charge`: a new card, sale or pre-authorization, with or without 3-D Secure.
pub async fn charge(args: &ChargeArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let card = read_card(&args.card, ctx.env, &mut ctx.input)?;
    let holder = card.holder_name().to_owned();
    let request = charge_request(&args.details, PaymentSource::NewCard(card), Some(&holder))?;
    let request = apply_store(
        apply_mode(request, &args.mode),
        args.store_card,
        args.store_card_for.as_deref(),
    );
    request.validate()?;
    let payment = ctx
        .gateway
        .require_charges()?
        .charge(&request)
        .await
        .map_err(reconcile_with(StatusQuery::OrderId(
            request.order_id.clone(),
        )))?;
    finish_payment(payment, &args.mode)
}

/// `charge-stored`: a stored card with the customer present.
pub async fn charge_stored(args: &ChargeStoredArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let cvc = read_cvc(&args.cvc, ctx.env, &mut ctx.input)?;
    let card = StoredCardRef::new(&args.stored.customer_token, &args.stored.card_token);
    let request = charge_request(&args.details, PaymentSource::StoredCard { card, cvc }, None)?;
    let request = apply_mode(request, &args.mode);
    request.validate()?;
    let payment = ctx
        .gateway
        .require_stored_card_charges()?
        .charge_stored_card(&request)
        .await
        .map_err(reconcile_with(StatusQuery::OrderId(
            request.order_id.clone(),
        )))?;
    finish_payment(payment, &args.mode)
}

/// Saves the 3-D Secure page when asked, then reports the payment.
fn finish_payment(payment: Payment, mode: &ChargeModeArgs) -> CliResult<Outcome> {
    if let (Some(path), Some(action)) = (&mode.save_3ds_page, &payment.next_action) {
        std::fs::write(path, action.to_html()).map_err(|e| {
            CliError::Local(format!(
                "cannot write the 3-D Secure page to {}: {e}",
                path.display()
            ))
        })?;
    }
    Ok(Outcome::Payment(Box::new(payment)))
}

/// `capture`.
pub async fn capture(args: &CaptureArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let amount = optional_amount(args.amount.amount.as_deref(), &args.amount.currency)?;
    let request = CaptureRequest {
        payment_id: non_empty("--payment-id", &args.payment_id)?,
        amount,
    };
    let payment = ctx
        .gateway
        .require_charges()?
        .capture(&request)
        .await
        .map_err(reconcile_with(StatusQuery::PaymentId(
            request.payment_id.clone(),
        )))?;
    Ok(Outcome::Payment(Box::new(payment)))
}

/// `cancel`.
pub async fn cancel(args: &CancelArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let request = CancelRequest {
        payment_id: non_empty("--payment-id", &args.payment_id)?,
        reason: args.reason.clone(),
    };
    let payment = ctx
        .gateway
        .require_charges()?
        .cancel(&request)
        .await
        .map_err(reconcile_with(StatusQuery::PaymentId(
            request.payment_id.clone(),
        )))?;
    Ok(Outcome::Payment(Box::new(payment)))
}

/// `refund`: all that is left, an amount, or items.
pub async fn refund(args: &RefundArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let amount = optional_amount(args.amount.amount.as_deref(), &args.amount.currency)?;
    let currency = currency(&args.amount.currency)?;
    let items = args
        .items
        .iter()
        .map(|spec| match spec.split_once('=') {
            Some((tx, value)) => Ok(ItemRefund {
                transaction_id: tx.trim().to_owned(),
                amount: Some(crate::requests::amount(value.trim(), currency)?),
            }),
            None => Ok(ItemRefund {
                transaction_id: spec.trim().to_owned(),
                amount: None,
            }),
        })
        .collect::<CliResult<Vec<_>>>()?;
    let request = RefundRequest {
        payment_id: args.payment_id.clone(),
        amount,
        items,
        reference: args.reference.clone(),
        reason: args.reason.clone(),
    };
    request.validate()?;
    let result = ctx
        .gateway
        .require_refunds()?
        .refund(&request)
        .await
        .map_err(reconcile_with(StatusQuery::PaymentId(
            request.payment_id.clone(),
        )))?;
    Ok(Outcome::Refund(result))
}

/// `status`.
pub async fn status(args: &StatusArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let query = match (&args.order_id, &args.payment_id) {
        (Some(order_id), _) => StatusQuery::OrderId(order_id.clone()),
        (None, Some(payment_id)) => StatusQuery::PaymentId(payment_id.clone()),
        (None, None) => return Err(CliError::input("give --order-id or --payment-id")),
    };
    query.validate()?;
    let payment = ctx.gateway.require_status_query()?.status(&query).await?;
    Ok(Outcome::Payment(Box::new(payment)))
}

fn optional_amount(text: Option<&str>, currency_text: &str) -> CliResult<Option<odeme::Money>> {
    let currency = currency(currency_text)?;
    text.map(|t| amount(t, currency)).transpose()
}

fn non_empty(flag: &str, value: &str) -> CliResult<String> {
    if value.trim().is_empty() {
        Err(CliError::input(format!("`{flag}` is empty")))
    } else {
        Ok(value.trim().to_owned())
    }
}
