//! Paytrek's sale statuses and error codes mapped to the normalized ones, as tables, and
//! the answer forms documented for each write.
//!
//! # Documented answer forms per write (issue 16)
//!
//! The one place these are written down. A write's answer is `Ok` only in a form listed
//! here as success, pending or requires-action; a listed refusal stays the decline or
//! rejection it is; every other form (a status word not in [`DOCUMENTED_STATUSES`], a
//! field of [`TEXT_FIELDS`] or `succeeded` of another JSON type, a 3xx or 5xx, a 2xx
//! body that cannot be read) is an unknown outcome keeping the provider's text and HTTP
//! status, because the write may have been carried out.
//!
//! | Write | Ok | Refusal |
//! |---|---|---|
//! | charge / preauth with a new card (`direct_charge`), plan creation (`subscription_plan`) | 2xx sale: non-empty `forward_url` (requires action); `status` (or `financial_status` when `status` is missing) `Created` (pending), `Paid`/`Ready to Send` (succeeded), `Authorized`/`PreAuthorized` (authorized) | 2xx `succeeded: false` without `forward_url`, or `status: Declined` (decline); 4xx |
//! | charge of a created sale (`charge`), stored-card and recurring charge (`charge_with_token`) | 2xx short answer: non-empty `forward_url` (requires action); `succeeded: true`, with the sale read back charged, pending or unreadable; `status`, when present, a documented word | 2xx `succeeded: false`, or no `succeeded` with the sale read back `Declined` (decline); 4xx |
//! | sale creation (`sale`, hosted page and before a stored-card charge) | 2xx sale with a documented `status` (`Created`) | 4xx |
//! | capture, cancel, refund | 2xx `succeeded: true` (`amount`, `total_refunded_amount` optional); the sale read back with a known status | 2xx `succeeded: false` with `error_code` / `error_message` / `paytrek_error`; 4xx |
//! | 3-D Secure completion (the sale read back) | a documented `status` | `Declined`, or `Created` with a failed transaction (decline); 4xx |
//! | plan cancel (`PUT subscription_plan`) | 2xx plan with a `plan_token`, each subscription's `status` one of [`SUBSCRIPTION_STATUSES`] | 4xx |
//! | store card (`POST vault`) | 2xx card with a `card_token` | 4xx |
//! | delete card (`DELETE vault/<token>`) | 204 (any 2xx) | 4xx |
//!
//! A 4xx is read by `errors::refusal`: DRF's `detail` and field messages,
//! `error_code`/`error_message`, `error`, or raw text.

use rust_decimal::Decimal;

use odeme_core::{DeclineReason, PaymentStatus, RejectionKind};

/// The sale statuses the Paytrek document names. `Paid`, `Ready to Send`, `Authorized` and
/// `PreAuthorized` are its "successfully charged" set.
pub(crate) const DOCUMENTED_STATUSES: &[(&str, PaymentStatus)] = &[
    ("Created", PaymentStatus::Pending),
    ("Paid", PaymentStatus::Succeeded),
    ("Ready to Send", PaymentStatus::Succeeded),
    // Refined by the sale's `pre_auth` flag in `sale_status`.
    ("Authorized", PaymentStatus::Authorized),
    ("PreAuthorized", PaymentStatus::Authorized),
    // Not in the document itself: third-party integration code checks for it after 3-D
    // Secure. It says the money was not taken, so reading it costs nothing if it is wrong.
    ("Declined", PaymentStatus::Failed),
];

/// Spellings no public source documents but that only say the money was not taken or was
/// returned; the refunded total (a documented field) must agree before a refund state is
/// believed. Anything else is `Unknown`.
pub(crate) const UNDOCUMENTED_STATUSES: &[(&str, PaymentStatus)] = &[
    ("Cancelled", PaymentStatus::Cancelled),
    ("Canceled", PaymentStatus::Cancelled),
    ("Refunded", PaymentStatus::Refunded),
    ("Partially Refunded", PaymentStatus::PartiallyRefunded),
    ("Failed", PaymentStatus::Failed),
    ("Rejected", PaymentStatus::Failed),
];

