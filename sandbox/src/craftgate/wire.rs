//! Request bodies exactly as Craftgate's clients spell them (camelCase, amounts as JSON
//! numbers). Every field is optional here so that the validation in the handlers can name
//! the missing field the way Craftgate does, instead of a generic parse error.

use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};

use super::amount;
use super::errors::ApiError;

/// Parses a JSON body, refusing anything that is not the endpoint's object.
pub(crate) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed("istek gövdesi boş"));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::malformed(format!("line {} column {}", e.line(), e.column())))
}

/// A string field that some clients send as a number (`"expireYear": 2044`).
fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(D::Error::custom("expected a string")),
    }
}

/// `card` of a payment request: a new card, or a stored one by `cardUserKey` + `cardToken`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CardRequest {
    pub(crate) card_holder_name: Option<String>,
    pub(crate) card_number: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    pub(crate) expire_year: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    pub(crate) expire_month: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    pub(crate) cvc: Option<String>,
    pub(crate) card_alias: Option<String>,
    pub(crate) card_user_key: Option<String>,
    pub(crate) card_token: Option<String>,
    pub(crate) store_card_after_success_payment: Option<bool>,
}

/// One of `items[]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ItemRequest {
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "amount::de_opt")]
    pub(crate) price: Option<Decimal>,
    pub(crate) external_id: Option<String>,
    pub(crate) sub_merchant_member_id: Option<i64>,
    #[serde(default, deserialize_with = "amount::de_opt")]
    pub(crate) sub_merchant_member_price: Option<Decimal>,
    pub(crate) blockage_day: Option<i64>,
}

/// `CreatePaymentRequest`, also the body of `3ds-init` (with `callbackUrl`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatePaymentRequest {
    #[serde(default, deserialize_with = "amount::de_opt")]
    pub(crate) price: Option<Decimal>,
    #[serde(default, deserialize_with = "amount::de_opt")]
    pub(crate) paid_price: Option<Decimal>,
    #[serde(default, deserialize_with = "amount::de_opt")]
    pub(crate) wallet_price: Option<Decimal>,
    pub(crate) installment: Option<i64>,
    pub(crate) currency: Option<String>,
    pub(crate) payment_group: Option<String>,
    pub(crate) payment_phase: Option<String>,
    pub(crate) payment_channel: Option<String>,
    pub(crate) conversation_id: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) pos_alias: Option<String>,
    pub(crate) buyer_member_id: Option<i64>,
    pub(crate) card: Option<CardRequest>,
    pub(crate) items: Option<Vec<ItemRequest>>,
    pub(crate) callback_url: Option<String>,
}

/// `{"paymentId": ...}` of `3ds-complete`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentIdRequest {
    pub(crate) payment_id: Option<u64>,
}

/// `{"paidPrice": ...}` of `post-auth`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostAuthRequest {
    #[serde(default, deserialize_with = "amount::de_opt")]
    pub(crate) paid_price: Option<Decimal>,
}

/// `RefundPaymentRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefundPaymentRequest {
    pub(crate) payment_id: Option<u64>,
    pub(crate) conversation_id: Option<String>,
    pub(crate) refund_destination_type: Option<String>,
}

/// `RefundPaymentTransactionRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefundTransactionRequest {
    pub(crate) payment_transaction_id: Option<u64>,
    pub(crate) conversation_id: Option<String>,
    #[serde(default, deserialize_with = "amount::de_opt")]
    pub(crate) refund_price: Option<Decimal>,
    pub(crate) refund_destination_type: Option<String>,
}

/// `StoreCardRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoreCardRequest {
    pub(crate) card_holder_name: Option<String>,
    pub(crate) card_number: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    pub(crate) expire_year: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    pub(crate) expire_month: Option<String>,
    pub(crate) card_alias: Option<String>,
    pub(crate) card_user_key: Option<String>,
}

/// `DeleteStoredCardRequest`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeleteCardRequest {
    pub(crate) card_user_key: Option<String>,
    pub(crate) card_token: Option<String>,
}

/// A present, non-blank string field or the "required" error naming it.
pub(crate) fn required<'a>(value: &'a Option<String>, field: &str) -> Result<&'a str, ApiError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::required(field)),
    }
}

/// Query parameters as (name, decoded value) pairs, blank values dropped (Node's client
/// sends `name=` for every unset field of a search request).
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    let Some(raw) = raw else { return Vec::new() };
    url::form_urlencoded::parse(raw.as_bytes())
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The value of query parameter `name`.
pub(crate) fn query_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `page` and `size` of a list request (defaults 0 and 10).
pub(crate) fn paging(pairs: &[(String, String)]) -> Result<(usize, usize), ApiError> {
    let page = match query_value(pairs, "page") {
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ApiError::invalid("page", "bir sayı olmalı"))?,
        None => 0,
    };
    let size = match query_value(pairs, "size") {
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ApiError::invalid("size", "bir sayı olmalı"))?,
        None => 10,
    };
    if size == 0 || size > 1000 {
        return Err(ApiError::invalid("size", "1 ile 1000 arasında olmalı"));
    }
    Ok((page, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_python_client_body() {
        let body = br#"{"card":{"cardHolderName":"Haluk Demir","cardNumber":"5258640000000001","cvc":"000","expireMonth":"07","expireYear":"2044","storeCardAfterSuccessPayment":false},"conversationId":"c1","currency":"TRY","installment":1,"items":[{"name":"a","price":30.0}],"paidPrice":30.0,"price":30.0,"walletPrice":0.0}"#;
        let r: CreatePaymentRequest = parse(body).unwrap();
        assert_eq!(r.price, Some(Decimal::from(30)));
        assert_eq!(r.card.unwrap().expire_year.as_deref(), Some("2044"));
    }

    #[test]
    fn numbers_for_text_fields_and_bad_json() {
        let r: StoreCardRequest = parse(br#"{"expireYear":2044,"expireMonth":7}"#).unwrap();
        assert_eq!(r.expire_year.as_deref(), Some("2044"));
        assert!(parse::<StoreCardRequest>(b"{not json").is_err());
        assert!(parse::<StoreCardRequest>(b"").is_err());
    }

    #[test]
    fn query_parsing() {
        let pairs = query_pairs(Some("cardUserKey=a%20b&cardToken=&page=1"));
        assert_eq!(query_value(&pairs, "cardUserKey"), Some("a b"));
        assert_eq!(query_value(&pairs, "cardToken"), None);
        assert_eq!(paging(&pairs).unwrap(), (1, 10));
        assert!(paging(&query_pairs(Some("size=0"))).is_err());
    }
}
