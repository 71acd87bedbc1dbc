//! The one error type: declines, invalid requests, unknown outcomes and the rest, each its
//! own variant so callers can tell them apart without parsing text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::capability::Capability;
use crate::provider::ProviderId;

/// Shorthand for `Result<T, odeme_core::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, by what the caller should do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request is invalid; found before anything was sent. Fix the named field.
    #[error("invalid request: `{field}` {reason}")]
    InvalidRequest {
        /// The offending field, as a dotted path (`card.number`, `items[2].price`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The issuer, the provider's risk engine or 3-D Secure declined the payment.
    #[error("declined: {0}")]
    Declined(Box<Decline>),
    /// The provider refused the credentials or the request's authentication.
    #[error("authentication failed at {provider}: {message}")]
    Authentication {
        /// Which provider.
        provider: ProviderId,
        /// What it said (never the credentials).
        message: String,
    },
    /// The client is configured wrongly (a missing key, an invalid base URL).
    #[error("configuration error: {0}")]
    Configuration(String),
    /// The request was sent but no definitive answer came back. The operation may or may
    /// not have happened: reconcile with a status query, never retry blindly.
    ///
    /// The rule, at every write of every provider (charge, pre-authorization, capture,
    /// cancel, refunds, stored-card and recurring charges, 3-D Secure completion, plan
    /// create/cancel, store and delete card): `Ok` only for the answer forms the provider
    /// documents as success, pending or requires-action (each adapter lists them next to
    /// its mapping tables in `map.rs`); a documented decline or refusal is
    /// [`Error::Declined`] or [`Error::Provider`]; **everything else is this variant**: an
    /// unknown status word, a known field of the wrong type, a redirect, a 2xx that cannot be
    /// read, a 5xx, a time-out after sending, a broken connection. `reason` keeps the HTTP
    /// status and the provider's status text. The shared gate is
    /// [`crate::HttpResponse::accept_payment`]: a written payment whose status maps to
    /// [`crate::PaymentStatus::Unknown`] never comes back as `Ok`. Reads (status queries,
    /// lists) may report `Unknown` as what the provider said.
    #[error(
        "unknown outcome of {operation} at {provider}: {reason}; reconcile with a status query"
    )]
    UnknownOutcome {
        /// Which provider.
        provider: ProviderId,
        /// The operation whose outcome is unknown (`charge`, `refund`, ...).
        operation: String,
        /// What to reconcile with, when known: the merchant's order id for a write that
        /// creates a payment (query with [`crate::StatusQuery::OrderId`]), the provider's
        /// payment reference for a write on an existing payment such as a capture, cancel
        /// or refund ([`crate::StatusQuery::PaymentId`]), the card or plan token for card
        /// and plan operations.
        reference: Option<String>,
        /// What happened.
        reason: String,
    },
    /// The request could not be sent or a read failed: nothing happened at the provider, so
    /// retrying is safe.
    #[error("transport error at {provider} ({operation}): {reason}")]
    Transport {
        /// Which provider.
        provider: ProviderId,
        /// The operation.
        operation: String,
        /// What happened.
        reason: String,
    },
    /// The provider rejected the request for a reason that is not a card decline.
    #[error("{provider} rejected the request ({kind:?}): {message}")]
    Provider {
        /// Which provider.
        provider: ProviderId,
        /// What kind of rejection it is.
        kind: RejectionKind,
        /// The provider's own error code.
        code: Option<String>,
        /// The provider's message.
        message: String,
        /// The HTTP status, when there was one.
        http_status: Option<u16>,
    },
    /// The provider answered something this library cannot read (to a read, or with a
    /// status that leaves no doubt nothing happened).
    #[error("unexpected response from {provider}: HTTP {status}: {body}")]
    UnexpectedResponse {
        /// Which provider.
        provider: ProviderId,
        /// The HTTP status.
        status: u16,
        /// The start of the body, truncated and with anything secret-looking removed.
        body: String,
    },
    /// The provider (or this adapter) does not offer this capability.
    #[error("{provider} does not support {capability}: {detail}")]
    Unsupported {
        /// Which provider.
        provider: ProviderId,
        /// The capability asked for.
        capability: Capability,
        /// Why, or what to do instead.
        detail: String,
    },
    /// Nothing could take the request and **nothing was sent**: every gateway of a router
    /// was ruled out (circuit open, unsupported, refused before sending), or the state a
    /// router needs to guarantee exactly-once charges (its store) could not be reached.
    /// Safe to retry.
    #[error("unavailable, nothing was sent: {0}")]
    Unavailable(String),
    /// A notification, callback or webhook failed signature verification. The expected
    /// value is never included.
    #[error("signature mismatch: {0}")]
    SignatureMismatch(String),
}

impl Error {
    /// An invalid-request error naming `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidRequest {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// An unsupported-capability error.
    pub fn unsupported(
        provider: ProviderId,
        capability: Capability,
        detail: impl Into<String>,
    ) -> Self {
        Error::Unsupported {
            provider,
            capability,
            detail: detail.into(),
        }
    }

    /// A decline error.
    pub fn declined(decline: Decline) -> Self {
        Error::Declined(Box::new(decline))
    }

