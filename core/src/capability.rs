//! The capability traits and the gateway handle that routes over them.
//!
//! Each capability is a small object-safe async trait. A [`Gateway`] says which provider it
//! is, declares its [`Capabilities`], and hands out each capability as an optional trait
//! object, so code can route over `Vec<Arc<dyn Gateway>>` without knowing concrete types.

use std::collections::BTreeSet;
use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::notification::{InboundRequest, Notification};
use crate::payment::{CardList, InstallmentOptions, Payment, Plan, RefundResult, StoredCard};
use crate::provider::ProviderId;
use crate::request::{
    CancelPlanRequest, CancelRequest, CaptureRequest, ChargeRequest, CompleteThreeDsRequest,
    DeleteCardRequest, InstallmentQuery, ListCardsRequest, PlanRequest, RefundRequest, StatusQuery,
    StoreCardRequest,
};

/// One thing a gateway may or may not do. Finer than the traits, so that e.g. "stores cards
/// only during a payment" can be said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Capability {
    /// Charge a new card immediately.
    Charge,
    /// Authorize now, capture later.
    PreAuthorize,
    /// Capture an authorization.
    Capture,
    /// Cancel (void) a payment.
    Cancel,
    /// Refund a whole payment.
    Refund,
    /// Refund part of a payment.
    PartialRefund,
    /// Refund one item of a payment directly.
    ItemRefund,
    /// 3-D Secure payments.
    ThreeDSecure,
    /// Store a card during a payment.
    StoreCardOnCharge,
    /// Store a card without a payment.
    StoreCard,
    /// List a customer's stored cards.
    ListCards,
    /// Delete a stored card.
    DeleteCard,
    /// Charge a stored card (customer present).
    ChargeStoredCard,
    /// Merchant-initiated recurring charge on a stored card.
    RecurringCharge,
    /// Provider-side recurring plans.
    RecurringPlans,
    /// Look a payment up by the merchant's order id.
    StatusByOrderId,
    /// Look a payment up by the provider's reference.
    StatusByPaymentId,
    /// Installment options by BIN and amount.
    Installments,
    /// Payment notifications or webhooks verified from the raw request.
    Notifications,
    /// Line items paid out to sub-merchants.
    SubMerchantSplits,
    /// Installment payments (more than one installment).
    InstallmentPayments,
}

impl Capability {
    /// Every capability.
    pub const ALL: &'static [Capability] = &[
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
        Capability::RecurringPlans,
        Capability::StatusByOrderId,
        Capability::StatusByPaymentId,
        Capability::Installments,
        Capability::Notifications,
        Capability::SubMerchantSplits,
        Capability::InstallmentPayments,
    ];
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(self).unwrap_or_default();
        f.write_str(json.trim_matches('"'))
    }
}

/// The set of capabilities a gateway declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities(BTreeSet<Capability>);

impl Capabilities {
    /// A set of capabilities.
    pub fn new(capabilities: &[Capability]) -> Self {
        Self(capabilities.iter().copied().collect())
    }

    /// Whether `capability` is declared.
    pub fn supports(&self, capability: Capability) -> bool {
        self.0.contains(&capability)
    }

    /// The declared capabilities in order.
    pub fn iter(&self) -> impl Iterator<Item = Capability> + '_ {
        self.0.iter().copied()
    }
}

/// Charge a card; pre-authorize, capture and cancel.
#[async_trait]
pub trait Charge: Send + Sync {
    /// Charges or pre-authorizes. Returns a payment (succeeded, authorized, pending or
    /// requiring a 3-D Secure action); a decline is [`Error::Declined`].
    async fn charge(&self, request: &ChargeRequest) -> Result<Payment>;
    /// Captures a pre-authorized payment.
    async fn capture(&self, request: &CaptureRequest) -> Result<Payment>;
    /// Cancels (voids) a payment.
    async fn cancel(&self, request: &CancelRequest) -> Result<Payment>;
}

/// Store, list and delete cards.
#[async_trait]
pub trait StoreCard: Send + Sync {
    /// Stores a card without a payment.
    async fn store_card(&self, request: &StoreCardRequest) -> Result<StoredCard>;
    /// Lists a customer's stored cards.
    async fn list_cards(&self, request: &ListCardsRequest) -> Result<CardList>;
    /// Deletes a stored card.
    async fn delete_card(&self, request: &DeleteCardRequest) -> Result<()>;
}

/// Charge a stored card with the customer present.
#[async_trait]
pub trait ChargeStoredCard: Send + Sync {
    /// Charges the stored card named by the request's [`crate::PaymentSource::StoredCard`].
    async fn charge_stored_card(&self, request: &ChargeRequest) -> Result<Payment>;
}

