//! Finishing a 3-D Secure or hosted-page payment: Paytrek sends the customer back to the
//! `return_url` with `?token=<sale_token>`. Nothing signs that redirect, so it only says
//! which sale to look at; the sale is always read again from Paytrek.

use async_trait::async_trait;

use odeme_core::{
    CompleteThreeDsRequest, Error, HttpResponse, Payment, PaymentStatus, RequestKind, Result,
    ThreeDsCompletion,
};

use crate::call::{read, read_sale};
use crate::charge::check_sale_status;
use crate::client::PaytrekGateway;
use crate::errors;
use crate::sale::{self, Context};
use crate::wire;

/// The sale token the return carries, checked against what the merchant kept. The return
/// is unsigned and comes through the customer's browser, so without the merchant's own
/// payment id or order id any paid sale's token would be accepted.
pub(crate) fn returned_token(request: &CompleteThreeDsRequest) -> Result<String> {
    let kept_order = request.order_id.as_deref().filter(|o| !o.trim().is_empty());
    let kept_payment = request
        .payment_id
        .as_deref()
        .filter(|p| !p.trim().is_empty());
    if kept_order.is_none() && kept_payment.is_none() {
        return Err(Error::invalid(
            "payment_id",
            "give the payment id or the order id kept when the payment started: the return \
             is unsigned and cannot name its own sale",
        ));
    }
    let returned = request
        .callback
        .param("token")
        .filter(|t| !t.trim().is_empty());
    match (returned, kept_payment) {
        (Some(token), Some(kept)) if token != kept => Err(Error::invalid(
            "callback.token",
            "the returned sale token is not the payment's",
        )),
        (Some(token), _) => Ok(token),
        (None, Some(kept)) => Ok(kept.to_owned()),
        (None, None) => Err(Error::invalid(
            "callback.token",
            "the return carries no sale token",
        )),
    }
}

/// The sale read by the returned token must be the merchant's: its order id is the one
/// kept (the token was already checked against a kept payment id).
pub(crate) fn check_belongs(request: &CompleteThreeDsRequest, payment: &Payment) -> Result<()> {
    match request.order_id.as_deref().filter(|o| !o.trim().is_empty()) {
        Some(order_id) if payment.order_id != order_id => Err(Error::invalid(
            "order_id",
            "the returned sale belongs to another order",
        )),
        _ => Ok(()),
    }
}

#[async_trait]
impl ThreeDsCompletion for PaytrekGateway {
    async fn complete_three_ds(&self, request: &CompleteThreeDsRequest) -> Result<Payment> {
        let token = returned_token(request)?;
        let response = self.fetch_sale(&token).await?;
        // Read as the read it is first: a refusal or an unreadable answer to the read is
        // not yet the completion's outcome.
        read::<wire::Sale>(&response)?;
        read_completion(request, &response)
    }
}

/// The sale read back after the customer's return, judged as the write the completion
/// finishes: the bank's answer has been acted on, so a sale in a form the document does
/// not name is an unknown outcome, not a payment of unknown status.
pub(crate) fn read_completion(
    request: &CompleteThreeDsRequest,
    response: &HttpResponse,
) -> Result<Payment> {
    let response = HttpResponse {
        kind: RequestKind::Write,
        operation: "complete_three_ds",
        ..response.clone()
    };
    let sale: wire::Sale = read_sale(&response)?;
    let ctx = Context {
        response: &response,
        currency: request.currency,
        order_id: None,
    };
    let payment = sale::to_payment(&sale, &ctx)?;
    check_belongs(request, &payment)?;
    check_sale_status(&sale, &response)?;
    if payment.status == PaymentStatus::Failed
        || (payment.status == PaymentStatus::Pending && errors::failed_transaction(&sale).is_some())
    {
        return Err(Error::declined(errors::sale_decline(&sale)));
    }
    response.accept_payment(payment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::{Currency, InboundRequest, Money, ProviderId};

    fn request(query: &str, kept: Option<&str>, order: Option<&str>) -> CompleteThreeDsRequest {
        CompleteThreeDsRequest {
            order_id: order.map(str::to_owned),
            payment_id: kept.map(str::to_owned),
            callback: InboundRequest::get(query),
            currency: None,
        }
    }

    #[test]
    fn token_from_the_return() {
        assert_eq!(
            returned_token(&request("?token=abc", None, Some("o-1"))).unwrap(),
            "abc"
        );
        assert_eq!(
            returned_token(&request("token=abc", Some("abc"), None)).unwrap(),
            "abc"
        );
        assert_eq!(
            returned_token(&request("", Some("kept"), None)).unwrap(),
            "kept"
        );
        let err = returned_token(&request("token=evil", Some("kept"), Some("o-1"))).unwrap_err();
        assert_eq!(err.invalid_field(), Some("callback.token"));
        let err = returned_token(&request("", None, Some("o-1"))).unwrap_err();
        assert_eq!(err.invalid_field(), Some("callback.token"));
    }

    #[test]
    fn a_return_alone_is_not_trusted() {
        for (kept, order) in [(None, None), (Some(" "), Some(""))] {
            let err = returned_token(&request("token=abc", kept, order)).unwrap_err();
            assert_eq!(
                err.invalid_field(),
                Some("payment_id"),
                "{kept:?} {order:?}"
            );
        }
    }

    #[test]
    fn the_sale_must_be_the_orders() {
        let sale = |order: &str| {
            Payment::new(
                ProviderId::Paytrek,
                "abc",
                order,
                PaymentStatus::Succeeded,
                Money::zero(Currency::TRY),
            )
        };
        let asked = request("token=abc", None, Some("o-1"));
        assert!(check_belongs(&asked, &sale("o-1")).is_ok());
        let err = check_belongs(&asked, &sale("o-2")).unwrap_err();
        assert_eq!(err.invalid_field(), Some("order_id"));
        // A sale without an order id is nobody's order.
        assert!(check_belongs(&asked, &sale("")).is_err());
        let by_payment = request("token=abc", Some("abc"), None);
        assert!(check_belongs(&by_payment, &sale("o-2")).is_ok());
    }
}
