//! Craftgate's statuses and error groups to the normalized ones, as tables.

use odeme_core::{
    CardAssociation, CardType, DeclineReason, PaymentStatus, RefundKind, RefundStatus,
    RejectionKind,
};

/// Every `errorGroup` in the provider notes (§4) and in the longer list of
/// `shared/reference/anchors.md` §2.6, with its normalized decline reason.
pub(crate) const ERROR_GROUPS: &[(&str, DeclineReason)] = &[
    ("NOT_SUFFICIENT_FUNDS", DeclineReason::InsufficientFunds),
    ("DO_NOT_HONOUR", DeclineReason::DoNotHonor),
    ("INVALID_TRANSACTION", DeclineReason::InvalidTransaction),
    (
        "NOT_PERMITTED_TO_CARDHOLDER",
        DeclineReason::TransactionNotPermitted,
    ),
    ("STOLEN_CARD", DeclineReason::StolenCard),
    ("LOST_CARD", DeclineReason::LostCard),
    ("PICKUP_CARD", DeclineReason::PickupCard),
    ("EXPIRED_CARD", DeclineReason::ExpiredCard),
    ("INVALID_CVC2", DeclineReason::InvalidCvc),
    ("CARD_NOT_PERMITTED", DeclineReason::RestrictedCard),
    ("DECLINED", DeclineReason::Declined),
    (
        "NOT_PERMITTED_TO_TERMINAL",
        DeclineReason::TransactionNotPermitted,
    ),
    ("FRAUD_SUSPECT", DeclineReason::SuspectedFraud),
    ("RESTRICTED_BY_LAW", DeclineReason::RestrictedByLaw),
    // An error that carries "approved or completed" leaves nothing to retry: treating it as
    // a hard decline keeps a router from charging the card again elsewhere.
    ("APPROVED_COMPLETED", DeclineReason::Declined),
    ("UNKNOWN", DeclineReason::Unknown),
    (
        "AMEX_CAN_USE_ONLY_MR",
        DeclineReason::TransactionNotPermitted,
    ),
    ("APM_ERROR", DeclineReason::ProcessingError),
    ("BIN_NOT_FOUND", DeclineReason::InvalidCardNumber),
    ("BLOCKED_CARD", DeclineReason::RestrictedCard),
    (
        "COMMUNICATION_OR_SYSTEM_ERROR",
        DeclineReason::ProcessingError,
    ),
    ("CVC2_MAX_ATTEMPT", DeclineReason::TooManyAttempts),
    ("CVC_REQUIRED", DeclineReason::InvalidCvc),
    (
        "DEBIT_CARDS_INSTALLMENT_NOT_ALLOWED",
        DeclineReason::InvalidInstallment,
    ),
    ("DEBIT_CARDS_REQUIRES_3DS", DeclineReason::ThreeDsRequired),
    (
        "EXCEEDS_ALLOWABLE_PIN_TRIES",
        DeclineReason::TooManyAttempts,
    ),
    (
        "EXCEEDS_WITHDRAWAL_AMOUNT_LIMIT",
        DeclineReason::LimitExceeded,
    ),
    ("FRAUD_CHECK_BLOCK", DeclineReason::SuspectedFraud),
    ("INVALID_AMOUNT", DeclineReason::InvalidAmount),
    ("INVALID_CARD_NUMBER", DeclineReason::InvalidCardNumber),
    ("INVALID_CARD_TYPE", DeclineReason::TransactionNotPermitted),
    ("INVALID_CAVV", DeclineReason::ThreeDsFailed),
    ("INVALID_CHARS_IN_EMAIL", DeclineReason::InvalidTransaction),
    ("INVALID_CVC2_LENGTH", DeclineReason::InvalidCvc),
    ("INVALID_ECI", DeclineReason::ThreeDsFailed),
    (
        "INVALID_EXPIRE_YEAR_MONTH",
        DeclineReason::InvalidExpiryDate,
    ),
    ("INVALID_IP", DeclineReason::InvalidTransaction),
    (
        "INVALID_MERCHANT_OR_SP",
        DeclineReason::MerchantConfiguration,
    ),
    ("INVALID_PIN", DeclineReason::InvalidTransaction),
    (
        "ISSUER_OR_SWITCH_INOPERATIVE",
        DeclineReason::IssuerUnavailable,
    ),
    (
        "MAY_HAVE_ALREADY_REFUNDED",
        DeclineReason::DuplicateTransaction,
    ),
    (
        "NOT_PERMITTED_TO_FOREIGN_CARD",
        DeclineReason::TransactionNotPermitted,
    ),
    (
        "NOT_PERMITTED_TO_INSTALLMENT",
        DeclineReason::InvalidInstallment,
    ),
    ("NOT_SUFFICIENT_AWARD", DeclineReason::InsufficientFunds),
    ("NO_RESPONSE", DeclineReason::IssuerUnavailable),
    ("NO_SUCH_ISSUER", DeclineReason::InvalidCardNumber),
    ("ORDER_ID_ALREADY_USED", DeclineReason::DuplicateTransaction),
    (
        "POS_BALANCE_NOT_SUFFICIENT",
        DeclineReason::MerchantConfiguration,
    ),
    ("REFER_TO_CARD_ISSUER", DeclineReason::CallIssuer),
    ("REQUEST_BLOCKED_BY_BANK", DeclineReason::DoNotHonor),
    ("REQUEST_TIMEOUT", DeclineReason::IssuerUnavailable),
    ("REQUIRES_DAY_END", DeclineReason::MerchantConfiguration),
    ("RESTRICTED_CARD", DeclineReason::RestrictedCard),
    ("SALES_AMOUNT_LESS_THAN_AWARD", DeclineReason::InvalidAmount),
    ("THREEDS_INIT_ERROR", DeclineReason::ThreeDsFailed),
];

