//! The documented response objects: sale, transaction, card echo, vaulted card, plan.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Map, Value};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time, UtcOffset};

use super::cards::CardSummary;
use super::state::{Plan, Sale, StoredCard, Transaction};

const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
const SECONDS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// `2018-03-14T07:58:39.519707Z`.
pub(crate) fn timestamp(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(TIMESTAMP)
        .unwrap_or_default()
}

/// A plan's payment date: midnight in Istanbul (UTC+3), printed in UTC as the document
/// does (`2018-10-18T21:00:00Z` for 19 October).
pub(crate) fn payment_date(date: Date) -> String {
    let offset = UtcOffset::from_hms(3, 0, 0).unwrap_or(UtcOffset::UTC);
    date.with_time(Time::MIDNIGHT)
        .assume_offset(offset)
        .to_offset(UtcOffset::UTC)
        .format(SECONDS)
        .unwrap_or_default()
}

/// An amount as sale objects print it: a string with two places (`"24.00"`).
pub(crate) fn money(amount: Decimal) -> String {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded.to_string()
}

/// An amount as cancel and refund answers print it: a JSON number's text, shortest form
/// (`24`, `9.7`, `24.72`), written from the decimal digits, never through a float.
pub(crate) fn json_number(amount: Decimal) -> String {
    amount.normalize().to_string()
}

/// A JSON value written into a hand-assembled object.
pub(crate) enum Piece {
    Str(String),
    Number(Decimal),
    Int(u64),
    Bool(bool),
}

/// A 200 JSON answer assembled field by field, for the answers whose amounts are JSON
/// numbers (serde_json would need a float for those).
pub(crate) fn numbered_object(fields: &[(&str, Piece)]) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        numbered_json(fields),
    )
        .into_response()
}

fn numbered_json(fields: &[(&str, Piece)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(key, piece)| {
            let value = match piece {
                Piece::Str(s) => Value::from(s.as_str()).to_string(),
                Piece::Number(d) => json_number(*d),
                Piece::Int(n) => n.to_string(),
                Piece::Bool(b) => b.to_string(),
            };
            format!("{}: {}", Value::from(*key), value)
        })
        .collect();
    format!("{{{}}}", body.join(", "))
}

/// The URL `return_url` gets with the sale token appended (`?token=<sale_token>`).
pub(crate) fn return_url_with_token(return_url: Option<&str>, token: &str) -> String {
    let base = return_url.unwrap_or("");
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}token={token}")
}

fn opt(value: Option<&str>) -> Value {
    value.map_or(Value::Null, Value::from)
}

/// The sale object of the sale endpoints.
pub(crate) fn sale_object(sale: &Sale, now: OffsetDateTime) -> Map<String, Value> {
    let input = &sale.input;
    let items: Vec<Value> = input
        .items
        .iter()
        .map(|item| {
            json!({
                "name": item.name,
                "photo": item.photo,
                "quantity": item.quantity,
                "unit_price": money(item.unit_price),
            })
        })
        .collect();
    let transactions: Vec<Value> = sale
        .transactions
        .iter()
        .map(|t| transaction_object(t, sale))
        .collect();
    let mut map = Map::new();
    let mut put = |key: &str, value: Value| {
        map.insert(key.to_owned(), value);
    };
    put("request_id", Value::Null);
    put("sys_time", Value::from(now.unix_timestamp()));
    put("language_code", Value::from(input.language_code.as_str()));
    put("transactions", Value::from(transactions));
    put("currency", Value::from(input.currency.as_str()));
    put("order_id", Value::from(input.order_id.as_str()));
    put("amount", Value::from(money(input.amount)));
    put("installment", Value::from(input.installment));
    put("sale_token", Value::from(sale.token.as_str()));
    put("expires_at", Value::from(timestamp(sale.expires_at)));
    put("secure_option", Value::from(input.secure_option));
    put(
        "half_secure",
        input.half_secure.map_or(Value::Null, Value::from),
    );
    put("pre_auth", Value::from(input.pre_auth));
    put("return_url", opt(input.return_url.as_deref()));
    put(
        "customer_first_name",
        Value::from(input.customer_first_name.as_str()),
    );
    put(
        "customer_last_name",
        Value::from(input.customer_last_name.as_str()),
    );
    put("customer_email", Value::from(input.customer_email.as_str()));
    put(
        "customer_ip_address",
        Value::from(input.customer_ip_address.as_str()),
    );
    put("billing_city", Value::from(input.billing_city.as_str()));
    put(
        "billing_country",
        Value::from(input.billing_country.as_str()),
    );
    put("billing_zipcode", opt(input.billing_zipcode.as_deref()));
    put("billing_state", opt(input.billing_state.as_deref()));
    put("billing_phone", opt(input.billing_phone.as_deref()));
    put("sale_data", input.sale_data.clone());
    put("items", Value::from(items));
    put("created_at", Value::from(timestamp(sale.created_at)));
    put("callback_url", Value::Null);
    put("refunded_amount", Value::from(money(sale.refunded)));
    put("status", Value::from(sale.status.as_str()));
    put("financial_status", opt(sale.financial_status));
    put("description", opt(input.description.as_deref()));
    put("is_locked", Value::from(false));
    put("hosted_payment", Value::from(input.hosted_payment));
    put(
        "billing_address",
        Value::from(input.billing_address.as_str()),
    );
    put("billing_company", opt(input.billing_company.as_deref()));
    map
}

