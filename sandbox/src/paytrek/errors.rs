//! The document's error-code table and the refusal bodies the simulator answers with.
//!
//! Paytrek documents no 4xx body shape; its list envelope is Django REST Framework's, so
//! refusals take DRF's shapes (`{"detail": ...}`, `{"field": ["..."]}`), with the
//! document's `error_code`/`error_message` added where the table has a fitting code.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// One row of the document's "Hata Kodları" table.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ErrorCode {
    /// The code, a numeric string (or `UNKNOWN_ERROR`).
    pub code: &'static str,
    /// The merchant message ("Üye İşyeri Mesajı").
    pub message: &'static str,
    /// The customer message ("Müşteri Mesajı").
    pub customer_message: &'static str,
}

const fn row(code: &'static str, message: &'static str, customer: &'static str) -> ErrorCode {
    ErrorCode {
        code,
        message,
        customer_message: customer,
    }
}

const SELLER: &str = "An unexpected error has occurred, please contact the seller.";
const BANK: &str = "Transaction has been denied, please contact your bank.";
const CHECK_CARD: &str = "Transaction has been denied, please check your card information.";
const NO_3D: &str =
    "We cannot proceed with your transaction, unable to perform 3D Secure Authentication.";
const LATER: &str =
    "We cannot complete your transaction at the moment, please contact the the seller.";

/// The table as the document prints it (customer messages "-" kept verbatim).
static TABLE: &[ErrorCode] = &[
    row("30001", "Invalid Business Member", SELLER),
    row(
        "10004",
        "Transaction has been denied / General Rejection",
        "Transaction has been denied, please contact your bank",
    ),
    row("10006", "ID Control / Honor With Id", BANK),
    row("30003", "Invalid Amount", SELLER),
    row(
        "10009",
        "Invalid Account / Card Number",
        "Your transaction has been terminated, please check your card information.",
    ),
    row(
        "10020",
        "Insufficient Limit",
        "Transaction has been denied, please check your card limit.",
    ),
    row("10023", "Card has Expired", CHECK_CARD),
    row(
        "10026",
        "The transaction has not been cleared to the cardholder",
        BANK,
    ),
    row("10029", "Security Breach", BANK),
    row("30009", "Incompatible data received", SELLER),
    row("30011", "Encryption Error", SELLER),
    row("10033", "Wrong / Invalid Cvv", CHECK_CARD),
    row("30013", "Authentication Error", SELLER),
    row(
        "10038",
        "Rejection - Invalid Card",
        "The transaction has been denied, please proceed with another card.",
    ),
    row("30015", "Double Transaction Transfer", "-"),
    row(
        "30016",
        "Daily Count Error/ Cancellation has been rejected",
        "-",
    ),
    row("20015", "System Error", SELLER),
    row("20017", "Connection Error", SELLER),
    row("30033", "Incorrect Extra Point Parameter", SELLER),
    row("30037", "Invalid Installment", SELLER),
    row("30041", "Invalid Pos", SELLER),
    row(
        "30050",
        "End of the Day Transactions must be Completed",
        SELLER,
    ),
    row("30053", "Invalid Currency", SELLER),
    row("30090", "Invalid Repeating Payment Duration", "-"),
    row(
        "10046",
        "The Request can be Fraud, Ip of cardholder did not clear the check",
        BANK,
    ),
    row("30119", "Invalid Order Number.", LATER),
    row("30120", "Order Number is in Use", LATER),
    row(
        "10049",
        "Maximum Retry Count Exceeded",
        "Maximum retry count exceeded, Please try again later.",
    ),
    row("99999", "Card Declined", "Card Declined"),
    row("10050", "FR-Rejected", SELLER),
    row(
        "40000",
        "Unable to Authenticate",
        "We cannot proceed with your transaction, unable to verify cardholder.",
    ),
    row("40004", "Cardholder not Participating", NO_3D),
    row("40005", "Directory Server not Responding", NO_3D),
    row("40006", "Authentication Failure", NO_3D),
    row("40007", "3D Secure System Error", NO_3D),
    row("10001", "Please call your bank for authorization", BANK),
    row("10003", "Block The Card", BANK),
    row("30002", "Invalid Transaction", SELLER),
    row(
        "10010",
        "Unidentified Issuer Bank",
        "Your transaction has been terminated, please check your card information.",
    ),
    row(
        "30005",
        "Cancellation could not be completed / The original could not be found",
        "-",
    ),
    row("10016", "Too Many Pin Entry Attempts, Block the Card", BANK),
    row("10032", "Invalid Date", CHECK_CARD),
    row(
        "30118",
        "The Request is not included in the Group's Allowed Day/Hour Setting",
        LATER,
    ),
    row("30128", "Vpos Lock Control Failure", LATER),
    row(
        "UNKNOWN_ERROR",
        "Unknown Error",
        "An unexpected error has occurred, please try again later",
    ),
    row(
        "9000",
        "Preauth Transaction Cannot Void",
        "Preauth Transaction Cannot Void",
    ),
    row("9001", "3D Fields Do Not Match", "3D Fields Do Not Match"),
    row(
        "40002",
        "Cardholder or Issuer Bank not Enrolled in 3D Secure System",
        NO_3D,
    ),
];

