//! 3-D Secure: `3ds-init` (the customer must act), verifying the browser's callback, and
//! `3ds-complete` (`ThreeDsCompletion`).

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use odeme_core::{
    ChargeRequest, CompleteThreeDsRequest, Error, InboundRequest, NextAction, Payment,
    PaymentStatus, ProviderId, Result, ThreeDsCompletion,
};

use crate::card_payment::{payment_id, payment_outcome, three_ds_init_call};
use crate::client::{Call, Client};
use crate::convert::Known;
use crate::errors::ErrorContext;
use crate::sign::{self, ThreeDsCallbackFields};
use crate::wire::{PaymentData, PaymentIdBody, ThreeDsInitData};
use crate::{map, CraftgateGateway};

/// A verified 3-D Secure callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreeDsCallback {
    /// The signed fields.
    pub fields: ThreeDsCallbackFields,
}

impl ThreeDsCallback {
    /// Whether the bank authenticated the customer (`status=SUCCESS`).
    pub fn succeeded(&self) -> bool {
        self.fields.status == "SUCCESS"
    }

    /// The payment id the callback is about.
    pub fn payment_id(&self) -> &str {
        &self.fields.payment_id
    }

    /// The order id (`conversationId`) the callback is about.
    pub fn order_id(&self) -> &str {
        &self.fields.conversation_id
    }
}

/// The callback's seven fields, read from the form body or the query string.
pub(crate) fn callback_fields(request: &InboundRequest) -> ThreeDsCallbackFields {
    let get = |name: &str| request.param(name).unwrap_or_default();
    ThreeDsCallbackFields {
        status: get("status"),
        complete_status: get("completeStatus"),
        payment_id: get("paymentId"),
        conversation_data: get("conversationData"),
        conversation_id: get("conversationId"),
        callback_status: get("callbackStatus"),
    }
}

/// Verifies the browser's callback with the 3-D Secure callback key.
pub(crate) fn verify_callback(
    callback_key: Option<&odeme_core::Secret>,
    request: &InboundRequest,
) -> Result<ThreeDsCallback> {
    let key = callback_key.ok_or_else(|| {
        Error::Configuration("the 3-D Secure callback key is not configured (CraftgateConfig::with_three_ds_callback_key)".into())
    })?;
    let presented = request
        .param("hash")
        .ok_or_else(|| Error::SignatureMismatch("the callback carries no `hash`".into()))?;
    let fields = callback_fields(request);
    if !sign::verify_three_ds_callback(key.expose(), &fields, presented.trim()) {
        return Err(Error::SignatureMismatch(
            "the 3-D Secure callback hash does not match".into(),
        ));
    }
    Ok(ThreeDsCallback { fields })
}

/// What the customer must do, from `3ds-init`'s answer: Craftgate's `additionalAction` says
/// whether to show the (Base64) HTML or to redirect; without it, whichever is present.
pub(crate) fn next_action(data: &ThreeDsInitData) -> Option<NextAction> {
    let html = || {
        data.html_content
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .map(|content| {
                let html = STANDARD
                    .decode(content.trim())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
                    // Some integrations answer with the page itself rather than its Base64.
                    .unwrap_or_else(|| content.to_owned());
                NextAction::Html { html }
            })
    };
    let redirect = || {
        data.redirect_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(|url| NextAction::Redirect {
                url: url.to_owned(),
            })
    };
    match data.additional_action.as_deref() {
        Some("REDIRECT_TO_URL") => redirect().or_else(html),
        Some("SHOW_HTML_CONTENT") => html().or_else(redirect),
        _ => html().or_else(redirect),
    }
}

/// Starts a 3-D Secure payment.
pub(crate) async fn init(
    client: &Client,
    request: &ChargeRequest,
    callback_url: &str,
) -> Result<Payment> {
    let call = three_ds_init_call(request, callback_url)?;
    let context = ErrorContext::charge(&request.order_id);
    client
        .exchange(&call, &context, |data: ThreeDsInitData, response| {
            init_outcome(&data, response, request, &context)
        })
        .await
}

/// The payment (or decline) a `3ds-init` answer stands for.
fn init_outcome(
    data: &ThreeDsInitData,
    response: &odeme_core::HttpResponse,
    request: &ChargeRequest,
    context: &ErrorContext,
) -> Result<Payment> {
    let id = data
        .payment_id
        .clone()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| response.unreadable("3ds-init answered without a paymentId"))?;
    let action = next_action(data);
    let mut status = match data.payment_status.as_deref() {
        Some(text) => map::payment_status(Some(text), None),
        None => PaymentStatus::RequiresAction,
    };
    if status == PaymentStatus::Failed {
        let mut context = context.clone();
        context.payment_reference = Some(id);
        return Err(Error::declined(crate::errors::decline(
            &Default::default(),
            &context,
        )));
    }
    if action.is_some() {
        status = PaymentStatus::RequiresAction;
    } else if status == PaymentStatus::RequiresAction {
        return Err(
            response.unreadable("3ds-init asked for an action but gave neither HTML nor a URL")
        );
    }
    let mut payment = Payment::new(
        ProviderId::Craftgate,
        &id,
        &request.order_id,
        status,
        request.amount,
    );
    payment.provider_status = data.payment_status.clone();
    payment.installments = request.installments;
    payment.next_action = action;
    if let Some(a) = &data.additional_action {
        payment
            .references
            .insert("additional_action".into(), a.clone());
    }
    response.accept_payment(payment)
}