/// The decline reason of an `errorGroup`; a group not in the table is `Unknown` (the
/// provider's code and text are kept with the decline).
pub(crate) fn decline_reason(group: &str) -> DeclineReason {
    let group = group.trim();
    ERROR_GROUPS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(group))
        .map(|(_, reason)| *reason)
        .unwrap_or(DeclineReason::Unknown)
}

/// `PaymentStatus` values, with what each means here. A `SUCCESS` in phase `PRE_AUTH` is
/// an authorization (see [`payment_status`]).
pub(crate) const PAYMENT_STATUSES: &[(&str, PaymentStatus)] = &[
    ("SUCCESS", PaymentStatus::Succeeded),
    ("FAILURE", PaymentStatus::Failed),
    ("INIT_THREEDS", PaymentStatus::RequiresAction),
    // The bank has called back; the merchant's `3ds-complete` is what finishes it.
    ("CALLBACK_THREEDS", PaymentStatus::Pending),
    ("WAITING", PaymentStatus::Pending),
];

/// The normalized status of a payment; an unknown status is `Unknown`, never a success.
pub(crate) fn payment_status(status: Option<&str>, phase: Option<&str>) -> PaymentStatus {
    let Some(status) = status else {
        return PaymentStatus::Unknown;
    };
    let mapped = PAYMENT_STATUSES
        .iter()
        .find(|(name, _)| *name == status.trim())
        .map(|(_, s)| *s)
        .unwrap_or(PaymentStatus::Unknown);
    if mapped == PaymentStatus::Succeeded && phase.map(str::trim) == Some("PRE_AUTH") {
        PaymentStatus::Authorized
    } else {
        mapped
    }
}

/// `PaymentRefundStatus` of the reporting endpoints, applied to a paid payment.
pub(crate) const PAYMENT_REFUND_STATUSES: &[(&str, Option<PaymentStatus>)] = &[
    ("NO_REFUND", None),
    ("NOT_REFUNDED", None),
    ("PARTIAL_REFUNDED", Some(PaymentStatus::PartiallyRefunded)),
    ("FULLY_REFUNDED", Some(PaymentStatus::Refunded)),
];

/// The status a paid payment has after its refunds, when the refund status says.
pub(crate) fn refunded_status(refund_status: &str) -> Option<PaymentStatus> {
    PAYMENT_REFUND_STATUSES
        .iter()
        .find(|(name, _)| *name == refund_status.trim())
        .and_then(|(_, s)| *s)
}

/// `RefundStatus` values.
pub(crate) const REFUND_STATUSES: &[(&str, RefundStatus)] = &[
    ("SUCCESS", RefundStatus::Succeeded),
    ("WAITING", RefundStatus::Pending),
    ("FAILURE", RefundStatus::Failed),
];

