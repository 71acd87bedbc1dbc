//! The two steps of a charge that the criterion benches time, without the network: not part
//! of the API (hidden from the documentation), no stability promise.

use odeme_core::{ChargeRequest, HttpRequest, HttpResponse, Payment, Result};

use crate::payment_form::{self, Mode};
use crate::validate;
use crate::{charge, PaytrGateway};

/// The signed `/odeme` request of a non-3-D charge, exactly as `charge` sends it
/// (validation, `paytr_token`, form encoding); an installment charge's program lookup is
/// not part of it.
pub fn charge_wire_request(gateway: &PaytrGateway, request: &ChargeRequest) -> Result<HttpRequest> {
    let form = payment_form::build(&gateway.client, request, Mode::Sync)?;
    Ok(charge::http_request(
        &gateway.client,
        &form,
        &request.order_id,
        "charge",
    ))
}

/// The neutral result of `/odeme`'s answer to the charge of `request`.
pub fn read_charge_answer(
    gateway: &PaytrGateway,
    request: &ChargeRequest,
    response: &HttpResponse,
) -> Result<Payment> {
    payment_form::read_answer(&gateway.client, request, response, false)
}

/// The checks `charge` makes of a request before building it (the neutral request's own
/// and PayTR's), alone: the share of the build that is validation.
pub fn check_charge(request: &ChargeRequest) -> Result<()> {
    validate::charge(request).map(|_| ())
}
