//! Charges: a sale or a pre-authorization of a new or stored card, with item-level
//! sub-merchant splits; capture (`post-auth`) and cancel.

use async_trait::async_trait;
use odeme_core::{
    CancelRequest, CaptureRequest, Charge, ChargeRequest, Error, Money, Payment, PaymentStatus,
    ProviderId, RefundKind, RefundStatus, RejectionKind, Result, ThreeDs,
};

use crate::card_payment::{
    charge_call, payment_id, payment_outcome, post_auth_call, two_decimals, validate_charge,
    GROUP_PRODUCT,
};
use crate::client::Client;
use crate::convert::Known;
use crate::errors::ErrorContext;
use crate::wire::PaymentData;
use crate::{refund, status, three_ds, CraftgateGateway};

/// Charges or pre-authorizes `request` without 3-D Secure, in `payment_group`.
pub(crate) async fn create(
    client: &Client,
    request: &ChargeRequest,
    payment_group: &'static str,
) -> Result<Payment> {
    let call = charge_call(request, payment_group)?;
    let context = ErrorContext::charge(&request.order_id);
    let known = Known {
        order_id: Some(&request.order_id),
        currency: Some(request.amount.currency()),
        amount: Some(request.amount),
    };
    client
        .exchange(&call, &context, |data: PaymentData, response| {
            payment_outcome(data, response, &known, &context)
        })
        .await
}

#[async_trait]
impl Charge for CraftgateGateway {
    async fn charge(&self, request: &ChargeRequest) -> Result<Payment> {
        validate_charge(request)?;
        match &request.three_ds {
            ThreeDs::Off => create(&self.client, request, GROUP_PRODUCT).await,
            ThreeDs::Required { return_url, .. } => {
                three_ds::init(&self.client, request, return_url).await
            }
        }
    }

    async fn capture(&self, request: &CaptureRequest) -> Result<Payment> {
        let id = payment_id("payment_id", &request.payment_id)?;
        let authorized = status::by_payment_id(&self.client, &request.payment_id).await?;
        if authorized.status != PaymentStatus::Authorized {
            return Err(Error::Provider {
                provider: odeme_core::ProviderId::Craftgate,
                kind: odeme_core::RejectionKind::InvalidState,
                code: None,
                message: format!(
                    "payment {} is {}, not an open pre-authorization",
                    authorized.id, authorized.status
                ),
                http_status: None,
            });
        }
        let full = authorized.paid_amount.unwrap_or(authorized.amount);
        let amount = match &request.amount {
            Some(amount) => {
                let amount = Money::positive("amount", amount.amount(), amount.currency())?;
                two_decimals("amount", &amount)?;
                if amount.currency() != full.currency() {
                    return Err(Error::invalid("amount", "is not in the payment's currency"));
                }
                if amount.amount() > full.amount() {
                    return Err(Error::Provider {
                        provider: odeme_core::ProviderId::Craftgate,
                        kind: odeme_core::RejectionKind::AmountExceeded,
                        code: None,
                        message: format!("capture of {amount} exceeds the authorized {full}"),
                        http_status: None,
                    });
                }
                amount
            }
            None => full,
        };
        let call = post_auth_call(id, &amount)?;
        let context = ErrorContext::payment(&request.payment_id, true);
        let known = Known {
            order_id: Some(&authorized.order_id),
            currency: Some(amount.currency()),
            amount: Some(authorized.amount),
        };
        self.client
            .exchange(&call, &context, |data: PaymentData, response| {
                payment_outcome(data, response, &known, &context)
            })
            .await
    }

    async fn cancel(&self, request: &CancelRequest) -> Result<Payment> {
        payment_id("payment_id", &request.payment_id)?;
        let refund = refund::whole(&self.client, &request.payment_id, None).await?;
        if refund.status == RefundStatus::Failed {
            return Err(Error::Provider {
                provider: ProviderId::Craftgate,
                kind: RejectionKind::Other,
                code: None,
                message: format!(
                    "Craftgate answered the cancel of payment {} with a failed refund",
                    request.payment_id
                ),
                http_status: None,
            });
        }
        let mut payment = status::by_payment_id(&self.client, &request.payment_id).await?;
        if refund.kind == RefundKind::Cancel {
            payment.status = PaymentStatus::Cancelled;
        }
        payment.refunds.push(refund);
        Ok(payment)
    }
}
