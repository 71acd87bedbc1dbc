//! The card-payments endpoint (`/payment/v1/card-payments`): Craftgate's rules on a charge
//! request, the request body and its items, the calls (create, 3-D init, post-auth) with
//! their idempotency keys, and the reading of a payment answer. Charges, 3-D Secure,
//! refunds and status all build on it, so it imports none of them.

// Item sums of caller-given prices must fail as an invalid request, never panic.
#![deny(clippy::arithmetic_side_effects)]

use std::borrow::Cow;

use odeme_core::json::{DisplayText, TwoDigits};
use odeme_core::{
    validate, CaptureMode, ChargeRequest, Currency, Error, HttpResponse, LineItem, Money, Payment,
    PaymentSource, PaymentStatus, Result, StoreCardMode,
};

use crate::client::{segment, Call};
use crate::convert::{self, Known};
use crate::errors::{self, ErrorContext};
use crate::number::Amount;
use crate::wire::{
    CreatePayment, LineItemWire, NewCard, PaymentCard, PaymentData, PostAuth, StoredCardKeys,
};

/// The currencies of Craftgate's `Currency` enum.
const CURRENCIES: &[Currency] = &[
    Currency::TRY,
    Currency::USD,
    Currency::EUR,
    Currency::GBP,
    Currency::ARS,
    Currency::BRL,
    Currency::CNY,
    Currency::AED,
    Currency::IQD,
    Currency::AZN,
    Currency::KZT,
    Currency::KWD,
    Currency::SAR,
    Currency::BHD,
    Currency::RUB,
    Currency::JPY,
    Currency::EGP,
    Currency::MXN,
    Currency::RON,
];

/// `paymentGroup` of an ordinary sale.
pub(crate) const GROUP_PRODUCT: &str = "PRODUCT";
/// `paymentGroup` of a merchant-initiated recurring charge.
pub(crate) const GROUP_SUBSCRIPTION: &str = "LISTING_OR_SUBSCRIPTION";

/// Craftgate's rules on top of the neutral ones.
pub(crate) fn validate_charge(request: &ChargeRequest) -> Result<()> {
    request.validate()?;
    if !CURRENCIES.contains(&request.amount.currency()) {
        return Err(Error::invalid(
            "amount.currency",
            format!("Craftgate does not take {}", request.amount.currency()),
        ));
    }
    two_decimals("amount", &request.amount)?;
    for (i, item) in request.items.iter().enumerate() {
        validate::in_item(i, two_decimals("unit_price", &item.unit_price))?;
        if let Some(split) = &item.split {
            sub_merchant_id(i, &split.sub_merchant_id)?;
            validate::in_item(i, two_decimals("split.payout", &split.payout))?;
        }
        if let Some(id) = &item.external_id {
            validate::in_item(i, validate::max_chars("external_id", id, 255))?;
        }
    }
    if let PaymentSource::NewCard(card) = &request.source {
        validate::max_chars("card.holder_name", card.holder_name(), 100)?;
    }
    Ok(())
}

/// Craftgate's documents do not say how many decimals an amount may have in a currency
/// with three (KWD, BHD, IQD); the simulator, this project's other reading of them, takes
/// two, so a third decimal is refused here, before anything is sent, in every currency.
/// An amount whose third decimal is zero (`1.230` KWD) has two and is taken.
pub(crate) fn two_decimals(field: &str, amount: &Money) -> Result<()> {
    if amount.amount().normalize().scale() > 2 {
        return Err(Error::invalid(
            field,
            "Craftgate takes at most 2 decimals in every currency",
        ));
    }
    Ok(())
}

/// Craftgate names sub-merchants by their numeric member id.
fn sub_merchant_id(index: usize, id: &str) -> Result<u64> {
    id.trim().parse::<u64>().map_err(|_| {
        Error::invalid(
            format!("items[{index}].split.sub_merchant_id"),
            "must be Craftgate's numeric sub-merchant member id",
        )
    })
}

/// A Craftgate payment id: the number `Payment::id` carries.
pub(crate) fn payment_id(field: &str, id: &str) -> Result<u64> {
    validate::non_empty(field, id)?;
    id.trim()
        .parse::<u64>()
        .map_err(|_| Error::invalid(field, "must be Craftgate's numeric payment id"))
}

/// The `x-idempotency-key` of a charge: the caller's stable key with the endpoint's name,
/// so that a retry carries the same key and the two endpoints never share one.
pub(crate) fn charge_idempotency_key(request: &ChargeRequest, endpoint: &str) -> String {
    let mut key = String::with_capacity(KEY_ROOM);
    request.push_effective_idempotency_key(&mut key);
    key.push(':');
    key.push_str(endpoint);
    key
}

