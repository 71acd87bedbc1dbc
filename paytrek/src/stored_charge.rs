//! Charging a stored card: create a sale, then `charge_with_token` with its token and the
//! card token. Paytrek takes no amount or CVC here; the sale carries the amount.

use std::borrow::Cow;

use async_trait::async_trait;

use odeme_core::{
    CaptureMode, ChargeRequest, ChargeStoredCard, Error, HttpRequest, Payment, PaymentSource,
    PaymentStatus, RejectionKind, RequestKind, Result, ThreeDs,
};

use crate::call::{check_token, read_sale};
use crate::charge::validate_charge;
use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::hosted::create_sale_request;
use crate::sale::{self, SaleParts};
use crate::wire::{self, ChargeWithTokenBody};

/// `POST /api/v2/charge_with_token/`.
pub(crate) fn charge_with_token_request(
    config: &PaytrekConfig,
    sale_token: &str,
    card_token: &str,
) -> Result<HttpRequest> {
    check_token("sale_token", sale_token)?;
    check_token("stored_card.card_token", card_token)?;
    let body = ChargeWithTokenBody {
        sale_token,
        card_token,
    };
    Ok(config
        .request(
            "POST",
            "/api/v2/charge_with_token/",
            "charge",
            RequestKind::Write,
        )
        .body(sale::to_bytes(&body)?)
        .reference(sale_token.to_owned()))
}

impl PaytrekGateway {
    /// Creates the sale and charges the stored card of `request` with it.
    pub(crate) async fn charge_token(&self, request: &ChargeRequest) -> Result<Payment> {
        validate_charge(request, &self.config)?;
        let PaymentSource::StoredCard { card, .. } = &request.source else {
            return Err(Error::invalid("source", "a stored card is needed"));
        };
        check_token("stored_card.card_token", &card.card_token)?;
        let parts = SaleParts::of(request);
        let create = create_sale_request(&self.config, &parts, false, false)?;
        let before = match self.create_sale(create, &parts).await {
            Ok(created) => created,
            Err(
                duplicate @ Error::Provider {
                    kind: RejectionKind::Duplicate,
                    ..
                },
            ) => self.untouched_sale_of(request).await.ok_or(duplicate)?,
            Err(other) => return Err(other),
        };
        let http = charge_with_token_request(&self.config, &before.id, &card.card_token)?;
        let response = self.send(http).await?;
        let answer: wire::Sale = read_sale(&response)?;
        let pre_auth = request.capture == CaptureMode::PreAuthorize;
        self.finish_sale_charge(before, pre_auth, &answer, &response)
            .await
    }
}

impl PaytrekGateway {
    /// The sale a previous attempt at `request` created and never charged, if that is
    /// what holds its order id. A charge whose sale was created but whose
    /// `charge_with_token` could not be sent is safe to retry; without this, the retry
    /// would be refused because the order id is in use (30120).
    async fn untouched_sale_of(&self, request: &ChargeRequest) -> Option<Payment> {
        let found = self.status_by_order(&request.order_id).await.ok()?;
        let flag = |value: &Option<Cow<'_, str>>| value.as_deref() == Some("true");
        let (payment, untouched) = self
            .fetch_payment_with(&found.id, Some(request.amount.currency()), |sale, _| {
                sale.status.as_deref() == Some("Created")
                    && sale.transactions.is_empty()
                    && sale.pre_auth.unwrap_or(false)
                        == (request.capture == CaptureMode::PreAuthorize)
                    && flag(&sale.secure_option)
                        == matches!(request.three_ds, ThreeDs::Required { .. })
            })
            .await
            .ok()?;
        let same = payment.status == PaymentStatus::Pending
            && untouched
            && payment.order_id == request.order_id
            && payment.amount == request.amount
            && payment.installments == request.installments;
        same.then_some(payment)
    }
}

#[async_trait]
impl ChargeStoredCard for PaytrekGateway {
    async fn charge_stored_card(&self, request: &ChargeRequest) -> Result<Payment> {
        if !matches!(request.source, PaymentSource::StoredCard { .. }) {
            return Err(Error::invalid(
                "source",
                "charge_stored_card needs a stored card",
            ));
        }
        self.charge_token(request).await
    }
}
