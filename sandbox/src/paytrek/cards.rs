//! Card data as requests carry it: parsing, validation, masking and the issuer (BIN) table.

// Expiry years and card numbers come from clients; checking them may not overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::request::Fields;
use crate::util::luhn_valid;

/// What the simulator knows about an issuer range: what the installments endpoint and the
/// vault answer, and which installment counts the bank offers (with its commission rate).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BankInfo {
    pub bin: &'static str,
    pub brand: &'static str,
    pub card_type: &'static str,
    pub issuer: &'static str,
    pub country: &'static str,
    pub loyalty: Option<&'static str>,
    pub is_commercial: bool,
    /// Offered installment counts with the commission in thousandths of a percent
    /// (8065 = 8.065 %).
    pub plan: &'static [(u32, i64)],
}

impl BankInfo {
    /// The commission rate in percent for `installments`, if the bank offers that count.
    pub(crate) fn commission_percent(&self, installments: u32) -> Option<Decimal> {
        self.plan
            .iter()
            .find(|(n, _)| *n == installments)
            .map(|(_, rate)| Decimal::new(*rate, 3))
    }
}

const STANDARD_PLAN: &[(u32, i64)] = &[
    (1, 0),
    (2, 2500),
    (3, 3500),
    (6, 6000),
    (9, 8500),
    (12, 11000),
];
const SINGLE_PAYMENT: &[(u32, i64)] = &[(1, 0)];

const fn bank(
    bin: &'static str,
    brand: &'static str,
    card_type: &'static str,
    issuer: &'static str,
    loyalty: Option<&'static str>,
    plan: &'static [(u32, i64)],
) -> BankInfo {
    BankInfo {
        bin,
        brand,
        card_type,
        issuer,
        country: "TR",
        loyalty,
        is_commercial: false,
        plan,
    }
}

/// Known issuer ranges: the document's test cards, the installments example's BIN and the
/// simulator's own test ranges.
pub(crate) static BANKS: &[BankInfo] = &[
    bank(
        "450803",
        "visa",
        "credit",
        "isbank",
        Some("maximum"),
        STANDARD_PLAN,
    ),
    bank(
        "450634",
        "visa",
        "credit",
        "ykb",
        Some("world"),
        STANDARD_PLAN,
    ),
    bank(
        "435508",
        "visa",
        "credit",
        "akbank",
        Some("axess"),
        STANDARD_PLAN,
    ),
    bank(
        "545616",
        "mastercard",
        "credit",
        "finansbank",
        Some("cardfinans"),
        STANDARD_PLAN,
    ),
    // Rates chosen so that 123.00 reproduces the document's installments example exactly.
    bank(
        "510118",
        "mastercard",
        "credit",
        "denizbank",
        Some("bonus"),
        &[
            (1, 8065),
            (2, 8065),
            (3, 8065),
            (4, 4440),
            (5, 4440),
            (6, 4440),
        ],
    ),
    bank(
        "400000",
        "visa",
        "credit",
        "paytrek-test-bank",
        None,
        STANDARD_PLAN,
    ),
    bank(
        "410000",
        "visa",
        "credit",
        "paytrek-test-bank",
        None,
        STANDARD_PLAN,
    ),
    bank(
        "400056",
        "visa",
        "debit",
        "paytrek-test-bank",
        None,
        SINGLE_PAYMENT,
    ),
];

static UNKNOWN_VISA: BankInfo = bank("", "visa", "credit", "unknown", None, SINGLE_PAYMENT);
static UNKNOWN_MASTERCARD: BankInfo =
    bank("", "mastercard", "credit", "unknown", None, SINGLE_PAYMENT);
static UNKNOWN_AMEX: BankInfo = bank("", "amex", "credit", "unknown", None, SINGLE_PAYMENT);
static UNKNOWN_TROY: BankInfo = bank("", "troy", "credit", "unknown", None, SINGLE_PAYMENT);

/// The issuer range of a card number (or BIN); unknown ranges get a brand by prefix and
/// single payments only.
pub(crate) fn bank_for(number: &str) -> &'static BankInfo {
    if let Some(known) = BANKS.iter().find(|b| number.starts_with(b.bin)) {
        return known;
    }
    match number.as_bytes().first() {
        Some(b'5') | Some(b'2') => &UNKNOWN_MASTERCARD,
        Some(b'3') => &UNKNOWN_AMEX,
        Some(b'9') => &UNKNOWN_TROY,
        _ => &UNKNOWN_VISA,
    }
}

/// A card as a request carries it. The PAN and CVC never appear in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct CardData {
    pub number: String,
    pub exp_month: u8,
    pub exp_year: u16,
    /// Absent for a vaulted card: the vault never keeps the CVC.
    pub cvc: Option<String>,
    pub holder: Option<String>,
}

impl std::fmt::Debug for CardData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardData")
            .field("number", &self.masked_number())
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &self.cvc.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl CardData {
    /// The first six digits.
    pub(crate) fn bin(&self) -> &str {
        self.number.get(..6).unwrap_or("")
    }

    /// The last four digits.
    pub(crate) fn last4(&self) -> &str {
        self.number
            .get(self.number.len().saturating_sub(4)..)
            .unwrap_or("")
    }

    /// `450803******4509`, as the document's charge answers print it.
    pub(crate) fn masked_number(&self) -> String {
        let hidden = self.number.len().saturating_sub(10);
        format!("{}{}{}", self.bin(), "*".repeat(hidden), self.last4())
    }

    /// The issuer range.
    pub(crate) fn bank(&self) -> &'static BankInfo {
        bank_for(&self.number)
    }

    /// Whether the card's last valid month lies before `now`'s month.
    pub(crate) fn is_expired(&self, now: OffsetDateTime) -> bool {
        (self.exp_year, self.exp_month) < (now.year().clamp(0, 9999) as u16, u8::from(now.month()))
    }

    /// A summary without the PAN, for sale and transaction objects.
    pub(crate) fn summary(&self) -> CardSummary {
        CardSummary {
            bin: self.bin().to_owned(),
            last4: self.last4().to_owned(),
            masked_number: self.masked_number(),
            holder_masked: mask_holder(self.holder.as_deref()),
            exp_month: self.exp_month,
            exp_year: self.exp_year,
            bank: self.bank(),
        }
    }
}

