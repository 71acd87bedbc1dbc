//! `charge`, `capture`, `cancel`, `refund`, `status` and `charge-stored`.

use odeme::{
    CancelRequest, CaptureRequest, GatewayExt, ItemRefund, Payment, PaymentSource, RefundRequest,
    StatusQuery, StoredCardRef,
};

use super::Context;
use crate::args::{CancelArgs, CaptureArgs, RefundArgs, StatusArgs};
use crate::args_payment::{
    AmountArgs, ChargeArgs, ChargeModeArgs, ChargeStoredArgs, CvcSourceArgs,
};
use crate::card_input::{read_card, read_cvc};
use crate::exit::{reconcile_with, CliError, CliResult};
use crate::output::Outcome;
use crate::requests::{amount, apply_mode, apply_store, charge_request, check_customer, currency};

/// `charge`: a new card, sale or pre-authorization, with or without 3-D Secure.
pub async fn charge(args: &ChargeArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    if let Some(provider) = ctx.provider {
        check_customer(&args.details, Some(&args.card.holder), provider)?;
    }
    let card = read_card(&args.card, ctx.env, &mut ctx.input)?;
    let holder = card.holder_name().to_owned();
    let request = charge_request(&args.details, PaymentSource::NewCard(card), Some(&holder))?;
    let request = apply_store(
        apply_mode(request, &args.mode),
        args.store_card,
        args.store_card_for.as_deref(),
    );
    request.validate()?;
    let payment = super::reconcile::charge(ctx, &request)
        .await
        .map_err(reconcile_with(StatusQuery::OrderId(
            request.order_id.clone(),
        )))?;
    finish_payment(payment, &args.mode)
}

/// `charge-stored`: a stored card with the customer present. The stored card is looked up
/// first (a read): its holder name stands in for the customer's names where the provider
/// lists one, and its CVC is asked for when the provider demands it (PayTR `require_cvv`).
/// Every flag still missing then is named at once, before anything is sent.
pub async fn charge_stored(args: &ChargeStoredArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let card = StoredCardRef::new(&args.stored.customer_token, &args.stored.card_token);
    card.validate()?;
    let stored =
        match ctx.gateway.cards() {
            Some(cards) => Some(super::cards::find_stored(cards, &card).await?.ok_or_else(
                || {
                    CliError::NotFound(format!(
                "no card with token {} is stored for customer {} at {}: nothing was charged",
                card.card_token,
                card.customer_token,
                ctx.gateway.provider()
            ))
                },
            )?),
            None => None,
        };
    let holder = stored.as_ref().and_then(holder_name);
    if let Some(provider) = ctx.provider {
        check_customer(&args.details, holder.as_deref(), provider)?;
    }
    let wants_cvc = stored.as_ref().is_some_and(|c| c.requires_cvc);
    let cvc_source = CvcSourceArgs {
        with_cvc: args.cvc.with_cvc || wants_cvc,
        cvc_file: args.cvc.cvc_file.clone(),
        cvc: args.cvc.cvc.clone(),
    };
    let cvc = read_cvc(&cvc_source, ctx.env, &mut ctx.input).map_err(|e| match e {
        CliError::Input(reason) if wants_cvc && !args.cvc.with_cvc => CliError::input(format!(
            "this stored card is charged with its CVC (the provider demands it): give \
             --cvc-file, ODEME_CARD_CVC or standard input ({reason})"
        )),
        other => other,
    })?;
    let request = charge_request(
        &args.details,
        PaymentSource::StoredCard { card, cvc },
        holder.as_deref(),
    )?;
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
    let payment_id = non_empty("--payment-id", &args.payment_id)?;
    let amount = match &args.amount.amount {
        Some(text) => {
            let currency = payment_currency(&args.amount, &payment_id, ctx).await?;
            Some(amount(text, currency)?)
        }
        None => None,
    };
    let request = CaptureRequest { payment_id, amount };
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

/// `refund`: all that is left, an amount, or items, of the payment named by `--payment-id`
/// or found by `--order-id`. Amounts are in the payment's currency unless `--currency`
/// says otherwise.
pub async fn refund(args: &RefundArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let wants_amount =
        args.amount.amount.is_some() || args.items.iter().any(|spec| spec.contains('='));
    // With an order id the payment is looked up anyway; it names the payment and its
    // currency. With a payment id it is looked up only when an amount needs a currency.
    let (payment_id, looked_up) = match (&args.order_id, &args.payment_id) {
        (Some(order_id), _) => {
            let query = StatusQuery::OrderId(non_empty("--order-id", order_id)?);
            let payment = ctx.gateway.require_status_query()?.status(&query).await?;
            (payment.id.clone(), Some(payment.amount.currency()))
        }
        (None, Some(payment_id)) => (non_empty("--payment-id", payment_id)?, None),
        (None, None) => return Err(CliError::input("give --payment-id or --order-id")),
    };
    let currency = match (looked_up, &args.amount.currency) {
        (Some(found), Some(text)) if currency(text)? != found => {
            return Err(CliError::input(format!(
                "`--currency` {text} is not the payment's currency ({found})"
            )))
        }
        (Some(found), _) => Some(found),
        (None, _) if wants_amount => Some(payment_currency(&args.amount, &payment_id, ctx).await?),
        (None, _) => None,
    };
    let money = |text: &str| -> CliResult<odeme::Money> {
        // `currency` is set whenever an amount is given (see `wants_amount`).
        let currency = currency.ok_or_else(|| CliError::input("`--currency` is needed"))?;
        amount(text, currency)
    };
    let amount = args.amount.amount.as_deref().map(money).transpose()?;
    let items = args
        .items
        .iter()
        .map(|spec| match spec.split_once('=') {
            Some((tx, value)) => Ok(ItemRefund {
                transaction_id: tx.trim().to_owned(),
                amount: Some(money(value.trim())?),
            }),
            None => Ok(ItemRefund {
                transaction_id: spec.trim().to_owned(),
                amount: None,
            }),
        })
        .collect::<CliResult<Vec<_>>>()?;
    let request = RefundRequest {
        payment_id,
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

/// The currency of an amount on an existing payment: `--currency` when given, else the
/// payment's own, looked up by its id (a read, so nothing happens at the provider).
async fn payment_currency(
    args: &AmountArgs,
    payment_id: &str,
    ctx: &Context<'_>,
) -> CliResult<odeme::Currency> {
    if let Some(text) = &args.currency {
        return currency(text);
    }
    let query = StatusQuery::PaymentId(payment_id.to_owned());
    let payment = ctx.gateway.require_status_query()?.status(&query).await?;
    Ok(payment.amount.currency())
}

/// The card holder's name as the provider lists a stored card, where it does (PayTR's
/// `c_name`; Paytrek and Craftgate list none).
fn holder_name(card: &odeme::StoredCard) -> Option<String> {
    card.extra
        .get("c_name")
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
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

fn non_empty(flag: &str, value: &str) -> CliResult<String> {
    if value.trim().is_empty() {
        Err(CliError::input(format!("`{flag}` is empty")))
    } else {
        Ok(value.trim().to_owned())
    }
}
