//! Craftgate's error answers (`{"errors": {errorCode, errorDescription, errorGroup,
//! providerError}}` with the HTTP status) and `paymentError` to the neutral errors.

use odeme_core::{Decline, Error, HttpResponse, ProviderId};

use crate::map;
use crate::wire::{Envelope, ErrorBody};

/// What an error is about, so that a decline can name the order and the payment.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorContext {
    /// The merchant's order id, when the operation has one.
    pub(crate) order_id: Option<String>,
    /// The provider's payment id, when known.
    pub(crate) payment_reference: Option<String>,
    /// Whether bank errors are card declines (charges) rather than refusals (refunds,
    /// card storage, lookups).
    pub(crate) declines: bool,
}

impl ErrorContext {
    /// The context of a charge for `order_id`.
    pub(crate) fn charge(order_id: &str) -> Self {
        Self {
            order_id: Some(order_id.to_owned()),
            payment_reference: None,
            declines: true,
        }
    }

    /// The context of an operation on payment `payment_id`.
    pub(crate) fn payment(payment_id: &str, declines: bool) -> Self {
        Self {
            order_id: None,
            payment_reference: Some(payment_id.to_owned()),
            declines,
        }
    }

    /// The context of an operation that is not about one payment.
    pub(crate) fn other() -> Self {
        Self::default()
    }
}

/// The error a non-2xx answer stands for.
pub(crate) fn from_response(response: &HttpResponse, context: &ErrorContext) -> Error {
    match serde_json::from_slice::<Envelope<serde_json::Value>>(&response.body) {
        Ok(Envelope {
            errors: Some(body), ..
        }) => from_body(response, &body, context),
        _ if response.status == 401 => Error::Authentication {
            provider: ProviderId::Craftgate,
            message: format!("HTTP {} without an error body", response.status),
        },
        // After a write, an error status with no documented error body proves nothing
        // was done no more than a 5xx does (issue 16).
        _ => response.unreadable("an error status without an error body"),
    }
}

/// The error an `errors` envelope stands for.
pub(crate) fn from_body(
    response: &HttpResponse,
    body: &ErrorBody,
    context: &ErrorContext,
) -> Error {
    let code = body.error_code.clone();
    let message = message(body);
    if response.status == 401 || is_credential_error(body) {
        return Error::Authentication {
            provider: ProviderId::Craftgate,
            message,
        };
    }
    let bank_error = body
        .error_group
        .as_deref()
        .is_some_and(|g| !g.trim().is_empty())
        || code.as_deref().is_some_and(map::is_payment_error_code);
    if bank_error && context.declines {
        return Error::declined(decline(body, context));
    }
    let kind = if is_idempotency_mismatch(response.status, code.as_deref(), &message) {
        odeme_core::RejectionKind::Duplicate
    } else {
        map::rejection_kind(response.status)
    };
    Error::Provider {
        provider: ProviderId::Craftgate,
        kind,
        code,
        message,
        http_status: Some(response.status),
    }
}

/// The code the simulator (the only reference for it: the official documents name none)
/// answers a reused `x-idempotency-key` with, under HTTP 422.
const IDEMPOTENCY_MISMATCH_CODE: &str = "1007";

/// An idempotency key reused with another body: the simulator's code and status first, a
/// description that names the key as a fallback for a provider that words it its own way.
fn is_idempotency_mismatch(status: u16, code: Option<&str>, message: &str) -> bool {
    (status == 422 && code.map(str::trim) == Some(IDEMPOTENCY_MISMATCH_CODE))
        || message.to_ascii_lowercase().contains("idempotency")
}

/// The decline an error body or a payment's `paymentError` stands for.
pub(crate) fn decline(body: &ErrorBody, context: &ErrorContext) -> Decline {
    let reason = body
        .error_group
        .as_deref()
        .map(map::decline_reason)
        .unwrap_or(odeme_core::DeclineReason::Unknown);
    let mut decline = Decline::new(ProviderId::Craftgate, reason)
        .with_provider(body.error_code.clone(), Some(message(body)));
    decline.order_id = context.order_id.clone();
    decline.payment_reference = context.payment_reference.clone();
    decline
}

/// The provider's description with the bank's own code and message, when it gave them.
fn message(body: &ErrorBody) -> String {
    let mut text = body
        .error_description
        .clone()
        .unwrap_or_else(|| "no description".to_owned());
    if let Some(group) = body.error_group.as_deref().filter(|g| !g.is_empty()) {
        text = format!("{text} [{group}]");
    }
    if let Some(provider) = &body.provider_error {
        let code = provider.error_code.as_deref().unwrap_or("-");
        let bank_message = provider.error_message.as_deref().unwrap_or("");
        text = format!("{text} (bank {code}: {bank_message})");
    }
    // Descriptions echo request fields at times; make sure no card number rides along.
    odeme_core::transport::redact_body(&text)
}