/// Room for a derived key (`odeme-`, an order id of up to 64 characters) and the endpoint's
/// name, so that a key is one allocation.
const KEY_ROOM: usize = 96;

/// A charge key the caller gave is used as it is; one derived from the order id is
/// completed with a digest of the body (see [`crate::client::idempotency_key`]).
fn with_key_rule(call: Call, request: &ChargeRequest) -> Call {
    if request.idempotency_key.is_some() {
        call
    } else {
        call.keyed_per_body()
    }
}

/// The body of `POST /payment/v1/card-payments` (or `3ds-init` with `callback_url`).
/// `items` are always sent: one per line item, or one for the whole amount.
pub(crate) fn create_payment_body<'a>(
    request: &'a ChargeRequest,
    item_names: &'a [LineItemWire<'a>],
    payment_group: &'static str,
    callback_url: Option<&'a str>,
) -> CreatePayment<'a> {
    let price = Amount(request.amount.amount());
    CreatePayment {
        price,
        paid_price: price,
        wallet_price: Amount(Money::zero(request.amount.currency()).amount()),
        installment: request.installments,
        currency: request.amount.currency().code(),
        conversation_id: &request.order_id,
        external_id: &request.order_id,
        payment_group,
        payment_phase: match request.capture {
            CaptureMode::Immediate => "AUTH",
            CaptureMode::PreAuthorize => "PRE_AUTH",
        },
        client_ip: DisplayText(request.customer.ip),
        card: payment_card(request),
        items: item_names,
        callback_url,
    }
}

fn payment_card(request: &ChargeRequest) -> PaymentCard<'_> {
    match &request.source {
        PaymentSource::NewCard(card) => {
            let (store, card_user_key) = match &request.store_card {
                StoreCardMode::No => (false, None),
                StoreCardMode::NewCustomer => (true, None),
                StoreCardMode::ExistingCustomer(key) => (true, Some(key.as_str())),
            };
            PaymentCard::New(NewCard {
                card_holder_name: card.holder_name(),
                card_number: card.number().expose(),
                expire_year: DisplayText(card.expiry().year()),
                expire_month: DisplayText(TwoDigits(card.expiry().month().into())),
                cvc: card.cvc().expose(),
                store_card_after_success_payment: store,
                card_user_key,
            })
        }
        // Craftgate charges a stored card by its two keys alone; a CVC has no field here.
        PaymentSource::StoredCard { card, .. } => PaymentCard::Stored(StoredCardKeys {
            card_user_key: &card.customer_token,
            card_token: &card.card_token,
        }),
    }
}

/// The items to send: the request's lines (their totals, which validation checked add up to
/// the price), or one line for the whole amount when the request has none.
pub(crate) fn line_items(request: &ChargeRequest) -> Result<Vec<LineItemWire<'_>>> {
    if request.items.is_empty() {
        return Ok(vec![LineItemWire {
            name: Cow::Owned(format!("Order {}", request.order_id)),
            price: request.amount,
            external_id: Some(&request.order_id),
            sub_merchant: None,
        }]);
    }
    let mut sum = Money::zero(request.amount.currency());
    let mut out = Vec::with_capacity(request.items.len());
    for (i, item) in request.items.iter().enumerate() {
        let price = line_total(i, item)?;
        sum = sum.checked_add(&price)?;
        let sub_merchant = match &item.split {
            Some(split) => Some((sub_merchant_id(i, &split.sub_merchant_id)?, split.payout)),
            None => None,
        };
        out.push(LineItemWire {
            name: Cow::Borrowed(&item.name),
            price,
            external_id: item.external_id.as_deref(),
            sub_merchant,
        });
    }
    // Craftgate refuses a payment whose item prices do not add up to `price`; say so here.
    if sum != request.amount {
        return Err(Error::invalid(
            "items",
            format!(
                "item prices add up to {sum}, not the price {}",
                request.amount
            ),
        ));
    }
    Ok(out)
}

fn line_total(index: usize, item: &LineItem) -> Result<Money> {
    item.total()
        .map_err(|_| Error::invalid(format!("items[{index}].quantity"), "line total overflows"))
}

/// The call that charges (or pre-authorizes) without 3-D Secure.
pub(crate) fn charge_call(request: &ChargeRequest, payment_group: &'static str) -> Result<Call> {
    let items = line_items(request)?;
    let body = create_payment_body(request, &items, payment_group, None);
    Call::write(
        "/payment/v1/card-payments".into(),
        &body,
        "charge",
        &request.order_id,
        charge_idempotency_key(request, "card-payments"),
    )
    .map(|call| with_key_rule(call, request))
}