fn transaction_object(t: &Transaction, sale: &Sale) -> Value {
    let fraud = t.fraud.as_ref().map_or(Value::Null, |f| {
        json!({
            "id": f.id,
            "request_id": null,
            "sys_time": f.created_at.unix_timestamp(),
            "language_code": sale.input.language_code,
            "created_at": timestamp(f.created_at),
            "succeeded": true,
            "risk_score": money(f.risk_score),
            "decision": f.decision,
            "reviewer_decision": f.reviewer_decision,
            "reviewer_comments": f.reviewer_comments,
            "bin_country": t.card.as_ref().map(|c| c.bank.country),
            "bin_name": t.card.as_ref().map(|c| c.bank.brand),
            "ip_region": null,
            "ip_country": null,
            "ip_city": null,
            "ref_id": null,
            "error": null,
            "info_codes": null,
            "sale": sale.id,
            "transaction": null,
        })
    });
    let error = t.error.map_or(
        Value::Null,
        |e| json!({ "code": e.code, "message": e.message, "customer_message": e.customer_message }),
    );
    json!({
        "type": t.kind,
        "succeeded": t.succeeded,
        "error_message": t.error.map_or("", |e| e.message),
        "ref_id": "",
        "amount": money(t.amount),
        "currency": t.currency,
        "is_secure": t.is_secure,
        "secure_status": t.secure_status,
        "created_at": timestamp(t.created_at),
        "bin_number": t.card.as_ref().map(|c| c.bin.as_str()),
        "card_number_last4": t.card.as_ref().map(|c| c.last4.as_str()),
        "card_type": t.card.as_ref().map(|c| c.bank.card_type),
        "exchange_rate": null,
        "card_holder_name": t.card.as_ref().map(|c| c.holder_masked.as_str()),
        "card_fee": "0.00",
        "card_fee_rate": "0.00",
        "fraud_risk": fraud,
        "paytrek_ref_id": t.paytrek_ref_id,
        "paytrek_error": error,
    })
}

/// The card fields a charge answer echoes (`number` masked, `cvc` as `***`).
pub(crate) fn card_echo(map: &mut Map<String, Value>, card: &CardSummary) {
    map.insert("number".into(), Value::from(card.masked_number.as_str()));
    map.insert(
        "exp_month".into(),
        Value::from(format!("{:02}", card.exp_month)),
    );
    map.insert("exp_year".into(), Value::from(card.exp_year.to_string()));
    map.insert(
        "card_holder_name".into(),
        Value::from(card.holder_masked.as_str()),
    );
    map.insert("cvc".into(), Value::from("***"));
    map.insert("issuer_bank_id".into(), Value::from(card.bank.issuer));
}