    /// The field an invalid-request error names.
    pub fn invalid_field(&self) -> Option<&str> {
        match self {
            Error::InvalidRequest { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The decline, if this is one.
    pub fn decline(&self) -> Option<&Decline> {
        match self {
            Error::Declined(d) => Some(d),
            _ => None,
        }
    }

    /// Whether the operation's outcome is unknown and must be reconciled.
    pub fn is_unknown_outcome(&self) -> bool {
        matches!(self, Error::UnknownOutcome { .. })
    }

    /// The broad class of the error, for exit codes, metrics and routing.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidRequest { .. } => ErrorKind::InvalidRequest,
            Error::Declined(_) => ErrorKind::Declined,
            Error::Authentication { .. } => ErrorKind::Authentication,
            Error::Configuration(_) => ErrorKind::Configuration,
            Error::UnknownOutcome { .. } => ErrorKind::UnknownOutcome,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Provider { .. } => ErrorKind::Provider,
            Error::UnexpectedResponse { .. } => ErrorKind::UnexpectedResponse,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::SignatureMismatch(_) => ErrorKind::SignatureMismatch,
            Error::Unavailable(_) => ErrorKind::Unavailable,
        }
    }

    /// Whether sending the same request again (to this or another provider) is safe: true
    /// only when nothing can have happened at the provider.
    pub fn is_safe_to_retry(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Unavailable(_) => true,
            Error::Declined(d) => d.soft,
            _ => false,
        }
    }
}

/// The variant of an [`Error`] without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::InvalidRequest`].
    InvalidRequest,
    /// [`Error::Declined`].
    Declined,
    /// [`Error::Authentication`].
    Authentication,
    /// [`Error::Configuration`].
    Configuration,
    /// [`Error::UnknownOutcome`].
    UnknownOutcome,
    /// [`Error::Transport`].
    Transport,
    /// [`Error::Provider`].
    Provider,
    /// [`Error::UnexpectedResponse`].
    UnexpectedResponse,
    /// [`Error::Unsupported`].
    Unsupported,
    /// [`Error::SignatureMismatch`].
    SignatureMismatch,
    /// [`Error::Unavailable`].
    Unavailable,
}

/// Why a provider rejected a request that is not a card decline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectionKind {
    /// The payment, card or plan does not exist.
    NotFound,
    /// The operation does not fit the object's state (capturing a captured payment,
    /// refunding an unpaid one, a notification not yet acknowledged).
    InvalidState,
    /// A refund or capture larger than what is left.
    AmountExceeded,
    /// The order id (or idempotency key) was already used for another payment.
    Duplicate,
    /// The provider's validation refused a field.
    Validation,
    /// The merchant account is not allowed to do this (permissions, inactive store).
    NotPermitted,
    /// The provider is temporarily unable to do it; try later.
    TemporarilyUnavailable,
    /// Anything else.
    Other,
}

/// A declined payment: the normalized reason, the provider's own words and advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decline {
    /// Which provider declined.
    pub provider: ProviderId,
    /// The normalized reason.
    pub reason: DeclineReason,
    /// The provider's code (`10020`, `NOT_SUFFICIENT_FUNDS`, `0`), when it gave one.
    pub provider_code: Option<String>,
    /// The provider's message for the merchant.
    pub provider_message: Option<String>,
    /// A message that is safe to show the customer.
    pub customer_message: String,
    /// Whether trying again (later, or at another provider) may succeed: a soft decline.
    pub soft: bool,
    /// The provider's reference for the declined attempt, when there is one.
    pub payment_reference: Option<String>,
    /// The merchant's order id.
    pub order_id: Option<String>,
}

impl Decline {
    /// A decline with the reason's default customer message and softness.
    pub fn new(provider: ProviderId, reason: DeclineReason) -> Self {
        Self {
            provider,
            reason,
            provider_code: None,
            provider_message: None,
            customer_message: reason.customer_message().to_owned(),
            soft: reason.is_soft(),
            payment_reference: None,
            order_id: None,
        }
    }

    /// Sets the provider's code and message.
    pub fn with_provider(mut self, code: Option<String>, message: Option<String>) -> Self {
        self.provider_code = code;
        self.provider_message = message;
        self
    }
}

impl fmt::Display for Decline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.reason, self.provider)?;
        if let Some(code) = &self.provider_code {
            write!(f, " (code {code})")?;
        }
        if let Some(message) = &self.provider_message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

macro_rules! decline_reasons {
    ($( $(#[doc = $doc:literal])* $variant:ident => $code:literal, $soft:literal, $customer:literal; )*) => {
        /// Why a payment was declined, normalized across providers.
        ///
        /// Built from ActiveMerchant's `STANDARD_ERROR_CODE`, Hyperswitch's
        /// `StandardisedCode` and Craftgate's `errorGroup`, so that every code in the three
        /// providers' documents has a home.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum DeclineReason {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl DeclineReason {
            /// Every reason.
            pub const ALL: &'static [DeclineReason] = &[$(DeclineReason::$variant),*];

            /// A stable snake_case code (`insufficient_funds`).
            pub fn code(self) -> &'static str {
                match self { $(DeclineReason::$variant => $code,)* }
            }

            /// Whether a retry (later, or elsewhere) may succeed.
            pub fn is_soft(self) -> bool {
                match self { $(DeclineReason::$variant => $soft,)* }
            }

            /// A message safe to show the customer.
            pub fn customer_message(self) -> &'static str {
                match self { $(DeclineReason::$variant => $customer,)* }
            }
        }
    };
}

