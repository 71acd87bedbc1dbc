//! How a payment's money is split per item: the customer's paid price is spread over the
//! items in proportion to their prices, a sub-merchant gets its share of the item's paid
//! price, and the simulator's commission is taken from what is left for the merchant.
//!
//! The rule (documented in `docs/craftgate.md`), all in exact decimals rounded half away
//! from zero to 2 places:
//! - item paid price = paidPrice × itemPrice / price, the last item taking the remainder so
//!   the items add up to paidPrice exactly;
//! - sub-merchant payout = item paid price × subMerchantMemberPrice / itemPrice;
//! - commission = item paid price × [`COMMISSION_RATE_PERCENT`] / 100, but never more than
//!   what the sub-merchant payout leaves of the item (so 0 when a sub-merchant gets the
//!   whole item);
//! - merchant payout = item paid price − sub-merchant payout − commission, never negative.
//!
//! So merchant payout + sub-merchant payout + commission = item paid price, always.

// Payout shares multiply and divide client amounts; a figure that does not fit is a
// validation error at the edge, never a panic after part of a payment is stored.
#![deny(clippy::arithmetic_side_effects)]

use rust_decimal::{Decimal, RoundingStrategy};

/// The commission the simulated Craftgate keeps on every item, in percent (`bankCommissionRate`).
pub const COMMISSION_RATE_PERCENT: Decimal = Decimal::from_parts(100, 0, 0, false, 2);

/// One item's price and optional sub-merchant share, as requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemShare {
    pub(crate) price: Decimal,
    pub(crate) sub_merchant_price: Option<Decimal>,
}

/// One item's computed amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemAmounts {
    pub(crate) paid_price: Decimal,
    pub(crate) merchant_commission_rate_amount: Decimal,
    pub(crate) commission: Decimal,
    pub(crate) sub_merchant_payout_rate: Option<Decimal>,
    pub(crate) sub_merchant_payout_amount: Option<Decimal>,
    pub(crate) merchant_payout_amount: Decimal,
}

fn money(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `part × 100 / whole`, rounded to 8 places; `None` when it does not fit.
fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    Some(
        part.checked_mul(Decimal::ONE_HUNDRED)?
            .checked_div(whole)?
            .round_dp_with_strategy(8, RoundingStrategy::MidpointAwayFromZero),
    )
}

/// The rate of the difference between paid price and price, in percent
/// (`merchantCommissionRate`); `None` when it does not fit in a decimal.
pub(crate) fn merchant_commission_rate(price: Decimal, paid_price: Decimal) -> Option<Decimal> {
    if price.is_zero() {
        return Some(Decimal::ZERO);
    }
    percent(paid_price.checked_sub(price)?, price)
}

