//! The PayTR adapter of odeme: the Direct API (`/odeme`), card storage (CAPI), refunds,
//! the status query and the payment-result notification.
//!
//! ```no_run
//! # async fn demo() -> odeme_core::Result<()> {
//! use odeme_paytr::{PaytrConfig, PaytrGateway};
//! let gateway = PaytrGateway::new(
//!     PaytrConfig::new("100001", "merchant-key", "merchant-salt")
//!         .with_return_urls("https://shop.example/ok", "https://shop.example/fail"),
//! )?;
//! # let _ = gateway; Ok(()) }
//! ```
//!
//! How PayTR maps onto the neutral API:
//! - [`odeme_core::Payment::id`] is the merchant's order id (`merchant_oid`): refunds and
//!   status queries are by order id.
//! - A non-3D charge is sent with `sync_mode=1` and answered at once: succeeded, pending
//!   (`wait_callback`) or a decline. A 3-D Secure charge sends nothing: it returns a
//!   requires-action payment whose [`odeme_core::NextAction::PostForm`] the merchant
//!   renders for the customer's browser to post to PayTR. The result arrives as the
//!   notification ([`odeme_core::Notifications`]) or by status query.
//! - PayTR has no pre-authorization, capture or cancel, stores cards only during a payment,
//!   and has no provider-side recurring plans: these return [`odeme_core::Error::Unsupported`].
//! - PayTR requires `merchant_ok_url`/`merchant_fail_url`, the customer's phone and address
//!   on every payment: set [`PaytrConfig::with_return_urls`] for non-3D charges, and give
//!   [`odeme_core::Customer::phone`] and [`odeme_core::ChargeRequest::billing`].
//! - Installments need PayTR's card program: put it in the request's metadata under
//!   [`CARD_TYPE_METADATA`] (`bonus`, `world`, ...). [`PaytrGateway::bin_lookup`] gives it
//!   ([`BinDetail::brand`]), and [`odeme_core::Installments`] lists what each count costs
//!   from the store's rates.
//! - Charging a stored card without a CVC first lists the customer's cards (`capi/list`)
//!   and refuses locally when PayTR says the card needs its CVV (`require_cvv=1`). A
//!   recurring charge never sends the CVV: it is Non3D and asks nothing of the customer.
//! - Every refund first reads the payment (status query) and is sent with a `reference_no`:
//!   the caller's [`odeme_core::RefundRequest::reference`], else a generated one, returned
//!   in [`odeme_core::RefundResult::reference`] and found in the status query's refunds.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Entry points for the criterion benches (`benches/`): not part of the API.
#[doc(hidden)]
pub mod bench_hooks;
mod bin_lookup;
mod cards;
mod charge;
mod client;
mod installments;
mod map;
mod notification;
mod payment_form;
mod program;
mod recurring;
mod refund;
mod sign;
mod status;
mod three_ds;
mod totals;
mod validate;
mod wire;

#[cfg(test)]
mod snapshot_tests;

use std::sync::Arc;

use odeme_core::{Capabilities, Capability, Gateway, ProviderId, Result};

pub use bin_lookup::BinDetail;
pub use client::{Environment, Language, PaytrConfig, TestNotifications};
pub use validate::CARD_TYPE_METADATA;

/// What the PayTR adapter does.
const CAPABILITIES: &[Capability] = &[
    Capability::Charge,
    Capability::ThreeDSecure,
    Capability::InstallmentPayments,
    Capability::Installments,
    Capability::StoreCardOnCharge,
    Capability::ListCards,
    Capability::DeleteCard,
    Capability::ChargeStoredCard,
    Capability::RecurringCharge,
    Capability::Refund,
    Capability::PartialRefund,
    Capability::StatusByOrderId,
    Capability::StatusByPaymentId,
    Capability::Notifications,
];

/// A PayTR gateway. Cheap to clone; clones share the HTTP connection pool.
#[derive(Debug, Clone)]
pub struct PaytrGateway {
    pub(crate) client: Arc<client::Client>,
    /// The installment programs of the BINs seen, shared by clones.
    pub(crate) programs: Arc<program::ProgramCache>,
}

impl PaytrGateway {
    /// A gateway for the store in `config`.
    pub fn new(config: PaytrConfig) -> Result<Self> {
        Ok(Self {
            client: Arc::new(client::Client::new(config)?),
            programs: Arc::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &PaytrConfig {
        &self.client.config
    }
}

impl Gateway for PaytrGateway {
    fn provider(&self) -> ProviderId {
        ProviderId::Paytr
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
    fn declared_capabilities() {
        let gw = PaytrGateway::new(PaytrConfig::new("100001", "k", "s")).unwrap();
        let caps = gw.capabilities();
        for missing in [
            Capability::PreAuthorize,
            Capability::Capture,
            Capability::Cancel,
            Capability::StoreCard,
            Capability::RecurringPlans,
            Capability::ItemRefund,
            Capability::SubMerchantSplits,
        ] {
            assert!(!caps.supports(missing), "{missing}");
        }
        assert!(caps.supports(Capability::StoreCardOnCharge));
        assert!(caps.supports(Capability::Installments));
        assert!(gw.installment_options().is_some());
        assert!(gw.charges().is_some() && gw.notifications().is_some());
    }
}
