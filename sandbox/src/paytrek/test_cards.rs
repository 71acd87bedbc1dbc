//! The test cards: the document's four, and the simulator's own card per decline family.

/// The document's test cards (İşbank/ING, YKB, Akbank, Finansbank). With CVC `000` they
/// are approved; any other CVC is declined with 10033.
pub const DOCUMENTED_CARDS: [&str; 4] = [
    "4508034508034509",
    "4506347043358536",
    "4355084355084358",
    "5456165456165454",
];

/// The document's test cards without a 3-D password in its table (İşbank/ING, YKB): they are
/// not enrolled in 3-D Secure, so a `secure_option` payment with them is declined with 40002
/// unless `half_secure` is true. Only Akbank and Finansbank have the password `a`.
pub const DOCUMENTED_WITHOUT_3DS: [&str; 2] = ["4508034508034509", "4506347043358536"];

/// The CVC the document gives for its test cards.
pub const DOCUMENTED_CVC: &str = "000";

/// What a designated test card makes the simulated bank do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardBehaviour {
    /// Every authorization is declined with this code from the document's table.
    Decline(&'static str),
    /// The card is not enrolled in 3-D Secure: a `secure_option` payment is declined with
    /// 40002, unless `half_secure` is true, in which case it is charged without the page.
    NotEnrolledIn3ds,
    /// Approved, but the fraud check decides `REVIEW`: the sale is left `PreAuthorized`
    /// for the merchant to capture (accept) or cancel (reject).
    FraudReview,
}

/// One designated card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    /// The (Luhn-valid) card number.
    pub number: &'static str,
    /// What the bank does with it.
    pub behaviour: CardBehaviour,
}

const fn decline(number: &'static str, code: &'static str) -> TestCard {
    TestCard {
        number,
        behaviour: CardBehaviour::Decline(code),
    }
}

/// The simulator's designated cards. Any expiry in the future and any CVC are accepted;
/// the card's behaviour decides the answer.
pub const DESIGNATED_CARDS: &[TestCard] = &[
    decline("4000000000009995", "10020"), // insufficient limit
    decline("4000000000000127", "10033"), // wrong / invalid CVV
    decline("4000000000000069", "10023"), // card has expired
    decline("4100000000000019", "10046"), // fraud: the fraud check rejects the sale
    decline("4000000000000002", "10004"), // do not honour / general rejection
    decline("4000000000009987", "10003"), // lost or stolen: block the card
    decline("4000000000000010", "99999"), // card declined
    TestCard {
        number: "4000000000003030",
        behaviour: CardBehaviour::NotEnrolledIn3ds,
    },
    TestCard {
        number: "4000000000000259",
        behaviour: CardBehaviour::FraudReview,
    },
];

/// A debit card (BIN 400056): the bank offers single payments only, so any `installment`
/// above 1 is declined with 30037 Invalid Installment.
pub const DEBIT_CARD: &str = "4000566555665555";

/// The behaviour of `number`, if it is a designated card.
pub fn behaviour_of(number: &str) -> Option<CardBehaviour> {
    DESIGNATED_CARDS
        .iter()
        .find(|c| c.number == number)
        .map(|c| c.behaviour)
}

/// Whether `number` is one of the document's test cards.
pub fn is_documented(number: &str) -> bool {
    DOCUMENTED_CARDS.contains(&number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::luhn_valid;

    #[test]
    fn every_test_card_is_luhn_valid_and_unique() {
        let all: Vec<&str> = DOCUMENTED_CARDS
            .iter()
            .copied()
            .chain(DESIGNATED_CARDS.iter().map(|c| c.number))
            .chain([DEBIT_CARD])
            .collect();
        for (i, n) in all.iter().enumerate() {
            assert!(luhn_valid(n), "{n} fails Luhn");
            assert!(!all[i + 1..].contains(n), "{n} listed twice");
        }
    }
}
