//! Refunds: a whole payment through `POST /payment/v1/refunds` (Craftgate decides whether
//! it is a same-day `CANCEL` or a `REFUND`), and part of one through
//! `POST /payment/v1/refund-transactions`, one call per payment transaction (item).
//!
//! A partial refund of an amount is turned into item refunds by one deterministic rule:
//! the items are taken in the order Craftgate lists them (the order they were sent), and
//! each is refunded up to what is left of it, until the amount is covered. What is left of
//! each item is Craftgate's own figure (`refundablePrice` per item, see
//! [`crate::status::transactions_call`]), so refunds by item and by amount mix freely.
//!
//! Idempotency: with the caller's [`RefundRequest::reference`], each item refund's key is
//! `{reference}:{transaction}` and its `conversationId` is the reference; before planning,
//! the item refunds already made under the reference are looked up
//! (`GET /payment-reporting/v1/refund-transactions`) and counted as part of this refund,
//! so a retry after an unknown outcome completes the same refund instead of making another.
//! Without a reference every call is a new refund with fresh keys: after an unknown outcome
//! the caller reconciles (status query) before refunding again, as
//! [`odeme_core::Error::UnknownOutcome`] says. An answer that names a refund made before
//! this call, or a refunded amount other than the one asked for, is an error, never a
//! success.

// Refund shares and totals mix caller amounts and Craftgate's answers; every operation must be checked.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::HashSet;

use async_trait::async_trait;
use odeme_core::{
    Error, Money, Payment, PaymentStatus, ProviderId, Refund, RefundKind, RefundRequest,
    RefundResult, RefundStatus, RejectionKind, Result,
};

use crate::cancelled;
use crate::card_payment::{payment_id, two_decimals};
use crate::client::{query, Call, Client};
use crate::convert;
use crate::errors::ErrorContext;
use crate::number::Amount;
use crate::wire::{
    ListData, PaymentRefundData, RefundPayment, RefundTransaction, TransactionRefundData,
};
use crate::{map, status, CraftgateGateway};

mod plan;

pub(crate) use plan::*;

/// Where refunded money goes: back through the card's bank.
const DESTINATION: &str = "PROVIDER";

/// Item refunds fetched per page of the reporting search.
const PAGE_SIZE: u64 = 100;
/// The most pages of item refunds read for one payment.
const MAX_PAGES: u64 = 50;

/// The call that refunds (or cancels) the whole of payment `id`.
pub(crate) fn whole_call(id: u64, reference: Option<&str>) -> Result<Call> {
    let body = RefundPayment {
        payment_id: id,
        conversation_id: reference,
        refund_destination_type: DESTINATION,
        charge_from_me: false,
    };
    // A payment is refunded in whole at most once, so its id makes a stable key; a refused
    // attempt moves the key on (see `crate::client::Attempts`).
    // The payment id is in both keys: a merchant's per-order reference like "R1" may be
    // reused for another payment, which must never be answered with this one's refund.
    let key = match reference {
        Some(r) => format!("{r}:refunds:{id}"),
        None => format!("refund:{id}:whole"),
    };
    Call::write(
        "/payment/v1/refunds".into(),
        &body,
        "refund",
        &id.to_string(),
        key,
    )
}

/// The `x-idempotency-key` of one item refund: the caller's reference and the item, so a
/// retry of the same refund carries the same key; without a reference, a key made fresh
/// for this call, so two identical refunds are two refunds. Never derived from the item's
/// state, which two legitimate refunds can share.
pub(crate) fn item_key(reference: Option<&str>, fresh: &str, transaction_id: u64) -> String {
    match reference {
        Some(r) => format!("{r}:{transaction_id}"),
        None => format!("refund-tx:{transaction_id}:{fresh}"),
    }
}

/// The call that refunds `plan.amount` of one payment transaction under `key`.
pub(crate) fn item_call(
    payment_ref: &str,
    plan: &ItemPlan,
    reference: Option<&str>,
    key: String,
) -> Result<Call> {
    let body = RefundTransaction {
        payment_transaction_id: plan.transaction_id,
        conversation_id: reference,
        refund_price: Amount(plan.amount.amount()),
        refund_destination_type: DESTINATION,
        charge_from_me: false,
    };
    Call::write(
        "/payment/v1/refund-transactions".into(),
        &body,
        "refund",
        payment_ref,
        key,
    )
}