/// The answer fields whose documented form is text: after a write, any other JSON type
/// in one of them is an unknown outcome, not a default or a refusal.
pub(crate) const TEXT_FIELDS: &[&str] =
    &["status", "financial_status", "forward_url", "sale_token"];

/// The subscription statuses of a plan answer Paytrek's examples show.
pub(crate) const SUBSCRIPTION_STATUSES: &[&str] = &["Active", "Cancelled", "Canceled"];

/// Whether `text` is one of the sale statuses the document names.
pub(crate) fn documented_sale_status(text: &str) -> bool {
    lookup(DOCUMENTED_STATUSES, text).is_some()
}

/// Whether `a` and `b` are the same word once case and everything but ASCII letters and
/// digits are left out (`Ready to Send` = `ready_to_send`). Compared as it goes: a status
/// is looked up in a table of a dozen on every answer, and building the two keys as
/// strings cost two allocations per entry.
fn same_key(a: &str, b: &str) -> bool {
    fn letters(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase())
    }
    letters(a).eq(letters(b))
}

fn lookup(table: &[(&str, PaymentStatus)], text: &str) -> Option<PaymentStatus> {
    table
        .iter()
        .find(|(name, _)| same_key(name, text))
        .map(|(_, status)| *status)
}

/// The normalized status of a sale.
///
/// `status` decides; `financial_status` is read only when `status` is missing (the
/// document shows `"Ready to Send"` in both places). A paid sale with a refunded total is
/// partially refunded or refunded by the amounts. An unknown text is `Unknown`, never paid.
pub(crate) fn sale_status(
    status: Option<&str>,
    financial_status: Option<&str>,
    pre_auth: Option<bool>,
    amount: Option<Decimal>,
    refunded: Option<Decimal>,
) -> PaymentStatus {
    let text = status.filter(|s| !s.trim().is_empty()).or(financial_status);
    let Some(text) = text else {
        return PaymentStatus::Unknown;
    };
    let base = lookup(DOCUMENTED_STATUSES, text).or_else(|| lookup(UNDOCUMENTED_STATUSES, text));
    let refunded = refunded.unwrap_or_default();
    match base {
        // `Authorized` sits in the "charged" set next to `PreAuthorized`; only a sale that
        // was not a pre-authorization is read as captured.
        Some(PaymentStatus::Authorized)
            if same_key(text, "authorized") && pre_auth == Some(false) =>
        {
            PaymentStatus::Succeeded
        }
        Some(PaymentStatus::Succeeded) if refunded > Decimal::ZERO => match amount {
            Some(amount) if refunded >= amount => PaymentStatus::Refunded,
            _ => PaymentStatus::PartiallyRefunded,
        },
        Some(PaymentStatus::PartiallyRefunded) => match amount {
            Some(amount) if refunded > Decimal::ZERO && refunded < amount => {
                PaymentStatus::PartiallyRefunded
            }
            Some(amount) if refunded >= amount && refunded > Decimal::ZERO => {
                PaymentStatus::Refunded
            }
            _ => PaymentStatus::Unknown,
        },
        Some(PaymentStatus::Refunded) => match amount {
            Some(amount) if refunded > Decimal::ZERO && refunded < amount => {
                PaymentStatus::PartiallyRefunded
            }
            _ => PaymentStatus::Refunded,
        },
        Some(status) => status,
        None => PaymentStatus::Unknown,
    }
}

/// One row of the document's error-code table with its normalized readings: the decline
/// reason when a payment fails with it, and the rejection kind when a capture, cancel,
/// refund or other request is refused with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ErrorCode {
    pub code: &'static str,
    /// The merchant message ("Üye İşyeri Mesajı").
    pub merchant_message: &'static str,
    /// The customer message ("Müşteri Mesajı"); `-` where the document has none.
    pub customer_message: &'static str,
    pub reason: DeclineReason,
    pub rejection: RejectionKind,
}

const fn row(
    code: &'static str,
    merchant_message: &'static str,
    customer_message: &'static str,
    reason: DeclineReason,
    rejection: RejectionKind,
) -> ErrorCode {
    ErrorCode {
        code,
        merchant_message,
        customer_message,
        reason,
        rejection,
    }
}

