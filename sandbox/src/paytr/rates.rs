//! The simulated store's installment rates: one fixed table per card program, in
//! percent, and their exact JSON form for `/odeme/taksit-oranlari`.

// Installment counts index the rate table; no index may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use rust_decimal::Decimal;
use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// The highest installment count a non-business card may take (`max_inst_non_bus`).
pub(crate) const MAX_INST_NON_BUS: u8 = 9;

/// The lowest installment count PayTR quotes a rate for: `1` is the single payment.
const FIRST_COUNT: usize = 2;

/// Card program → the rate for 2, 3, … installments, in hundredths of a percent. A
/// program's list ends where its offer ends (bonus stops at 9, advantage at 7, …).
const RATES: [(&str, &[u32]); 9] = [
    (
        "world",
        &[206, 312, 415, 518, 620, 722, 824, 926, 1028, 1089, 1150],
    ),
    ("bonus", &[199, 299, 399, 499, 599, 699, 799, 899]),
    (
        "axess",
        &[215, 325, 430, 535, 640, 745, 850, 955, 1060, 1120, 1180],
    ),
    (
        "maximum",
        &[210, 318, 425, 530, 635, 740, 845, 950, 1055, 1110, 1165],
    ),
    (
        "cardfinans",
        &[220, 330, 440, 550, 660, 770, 880, 990, 1100, 1150, 1200],
    ),
    (
        "paraf",
        &[205, 310, 415, 520, 625, 730, 835, 940, 1045, 1095, 1145],
    ),
    ("advantage", &[225, 335, 445, 555, 665, 775]),
    ("combo", &[212, 318, 424, 530, 636, 742, 848, 954]),
    ("saglamkart", &[230, 345, 460, 575, 690, 805]),
];

/// The rate for `count` installments on `brand`'s cards, if that count is offered.
pub(crate) fn rate(brand: &str, count: usize) -> Option<Decimal> {
    let (_, rates) = RATES.iter().find(|(b, _)| *b == brand)?;
    let hundredths = rates.get(count.checked_sub(FIRST_COUNT)?)?;
    Some(Decimal::new(i64::from(*hundredths), 2).normalize())
}

/// The `oranlar` object: every program, each with its `taksit_N` rates. Rates are JSON
/// numbers written from the decimal's own digits (never through a float), or strings
/// when `as_strings` is set, the other spelling PayTR is read to use.
pub(crate) struct RatesTable {
    /// Write every rate as a JSON string instead of a number.
    pub as_strings: bool,
}

impl Serialize for RatesTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(RATES.len()))?;
        for (brand, rates) in RATES {
            map.serialize_entry(
                brand,
                &BrandRates {
                    brand,
                    count: rates.len(),
                    as_strings: self.as_strings,
                },
            )?;
        }
        map.end()
    }
}

struct BrandRates {
    brand: &'static str,
    count: usize,
    as_strings: bool,
}

impl Serialize for BrandRates {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.count))?;
        // `count` is the length of a fixed table, far below `usize::MAX`.
        for count in FIRST_COUNT..FIRST_COUNT.saturating_add(self.count) {
            let Some(rate) = rate(self.brand, count) else {
                continue;
            };
            let key = format!("taksit_{count}");
            if self.as_strings {
                map.serialize_entry(&key, &rate.to_string())?;
            } else {
                let number = RawValue::from_string(rate.to_string()).map_err(S::Error::custom)?;
                map.serialize_entry(&key, &number)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn rates_are_exact_and_end_where_the_offer_ends() {
        assert_eq!(rate("world", 2), Decimal::from_str("2.06").ok());
        assert_eq!(rate("world", 12), Decimal::from_str("11.5").ok());
        assert_eq!(rate("bonus", 9), Decimal::from_str("8.99").ok());
        assert_eq!(rate("bonus", 10), None);
        assert_eq!(rate("world", 13), None);
        assert_eq!(rate("world", 1), None);
        assert_eq!(rate("world", 0), None);
        assert_eq!(rate("none", 2), None);
    }

    #[test]
    fn every_program_rises_with_the_count_and_covers_the_documented_brands() {
        let brands: Vec<&str> = RATES.iter().map(|(b, _)| *b).collect();
        for brand in [
            "advantage",
            "axess",
            "combo",
            "bonus",
            "cardfinans",
            "maximum",
            "paraf",
            "world",
            "saglamkart",
        ] {
            assert!(brands.contains(&brand), "{brand}");
        }
        for (brand, rates) in RATES {
            assert!(rates.windows(2).all(|w| w[0] < w[1]), "{brand}");
            assert!((1..=11).contains(&rates.len()), "{brand}");
        }
    }

    #[test]
    fn serialized_as_exact_numbers_or_strings() {
        let numbers = serde_json::to_string(&RatesTable { as_strings: false }).unwrap();
        assert!(numbers.starts_with(r#"{"world":{"taksit_2":2.06,"taksit_3":3.12,"#));
        assert!(numbers.contains(r#""taksit_12":11.5}"#));
        assert!(numbers.contains(r#""bonus":{"taksit_2":1.99,"#));
        assert!(numbers.contains(r#""taksit_9":8.99},"axess""#));
        let strings = serde_json::to_string(&RatesTable { as_strings: true }).unwrap();
        assert!(strings.starts_with(r#"{"world":{"taksit_2":"2.06","taksit_3":"3.12","#));
        let value: serde_json::Value = serde_json::from_str(&strings).unwrap();
        assert_eq!(value["saglamkart"].as_object().unwrap().len(), 6);
    }
}