/// The call that starts a 3-D Secure payment, returning the customer to `callback_url`.
pub(crate) fn three_ds_init_call(request: &ChargeRequest, callback_url: &str) -> Result<Call> {
    let items = line_items(request)?;
    let body = create_payment_body(request, &items, GROUP_PRODUCT, Some(callback_url));
    Call::write(
        "/payment/v1/card-payments/3ds-init".into(),
        &body,
        "three_ds_init",
        &request.order_id,
        charge_idempotency_key(request, "3ds-init"),
    )
    .map(|call| with_key_rule(call, request))
}

/// The call that captures `amount` of pre-authorized payment `id`.
pub(crate) fn post_auth_call(id: u64, amount: &Money) -> Result<Call> {
    Call::write(
        format!(
            "/payment/v1/card-payments/{}/post-auth",
            segment(&id.to_string())
        ),
        &PostAuth {
            paid_price: Amount(amount.amount()),
        },
        "capture",
        &id.to_string(),
        // A pre-authorization is captured once, so the payment id alone makes the key.
        format!("post-auth:{id}"),
    )
}

/// A payment answer to a charge-like write: the payment, or its decline when it failed.
pub(crate) fn payment_outcome(
    mut data: PaymentData,
    response: &HttpResponse,
    known: &Known<'_>,
    context: &ErrorContext,
) -> Result<Payment> {
    let error = data.payment_error.take();
    let payment = convert::payment(data, known).map_err(|reason| response.unreadable(&reason))?;
    if payment.status == PaymentStatus::Failed {
        let mut context = context.clone();
        context.payment_reference = Some(payment.id.clone());
        let body = error.unwrap_or_default();
        return Err(Error::declined(errors::decline(&body, &context)));
    }
    response.accept_payment(payment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::{DeclineReason, ProviderId, RequestKind};

    fn response() -> HttpResponse {
        HttpResponse {
            provider: ProviderId::Craftgate,
            operation: "charge",
            kind: RequestKind::Write,
            reference: Some("o-1".into()),
            status: 200,
            body: Vec::new(),
        }
    }

    #[test]
    fn a_returned_failed_payment_is_its_payment_error() {
        let json = r#"{"id":12,"price":10,"paidPrice":10,"currency":"TRY","paymentStatus":"FAILURE",
          "paymentError":{"errorCode":"10051","errorDescription":"Kart limiti yetersiz","errorGroup":"NOT_SUFFICIENT_FUNDS"}}"#;
        let data: PaymentData = serde_json::from_str(json).unwrap();
        let err = payment_outcome(
            data,
            &response(),
            &Known::default(),
            &ErrorContext::charge("o-1"),
        )
        .unwrap_err();
        let d = err.decline().unwrap();
        assert_eq!(d.reason, DeclineReason::InsufficientFunds);
        assert_eq!(d.provider_code.as_deref(), Some("10051"));
        assert_eq!(d.payment_reference.as_deref(), Some("12"));
        assert_eq!(d.order_id.as_deref(), Some("o-1"));

        let json =
            r#"{"id":13,"price":10,"paidPrice":10,"currency":"TRY","paymentStatus":"FAILURE"}"#;
        let err = payment_outcome(
            serde_json::from_str(json).unwrap(),
            &response(),
            &Known::default(),
            &ErrorContext::charge("o-1"),
        )
        .unwrap_err();
        assert_eq!(
            err.decline().map(|d| d.reason),
            Some(DeclineReason::Unknown)
        );
    }

    #[test]
    fn an_unreadable_payment_after_a_charge_is_an_unknown_outcome() {
        let data: PaymentData = serde_json::from_str(r#"{"paymentStatus":"SUCCESS"}"#).unwrap();
        let err = payment_outcome(
            data,
            &response(),
            &Known::default(),
            &ErrorContext::charge("o-1"),
        )
        .unwrap_err();
        assert!(err.is_unknown_outcome(), "{err:?}");
    }

    #[test]
    fn sub_merchant_ids_and_payment_ids_are_numbers() {
        assert_eq!(sub_merchant_id(0, " 101 ").unwrap(), 101);
        assert_eq!(
            sub_merchant_id(2, "seller").unwrap_err().invalid_field(),
            Some("items[2].split.sub_merchant_id")
        );
        assert_eq!(
            payment_id("payment_id", "x1").unwrap_err().invalid_field(),
            Some("payment_id")
        );
        assert_eq!(
            payment_id("payment_id", "").unwrap_err().invalid_field(),
            Some("payment_id")
        );
    }
}
