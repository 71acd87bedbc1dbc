//! Charging a new card (`direct_charge`), capture and cancel, and the common ending of every
//! charge that goes through a created sale (`charge`, `charge_with_token`).

use async_trait::async_trait;

use odeme_core::{
    CancelRequest, Capability, CaptureRequest, Charge, ChargeRequest, Currency, Error, HttpRequest,
    HttpResponse, NextAction, Payment, PaymentSource, PaymentStatus, ProviderId, RequestKind,
    Result, StoreCardMode,
};

use crate::call::{check_token, read, read_sale};
use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::errors;
use crate::map;
use crate::sale::{self, Context, SaleParts};
use crate::settle::{self, cancel_request, capture_request, read_settle};
use crate::wire;

/// The checks every charge makes before anything is sent.
pub(crate) fn validate_charge(request: &ChargeRequest, config: &PaytrekConfig) -> Result<()> {
    request.validate()?;
    if request.items.iter().any(|i| i.split.is_some()) {
        return Err(Error::unsupported(
            ProviderId::Paytrek,
            Capability::SubMerchantSplits,
            "Paytrek's v2 API has no sub-merchant payouts",
        ));
    }
    sale::validate(&SaleParts::of(request), config)
}

/// `POST /api/v2/direct_charge/`: a sale and its payment with a new card in one call.
pub(crate) fn direct_charge_request(
    config: &PaytrekConfig,
    request: &ChargeRequest,
) -> Result<HttpRequest> {
    let body = sale::with_card(sale::sale_body(&SaleParts::of(request), config)?, request)?;
    Ok(config
        .request(
            "POST",
            "/api/v2/direct_charge/",
            "charge",
            RequestKind::Write,
        )
        .body(sale::to_bytes(&body)?)
        .reference(request.order_id.clone()))
}

impl PaytrekGateway {
    /// Fills in the card user of a card stored during a payment when the answer left it
    /// out; the card token alone already charges it, so a failed lookup changes nothing.
    async fn complete_stored_card(&self, payment: &mut Payment, request: &ChargeRequest) {
        let Some(stored) = payment.stored_card.as_mut() else {
            return;
        };
        if !stored.reference.customer_token.is_empty() {
            return;
        }
        if let StoreCardMode::ExistingCustomer(user) = &request.store_card {
            stored.reference.customer_token = user.clone();
            return;
        }
        if let Ok(card) = self.get_card(&stored.reference.card_token).await {
            stored.reference.customer_token = card.reference.customer_token;
        }
    }

    async fn direct_charge(&self, request: &ChargeRequest) -> Result<Payment> {
        validate_charge(request, &self.config)?;
        let http = direct_charge_request(&self.config, request)?;
        let response = self.send(http).await?;
        let mut payment = read_charge_answer(
            &response,
            Some(request.amount.currency()),
            Some(&request.order_id),
        )?;
        self.complete_stored_card(&mut payment, request).await;
        Ok(payment)
    }

    /// The end of a charge of a created sale (`charge`, `charge_with_token`): a redirect
    /// for 3-D Secure, a decline, or the sale read back. `before` is the sale as it was
    /// before the charge; `response` is the charge's answer, blamed when its outcome is
    /// not known.
    pub(crate) async fn finish_sale_charge(
        &self,
        before: Payment,
        pre_auth: bool,
        answer: &wire::Sale<'_>,
        response: &HttpResponse,
    ) -> Result<Payment> {
        let currency = Some(before.amount.currency());
        check_sale_status(answer, response)?;
        if let Some(url) = answer
            .forward_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
        {
            if answer.succeeded != Some(false) {
                let mut payment = before;
                payment.status = PaymentStatus::RequiresAction;
                payment.next_action = Some(NextAction::Redirect {
                    url: url.to_owned(),
                });
                return Ok(payment);
            }
        }
        if answer.succeeded == Some(false) {
            // The short answer has no error code; the sale's transactions have it.
            let fetched = self.fetch_sale(&before.id).await;
            let sale = fetched
                .as_ref()
                .ok()
                .and_then(|r| read::<wire::Sale>(r).ok());
            let mut decline = match sale {
                Some(sale) if errors::failed_transaction(&sale).is_some() => {
                    errors::sale_decline(&sale)
                }
                _ => errors::sale_decline(answer),
            };
            decline.payment_reference = Some(before.id.clone());
            decline.order_id = Some(before.order_id.clone());
            return Err(Error::declined(decline));
        }
        let confirmed = answer.succeeded == Some(true);
        let stored = sale::stored_card(answer);
        // The decline is taken while the read-back's answer is at hand, only for a failed
        // payment.
        let read_back = self
            .fetch_payment_with(&before.id, currency, |sale, payment| {
                (payment.status == PaymentStatus::Failed).then(|| errors::sale_decline(sale))
            })
            .await;
        let mut payment = match read_back {
            // The answer's explicit yes and a failed read-back contradict each other (a
            // stale read of an earlier declined attempt on the same sale): neither wins.
            Ok((payment, _)) if payment.status == PaymentStatus::Failed && confirmed => {
                return Err(response.unreadable(
                    "the answer says the charge succeeded, but the sale reads as failed",
                ))
            }
            Ok((payment, Some(decline))) if payment.status == PaymentStatus::Failed => {
                return Err(Error::declined(decline));
            }
            // Without the answer's explicit yes, only a sale that reads as charged counts.
            Ok((payment, _)) if charged_status(payment.status) => payment,
            Ok((payment, _))
                if confirmed
                    && matches!(
                        payment.status,
                        PaymentStatus::Pending | PaymentStatus::RequiresAction
                    ) =>
            {
                payment
            }
            // A read-back in a form the tables do not know says nothing against the
            // answer's explicit yes.
            Ok((payment, _)) if confirmed && payment.status == PaymentStatus::Unknown => {
                charged(before, pre_auth)
            }
            Ok((payment, _)) if confirmed => {
                return Err(response.unreadable(&format!(
                    "the answer says the charge succeeded, but the sale reads {}",
                    payment.status
                )))
            }
            Ok((payment, _)) => {
                return Err(response.unreadable(&format!(
                    "the answer does not say whether the charge succeeded, and the sale reads {}",
                    payment.status
                )))
            }
            Err(_) if confirmed => charged(before, pre_auth),
            Err(_) => {
                return Err(response.unreadable(
                    "the answer does not say whether the charge succeeded, and the sale could not be read back",
                ))
            }
        };
        if payment.stored_card.is_none() {
            payment.stored_card = stored;
        }
        response.accept_payment(payment)
    }
}

