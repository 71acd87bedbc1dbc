//! The amount formats PayTR uses: `"100.99"` in requests, kuruş integers in
//! notifications, and comma decimals without trailing zeros in the status query.

// Amounts come from clients; converting them may not overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use rust_decimal::Decimal;

/// Parses a Direct API `payment_amount` or refund `return_amount`: digits, optionally a
/// dot and exactly two decimals (`"100.99"`, `"150"`), more than zero. A comma (the tr-TR
/// locale pitfall) or a third decimal is refused.
pub(crate) fn parse_major(text: &str) -> Option<Decimal> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || whole.len() > 12 || fraction.is_some_and(|f| f.len() != 2 || !digits(f)) {
        return None;
    }
    let value: Decimal = text.parse().ok()?;
    (value > Decimal::ZERO).then_some(value)
}

/// Kuruş as a string (`"10099"` for 100.99), as notifications carry amounts.
pub(crate) fn to_kurus(amount: Decimal) -> String {
    // The digits of the amount at two decimals are its kuruş: no multiplication to
    // overflow. Rounding is the same half-to-even `round()` applies.
    let mut kurus = amount.round_dp(2);
    kurus.rescale(2);
    kurus.mantissa().to_string()
}

/// A decimal as the request formats it, with two decimals (`"100.90"`).
pub(crate) fn two_decimals(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

/// A decimal as the status query shows it: comma separator, no trailing zeros
/// (`"10,8"` for 10.80, `"150"` for 150.00).
pub(crate) fn status_format(amount: Decimal) -> String {
    amount.round_dp(2).normalize().to_string().replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::prelude::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn request_amounts() {
        assert_eq!(parse_major("100.99"), Some(d("100.99")));
        assert_eq!(parse_major("150"), Some(d("150")));
        assert_eq!(parse_major("100,99"), None);
        assert_eq!(parse_major("100.9"), None);
        assert_eq!(parse_major("100.999"), None);
        assert_eq!(parse_major("0.00"), None);
        assert_eq!(parse_major("-1.00"), None);
        assert_eq!(parse_major(""), None);
        assert_eq!(parse_major(".50"), None);
    }

    #[test]
    fn kurus_and_status_formats() {
        assert_eq!(to_kurus(d("100.99")), "10099");
        assert_eq!(to_kurus(d("150")), "15000");
        assert_eq!(status_format(d("10.80")), "10,8");
        assert_eq!(status_format(d("150.00")), "150");
        assert_eq!(status_format(d("100.99")), "100,99");
        assert_eq!(two_decimals(d("100.9")), "100.90");
    }
}
