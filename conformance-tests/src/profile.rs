//! What the suite needs to know about one provider: its test cards, which card triggers
//! which decline family, where its simulator takes faults, and how to start the simulator
//! and a gateway pointed at it. Scenarios read profiles; they never name a provider.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use odeme::{Capability, Currency, DeclineReason, Gateway, ProviderId, TransportConfig};
use odeme_sandbox::Simulator;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A card the provider's simulated bank knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    /// The number.
    pub number: &'static str,
    /// The CVC the bank wants.
    pub cvc: &'static str,
}

/// The decline families every provider is checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Not enough balance or limit.
    InsufficientFunds,
    /// The card has expired.
    ExpiredCard,
    /// The security code is wrong.
    InvalidCvc,
    /// The issuer refuses without a reason.
    DoNotHonour,
    /// The card was reported lost or stolen.
    LostOrStolen,
    /// Fraud suspected.
    Fraud,
    /// 3-D Secure authentication failed.
    ThreeDsFailure,
    /// No installments on this card.
    InvalidInstallment,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 8] = [
        Family::InsufficientFunds,
        Family::ExpiredCard,
        Family::InvalidCvc,
        Family::DoNotHonour,
        Family::LostOrStolen,
        Family::Fraud,
        Family::ThreeDsFailure,
        Family::InvalidInstallment,
    ];

    /// The normalized reasons a decline of this family may carry, the same for every
    /// provider. Only lost/stolen has more than one: an issuer that answers "lost or
    /// stolen" as one code cannot say which, and "pick up / block the card" is how issuers
    /// refuse a card reported lost or stolen (ActiveMerchant's standard codes have only
    /// `pickup_card` for the family).
    pub fn reasons(self) -> &'static [DeclineReason] {
        match self {
            Family::InsufficientFunds => &[DeclineReason::InsufficientFunds],
            Family::ExpiredCard => &[DeclineReason::ExpiredCard],
            Family::InvalidCvc => &[DeclineReason::InvalidCvc],
            Family::DoNotHonour => &[DeclineReason::DoNotHonor],
            Family::LostOrStolen => &[
                DeclineReason::LostCard,
                DeclineReason::StolenCard,
                DeclineReason::PickupCard,
            ],
            Family::Fraud => &[DeclineReason::SuspectedFraud],
            Family::ThreeDsFailure => &[DeclineReason::ThreeDsFailed],
            Family::InvalidInstallment => &[DeclineReason::InvalidInstallment],
        }
    }

    /// A short name for the report.
    pub fn label(self) -> &'static str {
        match self {
            Family::InsufficientFunds => "insufficient funds",
            Family::ExpiredCard => "expired card",
            Family::InvalidCvc => "invalid CVC",
            Family::DoNotHonour => "do not honour",
            Family::LostOrStolen => "lost/stolen",
            Family::Fraud => "fraud",
            Family::ThreeDsFailure => "3-D Secure failure",
            Family::InvalidInstallment => "invalid installment",
        }
    }
}

/// How a decline family is produced at one provider's simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclineCase {
    /// The family.
    pub family: Family,
    /// The card that triggers it.
    pub card: TestCard,
    /// Installments to ask for (more than one for the installment family).
    pub installments: u8,
    /// Whether it is produced through 3-D Secure, by failing the bank page.
    pub three_ds_failure: bool,
}

/// Where a notification's signature is, so the suite can forge one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAt {
    /// A form or JSON field of the body.
    Field(&'static str),
    /// An HTTP header.
    Header(&'static str),
}

/// What the provider's notifications look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationSpec {
    /// Fields the signature covers: changing any of them must fail verification.
    pub signed_fields: &'static [&'static str],
    /// Where the signature is.
    pub signature: SignatureAt,
    /// The exact body the provider wants as the answer, when it wants one.
    pub ack_body: Option<&'static str>,
}

/// A running simulator of one provider, with what the suite needs from it beyond
/// [`Simulator`].
pub trait SandboxSim: Send + Sync {
    /// The shared simulator controls (base URL, ledger, faults, request log).
    fn sim(&self) -> &dyn Simulator;
    /// A gateway of the provider's adapter pointed at this simulator.
    fn gateway(&self, transport: TransportConfig) -> odeme::Result<Arc<dyn Gateway>>;
    /// Every secret the gateway is configured with (API secrets, keys, salts).
    fn secrets(&self) -> Vec<String>;
    /// Has the simulator send its server-to-server notifications to `url`; false when it
    /// sends none.
    fn send_notifications_to(&self, url: &str) -> bool;
}

/// Starts a provider's simulator.
pub type StartSim = fn() -> BoxFuture<'static, std::io::Result<Box<dyn SandboxSim>>>;

/// Everything the suite knows about one provider.
pub struct Profile {
    /// Which provider.
    pub provider: ProviderId,
    /// The currency payments are made in.
    pub currency: Currency,
    /// A currency the provider does not take, if any of odeme's currencies is one.
    pub foreign_currency: Option<Currency>,
    /// A card that is approved.
    pub card: TestCard,
    /// Another approved card, different from `card`.
    pub second_card: TestCard,
    /// A card that approves with any CVC, used where the CVC must be distinctive.
    pub any_cvc_card: TestCard,
    /// The BIN to ask installment options for.
    pub installment_bin: &'static str,
    /// Metadata an installment charge needs at this provider (e.g. the card program).
    pub installment_metadata: &'static [(&'static str, &'static str)],
    /// The decline families the simulator can produce, and how.
    pub declines: &'static [DeclineCase],
    /// The path prefix of the request that makes a charge, for fault injection.
    pub charge_path: &'static str,
    /// The path prefix of the request that makes a refund, for fault injection: an
    /// adapter may read the payment (also with a POST, at PayTR) before it refunds.
    pub refund_path: &'static str,
    /// The provider's notifications, when its simulator sends any.
    pub notifications: Option<NotificationSpec>,
    /// Why each capability the adapter does not declare is missing, from the provider's
    /// own documents.
    pub missing_in_docs: &'static [(Capability, &'static str)],
    /// Capabilities the provider's documents offer but the adapter does not, with what the
    /// documents say: an unsupported cell for one of these is a failure, explained.
    pub known_gaps: &'static [(Capability, &'static str)],
    /// Starts the simulator.
    pub start: StartSim,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}
