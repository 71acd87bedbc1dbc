//! Card data: the number, expiry, CVC and holder name, validated and redacted.
//!
//! The number and CVC live in zeroizing buffers, and `Debug`/`Display` show at most the BIN
//! and the last four digits; the CVC is never shown.

// Expiry years and Luhn sums come from caller input; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::Error;

mod scheme;

pub use scheme::{CardAssociation, CardType};

/// A primary account number: digits only, 12-19 long, Luhn-valid.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(Zeroizing<String>);

impl CardNumber {
    /// Parses a card number; spaces and dashes between digit groups are removed.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let digits: Zeroizing<String> =
            Zeroizing::new(input.chars().filter(|c| *c != ' ' && *c != '-').collect());
        if digits.is_empty() {
            return Err(Error::invalid("card.number", "is empty"));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("card.number", "must contain only digits"));
        }
        if !(12..=19).contains(&digits.len()) {
            return Err(Error::invalid(
                "card.number",
                "must be 12 to 19 digits long",
            ));
        }
        if !luhn_valid(&digits) {
            return Err(Error::invalid("card.number", "fails the Luhn check"));
        }
        Ok(Self(digits))
    }

    /// The full number, for the adapter that must send it. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first six digits (the bank identification number).
    pub fn bin(&self) -> &str {
        self.0.get(..6).unwrap_or("")
    }

    /// The last four digits.
    pub fn last4(&self) -> &str {
        self.0.get(self.0.len().saturating_sub(4)..).unwrap_or("")
    }

    /// The number with every digit between the BIN and the last four masked.
    pub fn masked(&self) -> String {
        let hidden = self.0.len().saturating_sub(10);
        format!("{}{}{}", self.bin(), "*".repeat(hidden), self.last4())
    }

    /// The card association guessed from the number's prefix.
    pub fn association(&self) -> Option<CardAssociation> {
        CardAssociation::from_number(&self.0)
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Whether a string of ASCII digits passes the Luhn check.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            // Every byte is an ASCII digit (checked above), so `d` is 0-9 and doubling it
            // stays below 19.
            let d = u32::from(b.saturating_sub(b'0'));
            let doubled = d.saturating_mul(2);
            match (i % 2 == 1, doubled) {
                (true, doubled) if doubled > 9 => doubled.saturating_sub(9),
                (true, doubled) => doubled,
                (false, _) => d,
            }
        })
        // A digit string too long to sum is no card number.
        .try_fold(0u32, u32::checked_add);
    sum.is_some_and(|sum| sum % 10 == 0)
}

/// A card's expiry month and four-digit year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Expiry {
    month: u8,
    year: u16,
}

impl Expiry {
    /// An expiry from a month (1-12) and a two- or four-digit year (`30` is 2030).
    pub fn new(month: u8, year: u16) -> Result<Self, Error> {
        if !(1..=12).contains(&month) {
            return Err(Error::invalid("card.expiry.month", "must be 1 to 12"));
        }
        let year = match year {
            0..=99 => year.saturating_add(2000),
            2000..=2099 => year,
            _ => {
                return Err(Error::invalid(
                    "card.expiry.year",
                    "must be two digits or a four-digit year 2000-2099",
                ))
            }
        };
        Ok(Self { month, year })
    }

    /// Parses `MM/YY`, `MM/YYYY`, `MMYY` or `MM-YYYY`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let (m, y) = match cleaned.split_once(['/', '-']) {
            Some(parts) => parts,
            // `split_at` counts bytes: only ASCII text splits into month and year there.
            None if cleaned.is_ascii() && (cleaned.len() == 4 || cleaned.len() == 6) => {
                cleaned.split_at(2)
            }
            None => {
                return Err(Error::invalid(
                    "card.expiry",
                    "must look like MM/YY or MM/YYYY",
                ))
            }
        };
        if !(y.len() == 2 || y.len() == 4) {
            return Err(Error::invalid(
                "card.expiry.year",
                "must have two or four digits",
            ));
        }
        let month = m
            .parse::<u8>()
            .map_err(|_| Error::invalid("card.expiry.month", "is not a number"))?;
        let year = y
            .parse::<u16>()
            .map_err(|_| Error::invalid("card.expiry.year", "is not a number"))?;
        Self::new(month, year)
    }

    /// The month, 1-12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The four-digit year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The two-digit year.
    pub fn year_2(&self) -> u16 {
        self.year % 100
    }

    /// Whether the card has expired by `year`/`month`: a card is valid through the last day
    /// of its expiry month.
    pub fn is_expired_at(&self, year: u16, month: u8) -> bool {
        (self.year, self.month) < (year, month)
    }

    /// Whether the card has expired today (UTC).
    pub fn is_expired(&self) -> bool {
        let (year, month) = current_year_month();
        self.is_expired_at(year, month)
    }
}