/// Whether a sale read back shows the charge went through (the document's success set).
fn charged_status(status: PaymentStatus) -> bool {
    matches!(status, PaymentStatus::Succeeded | PaymentStatus::Authorized)
}

/// The payment after a charge Paytrek answered `succeeded: true` but whose sale could not
/// be read back: that explicit answer stands.
fn charged(before: Payment, pre_auth: bool) -> Payment {
    let mut payment = before;
    if pre_auth {
        payment.status = PaymentStatus::Authorized;
    } else {
        payment.status = PaymentStatus::Succeeded;
        payment.captured = payment.amount;
    }
    payment.provider_status = None;
    payment
}

/// Refuses a sale answer whose status word is not one the document names (see
/// [`crate::map::DOCUMENTED_WRITE_ANSWERS`]): after a write that is an unknown outcome.
pub(crate) fn check_sale_status(answer: &wire::Sale<'_>, response: &HttpResponse) -> Result<()> {
    let text = answer
        .status
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(answer.financial_status.as_deref())
        .filter(|s| !s.trim().is_empty());
    match text {
        Some(text) if !map::documented_sale_status(text) => {
            Err(response.undocumented("sale status", text))
        }
        _ => Ok(()),
    }
}

/// The answer of `direct_charge` (a charge or pre-authorization with a new card): a
/// payment only in a documented success, pending or requires-action form, the decline a
/// documented refusal carries, and an unknown outcome for anything else.
pub(crate) fn read_charge_answer(
    response: &HttpResponse,
    currency: Option<Currency>,
    order_id: Option<&str>,
) -> Result<Payment> {
    let answer: wire::Sale = read_sale(response)?;
    let ctx = Context {
        response,
        currency,
        order_id,
    };
    let payment = payment_or_decline(&answer, &ctx)?;
    response.accept_payment(payment)
}

/// A payment from an answer that carries the sale, or the decline it reports.
pub(crate) fn payment_or_decline(answer: &wire::Sale<'_>, ctx: &Context<'_>) -> Result<Payment> {
    let redirect = answer
        .forward_url
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty());
    if answer.succeeded == Some(false) && !redirect {
        let mut decline = errors::sale_decline(answer);
        if decline.order_id.is_none() {
            decline.order_id = ctx.order_id.map(str::to_owned);
        }
        return Err(Error::declined(decline));
    }
    check_sale_status(answer, ctx.response)?;
    let payment = sale::to_payment(answer, ctx)?;
    if payment.status == PaymentStatus::Failed {
        return Err(Error::declined(errors::sale_decline(answer)));
    }
    Ok(payment)
}

#[async_trait]
impl Charge for PaytrekGateway {
    async fn charge(&self, request: &ChargeRequest) -> Result<Payment> {
        match request.source {
            PaymentSource::NewCard(_) => self.direct_charge(request).await,
            PaymentSource::StoredCard { .. } => self.charge_token(request).await,
        }
    }

    async fn capture(&self, request: &CaptureRequest) -> Result<Payment> {
        check_token("payment_id", &request.payment_id)?;
        let http = capture_request(&self.config, &request.payment_id)?;
        let before = self.fetch_payment(&request.payment_id, None).await?;
        if let Some(amount) = &request.amount {
            if amount != &before.amount {
                return Err(Error::invalid(
                    "amount",
                    format!(
                        "Paytrek captures the whole authorization ({}); partial capture is not offered",
                        before.amount
                    ),
                ));
            }
        }
        let response = self.send(http).await?;
        let answer = read_settle(&response)?;
        let payment = match self
            .fetch_payment(&request.payment_id, Some(before.amount.currency()))
            .await
        {
            Ok(payment) if payment.status != PaymentStatus::Unknown => payment,
            // The answer's documented yes stands when the read-back cannot be read.
            _ => settle::captured(before, &answer, &response)?,
        };
        response.accept_payment(payment)
    }

    async fn cancel(&self, request: &CancelRequest) -> Result<Payment> {
        check_token("payment_id", &request.payment_id)?;
        let http = cancel_request(&self.config, &request.payment_id, request.reason.as_deref())?;
        let before = self.fetch_payment(&request.payment_id, None).await?;
        let response = self.send(http).await?;
        let answer = read_settle(&response)?;
        let payment = match self
            .fetch_payment(&request.payment_id, Some(before.amount.currency()))
            .await
        {
            Ok(payment) if payment.status != PaymentStatus::Unknown => payment,
            _ => settle::cancelled(before, &answer, &response)?,
        };
        response.accept_payment(payment)
    }
}