/// The table row for `code`, or `UNKNOWN_ERROR` for a code the table lacks.
pub(crate) fn error_code(code: &str) -> &'static ErrorCode {
    TABLE
        .iter()
        .find(|row| row.code == code)
        .or_else(|| TABLE.iter().find(|row| row.code == "UNKNOWN_ERROR"))
        .unwrap_or(&UNKNOWN)
}

static UNKNOWN: ErrorCode = row(
    "UNKNOWN_ERROR",
    "Unknown Error",
    "An unexpected error has occurred, please try again later",
);

/// The 3-D Secure failure codes a bank page failure may choose from.
pub(crate) const THREE_D_FAILURE_CODES: [&str; 6] =
    ["40000", "40002", "40004", "40005", "40006", "40007"];

/// A refusal: the request is answered with an error status and no effect happens.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 401 with `WWW-Authenticate: Basic`.
    Unauthorized(&'static str),
    /// 404 `{"detail": "Not found."}`.
    NotFound,
    /// 404 with another DRF detail message (e.g. `Invalid page.`).
    NotFoundDetail(String),
    /// 405 `{"detail": "Method \"X\" not allowed."}`.
    MethodNotAllowed(String),
    /// 415 for a POST/PUT body that is not declared `application/json`.
    UnsupportedMediaType(String),
    /// 400 `{"detail": "JSON parse error - ..."}`.
    Parse(String),
    /// 400 with per-field messages and, where the table has one, the document's code.
    Invalid {
        fields: Map<String, Value>,
        code: Option<&'static ErrorCode>,
    },
}

impl ApiError {
    /// A 400 naming one field.
    pub(crate) fn field(name: &str, message: impl Into<String>) -> Self {
        let mut fields = Map::new();
        fields.insert(
            name.to_owned(),
            Value::from(vec![Value::from(message.into())]),
        );
        ApiError::Invalid { fields, code: None }
    }

    /// The same refusal carrying the document's error code.
    pub(crate) fn with_code(self, code: &str) -> Self {
        match self {
            ApiError::Invalid { fields, .. } => ApiError::Invalid {
                fields,
                code: Some(error_code(code)),
            },
            other => other,
        }
    }
}

fn detail(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "detail": message });
    crate::util::json_answer(status, &body)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Unauthorized(message) => {
                let mut response = detail(StatusCode::UNAUTHORIZED, message);
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Basic realm=\"api\""),
                );
                response
            }
            ApiError::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
            ApiError::NotFoundDetail(message) => detail(StatusCode::NOT_FOUND, &message),
            ApiError::MethodNotAllowed(method) => detail(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("Method \"{method}\" not allowed."),
            ),
            ApiError::UnsupportedMediaType(media) => detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("Unsupported media type \"{media}\" in request."),
            ),
            ApiError::Parse(message) => detail(
                StatusCode::BAD_REQUEST,
                &format!("JSON parse error - {message}"),
            ),
            ApiError::Invalid { mut fields, code } => {
                if let Some(code) = code {
                    fields.insert("error_code".into(), Value::from(code.code));
                    fields.insert("error_message".into(), Value::from(code.message));
                }
                crate::util::json_answer(StatusCode::BAD_REQUEST, &Value::Object(fields))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_the_simulator_uses_is_in_the_table() {
        for code in [
            "10003", "10004", "10009", "10020", "10023", "10032", "10033", "10046", "30002",
            "30003", "30005", "30015", "30037", "30053", "30090", "30120", "99999",
        ]
        .iter()
        .chain(THREE_D_FAILURE_CODES.iter())
        {
            assert_eq!(
                error_code(code).code,
                *code,
                "{code} missing from the table"
            );
        }
    }

    #[test]
    fn unknown_codes_fall_back_to_unknown_error() {
        assert_eq!(error_code("12345").code, "UNKNOWN_ERROR");
    }

    #[test]
    fn table_codes_are_unique() {
        for (i, a) in TABLE.iter().enumerate() {
            assert!(
                TABLE.iter().skip(i + 1).all(|b| b.code != a.code),
                "{} twice",
                a.code
            );
        }
    }
}
