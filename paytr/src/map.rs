//! PayTR's statuses, reason codes, error numbers and error texts mapped to the normalized
//! ones, as tables.
//!
//! # Documented answer forms of the writes
//!
//! The answer forms PayTR documents for each write (issue 16). Anything else after a
//! write (another status word, a field of the wrong type, a redirect, an unreadable 2xx,
//! a 5xx, a timeout) is an unknown outcome: the money may have moved, so it must not read
//! as success nor as a refusal the caller could safely retry.
//!
//! | write | success | refusal |
//! |---|---|---|
//! | `/odeme` sync charge, stored-card charge, recurring | `status` in [`PAYMENT_STATUSES`] as `success` / `wait_callback` | `status: failed` with `msg` (decline) or `reason` (rejection) |
//! | `/odeme` 3-D Secure | none sent by the server: the browser posts the form | none |
//! | `/odeme/iade` refund | `status` = [`REFUND_SUCCESS`] | `status` in [`REFUND_REFUSALS`] with `err_no` / `err_msg` |
//! | `capi/delete` card delete | `status: success` | `status: error` / `failed` with `err_msg` |

use odeme_core::{Decline, DeclineReason, Error, PaymentStatus, ProviderId, RejectionKind};

/// A payment's `status` text (sync mode, recurring, notification) to the normalized status.
pub(crate) const PAYMENT_STATUSES: &[(&str, PaymentStatus)] = &[
    ("success", PaymentStatus::Succeeded),
    ("wait_callback", PaymentStatus::Pending),
    ("failed", PaymentStatus::Failed),
];

/// The refund answer's documented success word.
pub(crate) const REFUND_SUCCESS: &str = "success";

/// The refund answer's documented refusal words.
pub(crate) const REFUND_REFUSALS: &[&str] = &["error", "failed"];

/// `failed_reason_code` of the notification ([DOC] `/hata-kodlari`, Direct and Havale/EFT
/// 2. adım). Code 0 carries the bank's own message, which [`reason_from_message`] refines.
pub(crate) const FAILED_REASON_CODES: &[(&str, DeclineReason)] = &[
    ("0", DeclineReason::Declined),
    ("1", DeclineReason::ThreeDsFailed),
    ("2", DeclineReason::ThreeDsFailed),
    ("3", DeclineReason::SuspectedFraud),
    ("6", DeclineReason::Abandoned),
    ("8", DeclineReason::InvalidInstallment),
    ("9", DeclineReason::TransactionNotPermitted),
    ("10", DeclineReason::ThreeDsRequired),
    ("11", DeclineReason::SuspectedFraud),
    ("99", DeclineReason::MerchantConfiguration),
    // Havale/EFT only.
    ("4", DeclineReason::InvalidTransaction),
    ("5", DeclineReason::InvalidAmount),
    ("7", DeclineReason::ProcessingError),
    ("41", DeclineReason::InvalidTransaction),
    ("42", DeclineReason::InvalidTransaction),
    ("43", DeclineReason::DuplicateTransaction),
    ("44", DeclineReason::InvalidTransaction),
    ("45", DeclineReason::InvalidTransaction),
];

/// Words of PayTR's and the banks' decline texts (ASCII-folded, lower case) and the reason
/// each one means. PayTR's sync, recurring and fail-URL answers carry free text only, so
/// this is the only way to say more than "declined". First match wins.
pub(crate) const DECLINE_MESSAGES: &[(&str, DeclineReason)] = &[
    ("teknik entegrasyon", DeclineReason::MerchantConfiguration),
    ("devam eden bir isleminiz", DeclineReason::ProcessingError),
    ("yetersiz", DeclineReason::InsufficientFunds),
    ("insufficient", DeclineReason::InsufficientFunds),
    ("son kullanma", DeclineReason::ExpiredCard),
    ("suresi dolmus", DeclineReason::ExpiredCard),
    ("expired", DeclineReason::ExpiredCard),
    ("cvv", DeclineReason::InvalidCvc),
    ("guvenlik kodu", DeclineReason::InvalidCvc),
    // A bank message naming the cause is more specific than "closed by the bank", which
    // PayTR's recurring document uses for any card the issuer shut.
    ("calinti", DeclineReason::StolenCard),
    ("kayip", DeclineReason::LostCard),
    ("kapatilmis", DeclineReason::RestrictedCard),
    ("kart numarasi", DeclineReason::InvalidCardNumber),
    ("do not honour", DeclineReason::DoNotHonor),
    ("do not honor", DeclineReason::DoNotHonor),
    ("onaylanmadi", DeclineReason::DoNotHonor),
    ("3d secure kullanilmalidir", DeclineReason::ThreeDsRequired),
    ("kimlik dogrulama", DeclineReason::ThreeDsFailed),
    ("taksit", DeclineReason::InvalidInstallment),
    ("islem yetkisi", DeclineReason::TransactionNotPermitted),
    ("guvenlik uyarisi", DeclineReason::SuspectedFraud),
    ("supheli", DeclineReason::SuspectedFraud),
    ("vazgecti", DeclineReason::Abandoned),
    ("zaman asimi", DeclineReason::Abandoned),
];

