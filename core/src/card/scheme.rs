//! The card's scheme and kind, from its number or from a provider's spelling of them.

use serde::{Deserialize, Serialize};

/// The card scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardAssociation {
    /// Visa.
    Visa,
    /// Mastercard.
    MasterCard,
    /// American Express.
    Amex,
    /// Troy (Türkiye's domestic scheme).
    Troy,
    /// JCB.
    Jcb,
    /// UnionPay.
    UnionPay,
    /// Maestro.
    Maestro,
    /// Discover.
    Discover,
    /// Diners Club.
    DinersClub,
}

impl CardAssociation {
    /// Guesses the scheme from the leading digits.
    pub fn from_number(digits: &str) -> Option<Self> {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
        match (prefix(1), prefix(2), prefix(4)) {
            (Some(4), _, _) => Some(Self::Visa),
            (_, Some(34 | 37), _) => Some(Self::Amex),
            (_, Some(51..=55), _) => Some(Self::MasterCard),
            (_, _, Some(2221..=2720)) => Some(Self::MasterCard),
            (_, Some(65), _) => Some(Self::Troy),
            (_, _, Some(9792)) => Some(Self::Troy),
            (_, _, Some(3528..=3589)) => Some(Self::Jcb),
            (_, Some(62), _) => Some(Self::UnionPay),
            (_, Some(50 | 56..=58), _) | (_, Some(67), _) => Some(Self::Maestro),
            (_, _, Some(6011)) => Some(Self::Discover),
            (_, Some(36 | 38), _) => Some(Self::DinersClub),
            _ => None,
        }
    }

    /// Parses a provider's spelling (`VISA`, `MASTER_CARD`, `MasterCard`, `Master Card`, ...).
    pub fn from_provider(text: &str) -> Option<Self> {
        // The letters and digits, lowercased, in a stack buffer: no spelling this matches is
        // longer, and a longer text is no brand.
        let mut buf = [0u8; 16];
        let mut len = 0usize;
        let mut letters = text.bytes().filter(u8::is_ascii_alphanumeric);
        for (slot, b) in buf.iter_mut().zip(letters.by_ref()) {
            *slot = b.to_ascii_lowercase();
            len = len.saturating_add(1);
        }
        if letters.next().is_some() {
            return None;
        }
        match buf.get(..len).unwrap_or_default() {
            b"visa" => Some(Self::Visa),
            b"mastercard" | b"master" | b"mc" => Some(Self::MasterCard),
            b"amex" | b"americanexpress" => Some(Self::Amex),
            b"troy" => Some(Self::Troy),
            b"jcb" => Some(Self::Jcb),
            b"unionpay" | b"cup" => Some(Self::UnionPay),
            b"maestro" => Some(Self::Maestro),
            b"discover" => Some(Self::Discover),
            b"dinersclub" | b"diners" => Some(Self::DinersClub),
            _ => None,
        }
    }
}

/// Credit, debit or prepaid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardType {
    /// A credit card.
    Credit,
    /// A debit card.
    Debit,
    /// A prepaid card.
    Prepaid,
}

impl CardType {
    /// Parses a provider's spelling (`CREDIT_CARD`, `credit`, `Debit`, ...).
    pub fn from_provider(text: &str) -> Option<Self> {
        let has = |word: &str| {
            text.as_bytes()
                .windows(word.len())
                .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
        };
        if has("credit") {
            Some(Self::Credit)
        } else if has("debit") {
            Some(Self::Debit)
        } else if has("prepaid") {
            Some(Self::Prepaid)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_spellings_are_read_in_place() {
        for (text, brand) in [
            ("VISA", Some(CardAssociation::Visa)),
            ("Master Card", Some(CardAssociation::MasterCard)),
            ("MasterCard", Some(CardAssociation::MasterCard)),
            ("American-Express", Some(CardAssociation::Amex)),
            ("dinersclub", Some(CardAssociation::DinersClub)),
            ("", None),
            ("visa card", None),
            // Longer than any spelling, even though it starts with one.
            ("americanexpressgold", None),
        ] {
            assert_eq!(CardAssociation::from_provider(text), brand, "{text}");
        }
        for (text, kind) in [
            ("credit", Some(CardType::Credit)),
            ("DEBIT_CARD", Some(CardType::Debit)),
            ("Prepaid", Some(CardType::Prepaid)),
            ("cre", None),
            ("", None),
        ] {
            assert_eq!(CardType::from_provider(text), kind, "{text}");
        }
    }
}
