//! Turning a refund into item refunds: which payment transactions, how much of each, and
//! which item refunds an earlier attempt under the same reference already made.

// Refund shares and totals mix caller amounts and Craftgate's answers; every operation must be checked.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::HashSet;

use odeme_core::{
    Error, ItemRefund, Money, Payment, PaymentTransaction, ProviderId, RefundStatus, RejectionKind,
    Result,
};

use crate::wire::TransactionRefundData;
use crate::{convert, map};

/// One item refund to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemPlan {
    /// The payment transaction id.
    pub(crate) transaction_id: u64,
    /// How much of it to refund.
    pub(crate) amount: Money,
}

pub(crate) fn exceeded(message: String) -> Error {
    Error::Provider {
        provider: ProviderId::Craftgate,
        kind: RejectionKind::AmountExceeded,
        code: None,
        message,
        http_status: None,
    }
}

pub(crate) fn duplicate(message: String) -> Error {
    Error::Provider {
        provider: ProviderId::Craftgate,
        kind: RejectionKind::Duplicate,
        code: None,
        message,
        http_status: None,
    }
}

pub(crate) fn remaining(tx: &PaymentTransaction) -> Result<Money> {
    tx.paid_price
        .checked_sub(&tx.refunded)
        .or_else(|_| Ok(Money::zero(tx.paid_price.currency())))
}

pub(crate) fn transaction_number(field: &str, id: &str) -> Result<u64> {
    id.trim()
        .parse::<u64>()
        .map_err(|_| Error::invalid(field, "must be Craftgate's numeric payment transaction id"))
}

/// Spreads `amount` over the payment's items in order, each up to what is left of it.
pub(crate) fn plan_amount(payment: &Payment, amount: Money) -> Result<Vec<ItemPlan>> {
    let refundable = payment.refundable();
    if amount.currency() != refundable.currency() {
        return Err(Error::invalid("amount", "is not in the payment's currency"));
    }
    if amount.amount() > refundable.amount() {
        return Err(exceeded(format!(
            "refund of {amount} exceeds the refundable {refundable}"
        )));
    }
    let mut left = amount;
    let mut plan = Vec::new();
    for tx in &payment.transactions {
        if left.is_zero() {
            break;
        }
        let room = remaining(tx)?;
        let take = if room.amount() < left.amount() {
            room
        } else {
            left
        };
        if take.is_zero() {
            continue;
        }
        plan.push(ItemPlan {
            transaction_id: transaction_number("transactions.id", &tx.id)?,
            amount: take,
        });
        left = left.checked_sub(&take)?;
    }
    if !left.is_zero() {
        return Err(exceeded(format!(
            "the payment's items leave {left} of {amount} without an item to refund it from"
        )));
    }
    Ok(plan)
}

/// The item refunds the caller named, checked against what is left of each item.
#[cfg(test)]
pub(crate) fn plan_items(payment: &Payment, items: &[ItemRefund]) -> Result<Vec<ItemPlan>> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| plan_item(payment, i, item))
        .collect()
}

pub(crate) fn plan_item(payment: &Payment, i: usize, item: &ItemRefund) -> Result<ItemPlan> {
    let field = format!("items[{i}].transaction_id");
    let tx = find_transaction(payment, &item.transaction_id)?;
    let room = remaining(tx)?;
    let amount = match &item.amount {
        Some(a) if a.currency() != room.currency() => {
            return Err(Error::invalid(
                format!("items[{i}].amount"),
                "is not in the payment's currency",
            ))
        }
        Some(a) if a.amount() > room.amount() => {
            return Err(exceeded(format!(
                "refund of {a} exceeds the {room} left of transaction {}",
                tx.id
            )))
        }
        Some(a) => *a,
        None if room.is_zero() => {
            return Err(exceeded(format!(
                "transaction {} is already refunded",
                tx.id
            )))
        }
        None => room,
    };
    Ok(ItemPlan {
        transaction_id: transaction_number(&field, &tx.id)?,
        amount,
    })
}

pub(crate) fn find_transaction<'a>(
    payment: &'a Payment,
    id: &str,
) -> Result<&'a PaymentTransaction> {
    payment
        .transactions
        .iter()
        .find(|t| t.id == id.trim())
        .ok_or_else(|| Error::Provider {
            provider: ProviderId::Craftgate,
            kind: RejectionKind::NotFound,
            code: None,
            message: format!("payment {} has no transaction {id}", payment.id),
            http_status: None,
        })
}

/// One item refund made (now or by an earlier attempt under the same reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Made {
    /// Craftgate's refund id.
    pub(crate) id: String,
    /// The payment transaction it refunds.
    pub(crate) transaction_id: Option<String>,
    /// Its state.
    pub(crate) status: RefundStatus,
    /// How much it returned.
    pub(crate) amount: Money,
}

/// The payment's earlier item refunds: every id (an answer naming one of them is a replay),
/// and those made under `reference`, which this refund reuses.
pub(crate) fn earlier(
    refunds: &[TransactionRefundData],
    reference: Option<&str>,
    currency: odeme_core::Currency,
) -> Result<(HashSet<String>, Vec<Made>), String> {
    let mut ids = HashSet::new();
    let mut mine = Vec::new();
    for refund in refunds {
        let Some(id) = refund.id.clone().filter(|id| !id.is_empty()) else {
            continue;
        };
        ids.insert(id.clone());
        let status = map::refund_status(refund.status.as_deref());
        let same_reference = reference.is_some() && refund.conversation_id.as_deref() == reference;
        if same_reference && status != RefundStatus::Failed {
            let price = refund
                .refund_price
                .ok_or_else(|| format!("item refund {id} has no refundPrice"))?;
            mine.push(Made {
                id,
                transaction_id: refund.payment_transaction_id.clone(),
                status,
                amount: convert::money(price, currency)?,
            });
        }
    }
    Ok((ids, mine))
}

pub(crate) fn sum(made: &[Made], currency: odeme_core::Currency) -> Result<Money> {
    made.iter().try_fold(Money::zero(currency), |total, m| {
        total.checked_add(&m.amount)
    })
}

/// What is left to plan of an amount refund once the refunds made under its reference
/// count: an error when they already exceed it.
pub(crate) fn rest_of_amount(amount: Money, mine: &[Made]) -> Result<Money> {
    let done = sum(mine, amount.currency())?;
    if done.amount() > amount.amount() {
        return Err(duplicate(format!(
            "the reference was already used for refunds of {done}, more than {amount}"
        )));
    }
    amount.checked_sub(&done)
}

/// Splits named items into those an earlier attempt under the reference refunded (reused)
/// and those still to plan; an item refunded under the reference by another amount is an
/// error.
pub(crate) fn split_items(
    payment: &Payment,
    items: &[ItemRefund],
    mine: &[Made],
) -> Result<(Vec<Made>, Vec<ItemPlan>)> {
    let mut reused = Vec::new();
    let mut plan = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let id = item.transaction_id.trim();
        let earlier: Vec<Made> = mine
            .iter()
            .filter(|m| m.transaction_id.as_deref() == Some(id))
            .cloned()
            .collect();
        if earlier.is_empty() {
            plan.push(plan_item(payment, i, item)?);
            continue;
        }
        let done = sum(&earlier, payment.amount.currency())?;
        match &item.amount {
            Some(a) if *a != done => {
                return Err(duplicate(format!(
                    "the reference was already used to refund {done} of transaction {id}, not {a}"
                )))
            }
            _ => reused.extend(earlier),
        }
    }
    Ok((reused, plan))
}
