//! The Craftgate adapter of odeme: card payments through Craftgate's signed JSON API.
//!
//! ```no_run
//! # async fn demo() -> odeme_core::Result<()> {
//! use odeme_craftgate::{CraftgateConfig, CraftgateGateway, Environment};
//! let config = CraftgateConfig::new("api-key", "secret-key")
//!     .with_environment(Environment::Sandbox)
//!     .with_three_ds_callback_key("callback-key")
//!     .with_webhook_key("webhook-key");
//! let gateway = CraftgateGateway::new(config)?;
//! # let _ = gateway; Ok(()) }
//! ```
//!
//! What it does, and how it maps Craftgate onto the neutral API:
//!
//! - Every request carries `x-api-key`, a fresh `x-rnd-key`, `x-auth-version: v1` and
//!   `x-signature` = Base64(SHA-256(decoded URL with query + API key + secret key + random
//!   key + the exact body bytes)). Every write carries an `x-idempotency-key` derived from
//!   the caller's stable key (the order id, the refund reference, the payment id), so a
//!   request retried after an unknown outcome is the same request. A charge key derived from
//!   the order id (no [`odeme_core::ChargeRequest::idempotency_key`]) also carries a keyed
//!   digest of the body, so that an order declined on one card can be paid with another.
//!   Craftgate replays declines too, so once a key got a definitive refusal the next attempt
//!   in this process carries `{key}:2` (then `:3`, ...); across processes, pass a new
//!   idempotency key per attempt after a refusal.
//! - Amounts have at most 2 decimals in every currency (KWD, BHD and IQD included); a third
//!   is refused before the wire.
//! - A charge sends the order id as `conversationId` and `externalId`, and the line items
//!   (with sub-merchant splits) as `items`, one item for the whole amount when there are
//!   none. The answer's `paymentTransactions` with their payouts are
//!   [`odeme_core::Payment::transactions`].
//! - 3-D Secure starts with `3ds-init` and answers [`odeme_core::PaymentStatus::RequiresAction`]
//!   with the bank's HTML (or a redirect URL); [`odeme_core::ThreeDsCompletion`] verifies the
//!   browser's callback `hash` and calls `3ds-complete`.
//! - [`odeme_core::Notifications`] verifies both webhooks (HMAC-SHA256 with the webhook key,
//!   in the header [`CraftgateConfig::with_webhook_signature_header`] names) and 3-D
//!   callbacks; [`CraftgateGateway::verify_three_ds_callback`] verifies a callback alone.
//! - A partial refund of an amount becomes item refunds by one rule: the items in the order
//!   they were sent, each up to what is left of it. What is left of each item
//!   ([`odeme_core::PaymentTransaction::refunded`]) is Craftgate's own figure (`refundablePrice`
//!   of the payment's transactions report), so item and amount refunds mix freely. With a
//!   [`odeme_core::RefundRequest::reference`], the refunds already made under it are found and
//!   reused, so a retry completes the same refund; without one, each call is a new refund
//!   and an unknown outcome must be reconciled (status query) before refunding again.
//! - Payout fields never make a payment unreadable: an odd one is `None`, its raw text kept
//!   in [`odeme_core::Payment::references`].
//! - A cancel is a whole-payment refund (`POST /payment/v1/refunds`), which Craftgate makes a
//!   `CANCEL` on the payment's day before any partial refund and a `REFUND` otherwise; a
//!   pre-authorization is always released by a cancel. Craftgate reports a cancelled payment
//!   as `SUCCESS` and `FULLY_REFUNDED`, like a refunded one, so a status query of a fully
//!   refunded payment reads the `refundType` of its whole-payment refunds: a `CANCEL` (or a
//!   released pre-authorization) is [`odeme_core::PaymentStatus::Cancelled`], anything else
//!   [`odeme_core::PaymentStatus::Refunded`].
//! - Craftgate has no provider-side recurring plans: [`odeme_core::Recurring::recurring_charge`]
//!   charges a stored card, and the plan methods are [`odeme_core::Error::Unsupported`].
//! - A payment is found by order id through the reporting search by `conversationId`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Entry points for the criterion benches (`benches/`): not part of the API.
#[doc(hidden)]
pub mod bench_hooks;
mod cancelled;
mod card_payment;
mod cards;
mod charge;
mod client;
mod convert;
mod errors;
mod installments;
mod map;
mod notification;
mod number;
mod recurring;
mod refund;
mod sign;
mod status;
mod three_ds;
mod wire;

