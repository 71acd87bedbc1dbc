//! Charging a new or stored card through the Direct API: non-3D with `sync_mode`, or 3-D
//! Secure through the customer's browser.

use async_trait::async_trait;
use odeme_core::{
    CancelRequest, Capability, CaptureRequest, Charge, ChargeRequest, ChargeStoredCard, Error,
    HttpRequest, NextAction, Payment, PaymentSource, PaymentStatus, ProviderId, RequestKind,
    Result, ThreeDs,
};

use crate::client::Client;
use crate::payment_form::{self, Mode};
use crate::wire::Form;
use crate::{cards, program, PaytrGateway};

/// The `/odeme` POST of a server-side payment.
pub(crate) fn http_request(
    client: &Client,
    form: &Form<'_>,
    order_id: &str,
    operation: &'static str,
) -> HttpRequest {
    client.form_request("/odeme", form, operation, RequestKind::Write, order_id)
}

fn mode_of(request: &ChargeRequest) -> Mode {
    match request.three_ds {
        ThreeDs::Required { .. } => Mode::ThreeDs,
        ThreeDs::Off => Mode::Sync,
    }
}

/// Sends a built sync form, or hands a 3-D Secure form to the customer's browser.
async fn finish(
    client: &Client,
    request: &ChargeRequest,
    form: Form<'_>,
    mode: Mode,
) -> Result<Payment> {
    if mode == Mode::ThreeDs {
        let mut payment = payment_form::payment(client, request, PaymentStatus::RequiresAction);
        payment.next_action = Some(NextAction::PostForm {
            url: client.url("/odeme"),
            fields: payment_form::browser_fields(&form),
        });
        return Ok(payment);
    }
    let response = client
        .send(http_request(client, &form, &request.order_id, "charge"))
        .await?;
    let mut payment = payment_form::read_answer(client, request, &response, false)?;
    complete_stored_card(client, &mut payment).await;
    Ok(payment)
}

/// Fills in a card stored by this payment with what only `capi/list` tells: whether it
/// needs its CVV, its bank and program. One read; the payment is made whatever it answers,
/// so a failed or empty list leaves the card marked `require_cvv: unknown` (and
/// `requires_cvc` true) rather than failing a charge that succeeded.
async fn complete_stored_card(client: &Client, payment: &mut Payment) {
    let Some(stored) = payment.stored_card.as_mut() else {
        return;
    };
    let Ok(list) = cards::list(client, &stored.reference.customer_token).await else {
        return;
    };
    let Some(listed) = list
        .cards
        .into_iter()
        .find(|c| c.reference.card_token == stored.reference.card_token)
    else {
        return;
    };
    stored.requires_cvc = listed.requires_cvc;
    stored.extra.remove(payment_form::REQUIRE_CVV);
    stored.extra.extend(listed.extra);
    let summary = &mut stored.summary;
    let known = listed.summary;
    summary.last4 = summary.last4.take().or(known.last4);
    summary.brand = known.brand.or(summary.brand.take());
    summary.association = summary.association.take().or(known.association);
    summary.card_type = known.card_type.or(summary.card_type.take());
    summary.bank = known.bank.or(summary.bank.take());
    summary.commercial = known.commercial.or(summary.commercial.take());
    stored.expiry_month = stored.expiry_month.or(listed.expiry_month);
    stored.expiry_year = stored.expiry_year.or(listed.expiry_year);
}

/// Refuses locally a stored-card charge without CVC when PayTR says the card needs one.
///
/// The neutral request cannot carry `require_cvv`, so it is looked up with `capi/list`
/// (a read) before anything is charged.
async fn check_cvv_rule(client: &Client, request: &ChargeRequest) -> Result<()> {
    let PaymentSource::StoredCard { card, cvc: None } = &request.source else {
        return Ok(());
    };
    let list = cards::list(client, &card.customer_token).await?;
    let stored = list
        .cards
        .iter()
        .find(|c| c.reference.card_token == card.card_token)
        .ok_or_else(|| Error::Provider {
            provider: ProviderId::Paytr,
            kind: odeme_core::RejectionKind::NotFound,
            code: None,
            message: "the stored card is not among the customer's cards (capi/list)".into(),
            http_status: None,
        })?;
    if stored.requires_cvc {
        return Err(Error::invalid(
            "cvc",
            "PayTR requires the CVV to charge this stored card (require_cvv=1)",
        ));
    }
    Ok(())
}

#[async_trait]
impl Charge for PaytrGateway {
    async fn charge(&self, request: &ChargeRequest) -> Result<Payment> {
        if matches!(request.source, PaymentSource::StoredCard { .. }) {
            return self.charge_stored_card(request).await;
        }
        let request = &*program::with_program(&self.client, &self.programs, request).await?;
        let mode = mode_of(request);
        let form = payment_form::build(&self.client, request, mode)?;
        finish(&self.client, request, form, mode).await
    }

    async fn capture(&self, _request: &CaptureRequest) -> Result<Payment> {
        Err(Error::unsupported(
            ProviderId::Paytr,
            Capability::Capture,
            "PayTR's Direct API only sells; there is nothing to capture",
        ))
    }

    async fn cancel(&self, _request: &CancelRequest) -> Result<Payment> {
        Err(Error::unsupported(
            ProviderId::Paytr,
            Capability::Cancel,
            "PayTR's documents offer no cancel (void); refund the payment instead",
        ))
    }
}

#[async_trait]
impl ChargeStoredCard for PaytrGateway {
    async fn charge_stored_card(&self, request: &ChargeRequest) -> Result<Payment> {
        if !matches!(request.source, PaymentSource::StoredCard { .. }) {
            return Err(Error::invalid(
                "source",
                "charge_stored_card needs a stored card",
            ));
        }
        let request = &*program::with_program(&self.client, &self.programs, request).await?;
        let mode = mode_of(request);
        let form = payment_form::build(&self.client, request, mode)?;
        check_cvv_rule(&self.client, request).await?;
        finish(&self.client, request, form, mode).await
    }
}
