//! Refunds in full or in part (`POST /api/v2/refund/`). Paytrek first tries to cancel a
//! full refund and refunds it if the cancel fails, and does not say which it did.

use async_trait::async_trait;

use odeme_core::{
    Capability, Error, HttpResponse, Payment, PaymentStatus, ProviderId, Refund, RefundRequest,
    RefundResult, RejectionKind, Result,
};

use crate::call::check_token;
use crate::client::PaytrekGateway;
use crate::settle::{read_settle, refund_request, refunded};

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
        let before = self.fetch_payment(&request.payment_id, None).await?;
        check_refundable(request, &before)?;
        let response = self.send(http).await?;
        read_refund_answer(request, &before, &response)
    }
}

/// The answer of a refund: done only for the documented `succeeded: true`, the refusal a
/// documented `succeeded: false` or 4xx carries, an unknown outcome for anything else.
pub(crate) fn read_refund_answer(
    request: &RefundRequest,
    before: &Payment,
    response: &HttpResponse,
) -> Result<RefundResult> {
    let answer = read_settle(response).map_err(|e| over_refund(e, request.amount.is_some()))?;
    refunded(request, before, &answer, response)
}

/// Refuses, before anything is sent, an amount in another currency than the sale's or
/// larger than what is left to refund of a sale whose captured total is known.
fn check_refundable(request: &RefundRequest, before: &Payment) -> Result<()> {
    let Some(amount) = &request.amount else {
        return Ok(());
    };
    let currency = before.amount.currency();
    if amount.currency() != currency {
        return Err(Error::invalid(
            "amount",
            format!("the payment is in {currency}, not {}", amount.currency()),
        ));
    }
    // A pre-authorization (or a status this adapter cannot read) has no known captured
    // total: the provider decides.
    let settled = matches!(
        before.status,
        PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
    );
    let left = before.refundable();
    if settled && amount.amount() > left.amount() {
        // The same error the provider's own refusal maps to, and the other adapters give.
        return Err(Error::Provider {
            provider: ProviderId::Paytrek,
            kind: RejectionKind::AmountExceeded,
            code: None,
            message: format!("the refund of {amount} exceeds the {left} left to refund"),
            http_status: None,
        });
    }
    Ok(())
}

/// A refused refund of an amount is an over-refund when Paytrek's code says the amount is
/// invalid (30003) or, for answers without a code, when its message says it is too large.
fn over_refund(error: Error, with_amount: bool) -> Error {
    match error {
        Error::Provider {
            provider,
            kind,
            code,
            message,
            http_status,
        } if with_amount
            && (code.as_deref().map(str::trim) == Some("30003")
                || (matches!(kind, RejectionKind::Validation | RejectionKind::Other)
                    && exceeds(&message))) =>
        {
            Error::Provider {
                provider,
                kind: RejectionKind::AmountExceeded,
                code,
                message,
                http_status,
            }
        }
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
    use odeme_core::{Currency, Error, Money, RejectionKind};
    use rust_decimal_macros::dec;

    fn refusal(code: Option<&str>, message: &str) -> Error {
        Error::Provider {
            provider: ProviderId::Paytrek,
            kind: RejectionKind::Validation,
            code: code.map(str::to_owned),
            message: message.into(),
            http_status: Some(400),
        }
    }

    fn kind(err: Error) -> RejectionKind {
        match err {
            Error::Provider { kind, .. } => kind,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn over_refund_by_code_or_wording() {
        assert_eq!(
            kind(over_refund(refusal(Some("30003"), "Invalid Amount"), true)),
            RejectionKind::AmountExceeded
        );
        // Without an amount, 30003 is not about what is left to refund.
        assert_eq!(
            kind(over_refund(refusal(Some("30003"), "Invalid Amount"), false)),
            RejectionKind::Validation
        );
        assert_eq!(
            kind(over_refund(
                refusal(None, "amount: Refund amount exceeds the refundable amount."),
                true
            )),
            RejectionKind::AmountExceeded
        );
        assert_eq!(
            kind(over_refund(
                refusal(None, "amount: A valid number is required."),
                true
            )),
            RejectionKind::Validation
        );
    }

    fn paid(amount: rust_decimal::Decimal, refunded: rust_decimal::Decimal) -> Payment {
        let money = |v| Money::new(v, Currency::TRY).unwrap();
        let mut payment = Payment::new(
            ProviderId::Paytrek,
            "t",
            "o",
            PaymentStatus::PartiallyRefunded,
            money(amount),
        );
        payment.captured = money(amount);
        payment.refunded = money(refunded);
        payment
    }

    #[test]
    fn more_than_is_left_is_refused_before_sending() {
        let before = paid(dec!(100), dec!(60));
        let ask = |v| RefundRequest::partial("t", Money::new(v, Currency::TRY).unwrap());
        assert!(check_refundable(&ask(dec!(40)), &before).is_ok());
        let err = check_refundable(&ask(dec!(40.01)), &before).unwrap_err();
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
        assert!(err.to_string().contains("40.00"), "{err}");
        let usd = RefundRequest::partial("t", Money::new(dec!(1), Currency::USD).unwrap());
        assert_eq!(
            check_refundable(&usd, &before).unwrap_err().invalid_field(),
            Some("amount")
        );
        assert!(check_refundable(&RefundRequest::full("t"), &before).is_ok());
        // A pre-authorization has nothing captured yet: Paytrek decides.
        let mut authorized = paid(dec!(100), dec!(0));
        authorized.status = PaymentStatus::Authorized;
        authorized.captured = Money::zero(Currency::TRY);
        assert!(check_refundable(&ask(dec!(10)), &authorized).is_ok());
    }
}
