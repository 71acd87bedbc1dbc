//! Refunds: a whole payment through `POST /payment/v1/refunds` (Craftgate decides whether
//! it is a same-day `CANCEL` or a `REFUND`), and part of one through
//! `POST /payment/v1/refund-transactions`, one call per payment transaction (item).
//!
//! A partial refund of an amount is turned into item refunds by one deterministic rule:
//! the items are taken in the order Craftgate lists them (the order they were sent), and
//! each is refunded up to what is left of it, until the amount is covered. Craftgate
//! reports only the payment's refunded total, so what is left of each item is derived from
//! that total by the same rule; a merchant who mixes direct item refunds
//! ([`odeme_core::RefundRequest::items`]) with amount refunds should keep using items.

use async_trait::async_trait;
use odeme_core::{
    Error, ItemRefund, Money, Payment, PaymentStatus, PaymentTransaction, ProviderId, Refund,
    RefundKind, RefundRequest, RefundResult, RefundStatus, RejectionKind, Result,
};

use crate::charge::payment_id;
use crate::client::{Call, Client};
use crate::convert;
use crate::errors::ErrorContext;
use crate::number::Amount;
use crate::wire::{PaymentRefundData, RefundPayment, RefundTransaction, TransactionRefundData};
use crate::{map, status, CraftgateGateway};

/// Where refunded money goes: back through the card's bank.
const DESTINATION: &str = "PROVIDER";

/// The call that refunds (or cancels) the whole of payment `id`.
pub(crate) fn whole_call(id: u64, reference: Option<&str>) -> Result<Call> {
    let body = RefundPayment {
        payment_id: id,
        conversation_id: reference,
        refund_destination_type: DESTINATION,
        charge_from_me: false,
    };
    // A payment is refunded in whole at most once, so its id makes a stable key.
    let key = match reference {
        Some(r) => format!("{r}:refunds"),
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

/// One item refund to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemPlan {
    /// The payment transaction id.
    pub(crate) transaction_id: u64,
    /// How much of it to refund.
    pub(crate) amount: Money,
    /// How much of it was refunded before.
    pub(crate) already_refunded: Money,
}

/// The call that refunds `plan.amount` of one payment transaction.
pub(crate) fn item_call(
    payment_ref: &str,
    plan: &ItemPlan,
    reference: Option<&str>,
) -> Result<Call> {
    let body = RefundTransaction {
        payment_transaction_id: plan.transaction_id,
        conversation_id: reference,
        refund_price: Amount(plan.amount.amount()),
        refund_destination_type: DESTINATION,
        charge_from_me: false,
    };
    // With the caller's refund reference the key is theirs; without it, the key is made of
    // the item's state before the refund, so an immediate retry carries the same key.
    let key = match reference {
        Some(r) => format!("{r}:{}", plan.transaction_id),
        None => format!(
            "refund-tx:{}:{}:{}",
            plan.transaction_id,
            plan.already_refunded.to_decimal_string(),
            plan.amount.to_decimal_string()
        ),
    };
    Call::write(
        "/payment/v1/refund-transactions".into(),
        &body,
        "refund",
        payment_ref,
        key,
    )
}

fn exceeded(message: String) -> Error {
    Error::Provider {
        provider: ProviderId::Craftgate,
        kind: RejectionKind::AmountExceeded,
        code: None,
        message,
        http_status: None,
    }
}

fn remaining(tx: &PaymentTransaction) -> Result<Money> {
    tx.paid_price
        .checked_sub(&tx.refunded)
        .or_else(|_| Ok(Money::zero(tx.paid_price.currency())))
}

fn transaction_number(field: &str, id: &str) -> Result<u64> {
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
            already_refunded: tx.refunded,
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
pub(crate) fn plan_items(payment: &Payment, items: &[ItemRefund]) -> Result<Vec<ItemPlan>> {
    let mut plan = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = format!("items[{i}].transaction_id");
        let tx = payment
            .transactions
            .iter()
            .find(|t| t.id == item.transaction_id.trim())
            .ok_or_else(|| Error::Provider {
                provider: ProviderId::Craftgate,
                kind: RejectionKind::NotFound,
                code: None,
                message: format!(
                    "payment {} has no transaction {}",
                    payment.id, item.transaction_id
                ),
                http_status: None,
            })?;
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
        plan.push(ItemPlan {
            transaction_id: transaction_number(&field, &tx.id)?,
            amount,
            already_refunded: tx.refunded,
        });
    }
    Ok(plan)
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
    let (data, response): (PaymentRefundData, _) = client.call(&call, &context).await?;
    whole_result(&data, payment_ref, reference).map_err(|reason| response.unreadable(&reason))
}

/// A `PaymentRefundResponse` as a neutral refund.
pub(crate) fn whole_result(
    data: &PaymentRefundData,
    payment_ref: &str,
    reference: Option<&str>,
) -> Result<RefundResult, String> {
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
        status: map::refund_status(data.status.as_deref()),
        reference: reference.map(str::to_owned),
    })
}