/// What a non-decline refusal means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The token or the store's credentials were refused.
    Authentication,
    /// Any other refusal.
    Reject(RejectionKind),
}

/// Refund `err_no` ([DOC] `/hata-kodlari`; 012 from the community error table).
pub(crate) const REFUND_ERRORS: &[(&str, Refusal)] = &[
    (
        "000",
        Refusal::Reject(RejectionKind::TemporarilyUnavailable),
    ),
    ("001", Refusal::Reject(RejectionKind::NotPermitted)),
    ("002", Refusal::Reject(RejectionKind::Validation)),
    ("003", Refusal::Reject(RejectionKind::Validation)),
    ("004", Refusal::Authentication),
    ("005", Refusal::Reject(RejectionKind::NotFound)),
    ("006", Refusal::Reject(RejectionKind::AmountExceeded)),
    ("007", Refusal::Reject(RejectionKind::InvalidState)),
    ("008", Refusal::Reject(RejectionKind::NotPermitted)),
    ("009", Refusal::Reject(RejectionKind::AmountExceeded)),
    ("010", Refusal::Reject(RejectionKind::InvalidState)),
    ("011", Refusal::Reject(RejectionKind::InvalidState)),
    ("012", Refusal::Reject(RejectionKind::Validation)),
];

/// Status-query `err_no` ([DOC] `durum-sorgu`).
pub(crate) const STATUS_ERRORS: &[(&str, Refusal)] = &[
    ("001", Refusal::Reject(RejectionKind::NotPermitted)),
    ("002", Refusal::Reject(RejectionKind::Validation)),
    ("003", Refusal::Authentication),
    ("004", Refusal::Reject(RejectionKind::NotFound)),
];

/// Words of the free-text refusals of `/odeme` (`reason`) and CAPI (`err_msg`), which
/// carry no codes. First match wins; anything else is `Other`.
pub(crate) const REFUSAL_MESSAGES: &[(&str, Refusal)] = &[
    ("paytr_token", Refusal::Authentication),
    ("zorunlu alan", Refusal::Reject(RejectionKind::Validation)),
    // With debug_on=0 PayTR hides which field it refused behind this text.
    (
        "teknik entegrasyon",
        Refusal::Reject(RejectionKind::Validation),
    ),
    ("merchant_id", Refusal::Authentication),
    (
        "magaza aktif degil",
        Refusal::Reject(RejectionKind::NotPermitted),
    ),
    ("yetki", Refusal::Reject(RejectionKind::NotPermitted)),
    (
        "daha once kullanilmis",
        Refusal::Reject(RejectionKind::Duplicate),
    ),
    ("kart yok", Refusal::Reject(RejectionKind::NotFound)),
    ("bulunamadi", Refusal::Reject(RejectionKind::NotFound)),
    (
        "daha once silinmis",
        Refusal::Reject(RejectionKind::NotFound),
    ),
    ("gecersiz", Refusal::Reject(RejectionKind::Validation)),
    (
        "gonderilmelidir",
        Refusal::Reject(RejectionKind::Validation),
    ),
    (
        "baglanti hatasi",
        Refusal::Reject(RejectionKind::TemporarilyUnavailable),
    ),
];

/// Lower case with Turkish letters folded to ASCII, so tables can match either spelling.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ı' | 'İ' | 'I' => 'i',
            'ş' | 'Ş' => 's',
            'ğ' | 'Ğ' => 'g',
            'ü' | 'Ü' => 'u',
            'ö' | 'Ö' => 'o',
            'ç' | 'Ç' => 'c',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

fn lookup<T: Copy>(table: &[(&str, T)], key: &str) -> Option<T> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn by_words<T: Copy>(table: &[(&str, T)], message: &str) -> Option<T> {
    let folded = fold(message);
    table
        .iter()
        .find(|(word, _)| folded.contains(word))
        .map(|(_, v)| *v)
}

/// The normalized status of a PayTR status text; unknown texts are never a success.
pub(crate) fn payment_status(status: &str) -> PaymentStatus {
    lookup(PAYMENT_STATUSES, status.trim()).unwrap_or(PaymentStatus::Unknown)
}

