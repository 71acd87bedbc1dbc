//! `GET /api/v2/installments/?bin_number=&amount=`: each bank's installment options with
//! the commission, computed exactly in decimal.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::cards::{BankInfo, BANKS};
use super::errors::ApiError;
use super::pagination::{param, query_pairs};
use super::render::{money, ok};
use super::request::{parse_amount, Fields};
use super::Shared;

fn round(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// One installment option, as the document's example prints it: the commission is added
/// to `total_amount` and (as the example shows) subtracted in `total_amount_wo_commission`.
pub(crate) fn option(bank: &BankInfo, number: u32, amount: Decimal) -> Option<Value> {
    let rate = bank.commission_percent(number)?;
    // An option whose figures do not fit is left out instead of panicking the handler.
    let commission = round(
        amount
            .checked_mul(rate)?
            .checked_div(Decimal::ONE_HUNDRED)?,
    );
    let total = amount.checked_add(commission)?;
    let each = round(total.checked_div(Decimal::from(number))?);
    let without = amount.checked_sub(commission)?;
    Some(json!({
        "number": number,
        "commission": money(commission),
        "instalment_amounts": money(each),
        "total_amount": money(total),
        "total_amount_wo_commission": money(without),
    }))
}

fn bank_entry(bank: &BankInfo, amount: Decimal) -> Value {
    let installments: Vec<Value> = bank
        .plan
        .iter()
        .filter_map(|(n, _)| option(bank, *n, amount))
        .collect();
    json!({
        "card_brand": bank.brand,
        "card_type": bank.card_type,
        "card_issuer": bank.issuer,
        "card_country": bank.country,
        "loyalty": bank.loyalty,
        "is_commercial": bank.is_commercial,
        "installments": installments,
    })
}

/// `GET /api/v2/installments/`. Without `bin_number`, every known bank answers; with an
/// unknown one, `banks` is empty.
pub(crate) async fn list(
    State(_shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(query.as_deref());
    let empty = serde_json::Map::new();
    let mut fields = Fields::new(&empty);
    let amount = match param(&pairs, "amount") {
        None | Some("") => {
            fields.error("amount", "This field is required.");
            None
        }
        Some(text) => parse_amount(&Value::from(text))
            .map_err(|m| fields.error("amount", m))
            .ok(),
    };
    let bin = param(&pairs, "bin_number").filter(|b| !b.is_empty());
    if let Some(bin) = bin {
        if !(6..=8).contains(&bin.len()) || !bin.bytes().all(|b| b.is_ascii_digit()) {
            fields.error(
                "bin_number",
                "Enter the first 6 (to 8) digits of the card number.",
            );
        }
    }
    fields.finish()?;
    let Some(amount) = amount else {
        return Err(ApiError::field("amount", "This field is required."));
    };
    let banks: Vec<Value> = BANKS
        .iter()
        .filter(|b| bin.is_none_or(|bin| bin.starts_with(b.bin)))
        .map(|b| bank_entry(b, amount))
        .collect();
    Ok(ok(json!({
        "sys_time": OffsetDateTime::now_utc().unix_timestamp(),
        "language_code": "en-us",
        "bin_number": bin,
        "amount": money(amount),
        "banks": banks,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paytrek::cards::bank_for;

    /// The document's example: BIN 510118, amount 123.00.
    #[test]
    fn reproduces_the_documented_example() {
        let bank = bank_for("510118");
        let amount = Decimal::new(12300, 2);
        let expected = [
            (1, "9.92", "132.92", "132.92", "113.08"),
            (2, "9.92", "66.46", "132.92", "113.08"),
            (3, "9.92", "44.31", "132.92", "113.08"),
            (4, "5.46", "32.12", "128.46", "117.54"),
            (5, "5.46", "25.69", "128.46", "117.54"),
            (6, "5.46", "21.41", "128.46", "117.54"),
        ];
        for (n, commission, each, total, without) in expected {
            let got = option(bank, n, amount).unwrap();
            assert_eq!(got["commission"], commission, "{n}");
            assert_eq!(got["instalment_amounts"], each, "{n}");
            assert_eq!(got["total_amount"], total, "{n}");
            assert_eq!(got["total_amount_wo_commission"], without, "{n}");
        }
        assert!(option(bank, 7, amount).is_none());
    }
}
