//! The simulated bank: which card answers how.
//!
//! The official PayTR test cards approve (with CVV `000`). The designated cards below
//! produce one decline family each; every other Luhn-valid number approves.

/// A decline as PayTR reports it: `failed_reason_code` and `failed_reason_msg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    /// `failed_reason_code` (`"0"` means "the bank's own message follows").
    pub code: &'static str,
    /// `failed_reason_msg`.
    pub msg: &'static str,
}

/// Code 0, insufficient funds or limit.
pub const INSUFFICIENT_FUNDS: Decline = Decline {
    code: "0",
    msg: "Kart limiti / bakiyesi yetersiz (yetersiz bakiye)",
};
/// Code 0, expired card.
pub const EXPIRED_CARD: Decline = Decline {
    code: "0",
    msg: "Kartin son kullanma tarihi gecmis (suresi dolmus kart)",
};
/// Code 0, wrong CVV.
pub const INVALID_CVV: Decline = Decline {
    code: "0",
    msg: "CVV hatali (guvenlik kodu gecersiz)",
};
/// Code 0, the issuer refuses without saying why (do not honour).
pub const DO_NOT_HONOUR: Decline = Decline {
    code: "0",
    msg: "Islem onaylanmadi (do not honour)",
};
/// Code 0, lost or stolen card closed by the bank (the recurring doc's own wording).
pub const LOST_OR_STOLEN: Decline = Decline {
    code: "0",
    msg: "Kart banka tarafından kapatılmış. Bu kart ile tekrar işlem göndermeyin. (kayip/calinti kart)",
};
/// Code 0, a soft decline: another transaction is still running; retrying later may work.
pub const TRY_AGAIN: Decline = Decline {
    code: "0",
    msg: "Henüz devam eden bir işleminiz bulunmaktadır, sonuçlandıktan sonra tekrar deneyebilirsiniz.",
};
/// Code 0, the number fails the Luhn check.
pub const INVALID_NUMBER: Decline = Decline {
    code: "0",
    msg: "Kart numarasi gecersiz",
};
/// Code 2, 3-D Secure verification failed.
pub const THREE_D_FAILED: Decline = Decline {
    code: "2",
    msg: "Kimlik Doğrulama başarısız",
};
/// Code 6, the customer left the bank page.
pub const ABANDONED: Decline = Decline {
    code: "6",
    msg: "Müşteri ödeme yapmaktan vazgeçti veya zaman aşımı",
};
/// Code 8, no installments on this card.
pub const NO_INSTALLMENTS: Decline = Decline {
    code: "8",
    msg: "Bu karta taksit yapılamamaktadır",
};
/// Code 9, the store may not take this card.
pub const NOT_PERMITTED: Decline = Decline {
    code: "9",
    msg: "Bu kart ile işlem yetkisi bulunmamaktadır",
};
/// Code 10, the card needs 3-D Secure.
pub const NEEDS_THREE_D: Decline = Decline {
    code: "10",
    msg: "Bu işlemde 3D Secure kullanılmalıdır",
};
/// Code 11, fraud suspected.
pub const FRAUD: Decline = Decline {
    code: "11",
    msg: "Güvenlik uyarısı (şüpheli işlem)",
};
/// Code 0, the `non3d_test_failed=1` switch.
pub const NON3D_TEST_FAILED: Decline = Decline {
    code: "0",
    msg: "Test islemi basarisiz (non3d_test_failed)",
};

/// How a card behaves at the simulated bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Behaviour {
    /// An official test card: approves, but only with CVV `000`.
    Official,
    /// Any other card that approves.
    Approve,
    /// Approves, and is stored with `require_cvv` `1`.
    ApproveRequireCvv,
    /// Approves, but only after a delay: sync and recurring calls answer `wait_callback`.
    SlowApprove,
    /// Always declines like this.
    Decline(Decline),
    /// Fails 3-D Secure (code 2) and needs it outside 3-D (code 10).
    ThreeDFails,
    /// Declines installments (code 8); single payments approve.
    NoInstallments,
    /// Approves when its number is entered (so it can be stored); as a stored card it
    /// soft-declines: a retry may pass (`try_again: true` in recurring answers).
    TryAgainWhenStored,
    /// Approves when its number is entered; as a stored card it is declined as closed by
    /// the bank (`try_again: false`).
    ClosedWhenStored,
}

