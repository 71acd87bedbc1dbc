//! Refunds in full or in part (`POST /api/v2/refund/`). Paytrek first tries to cancel a
//! full refund and refunds it if the cancel fails, and does not say which it did.

use async_trait::async_trait;

use odeme_core::{
    Capability, Error, Money, ProviderId, Refund, RefundKind, RefundRequest, RefundResult,
    RefundStatus, RejectionKind, Result,
};

use crate::call::check_token;
use crate::charge::{read_settle, refund_request};
use crate::client::PaytrekGateway;

#[async_trait]
impl Refund for PaytrekGateway {
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult> {
        request.validate()?;
        if !request.items.is_empty() {
            return Err(Error::unsupported(
                ProviderId::Paytrek,
                Capability::ItemRefund,
                "Paytrek refunds amounts of a sale, not items",
            ));
        }
        check_token("payment_id", &request.payment_id)?;
        if let Some(amount) = &request.amount {
            crate::sale::check_currency("amount.currency", amount.currency())?;
        }
        let http = refund_request(
            &self.config,
            &request.payment_id,
            request.amount.as_ref(),
            request.reason.as_deref(),
        )?;
        // The refund answer has no currency; the sale has.
        let (before, _) = self.fetch_payment(&request.payment_id, None).await?;
        let currency = before.amount.currency();
        if let Some(amount) = &request.amount {
            if amount.currency() != currency {
                return Err(Error::invalid(
                    "amount",
                    format!("the payment is in {currency}, not {}", amount.currency()),
                ));
            }
        }
        let response = self.send(&http).await?;
        let answer = read_settle(&response).map_err(over_refund)?;
        let read = |value: Option<crate::wire::Amount>| -> Result<Option<Money>> {
            value
                .map(|a| {
                    Money::new(a.0, currency)
                        .map_err(|_| response.unreadable("a refund amount is not an amount"))
                })
                .transpose()
        };
        let refunded = read(answer.amount)?;
        let total = read(answer.total_refunded_amount)?;
        let amount = match (refunded, &request.amount) {
            (Some(amount), _) => amount,
            (None, Some(asked)) => *asked,
            (None, None) => before.refundable(),
        };
        Ok(RefundResult {
            provider: ProviderId::Paytrek,
            payment_id: request.payment_id.clone(),
            refund_ids: Vec::new(),
            amount,
            total_refunded: total,
            kind: RefundKind::Unspecified,
            status: RefundStatus::Succeeded,
            reference: request.reference.clone(),
        })
    }
}

/// A refused refund whose message is about the amount being too large is an over-refund.
fn over_refund(error: Error) -> Error {
    match error {
        Error::Provider {
            provider,
            kind: RejectionKind::Validation | RejectionKind::Other,
            code,
            message,
            http_status,
        } if exceeds(&message) => Error::Provider {
            provider,
            kind: RejectionKind::AmountExceeded,
            code,
            message,
            http_status,
        },
        other => other,
    }
}

fn exceeds(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("amount")
        && [
            "exceed",
            "greater than the",
            "more than",
            "larger than",
            "remaining",
            "refundable",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_refund_messages() {
        let e = |message: &str| Error::Provider {
            provider: ProviderId::Paytrek,
            kind: RejectionKind::Validation,
            code: None,
            message: message.into(),
            http_status: Some(400),
        };
        let kind = |err: Error| match err {
            Error::Provider { kind, .. } => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            kind(over_refund(e(
                "amount: Refund amount exceeds the refundable amount."
            ))),
            RejectionKind::AmountExceeded
        );
        assert_eq!(
            kind(over_refund(e("amount: A valid number is required."))),
            RejectionKind::Validation
        );
    }
}