/// Today's year and month in UTC.
pub fn current_year_month() -> (u16, u8) {
    let now = time::OffsetDateTime::now_utc();
    (
        u16::try_from(now.year()).unwrap_or(u16::MAX),
        u8::from(now.month()),
    )
}

/// A card verification code: 3 or 4 digits. Never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Cvc(Zeroizing<String>);

impl Cvc {
    /// Parses a CVC.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let digits = Zeroizing::new(input.trim().to_owned());
        if !(3..=4).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("card.cvc", "must be 3 or 4 digits"));
        }
        Ok(Self(digits))
    }

    /// The CVC, for the adapter that must send it. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(***)")
    }
}

/// A card to charge or store.
#[derive(Clone, PartialEq, Eq)]
pub struct Card {
    number: CardNumber,
    expiry: Expiry,
    cvc: Cvc,
    holder_name: String,
}

impl Card {
    /// A validated card; an expired card is rejected.
    pub fn new(number: &str, expiry: Expiry, cvc: &str, holder_name: &str) -> Result<Self, Error> {
        let (year, month) = current_year_month();
        Self::new_at(number, expiry, cvc, holder_name, year, month)
    }

    /// Like [`Card::new`], judging expiry against `year`/`month` instead of today.
    pub fn new_at(
        number: &str,
        expiry: Expiry,
        cvc: &str,
        holder_name: &str,
        year: u16,
        month: u8,
    ) -> Result<Self, Error> {
        let number = CardNumber::parse(number)?;
        if expiry.is_expired_at(year, month) {
            return Err(Error::invalid("card.expiry", "the card has expired"));
        }
        let cvc = Cvc::parse(cvc)?;
        let holder_name = holder_name.trim();
        if holder_name.is_empty() {
            return Err(Error::invalid("card.holder_name", "is empty"));
        }
        if holder_name.chars().count() > 100 {
            return Err(Error::invalid(
                "card.holder_name",
                "is longer than 100 characters",
            ));
        }
        Ok(Self {
            number,
            expiry,
            cvc,
            holder_name: holder_name.to_owned(),
        })
    }

    /// The number.
    pub fn number(&self) -> &CardNumber {
        &self.number
    }

    /// The expiry.
    pub fn expiry(&self) -> Expiry {
        self.expiry
    }

    /// The CVC.
    pub fn cvc(&self) -> &Cvc {
        &self.cvc
    }

    /// The holder's name as printed on the card.
    pub fn holder_name(&self) -> &str {
        &self.holder_name
    }

    /// What may be shown of this card.
    pub fn summary(&self) -> CardSummary {
        CardSummary {
            bin: Some(self.number.bin().to_owned()),
            last4: Some(self.number.last4().to_owned()),
            association: self.number.association(),
            ..CardSummary::default()
        }
    }
}

impl fmt::Debug for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The holder name is personal data, so it is left out along with the CVC.
        f.debug_struct("Card")
            .field("number", &self.number)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:02}/{}",
            self.number, self.expiry.month, self.expiry.year
        )
    }
}

