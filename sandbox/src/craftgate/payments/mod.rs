//! `card-payments`: create (non-3-D), 3-D Secure init and complete, retrieve and post-auth.
//!
//! The handlers are here; request validation is in [`validate`], recording a payment and
//! the bank's authorization in [`authorize`].

// Client amounts are bounded here and every figure derived from them is checked before
// anything is stored; no request may panic a handler. The lint covers the submodules too.
#![deny(clippy::arithmetic_side_effects)]

mod authorize;
mod validate;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

use self::authorize::{authorize, record_payment, resplit};
pub(crate) use self::validate::{positive_amount, validate_card_fields, CURRENCIES};
use self::validate::{validate, CardSource};
use super::errors::{codes, data, ApiError, ApiResult};
use super::state::Status;
use super::test_cards::{self, CardBehaviour};
use super::views::payment_view;
use super::wire::{self, CreatePaymentRequest, PaymentIdRequest, PostAuthRequest};
use super::{bank_page, Shared};
use crate::ledger::{LedgerEntry, LedgerKind};

/// `POST /payment/v1/card-payments`.
pub(crate) async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let req: CreatePaymentRequest = wire::parse(&body)?;
    let validated = validate(&shared, &req, false)?;
    let payment = record_payment(&shared, validated, Status::InitThreeDs, false);
    authorize(&shared, payment.id)
}

/// `InitThreeDSPaymentResponse`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitThreeDsView {
    html_content: String,
    payment_id: u64,
    payment_status: &'static str,
    additional_action: &'static str,
}

/// `POST /payment/v1/card-payments/3ds-init`.
pub(crate) async fn init_three_ds(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let req: CreatePaymentRequest = wire::parse(&body)?;
    let validated = validate(&shared, &req, true)?;
    let init_error = match &validated.source {
        CardSource::New { card, .. } | CardSource::Stored { card, .. } => {
            match test_cards::behaviour(&card.pan.0) {
                CardBehaviour::ThreeDsInitError(d) => Some(d),
                _ => None,
            }
        }
    };
    let payment = record_payment(&shared, validated, Status::InitThreeDs, true);
    if let Some(decline) = init_error {
        if let Some(p) = shared.store().payments.get_mut(&payment.id) {
            p.status = Status::Failure;
            p.error = Some(decline);
        }
        shared.controls.ledger.record(LedgerEntry {
            kind: LedgerKind::Decline,
            reference: payment.id.to_string(),
            order_id: payment.conversation_id.clone(),
            amount: Some(payment.paid_price),
            currency: Some(payment.currency.clone()),
        });
        return Err(ApiError::declined(&decline));
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_else(|| shared.base_url().to_owned());
    let html = bank_page::redirect_html(&host, payment.id);
    Ok(data(InitThreeDsView {
        html_content: STANDARD.encode(html),
        payment_id: payment.id,
        payment_status: Status::InitThreeDs.wire(),
        additional_action: "SHOW_HTML_CONTENT",
    }))
}

/// `POST /payment/v1/card-payments/3ds-complete`.
pub(crate) async fn complete_three_ds(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let req: PaymentIdRequest = wire::parse(&body)?;
    let id = req
        .payment_id
        .ok_or_else(|| ApiError::required("paymentId"))?;
    let payment = shared
        .store()
        .payments
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    if !payment.is_three_ds {
        return Err(ApiError::business(
            codes::PAYMENT_STATE,
            "Ödeme 3D Secure ödemesi değil",
        ));
    }
    match payment.status {
        Status::CallbackThreeDs => authorize(&shared, id),
        Status::InitThreeDs => Err(ApiError::business(
            codes::THREE_DS_NOT_VERIFIED,
            "3D Secure doğrulaması henüz tamamlanmadı",
        )),
        Status::Failure => Err(match payment.error {
            Some(decline) => ApiError::declined(&decline),
            None => ApiError::business(codes::PAYMENT_STATE, "Ödeme başarısız"),
        }),
        Status::Success => Err(ApiError::business(
            codes::PAYMENT_STATE,
            "Ödeme zaten tamamlanmış",
        )),
    }
}

/// A payment id from the path, refused the Craftgate way when it is not a number.
pub(crate) fn path_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>()
        .map_err(|_| ApiError::invalid("id", "bir sayı olmalı"))
}

/// `GET /payment/v1/card-payments/{id}`.
pub(crate) async fn retrieve(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store();
    let payment = store
        .payments
        .get(&id)
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    Ok(data(payment_view(payment)))
}

/// `POST /payment/v1/card-payments/{id}/post-auth`.
pub(crate) async fn post_auth(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let req: PostAuthRequest = wire::parse(&body)?;
    let paid_price = positive_amount(req.paid_price, "paidPrice")?;
    let mut store = shared.store();
    let payment = store
        .payments
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    if payment.status != Status::Success || payment.phase != "PRE_AUTH" || payment.cancelled {
        return Err(ApiError::business(
            codes::PAYMENT_STATE,
            "Ödeme ön provizyon durumunda değil",
        ));
    }
    if paid_price > payment.paid_price {
        return Err(ApiError::business(
            codes::POST_AUTH_AMOUNT,
            "Tahsilat tutarı ön provizyon tutarını aşamaz",
        ));
    }
    resplit(payment, paid_price)?;
    payment.phase = "POST_AUTH".to_owned();
    let view = payment_view(payment);
    let (order_id, currency) = (payment.conversation_id.clone(), payment.currency.clone());
    drop(store);
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::Capture,
        reference: id.to_string(),
        order_id,
        amount: Some(paid_price),
        currency: Some(currency),
    });
    Ok(data(view))
}
