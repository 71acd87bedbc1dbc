//! Designated test cards: which card number produces which bank answer, and the BIN table
//! the payment, stored-card, BIN and installment answers draw card details from.

/// A bank decline: Craftgate's code (> 10000 for bank errors), description and error group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    /// `errorCode`.
    pub code: &'static str,
    /// `errorDescription`.
    pub description: &'static str,
    /// `errorGroup`.
    pub group: &'static str,
}

const fn decline(code: &'static str, description: &'static str, group: &'static str) -> Decline {
    Decline {
        code,
        description,
        group,
    }
}

/// What the simulated bank does with a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardBehaviour {
    /// Approves (every Luhn-valid card not listed below).
    Approve,
    /// Declines every payment.
    Decline(Decline),
    /// Declines payments in more than one installment; approves single payments.
    DeclineInstallments(Decline),
    /// `3ds-init` fails with this decline; non-3-D payments are approved.
    ThreeDsInitError(Decline),
    /// The 3-D Secure bank page always fails authentication, whatever the test chooses.
    ThreeDsAuthenticationFails,
}

/// The bank's "insufficient funds": the documented card's decline, and what an approval
/// rule ([`crate::ApprovalRules`]) declines with.
pub const INSUFFICIENT_FUNDS: Decline = decline(
    "10051",
    "Kart limiti yetersiz, yetersiz bakiye",
    "NOT_SUFFICIENT_FUNDS",
);

/// Craftgate's documented sandbox error cards, then the simulator's own additions.
const CARDS: &[(&str, CardBehaviour)] = &[
    (
        "5100050000006661",
        CardBehaviour::Decline(INSUFFICIENT_FUNDS),
    ),
    (
        "5100560000006669",
        CardBehaviour::Decline(decline("10005", "İşlem onaylanmadı", "DO_NOT_HONOUR")),
    ),
    (
        "5101380000006661",
        CardBehaviour::Decline(decline("10012", "Geçersiz işlem", "INVALID_TRANSACTION")),
    ),
    (
        "5101520000006662",
        CardBehaviour::Decline(decline("10043", "Çalıntı kart", "STOLEN_CARD")),
    ),
    (
        "5102210000006669",
        CardBehaviour::Decline(decline("10200", "Kart reddedildi", "DECLINED")),
    ),
    (
        "5136620000006669",
        CardBehaviour::Decline(decline("10041", "Kayıp kart", "LOST_CARD")),
    ),
    (
        "5163080000006662",
        CardBehaviour::Decline(decline(
            "10054",
            "Kartın son kullanma tarihi geçmiş",
            "EXPIRED_CARD",
        )),
    ),
    (
        "5164580000006660",
        CardBehaviour::Decline(decline("10084", "Geçersiz CVC2 bilgisi", "INVALID_CVC2")),
    ),
    (
        "5192610000006661",
        CardBehaviour::Decline(decline("10059", "Dolandırıcılık şüphesi", "FRAUD_SUSPECT")),
    ),
    (
        "5200170000006666",
        CardBehaviour::Decline(decline("10099", "Bilinmeyen hata", "UNKNOWN")),
    ),
    // The simulator's additions for the decline families the documented cards do not cover.
    (
        "5200310000006668",
        CardBehaviour::Decline(decline("10004", "Karta el koyunuz", "PICKUP_CARD")),
    ),
    (
        "5200320000006667",
        CardBehaviour::Decline(decline(
            "10057",
            "Kart sahibine bu işlem izni verilmemiş",
            "NOT_PERMITTED_TO_CARDHOLDER",
        )),
    ),
    (
        "5200330000006666",
        CardBehaviour::DeclineInstallments(decline(
            "10214",
            "Karta taksitli işlem izni verilmemiş",
            "NOT_PERMITTED_TO_INSTALLMENT",
        )),
    ),
    (
        "5200340000006665",
        CardBehaviour::ThreeDsInitError(decline(
            "10213",
            "3D Secure başlatılamadı",
            "THREEDS_INIT_ERROR",
        )),
    ),
    (
        "5200350000006664",
        CardBehaviour::ThreeDsAuthenticationFails,
    ),
];

/// The decline a failed 3-D Secure authentication ends in (bank page failure).
pub const THREE_DS_AUTH_FAILED: Decline =
    decline("10215", "3D Secure doğrulaması başarısız", "INVALID_CAVV");

/// The decline for more than one installment on a debit or prepaid card.
pub const DEBIT_INSTALLMENT: Decline = decline(
    "10216",
    "Banka kartları ile taksitli işlem yapılamaz",
    "DEBIT_CARDS_INSTALLMENT_NOT_ALLOWED",
);

/// How the simulated bank treats `card_number`.
pub fn behaviour(card_number: &str) -> CardBehaviour {
    CARDS
        .iter()
        .find(|(number, _)| *number == card_number)
        .map(|(_, b)| *b)
        .unwrap_or(CardBehaviour::Approve)
}

/// What a BIN says about a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinInfo {
    /// The first six digits.
    pub bin: String,
    /// `CREDIT_CARD`, `DEBIT_CARD` or `PREPAID_CARD`.
    pub card_type: &'static str,
    /// `VISA`, `MASTER_CARD`, `AMEX`, `TROY`, ...
    pub association: &'static str,
    /// Card family, e.g. `World`, `Bonus`.
    pub brand: &'static str,
    /// Issuer bank name.
    pub bank_name: &'static str,
    /// Issuer bank code.
    pub bank_code: u32,
    /// Whether it is a commercial card.
    pub commercial: bool,
}

type BinRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
);

const BINS: &[BinRow] = &[
    (
        "525864",
        "CREDIT_CARD",
        "MASTER_CARD",
        "World",
        "YAPI VE KREDİ BANKASI A.Ş.",
        67,
    ),
    (
        "454671",
        "CREDIT_CARD",
        "VISA",
        "Axess",
        "AKBANK T.A.Ş.",
        46,
    ),
    (
        "404308",
        "DEBIT_CARD",
        "VISA",
        "Bankkart Combo",
        "T.C. ZİRAAT BANKASI A.Ş.",
        10,
    ),
    (
        "415565",
        "PREPAID_CARD",
        "VISA",
        "Maximum",
        "TÜRKİYE İŞ BANKASI A.Ş.",
        64,
    ),
    (
        "979204",
        "CREDIT_CARD",
        "TROY",
        "Paraf",
        "TÜRKİYE HALK BANKASI A.Ş.",
        12,
    ),
    (
        "374427",
        "CREDIT_CARD",
        "AMEX",
        "Bonus",
        "TÜRKİYE GARANTİ BANKASI A.Ş.",
        62,
    ),
];

/// The BIN details of a known BIN (the first six digits of `number` are used).
pub fn bin_info(number: &str) -> Option<BinInfo> {
    let bin = number.get(..6)?;
    if !bin.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(row) = BINS.iter().find(|row| row.0 == bin) {
        return Some(BinInfo {
            bin: bin.to_owned(),
            card_type: row.1,
            association: row.2,
            brand: row.3,
            bank_name: row.4,
            bank_code: row.5,
            commercial: false,
        });
    }
    // The error cards are Garanti Bonus MasterCards, like Craftgate's sandbox ones.
    if CARDS.iter().any(|(n, _)| n.starts_with(bin)) {
        return Some(BinInfo {
            bin: bin.to_owned(),
            card_type: "CREDIT_CARD",
            association: "MASTER_CARD",
            brand: "Bonus",
            bank_name: "TÜRKİYE GARANTİ BANKASI A.Ş.",
            bank_code: 62,
            commercial: false,
        });
    }
    None
}

/// The card details for any card number: the BIN table first, then a guess from the
/// number's prefix so that every Luhn-valid test number can pay.
pub fn card_info(number: &str) -> BinInfo {
    if let Some(info) = bin_info(number) {
        return info;
    }
    let association = if number.starts_with('4') {
        "VISA"
    } else if number.starts_with("34") || number.starts_with("37") {
        "AMEX"
    } else if number.starts_with("9792") {
        "TROY"
    } else {
        "MASTER_CARD"
    };
    BinInfo {
        bin: number.chars().take(6).collect(),
        card_type: "CREDIT_CARD",
        association,
        brand: "World",
        bank_name: "SİMÜLATÖR BANKASI",
        bank_code: 999,
        commercial: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::luhn_valid;

    #[test]
    fn every_designated_card_passes_luhn() {
        for (number, _) in CARDS {
            assert!(luhn_valid(number), "{number}");
        }
        for card in [
            "5258640000000001",
            "4546710000000007",
            "4043080000000003",
            "4155650000000007",
            "9792040000000009",
            "3744270000000004",
        ] {
            assert!(luhn_valid(card), "{card}");
            assert_eq!(behaviour(card), CardBehaviour::Approve);
        }
    }

    #[test]
    fn documented_error_cards_map_to_their_groups() {
        let groups = [
            ("5100050000006661", "NOT_SUFFICIENT_FUNDS"),
            ("5100560000006669", "DO_NOT_HONOUR"),
            ("5101380000006661", "INVALID_TRANSACTION"),
            ("5101520000006662", "STOLEN_CARD"),
            ("5102210000006669", "DECLINED"),
            ("5136620000006669", "LOST_CARD"),
            ("5163080000006662", "EXPIRED_CARD"),
            ("5164580000006660", "INVALID_CVC2"),
            ("5192610000006661", "FRAUD_SUSPECT"),
            ("5200170000006666", "UNKNOWN"),
        ];
        for (card, group) in groups {
            match behaviour(card) {
                CardBehaviour::Decline(d) => {
                    assert_eq!(d.group, group);
                    assert!(d.code.parse::<u32>().unwrap() > 10000);
                }
                other => panic!("{card}: {other:?}"),
            }
        }
    }

    #[test]
    fn bin_table() {
        let ykb = bin_info("525864").unwrap();
        assert_eq!(
            (ykb.card_type, ykb.association, ykb.brand, ykb.bank_code),
            ("CREDIT_CARD", "MASTER_CARD", "World", 67)
        );
        assert_eq!(ykb.bank_name, "YAPI VE KREDİ BANKASI A.Ş.");
        assert!(bin_info("123456").is_none());
        assert!(bin_info("12ab56").is_none());
        assert_eq!(card_info("4111111111111111").association, "VISA");
        assert_eq!(bin_info("5100050000006661").unwrap().brand, "Bonus");
    }
}
