//! The scenarios, each written once against the neutral traits.

mod bad_input;
mod cards;
mod declines;
mod faults;
mod installments;
mod lifecycle;
mod notifications;
pub(crate) mod probe;
mod redaction;
mod three_ds;
mod undocumented;

use odeme::Capability;

use crate::harness::{Check, Env};
use crate::profile::BoxFuture;

/// One scenario: its name, the capabilities it exercises and its body.
#[derive(Clone, Copy)]
pub struct Scenario {
    /// The name in the report.
    pub name: &'static str,
    /// The capabilities it exercises: if it passes, the gateway must declare them all; if
    /// it meets the unsupported error, the gateway must not declare that capability.
    pub needs: &'static [Capability],
    /// The body.
    pub run: for<'a> fn(&'a Env) -> BoxFuture<'a, Check>,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("needs", &self.needs)
            .finish()
    }
}

macro_rules! scenario {
    ($name:expr, [$($cap:ident),*], $body:path) => {{
        fn run(env: &Env) -> BoxFuture<'_, Check> {
            Box::pin($body(env))
        }
        Scenario { name: $name, needs: &[$(Capability::$cap),*], run }
    }};
}

/// Every scenario, in report order.
pub fn all() -> Vec<Scenario> {
    vec![
        scenario!("charge", [Charge], lifecycle::charge),
        scenario!(
            "pre-authorize → capture",
            [Charge, PreAuthorize, Capture],
            lifecycle::pre_authorize_capture
        ),
        scenario!(
            "pre-authorize → cancel",
            [Charge, PreAuthorize, Cancel],
            lifecycle::pre_authorize_cancel
        ),
        scenario!(
            "charge → cancel",
            [Charge, Cancel],
            lifecycle::charge_cancel
        ),
        scenario!(
            "charge → partial refund → refund of the rest",
            [Charge, Refund, PartialRefund],
            lifecycle::partial_then_rest
        ),
        scenario!(
            "charge → multiple partial refunds",
            [Charge, PartialRefund],
            lifecycle::multiple_partials
        ),
        scenario!(
            "over-refund refused",
            [Charge, PartialRefund],
            lifecycle::over_refund
        ),
        scenario!(
            "refund of an unknown payment refused",
            [Refund],
            lifecycle::unknown_refund
        ),
        scenario!(
            "capture of a captured payment refused",
            [Charge, PreAuthorize, Capture],
            lifecycle::double_capture
        ),
        scenario!(
            "store on charge → list → charge stored → delete → charge deleted refused",
            [
                Charge,
                StoreCardOnCharge,
                ListCards,
                ChargeStoredCard,
                DeleteCard
            ],
            cards::stored_card_lifecycle
        ),
        scenario!(
            "second card for the same customer",
            [Charge, StoreCardOnCharge, ListCards],
            cards::second_card
        ),
        scenario!(
            "store a card without a payment",
            [StoreCard, ListCards],
            cards::store_without_payment
        ),
        scenario!(
            "recurring charge on a stored card",
            [Charge, StoreCardOnCharge, RecurringCharge],
            cards::recurring_charge
        ),
        scenario!(
            "provider-side recurring plan",
            [RecurringPlans],
            cards::plan
        ),
        scenario!(
            "3-D Secure: bank page success → completion",
            [Charge, ThreeDSecure],
            three_ds::success
        ),
        scenario!(
            "3-D Secure: bank page failure → completion",
            [Charge, ThreeDSecure],
            three_ds::failure
        ),
        scenario!("installment options", [Installments], installments::options),
        scenario!(
            "installment payment",
            [Charge, InstallmentPayments],
            installments::payment
        ),
        scenario!(
            "notification verified, tampered ones rejected",
            [Notifications],
            notifications::verify
        ),
        scenario!(
            "decline: insufficient funds",
            [Charge],
            declines::insufficient_funds
        ),
        scenario!("decline: expired card", [Charge], declines::expired_card),
        scenario!("decline: invalid CVC", [Charge], declines::invalid_cvc),
        scenario!("decline: do not honour", [Charge], declines::do_not_honour),
        scenario!("decline: lost/stolen", [Charge], declines::lost_or_stolen),
        scenario!("decline: fraud", [Charge], declines::fraud),
        scenario!(
            "decline: 3-D Secure failure",
            [Charge, ThreeDSecure],
            declines::three_ds_failure
        ),
        scenario!(
            "decline: invalid installment",
            [Charge, InstallmentPayments],
            declines::invalid_installment
        ),
        scenario!(
            "bad input: rejected at construction",
            [],
            bad_input::at_construction
        ),
        scenario!(
            "bad input: rejected before the wire",
            [Charge],
            bad_input::at_gateway
        ),
        scenario!(
            "fault: delay beyond the time-out",
            [Charge, StatusByOrderId],
            faults::delay
        ),
        scenario!(
            "fault: connection dropped after processing",
            [Charge, StatusByOrderId],
            faults::dropped
        ),
        scenario!(
            "fault: 5xx HTML before processing",
            [Charge, StatusByOrderId],
            faults::html_before
        ),
        scenario!(
            "fault: 5xx HTML after processing",
            [Charge, StatusByOrderId],
            faults::html_after
        ),
        scenario!(
            "fault: malformed JSON",
            [Charge, StatusByOrderId],
            faults::malformed
        ),
        scenario!(
            "fault: truncated JSON",
            [Charge, StatusByOrderId],
            faults::truncated
        ),
        scenario!(
            "fault: refund answer dropped after processing",
            [Charge, Refund, PartialRefund],
            faults::refund_dropped
        ),
        scenario!(
            "fault: failed reads are safe to retry",
            [Charge, StatusByOrderId],
            faults::reads
        ),
        scenario!(
            "redaction: logs and errors carry no secrets",
            [Charge],
            redaction::no_secrets
        ),
        scenario!(
            "undocumented: charge → unknown status word",
            [Charge, StatusByOrderId],
            undocumented::charge_status
        ),
        scenario!(
            "undocumented: charge → wrong-typed status",
            [Charge, StatusByOrderId],
            undocumented::charge_typed
        ),
        scenario!(
            "undocumented: charge → redirect",
            [Charge, StatusByOrderId],
            undocumented::charge_redirect
        ),
        scenario!(
            "undocumented: capture → unknown status word",
            [Charge, PreAuthorize, Capture],
            undocumented::capture_status
        ),
        scenario!(
            "undocumented: capture → wrong-typed status",
            [Charge, PreAuthorize, Capture],
            undocumented::capture_typed
        ),
        scenario!(
            "undocumented: capture → redirect",
            [Charge, PreAuthorize, Capture],
            undocumented::capture_redirect
        ),
        scenario!(
            "undocumented: cancel → unknown status word",
            [Charge, PreAuthorize, Cancel],
            undocumented::cancel_status
        ),
        scenario!(
            "undocumented: cancel → wrong-typed status",
            [Charge, PreAuthorize, Cancel],
            undocumented::cancel_typed
        ),
        scenario!(
            "undocumented: cancel → redirect",
            [Charge, PreAuthorize, Cancel],
            undocumented::cancel_redirect
        ),
        scenario!(
            "undocumented: refund → unknown status word",
            [Charge, PartialRefund],
            undocumented::refund_status
        ),
        scenario!(
            "undocumented: refund → wrong-typed status",
            [Charge, PartialRefund],
            undocumented::refund_typed
        ),
        scenario!(
            "undocumented: refund → redirect",
            [Charge, PartialRefund],
            undocumented::refund_redirect
        ),
    ]
}
