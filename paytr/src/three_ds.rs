//! Finishing a 3-D Secure payment after the customer's browser came back.
//!
//! PayTR posts nothing to `merchant_ok_url` and only a customer-facing `fail_message` to
//! `merchant_fail_url`; neither is signed. The truth is the notification, or a status query
//! by order id, which is what this does.
//!
//! When the customer is back before PayTR has decided, the answer is a
//! [`PaymentStatus::Pending`] payment whose amount is **not known**: neither the return nor
//! [`CompleteThreeDsRequest`] carries one, and PayTR's status query finds only successful
//! payments. Its `amount` is then zero in the request's currency (TRY when none is given),
//! a placeholder, and `references["amount"]` says `unknown`; take the amount from the order,
//! and the result from the notification or a later status query.

use async_trait::async_trait;
use odeme_core::{
    CompleteThreeDsRequest, Currency, Error, Money, Payment, PaymentStatus, ProviderId,
    RejectionKind, Result, ThreeDsCompletion,
};

use crate::{map, status, PaytrGateway};

#[async_trait]
impl ThreeDsCompletion for PaytrGateway {
    async fn complete_three_ds(&self, request: &CompleteThreeDsRequest) -> Result<Payment> {
        let oid = request
            .order_id
            .clone()
            .or_else(|| request.payment_id.clone())
            .or_else(|| request.callback.param("merchant_oid"))
            .ok_or_else(|| {
                Error::invalid("order_id", "PayTR's return carries no order id: give it")
            })?;
        let fail_message = request
            .callback
            .param("fail_message")
            .filter(|m| !m.trim().is_empty());
        match status::query(&self.client, "order_id", &oid).await {
            Ok(payment) => Ok(payment),
            Err(Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }) => match fail_message {
                // Only a successful payment is found by the query; the fail URL's message
                // says why the customer's attempt ended.
                Some(message) => {
                    let reason = map::reason_from_message(&message);
                    Err(Error::declined(map::decline(
                        reason,
                        None,
                        Some(&message),
                        &oid,
                    )))
                }
                None => Ok(undecided(&oid, request.currency)),
            },
            Err(other) => Err(other),
        }
    }
}

/// Back at the ok URL before PayTR's notification: not decided yet, and the amount is not
/// known until then (see the module's documentation).
fn undecided(oid: &str, currency: Option<Currency>) -> Payment {
    let mut payment = Payment::new(
        ProviderId::Paytr,
        oid,
        oid,
        PaymentStatus::Pending,
        Money::zero(currency.unwrap_or(Currency::TRY)),
    );
    payment.provider_status = Some("not_found".into());
    payment
        .references
        .insert(AMOUNT_REFERENCE.into(), AMOUNT_UNKNOWN.into());
    payment
}

/// The [`Payment::references`] key that says the amount of an undecided payment is unknown.
pub(crate) const AMOUNT_REFERENCE: &str = "amount";
/// Its value.
pub(crate) const AMOUNT_UNKNOWN: &str = "unknown";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undecided_payment_says_its_amount_is_unknown() {
        let p = undecided("O1", Some(Currency::USD));
        assert_eq!(p.status, PaymentStatus::Pending);
        assert_eq!(p.amount.currency(), Currency::USD);
        assert!(p.captured.is_zero());
        assert_eq!(
            p.references.get(AMOUNT_REFERENCE).map(String::as_str),
            Some(AMOUNT_UNKNOWN)
        );
        assert_eq!(undecided("O1", None).amount.currency(), Currency::TRY);
    }
}
