//! Finishing a 3-D Secure payment after the customer's browser came back.
//!
//! PayTR posts nothing to `merchant_ok_url` and only a customer-facing `fail_message` to
//! `merchant_fail_url`; neither is signed. The truth is the notification, or a status query
//! by order id, which is what this does.

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
                None => {
                    // Back at the ok URL before PayTR's notification: not decided yet. The
                    // amount is not known until then.
                    let currency = request.currency.unwrap_or(Currency::TRY);
                    let mut payment = Payment::new(
                        ProviderId::Paytr,
                        &oid,
                        &oid,
                        PaymentStatus::Pending,
                        Money::zero(currency),
                    );
                    payment.provider_status = Some("not_found".into());
                    Ok(payment)
                }
            },
            Err(other) => Err(other),
        }
    }
}