/// What may be shown about a card: never more than the BIN and the last four digits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSummary {
    /// The first six (or eight) digits.
    pub bin: Option<String>,
    /// The last four digits.
    pub last4: Option<String>,
    /// The program brand (Bonus, World, Axess, ...), as the provider names it.
    pub brand: Option<String>,
    /// The scheme.
    pub association: Option<CardAssociation>,
    /// Credit, debit or prepaid.
    pub card_type: Option<CardType>,
    /// The issuing bank's name.
    pub bank: Option<String>,
    /// Whether it is a business (commercial) card.
    pub commercial: Option<bool>,
}

/// The length [`CardSummary::masked`] masks to: a summary does not know the number's length,
/// and 16 digits is the length of nearly every Visa and Mastercard number.
const SUMMARY_MASK_LEN: usize = 16;

impl CardSummary {
    /// The card number as far as the summary knows it, masked the way
    /// [`CardNumber::masked`] masks a 16-digit number: the BIN, `*` for each hidden digit,
    /// the last four (`450803******4509`). A missing part is stars too; `None` when neither
    /// part is known. At most eight BIN digits and four last digits are ever shown, whatever
    /// the provider sent.
    pub fn masked(&self) -> Option<String> {
        if self.bin.is_none() && self.last4.is_none() {
            return None;
        }
        let bin: String = self.bin.iter().flat_map(|b| b.chars()).take(8).collect();
        let last4: String = {
            let last4 = self.last4.as_deref().unwrap_or("");
            let skip = last4.chars().count().saturating_sub(4);
            last4.chars().skip(skip).collect()
        };
        let hidden = SUMMARY_MASK_LEN
            .saturating_sub(bin.chars().count())
            .saturating_sub(last4.chars().count());
        Some(format!("{bin}{}{last4}", "*".repeat(hidden)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VISA: &str = "4508034508034509";

    #[test]
    fn summary_masks_like_a_card_number() {
        let number = CardNumber::parse(VISA).unwrap();
        let summary = CardSummary {
            bin: Some(number.bin().to_owned()),
            last4: Some(number.last4().to_owned()),
            ..CardSummary::default()
        };
        assert_eq!(summary.masked().as_deref(), Some(number.masked().as_str()));
        let only_last4 = CardSummary {
            last4: Some("4509".into()),
            ..CardSummary::default()
        };
        assert_eq!(only_last4.masked().as_deref(), Some("************4509"));
        let eight_digit_bin = CardSummary {
            bin: Some("45080345".into()),
            last4: Some("4509".into()),
            ..CardSummary::default()
        };
        assert_eq!(
            eight_digit_bin.masked().as_deref(),
            Some("45080345****4509")
        );
        // Whatever a provider sends, no more than eight and four digits are shown.
        let too_much = CardSummary {
            bin: Some(VISA.into()),
            last4: Some(VISA.into()),
            ..CardSummary::default()
        };
        assert_eq!(too_much.masked().as_deref(), Some("45080345****4509"));
        assert_eq!(CardSummary::default().masked(), None);
    }

    #[test]
    fn luhn_and_length_table() {
        let cases: &[(&str, Result<(), &str>)] = &[
            (VISA, Ok(())),
            ("4508 0345 0803 4509", Ok(())),
            ("4508-0345-0803-4509", Ok(())),
            ("5406675406675403", Ok(())),
            ("9792030394440796", Ok(())),
            ("4508034508034508", Err("card.number")),
            ("", Err("card.number")),
            ("4508a34508034509", Err("card.number")),
            ("42424242424", Err("card.number")),
            ("42424242424242424242", Err("card.number")),
            ("378282246310005", Ok(())),
        ];
        for (input, expected) in cases {
            let got = CardNumber::parse(input)
                .map(|_| ())
                .map_err(|e| e.invalid_field().map(str::to_owned));
            match expected {
                Ok(()) => assert!(got.is_ok(), "{input} should be valid"),
                Err(field) => assert_eq!(got.unwrap_err().as_deref(), Some(*field), "{input}"),
            }
        }
    }

    #[test]
    fn expiry_normalization_and_month_boundaries() {
        assert_eq!(Expiry::new(12, 30).unwrap().year(), 2030);
        assert_eq!(Expiry::new(1, 2031).unwrap().year(), 2031);
        assert!(Expiry::new(0, 30).is_err());
        assert!(Expiry::new(13, 30).is_err());
        assert!(Expiry::new(5, 1999).is_err());
        assert!(Expiry::new(5, 2100).is_err());
        assert_eq!(
            Expiry::parse("12/2030").unwrap(),
            Expiry::new(12, 2030).unwrap()
        );
        assert_eq!(
            Expiry::parse("12/30").unwrap(),
            Expiry::new(12, 2030).unwrap()
        );
        assert_eq!(
            Expiry::parse("0130").unwrap(),
            Expiry::new(1, 2030).unwrap()
        );
        assert!(Expiry::parse("1/2/3").is_err());
        assert!(Expiry::parse("12/203").is_err());
        // Found by the `card` fuzz target (fuzz/README.md): four or six bytes that are not
        // four or six characters used to split inside a character and panic.
        assert!(Expiry::parse("1\u{e9}1").is_err());
        assert!(Expiry::parse("\u{e9}\u{e9}\u{e9}").is_err());
        assert!(Expiry::parse("1\u{20ac}12").is_err());

        let may_2026 = Expiry::new(5, 2026).unwrap();
        assert!(!may_2026.is_expired_at(2026, 4), "valid before its month");
        assert!(
            !may_2026.is_expired_at(2026, 5),
            "valid through the last day of its month"
        );
        assert!(may_2026.is_expired_at(2026, 6), "expired the month after");
        assert!(may_2026.is_expired_at(2027, 1));
        let dec = Expiry::new(12, 2026).unwrap();
        assert!(!dec.is_expired_at(2026, 12));
        assert!(dec.is_expired_at(2027, 1), "year boundary");
    }

    #[test]
    fn card_rejects_expired_and_bad_cvc() {
        let exp = Expiry::new(12, 2026).unwrap();
        assert!(Card::new_at(VISA, exp, "000", "A B", 2026, 12).is_ok());
        let err = Card::new_at(VISA, exp, "000", "A B", 2027, 1).unwrap_err();
        assert_eq!(err.invalid_field(), Some("card.expiry"));
        for bad in ["", "12", "12345", "12a", " "] {
            let err = Card::new_at(VISA, exp, bad, "A B", 2026, 1).unwrap_err();
            assert_eq!(err.invalid_field(), Some("card.cvc"), "{bad:?}");
        }
        assert!(Card::new_at(VISA, exp, "1234", "A B", 2026, 1).is_ok());
        let err = Card::new_at(VISA, exp, "123", "  ", 2026, 1).unwrap_err();
        assert_eq!(err.invalid_field(), Some("card.holder_name"));
    }

    #[test]
    fn redaction_shows_bin_and_last_four_only() {
        let card = Card::new(VISA, Expiry::new(12, 2099).unwrap(), "987", "Jane Doe").unwrap();
        for text in [
            format!("{card:?}"),
            format!("{card}"),
            format!("{:?}", card.number()),
            format!("{:?}", card.cvc()),
        ] {
            assert!(!text.contains(VISA), "{text}");
            assert!(!text.contains("987"), "{text}");
            assert!(!text.contains("0345080"), "{text}");
        }
        assert_eq!(card.number().masked(), "450803******4509");
    }

    #[test]
    fn associations() {
        assert_eq!(
            CardAssociation::from_number(VISA),
            Some(CardAssociation::Visa)
        );
        assert_eq!(
            CardAssociation::from_number("5406675406675403"),
            Some(CardAssociation::MasterCard)
        );
        assert_eq!(
            CardAssociation::from_number("9792030394440796"),
            Some(CardAssociation::Troy)
        );
        assert_eq!(
            CardAssociation::from_number("378282246310005"),
            Some(CardAssociation::Amex)
        );
        assert_eq!(
            CardAssociation::from_provider("MASTER_CARD"),
            Some(CardAssociation::MasterCard)
        );
        assert_eq!(
            CardType::from_provider("CREDIT_CARD"),
            Some(CardType::Credit)
        );
    }
}