/// Refund a payment in full or in part.
#[async_trait]
pub trait Refund: Send + Sync {
    /// Refunds; a second partial refund adds to the first.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult>;
}

/// Recurring payments: merchant-initiated charges on a stored card, and provider-side plans
/// where the provider has them.
#[async_trait]
pub trait Recurring: Send + Sync {
    /// A merchant-initiated charge on a stored card (no customer present, no 3-D Secure).
    async fn recurring_charge(&self, request: &ChargeRequest) -> Result<Payment>;
    /// Creates a provider-side plan.
    async fn create_plan(&self, request: &PlanRequest) -> Result<Plan>;
    /// Fetches a plan.
    async fn get_plan(&self, plan_id: &str) -> Result<Plan>;
    /// Cancels subscriptions of a plan.
    async fn cancel_plan(&self, request: &CancelPlanRequest) -> Result<Plan>;
}

/// Look a payment up.
#[async_trait]
pub trait PaymentStatusQuery: Send + Sync {
    /// The payment's current state at the provider. This is how an unknown outcome is
    /// reconciled.
    async fn status(&self, query: &StatusQuery) -> Result<Payment>;
}

/// Finish a 3-D Secure payment after the customer's browser came back.
#[async_trait]
pub trait ThreeDsCompletion: Send + Sync {
    /// Verifies the browser's return and settles the payment.
    async fn complete_three_ds(&self, request: &CompleteThreeDsRequest) -> Result<Payment>;
}

/// Installment choices.
#[async_trait]
pub trait Installments: Send + Sync {
    /// The installment options for a BIN and an amount.
    async fn installments(&self, query: &InstallmentQuery) -> Result<InstallmentOptions>;
}

/// Verify inbound notifications, callbacks and webhooks.
pub trait Notifications: Send + Sync {
    /// Verifies the request's signature (in constant time) and reads it. A bad signature is
    /// [`Error::SignatureMismatch`].
    fn verify_notification(&self, request: &InboundRequest) -> Result<Notification>;
}

/// One provider's gateway: its identity, its declared capabilities and each capability.
pub trait Gateway: Send + Sync {
    /// Which provider.
    fn provider(&self) -> ProviderId;
    /// What it declares it can do.
    fn capabilities(&self) -> Capabilities;
    /// Charging.
    fn charges(&self) -> Option<&dyn Charge> {
        None
    }
    /// Card storage.
    fn cards(&self) -> Option<&dyn StoreCard> {
        None
    }
    /// Stored-card charges.
    fn stored_card_charges(&self) -> Option<&dyn ChargeStoredCard> {
        None
    }
    /// Refunds.
    fn refunds(&self) -> Option<&dyn Refund> {
        None
    }
    /// Recurring payments.
    fn recurring(&self) -> Option<&dyn Recurring> {
        None
    }
    /// Status queries.
    fn status_query(&self) -> Option<&dyn PaymentStatusQuery> {
        None
    }
    /// 3-D Secure completion.
    fn three_ds(&self) -> Option<&dyn ThreeDsCompletion> {
        None
    }
    /// Installment options.
    fn installment_options(&self) -> Option<&dyn Installments> {
        None
    }
    /// Notification verification.
    fn notifications(&self) -> Option<&dyn Notifications> {
        None
    }
}