/// Splits `paid_price` over `items`, whose prices add up to `price` (checked by the caller);
/// `None` when a figure does not fit in a decimal (the caller refuses the request).
pub(crate) fn split(
    items: &[ItemShare],
    price: Decimal,
    paid_price: Decimal,
) -> Option<Vec<ItemAmounts>> {
    let mut out = Vec::with_capacity(items.len());
    let mut allocated = Decimal::ZERO;
    let last = items.len().checked_sub(1);
    for (index, item) in items.iter().enumerate() {
        let item_paid = if Some(index) == last {
            paid_price.checked_sub(allocated)?
        } else if price.is_zero() {
            Decimal::ZERO
        } else {
            money(paid_price.checked_mul(item.price)?.checked_div(price)?)
        };
        allocated = allocated.checked_add(item_paid)?;
        let (rate, sub_payout) = match item.sub_merchant_price {
            Some(sub_price) if !item.price.is_zero() => (
                Some(percent(sub_price, item.price)?),
                Some(money(
                    item_paid.checked_mul(sub_price)?.checked_div(item.price)?,
                )),
            ),
            Some(_) => (Some(Decimal::ZERO), Some(Decimal::ZERO)),
            None => (None, None),
        };
        // A sub-merchant paid the whole item leaves nothing to take a commission from; a
        // negative merchant payout would be money the merchant owes on a sale.
        let left = item_paid
            .checked_sub(sub_payout.unwrap_or(Decimal::ZERO))?
            .max(Decimal::ZERO);
        let commission = money(
            item_paid
                .checked_mul(COMMISSION_RATE_PERCENT)?
                .checked_div(Decimal::ONE_HUNDRED)?,
        )
        .min(left);
        out.push(ItemAmounts {
            paid_price: item_paid,
            merchant_commission_rate_amount: item_paid.checked_sub(item.price)?,
            commission,
            sub_merchant_payout_rate: rate,
            sub_merchant_payout_amount: sub_payout,
            merchant_payout_amount: left.checked_sub(commission)?,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_documented_example_shape() {
        // price 30 paid 33 with a sub-merchant getting 27 of 30: the sub-merchant gets 90 %
        // of the paid 33, the merchant the rest less the 1 % commission.
        let out = split(
            &[ItemShare {
                price: d("30"),
                sub_merchant_price: Some(d("27")),
            }],
            d("30"),
            d("33"),
        )
        .unwrap();
        assert_eq!(out[0].paid_price, d("33"));
        assert_eq!(out[0].merchant_commission_rate_amount, d("3"));
        assert_eq!(out[0].sub_merchant_payout_rate, Some(d("90")));
        assert_eq!(out[0].sub_merchant_payout_amount, Some(d("29.70")));
        assert_eq!(out[0].commission, d("0.33"));
        assert_eq!(out[0].merchant_payout_amount, d("2.97"));
        assert_eq!(merchant_commission_rate(d("30"), d("33")), Some(d("10")));
    }

    #[test]
    fn items_add_up_to_paid_price_exactly() {
        let items = [
            ItemShare {
                price: d("33.33"),
                sub_merchant_price: None,
            },
            ItemShare {
                price: d("33.33"),
                sub_merchant_price: Some(d("20")),
            },
            ItemShare {
                price: d("33.34"),
                sub_merchant_price: None,
            },
        ];
        let out = split(&items, d("100"), d("107.77")).unwrap();
        let total: Decimal = out.iter().map(|a| a.paid_price).sum();
        assert_eq!(total, d("107.77"));
        for a in &out {
            assert_eq!(
                a.merchant_payout_amount
                    + a.commission
                    + a.sub_merchant_payout_amount.unwrap_or_default(),
                a.paid_price
            );
        }
        assert_eq!(out[0].paid_price, d("35.92"));
        assert_eq!(out[1].sub_merchant_payout_amount, Some(d("21.55")));
    }

    #[test]
    fn a_sub_merchant_paid_the_whole_item_leaves_no_negative_merchant_payout() {
        let out = split(
            &[ItemShare {
                price: d("30"),
                sub_merchant_price: Some(d("30")),
            }],
            d("30"),
            d("30"),
        )
        .unwrap();
        assert_eq!(out[0].sub_merchant_payout_amount, Some(d("30")));
        assert_eq!(out[0].commission, d("0"));
        assert_eq!(out[0].merchant_payout_amount, d("0"));

        // Nearly whole: the commission is capped by what the sub-merchant leaves.
        let out = split(
            &[ItemShare {
                price: d("100"),
                sub_merchant_price: Some(d("99.50")),
            }],
            d("100"),
            d("100"),
        )
        .unwrap();
        assert_eq!(out[0].sub_merchant_payout_amount, Some(d("99.50")));
        assert_eq!(out[0].commission, d("0.50"));
        assert_eq!(out[0].merchant_payout_amount, d("0.00"));
        for a in &out {
            assert!(a.merchant_payout_amount >= Decimal::ZERO);
            assert_eq!(
                a.merchant_payout_amount + a.commission + a.sub_merchant_payout_amount.unwrap(),
                a.paid_price
            );
        }
    }

    #[test]
    fn figures_that_do_not_fit_are_none_never_a_panic() {
        let huge = Decimal::MAX;
        let items = [
            ItemShare {
                price: huge,
                sub_merchant_price: None,
            },
            ItemShare {
                price: huge,
                sub_merchant_price: Some(huge),
            },
        ];
        assert_eq!(split(&items, huge, huge), None);
        assert_eq!(merchant_commission_rate(d("0.01"), huge), None);
        assert_eq!(
            merchant_commission_rate(Decimal::ZERO, huge),
            Some(Decimal::ZERO)
        );
    }
}