/// The documented refund status `status` stands for; `None` for any other word or no
/// word, which after a write is an unknown outcome (issue 16), never a guess.
pub(crate) fn documented_refund_status(status: Option<&str>) -> Option<RefundStatus> {
    let status = status?.trim();
    REFUND_STATUSES
        .iter()
        .find(|(name, _)| *name == status)
        .map(|(_, s)| *s)
}

/// The documented answer forms of every Craftgate write (issue 16). Anything else a
/// write is answered with (an unknown status word, a known field of the wrong type, a
/// redirect, a 2xx body that cannot be read, 5xx, a timeout) is an unknown outcome
/// carrying the provider's text and HTTP status; reads may still report `Unknown`.
///
/// | write | success / pending / requires action | documented refusal |
/// |---|---|---|
/// | charge, pre-authorization, stored-card charge, post-auth capture, 3-D complete | `data.paymentStatus` in [`PAYMENT_STATUSES`] other than `FAILURE` | `paymentStatus: FAILURE` (decline), or an `errors` body (decline / rejection) |
/// | 3-D init | `data.paymentStatus` absent or in [`PAYMENT_STATUSES`], with `htmlContent` or `redirectUrl` | `paymentStatus: FAILURE`, or an `errors` body |
/// | cancel, refund whole / partial / per item | `data.status` `SUCCESS` or `WAITING` | `data.status` `FAILURE`, or an `errors` body |
/// | store card, delete card | a `data` body with the card token (store) or an empty 2xx (delete) | an `errors` body |
///
/// The normalized refund status; an unknown one is `Pending` (not final, never a success).
pub(crate) fn refund_status(status: Option<&str>) -> RefundStatus {
    status
        .and_then(|s| REFUND_STATUSES.iter().find(|(name, _)| *name == s.trim()))
        .map(|(_, s)| *s)
        .unwrap_or(RefundStatus::Pending)
}

/// `RefundType` values.
pub(crate) const REFUND_TYPES: &[(&str, RefundKind)] = &[
    ("CANCEL", RefundKind::Cancel),
    ("REFUND", RefundKind::Refund),
];

/// Whether a whole-payment refund became a cancel or a refund.
pub(crate) fn refund_kind(refund_type: Option<&str>) -> RefundKind {
    refund_type
        .and_then(|t| REFUND_TYPES.iter().find(|(name, _)| *name == t.trim()))
        .map(|(_, k)| *k)
        .unwrap_or(RefundKind::Unspecified)
}

/// `CardAssociation` values.
pub(crate) const CARD_ASSOCIATIONS: &[(&str, CardAssociation)] = &[
    ("VISA", CardAssociation::Visa),
    ("MASTER_CARD", CardAssociation::MasterCard),
    ("AMEX", CardAssociation::Amex),
    ("TROY", CardAssociation::Troy),
    ("JCB", CardAssociation::Jcb),
    ("UNION_PAY", CardAssociation::UnionPay),
    ("MAESTRO", CardAssociation::Maestro),
    ("DISCOVER", CardAssociation::Discover),
    ("DINERS_CLUB", CardAssociation::DinersClub),
];

/// The card scheme of a `cardAssociation`.
pub(crate) fn card_association(text: &str) -> Option<CardAssociation> {
    CARD_ASSOCIATIONS
        .iter()
        .find(|(name, _)| *name == text.trim())
        .map(|(_, a)| *a)
}

/// `CardType` values.
pub(crate) const CARD_TYPES: &[(&str, CardType)] = &[
    ("CREDIT_CARD", CardType::Credit),
    ("DEBIT_CARD", CardType::Debit),
    ("PREPAID_CARD", CardType::Prepaid),
];

/// The card type of a `cardType`.
pub(crate) fn card_type(text: &str) -> Option<CardType> {
    CARD_TYPES
        .iter()
        .find(|(name, _)| *name == text.trim())
        .map(|(_, t)| *t)
}

/// What a refusal that is not a decline is, by HTTP status. Craftgate publishes no table of
/// its validation codes (below 10000), so the status carries the meaning: 400 is a field
/// the API refused, 404 an unknown payment or card, 422 a business rule on the object's
/// state (refunding a failed payment, capturing twice).
pub(crate) const REJECTIONS_BY_STATUS: &[(u16, RejectionKind)] = &[
    (400, RejectionKind::Validation),
    (403, RejectionKind::NotPermitted),
    (404, RejectionKind::NotFound),
    (409, RejectionKind::Duplicate),
    (422, RejectionKind::InvalidState),
    (429, RejectionKind::TemporarilyUnavailable),
];