/// `GET /payment-reporting/v1/refund-transactions?paymentId=...`: one page of the payment's
/// item refunds.
pub(crate) fn item_refunds_call(payment_id: u64, page: u64) -> Call {
    let q = query(&[
        ("paymentId", payment_id.to_string()),
        ("page", page.to_string()),
        ("size", PAGE_SIZE.to_string()),
    ]);
    Call::get(
        format!("/payment-reporting/v1/refund-transactions?{q}"),
        "search_transaction_refunds",
    )
}

/// Every item refund of payment `id`, as Craftgate reports them.
async fn item_refunds(
    client: &Client,
    id: u64,
    context: &ErrorContext,
) -> Result<Vec<TransactionRefundData>> {
    let mut all = Vec::new();
    for page in 0..MAX_PAGES {
        let (list, _): (ListData<TransactionRefundData>, _) =
            client.call(&item_refunds_call(id, page), context).await?;
        let got = list.items.len() as u64;
        all.extend(list.items);
        let total = list.total_size.unwrap_or(0);
        if got == 0 || all.len() as u64 >= total {
            break;
        }
    }
    Ok(all)
}

/// Refunds (or cancels) the whole payment.
pub(crate) async fn whole(
    client: &Client,
    payment_ref: &str,
    reference: Option<&str>,
) -> Result<RefundResult> {
    let id = payment_id("payment_id", payment_ref)?;
    let call = whole_call(id, reference)?;
    let context = ErrorContext::payment(payment_ref, false);
    client
        .exchange(&call, &context, |data: PaymentRefundData, response| {
            whole_result(&data, payment_ref, reference)
                .map_err(|reason| response.unreadable(&reason))
        })
        .await
}

/// The whole-payment refund made earlier under `reference`, if there is one: a retry of a
/// whole refund whose answer was lost finds it here instead of being refused because the
/// payment is refunded by now.
async fn earlier_whole(
    client: &Client,
    id: u64,
    payment_ref: &str,
    reference: &str,
    context: &ErrorContext,
) -> Result<Option<RefundResult>> {
    let (list, _): (ListData<PaymentRefundData>, _) =
        client.call(&cancelled::refunds_call(id), context).await?;
    let found = list.items.iter().find(|r| {
        r.conversation_id.as_deref() == Some(reference)
            && map::refund_status(r.status.as_deref()) != RefundStatus::Failed
    });
    let Some(refund_id) = found.and_then(|r| r.id.clone()) else {
        return Ok(None);
    };
    let (full, response): (PaymentRefundData, _) = client
        .call(&cancelled::refund_call(&refund_id), context)
        .await?;
    whole_result(&full, payment_ref, Some(reference))
        .map(Some)
        .map_err(|reason| response.unreadable(&reason))
}

/// A `PaymentRefundResponse` as a neutral refund.
pub(crate) fn whole_result(
    data: &PaymentRefundData,
    payment_ref: &str,
    reference: Option<&str>,
) -> Result<RefundResult, String> {
    if let Some(answered) = data.payment_id.as_deref() {
        if answered != payment_ref {
            return Err(format!(
                "the refund answered is of payment {answered}, not {payment_ref}"
            ));
        }
    }
    let status = map::documented_refund_status(data.status.as_deref()).ok_or_else(|| {
        format!(
            "undocumented refund status {:?}",
            data.status.as_deref().unwrap_or("(none)")
        )
    })?;
    let currency = convert::currency(data.currency.as_deref(), None)?;
    let amount = convert::money(
        data.refund_price.ok_or("the refund has no refundPrice")?,
        currency,
    )?;
    let mut refund_ids: Vec<String> = data.id.iter().cloned().collect();
    refund_ids.extend(
        data.payment_transaction_refunds
            .iter()
            .filter_map(|r| r.id.clone()),
    );
    Ok(RefundResult {
        provider: ProviderId::Craftgate,
        payment_id: data
            .payment_id
            .clone()
            .unwrap_or_else(|| payment_ref.to_owned()),
        refund_ids,
        amount,
        total_refunded: None,
        kind: map::refund_kind(data.refund_type.as_deref()),
        status,
        reference: reference.map(str::to_owned),
    })
}