/// The decline reason of a free-text decline message.
pub(crate) fn reason_from_message(message: &str) -> DeclineReason {
    by_words(DECLINE_MESSAGES, message).unwrap_or(DeclineReason::Declined)
}

/// The decline reason of a notification's `failed_reason_code` and message.
pub(crate) fn reason_from_code(code: &str, message: Option<&str>) -> DeclineReason {
    match lookup(FAILED_REASON_CODES, code.trim()) {
        // Code 0 is "the bank's message follows": its text says more than the code.
        Some(DeclineReason::Declined) | None => message
            .map(reason_from_message)
            .unwrap_or(DeclineReason::Declined),
        Some(reason) => reason,
    }
}

/// A decline built from PayTR's words.
pub(crate) fn decline(
    reason: DeclineReason,
    code: Option<&str>,
    message: Option<&str>,
    order_id: &str,
) -> Decline {
    let mut decline = Decline::new(ProviderId::Paytr, reason)
        .with_provider(code.map(str::to_owned), message.map(str::to_owned));
    decline.order_id = Some(order_id.to_owned());
    decline.payment_reference = Some(order_id.to_owned());
    decline
}

/// `err_no` as the tables spell it: numbers zero-padded to three digits.
pub(crate) fn err_no(code: &str) -> String {
    let code = code.trim();
    if !code.is_empty() && code.len() < 3 && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("{code:0>3}")
    } else {
        code.to_owned()
    }
}

/// The error for a refusal.
pub(crate) fn refusal_error(refusal: Refusal, code: Option<&str>, message: &str) -> Error {
    match refusal {
        Refusal::Authentication => Error::Authentication {
            provider: ProviderId::Paytr,
            message: match code {
                Some(code) => format!("{message} (err_no {code})"),
                None => message.to_owned(),
            },
        },
        Refusal::Reject(kind) => Error::Provider {
            provider: ProviderId::Paytr,
            kind,
            code: code.map(str::to_owned),
            message: message.to_owned(),
            http_status: None,
        },
    }
}

/// A refund error from its `err_no` and `err_msg`; an unknown number is `Other`.
pub(crate) fn refund_error(code: &str, message: &str) -> Error {
    let code = err_no(code);
    let refusal = lookup(REFUND_ERRORS, &code).unwrap_or(Refusal::Reject(RejectionKind::Other));
    refusal_error(
        refusal,
        Some(&code).filter(|c| !c.is_empty()).map(String::as_str),
        message,
    )
}

/// A status-query error from its `err_no` and `err_msg`.
pub(crate) fn status_error(code: &str, message: &str) -> Error {
    let code = err_no(code);
    let refusal = lookup(STATUS_ERRORS, &code).unwrap_or(Refusal::Reject(RejectionKind::Other));
    refusal_error(
        refusal,
        Some(&code).filter(|c| !c.is_empty()).map(String::as_str),
        message,
    )
}

