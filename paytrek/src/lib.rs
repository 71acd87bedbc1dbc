//! The Paytrek adapter of odeme: Paytrek's v2 card API (HTTP Basic Auth, JSON) behind the
//! provider-neutral traits of [`odeme_core`].
//!
//! ```no_run
//! # async fn demo() -> odeme_core::Result<()> {
//! use odeme_paytrek::{Environment, PaytrekConfig, PaytrekGateway};
//! let config = PaytrekConfig::new("api-key", "secret").with_environment(Environment::Sandbox);
//! let gateway = PaytrekGateway::new(config)?;
//! # let _ = gateway; Ok(()) }
//! ```
//!
//! What it covers: direct charges (sale or pre-authorization, 3-D Secure through
//! `forward_url`), capture, cancel, full and partial refunds, the card vault, charges with a
//! stored card, subscription plans, installment options, status queries by sale token or
//! order id, and the hosted payment page ([`PaytrekGateway::create_hosted_sale`]). Paytrek
//! documents no webhook, so there is no notification verification: a payment is confirmed
//! by reading the sale again.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
/// Entry points for the criterion benches (`benches/`): not part of the API.
#[doc(hidden)]
pub mod bench_hooks;
mod call;
mod cards;
mod charge;
mod client;
mod errors;
mod hosted;
mod installments;
mod map;
mod recurring;
mod refund;
mod sale;
mod settle;
mod status;
mod stored_charge;
mod three_ds;
mod wire;

#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod wire_tests;
#[cfg(test)]
mod write_answer_tests;

use odeme_core::{Capabilities, Capability, Gateway, ProviderId};

pub use client::{Environment, PaytrekConfig, PaytrekGateway};
pub use hosted::{HostedSale, HostedSaleRequest};

/// What the adapter declares. Not offered: item-level refunds and sub-merchant payouts
/// (Paytrek's v2 API has neither) and notifications (Paytrek documents no webhook).
pub const CAPABILITIES: &[Capability] = &[
    Capability::Charge,
    Capability::PreAuthorize,
    Capability::Capture,
    Capability::Cancel,
    Capability::Refund,
    Capability::PartialRefund,
    Capability::ThreeDSecure,
    Capability::StoreCardOnCharge,
    Capability::StoreCard,
    Capability::ListCards,
    Capability::DeleteCard,
    Capability::ChargeStoredCard,
    Capability::RecurringCharge,
    Capability::RecurringPlans,
    Capability::StatusByOrderId,
    Capability::StatusByPaymentId,
    Capability::Installments,
    Capability::InstallmentPayments,
];

impl Gateway for PaytrekGateway {
    fn provider(&self) -> ProviderId {
        ProviderId::Paytrek
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(CAPABILITIES)
    }

    // Every capability trait but `Notifications` is implemented on the gateway itself:
    // Paytrek documents no webhook, so there is nothing to verify.
    odeme_core::gateway_getters!(
        charges,
        cards,
        stored_card_charges,
        refunds,
        recurring,
        status_query,
        three_ds,
        installment_options,
    );
}