const SELLER: &str = "An unexpected error has occurred, please contact the seller.";
const BANK: &str = "Transaction has been denied, please contact your bank.";
const CHECK_CARD: &str = "Transaction has been denied, please check your card information.";
const TERMINATED: &str =
    "Your transaction has been terminated, please check your card information.";
const NO_3D: &str =
    "We cannot proceed with your transaction, unable to perform 3D Secure Authentication.";
const LATER: &str =
    "We cannot complete your transaction at the moment, please contact the the seller.";

use DeclineReason as D;
use RejectionKind as R;

/// The document's "Hata Kodları" table, in its order.
pub(crate) const ERROR_CODES: &[ErrorCode] = &[
    row(
        "30001",
        "Invalid Business Member",
        SELLER,
        D::MerchantConfiguration,
        R::NotPermitted,
    ),
    row(
        "10004",
        "Transaction has been denied / General Rejection",
        "Transaction has been denied, please contact your bank",
        D::DoNotHonor,
        R::Other,
    ),
    row(
        "10006",
        "ID Control / Honor With Id",
        BANK,
        D::CallIssuer,
        R::Other,
    ),
    row(
        "30003",
        "Invalid Amount",
        SELLER,
        D::InvalidAmount,
        R::Validation,
    ),
    row(
        "10009",
        "Invalid Account / Card Number",
        TERMINATED,
        D::InvalidCardNumber,
        R::Validation,
    ),
    row(
        "10020",
        "Insufficient Limit",
        "Transaction has been denied, please check your card limit.",
        D::InsufficientFunds,
        R::Other,
    ),
    row(
        "10023",
        "Card has Expired",
        CHECK_CARD,
        D::ExpiredCard,
        R::Validation,
    ),
    row(
        "10026",
        "The transaction has not been cleared to the cardholder",
        BANK,
        D::TransactionNotPermitted,
        R::NotPermitted,
    ),
    row(
        "10029",
        "Security Breach",
        BANK,
        D::SuspectedFraud,
        R::NotPermitted,
    ),
    row(
        "30009",
        "Incompatible data received",
        SELLER,
        D::ProcessingError,
        R::Validation,
    ),
    row(
        "30011",
        "Encryption Error",
        SELLER,
        D::ProcessingError,
        R::Other,
    ),
    row(
        "10033",
        "Wrong / Invalid Cvv",
        CHECK_CARD,
        D::InvalidCvc,
        R::Validation,
    ),
    row(
        "30013",
        "Authentication Error",
        SELLER,
        D::MerchantConfiguration,
        R::NotPermitted,
    ),
    row(
        "10038",
        "Rejection - Invalid Card",
        "The transaction has been denied, please proceed with another card.",
        D::RestrictedCard,
        R::Other,
    ),
    row(
        "30015",
        "Double Transaction Transfer",
        "-",
        D::DuplicateTransaction,
        R::Duplicate,
    ),
    row(
        "30016",
        "Daily Count Error/ Cancellation has been rejected",
        "-",
        D::LimitExceeded,
        R::InvalidState,
    ),
    row(
        "20015",
        "System Error",
        SELLER,
        D::ProcessingError,
        R::TemporarilyUnavailable,
    ),
    row(
        "20017",
        "Connection Error",
        SELLER,
        D::IssuerUnavailable,
        R::TemporarilyUnavailable,
    ),
    row(
        "30033",
        "Incorrect Extra Point Parameter",
        SELLER,
        D::InvalidTransaction,
        R::Validation,
    ),
    row(
        "30037",
        "Invalid Installment",
        SELLER,
        D::InvalidInstallment,
        R::Validation,
    ),
    row(
        "30041",
        "Invalid Pos",
        SELLER,
        D::MerchantConfiguration,
        R::NotPermitted,
    ),
    row(
        "30050",
        "End of the Day Transactions must be Completed",
        SELLER,
        D::ProcessingError,
        R::TemporarilyUnavailable,
    ),
    row(
        "30053",
        "Invalid Currency",
        SELLER,
        D::InvalidCurrency,
        R::Validation,
    ),
    row(
        "30090",
        "Invalid Repeating Payment Duration",
        "-",
        D::InvalidTransaction,
        R::Validation,
    ),
    row(
        "10046",
        "The Request can be Fraud, Ip of cardholder did not clear the check",
        BANK,
        D::SuspectedFraud,
        R::NotPermitted,
    ),
    row(
        "30119",
        "Invalid Order Number.",
        LATER,
        D::InvalidTransaction,
        R::Validation,
    ),
    row(
        "30120",
        "Order Number is in Use",
        LATER,
        D::DuplicateTransaction,
        R::Duplicate,
    ),
    row(
        "10049",
        "Maximum Retry Count Exceeded",
        "Maximum retry count exceeded, Please try again later.",
        D::LimitExceeded,
        R::TemporarilyUnavailable,
    ),
    row(
        "99999",
        "Card Declined",
        "Card Declined",
        D::Declined,
        R::Other,
    ),
    row(
        "10050",
        "FR-Rejected",
        SELLER,
        D::SuspectedFraud,
        R::NotPermitted,
    ),
    row(
        "40000",
        "Unable to Authenticate",
        "We cannot proceed with your transaction, unable to verify cardholder.",
        D::ThreeDsFailed,
        R::Other,
    ),
    row(
        "40004",
        "Cardholder not Participating",
        NO_3D,
        D::ThreeDsFailed,
        R::Other,
    ),
    row(
        "40005",
        "Directory Server not Responding",
        NO_3D,
        D::ThreeDsFailed,
        R::Other,
    ),
    row(
        "40006",
        "Authentication Failure",
        NO_3D,
        D::ThreeDsFailed,
        R::Other,
    ),
    row(
        "40007",
        "3D Secure System Error",
        NO_3D,
        D::ThreeDsFailed,
        R::Other,
    ),
    row(
        "10001",
        "Please call your bank for authorization",
        BANK,
        D::CallIssuer,
        R::Other,
    ),
    row("10003", "Block The Card", BANK, D::PickupCard, R::Other),
    row(
        "30002",
        "Invalid Transaction",
        SELLER,
        D::InvalidTransaction,
        R::InvalidState,
    ),
    row(
        "10010",
        "Unidentified Issuer Bank",
        TERMINATED,
        D::InvalidCardNumber,
        R::Validation,
    ),
    row(
        "30005",
        "Cancellation could not be completed / The original could not be found",
        "-",
        D::InvalidTransaction,
        // Answered to a cancel of a sale that exists but cannot be cancelled (again); a
        // sale that does not exist is a 404.
        R::InvalidState,
    ),
    row(
        "10016",
        "Too Many Pin Entry Attempts, Block the Card",
        BANK,
        D::TooManyAttempts,
        R::Other,
    ),
    row(
        "10032",
        "Invalid Date",
        CHECK_CARD,
        D::InvalidExpiryDate,
        R::Validation,
    ),
    row(
        "30118",
        "The Request is not included in the Group's Allowed Day/Hour Setting",
        LATER,
        D::TransactionNotPermitted,
        R::NotPermitted,
    ),
    row(
        "30128",
        "Vpos Lock Control Failure",
        LATER,
        D::ProcessingError,
        R::TemporarilyUnavailable,
    ),
    row(
        "UNKNOWN_ERROR",
        "Unknown Error",
        "An unexpected error has occurred, please try again later",
        D::ProcessingError,
        R::Other,
    ),
    row(
        "9000",
        "Preauth Transaction Cannot Void",
        "Preauth Transaction Cannot Void",
        D::InvalidTransaction,
        R::InvalidState,
    ),
    row(
        "9001",
        "3D Fields Do Not Match",
        "3D Fields Do Not Match",
        D::ThreeDsFailed,
        R::Validation,
    ),
    row(
        "40002",
        "Cardholder or Issuer Bank not Enrolled in 3D Secure System",
        NO_3D,
        D::ThreeDsFailed,
        R::Other,
    ),
];

