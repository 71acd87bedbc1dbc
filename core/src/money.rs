//! Exact money: a `Decimal` amount in an ISO-4217 currency, never a float.

// Money arithmetic near `Decimal::MAX` panics or silently loses scale; every operation here
// must be checked.
#![deny(clippy::arithmetic_side_effects)]

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// An ISO-4217 currency that at least one of the providers takes.
///
/// The list is the union of the currencies in the providers' documents (Craftgate's enum,
/// PayTR's TL/USD/EUR/GBP/RUB, Paytrek's TRY/USD/EUR/GBP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Currency {
    /// Turkish lira.
    TRY,
    /// US dollar.
    USD,
    /// Euro.
    EUR,
    /// Pound sterling.
    GBP,
    /// Russian rouble.
    RUB,
    /// Japanese yen (no minor unit).
    JPY,
    /// Argentine peso.
    ARS,
    /// Brazilian real.
    BRL,
    /// Chinese yuan.
    CNY,
    /// UAE dirham.
    AED,
    /// Iraqi dinar (three decimals).
    IQD,
    /// Azerbaijani manat.
    AZN,
    /// Kazakhstani tenge.
    KZT,
    /// Kuwaiti dinar (three decimals).
    KWD,
    /// Saudi riyal.
    SAR,
    /// Bahraini dinar (three decimals).
    BHD,
    /// Egyptian pound.
    EGP,
    /// Mexican peso.
    MXN,
    /// Romanian leu.
    RON,
}

impl Currency {
    /// Every supported currency.
    pub const ALL: [Currency; 19] = [
        Currency::TRY,
        Currency::USD,
        Currency::EUR,
        Currency::GBP,
        Currency::RUB,
        Currency::JPY,
        Currency::ARS,
        Currency::BRL,
        Currency::CNY,
        Currency::AED,
        Currency::IQD,
        Currency::AZN,
        Currency::KZT,
        Currency::KWD,
        Currency::SAR,
        Currency::BHD,
        Currency::EGP,
        Currency::MXN,
        Currency::RON,
    ];

    /// The ISO-4217 alphabetic code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::TRY => "TRY",
            Currency::USD => "USD",
            Currency::EUR => "EUR",
            Currency::GBP => "GBP",
            Currency::RUB => "RUB",
            Currency::JPY => "JPY",
            Currency::ARS => "ARS",
            Currency::BRL => "BRL",
            Currency::CNY => "CNY",
            Currency::AED => "AED",
            Currency::IQD => "IQD",
            Currency::AZN => "AZN",
            Currency::KZT => "KZT",
            Currency::KWD => "KWD",
            Currency::SAR => "SAR",
            Currency::BHD => "BHD",
            Currency::EGP => "EGP",
            Currency::MXN => "MXN",
            Currency::RON => "RON",
        }
    }

    /// The number of digits after the decimal point of the minor unit (ISO-4217 exponent).
    pub fn exponent(self) -> u32 {
        match self {
            Currency::JPY => 0,
            Currency::IQD | Currency::KWD | Currency::BHD => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;

    /// Parses an ISO code; `TL` (PayTR's and Craftgate PHP's spelling) is read as TRY.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Compared case-insensitively in place: read on every provider answer, so no copy.
        let code = s.trim();
        if code.eq_ignore_ascii_case("TL") {
            return Ok(Currency::TRY);
        }
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code))
            .ok_or_else(|| Error::invalid("currency", format!("unknown currency code `{s}`")))
    }
}

/// Why a string that is not plain decimal notation is refused.
const NOT_PLAIN: &str =
    "is not a decimal number: write plain digits with at most one decimal separator";

/// An exact amount of money in one currency.
///
/// The amount is never negative and never carries more decimals than the currency's minor
/// unit; it is kept at exactly the currency's scale, so `24` TRY is stored as `24.00`.
/// Deserializing goes through the same checks as [`Money::new`], so money read from JSON
/// cannot be negative or over-precise either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "UncheckedMoney")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// The wire shape of [`Money`] before its checks.
#[derive(Deserialize)]
struct UncheckedMoney {
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<UncheckedMoney> for Money {
    type Error = Error;

    fn try_from(raw: UncheckedMoney) -> Result<Self, Self::Error> {
        Money::new(raw.amount, raw.currency)
    }
}

impl Money {
    /// The largest amount, in minor units (kuruş, cents), that a [`Money`] may hold:
    /// 999,999,999,999, so 9,999,999,999.99 TRY or 999,999,999.999 KWD.
    ///
    /// No provider takes anything near it (Hyperswitch caps amounts at 999,999,999 minor
    /// units; the Turkish providers' limits are far lower), so a real amount never meets it.
    /// It keeps every sum of a few line totals and every unit price times a `u32` quantity
    /// far inside `Decimal`'s range, keeps the amount at the currency's scale (`Decimal`
    /// cannot rescale amounts near its maximum) and makes [`Money::minor_units`] fit an i64.
    pub const MAX_MINOR_UNITS: i64 = 999_999_999_999;