/// The rejection kind of an HTTP status.
pub(crate) fn rejection_kind(status: u16) -> RejectionKind {
    REJECTIONS_BY_STATUS
        .iter()
        .find(|(s, _)| *s == status)
        .map(|(_, k)| *k)
        .unwrap_or(RejectionKind::Other)
}

/// Whether an error code is a payment (bank) error: Craftgate's codes from 10000 up are;
/// lower ones are validation errors.
pub(crate) fn is_payment_error_code(code: &str) -> bool {
    code.trim().parse::<u64>().is_ok_and(|c| c >= 10000)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The groups of the notes' §4 list and of anchors.md §2.6, spelled as on the wire.
    const DOCUMENTED_GROUPS: &[&str] = &[
        "NOT_SUFFICIENT_FUNDS",
        "DO_NOT_HONOUR",
        "INVALID_TRANSACTION",
        "NOT_PERMITTED_TO_CARDHOLDER",
        "STOLEN_CARD",
        "LOST_CARD",
        "PICKUP_CARD",
        "EXPIRED_CARD",
        "INVALID_CVC2",
        "CARD_NOT_PERMITTED",
        "DECLINED",
        "NOT_PERMITTED_TO_TERMINAL",
        "FRAUD_SUSPECT",
        "RESTRICTED_BY_LAW",
        "APPROVED_COMPLETED",
        "UNKNOWN",
        "AMEX_CAN_USE_ONLY_MR",
        "APM_ERROR",
        "APPROVED_COMPLETED",
        "BIN_NOT_FOUND",
        "BLOCKED_CARD",
        "CARD_NOT_PERMITTED",
        "COMMUNICATION_OR_SYSTEM_ERROR",
        "CVC2_MAX_ATTEMPT",
        "CVC_REQUIRED",
        "DEBIT_CARDS_INSTALLMENT_NOT_ALLOWED",
        "DEBIT_CARDS_REQUIRES_3DS",
        "DECLINED",
        "DO_NOT_HONOUR",
        "EXCEEDS_ALLOWABLE_PIN_TRIES",
        "EXCEEDS_WITHDRAWAL_AMOUNT_LIMIT",
        "EXPIRED_CARD",
        "FRAUD_CHECK_BLOCK",
        "FRAUD_SUSPECT",
        "INVALID_AMOUNT",
        "INVALID_CARD_NUMBER",
        "INVALID_CARD_TYPE",
        "INVALID_CAVV",
        "INVALID_CHARS_IN_EMAIL",
        "INVALID_CVC2_LENGTH",
        "INVALID_CVC2",
        "INVALID_ECI",
        "INVALID_EXPIRE_YEAR_MONTH",
        "INVALID_IP",
        "INVALID_MERCHANT_OR_SP",
        "INVALID_PIN",
        "INVALID_TRANSACTION",
        "ISSUER_OR_SWITCH_INOPERATIVE",
        "LOST_CARD",
        "MAY_HAVE_ALREADY_REFUNDED",
        "NOT_PERMITTED_TO_CARDHOLDER",
        "NOT_PERMITTED_TO_FOREIGN_CARD",
        "NOT_PERMITTED_TO_INSTALLMENT",
        "NOT_PERMITTED_TO_TERMINAL",
        "NOT_SUFFICIENT_AWARD",
        "NOT_SUFFICIENT_FUNDS",
        "NO_RESPONSE",
        "NO_SUCH_ISSUER",
        "ORDER_ID_ALREADY_USED",
        "PICKUP_CARD",
        "POS_BALANCE_NOT_SUFFICIENT",
        "REFER_TO_CARD_ISSUER",
        "REQUEST_BLOCKED_BY_BANK",
        "REQUEST_TIMEOUT",
        "REQUIRES_DAY_END",
        "RESTRICTED_BY_LAW",
        "RESTRICTED_CARD",
        "SALES_AMOUNT_LESS_THAN_AWARD",
        "STOLEN_CARD",
        "THREEDS_INIT_ERROR",
        "UNKNOWN",
    ];

    #[test]
    fn every_documented_group_is_in_the_table() {
        for group in DOCUMENTED_GROUPS {
            assert!(
                ERROR_GROUPS.iter().any(|(name, _)| name == group),
                "{group} is not mapped"
            );
        }
        let mut names: Vec<_> = ERROR_GROUPS.iter().map(|(n, _)| n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ERROR_GROUPS.len(), "a group is listed twice");
    }

    #[test]
    fn group_reasons() {
        assert_eq!(
            decline_reason("NOT_SUFFICIENT_FUNDS"),
            DeclineReason::InsufficientFunds
        );
        assert_eq!(decline_reason("INVALID_CVC2"), DeclineReason::InvalidCvc);
        assert_eq!(
            decline_reason("FRAUD_SUSPECT"),
            DeclineReason::SuspectedFraud
        );
        assert_eq!(decline_reason("Unknown"), DeclineReason::Unknown);
        assert_eq!(decline_reason("SOMETHING_NEW"), DeclineReason::Unknown);
        assert!(decline_reason("ISSUER_OR_SWITCH_INOPERATIVE").is_soft());
        assert!(!decline_reason("STOLEN_CARD").is_soft());
    }

    #[test]
    fn every_documented_payment_status_is_mapped() {
        for status in [
            "FAILURE",
            "SUCCESS",
            "INIT_THREEDS",
            "CALLBACK_THREEDS",
            "WAITING",
        ] {
            assert_ne!(
                payment_status(Some(status), Some("AUTH")),
                PaymentStatus::Unknown,
                "{status}"
            );
        }
        assert_eq!(
            payment_status(Some("SUCCESS"), Some("AUTH")),
            PaymentStatus::Succeeded
        );
        assert_eq!(
            payment_status(Some("SUCCESS"), Some("POST_AUTH")),
            PaymentStatus::Succeeded
        );
        assert_eq!(
            payment_status(Some("SUCCESS"), Some("PRE_AUTH")),
            PaymentStatus::Authorized
        );
        assert_eq!(
            payment_status(Some("FAILURE"), Some("PRE_AUTH")),
            PaymentStatus::Failed
        );
        assert_eq!(
            payment_status(Some("SETTLED_MAYBE"), None),
            PaymentStatus::Unknown
        );
        assert_eq!(payment_status(None, None), PaymentStatus::Unknown);
    }

    #[test]
    fn refund_tables() {
        for s in [
            "NO_REFUND",
            "NOT_REFUNDED",
            "PARTIAL_REFUNDED",
            "FULLY_REFUNDED",
        ] {
            assert!(PAYMENT_REFUND_STATUSES.iter().any(|(n, _)| *n == s));
        }
        assert_eq!(
            refunded_status("PARTIAL_REFUNDED"),
            Some(PaymentStatus::PartiallyRefunded)
        );
        assert_eq!(refunded_status("NOT_REFUNDED"), None);
        for s in ["SUCCESS", "FAILURE", "WAITING"] {
            assert!(REFUND_STATUSES.iter().any(|(n, _)| *n == s));
        }
        assert_eq!(refund_status(Some("SUCCESS")), RefundStatus::Succeeded);
        assert_eq!(refund_status(Some("??")), RefundStatus::Pending);
        assert_eq!(refund_kind(Some("CANCEL")), RefundKind::Cancel);
        assert_eq!(refund_kind(Some("REFUND")), RefundKind::Refund);
        assert_eq!(refund_kind(None), RefundKind::Unspecified);
    }

    #[test]
    fn card_tables_cover_the_enums() {
        for a in [
            "VISA",
            "MASTER_CARD",
            "AMEX",
            "TROY",
            "JCB",
            "UNION_PAY",
            "MAESTRO",
            "DISCOVER",
            "DINERS_CLUB",
        ] {
            assert!(card_association(a).is_some(), "{a}");
        }
        for t in ["CREDIT_CARD", "DEBIT_CARD", "PREPAID_CARD"] {
            assert!(card_type(t).is_some(), "{t}");
        }
    }

    #[test]
    fn codes_and_statuses() {
        assert!(is_payment_error_code("10051"));
        assert!(!is_payment_error_code("4152"));
        assert!(!is_payment_error_code("x"));
        assert_eq!(rejection_kind(404), RejectionKind::NotFound);
        assert_eq!(rejection_kind(400), RejectionKind::Validation);
        assert_eq!(rejection_kind(418), RejectionKind::Other);
    }
}