/// A free-text refusal (`/odeme` `reason`, CAPI `err_msg`).
pub(crate) fn message_error(message: &str) -> Error {
    let refusal =
        by_words(REFUSAL_MESSAGES, message).unwrap_or(Refusal::Reject(RejectionKind::Other));
    refusal_error(refusal, None, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `failed_reason_code` in the provider's table ([DOC] `/hata-kodlari`).
    const DOCUMENTED_REASON_CODES: [&str; 18] = [
        "0", "1", "2", "3", "6", "8", "9", "10", "11", "99", "4", "5", "7", "41", "42", "43", "44",
        "45",
    ];
    /// Every refund `err_no` in the provider's table.
    const DOCUMENTED_REFUND_ERRORS: [&str; 12] = [
        "000", "001", "002", "003", "004", "005", "007", "008", "009", "010", "011", "012",
    ];
    /// Every status-query `err_no`.
    const DOCUMENTED_STATUS_ERRORS: [&str; 4] = ["001", "002", "003", "004"];

    #[test]
    fn every_documented_reason_code_is_mapped() {
        for code in DOCUMENTED_REASON_CODES {
            let reason = lookup(FAILED_REASON_CODES, code);
            assert!(reason.is_some(), "failed_reason_code {code}");
            assert_ne!(reason, Some(DeclineReason::Unknown), "{code}");
        }
        assert_eq!(reason_from_code("2", None), DeclineReason::ThreeDsFailed);
        assert_eq!(reason_from_code("6", Some("x")), DeclineReason::Abandoned);
        assert_eq!(
            reason_from_code("0", Some("Kart limiti yetersiz")),
            DeclineReason::InsufficientFunds
        );
        assert_eq!(reason_from_code("0", None), DeclineReason::Declined);
        assert_eq!(reason_from_code("77", None), DeclineReason::Declined);
    }

    #[test]
    fn every_documented_refund_error_is_mapped() {
        for code in DOCUMENTED_REFUND_ERRORS {
            let refusal = lookup(REFUND_ERRORS, code);
            assert!(refusal.is_some(), "err_no {code}");
            assert_ne!(
                refusal,
                Some(Refusal::Reject(RejectionKind::Other)),
                "{code}"
            );
        }
        let kind = |code: &str| match refund_error(code, "m") {
            Error::Provider { kind, .. } => Some(kind),
            _ => None,
        };
        assert_eq!(kind("009"), Some(RejectionKind::AmountExceeded));
        assert_eq!(kind("005"), Some(RejectionKind::NotFound));
        assert_eq!(kind("007"), Some(RejectionKind::InvalidState));
        assert_eq!(
            kind("9"),
            Some(RejectionKind::AmountExceeded),
            "unpadded numbers"
        );
        assert_eq!(
            kind("123"),
            Some(RejectionKind::Other),
            "unknown codes do not fail hard"
        );
        assert!(matches!(
            refund_error("004", "paytr_token gonderilmedi"),
            Error::Authentication { .. }
        ));
    }

    #[test]
    fn every_documented_status_error_is_mapped() {
        for code in DOCUMENTED_STATUS_ERRORS {
            assert!(lookup(STATUS_ERRORS, code).is_some(), "{code}");
        }
        assert!(matches!(
            status_error("003", "x"),
            Error::Authentication { .. }
        ));
        assert!(matches!(
            status_error("004", "x"),
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ));
    }

    #[test]
    fn statuses() {
        assert_eq!(payment_status("success"), PaymentStatus::Succeeded);
        assert_eq!(payment_status("wait_callback"), PaymentStatus::Pending);
        assert_eq!(payment_status("failed"), PaymentStatus::Failed);
        assert_eq!(payment_status("SUCCESS"), PaymentStatus::Unknown);
        assert_eq!(payment_status("processing"), PaymentStatus::Unknown);
    }

    #[test]
    fn decline_texts() {
        let cases = [
            ("Kart banka tarafından kapatılmış. Bu kart ile tekrar işlem göndermeyin.", DeclineReason::RestrictedCard),
            ("Kart banka tarafından kapatılmış. (kayip/calinti kart)", DeclineReason::StolenCard),
            ("Kayip kart", DeclineReason::LostCard),
            ("Henüz devam eden bir işleminiz bulunmaktadır, sonuçlandıktan sonra tekrar deneyebilirsiniz.", DeclineReason::ProcessingError),
            ("Kart limiti / bakiyesi yetersiz", DeclineReason::InsufficientFunds),
            ("CVV hatali", DeclineReason::InvalidCvc),
            ("Bu işlemde 3D Secure kullanılmalıdır", DeclineReason::ThreeDsRequired),
            ("Kimlik Doğrulama başarısız", DeclineReason::ThreeDsFailed),
            ("Bu karta taksit yapılamamaktadır", DeclineReason::InvalidInstallment),
            ("İşlem başarısız: Teknik entegrasyon hatası", DeclineReason::MerchantConfiguration),
            ("Something else entirely", DeclineReason::Declined),
        ];
        for (text, reason) in cases {
            assert_eq!(reason_from_message(text), reason, "{text}");
        }
    }

    #[test]
    fn refusal_texts() {
        assert!(matches!(
            message_error("paytr_token gonderilmedi veya gecersiz"),
            Error::Authentication { .. }
        ));
        let kind = |m: &str| match message_error(m) {
            Error::Provider { kind, .. } => Some(kind),
            _ => None,
        };
        assert_eq!(
            kind("Kart yok veya daha önce silinmiş"),
            Some(RejectionKind::NotFound)
        );
        assert_eq!(
            kind("Bu siparis numarasi (merchant_oid) daha once kullanilmis: A1"),
            Some(RejectionKind::Duplicate)
        );
        assert_eq!(
            kind("Zorunlu alan degeri gecersiz veya gönderilmedi. (odeme): email"),
            Some(RejectionKind::Validation)
        );
        assert_eq!(
            kind("Bu islem icin magazanin yetkisi yok (sync_mode)"),
            Some(RejectionKind::NotPermitted)
        );
        assert_eq!(
            kind("Bağlantı hatası oluştu"),
            Some(RejectionKind::TemporarilyUnavailable)
        );
        assert_eq!(
            kind("İşlem başarısız: Teknik entegrasyon hatası (99)"),
            Some(RejectionKind::Validation)
        );
        assert_eq!(kind("???"), Some(RejectionKind::Other));
    }
}