/// The table row of `code`.
pub(crate) fn error_code(code: &str) -> Option<&'static ErrorCode> {
    let code = code.trim();
    ERROR_CODES
        .iter()
        .find(|row| row.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    /// Every code of the document's error table, as printed there.
    const DOCUMENTED_CODES: [&str; 48] = [
        "30001",
        "10004",
        "10006",
        "30003",
        "10009",
        "10020",
        "10023",
        "10026",
        "10029",
        "30009",
        "30011",
        "10033",
        "30013",
        "10038",
        "30015",
        "30016",
        "20015",
        "20017",
        "30033",
        "30037",
        "30041",
        "30050",
        "30053",
        "30090",
        "10046",
        "30119",
        "30120",
        "10049",
        "99999",
        "10050",
        "40000",
        "40004",
        "40005",
        "40006",
        "40007",
        "10001",
        "10003",
        "30002",
        "10010",
        "30005",
        "10016",
        "10032",
        "30118",
        "30128",
        "UNKNOWN_ERROR",
        "9000",
        "9001",
        "40002",
    ];
    #[test]
    fn every_documented_code_is_mapped_once() {
        for code in DOCUMENTED_CODES {
            assert!(error_code(code).is_some(), "{code} is not mapped");
        }
        assert_eq!(ERROR_CODES.len(), DOCUMENTED_CODES.len());
        for (i, a) in ERROR_CODES.iter().enumerate() {
            assert!(
                ERROR_CODES[i + 1..].iter().all(|b| b.code != a.code),
                "{} twice",
                a.code
            );
        }
    }
    #[test]
    fn refused_cancels_are_a_state_problem() {
        assert_eq!(
            error_code("30005").unwrap().rejection,
            RejectionKind::InvalidState
        );
        assert_eq!(
            error_code("9000").unwrap().rejection,
            RejectionKind::InvalidState
        );
    }
    #[test]
    fn status_table() {
        let s = |status: &str| {
            sale_status(
                Some(status),
                None,
                Some(false),
                Some(dec!(24)),
                Some(dec!(0)),
            )
        };
        assert_eq!(s("Created"), PaymentStatus::Pending);
        assert_eq!(s("Paid"), PaymentStatus::Succeeded);
        assert_eq!(s("Ready to Send"), PaymentStatus::Succeeded);
        assert_eq!(s("PreAuthorized"), PaymentStatus::Authorized);
        assert_eq!(s("Authorized"), PaymentStatus::Succeeded);
        assert_eq!(
            sale_status(Some("Authorized"), None, Some(true), Some(dec!(24)), None),
            PaymentStatus::Authorized
        );
        assert_eq!(
            sale_status(Some("Authorized"), None, None, None, None),
            PaymentStatus::Authorized
        );
        assert_eq!(s("Declined"), PaymentStatus::Failed);
        assert_eq!(s("Cancelled"), PaymentStatus::Cancelled);
        assert_eq!(s("Something New"), PaymentStatus::Unknown);
        assert_eq!(
            s("Succeeded"),
            PaymentStatus::Unknown,
            "never guessed as paid"
        );
        assert_eq!(
            sale_status(None, Some("Ready to Send"), None, None, None),
            PaymentStatus::Succeeded
        );
        assert_eq!(
            sale_status(None, None, None, None, None),
            PaymentStatus::Unknown
        );
        assert_eq!(
            sale_status(Some("Weird"), Some("Ready to Send"), None, None, None),
            PaymentStatus::Unknown,
            "an unknown status is not overruled into a success"
        );
    }
    #[test]
    fn refunded_totals_refine_paid_sales() {
        let r = |status: &str, refunded| {
            sale_status(
                Some(status),
                None,
                Some(false),
                Some(dec!(50)),
                Some(refunded),
            )
        };
        assert_eq!(r("Paid", dec!(9.70)), PaymentStatus::PartiallyRefunded);
        assert_eq!(r("Paid", dec!(50)), PaymentStatus::Refunded);
        assert_eq!(
            r("Partially Refunded", dec!(9.70)),
            PaymentStatus::PartiallyRefunded
        );
        assert_eq!(r("Partially Refunded", dec!(0)), PaymentStatus::Unknown);
        assert_eq!(r("Refunded", dec!(50)), PaymentStatus::Refunded);
        assert_eq!(r("Refunded", dec!(10)), PaymentStatus::PartiallyRefunded);
    }
}
