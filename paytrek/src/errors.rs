//! Declines and refusals: a failed payment answer becomes a [`Decline`], a refused request
//! an [`Error`], with the document's error table filling in what an answer leaves out.

use serde_json::Value;

use odeme_core::{Decline, DeclineReason, Error, HttpResponse, ProviderId, RejectionKind};

use crate::map::error_code;
use crate::wire::{PaytrekError, Sale, Transaction};

const PROVIDER: ProviderId = ProviderId::Paytrek;

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty() && *t != "-")
        .map(str::to_owned)
}

/// A decline from a code and the messages that came with it; the table fills in what the
/// answer left out.
pub(crate) fn decline(
    code: Option<&str>,
    message: Option<&str>,
    customer_message: Option<&str>,
) -> Decline {
    let code = non_empty(code);
    let row = code.as_deref().and_then(error_code);
    let reason = match (&code, row) {
        (_, Some(row)) => row.reason,
        (Some(_), None) => DeclineReason::Unknown,
        (None, None) => DeclineReason::Declined,
    };
    let mut decline = Decline::new(PROVIDER, reason).with_provider(
        code,
        non_empty(message).or_else(|| row.map(|r| r.merchant_message.to_owned())),
    );
    if let Some(text) =
        non_empty(customer_message).or_else(|| non_empty(row.map(|r| r.customer_message)))
    {
        decline.customer_message = text;
    }
    decline
}

/// The transaction that explains why a sale is not paid: the last failed one.
pub(crate) fn failed_transaction<'s, 'a>(sale: &'s Sale<'a>) -> Option<&'s Transaction<'a>> {
    sale.transactions
        .iter()
        .rev()
        .find(|t| t.succeeded == Some(false))
}

/// The decline a failed payment answer (`succeeded: false`) or a declined sale carries.
pub(crate) fn sale_decline(sale: &Sale<'_>) -> Decline {
    let transaction = failed_transaction(sale);
    let error = transaction
        .and_then(|t| t.paytrek_error.clone())
        .unwrap_or_default();
    let code = error
        .code
        .map(|c| c.0)
        .or_else(|| sale.error_code.as_deref().map(str::to_owned));
    let message = non_empty(error.message.as_deref())
        .or_else(|| non_empty(transaction.and_then(|t| t.error_message.as_deref())))
        .or_else(|| non_empty(sale.error_message.as_deref()));
    let mut decline = decline(
        code.as_deref(),
        message.as_deref(),
        error.customer_message.as_deref(),
    );
    decline.payment_reference = sale.sale_token.as_deref().map(str::to_owned);
    decline.order_id = sale.order_id.as_deref().map(str::to_owned);
    decline
}

/// A refusal of a capture, cancel or refund that answered `succeeded: false`.
pub(crate) fn settle_refusal(
    code: Option<&str>,
    message: Option<&str>,
    error: Option<&PaytrekError>,
    http_status: u16,
) -> Error {
    let code = non_empty(code)
        .or_else(|| non_empty(error.and_then(|e| e.code.as_ref()).map(|c| c.0.as_str())));
    let row = code.as_deref().and_then(error_code);
    let message = non_empty(message)
        .or_else(|| non_empty(error.and_then(|e| e.message.as_deref())))
        .or_else(|| row.map(|r| r.merchant_message.to_owned()))
        .unwrap_or_else(|| "the request was refused".to_owned());
    Error::Provider {
        provider: PROVIDER,
        kind: row.map_or(RejectionKind::InvalidState, |r| r.rejection),
        code,
        message,
        http_status: Some(http_status),
    }
}

/// The error for a non-2xx answer. Paytrek documents no error body, so every shape the
/// notes list is read: DRF's `{"detail": ...}` and `{"field": ["..."]}`, `error_code` with
/// `error_message`, `error`, and raw text.
pub(crate) fn refusal(response: &HttpResponse) -> Error {
    let status = response.status;
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let object = body.as_ref().and_then(Value::as_object);
    let text_of = |key: &str| -> Option<String> {
        object.and_then(|o| o.get(key)).and_then(|v| match v {
            Value::String(s) => non_empty(Some(s)),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(list) => non_empty(Some(&flatten_messages(list))),
            _ => None,
        })
    };
    let code = text_of("error_code");
    let detail = text_of("detail")
        .or_else(|| text_of("error_message"))
        .or_else(|| text_of("error"))
        .or_else(|| text_of("message"));
    let fields = object.map(field_messages).filter(|m| !m.is_empty());
    let message = match (detail, fields) {
        (Some(d), Some(f)) => format!("{d} ({f})"),
        (Some(d), None) => d,
        (None, Some(f)) => f,
        (None, None) => odeme_core::transport::redact_body(&response.text()),
    };
    if status == 401 {
        return Error::Authentication {
            provider: PROVIDER,
            message,
        };
    }
    let row = code.as_deref().and_then(error_code);
    let kind = match (row, status) {
        (Some(row), _) => row.rejection,
        (None, 403) if mentions_credentials(&message) => {
            return Error::Authentication {
                provider: PROVIDER,
                message,
            };
        }
        (None, 403) => RejectionKind::NotPermitted,
        (None, 404) => RejectionKind::NotFound,
        (None, 409) => RejectionKind::Duplicate,
        (None, 429) => RejectionKind::TemporarilyUnavailable,
        (None, 400 | 422) => RejectionKind::Validation,
        (None, s) if s >= 500 => RejectionKind::TemporarilyUnavailable,
        _ => RejectionKind::Other,
    };
    Error::Provider {
        provider: PROVIDER,
        kind,
        code,
        message,
        http_status: Some(status),
    }
}

