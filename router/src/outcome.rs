//! What a gateway's answer means: for the cascade (may the charge move on?) and, in words,
//! for the route explanation.

use odeme_core::{Error, Payment, PaymentStatus, RejectionKind, Result};

/// What a gateway's error means for the cascade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Declined {
        soft: bool,
    },
    /// Proven not sent or not done: the gateway could not be reached, refused the
    /// credentials or said it is unavailable.
    NotSent,
    /// The adapter refused the request before sending it.
    RefusedBeforeSending,
    /// The provider refused the request; nothing was charged and moving on would not
    /// change the request.
    Refused,
    /// The charge may exist at the gateway.
    Unknown,
}

pub(crate) fn class(error: &Error) -> Class {
    match error {
        Error::Declined(decline) => Class::Declined { soft: decline.soft },
        Error::Transport { .. } | Error::Authentication { .. } | Error::Unavailable(_) => {
            Class::NotSent
        }
        Error::Provider { kind, .. } => match kind {
            RejectionKind::TemporarilyUnavailable => Class::NotSent,
            // The provider already has this order: it may be our own earlier charge.
            RejectionKind::Duplicate => Class::Unknown,
            _ => Class::Refused,
        },
        Error::InvalidRequest { .. } | Error::Unsupported { .. } | Error::Configuration(_) => {
            Class::RefusedBeforeSending
        }
        _ => Class::Unknown,
    }
}

/// What one gateway answered, in words for the route explanation.
pub(crate) fn outcome_text(result: &Result<Payment>) -> String {
    match result {
        Ok(payment) => match payment.status {
            PaymentStatus::Succeeded | PaymentStatus::Authorized => "approved".to_owned(),
            PaymentStatus::RequiresAction => "3-D Secure started".to_owned(),
            other => format!("answered {other:?}").to_lowercase(),
        },
        Err(Error::Declined(d)) => format!(
            "{} decline ({})",
            if d.soft { "soft" } else { "hard" },
            d.reason.code()
        ),
        Err(error) => match class(error) {
            Class::Unknown => format!("unknown outcome ({:?})", error.kind()),
            _ => format!("not charged ({:?})", error.kind()),
        },
    }
}