/// The card fields a subscription's sale object carries.
pub(crate) fn card_fields(map: &mut Map<String, Value>, card: &StoredCard) {
    let bank = card.card.bank();
    map.insert("card_token".into(), Value::from(card.token.as_str()));
    map.insert("card_user_id".into(), Value::from(card.user_id.as_str()));
    map.insert("card_label".into(), Value::from(card.label.as_str()));
    map.insert("card_brand".into(), Value::from(bank.brand));
    map.insert("card_type".into(), Value::from(bank.card_type));
    map.insert("card_issuer".into(), Value::from(bank.issuer));
    map.insert("card_country".into(), Value::from(bank.country));
    map.insert("bin_number".into(), Value::from(card.card.bin()));
    map.insert("last4".into(), Value::from(card.card.last4()));
}

/// A vaulted card as the vault endpoints answer it.
pub(crate) fn vault_object(card: &StoredCard, now: OffsetDateTime, language: &str) -> Value {
    let bank = card.card.bank();
    json!({
        "request_id": null,
        "sys_time": now.unix_timestamp(),
        "language_code": language,
        "card_token": card.token,
        "created_at": timestamp(card.created_at),
        "bin_number": card.card.bin(),
        "last4": card.card.last4(),
        "card_brand": bank.brand,
        "card_type": bank.card_type,
        "card_user_id": card.user_id,
        "card_label": card.label,
        "card_issuer": bank.issuer,
        "card_country": bank.country,
    })
}

/// A subscription plan object.
pub(crate) fn plan_object(plan: &Plan, card: Option<&StoredCard>) -> Value {
    let vaults: Vec<Value> = card
        .map(|c| {
            let bank = c.card.bank();
            json!({
                "card_type": bank.card_type,
                "last4": c.card.last4(),
                "token": c.token,
                "card_brand": bank.brand,
            })
        })
        .into_iter()
        .collect();
    let subscriptions: Vec<Value> = plan
        .subscriptions
        .iter()
        .rev()
        .map(|s| {
            json!({
                "status": s.status,
                "payment_date": payment_date(s.payment_date),
                "subscription_token": s.token,
            })
        })
        .collect();
    json!({
        "cancelled_at": plan.cancelled_at.map(timestamp),
        "vaults": vaults,
        "name": plan.name,
        "plan_token": plan.token,
        "is_active": plan.is_active,
        "fixed_currency_amount": null,
        "subscriptions": subscriptions,
        "active_card_token": plan.is_active.then_some(plan.card_token.as_str()),
        "created_at": timestamp(plan.created_at),
        "description": plan.description,
    })
}

/// A 200 JSON answer.
pub(crate) fn ok(value: Value) -> Response {
    crate::util::json_answer(StatusCode::OK, &value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats() {
        assert_eq!(money(Decimal::new(24, 0)), "24.00");
        assert_eq!(money(Decimal::new(2472, 2)), "24.72");
        assert_eq!(json_number(Decimal::new(2400, 2)), "24");
        assert_eq!(json_number(Decimal::new(970, 2)), "9.7");
        assert_eq!(json_number(Decimal::new(2472, 2)), "24.72");
    }

    #[test]
    fn timestamps_match_the_document() {
        let at = time::macros::datetime!(2018-03-14 07:58:39.519707 UTC);
        assert_eq!(timestamp(at), "2018-03-14T07:58:39.519707Z");
        assert_eq!(
            payment_date(time::macros::date!(2018 - 10 - 19)),
            "2018-10-18T21:00:00Z"
        );
    }

    #[test]
    fn return_url_gets_the_token() {
        assert_eq!(return_url_with_token(None, "abc"), "?token=abc");
        assert_eq!(
            return_url_with_token(Some("https://m.example/r"), "abc"),
            "https://m.example/r?token=abc"
        );
        assert_eq!(
            return_url_with_token(Some("https://m.example/r?x=1"), "abc"),
            "https://m.example/r?x=1&token=abc"
        );
    }

    #[test]
    fn numbered_objects_are_json() {
        let text = numbered_json(&[
            ("amount", Piece::Number(Decimal::new(970, 2))),
            ("sale_token", Piece::Str("a\"b".into())),
            ("sale_id", Piece::Int(7)),
            ("succeeded", Piece::Bool(true)),
        ]);
        assert_eq!(
            text,
            r#"{"amount": 9.7, "sale_token": "a\"b", "sale_id": 7, "succeeded": true}"#
        );
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["sale_token"], "a\"b");
    }
}