    /// The number of digits before the decimal point of the largest amount in any currency;
    /// a longer whole part is refused as too large before it is read.
    const MAX_WHOLE_DIGITS: usize = 12;

    fn too_large(field: &str, currency: Currency) -> Error {
        Error::invalid(
            field,
            format!(
                "is too large: at most {} {currency}",
                Decimal::new(Self::MAX_MINOR_UNITS, currency.exponent())
            ),
        )
    }

    /// Money of `amount` in `currency`; zero is allowed (a refunded total may be zero).
    ///
    /// Rejects a negative amount and one with more decimals than the currency has.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, Error> {
        Self::checked("amount", amount, currency)
    }

    /// Like [`Money::new`], but the error names `field`.
    ///
    /// Also rejects an amount over [`Money::MAX_MINOR_UNITS`] minor units as too large.
    pub fn checked(field: &str, amount: Decimal, currency: Currency) -> Result<Self, Error> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(Error::invalid(field, "must not be negative"));
        }
        let normalized = amount.normalize();
        if normalized.scale() > currency.exponent() {
            return Err(Error::invalid(
                field,
                format!(
                    "has more decimals than {} allows ({})",
                    currency,
                    currency.exponent()
                ),
            ));
        }
        // Compared before rescaling: rescaling a huge amount silently keeps a smaller scale.
        if normalized > Decimal::new(Self::MAX_MINOR_UNITS, currency.exponent()) {
            return Err(Self::too_large(field, currency));
        }
        let mut amount = normalized;
        amount.rescale(currency.exponent());
        Ok(Self { amount, currency })
    }

    /// Money that must be strictly positive, as a charge, capture or refund amount must be.
    pub fn positive(field: &str, amount: Decimal, currency: Currency) -> Result<Self, Error> {
        let money = Self::checked(field, amount, currency)?;
        if money.amount.is_zero() {
            return Err(Error::invalid(field, "must be greater than zero"));
        }
        Ok(money)
    }

    /// Parses a plain decimal string such as `"100.99"`: ASCII digits with at most one
    /// decimal separator followed by at most the currency's decimals; surrounding whitespace
    /// is ignored. Signs, exponents (`"10e2"`), hex, underscores, inner spaces and thousands
    /// separators are refused, since a provider or caller writing them means something this
    /// cannot be sure of.
    ///
    /// A comma is read as the decimal separator (`"10,50"`, as PayTR writes amounts) only
    /// when it is the one separator and is followed by no more digits than the currency has
    /// decimals: `"1,000"` is refused as ambiguous rather than read as one lira.
    pub fn parse(field: &str, text: &str, currency: Currency) -> Result<Self, Error> {
        let trimmed = text.trim();
        let decimals_allowed = currency.exponent() as usize;
        let (whole, decimals) = match trimmed.split_once(['.', ',']) {
            None => (trimmed, None),
            Some((whole, decimals)) => (whole, Some(decimals)),
        };
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if let Some(decimals) = decimals {
            let comma = trimmed.contains(',');
            if comma
                && (decimals.contains([',', '.']) || decimals.len() > decimals_allowed)
                && all_digits(whole)
            {
                return Err(Error::invalid(
                    field,
                    "is ambiguous: write it with a dot as the decimal separator and no thousands separator",
                ));
            }
            if !all_digits(decimals) || !all_digits(whole) {
                return Err(Error::invalid(field, NOT_PLAIN));
            }
            if decimals.len() > decimals_allowed {
                return Err(Error::invalid(
                    field,
                    format!(
                        "has more decimals than {} allows ({})",
                        currency,
                        currency.exponent()
                    ),
                ));
            }
        } else if !all_digits(whole) {
            return Err(Error::invalid(field, NOT_PLAIN));
        }
        let significant = whole.trim_start_matches('0');
        if significant.len() > Self::MAX_WHOLE_DIGITS {
            return Err(Self::too_large(field, currency));
        }
        let significant = if significant.is_empty() {
            "0"
        } else {
            significant
        };
        let plain = match decimals {
            Some(decimals) => format!("{significant}.{decimals}"),
            None => significant.to_owned(),
        };
        // The grammar and length were checked above, so this cannot fail on a real input;
        // the error is kept rather than an unwrap.
        let amount = Decimal::from_str(&plain).map_err(|_| Error::invalid(field, NOT_PLAIN))?;
        Self::checked(field, amount, currency)
    }

    /// Money from an integer count of minor units (kuruş, cents).
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, Error> {
        Self::new(Decimal::new(minor, currency.exponent()), currency)
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        let mut amount = Decimal::ZERO;
        amount.rescale(currency.exponent());
        Self { amount, currency }
    }

    /// The amount, at the currency's scale.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// The amount in minor units (kuruş, cents); `None` only if it does not fit in an i64.
    pub fn minor_units(&self) -> Option<i64> {
        let mut scaled = self.amount;
        scaled.rescale(self.currency.exponent());
        i64::try_from(scaled.mantissa()).ok()
    }

    /// The amount as a plain string with exactly the currency's decimals and a dot, whatever
    /// the locale: `"100.99"`, `"24.00"`, `"150"` for JPY.
    pub fn to_decimal_string(&self) -> String {
        self.amount.to_string()
    }

    /// The sum, or an error when the currencies differ or the sum overflows.
    pub fn checked_add(&self, other: &Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| Error::invalid("amount", "overflows"))?;
        Money::new(sum, self.currency)
    }

    /// The difference, or an error when the currencies differ or it would be negative.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        let difference = self
            .amount
            .checked_sub(other.amount)
            .ok_or_else(|| Error::invalid("amount", "overflows"))?;
        Money::new(difference, self.currency)
    }

    fn same_currency(&self, other: &Money) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::invalid(
                "currency",
                format!(
                    "{} and {} cannot be combined",
                    self.currency, other.currency
                ),
            ))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn scale_sign_and_exponent_table() {
        let cases: &[(Decimal, Currency, Option<&str>)] = &[
            (dec!(100.99), Currency::TRY, Some("100.99")),
            (dec!(24), Currency::TRY, Some("24.00")),
            (dec!(24.50), Currency::USD, Some("24.50")),
            (dec!(24.500), Currency::EUR, Some("24.50")),
            (dec!(0.01), Currency::GBP, Some("0.01")),
            (dec!(100.999), Currency::TRY, None),
            (dec!(150), Currency::JPY, Some("150")),
            (dec!(150.0), Currency::JPY, Some("150")),
            (dec!(150.5), Currency::JPY, None),
            (dec!(1.234), Currency::KWD, Some("1.234")),
            (dec!(1.2345), Currency::KWD, None),
            (dec!(-1), Currency::TRY, None),
            (dec!(-0.01), Currency::USD, None),
            (dec!(0), Currency::TRY, Some("0.00")),
        ];
        for (amount, currency, expected) in cases {
            let got = Money::new(*amount, *currency)
                .map(|m| m.to_decimal_string())
                .ok();
            assert_eq!(got.as_deref(), *expected, "{amount} {currency}");
        }
    }

    #[test]
    fn positive_rejects_zero_and_names_field() {
        let err = Money::positive("refund.amount", dec!(0), Currency::TRY).unwrap_err();
        assert_eq!(err.invalid_field(), Some("refund.amount"));
        assert!(Money::positive("amount", dec!(0.01), Currency::TRY).is_ok());
        assert!(Money::positive("amount", dec!(0), Currency::JPY).is_err());
    }

    #[test]
    fn minor_units_round_trip() {
        let m = Money::new(dec!(100.99), Currency::TRY).unwrap();
        assert_eq!(m.minor_units(), Some(10099));
        assert_eq!(Money::from_minor(10099, Currency::TRY).unwrap(), m);
        let yen = Money::new(dec!(150), Currency::JPY).unwrap();
        assert_eq!(yen.minor_units(), Some(150));
        let kwd = Money::from_minor(1234, Currency::KWD).unwrap();
        assert_eq!(kwd.to_decimal_string(), "1.234");
    }

    #[test]
    fn deserializing_runs_the_checks() {
        let ok: Money = serde_json::from_str(r#"{"amount":"10.5","currency":"TRY"}"#).unwrap();
        assert_eq!(ok.to_decimal_string(), "10.50");
        for bad in [
            r#"{"amount":"-100.00","currency":"TRY"}"#,
            r#"{"amount":"10.001","currency":"TRY"}"#,
            r#"{"amount":"1.5","currency":"JPY"}"#,
        ] {
            assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ambiguous_commas_are_refused() {
        for bad in ["1,000", "1.000,50", "1,000.50", "1,2,3"] {
            assert!(Money::parse("a", bad, Currency::TRY).is_err(), "{bad}");
        }
        assert_eq!(
            Money::parse("a", "10,8", Currency::TRY)
                .unwrap()
                .to_decimal_string(),
            "10.80"
        );
        assert!(
            Money::parse("a", "1,000", Currency::KWD).is_ok(),
            "three decimals in KWD"
        );
    }

    #[test]
    fn parse_comma_or_dot() {
        assert_eq!(
            Money::parse("a", "10,50", Currency::TRY)
                .unwrap()
                .to_decimal_string(),
            "10.50"
        );
        assert_eq!(
            Money::parse("a", " 10.5 ", Currency::TRY)
                .unwrap()
                .to_decimal_string(),
            "10.50"
        );
        assert!(Money::parse("a", "ten", Currency::TRY).is_err());
    }

    #[test]
    fn currency_codes() {
        assert_eq!("TL".parse::<Currency>().unwrap(), Currency::TRY);
        assert_eq!("usd".parse::<Currency>().unwrap(), Currency::USD);
        assert_eq!(" tl ".parse::<Currency>().unwrap(), Currency::TRY);
        assert_eq!("Eur".parse::<Currency>().unwrap(), Currency::EUR);
        assert!("TRYX".parse::<Currency>().is_err());
        assert!("XXX".parse::<Currency>().is_err());
        for c in Currency::ALL {
            assert_eq!(c.code().parse::<Currency>().unwrap(), c);
        }
    }

    #[test]
    fn arithmetic_checks_currency_and_sign() {
        let a = Money::new(dec!(10), Currency::TRY).unwrap();
        let b = Money::new(dec!(4.5), Currency::TRY).unwrap();
        assert_eq!(a.checked_sub(&b).unwrap().to_decimal_string(), "5.50");
        assert!(b.checked_sub(&a).is_err());
        assert!(a
            .checked_add(&Money::new(dec!(1), Currency::USD).unwrap())
            .is_err());
    }

    fn reason(err: &Error) -> String {
        err.to_string()
    }

    #[test]
    fn huge_parse_is_too_large_not_a_smaller_scale() {
        let err =
            Money::parse("amount", "1000000000000000000000000000", Currency::TRY).unwrap_err();
        assert_eq!(err.invalid_field(), Some("amount"));
        assert!(reason(&err).contains("too large"), "{err}");
        let err = Money::new(dec!(50000000000000000000000000000), Currency::TRY).unwrap_err();
        assert!(reason(&err).contains("too large"), "{err}");
    }

    #[test]
    fn the_bound_is_inclusive_and_enforced_everywhere() {
        let max = Money::from_minor(Money::MAX_MINOR_UNITS, Currency::TRY).unwrap();
        assert_eq!(max.to_decimal_string(), "9999999999.99");
        assert_eq!(max.minor_units(), Some(Money::MAX_MINOR_UNITS));
        assert_eq!(
            Money::parse("a", "9999999999.99", Currency::TRY).unwrap(),
            max
        );
        let over = Money::MAX_MINOR_UNITS.checked_add(1).unwrap();
        for err in [
            Money::from_minor(over, Currency::TRY).unwrap_err(),
            Money::parse("a", "10000000000", Currency::TRY).unwrap_err(),
            Money::new(dec!(10000000000.00), Currency::TRY).unwrap_err(),
            max.checked_add(&Money::from_minor(1, Currency::TRY).unwrap())
                .unwrap_err(),
        ] {
            assert!(reason(&err).contains("too large"), "{err}");
        }
        let json = serde_json::from_str::<Money>(r#"{"amount":"10000000000","currency":"TRY"}"#)
            .unwrap_err();
        assert!(json.to_string().contains("too large"), "{json}");
        assert_eq!(
            Money::from_minor(Money::MAX_MINOR_UNITS, Currency::JPY)
                .unwrap()
                .to_decimal_string(),
            "999999999999"
        );
        assert!(Money::parse("a", "1000000000000", Currency::JPY).is_err());
    }

    #[test]
    fn only_plain_decimal_notation_is_read() {
        for bad in [
            "10e2",
            "1E3",
            "+10",
            "-10",
            "0x10",
            "1_000",
            "1 000",
            "10. 5",
            "1.000.000",
            "1'000",
            "",
            ".5",
            "5.",
            "١٠",
            "10.5.",
            "NaN",
            "inf",
        ] {
            let err = Money::parse("refund.amount", bad, Currency::TRY).unwrap_err();
            assert_eq!(err.invalid_field(), Some("refund.amount"), "{bad}");
        }
        assert!(
            Money::parse("a", "1.000", Currency::TRY).is_err(),
            "three decimals in TRY"
        );
        assert_eq!(
            Money::parse("a", "007.5", Currency::TRY)
                .unwrap()
                .to_decimal_string(),
            "7.50"
        );
        assert_eq!(
            Money::parse("a", "0000000000000000000000000000000001", Currency::TRY)
                .unwrap()
                .to_decimal_string(),
            "1.00"
        );
    }
}