/// Checks one item refund's answer against the plan: a refund id known before this call
/// (a replayed answer: nothing was refunded now) or another amount is an error.
pub(crate) fn check_answer(
    data: &TransactionRefundData,
    step: &ItemPlan,
    seen: &HashSet<String>,
    response: &odeme_core::HttpResponse,
) -> Result<Made> {
    let id = data
        .id
        .clone()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| response.unreadable("the item refund has no id"))?;
    if seen.contains(&id) {
        return Err(duplicate(format!(
            "Craftgate answered the refund of {} on transaction {} with refund {id}, which was made before: nothing was refunded now",
            step.amount, step.transaction_id
        )));
    }
    let amount = data
        .refund_price
        .ok_or_else(|| "the item refund has no refundPrice".to_owned())
        .and_then(|p| convert::money(p, step.amount.currency()))
        .map_err(|reason| response.unreadable(&reason))?;
    if amount != step.amount {
        return Err(response.unreadable(&format!(
            "Craftgate refunded {amount} of transaction {}, not the {} asked for",
            step.transaction_id, step.amount
        )));
    }
    let status = map::documented_refund_status(data.status.as_deref()).ok_or_else(|| {
        response.undocumented("refund status", data.status.as_deref().unwrap_or("(none)"))
    })?;
    Ok(Made {
        id,
        transaction_id: Some(step.transaction_id.to_string()),
        status,
        amount,
    })
}

/// Makes the planned item refunds one after the other; `reused` are those an earlier
/// attempt under the same reference made, `seen` every refund id known before this call.
async fn items(
    client: &Client,
    payment: &Payment,
    plan: &[ItemPlan],
    reference: Option<&str>,
    reused: Vec<Made>,
    mut seen: HashSet<String>,
) -> Result<RefundResult> {
    let context = ErrorContext::payment(&payment.id, false);
    let fresh = client.fresh_key();
    let currency = payment.amount.currency();
    let mut new_total = Money::zero(currency);
    let mut done = reused;
    for step in plan {
        let call = item_call(
            &payment.id,
            step,
            reference,
            item_key(reference, &fresh, step.transaction_id),
        )?;
        let outcome = client
            .exchange(&call, &context, |data: TransactionRefundData, response| {
                check_answer(&data, step, &seen, response)
            })
            .await;
        // A 2xx answer can still report a failed item refund: no money went back for it,
        // so it counts as a refusal, never towards the totals.
        let outcome = outcome.and_then(|made| {
            if made.status == RefundStatus::Failed {
                Err(Error::Provider {
                    provider: ProviderId::Craftgate,
                    kind: RejectionKind::Other,
                    code: None,
                    message: format!(
                        "Craftgate answered the refund of transaction {} with FAILURE",
                        step.transaction_id
                    ),
                    http_status: None,
                })
            } else {
                Ok(made)
            }
        });
        match outcome {
            Ok(made) => {
                seen.insert(made.id.clone());
                new_total = new_total.checked_add(&made.amount)?;
                done.push(made);
            }
            Err(error) if done.is_empty() => return Err(error),
            Err(error) => return Err(partly_done(payment, &done, plan.len(), error)),
        }
    }
    if done.is_empty() {
        // Only a payment refunded in full, asked again under a reference that made none
        // of its refunds, leaves nothing to plan and nothing to reuse.
        return Err(Error::Provider {
            provider: ProviderId::Craftgate,
            kind: RejectionKind::InvalidState,
            code: None,
            message: format!(
                "payment {} is refunded and no refund was made under this reference",
                payment.id
            ),
            http_status: None,
        });
    }
    let total = sum(&done, currency)?;
    let status = if done.iter().any(|m| m.status == RefundStatus::Failed) {
        RefundStatus::Failed
    } else if done.iter().all(|m| m.status == RefundStatus::Succeeded) {
        RefundStatus::Succeeded
    } else {
        RefundStatus::Pending
    };
    Ok(RefundResult {
        provider: ProviderId::Craftgate,
        payment_id: payment.id.clone(),
        refund_ids: done.into_iter().map(|m| m.id).collect(),
        amount: total,
        // The payment's refunded total already counts refunds reused from an earlier attempt.
        total_refunded: payment.refunded.checked_add(&new_total).ok(),
        kind: RefundKind::Refund,
        status,
        reference: reference.map(str::to_owned),
    })
}

