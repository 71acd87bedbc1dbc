//! `paytr_token` and the notification hash.
//!
//! Every PayTR token is `base64(HMAC-SHA256(key = merchant_key, msg))` over plain string
//! concatenations with no separators. The salt is part of the message: at the end for
//! requests, in the middle for the notification hash. Each formula below takes exactly
//! the strings that are POSTed, so what is hashed can never drift from what is sent.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use odeme_core::secret::constant_time_eq;
use odeme_core::Secret;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A computed HMAC-SHA256, before it is written as a token. Not `Debug`: it is what a
/// token is made of.
pub(crate) struct Mac32([u8; 32]);

/// The posted strings that the Direct API token covers, in PayTR's order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DirectHashFields<'a> {
    pub merchant_id: &'a str,
    pub user_ip: &'a str,
    pub merchant_oid: &'a str,
    pub email: &'a str,
    pub payment_amount: &'a str,
    pub payment_type: &'a str,
    pub installment_count: &'a str,
    pub currency: &'a str,
    pub test_mode: &'a str,
    pub non_3d: &'a str,
}

/// Holds the merchant key, already keyed into HMAC-SHA256, and the salt, and computes
/// every token with them.
///
/// The key is set up once: keying HMAC hashes the key's two padded blocks, which is a third
/// of signing a payment's token, and the state is the same for every token. Each token
/// starts from a copy of it. The keyed state is the secret's equal (it signs), so it is
/// shown nowhere: this type's `Debug` prints `[REDACTED]`.
#[derive(Clone)]
pub(crate) struct Signer {
    keyed: HmacSha256,
    salt: Secret,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([REDACTED])")
    }
}

impl Signer {
    pub(crate) fn new(key: &Secret, salt: Secret) -> Self {
        // HMAC takes a key of any length (a long one is hashed first), so `new_from_slice`
        // cannot fail; `<HmacSha256 as KeyInit>::new` would need a fixed-size key.
        let keyed = HmacSha256::new_from_slice(key.expose().as_bytes())
            .unwrap_or_else(|_| HmacSha256::new(&Default::default()));
        Self { keyed, salt }
    }

    /// `HMAC-SHA256(merchant_key, parts concatenated)`.
    fn mac_bytes(&self, parts: &[&str]) -> Mac32 {
        let mut mac = self.keyed.clone();
        for part in parts {
            mac.update(part.as_bytes());
        }
        Mac32(mac.finalize().into_bytes().into())
    }

    /// `base64(HMAC-SHA256(merchant_key, parts concatenated))`.
    fn mac(&self, parts: &[&str]) -> String {
        let mut token = String::new();
        Self::write_token(&self.mac_bytes(parts), &mut token);
        token
    }

    /// Appends a MAC's token text (base64) to `text`.
    pub(crate) fn write_token(mac: &Mac32, text: &mut String) {
        STANDARD.encode_string(mac.0, text);
    }

    /// The Direct API token as a MAC, for a form to write where it keeps its values.
    pub(crate) fn direct_payment_mac(&self, f: &DirectHashFields<'_>) -> Mac32 {
        self.mac_bytes(&[
            f.merchant_id,
            f.user_ip,
            f.merchant_oid,
            f.email,
            f.payment_amount,
            f.payment_type,
            f.installment_count,
            f.currency,
            f.test_mode,
            f.non_3d,
            self.salt.expose(),
        ])
    }

    /// Direct API payment, stored-card payment and recurring payment (`/odeme`) as its
    /// token text; the form writes [`Signer::direct_payment_mac`] in place instead.
    #[cfg(test)]
    pub(crate) fn direct_payment(&self, f: &DirectHashFields<'_>) -> String {
        let mut token = String::new();
        Self::write_token(&self.direct_payment_mac(f), &mut token);
        token
    }

    /// `capi/list`: `utoken + salt` (no merchant id).
    pub(crate) fn capi_list(&self, utoken: &str) -> String {
        self.mac(&[utoken, self.salt.expose()])
    }

    /// `capi/delete`: `ctoken + utoken + salt`, the card token first.
    pub(crate) fn capi_delete(&self, ctoken: &str, utoken: &str) -> String {
        self.mac(&[ctoken, utoken, self.salt.expose()])
    }