/// The official test cards (\[DOC\] test-kart-bilgileri).
pub const OFFICIAL_CARDS: [&str; 3] = ["4355084355084358", "5406675406675403", "9792030394440796"];

/// Cards that approve like any other Luhn-valid number and exist to give the BIN table
/// a world consumer card (Yapı Kredi, VISA) and a business card (Yapı Kredi world,
/// Mastercard).
pub const BIN_PROFILE_CARDS: [&str; 2] = ["4543600000000003", "5528790000000008"];

/// The designated cards and how each behaves (all Luhn-valid).
pub const DESIGNATED_CARDS: [(&str, Behaviour); 13] = [
    ("4355080000000013", Behaviour::Decline(INSUFFICIENT_FUNDS)),
    ("4355080000000021", Behaviour::Decline(EXPIRED_CARD)),
    ("4355080000000039", Behaviour::Decline(INVALID_CVV)),
    ("4355080000000047", Behaviour::Decline(DO_NOT_HONOUR)),
    ("4355080000000054", Behaviour::Decline(LOST_OR_STOLEN)),
    ("4355080000000062", Behaviour::Decline(FRAUD)),
    ("4355080000000070", Behaviour::ThreeDFails),
    ("4355080000000088", Behaviour::NoInstallments),
    ("4355080000000096", Behaviour::TryAgainWhenStored),
    ("4355080000000104", Behaviour::SlowApprove),
    ("4355080000000112", Behaviour::ApproveRequireCvv),
    ("4355080000000120", Behaviour::Decline(NOT_PERMITTED)),
    ("4355080000000138", Behaviour::ClosedWhenStored),
];

/// How the card with this number behaves.
pub fn behaviour(card_number: &str) -> Behaviour {
    if OFFICIAL_CARDS.contains(&card_number) {
        return Behaviour::Official;
    }
    if let Some((_, b)) = DESIGNATED_CARDS.iter().find(|(n, _)| *n == card_number) {
        return *b;
    }
    if crate::util::luhn_valid(card_number) {
        Behaviour::Approve
    } else {
        Behaviour::Decline(INVALID_NUMBER)
    }
}

/// How the customer left the simulated 3-D Secure page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BankChoice {
    /// Entered the right code.
    Success,
    /// Entered a wrong code.
    Failure,
    /// Closed the page.
    Abandon,
}

/// The circumstances of one attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt<'a> {
    /// `None` for Non-3D; the bank page's result for 3-D.
    pub three_d: Option<BankChoice>,
    /// Whether the caller waits for a JSON answer (sync mode or recurring).
    pub synchronous: bool,
    /// Installments asked for (0 for a single payment).
    pub installments: u8,
    /// The CVV sent, when one was.
    pub cvv: Option<&'a str>,
    /// Whether the card is a stored one (`utoken` + `ctoken`).
    pub stored: bool,
    /// Whether the expiry date is already past.
    pub expired: bool,
}

/// What the bank says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Money taken.
    Approved,
    /// Accepted, final result later (only for synchronous attempts).
    Wait,
    /// Refused; `soft` when a retry may pass.
    Declined { decline: Decline, soft: bool },
}

fn declined(decline: Decline) -> Verdict {
    Verdict::Declined {
        decline,
        soft: false,
    }
}

