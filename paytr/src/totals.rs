//! What the customer pays for each installment count: PayTR gives the store's rates, not
//! amounts, so the adapter applies the project's rule (see `installments`).
//!
//! For `N` installments at rate `r` percent: total = amount × (1 + r/100) rounded half-up
//! to the currency's decimals; each installment = total / N rounded the same way;
//! commission = total − amount. A single payment costs the amount itself.

// Installment totals multiply caller amounts by PayTR's rates; every operation must be checked.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use odeme_core::{Error, InstallmentOption, Money, Result};
use rust_decimal::{Decimal, RoundingStrategy};

/// The most installments PayTR takes.
pub(crate) const MAX_INSTALLMENTS: u8 = 12;

fn overflow() -> Error {
    Error::invalid("amount", "is too large to compute installments for")
}

fn round(value: Decimal, money_like: &Money) -> Decimal {
    // Every value here is positive, so away from zero is half-up.
    value.round_dp_with_strategy(
        money_like.currency().exponent(),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

/// The single payment: the amount, no commission.
pub(crate) fn single_payment(amount: &Money) -> InstallmentOption {
    InstallmentOption {
        count: 1,
        installment_amount: *amount,
        total: *amount,
        commission_rate: Some(Decimal::ZERO),
        commission: Some(Money::zero(amount.currency())),
    }
}

/// `count` installments of `amount` at `rate` percent (`rate` not negative, `count` ≥ 2).
pub(crate) fn installment(amount: &Money, count: u8, rate: Decimal) -> Result<InstallmentOption> {
    let factor = Decimal::ONE_HUNDRED
        .checked_add(rate)
        .ok_or_else(overflow)?
        .checked_div(Decimal::ONE_HUNDRED)
        .ok_or_else(overflow)?;
    let total = round(
        amount.amount().checked_mul(factor).ok_or_else(overflow)?,
        amount,
    );
    let each = round(
        total
            .checked_div(Decimal::from(count))
            .ok_or_else(overflow)?,
        amount,
    );
    let total = Money::new(total, amount.currency())?;
    Ok(InstallmentOption {
        count,
        installment_amount: Money::new(each, amount.currency())?,
        commission: Some(total.checked_sub(amount)?),
        total,
        commission_rate: Some(rate),
    })
}

/// Every option of one card program: the single payment, then each offered count up to
/// `max_count`, in ascending order.
pub(crate) fn options(
    amount: &Money,
    rates: &BTreeMap<u8, Decimal>,
    max_count: u8,
) -> Result<Vec<InstallmentOption>> {
    let mut options = vec![single_payment(amount)];
    let highest = max_count.min(MAX_INSTALLMENTS);
    // `range` panics on an empty range, which a cap of 0 or 1 would make.
    if highest >= 2 {
        for (&count, &rate) in rates.range(2..=highest) {
            options.push(installment(amount, count, rate)?);
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::Currency;
    use rust_decimal_macros::dec;

    fn try_(amount: Decimal) -> Money {
        Money::new(amount, Currency::TRY).unwrap()
    }

    #[test]
    fn total_each_and_commission() {
        // 1000 × 1.0206 = 1020.60; 1020.60 / 2 = 510.30.
        let o = installment(&try_(dec!(1000)), 2, dec!(2.06)).unwrap();
        assert_eq!(o.count, 2);
        assert_eq!(o.total, try_(dec!(1020.60)));
        assert_eq!(o.installment_amount, try_(dec!(510.30)));
        assert_eq!(o.commission, Some(try_(dec!(20.60))));
        assert_eq!(o.commission_rate, Some(dec!(2.06)));
        // 1000 × 1.115 = 1115.00; 1115 / 12 = 92.91666… → 92.92.
        let o = installment(&try_(dec!(1000)), 12, dec!(11.5)).unwrap();
        assert_eq!(o.total, try_(dec!(1115.00)));
        assert_eq!(o.installment_amount, try_(dec!(92.92)));
        assert_eq!(o.commission, Some(try_(dec!(115.00))));
    }

    #[test]
    fn rounding_is_half_up_on_both_steps() {
        // 100.10 × 1.0305 = 103.15305 → 103.15 (down); 103.15 / 3 = 34.38333… → 34.38.
        let o = installment(&try_(dec!(100.10)), 3, dec!(3.05)).unwrap();
        assert_eq!(o.total, try_(dec!(103.15)));
        assert_eq!(o.installment_amount, try_(dec!(34.38)));
        // 50 × 1.0309 = 51.545 exactly: a half, rounded up to 51.55, not to even (51.54).
        let o = installment(&try_(dec!(50)), 2, dec!(3.09)).unwrap();
        assert_eq!(o.total, try_(dec!(51.55)));
        // 51.55 / 2 = 25.775: a half again, up to 25.78.
        assert_eq!(o.installment_amount, try_(dec!(25.78)));
        assert_eq!(o.commission, Some(try_(dec!(1.55))));
        // 10 × 1.0345 = 10.345 → 10.35; 10.35 / 6 = 1.725 → 1.73.
        let o = installment(&try_(dec!(10)), 6, dec!(3.45)).unwrap();
        assert_eq!(o.total, try_(dec!(10.35)));
        assert_eq!(o.installment_amount, try_(dec!(1.73)));
    }

    #[test]
    fn zero_rate_costs_the_amount() {
        let o = installment(&try_(dec!(99.99)), 3, Decimal::ZERO).unwrap();
        assert_eq!(o.total, try_(dec!(99.99)));
        assert_eq!(o.installment_amount, try_(dec!(33.33)));
        assert_eq!(o.commission, Some(try_(dec!(0))));
    }

    #[test]
    fn single_payment_is_the_amount() {
        let o = single_payment(&try_(dec!(123.45)));
        assert_eq!(o.count, 1);
        assert_eq!(o.total, try_(dec!(123.45)));
        assert_eq!(o.installment_amount, try_(dec!(123.45)));
        assert_eq!(o.commission, Some(try_(dec!(0))));
        assert_eq!(o.commission_rate, Some(Decimal::ZERO));
    }

    #[test]
    fn options_are_capped_and_ascending() {
        let rates: BTreeMap<u8, Decimal> = [
            (2, dec!(2.06)),
            (3, dec!(3.12)),
            (6, dec!(6.4)),
            (9, dec!(9.1)),
            (12, dec!(11.5)),
        ]
        .into_iter()
        .collect();
        let amount = try_(dec!(1000));
        let counts = |max| -> Vec<u8> {
            options(&amount, &rates, max)
                .unwrap()
                .iter()
                .map(|o| o.count)
                .collect()
        };
        assert_eq!(counts(12), vec![1, 2, 3, 6, 9, 12]);
        assert_eq!(counts(9), vec![1, 2, 3, 6, 9]);
        assert_eq!(counts(8), vec![1, 2, 3, 6]);
        assert_eq!(counts(1), vec![1]);
        assert_eq!(counts(0), vec![1]);
        assert_eq!(counts(255), vec![1, 2, 3, 6, 9, 12]);
        assert_eq!(options(&amount, &BTreeMap::new(), 12).unwrap().len(), 1);
    }

    #[test]
    fn huge_amounts_fail_instead_of_panicking() {
        let rate = Decimal::MAX - dec!(200);
        let err = installment(&try_(dec!(1000)), 2, rate).unwrap_err();
        assert_eq!(err.invalid_field(), Some("amount"));
        assert!(installment(&try_(dec!(1000)), 2, Decimal::MAX).is_err());
    }
}