fn mentions_credentials(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("credential") || lower.contains("authenticat")
}

fn flatten_messages(list: &[Value]) -> String {
    list.iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// DRF's per-field messages as `field: message; other: message`.
fn field_messages(object: &serde_json::Map<String, Value>) -> String {
    const NOT_FIELDS: [&str; 5] = ["detail", "error", "error_code", "error_message", "message"];
    object
        .iter()
        .filter(|(k, _)| !NOT_FIELDS.contains(&k.as_str()))
        .filter_map(|(k, v)| {
            let text = match v {
                Value::Array(list) => flatten_messages(list),
                Value::String(s) => s.clone(),
                Value::Object(inner) => field_messages(inner),
                _ => return None,
            };
            Some(format!(
                "{k}: {}",
                odeme_core::transport::redact_body(&text)
            ))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::RequestKind;

    #[test]
    fn decline_families() {
        let cases = [
            ("10020", DeclineReason::InsufficientFunds, true),
            ("10033", DeclineReason::InvalidCvc, false),
            ("10023", DeclineReason::ExpiredCard, false),
            ("10046", DeclineReason::SuspectedFraud, false),
            ("10004", DeclineReason::DoNotHonor, false),
            ("10003", DeclineReason::PickupCard, false),
            ("99999", DeclineReason::Declined, false),
            ("40006", DeclineReason::ThreeDsFailed, false),
            ("30037", DeclineReason::InvalidInstallment, false),
            ("20017", DeclineReason::IssuerUnavailable, true),
        ];
        for (code, reason, soft) in cases {
            let d = decline(Some(code), None, None);
            assert_eq!(d.reason, reason, "{code}");
            assert_eq!(d.soft, soft, "{code}");
            assert_eq!(d.provider_code.as_deref(), Some(code));
        }
    }
    #[test]
    fn merchant_and_customer_messages_stay_apart() {
        let d = decline(Some("10020"), None, None);
        assert_eq!(d.provider_message.as_deref(), Some("Insufficient Limit"));
        assert_eq!(
            d.customer_message,
            "Transaction has been denied, please check your card limit."
        );
        let d = decline(
            Some("10020"),
            Some("Bank says no"),
            Some("Try another card"),
        );
        assert_eq!(d.provider_message.as_deref(), Some("Bank says no"));
        assert_eq!(d.customer_message, "Try another card");
        // `-` in the table means no customer message: the reason's own one is used.
        let d = decline(Some("30015"), None, None);
        assert_eq!(
            d.customer_message,
            DeclineReason::DuplicateTransaction.customer_message()
        );
        let d = decline(Some("77777"), Some("odd"), None);
        assert_eq!(d.reason, DeclineReason::Unknown);
        assert_eq!(
            decline(None, Some("no code"), None).reason,
            DeclineReason::Declined
        );
    }
    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            provider: PROVIDER,
            operation: "refund",
            kind: RequestKind::Write,
            reference: None,
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn refusal_shapes() {
        let e = refusal(&response(
            401,
            r#"{"detail": "Invalid username/password."}"#,
        ));
        assert!(
            matches!(e, Error::Authentication { ref message, .. } if message == "Invalid username/password.")
        );
        let e = refusal(&response(
            403,
            r#"{"detail": "Authentication credentials were not provided."}"#,
        ));
        assert!(matches!(e, Error::Authentication { .. }));
        let e = refusal(&response(404, r#"{"detail": "Not found."}"#));
        assert!(
            matches!(
                e,
                Error::Provider {
                    kind: RejectionKind::NotFound,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = refusal(&response(
            400,
            r#"{"amount": ["Ensure this value is greater than or equal to 0.01."]}"#,
        ));
        match e {
            Error::Provider {
                kind,
                message,
                code,
                http_status,
                ..
            } => {
                assert_eq!(kind, RejectionKind::Validation);
                assert_eq!(
                    message,
                    "amount: Ensure this value is greater than or equal to 0.01."
                );
                assert_eq!(code, None);
                assert_eq!(http_status, Some(400));
            }
            other => panic!("{other:?}"),
        }
        let e = refusal(&response(
            400,
            r#"{"order_id": ["in use"], "error_code": "30120", "error_message": "Order Number is in Use"}"#,
        ));
        match e {
            Error::Provider {
                kind,
                message,
                code,
                ..
            } => {
                assert_eq!(kind, RejectionKind::Duplicate);
                assert_eq!(code.as_deref(), Some("30120"));
                assert_eq!(message, "Order Number is in Use (order_id: in use)");
            }
            other => panic!("{other:?}"),
        }
        let e = refusal(&response(400, r#"{"error": "amount exceeds"}"#));
        assert!(matches!(e, Error::Provider { ref message, .. } if message == "amount exceeds"));
        let e = refusal(&response(400, "plain text 4508034508034509"));
        match e {
            Error::Provider { message, .. } => {
                assert!(message.starts_with("plain text"));
                assert!(!message.contains("4508034508034509"));
            }
            other => panic!("{other:?}"),
        }
    }
}