    /// Refund: `merchant_id + merchant_oid + return_amount + salt`; `reference_no` is not
    /// hashed.
    pub(crate) fn refund(
        &self,
        merchant_id: &str,
        merchant_oid: &str,
        return_amount: &str,
    ) -> String {
        self.mac(&[merchant_id, merchant_oid, return_amount, self.salt.expose()])
    }

    /// Status query: `merchant_id + merchant_oid + salt`.
    pub(crate) fn status(&self, merchant_id: &str, merchant_oid: &str) -> String {
        self.mac(&[merchant_id, merchant_oid, self.salt.expose()])
    }

    /// BIN lookup (`/odeme/api/bin-detail`): `bin_number + merchant_id + salt`, the BIN
    /// first.
    pub(crate) fn bin_detail(&self, bin_number: &str, merchant_id: &str) -> String {
        self.mac(&[bin_number, merchant_id, self.salt.expose()])
    }

    /// Installment rates (`/odeme/taksit-oranlari`): `merchant_id + request_id + salt`.
    pub(crate) fn installment_rates(&self, merchant_id: &str, request_id: &str) -> String {
        self.mac(&[merchant_id, request_id, self.salt.expose()])
    }

    /// The notification hash: `merchant_oid + salt + status + total_amount`.
    pub(crate) fn notification(
        &self,
        merchant_oid: &str,
        status: &str,
        total_amount: &str,
    ) -> String {
        self.mac(&[merchant_oid, self.salt.expose(), status, total_amount])
    }

