//! Installment options (`GET /installment/v1/installments`) and BIN lookup
//! (`GET /installment/v1/bins/{bin}`), from the simulator's BIN table.

// Installment totals multiply the client's price by rates; a figure that does not fit is a
// validation error, never a panic.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::amount;
use super::errors::{codes, data, ApiError, ApiResult};
use super::payments::CURRENCIES;
use super::payouts::COMMISSION_RATE_PERCENT;
use super::test_cards::{bin_info, BinInfo};
use super::wire;
use super::Shared;

/// The installment counts a credit card is offered; debit and prepaid cards get only 1.
const CREDIT_INSTALLMENTS: &[u32] = &[1, 2, 3, 6, 9, 12];

/// The BINs listed when the request names none (one per card family).
const LISTED_BINS: &[&str] = &["525864", "454671", "979204", "374427", "404308"];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InstallmentPriceView {
    pos_alias: String,
    installment_number: u32,
    #[serde(serialize_with = "amount::ser")]
    installment_price: Decimal,
    #[serde(serialize_with = "amount::ser")]
    bank_commission_rate: Decimal,
    #[serde(serialize_with = "amount::ser")]
    merchant_commission_rate: Decimal,
    #[serde(serialize_with = "amount::ser")]
    total_price: Decimal,
    installment_label: String,
    loyalty_supported: bool,
    force3ds: bool,
    cvc_required: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InstallmentView {
    bin_number: String,
    #[serde(serialize_with = "amount::ser")]
    price: Decimal,
    card_type: &'static str,
    card_association: &'static str,
    card_brand: &'static str,
    bank_name: &'static str,
    bank_code: u32,
    force3ds: bool,
    cvc_required: bool,
    commercial: bool,
    installment_prices: Vec<InstallmentPriceView>,
}

#[derive(Serialize)]
struct ItemsView<T> {
    items: Vec<T>,
}

/// The rate the customer pays on top for `n` installments, in percent (1 % per month
/// beyond the first; none for a single payment).
pub(crate) fn merchant_commission_rate(n: u32) -> Decimal {
    if n <= 1 {
        Decimal::ZERO
    } else {
        Decimal::from(n)
    }
}

fn money(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The options of one BIN; `None` when a figure does not fit in a decimal.
fn options(info: &BinInfo, price: Decimal) -> Option<InstallmentView> {
    let counts: &[u32] = if info.card_type == "CREDIT_CARD" {
        CREDIT_INSTALLMENTS
    } else {
        &[1]
    };
    let installment_prices = counts
        .iter()
        .map(|&n| {
            let rate = merchant_commission_rate(n);
            let total = money(
                price
                    .checked_mul(Decimal::ONE_HUNDRED.checked_add(rate)?)?
                    .checked_div(Decimal::ONE_HUNDRED)?,
            );
            Some(InstallmentPriceView {
                pos_alias: format!("sim-pos-{}", info.bank_code),
                installment_number: n,
                installment_price: money(total.checked_div(Decimal::from(n))?),
                bank_commission_rate: COMMISSION_RATE_PERCENT,
                merchant_commission_rate: rate,
                total_price: total,
                installment_label: if n == 1 {
                    "Tek Çekim".to_owned()
                } else {
                    format!("{n} Taksit")
                },
                loyalty_supported: info.card_type == "CREDIT_CARD",
                force3ds: false,
                cvc_required: true,
            })
        })
        .collect::<Option<_>>()?;
    Some(InstallmentView {
        bin_number: info.bin.clone(),
        price,
        card_type: info.card_type,
        card_association: info.association,
        card_brand: info.brand,
        bank_name: info.bank_name,
        bank_code: info.bank_code,
        force3ds: false,
        cvc_required: true,
        commercial: info.commercial,
        installment_prices,
    })
}

fn valid_bin(bin: &str) -> bool {
    (6..=8).contains(&bin.len()) && bin.bytes().all(|b| b.is_ascii_digit())
}

/// `GET /installment/v1/installments?binNumber=&price=&currency=`.
pub(crate) async fn search(
    State(_shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let pairs = wire::query_pairs(query.as_deref());
    let price_text =
        wire::query_value(&pairs, "price").ok_or_else(|| ApiError::required("price"))?;
    let price =
        amount::parse(price_text).ok_or_else(|| ApiError::invalid("price", "bir tutar olmalı"))?;
    let price = super::payments::positive_amount(Some(price), "price")?;
    if let Some(currency) = wire::query_value(&pairs, "currency") {
        if !CURRENCIES.contains(&currency) {
            return Err(ApiError::invalid("currency", "desteklenmeyen para birimi"));
        }
    }
    let too_large = || ApiError::invalid("price", "en fazla 9999999999.99 olabilir");
    let items = match wire::query_value(&pairs, "binNumber") {
        Some(bin) if !valid_bin(bin) => {
            return Err(ApiError::invalid(
                "binNumber",
                "6 ile 8 hane arasında olmalı",
            ))
        }
        Some(bin) => match bin_info(bin) {
            Some(info) => vec![options(&info, price).ok_or_else(too_large)?],
            None => Vec::new(),
        },
        None => LISTED_BINS
            .iter()
            .filter_map(|b| bin_info(b))
            .map(|info| options(&info, price).ok_or_else(too_large))
            .collect::<Result<_, _>>()?,
    };
    Ok(data(ItemsView { items }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BinView {
    bin_number: String,
    card_type: &'static str,
    card_association: &'static str,
    card_brand: &'static str,
    bank_name: &'static str,
    bank_code: u32,
    commercial: bool,
}

/// `GET /installment/v1/bins/{bin}`.
pub(crate) async fn bin(State(_shared): State<Arc<Shared>>, Path(bin): Path<String>) -> ApiResult {
    if !valid_bin(&bin) {
        return Err(ApiError::invalid(
            "binNumber",
            "6 ile 8 hane arasında olmalı",
        ));
    }
    let info = bin_info(&bin)
        .ok_or_else(|| ApiError::not_found(codes::BIN_NOT_FOUND, "BIN bulunamadı"))?;
    Ok(data(BinView {
        bin_number: info.bin,
        card_type: info.card_type,
        card_association: info.association,
        card_brand: info.brand,
        bank_name: info.bank_name,
        bank_code: info.bank_code,
        commercial: info.commercial,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debit_cards_get_one_installment() {
        let debit = bin_info("404308").unwrap();
        assert_eq!(
            options(&debit, Decimal::from(100))
                .unwrap()
                .installment_prices
                .len(),
            1
        );
        let credit = bin_info("525864").unwrap();
        let view = options(&credit, Decimal::from(100)).unwrap();
        assert_eq!(view.installment_prices.len(), 6);
        let three = &view.installment_prices[2];
        assert_eq!(three.total_price, Decimal::from(103));
        assert_eq!(three.installment_price, Decimal::new(3433, 2));
        // A price whose total does not fit in a decimal is no option, never a panic.
        assert!(options(&credit, Decimal::MAX).is_none());
    }
}
