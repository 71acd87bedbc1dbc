//! The CLI's error type and the exit code each outcome maps to.

use std::fmt;

use odeme::{Error, ErrorKind};

/// The command did what was asked.
pub const SUCCESS: u8 = 0;
/// Anything not listed below (authentication, the provider refused, transport, a bug).
pub const OTHER: u8 = 1;
/// Invalid input or configuration: nothing was sent to the provider.
pub const INVALID_INPUT: u8 = 2;
/// The payment was declined.
pub const DECLINED: u8 = 3;
/// The request was sent but its outcome is unknown: reconcile with `status`.
pub const UNKNOWN_OUTCOME: u8 = 4;
/// The notification's signature does not match: it is not authentic.
pub const NOT_AUTHENTIC: u8 = 5;
/// The provider (or its adapter) does not support the operation.
pub const UNSUPPORTED: u8 = 6;

/// The exit-code table shown after `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  other error (authentication, rejected by the provider, network, unexpected answer)
  2  invalid input or configuration (nothing was sent)
  3  declined
  4  unknown outcome (sent, no definitive answer): reconcile with `odeme status --order-id`
  5  notification not authentic (signature mismatch)
  6  not supported by this provider";

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad input found by the CLI itself; the text names the flag or source.
    Input(String),
    /// Anything the library reported.
    Odeme(Error),
    /// An unknown outcome, with the `status` lookup that reconciles it (`--order-id X` for
    /// a charge, `--payment-id X` for an operation on an existing payment).
    Unreconciled {
        /// The library's [`Error::UnknownOutcome`].
        error: Error,
        /// The `odeme status` arguments that find the truth.
        lookup: String,
    },
    /// A local file or terminal failure that is not the user's input.
    Local(String),
    /// What the command acts on is not at the provider (a card deleted already); found by
    /// a read, so nothing was changed.
    NotFound(String),
}

impl CliError {
    /// An input error.
    pub fn input(message: impl Into<String>) -> Self {
        CliError::Input(message.into())
    }

    /// The exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) => INVALID_INPUT,
            CliError::Local(_) | CliError::NotFound(_) => OTHER,
            CliError::Unreconciled { .. } => UNKNOWN_OUTCOME,
            CliError::Odeme(e) => match e.kind() {
                ErrorKind::InvalidRequest | ErrorKind::Configuration => INVALID_INPUT,
                ErrorKind::Declined => DECLINED,
                ErrorKind::UnknownOutcome => UNKNOWN_OUTCOME,
                ErrorKind::SignatureMismatch => NOT_AUTHENTIC,
                ErrorKind::Unsupported => UNSUPPORTED,
                _ => OTHER,
            },
        }
    }

    /// A stable name for the failure, used in `--json` output.
    pub fn kind_name(&self) -> String {
        match self {
            CliError::Input(_) => "invalid_request".into(),
            CliError::Local(_) => "local".into(),
            CliError::NotFound(_) => "not_found".into(),
            CliError::Unreconciled { .. } => "unknown_outcome".into(),
            CliError::Odeme(e) => serde_json::to_value(e.kind())
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "other".into()),
        }
    }
}

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        CliError::Odeme(error)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(message) => write!(f, "invalid input: {message}"),
            CliError::Local(message) => f.write_str(message),
            CliError::NotFound(message) => write!(f, "not found: {message}"),
            CliError::Odeme(error) | CliError::Unreconciled { error, .. } => write!(f, "{error}"),
        }
    }
}

/// Attaches the `status` lookup that reconciles an unknown outcome (`--order-id X` after a
/// charge, `--payment-id X` after an operation on an existing payment); other errors pass.
pub fn reconcile_with(query: odeme::StatusQuery) -> impl FnOnce(Error) -> CliError {
    move |error| {
        if !error.is_unknown_outcome() {
            return CliError::Odeme(error);
        }
        let lookup = match query {
            odeme::StatusQuery::OrderId(id) => format!("--order-id {id}"),
            odeme::StatusQuery::PaymentId(id) => format!("--payment-id {id}"),
        };
        CliError::Unreconciled { error, lookup }
    }
}

/// Shorthand for the CLI's results.
pub type CliResult<T> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;
    use odeme::{Decline, DeclineReason, ProviderId};

    #[test]
    fn codes_are_distinct_per_outcome() {
        let cases = [
            (CliError::input("x"), INVALID_INPUT),
            (
                CliError::Odeme(Error::invalid("amount", "bad")),
                INVALID_INPUT,
            ),
            (
                CliError::Odeme(Error::declined(Decline::new(
                    ProviderId::Paytr,
                    DeclineReason::LostCard,
                ))),
                DECLINED,
            ),
            (
                CliError::Odeme(Error::UnknownOutcome {
                    provider: ProviderId::Paytr,
                    operation: "charge".into(),
                    reference: None,
                    reason: "dropped".into(),
                }),
                UNKNOWN_OUTCOME,
            ),
            (
                CliError::Odeme(Error::SignatureMismatch("hash".into())),
                NOT_AUTHENTIC,
            ),
            (CliError::Local("disk".into()), OTHER),
        ];
        for (error, code) in cases {
            assert_eq!(error.exit_code(), code, "{error}");
        }
        let codes: std::collections::BTreeSet<u8> = [
            SUCCESS,
            OTHER,
            INVALID_INPUT,
            DECLINED,
            UNKNOWN_OUTCOME,
            NOT_AUTHENTIC,
            UNSUPPORTED,
        ]
        .into();
        assert_eq!(codes.len(), 7);
    }

    #[test]
    fn help_lists_every_code() {
        for code in [
            SUCCESS,
            OTHER,
            INVALID_INPUT,
            DECLINED,
            UNKNOWN_OUTCOME,
            NOT_AUTHENTIC,
            UNSUPPORTED,
        ] {
            assert!(EXIT_CODES_HELP.contains(&format!("  {code}  ")), "{code}");
        }
    }

    #[test]
    fn kind_names() {
        assert_eq!(
            CliError::Odeme(Error::SignatureMismatch("x".into())).kind_name(),
            "signature_mismatch"
        );
        assert_eq!(CliError::input("x").kind_name(), "invalid_request");
    }
}