    /// Whether `posted` is the notification hash of these fields, compared in constant time.
    pub(crate) fn verify_notification(
        &self,
        merchant_oid: &str,
        status: &str,
        total_amount: &str,
        posted: &str,
    ) -> bool {
        let expected = self.notification(merchant_oid, status, total_amount);
        constant_time_eq(expected.as_bytes(), posted.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    //! Known answers computed independently (Python's `hmac` + `base64`) from the formulas
    //! of the official PHP samples, with key `TestMerchantKey1` and salt `TestMerchantSalt`.
    use super::*;

    fn signer() -> Signer {
        Signer::new(
            &Secret::new("TestMerchantKey1"),
            Secret::new("TestMerchantSalt"),
        )
    }

    fn direct(installment_count: &'static str) -> DirectHashFields<'static> {
        DirectHashFields {
            merchant_id: "100001",
            user_ip: "85.34.78.112",
            merchant_oid: "ORDER1",
            email: "buyer@example.com",
            payment_amount: "100.99",
            payment_type: "card",
            installment_count,
            currency: "TL",
            test_mode: "1",
            non_3d: "1",
        }
    }

    #[test]
    fn direct_payment_known_answer() {
        assert_eq!(
            signer().direct_payment(&direct("0")),
            "XklntnrDE9HZjOX2ayVvtpHv5my5pPqXAwaYcrwUwt4="
        );
    }

    #[test]
    fn empty_installment_count_is_a_different_token() {
        // The official PHP sample hashes a commented-out variable as "" while posting "0".
        let empty = signer().direct_payment(&direct(""));
        assert_eq!(empty, "8w7Ey7PwZW2eC2o1JddtYq1WlIi3NVriGwaWHSfnuh0=");
        assert_ne!(empty, signer().direct_payment(&direct("0")));
    }

    #[test]
    fn direct_payment_hashes_utf8_bytes() {
        let f = DirectHashFields {
            email: "ayşe@örnek.com.tr",
            payment_amount: "9.99",
            test_mode: "0",
            non_3d: "0",
            ..direct("0")
        };
        assert_eq!(
            signer().direct_payment(&f),
            "ulR43PFwZnztdKyoTj5jIUwM7Xs8I2Qk4MIewjPoTSw="
        );
    }

    #[test]
    fn altered_direct_fields_change_the_token() {
        let good = signer().direct_payment(&direct("0"));
        let altered = [
            DirectHashFields {
                payment_amount: "100.98",
                ..direct("0")
            },
            DirectHashFields {
                payment_amount: "100,99",
                ..direct("0")
            },
            DirectHashFields {
                currency: "TRY",
                ..direct("0")
            },
            DirectHashFields {
                merchant_oid: "ORDER2",
                ..direct("0")
            },
            DirectHashFields {
                non_3d: "0",
                ..direct("0")
            },
        ];
        for f in altered {
            assert_ne!(signer().direct_payment(&f), good, "{f:?}");
        }
        let other_salt = Signer::new(&Secret::new("TestMerchantKey1"), Secret::new("OtherSalt"));
        assert_ne!(other_salt.direct_payment(&direct("0")), good);
    }

    #[test]
    fn capi_known_answers_and_delete_order() {
        let s = signer();
        assert_eq!(
            s.capi_list("UTOKEN123"),
            "pvhADjxzoBadHJT1U90OqsqYCtC0TUV8BHj5nFe0940="
        );
        assert_eq!(
            s.capi_delete("CTOKEN456", "UTOKEN123"),
            "FDKQkbfnI0ZT6w77lcGTm3sy4tRT9AmWFJ045R9gQ50="
        );
        // utoken first (a known community bug) gives another token.
        assert_eq!(
            s.capi_delete("UTOKEN123", "CTOKEN456"),
            "3Euh2Ezq9C1cjPZmien5VRo2/tUMVWqFKJGUzZWny8k="
        );
    }

    #[test]
    fn refund_and_status_known_answers() {
        let s = signer();
        assert_eq!(
            s.refund("100001", "ORDER1", "11.97"),
            "z3BwgWWzwodDf+rj9n+sZMRxBO/tf9tHYUddBGEvpDo="
        );
        assert_ne!(
            s.refund("100001", "ORDER1", "11.98"),
            s.refund("100001", "ORDER1", "11.97")
        );
        assert_eq!(
            s.status("100001", "ORDER1"),
            "I1T5Pn5jWJCrlhhO8WJdkFT8tqL43FpX/2sdGR2CRgQ="
        );
    }

    #[test]
    fn bin_detail_known_answers_bin_first() {
        let s = signer();
        assert_eq!(
            s.bin_detail("435508", "100001"),
            "JcaWF0W2ZkKy+sp1Be9CwWdRB4AI3tW3k2R+ZaV0iNU="
        );
        assert_eq!(
            s.bin_detail("43550843", "100001"),
            "6DaeJtFLzyrsQFECMNhLXwe1C6fz353pIm+RLHu+GBQ="
        );
        // The merchant id first, as every other PayTR token has it, is another token.
        assert_eq!(
            s.bin_detail("100001", "435508"),
            "JUw3hQyl/U80DB+5sM9hEZ4DTfcKp5X5JXdlKsnLYU8="
        );
    }

    #[test]
    fn installment_rates_known_answers() {
        let s = signer();
        assert_eq!(
            s.installment_rates("100001", "1700000000000"),
            "4JQbtA/0dIsKFB3VKRLS53N/Hd8oFkOhuub8cAPnFcU="
        );
        assert_eq!(
            s.installment_rates("1700000000000", "100001"),
            "Eekqvcre5CJMF1bd8PMMmPe9zDEDcyGlc1z7AUEO1VM="
        );
    }

    #[test]
    fn notification_hash_salt_in_the_middle() {
        let s = signer();
        assert_eq!(
            s.notification("ORDER1", "success", "10099"),
            "F/c1Ks7G65XGiBM5HdYpp+8LxyAL7MzBsqg7CWrPneQ="
        );
        assert_eq!(
            s.notification("ORDER1", "failed", "0"),
            "B6E+nwuKUmnKqe1Fh3h4M6b3AWmya9HJzSrOt8r1/Cs="
        );
        assert!(s.verify_notification(
            "ORDER1",
            "success",
            "10099",
            "F/c1Ks7G65XGiBM5HdYpp+8LxyAL7MzBsqg7CWrPneQ="
        ));
        for (oid, status, total) in [
            ("ORDER2", "success", "10099"),
            ("ORDER1", "failed", "10099"),
            ("ORDER1", "success", "10098"),
        ] {
            assert!(!s.verify_notification(
                oid,
                status,
                total,
                "F/c1Ks7G65XGiBM5HdYpp+8LxyAL7MzBsqg7CWrPneQ="
            ));
        }
        assert!(!s.verify_notification("ORDER1", "success", "10099", ""));
    }

    #[test]
    fn debug_hides_key_and_salt() {
        let text = format!("{:?}", signer());
        assert!(!text.contains("TestMerchantKey1") && !text.contains("TestMerchantSalt"));
    }
}