/// The bank's verdict for a card behaving as `behaviour` in `attempt`.
pub(crate) fn verdict(behaviour: Behaviour, attempt: Attempt<'_>) -> Verdict {
    match attempt.three_d {
        Some(BankChoice::Failure) => return declined(THREE_D_FAILED),
        Some(BankChoice::Abandon) => return declined(ABANDONED),
        _ => {}
    }
    if attempt.expired {
        return declined(EXPIRED_CARD);
    }
    match behaviour {
        Behaviour::Official if attempt.cvv.is_some_and(|c| c != "000") => declined(INVALID_CVV),
        Behaviour::Official | Behaviour::Approve | Behaviour::ApproveRequireCvv => {
            Verdict::Approved
        }
        Behaviour::SlowApprove if attempt.synchronous => Verdict::Wait,
        Behaviour::SlowApprove => Verdict::Approved,
        Behaviour::Decline(decline) => declined(decline),
        Behaviour::ThreeDFails if attempt.three_d.is_some() => declined(THREE_D_FAILED),
        Behaviour::ThreeDFails => declined(NEEDS_THREE_D),
        Behaviour::NoInstallments if attempt.installments >= 2 => declined(NO_INSTALLMENTS),
        Behaviour::NoInstallments => Verdict::Approved,
        Behaviour::TryAgainWhenStored if attempt.stored => Verdict::Declined {
            decline: TRY_AGAIN,
            soft: true,
        },
        Behaviour::ClosedWhenStored if attempt.stored => declined(LOST_OR_STOLEN),
        Behaviour::TryAgainWhenStored | Behaviour::ClosedWhenStored => Verdict::Approved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::luhn_valid;

    fn attempt() -> Attempt<'static> {
        Attempt {
            three_d: None,
            synchronous: true,
            installments: 0,
            cvv: Some("000"),
            expired: false,
            stored: false,
        }
    }

    #[test]
    fn every_listed_card_is_luhn_valid_and_unique() {
        let mut all: Vec<&str> = OFFICIAL_CARDS.to_vec();
        all.extend(DESIGNATED_CARDS.iter().map(|(n, _)| *n));
        all.extend(BIN_PROFILE_CARDS);
        for number in &all {
            assert!(luhn_valid(number), "{number}");
            assert_eq!(number.len(), 16);
        }
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len());
    }

    #[test]
    fn official_cards_need_cvv_000() {
        assert_eq!(
            verdict(behaviour("4355084355084358"), attempt()),
            Verdict::Approved
        );
        let wrong = Attempt {
            cvv: Some("123"),
            ..attempt()
        };
        assert_eq!(
            verdict(behaviour("5406675406675403"), wrong),
            declined(INVALID_CVV)
        );
    }

    #[test]
    fn decline_families() {
        assert_eq!(
            verdict(behaviour("4355080000000013"), attempt()),
            declined(INSUFFICIENT_FUNDS)
        );
        assert_eq!(
            verdict(behaviour("4355080000000062"), attempt()).clone(),
            declined(FRAUD)
        );
        assert_eq!(
            verdict(behaviour("4355080000000070"), attempt()),
            declined(NEEDS_THREE_D)
        );
        let three_d = Attempt {
            three_d: Some(BankChoice::Success),
            ..attempt()
        };
        assert_eq!(
            verdict(behaviour("4355080000000070"), three_d),
            declined(THREE_D_FAILED)
        );
        let installments = Attempt {
            installments: 3,
            ..attempt()
        };
        assert_eq!(
            verdict(behaviour("4355080000000088"), installments),
            declined(NO_INSTALLMENTS)
        );
        assert_eq!(
            verdict(behaviour("4355080000000088"), attempt()),
            Verdict::Approved
        );
        assert_eq!(
            verdict(behaviour("4355080000000096"), attempt()),
            Verdict::Approved
        );
        let stored = Attempt {
            stored: true,
            cvv: None,
            ..attempt()
        };
        assert_eq!(
            verdict(behaviour("4355080000000096"), stored),
            Verdict::Declined {
                decline: TRY_AGAIN,
                soft: true
            }
        );
        assert_eq!(
            verdict(behaviour("4355080000000138"), attempt()),
            Verdict::Approved
        );
        assert_eq!(
            verdict(behaviour("4355080000000138"), stored),
            declined(LOST_OR_STOLEN)
        );
        assert_eq!(
            verdict(behaviour("4355080000000104"), attempt()),
            Verdict::Wait
        );
        assert_eq!(
            verdict(behaviour("4355080000000014"), attempt()),
            declined(INVALID_NUMBER)
        );
    }

    #[test]
    fn bank_page_choice_and_expiry_come_first() {
        let failed = Attempt {
            three_d: Some(BankChoice::Failure),
            ..attempt()
        };
        assert_eq!(
            verdict(Behaviour::Official, failed),
            declined(THREE_D_FAILED)
        );
        let gone = Attempt {
            three_d: Some(BankChoice::Abandon),
            ..attempt()
        };
        assert_eq!(verdict(Behaviour::Official, gone), declined(ABANDONED));
        let expired = Attempt {
            expired: true,
            ..attempt()
        };
        assert_eq!(
            verdict(Behaviour::Official, expired),
            declined(EXPIRED_CARD)
        );
    }
}
