//! Finishing a 3-D Secure or hosted-page payment: Paytrek sends the customer back to the
//! `return_url` with `?token=<sale_token>`. Nothing signs that redirect, so it only says
//! which sale to look at; the sale is always read again from Paytrek.

use async_trait::async_trait;

use odeme_core::{
    CompleteThreeDsRequest, Error, Payment, PaymentStatus, Result, ThreeDsCompletion,
};

use crate::client::PaytrekGateway;
use crate::errors;

/// The sale token the return carries, checked against the one the merchant kept.
pub(crate) fn returned_token(request: &CompleteThreeDsRequest) -> Result<String> {
    let returned = request
        .callback
        .param("token")
        .filter(|t| !t.trim().is_empty());
    match (returned, &request.payment_id) {
        (Some(token), Some(kept)) if &token != kept => Err(Error::invalid(
            "callback.token",
            "the returned sale token is not the payment's",
        )),
        (Some(token), _) => Ok(token),
        (None, Some(kept)) => Ok(kept.clone()),
        (None, None) => Err(Error::invalid(
            "callback.token",
            "the return carries no sale token",
        )),
    }
}

#[async_trait]
impl ThreeDsCompletion for PaytrekGateway {
    async fn complete_three_ds(&self, request: &CompleteThreeDsRequest) -> Result<Payment> {
        let token = returned_token(request)?;
        let (payment, sale) = self.fetch_payment(&token, request.currency).await?;
        if let Some(order_id) = &request.order_id {
            if &payment.order_id != order_id {
                return Err(Error::invalid(
                    "order_id",
                    "the returned sale belongs to another order",
                ));
            }
        }
        if payment.status == PaymentStatus::Failed
            || (payment.status == PaymentStatus::Pending
                && errors::failed_transaction(&sale).is_some())
        {
            return Err(Error::declined(errors::sale_decline(&sale)));
        }
        Ok(payment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::InboundRequest;

    fn request(query: &str, kept: Option<&str>) -> CompleteThreeDsRequest {
        CompleteThreeDsRequest {
            order_id: None,
            payment_id: kept.map(str::to_owned),
            callback: InboundRequest::get(query),
            currency: None,
        }
    }

    #[test]
    fn token_from_the_return() {
        assert_eq!(returned_token(&request("?token=abc", None)).unwrap(), "abc");
        assert_eq!(
            returned_token(&request("token=abc", Some("abc"))).unwrap(),
            "abc"
        );
        assert_eq!(returned_token(&request("", Some("kept"))).unwrap(), "kept");
        let err = returned_token(&request("token=evil", Some("kept"))).unwrap_err();
        assert_eq!(err.invalid_field(), Some("callback.token"));
        assert!(returned_token(&request("", None)).is_err());
    }
}
