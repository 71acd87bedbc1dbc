//! The simulated issuing bank: whether an authorization is approved, and why not.

use time::OffsetDateTime;

use super::cards::CardData;
use super::test_cards::{
    behaviour_of, is_documented, CardBehaviour, DOCUMENTED_CVC, DOCUMENTED_WITHOUT_3DS,
};

/// The bank's answer to one authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Authorization {
    Approved,
    /// Approved, but the fraud check wants a review: the sale is only pre-authorized.
    Review,
    /// Declined with a code from the document's table.
    Declined(&'static str),
}

/// Decides an authorization of `card` in `installment` payments at `now`.
pub(crate) fn authorize(card: &CardData, installment: u32, now: OffsetDateTime) -> Authorization {
    if let Some(CardBehaviour::Decline(code)) = behaviour_of(&card.number) {
        return Authorization::Declined(code);
    }
    if is_documented(&card.number) && card.cvc.as_deref().is_some_and(|c| c != DOCUMENTED_CVC) {
        return Authorization::Declined("10033");
    }
    if card.is_expired(now) {
        return Authorization::Declined("10023");
    }
    if card.bank().commission_percent(installment).is_none() {
        return Authorization::Declined("30037");
    }
    if behaviour_of(&card.number) == Some(CardBehaviour::FraudReview) {
        return Authorization::Review;
    }
    Authorization::Approved
}

/// Whether the card takes part in 3-D Secure: not the designated not-enrolled card, nor the
/// document's test cards its table gives no 3-D password.
pub(crate) fn enrolled_in_3ds(card: &CardData) -> bool {
    behaviour_of(&card.number) != Some(CardBehaviour::NotEnrolledIn3ds)
        && !DOCUMENTED_WITHOUT_3DS.contains(&card.number.as_str())
}

/// Whether a decline code is the fraud check's (the transaction then shows a rejecting
/// `fraud_risk` decision).
pub(crate) fn is_fraud(code: &str) -> bool {
    code == "10046"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paytrek::test_cards::{DEBIT_CARD, DESIGNATED_CARDS};

    fn card(number: &str, cvc: Option<&str>, year: u16) -> CardData {
        CardData {
            number: number.into(),
            exp_month: 12,
            exp_year: year,
            cvc: cvc.map(str::to_owned),
            holder: None,
        }
    }

    const NOW: OffsetDateTime = time::macros::datetime!(2026-11-24 06:00 UTC);

    #[test]
    fn documented_cards_need_cvc_000() {
        let ok = card("4508034508034509", Some("000"), 2030);
        assert_eq!(authorize(&ok, 1, NOW), Authorization::Approved);
        let wrong = card("4508034508034509", Some("123"), 2030);
        assert_eq!(authorize(&wrong, 1, NOW), Authorization::Declined("10033"));
        let vaulted = card("4508034508034509", None, 2030);
        assert_eq!(authorize(&vaulted, 1, NOW), Authorization::Approved);
    }

    #[test]
    fn designated_cards_decline_with_their_code() {
        for test_card in DESIGNATED_CARDS {
            let c = card(test_card.number, Some("123"), 2030);
            match test_card.behaviour {
                CardBehaviour::Decline(code) => {
                    assert_eq!(authorize(&c, 1, NOW), Authorization::Declined(code))
                }
                CardBehaviour::NotEnrolledIn3ds => {
                    assert_eq!(authorize(&c, 1, NOW), Authorization::Approved);
                    assert!(!enrolled_in_3ds(&c));
                }
                CardBehaviour::FraudReview => {
                    assert_eq!(authorize(&c, 1, NOW), Authorization::Review);
                }
            }
        }
    }

    #[test]
    fn only_the_documented_cards_with_a_3ds_password_are_enrolled() {
        for number in ["4508034508034509", "4506347043358536", "4000000000003030"] {
            assert!(
                !enrolled_in_3ds(&card(number, Some("000"), 2030)),
                "{number}"
            );
        }
        for number in ["4355084355084358", "5456165456165454", "5101180000000007"] {
            assert!(
                enrolled_in_3ds(&card(number, Some("000"), 2030)),
                "{number}"
            );
        }
    }

    #[test]
    fn expiry_and_installments() {
        assert_eq!(
            authorize(&card("4508034508034509", Some("000"), 2020), 1, NOW),
            Authorization::Declined("10023")
        );
        assert_eq!(
            authorize(&card(DEBIT_CARD, Some("1"), 2030), 3, NOW),
            Authorization::Declined("30037")
        );
        assert_eq!(
            authorize(&card(DEBIT_CARD, Some("1"), 2030), 1, NOW),
            Authorization::Approved
        );
        assert_eq!(
            authorize(&card("4508034508034509", Some("000"), 2030), 5, NOW),
            Authorization::Declined("30037")
        );
        assert_eq!(
            authorize(&card("4508034508034509", Some("000"), 2030), 6, NOW),
            Authorization::Approved
        );
    }
}