decline_reasons! {
    /// Not enough balance or credit limit.
    InsufficientFunds => "insufficient_funds", true, "The card has insufficient funds or limit.";
    /// The card has expired.
    ExpiredCard => "expired_card", false, "The card has expired.";
    /// The expiry date did not match the issuer's.
    InvalidExpiryDate => "invalid_expiry_date", false, "Please check the card's expiry date.";
    /// The security code was wrong.
    InvalidCvc => "invalid_cvc", false, "Please check the card's security code.";
    /// The card number is not one the issuer knows.
    InvalidCardNumber => "invalid_card_number", false, "Please check the card number.";
    /// The issuer declined without a reason (do not honour).
    DoNotHonor => "do_not_honor", false, "The bank declined the payment; please contact your bank.";
    /// The card was reported lost.
    LostCard => "lost_card", false, "The card cannot be used; please contact your bank.";
    /// The card was reported stolen.
    StolenCard => "stolen_card", false, "The card cannot be used; please contact your bank.";
    /// The issuer asks to keep the card.
    PickupCard => "pickup_card", false, "The card cannot be used; please contact your bank.";
    /// The card is blocked or restricted.
    RestrictedCard => "restricted_card", false, "The card cannot be used for this payment; please use another card.";
    /// The card may not be used for this kind of transaction (online, foreign, this merchant).
    TransactionNotPermitted => "transaction_not_permitted", false, "This card cannot be used for this payment; please use another card.";
    /// The issuer asks the cardholder to call them (referral).
    CallIssuer => "call_issuer", false, "Please contact your bank to approve the payment.";
    /// The issuer or the provider's risk engine suspects fraud.
    SuspectedFraud => "suspected_fraud", false, "The payment could not be completed; please contact your bank.";
    /// 3-D Secure authentication failed or was not completed.
    ThreeDsFailed => "three_ds_failed", false, "Card verification (3-D Secure) failed.";
    /// The issuer requires 3-D Secure for this payment.
    ThreeDsRequired => "three_ds_required", true, "This payment needs card verification (3-D Secure).";
    /// The customer abandoned the payment or it timed out before completion.
    Abandoned => "abandoned", true, "The payment was not completed in time.";
    /// This card cannot be paid in installments, or not in this many.
    InvalidInstallment => "invalid_installment", false, "Installments are not available for this card.";
    /// The amount is not acceptable to the issuer or provider.
    InvalidAmount => "invalid_amount", false, "The amount cannot be charged to this card.";
    /// The currency is not acceptable for this card or terminal.
    InvalidCurrency => "invalid_currency", false, "The currency cannot be charged to this card.";
    /// The transaction is invalid in the issuer's eyes.
    InvalidTransaction => "invalid_transaction", false, "The bank declined the payment; please contact your bank.";
    /// A withdrawal, velocity or retry limit was exceeded.
    LimitExceeded => "limit_exceeded", true, "A card limit was exceeded; please try later or use another card.";
    /// Too many wrong PIN or CVC attempts.
    TooManyAttempts => "too_many_attempts", false, "Too many attempts; please contact your bank.";
    /// The issuer or the network did not answer, or was unavailable.
    IssuerUnavailable => "issuer_unavailable", true, "The bank could not be reached; please try again.";
    /// The payment duplicates an earlier one (order id already used).
    DuplicateTransaction => "duplicate_transaction", false, "This payment was already made.";
    /// The merchant's terminal or account is misconfigured or not permitted.
    MerchantConfiguration => "merchant_configuration", true, "The payment could not be completed; please contact the seller.";
    /// The transaction is restricted by law or sanctions.
    RestrictedByLaw => "restricted_by_law", false, "This payment is not permitted.";
    /// A processing or system error at the provider or bank.
    ProcessingError => "processing_error", true, "An unexpected error occurred; please try again later.";
    /// A generic decline with no more detail.
    Declined => "declined", false, "The card was declined.";
    /// The provider gave a reason this library does not recognise.
    Unknown => "unknown", false, "The payment could not be completed.";
}

impl fmt::Display for DeclineReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for r in DeclineReason::ALL {
            assert!(seen.insert(r.code()), "duplicate {}", r.code());
            assert!(r
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.code()));
        }
    }

    #[test]
    fn soft_and_hard() {
        assert!(DeclineReason::InsufficientFunds.is_soft());
        assert!(!DeclineReason::StolenCard.is_soft());
        let e = Error::declined(Decline::new(
            ProviderId::Paytr,
            DeclineReason::IssuerUnavailable,
        ));
        assert!(e.is_safe_to_retry());
        assert_eq!(e.kind(), ErrorKind::Declined);
    }
}