/// An item refund failed after others went through: the caller must learn both.
fn partly_done(payment: &Payment, done: &[Made], planned: usize, error: Error) -> Error {
    let ids: Vec<&str> = done.iter().map(|m| m.id.as_str()).collect();
    let reason = format!(
        "{} item refunds were made (refund ids {}) and one of the {planned} planned failed: {error}; query the payment's status",
        done.len(),
        ids.join(", ")
    );
    match error {
        Error::UnknownOutcome {
            provider,
            operation,
            ..
        } => Error::UnknownOutcome {
            provider,
            operation,
            reference: Some(payment.id.clone()),
            reason,
        },
        // Money went back for the items before the refusal: not a clean refusal the
        // caller could simply repeat (that would refund those items again), so the caller
        // must reconcile as after an unknown outcome.
        _ => Error::UnknownOutcome {
            provider: ProviderId::Craftgate,
            operation: "refund".into(),
            reference: Some(payment.id.clone()),
            reason,
        },
    }
}

fn check_amounts(request: &RefundRequest) -> Result<()> {
    if let Some(amount) = &request.amount {
        two_decimals("amount", amount)?;
    }
    for (i, item) in request.items.iter().enumerate() {
        if let Some(amount) = &item.amount {
            two_decimals(&format!("items[{i}].amount"), amount)?;
        }
    }
    Ok(())
}

#[async_trait]
impl Refund for CraftgateGateway {
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult> {
        request.validate()?;
        let id = payment_id("payment_id", &request.payment_id)?;
        if let Some(reference) = &request.reference {
            odeme_core::validate::required("reference", reference, 64)?;
        }
        check_amounts(request)?;
        let reference = request.reference.as_deref();
        let context = ErrorContext::payment(&request.payment_id, false);
        if let Some(reference) = reference {
            if let Some(done) =
                earlier_whole(&self.client, id, &request.payment_id, reference, &context).await?
            {
                return Ok(done);
            }
        }
        let payment = status::by_payment_id(&self.client, &request.payment_id).await?;
        let refundable_state = matches!(
            payment.status,
            PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Authorized
        );
        // A retry under a reference may find the payment fully refunded by its own first
        // attempt; the item refunds made under the reference then answer it.
        let retry_may_be_done = reference.is_some() && payment.status == PaymentStatus::Refunded;
        if !refundable_state && !retry_may_be_done {
            return Err(Error::Provider {
                provider: ProviderId::Craftgate,
                kind: RejectionKind::InvalidState,
                code: None,
                message: format!(
                    "payment {} is {} and cannot be refunded",
                    payment.id, payment.status
                ),
                http_status: None,
            });
        }
        let whole_refund = match &request.amount {
            _ if !request.items.is_empty() => false,
            None => true,
            // A pre-authorization is released whole; Craftgate refunds no part of one.
            Some(_) if payment.status == PaymentStatus::Authorized => {
                return Err(Error::Provider {
                    provider: ProviderId::Craftgate,
                    kind: RejectionKind::InvalidState,
                    code: None,
                    message: "a pre-authorization can only be cancelled whole".into(),
                    http_status: None,
                })
            }
            Some(amount) => payment.refunded.is_zero() && *amount == payment.refundable(),
        };
        // Without a reference a whole refund needs no history: it is made once at most.
        let history = if whole_refund && refundable_state && reference.is_none() {
            (HashSet::new(), Vec::new())
        } else {
            let known = item_refunds(&self.client, id, &context).await?;
            earlier(&known, reference, payment.amount.currency()).map_err(|reason| {
                Error::UnexpectedResponse {
                    provider: ProviderId::Craftgate,
                    status: 200,
                    body: reason,
                }
            })?
        };
        let (seen, mine) = history;
        if whole_refund && refundable_state {
            // A whole refund never makes item refunds under its reference, so finding some
            // means the reference was used for another refund.
            if !mine.is_empty() {
                return Err(duplicate(
                    "the reference was already used for item refunds of this payment".into(),
                ));
            }
            let mut result = whole(&self.client, &request.payment_id, reference).await?;
            result.total_refunded = payment.refunded.checked_add(&result.amount).ok();
            return Ok(result);
        }
        let (reused, plan) = if !request.items.is_empty() {
            split_items(&payment, &request.items, &mine)?
        } else {
            let amount = match request.amount {
                Some(amount) => amount,
                // A whole refund under a reference whose item refunds were made already.
                None => sum(&mine, payment.amount.currency())?,
            };
            let rest = rest_of_amount(amount, &mine)?;
            let plan = if rest.is_zero() {
                Vec::new()
            } else {
                plan_amount(&payment, rest)?
            };
            (mine, plan)
        };
        items(&self.client, &payment, &plan, reference, reused, seen).await
    }
}

#[cfg(test)]
mod tests;
