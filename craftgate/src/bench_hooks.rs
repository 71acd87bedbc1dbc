//! The two steps of a charge that the criterion benches time, without the network: not part
//! of the API (hidden from the documentation), no stability promise.

use odeme_core::{ChargeRequest, HttpRequest, HttpResponse, Payment, Result};

use crate::card_payment::{charge_call, payment_outcome, validate_charge, GROUP_PRODUCT};
use crate::client::{build_attempt, read_data};
use crate::convert::Known;
use crate::errors::ErrorContext;
use crate::wire::PaymentData;
use crate::CraftgateGateway;

/// The signed `card-payments` request of a non-3-D charge, exactly as `charge` sends it
/// (validation, JSON body, a fresh `x-rnd-key`, the signature headers).
pub fn charge_wire_request(
    gateway: &CraftgateGateway,
    request: &ChargeRequest,
) -> Result<HttpRequest> {
    validate_charge(request)?;
    let call = charge_call(request, GROUP_PRODUCT)?;
    Ok(build_attempt(
        &gateway.client.config,
        &call,
        &gateway.client.fresh_key(),
        0,
    ))
}

/// The neutral result of `card-payments`' answer to the charge of `request`.
pub fn read_charge_answer(request: &ChargeRequest, response: &HttpResponse) -> Result<Payment> {
    let context = ErrorContext::charge(&request.order_id);
    let known = Known {
        order_id: Some(&request.order_id),
        currency: Some(request.amount.currency()),
        amount: Some(request.amount),
    };
    let data: PaymentData = read_data(response, &context)?;
    payment_outcome(data, response, &known, &context)
}

/// The checks `charge` makes of a request before building it (the neutral request's own
/// and Craftgate's), alone: the share of the build that is validation.
pub fn check_charge(request: &ChargeRequest) -> Result<()> {
    validate_charge(request)
}