/// Craftgate answers unknown credentials with "API credential not found" and a bad
/// signature with a signature message; both are authentication failures whatever the status.
fn is_credential_error(body: &ErrorBody) -> bool {
    let description = body
        .error_description
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    description.contains("credential not found") || description.contains("signature is not valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::{DeclineReason, RejectionKind, RequestKind};

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            provider: ProviderId::Craftgate,
            operation: "charge",
            kind: RequestKind::Write,
            reference: Some("order-1".into()),
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn documented_decline_example() {
        let r = response(
            422,
            r#"{"errors":{"errorCode":"10051","errorDescription":"Kart limiti yetersiz, yetersiz bakiye","errorGroup":"NOT_SUFFICIENT_FUNDS"}}"#,
        );
        let err = from_response(&r, &ErrorContext::charge("order-1"));
        let d = err.decline().expect("a decline");
        assert_eq!(d.reason, DeclineReason::InsufficientFunds);
        assert_eq!(d.provider_code.as_deref(), Some("10051"));
        assert!(d
            .provider_message
            .as_deref()
            .unwrap_or("")
            .contains("Kart limiti yetersiz"));
        assert_eq!(d.order_id.as_deref(), Some("order-1"));
        assert!(d.soft);
    }

    #[test]
    fn documented_validation_example() {
        let r = response(
            400,
            r#"{"errors":{"errorCode":"4152","errorDescription":"Kart son kullanma yılı \"2010\" geçersiz"}}"#,
        );
        match from_response(&r, &ErrorContext::charge("order-1")) {
            Error::Provider {
                kind,
                code,
                http_status,
                ..
            } => {
                assert_eq!(kind, RejectionKind::Validation);
                assert_eq!(code.as_deref(), Some("4152"));
                assert_eq!(http_status, Some(400));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn provider_error_and_numeric_code() {
        let r = response(
            422,
            r#"{"errors":{"errorCode":10012,"errorDescription":"Geçersiz işlem","errorGroup":"INVALID_TRANSACTION","providerError":{"errorCode":"12","errorMessage":"Invalid transaction"}}}"#,
        );
        let err = from_response(&r, &ErrorContext::charge("o"));
        let d = err.decline().unwrap();
        assert_eq!(d.reason, DeclineReason::InvalidTransaction);
        assert_eq!(d.provider_code.as_deref(), Some("10012"));
        assert!(d
            .provider_message
            .as_deref()
            .unwrap()
            .contains("bank 12: Invalid transaction"));
    }

    #[test]
    fn bank_errors_outside_charges_are_refusals() {
        let r = response(
            422,
            r#"{"errors":{"errorCode":"10051","errorDescription":"x","errorGroup":"NOT_SUFFICIENT_FUNDS"}}"#,
        );
        assert!(matches!(
            from_response(&r, &ErrorContext::payment("5", false)),
            Error::Provider {
                kind: RejectionKind::InvalidState,
                ..
            }
        ));
    }

    #[test]
    fn credentials_and_unreadable_bodies() {
        let r = response(
            401,
            r#"{"errors":{"errorCode":"1001","errorDescription":"API credential not found"}}"#,
        );
        assert!(matches!(
            from_response(&r, &ErrorContext::other()),
            Error::Authentication { .. }
        ));
        let r = response(
            400,
            r#"{"errors":{"errorCode":"1","errorDescription":"API credential not found"}}"#,
        );
        assert!(matches!(
            from_response(&r, &ErrorContext::other()),
            Error::Authentication { .. }
        ));
        assert!(matches!(
            from_response(&response(401, ""), &ErrorContext::other()),
            Error::Authentication { .. }
        ));
        // A write answered by a page without an error body may have been carried out.
        assert!(matches!(
            from_response(&response(404, "<html>"), &ErrorContext::other()),
            Error::UnknownOutcome { .. }
        ));
        let read = HttpResponse {
            kind: RequestKind::Read,
            ..response(404, "<html>")
        };
        assert!(matches!(
            from_response(&read, &ErrorContext::other()),
            Error::UnexpectedResponse { status: 404, .. }
        ));
        let r = response(
            404,
            r#"{"errors":{"errorCode":"9001","errorDescription":"Ödeme bulunamadı!"}}"#,
        );
        assert!(matches!(
            from_response(&r, &ErrorContext::other()),
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ));
    }

    #[test]
    fn a_reused_idempotency_key_is_a_duplicate() {
        let r = response(
            422,
            r#"{"errors":{"errorCode":"1007","errorDescription":"Bu idempotency anahtarı farklı bir istekle kullanılmış"}}"#,
        );
        assert!(matches!(
            from_response(&r, &ErrorContext::charge("o")),
            Error::Provider {
                kind: RejectionKind::Duplicate,
                ..
            }
        ));
    }

    #[test]
    fn the_idempotency_mismatch_is_recognised_by_code_first() {
        // The code alone, whatever the wording.
        let r = response(
            422,
            r#"{"errors":{"errorCode":"1007","errorDescription":"Anahtar başka bir istekle kullanıldı"}}"#,
        );
        assert!(matches!(
            from_response(&r, &ErrorContext::charge("o")),
            Error::Provider {
                kind: RejectionKind::Duplicate,
                ..
            }
        ));
        // The same code under another status is not taken for it.
        let r = response(
            400,
            r#"{"errors":{"errorCode":"1007","errorDescription":"başka bir hata"}}"#,
        );
        assert!(matches!(
            from_response(&r, &ErrorContext::charge("o")),
            Error::Provider {
                kind: RejectionKind::Validation,
                ..
            }
        ));
    }

    #[test]
    fn messages_never_carry_a_card_number() {
        let r = response(
            400,
            r#"{"errors":{"errorCode":"4151","errorDescription":"Kart numarası 5258640000000001 geçersiz"}}"#,
        );
        let err = from_response(&r, &ErrorContext::charge("o"));
        assert!(!format!("{err} {err:?}").contains("5258640000000001"));
    }
}
