//! Telling a cancelled payment from a refunded one after the fact.
//!
//! Craftgate has no cancelled payment status: a cancelled payment stays `SUCCESS` and its
//! reporting record says `refundStatus: FULLY_REFUNDED`, exactly like a payment refunded in
//! full. What differs is the whole-payment refund behind it: a refund made on the payment's
//! day with no earlier partial refund is a `CANCEL` (a void before settlement), anything
//! else a `REFUND`. The reporting list of a payment's refunds does not carry `refundType`
//! (the official clients' `ReportingPaymentRefundResponse` has no such field), so each
//! successful one is retrieved from `GET /payment/v1/refunds/{id}`, which does.

use odeme_core::{RefundKind, RefundStatus, Result};

use crate::client::{segment, Call, Client};
use crate::errors::ErrorContext;
use crate::map;
use crate::wire::{ListData, PaymentRefundData};

/// `GET /payment-reporting/v1/payments/{id}/refunds`: the payment's whole-payment refunds.
pub(crate) fn refunds_call(id: u64) -> Call {
    Call::get(
        format!(
            "/payment-reporting/v1/payments/{}/refunds",
            segment(&id.to_string())
        ),
        "retrieve_payment_refunds",
    )
}

/// `GET /payment/v1/refunds/{id}`: one whole-payment refund, with its `refundType`.
pub(crate) fn refund_call(refund_id: &str) -> Call {
    Call::get(
        format!("/payment/v1/refunds/{}", segment(refund_id)),
        "retrieve_refund",
    )
}

/// What a listed refund says about the payment, as far as the list alone tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Listed {
    /// Failed or still waiting: money has not gone back through it.
    NotDone,
    /// A successful refund whose type the list gives.
    Kind(RefundKind),
    /// A successful refund whose type only the refund itself tells.
    Ask(String),
}

/// Reads one entry of the refund list.
pub(crate) fn listed(refund: &PaymentRefundData) -> Listed {
    if map::refund_status(refund.status.as_deref()) != RefundStatus::Succeeded {
        return Listed::NotDone;
    }
    match map::refund_kind(refund.refund_type.as_deref()) {
        RefundKind::Unspecified => match refund.id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => Listed::Ask(id.to_owned()),
            None => Listed::NotDone,
        },
        kind => Listed::Kind(kind),
    }
}

/// Whether a payment Craftgate reports as fully refunded was in fact cancelled: one of its
/// successful whole-payment refunds is a `CANCEL`.
pub(crate) async fn was_cancelled(
    client: &Client,
    payment_id: u64,
    context: &ErrorContext,
) -> Result<bool> {
    let (list, _): (ListData<PaymentRefundData>, _) =
        client.call(&refunds_call(payment_id), context).await?;
    for refund in &list.items {
        let kind = match listed(refund) {
            Listed::NotDone => continue,
            Listed::Kind(kind) => kind,
            Listed::Ask(refund_id) => {
                let (full, _): (PaymentRefundData, _) =
                    client.call(&refund_call(&refund_id), context).await?;
                map::refund_kind(full.refund_type.as_deref())
            }
        };
        if kind == RefundKind::Cancel {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(json: &str) -> PaymentRefundData {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_listed_refund_is_asked_about_only_when_it_went_through_and_has_no_type() {
        assert_eq!(
            listed(&entry(r#"{"id":41,"status":"SUCCESS","refundPrice":40}"#)),
            Listed::Ask("41".into())
        );
        assert_eq!(
            listed(&entry(r#"{"id":41,"status":"FAILURE","refundPrice":40}"#)),
            Listed::NotDone
        );
        assert_eq!(
            listed(&entry(r#"{"id":41,"status":"WAITING"}"#)),
            Listed::NotDone
        );
        assert_eq!(
            listed(&entry(r#"{"status":"SUCCESS","refundPrice":40}"#)),
            Listed::NotDone
        );
        assert_eq!(
            listed(&entry(
                r#"{"id":41,"status":"SUCCESS","refundType":"CANCEL"}"#
            )),
            Listed::Kind(RefundKind::Cancel)
        );
        assert_eq!(
            listed(&entry(
                r#"{"id":41,"status":"SUCCESS","refundType":"REFUND"}"#
            )),
            Listed::Kind(RefundKind::Refund)
        );
    }

    #[test]
    fn paths() {
        assert_eq!(
            refunds_call(1042).path,
            "/payment-reporting/v1/payments/1042/refunds"
        );
        assert_eq!(refund_call("77").path, "/payment/v1/refunds/77");
        assert_eq!(refund_call("7/7").path, "/payment/v1/refunds/7%2F7");
    }
}