/// Makes the planned item refunds one after the other.
async fn items(
    client: &Client,
    payment: &Payment,
    plan: &[ItemPlan],
    reference: Option<&str>,
) -> Result<RefundResult> {
    let context = ErrorContext::payment(&payment.id, false);
    let mut done: Vec<(String, RefundStatus, Money)> = Vec::new();
    for step in plan {
        let call = item_call(&payment.id, step, reference)?;
        let outcome = client.call::<TransactionRefundData>(&call, &context).await;
        match outcome {
            Ok((data, _)) => {
                let status = map::refund_status(data.status.as_deref());
                let amount = match data.refund_price {
                    Some(p) => convert::money(p, step.amount.currency()).unwrap_or(step.amount),
                    None => step.amount,
                };
                done.push((data.id.unwrap_or_default(), status, amount));
            }
            Err(error) if done.is_empty() => return Err(error),
            Err(error) => return Err(partly_done(payment, &done, plan.len(), error)),
        }
    }
    let currency = payment.amount.currency();
    let mut total = Money::zero(currency);
    for (_, _, amount) in &done {
        total = total.checked_add(amount)?;
    }
    let status = if done.iter().any(|(_, s, _)| *s == RefundStatus::Failed) {
        RefundStatus::Failed
    } else if done.iter().all(|(_, s, _)| *s == RefundStatus::Succeeded) {
        RefundStatus::Succeeded
    } else {
        RefundStatus::Pending
    };
    Ok(RefundResult {
        provider: ProviderId::Craftgate,
        payment_id: payment.id.clone(),
        refund_ids: done
            .into_iter()
            .map(|(id, _, _)| id)
            .filter(|id| !id.is_empty())
            .collect(),
        amount: total,
        total_refunded: payment.refunded.checked_add(&total).ok(),
        kind: RefundKind::Refund,
        status,
        reference: reference.map(str::to_owned),
    })
}

/// An item refund failed after others went through: the caller must learn both.
fn partly_done(
    payment: &Payment,
    done: &[(String, RefundStatus, Money)],
    planned: usize,
    error: Error,
) -> Error {
    let ids: Vec<&str> = done.iter().map(|(id, _, _)| id.as_str()).collect();
    let reason = format!(
        "{} of {planned} item refunds were made (refund ids {}) before this failed: {error}; query the payment's status",
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
        _ => Error::Provider {
            provider: ProviderId::Craftgate,
            kind: RejectionKind::Other,
            code: None,
            message: reason,
            http_status: None,
        },
    }
}