/// Writes the capability getters of an `impl Gateway` block for a type that implements the
/// capability traits itself, so each adapter does not repeat the same nine `Some(self)`.
///
/// `gateway_getters!()` writes all nine; `gateway_getters!(charges, refunds, ...)` writes
/// only the named ones (the others keep [`Gateway`]'s default, `None`). The names are the
/// [`Gateway`] methods: `charges`, `cards`, `stored_card_charges`, `refunds`, `recurring`,
/// `status_query`, `three_ds`, `installment_options`, `notifications`.
///
/// ```
/// use odeme_core::{
///     Capabilities, Capability, Gateway, InboundRequest, Notification, Notifications,
///     ProviderId, Result,
/// };
///
/// struct Verifier;
///
/// impl Notifications for Verifier {
///     fn verify_notification(&self, _request: &InboundRequest) -> Result<Notification> {
///         unimplemented!("verify the signature, read the body")
///     }
/// }
///
/// impl Gateway for Verifier {
///     fn provider(&self) -> ProviderId {
///         ProviderId::Paytr
///     }
///     fn capabilities(&self) -> Capabilities {
///         Capabilities::new(&[Capability::Notifications])
///     }
///     odeme_core::gateway_getters!(notifications);
/// }
///
/// assert!(Verifier.notifications().is_some());
/// assert!(Verifier.charges().is_none());
/// ```
#[macro_export]
macro_rules! gateway_getters {
    (@getter charges) => {
        fn charges(&self) -> ::core::option::Option<&dyn $crate::Charge> {
            ::core::option::Option::Some(self)
        }
    };
    (@getter cards) => {
        fn cards(&self) -> ::core::option::Option<&dyn $crate::StoreCard> {
            ::core::option::Option::Some(self)
        }
    };
    (@getter stored_card_charges) => {
        fn stored_card_charges(&self) -> ::core::option::Option<&dyn $crate::ChargeStoredCard> {
            ::core::option::Option::Some(self)
        }
    };
    (@getter refunds) => {
        fn refunds(&self) -> ::core::option::Option<&dyn $crate::Refund> {
            ::core::option::Option::Some(self)
        }
    };
    (@getter recurring) => {
        fn recurring(&self) -> ::core::option::Option<&dyn $crate::Recurring> {
            ::core::option::Option::Some(self)
        }
    };
    (@getter status_query) => {
        fn status_query(&self) -> ::core::option::Option<&dyn $crate::PaymentStatusQuery> {
            ::core::option::Option::Some(self)
        }
    };
    (@getter three_ds) => {
        fn three_ds(&self) -> ::core::option::Option<&dyn $crate::ThreeDsCompletion> {
            ::core::option::Option::Some(self)
        }
    };
    (@getter installment_options) => {
        fn installment_options(&self) -> ::core::option::Option<&dyn $crate::Installments> {
            ::core::option::Option::Some(self)
        }
    };
    (@getter notifications) => {
        fn notifications(&self) -> ::core::option::Option<&dyn $crate::Notifications> {
            ::core::option::Option::Some(self)
        }
    };
    () => {
        $crate::gateway_getters!(
            charges,
            cards,
            stored_card_charges,
            refunds,
            recurring,
            status_query,
            three_ds,
            installment_options,
            notifications,
        );
    };
    ($($getter:ident),+ $(,)?) => {
        $($crate::gateway_getters!(@getter $getter);)+
    };
}

/// Accessors that turn a missing capability into [`Error::Unsupported`].
pub trait GatewayExt: Gateway {
    /// Whether the gateway declares `capability`.
    fn supports(&self, capability: Capability) -> bool {
        self.capabilities().supports(capability)
    }
    /// Charging, or `Unsupported`.
    fn require_charges(&self) -> Result<&dyn Charge> {
        self.charges()
            .ok_or_else(|| missing(self.provider(), Capability::Charge))
    }
    /// Card storage, or `Unsupported`.
    fn require_cards(&self) -> Result<&dyn StoreCard> {
        self.cards()
            .ok_or_else(|| missing(self.provider(), Capability::ListCards))
    }
    /// Stored-card charges, or `Unsupported`.
    fn require_stored_card_charges(&self) -> Result<&dyn ChargeStoredCard> {
        self.stored_card_charges()
            .ok_or_else(|| missing(self.provider(), Capability::ChargeStoredCard))
    }
    /// Refunds, or `Unsupported`.
    fn require_refunds(&self) -> Result<&dyn Refund> {
        self.refunds()
            .ok_or_else(|| missing(self.provider(), Capability::Refund))
    }
    /// Recurring payments, or `Unsupported`.
    fn require_recurring(&self) -> Result<&dyn Recurring> {
        self.recurring()
            .ok_or_else(|| missing(self.provider(), Capability::RecurringCharge))
    }
    /// Status queries, or `Unsupported`.
    fn require_status_query(&self) -> Result<&dyn PaymentStatusQuery> {
        self.status_query()
            .ok_or_else(|| missing(self.provider(), Capability::StatusByPaymentId))
    }
    /// 3-D Secure completion, or `Unsupported`.
    fn require_three_ds(&self) -> Result<&dyn ThreeDsCompletion> {
        self.three_ds()
            .ok_or_else(|| missing(self.provider(), Capability::ThreeDSecure))
    }
    /// Installment options, or `Unsupported`.
    fn require_installments(&self) -> Result<&dyn Installments> {
        self.installment_options()
            .ok_or_else(|| missing(self.provider(), Capability::Installments))
    }
    /// Notification verification, or `Unsupported`.
    fn require_notifications(&self) -> Result<&dyn Notifications> {
        self.notifications()
            .ok_or_else(|| missing(self.provider(), Capability::Notifications))
    }
}

impl<G: Gateway + ?Sized> GatewayExt for G {}

fn missing(provider: ProviderId, capability: Capability) -> Error {
    Error::unsupported(provider, capability, "this gateway does not offer it")
}
