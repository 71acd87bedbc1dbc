//! The two steps of a charge that the criterion benches time, without the network: not part
//! of the API (hidden from the documentation), no stability promise.

use odeme_core::{ChargeRequest, HttpRequest, HttpResponse, Payment, Result};

use crate::charge::{direct_charge_request, read_charge_answer as read, validate_charge};
use crate::client::PaytrekConfig;

/// The `direct_charge` request of a new-card charge, exactly as `charge` sends it
/// (validation, JSON body, Basic Auth).
pub fn charge_wire_request(config: &PaytrekConfig, request: &ChargeRequest) -> Result<HttpRequest> {
    validate_charge(request, config)?;
    direct_charge_request(config, request)
}

/// The neutral result of `direct_charge`'s answer to the charge of `request`.
pub fn read_charge_answer(request: &ChargeRequest, response: &HttpResponse) -> Result<Payment> {
    read(
        response,
        Some(request.amount.currency()),
        Some(&request.order_id),
    )
}

/// The checks `charge` makes of a request before building it (the neutral request's own
/// and Paytrek's), alone: the share of the build that is validation.
pub fn check_charge(config: &PaytrekConfig, request: &ChargeRequest) -> Result<()> {
    validate_charge(request, config)
}