/// The call that finishes 3-D Secure payment `id`.
pub(crate) fn complete_call(id: u64) -> Result<Call> {
    Call::write(
        "/payment/v1/card-payments/3ds-complete".into(),
        &PaymentIdBody { payment_id: id },
        "three_ds_complete",
        &id.to_string(),
        format!("3ds-complete:{id}"),
    )
}

#[async_trait]
impl ThreeDsCompletion for CraftgateGateway {
    /// Verifies the callback's `hash` with the 3-D Secure callback key, refuses a failed
    /// authentication as a decline, and calls `3ds-complete`.
    async fn complete_three_ds(&self, request: &CompleteThreeDsRequest) -> Result<Payment> {
        let callback = verify_callback(
            self.client.config.three_ds_callback_key(),
            &request.callback,
        )?;
        let payment_ref = match (&request.payment_id, callback.payment_id()) {
            (Some(kept), from_callback) if !from_callback.is_empty() && kept != from_callback => {
                return Err(Error::SignatureMismatch(
                    "the callback is for another payment".into(),
                ));
            }
            (Some(kept), _) => kept.clone(),
            (None, from_callback) => from_callback.to_owned(),
        };
        // A callback signed for the attacker's own payment must not complete another order
        // when the merchant did not keep the payment id: the signed conversationId is the
        // order it belongs to.
        if let Some(expected) = request.order_id.as_deref() {
            let signed = callback.order_id();
            if !signed.is_empty() && signed != expected {
                return Err(Error::SignatureMismatch(
                    "the callback is for another order".into(),
                ));
            }
        }
        let id = payment_id("payment_id", &payment_ref)?;
        let order_id = request
            .order_id
            .clone()
            .unwrap_or_else(|| callback.order_id().to_owned());
        let context = ErrorContext {
            order_id: Some(order_id.clone()),
            payment_reference: Some(payment_ref.clone()),
            declines: true,
        };
        if !callback.succeeded() {
            let mut decline = odeme_core::Decline::new(
                ProviderId::Craftgate,
                odeme_core::DeclineReason::ThreeDsFailed,
            )
            .with_provider(
                None,
                Some(format!(
                    "3-D Secure callback status {}",
                    callback.fields.status
                )),
            );
            decline.order_id = context.order_id.clone();
            decline.payment_reference = context.payment_reference.clone();
            return Err(Error::declined(decline));
        }
        let call = complete_call(id)?;
        let known = Known {
            order_id: Some(&order_id),
            currency: request.currency,
            amount: None,
        };
        self.client
            .exchange(&call, &context, |data: PaymentData, response| {
                payment_outcome(data, response, &known, &context)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_answers_become_actions() {
        let html = "<html><form action=\"https://bank\"></form></html>";
        let data = ThreeDsInitData {
            html_content: Some(STANDARD.encode(html)),
            payment_id: Some("9".into()),
            redirect_url: Some("https://bank/redirect".into()),
            payment_status: Some("WAITING".into()),
            additional_action: Some("SHOW_HTML_CONTENT".into()),
        };
        assert_eq!(
            next_action(&data),
            Some(NextAction::Html { html: html.into() })
        );
        let data = ThreeDsInitData {
            additional_action: Some("REDIRECT_TO_URL".into()),
            ..data
        };
        assert_eq!(
            next_action(&data),
            Some(NextAction::Redirect {
                url: "https://bank/redirect".into()
            })
        );
        let data = ThreeDsInitData {
            additional_action: None,
            html_content: None,
            ..data
        };
        assert_eq!(
            next_action(&data),
            Some(NextAction::Redirect {
                url: "https://bank/redirect".into()
            })
        );
        let data = ThreeDsInitData {
            redirect_url: None,
            ..data
        };
        assert_eq!(next_action(&data), None);
    }

    #[test]
    fn callbacks_verify_from_form_or_query() {
        let key = odeme_core::Secret::new("merchantThreeDsCallbackKeySndbox");
        let body = "status=SUCCESS&completeStatus=WAITING&paymentId=5&conversationData=conversation-data&conversationId=conversation-id&hash=1d3fa1e51fe7c350185c5a7f8c3ff513a991367b08c16a56f4ab9abeb738a1e1";
        let cb = verify_callback(Some(&key), &InboundRequest::post(body)).unwrap();
        assert!(cb.succeeded());
        assert_eq!(cb.payment_id(), "5");
        assert!(verify_callback(Some(&key), &InboundRequest::get(body)).is_ok());
        let tampered = body.replace("paymentId=5", "paymentId=6");
        assert!(matches!(
            verify_callback(Some(&key), &InboundRequest::post(tampered)),
            Err(Error::SignatureMismatch(_))
        ));
        let no_hash = "status=SUCCESS&paymentId=5";
        assert!(matches!(
            verify_callback(Some(&key), &InboundRequest::post(no_hash)),
            Err(Error::SignatureMismatch(_))
        ));
        assert!(matches!(
            verify_callback(None, &InboundRequest::post(body)),
            Err(Error::Configuration(_))
        ));
    }
}
