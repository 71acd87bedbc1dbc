//! Provider-neutral core of odeme: money, cards, parties, requests and results, normalized
//! statuses and errors, the capability traits and the shared HTTP transport.
//!
//! Adapters (`odeme-paytrek`, `odeme-paytr`, `odeme-craftgate`) implement the traits in
//! [`capability`]; the `odeme` facade re-exports this crate and the adapters.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod answer_text;
pub mod capability;
pub mod card;
pub mod error;
pub mod json;
pub mod money;
pub mod notification;
pub mod party;
pub mod payment;
pub mod provider;
pub mod redact;
pub mod request;
pub mod secret;
pub mod transport;
pub mod validate;

pub use capability::{
    Capabilities, Capability, Charge, ChargeStoredCard, Gateway, GatewayExt, Installments,
    Notifications, PaymentStatusQuery, Recurring, Refund, StoreCard, ThreeDsCompletion,
};
pub use card::{Card, CardAssociation, CardNumber, CardSummary, CardType, Cvc, Expiry};
pub use error::{Decline, DeclineReason, Error, ErrorKind, RejectionKind, Result};
pub use money::{Currency, Money};
pub use notification::{Acknowledgement, InboundRequest, Notification, NotificationKind};
pub use party::{Address, Customer, LineItem, SubMerchantSplit};
pub use payment::{
    BankInstallments, CardList, FormField, InstallmentOption, InstallmentOptions, NextAction,
    Payment, PaymentStatus, PaymentTransaction, Plan, RefundKind, RefundResult, RefundStatus,
    StoredCard, StoredCardRef, Subscription,
};
pub use provider::ProviderId;
pub use request::{
    CancelPlanRequest, CancelRequest, CaptureMode, CaptureRequest, CardOwner, ChargeRequest,
    CompleteThreeDsRequest, DeleteCardRequest, InstallmentQuery, ItemRefund, ListCardsRequest,
    PaymentSource, PlanRequest, RecurringPeriod, RefundRequest, StatusQuery, StoreCardMode,
    StoreCardRequest, ThreeDs,
};
/// The exact decimal type of every amount ([`Money::new`] takes one), re-exported so that
/// callers need no `rust_decimal` dependency of their own.
pub use rust_decimal::Decimal;
pub use secret::Secret;
pub use transport::{
    Endpoints, HttpRequest, HttpResponse, HttpTransport, RequestKind, TransportConfig,
};