/// What sale objects show of a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CardSummary {
    pub bin: String,
    pub last4: String,
    pub masked_number: String,
    pub holder_masked: String,
    pub exp_month: u8,
    pub exp_year: u16,
    pub bank: &'static BankInfo,
}

/// `J********`, as the document's charge answers print a holder name.
pub(crate) fn mask_holder(holder: Option<&str>) -> String {
    match holder.and_then(|h| h.chars().next()) {
        Some(first) => format!("{first}********"),
        None => String::new(),
    }
}

/// Parses `MM/YYYY` (every example) or `MM/YY` (what the tables say).
pub(crate) fn parse_expiration(text: &str) -> Option<(u8, u16)> {
    let (month, year) = text.trim().split_once('/')?;
    if month.len() != 2 || !(year.len() == 2 || year.len() == 4) {
        return None;
    }
    if !month
        .bytes()
        .chain(year.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let month: u8 = month.parse().ok()?;
    let year: u16 = year.parse().ok()?;
    let year = if year < 100 {
        year.checked_add(2000)?
    } else {
        year
    };
    (1..=12).contains(&month).then_some((month, year))
}

fn digits_of(fields: &mut Fields<'_>, name: &str, required: bool) -> Option<String> {
    let raw = fields.raw(name);
    match raw {
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ if required => fields.required_str(name),
        _ => fields.optional_str(name),
    }
}

/// Reads `number`, `expiration`, `cvc` and `card_holder_name` from a request.
pub(crate) fn read_card(fields: &mut Fields<'_>, holder_required: bool) -> Option<CardData> {
    let number = digits_of(fields, "number", true);
    let number = number.and_then(|n| {
        let ok = (13..=19).contains(&n.len()) && luhn_valid(&n);
        if !ok {
            fields.error("number", "Invalid card number.");
            fields.code("10009");
        }
        ok.then_some(n)
    });
    let expiration = fields.required_str("expiration").and_then(|e| {
        let parsed = parse_expiration(&e);
        if parsed.is_none() {
            fields.error(
                "expiration",
                "Invalid expiration date. Use the MM/YYYY format.",
            );
            fields.code("10032");
        }
        parsed
    });
    let cvc = digits_of(fields, "cvc", true).and_then(|c| {
        let ok = (3..=4).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            fields.error("cvc", "Invalid CVC. Use 3 or 4 digits.");
        }
        ok.then_some(c)
    });
    let holder = if holder_required {
        fields.required_str("card_holder_name")
    } else {
        fields.optional_str("card_holder_name")
    };
    let (exp_month, exp_year) = expiration?;
    Some(CardData {
        number: number?,
        exp_month,
        exp_year,
        cvc: Some(cvc?),
        holder,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expiration_formats() {
        assert_eq!(parse_expiration("12/2020"), Some((12, 2020)));
        assert_eq!(parse_expiration("08/19"), Some((8, 2019)));
        assert_eq!(parse_expiration("13/2030"), None);
        assert_eq!(parse_expiration("1/2030"), None);
        assert_eq!(parse_expiration("12-2030"), None);
        assert_eq!(parse_expiration("ab/2030"), None);
    }

    #[test]
    fn masks_match_the_document() {
        let card = CardData {
            number: "4508034508034509".into(),
            exp_month: 12,
            exp_year: 2030,
            cvc: Some("000".into()),
            holder: Some("John Doe".into()),
        };
        assert_eq!(card.masked_number(), "450803******4509");
        assert_eq!(card.summary().holder_masked, "J********");
        let debug = format!("{card:?}");
        assert!(
            !debug.contains("4508034508034509") && !debug.contains("000\""),
            "{debug}"
        );
    }

    #[test]
    fn expiry_is_end_of_month() {
        let now = time::macros::datetime!(2026-11-24 06:00 UTC);
        let card = |m, y| CardData {
            number: String::new(),
            exp_month: m,
            exp_year: y,
            cvc: None,
            holder: None,
        };
        assert!(!card(11, 2026).is_expired(now));
        assert!(card(10, 2026).is_expired(now));
        assert!(card(12, 2020).is_expired(now));
    }

    #[test]
    fn bins_resolve() {
        assert_eq!(bank_for("4508034508034509").issuer, "isbank");
        assert_eq!(bank_for("5456165456165454").brand, "mastercard");
        assert_eq!(bank_for("4111111111111111").issuer, "unknown");
        assert_eq!(bank_for("5555555555554444").brand, "mastercard");
    }

    #[test]
    fn read_card_refuses_bad_numbers() {
        let map = json!({"number": "4508034508034508", "expiration": "12/2030", "cvc": "000"});
        let map = map.as_object().unwrap();
        let mut fields = Fields::new(map);
        assert!(read_card(&mut fields, false).is_none());
        assert!(fields.has_errors());
    }
}