#[cfg(test)]
mod snapshots;
#[cfg(test)]
mod write_answer_tests;

use std::fmt;

use odeme_core::{
    Capabilities, Capability, CardSummary, Gateway, InboundRequest, Notification, ProviderId,
    Result,
};

pub use client::{CraftgateConfig, Environment, DEFAULT_WEBHOOK_SIGNATURE_HEADER};
pub use sign::ThreeDsCallbackFields;
pub use three_ds::ThreeDsCallback;

use client::Client;

/// What the Craftgate adapter does; everything else is [`odeme_core::Error::Unsupported`].
const CAPABILITIES: &[Capability] = &[
    Capability::Charge,
    Capability::PreAuthorize,
    Capability::Capture,
    Capability::Cancel,
    Capability::Refund,
    Capability::PartialRefund,
    Capability::ItemRefund,
    Capability::ThreeDSecure,
    Capability::StoreCardOnCharge,
    Capability::StoreCard,
    Capability::ListCards,
    Capability::DeleteCard,
    Capability::ChargeStoredCard,
    Capability::RecurringCharge,
    Capability::StatusByOrderId,
    Capability::StatusByPaymentId,
    Capability::Installments,
    Capability::Notifications,
    Capability::SubMerchantSplits,
    Capability::InstallmentPayments,
];

/// A Craftgate gateway. Cheap to clone: clones share one configuration and connection pool.
#[derive(Clone)]
pub struct CraftgateGateway {
    client: Client,
}

impl fmt::Debug for CraftgateGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CraftgateGateway")
            .field("config", &self.client.config)
            .finish()
    }
}

impl CraftgateGateway {
    /// A gateway for `config`; fails on a configuration that cannot work (empty keys, an
    /// invalid base URL).
    pub fn new(config: CraftgateConfig) -> Result<Self> {
        Ok(Self {
            client: Client::new(config)?,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &CraftgateConfig {
        &self.client.config
    }

    /// What Craftgate knows about a card's first 6 to 8 digits: scheme, type, program brand
    /// and bank (`GET /installment/v1/bins/{bin}`).
    pub async fn bin_lookup(&self, bin: &str) -> Result<CardSummary> {
        installments::bin_lookup(&self.client, bin).await
    }

    /// Verifies a 3-D Secure browser callback (form POST or query) with the 3-D callback
    /// key, in constant time. [`Notifications::verify_notification`] accepts callbacks too;
    /// this method returns the signed fields themselves.
    ///
    /// [`Notifications::verify_notification`]: odeme_core::Notifications::verify_notification
    pub fn verify_three_ds_callback(&self, request: &InboundRequest) -> Result<ThreeDsCallback> {
        three_ds::verify_callback(self.client.config.three_ds_callback_key(), request)
    }

    /// Verifies a webhook (JSON body, signature header) with the webhook key.
    pub fn verify_webhook(&self, request: &InboundRequest) -> Result<Notification> {
        notification::verify_webhook(self, request)
    }
}

impl Gateway for CraftgateGateway {
    fn provider(&self) -> ProviderId {
        ProviderId::Craftgate
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(CAPABILITIES)
    }

    // Every capability trait is implemented on the gateway itself.
    odeme_core::gateway_getters!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declares_everything_but_provider_plans() {
        let gateway = CraftgateGateway::new(CraftgateConfig::new("k", "s")).unwrap();
        let caps = gateway.capabilities();
        for c in Capability::ALL {
            assert_eq!(caps.supports(*c), *c != Capability::RecurringPlans, "{c}");
        }
        fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<CraftgateGateway>();
    }
}
