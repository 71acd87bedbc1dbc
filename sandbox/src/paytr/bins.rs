//! The simulated BIN database: the one place that says which bank, card program, card
//! type and scheme a card number belongs to. The BIN lookup, the card list (`c_bank`,
//! `c_brand`, …) and the status query's `kart_marka` all read it, so they cannot disagree.
//!
//! The bank data is invented for the simulation; it only has to be consistent.

/// What PayTR knows about a BIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BinInfo {
    /// The issuing bank (`bank`, `c_bank`).
    pub bank: &'static str,
    /// The installment program (`brand`, `c_brand`); `none` when the card is in none.
    pub brand: &'static str,
    /// `credit` or `debit` (`cardType`, `c_type`).
    pub card_type: &'static str,
    /// A business (commercial) card: `businessCard` `y`.
    pub business: bool,
    /// `VISA`, `MASTERCARD`, `AMEX` or `TROY`.
    pub schema: &'static str,
}

impl BinInfo {
    /// `businessCard` as PayTR spells it.
    pub fn business_flag(&self) -> &'static str {
        if self.business {
            "y"
        } else {
            "n"
        }
    }
}

/// The brand of a card that belongs to no installment program.
pub(crate) const NO_PROGRAM: &str = "none";

/// Six-digit BIN → card data. Covers the BINs of every card in `test_cards`.
const TABLE: [(&str, BinInfo); 5] = [
    // The official VISA test card and every designated card.
    (
        "435508",
        BinInfo {
            bank: "Akbank",
            brand: "axess",
            card_type: "credit",
            business: false,
            schema: "VISA",
        },
    ),
    // The official Mastercard test card.
    (
        "540667",
        BinInfo {
            bank: "Garanti BBVA",
            brand: "bonus",
            card_type: "credit",
            business: false,
            schema: "MASTERCARD",
        },
    ),
    // The official TROY test card: a debit card, so in no installment program.
    (
        "979203",
        BinInfo {
            bank: "Halkbank",
            brand: NO_PROGRAM,
            card_type: "debit",
            business: false,
            schema: "TROY",
        },
    ),
    (
        "454360",
        BinInfo {
            bank: "Yapı Kredi",
            brand: "world",
            card_type: "credit",
            business: false,
            schema: "VISA",
        },
    ),
    // A business card: not bound by the store's `max_inst_non_bus`.
    (
        "552879",
        BinInfo {
            bank: "Yapı Kredi",
            brand: "world",
            card_type: "credit",
            business: true,
            schema: "MASTERCARD",
        },
    ),
];

/// The card data for a number's BIN (its first six digits), if the simulator knows it.
/// An eight-digit BIN is looked up by its first six: the table has no finer entries.
pub(crate) fn lookup(number: &str) -> Option<BinInfo> {
    let bin = number.get(..6)?;
    TABLE.iter().find(|(b, _)| *b == bin).map(|(_, info)| *info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paytr::test_cards::{BIN_PROFILE_CARDS, DESIGNATED_CARDS, OFFICIAL_CARDS};

    fn all_test_cards() -> Vec<&'static str> {
        let mut all: Vec<&str> = OFFICIAL_CARDS.to_vec();
        all.extend(DESIGNATED_CARDS.iter().map(|(n, _)| *n));
        all.extend(BIN_PROFILE_CARDS);
        all
    }

    #[test]
    fn every_test_card_has_a_bin_entry() {
        for card in all_test_cards() {
            assert!(lookup(card).is_some(), "{card}");
        }
    }

    #[test]
    fn schema_agrees_with_the_first_digit() {
        for (bin, info) in TABLE {
            let expected = match bin.as_bytes()[0] {
                b'4' => "VISA",
                b'2' | b'5' => "MASTERCARD",
                b'3' => "AMEX",
                b'9' => "TROY",
                _ => "OTHER",
            };
            assert_eq!(info.schema, expected, "{bin}");
        }
    }

    #[test]
    fn the_table_has_a_debit_card_in_no_program_and_a_business_card() {
        assert!(TABLE
            .iter()
            .any(|(_, i)| i.card_type == "debit" && i.brand == NO_PROGRAM));
        assert!(TABLE.iter().any(|(_, i)| i.business));
        let mut bins: Vec<&str> = TABLE.iter().map(|(b, _)| *b).collect();
        bins.sort_unstable();
        bins.dedup();
        assert_eq!(bins.len(), TABLE.len());
    }

    #[test]
    fn lookup_by_six_or_eight_digits_or_full_number() {
        let akbank = lookup("435508").unwrap();
        assert_eq!(akbank.bank, "Akbank");
        assert_eq!(lookup("43550843"), Some(akbank));
        assert_eq!(lookup("4355084355084358"), Some(akbank));
        assert_eq!(lookup("5528790000000008").unwrap().business_flag(), "y");
        assert_eq!(lookup("4355084355084358").unwrap().business_flag(), "n");
        assert_eq!(lookup("450803"), None);
        assert_eq!(lookup("43550"), None);
        assert_eq!(lookup("ış5508"), None);
    }
}
