//! Craftgate's answer envelopes: `{"data": ...}` on success and
//! `{"errors": {errorCode, errorDescription, errorGroup}}` with an HTTP status >= 400 on
//! failure (422 for business declines, per Craftgate's error-groups page).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::test_cards::Decline;
use crate::util::json_answer;

/// A success body: `{"data": ...}`.
#[derive(Debug, Serialize)]
pub(crate) struct DataEnvelope<T> {
    pub(crate) data: T,
}

/// `200 {"data": value}`.
pub(crate) fn data<T: Serialize>(value: T) -> Response {
    json_answer(StatusCode::OK, &DataEnvelope { data: value })
}

/// A refusal, rendered as Craftgate's error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: String,
    pub(crate) description: String,
    pub(crate) group: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    error_code: &'a str,
    error_description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_group: Option<&'a str>,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    errors: ErrorBody<'a>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorEnvelope {
            errors: ErrorBody {
                error_code: &self.code,
                error_description: &self.description,
                error_group: self.group.as_deref(),
            },
        };
        json_answer(self.status, &body)
    }
}

/// The handlers' result type.
pub(crate) type ApiResult = Result<Response, ApiError>;

impl ApiError {
    fn new(status: StatusCode, code: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            description: description.into(),
            group: None,
        }
    }

    /// 401: the API key is unknown.
    pub(crate) fn credential_not_found() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::CREDENTIAL_NOT_FOUND,
            "API credential not found",
        )
    }

    /// 401: a required authentication header is missing or malformed.
    pub(crate) fn missing_auth_header(name: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::AUTH_HEADER,
            format!("{name} header is missing or invalid"),
        )
    }

    /// 401: the signature does not match the request.
    pub(crate) fn bad_signature() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::BAD_SIGNATURE,
            "Signature is not valid",
        )
    }

    /// 400: the body is not the JSON object the endpoint takes.
    pub(crate) fn malformed(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::MALFORMED,
            format!("Geçersiz istek: {detail}"),
        )
    }

    /// 400: a required field is missing.
    pub(crate) fn required(field: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::REQUIRED,
            format!("{field} boş olamaz"),
        )
    }

    /// 400: a field has a value the endpoint does not take.
    pub(crate) fn invalid(field: &str, why: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID,
            format!("{field} geçersiz: {why}"),
        )
    }

    /// 400 with a specific code (expiry and card-number checks have their own codes).
    pub(crate) fn validation(code: &str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, description)
    }

    /// 422: a business rule refuses the request (no group: not a bank decline).
    pub(crate) fn business(code: &str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, description)
    }

    /// 404: the payment, refund or card does not exist.
    pub(crate) fn not_found(code: &str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, description)
    }

    /// 422 with the decline's code, description and error group.
    pub(crate) fn declined(decline: &Decline) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: decline.code.to_owned(),
            description: decline.description.to_owned(),
            group: Some(decline.group.to_owned()),
        }
    }
}

/// Answers a path the simulator does not serve, in Craftgate's error envelope.
pub(crate) async fn unknown_route() -> ApiError {
    ApiError::not_found(codes::UNKNOWN_ROUTE, "İstenen kaynak bulunamadı")
}

/// The simulator's error codes below 10000 (validation and business rules). Codes above
/// 10000 are bank declines and live with the test cards.
pub(crate) mod codes {
    pub(crate) const CREDENTIAL_NOT_FOUND: &str = "1001";
    pub(crate) const BAD_SIGNATURE: &str = "1002";
    pub(crate) const AUTH_HEADER: &str = "1003";
    pub(crate) const MALFORMED: &str = "1004";
    pub(crate) const REQUIRED: &str = "1005";
    pub(crate) const INVALID: &str = "1006";
    pub(crate) const IDEMPOTENCY_MISMATCH: &str = "1007";
    pub(crate) const ITEMS_TOTAL: &str = "4001";
    pub(crate) const WALLET_NOT_SUPPORTED: &str = "4002";
    pub(crate) const INVALID_CARD_NUMBER: &str = "4151";
    pub(crate) const INVALID_EXPIRY: &str = "4152";
    pub(crate) const INVALID_CVC: &str = "4153";
    pub(crate) const UNKNOWN_ROUTE: &str = "5000";
    pub(crate) const PAYMENT_NOT_FOUND: &str = "5001";
    pub(crate) const CARD_NOT_FOUND: &str = "5002";
    pub(crate) const CARD_USER_NOT_FOUND: &str = "5003";
    pub(crate) const REFUND_NOT_FOUND: &str = "5004";
    pub(crate) const TRANSACTION_NOT_FOUND: &str = "5005";
    pub(crate) const BIN_NOT_FOUND: &str = "5006";
    pub(crate) const PAYMENT_STATE: &str = "5101";
    pub(crate) const POST_AUTH_AMOUNT: &str = "5102";
    pub(crate) const REFUND_AMOUNT: &str = "5103";
    pub(crate) const ALREADY_REFUNDED: &str = "5104";
    pub(crate) const THREE_DS_NOT_VERIFIED: &str = "5105";
}