#[async_trait]
impl Refund for CraftgateGateway {
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult> {
        request.validate()?;
        payment_id("payment_id", &request.payment_id)?;
        if let Some(reference) = &request.reference {
            odeme_core::validate::required("reference", reference, 64)?;
        }
        let reference = request.reference.as_deref();
        let payment = status::by_payment_id(&self.client, &request.payment_id).await?;
        let refundable_state = matches!(
            payment.status,
            PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Authorized
        );
        if !refundable_state {
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
        if !request.items.is_empty() {
            let plan = plan_items(&payment, &request.items)?;
            return items(&self.client, &payment, &plan, reference).await;
        }
        let whole_refund = match &request.amount {
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
        if whole_refund {
            let mut result = whole(&self.client, &request.payment_id, reference).await?;
            result.total_refunded = payment.refunded.checked_add(&result.amount).ok();
            return Ok(result);
        }
        let amount = request
            .amount
            .ok_or_else(|| Error::invalid("amount", "is required"))?;
        let plan = plan_amount(&payment, amount)?;
        items(&self.client, &payment, &plan, reference).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::Currency;
    use rust_decimal::Decimal;

    fn try_(v: i64) -> Money {
        Money::new(Decimal::new(v, 2), Currency::TRY).unwrap()
    }

    fn tx(id: &str, paid: i64, refunded: i64) -> PaymentTransaction {
        PaymentTransaction {
            id: id.into(),
            external_id: None,
            name: None,
            price: try_(paid),
            paid_price: try_(paid),
            merchant_payout: None,
            sub_merchant_id: None,
            sub_merchant_payout: None,
            refunded: try_(refunded),
            status: None,
        }
    }

    fn paid(transactions: Vec<PaymentTransaction>) -> Payment {
        let total: i64 = transactions
            .iter()
            .map(|t| t.paid_price.minor_units().unwrap())
            .sum();
        let refunded: i64 = transactions
            .iter()
            .map(|t| t.refunded.minor_units().unwrap())
            .sum();
        let mut p = Payment::new(
            ProviderId::Craftgate,
            "100",
            "o",
            PaymentStatus::Succeeded,
            try_(total),
        );
        p.captured = try_(total);
        p.refunded = try_(refunded);
        p.transactions = transactions;
        p
    }

    #[test]
    fn amount_is_spread_in_item_order() {
        let p = paid(vec![tx("1", 3000, 0), tx("2", 5000, 0), tx("3", 2000, 0)]);
        let plan = plan_amount(&p, try_(4500)).unwrap();
        let got: Vec<_> = plan
            .iter()
            .map(|s| (s.transaction_id, s.amount.to_decimal_string()))
            .collect();
        assert_eq!(got, [(1, "30.00".to_owned()), (2, "15.00".to_owned())]);
        let plan = plan_amount(&p, try_(1)).unwrap();
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].transaction_id, 1);
    }

    #[test]
    fn refunded_items_are_skipped_and_over_refunds_refused() {
        let p = paid(vec![
            tx("1", 3000, 3000),
            tx("2", 5000, 1500),
            tx("3", 2000, 0),
        ]);
        let plan = plan_amount(&p, try_(4000)).unwrap();
        let got: Vec<_> = plan
            .iter()
            .map(|s| {
                (
                    s.transaction_id,
                    s.amount.to_decimal_string(),
                    s.already_refunded.to_decimal_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (2, "35.00".into(), "15.00".into()),
                (3, "5.00".into(), "0.00".into())
            ]
        );
        let err = plan_amount(&p, try_(5501)).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Provider {
                    kind: RejectionKind::AmountExceeded,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(plan_amount(&p, Money::new(Decimal::ONE, Currency::USD).unwrap()).is_err());
    }

    #[test]
    fn named_items() {
        let p = paid(vec![tx("1", 3000, 1000), tx("2", 5000, 0)]);
        let whole_rest = plan_items(
            &p,
            &[ItemRefund {
                transaction_id: "1".into(),
                amount: None,
            }],
        )
        .unwrap();
        assert_eq!(whole_rest[0].amount.to_decimal_string(), "20.00");
        let err = plan_items(
            &p,
            &[ItemRefund {
                transaction_id: "1".into(),
                amount: Some(try_(2001)),
            }],
        )
        .unwrap_err();
        assert!(matches!(
            err,
            Error::Provider {
                kind: RejectionKind::AmountExceeded,
                ..
            }
        ));
        let err = plan_items(
            &p,
            &[ItemRefund {
                transaction_id: "9".into(),
                amount: None,
            }],
        )
        .unwrap_err();
        assert!(matches!(
            err,
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ));
    }

    #[test]
    fn idempotency_keys_are_stable() {
        let step = ItemPlan {
            transaction_id: 7,
            amount: try_(1500),
            already_refunded: try_(0),
        };
        assert_eq!(
            item_call("100", &step, None)
                .unwrap()
                .idempotency_key
                .as_deref(),
            Some("refund-tx:7:0.00:15.00")
        );
        assert_eq!(
            item_call("100", &step, Some("r-1"))
                .unwrap()
                .idempotency_key
                .as_deref(),
            Some("r-1:7")
        );
        assert_eq!(
            whole_call(100, None).unwrap().idempotency_key.as_deref(),
            Some("refund:100:whole")
        );
    }

    #[test]
    fn parses_a_documented_refund_shape() {
        let json = r#"{"id":11,"createdDate":"2026-11-24T10:00:00","status":"SUCCESS","refundDestinationType":"PROVIDER","refundPrice":100.00000000,"refundBankPrice":100,"refundWalletPrice":0,"conversationId":null,"authCode":"a","hostReference":"h","transId":"t","paymentId":5,"refundType":"CANCEL","currency":"TRY","paymentTransactionRefunds":[]}"#;
        let r = whole_result(&serde_json::from_str(json).unwrap(), "5", None).unwrap();
        assert_eq!(r.kind, RefundKind::Cancel);
        assert_eq!(r.status, RefundStatus::Succeeded);
        assert_eq!(r.amount.to_decimal_string(), "100.00");
        assert_eq!(r.refund_ids, ["11"]);
        assert_eq!(r.payment_id, "5");
    }
}
