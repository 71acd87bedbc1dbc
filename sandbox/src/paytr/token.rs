//! `paytr_token` and the notification `hash`: `base64(HMAC_SHA256(merchant_key, message))`,
//! with the fields of each call concatenated in that call's documented order.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::credentials::PaytrCredentials;
use crate::util::constant_time_eq;

/// `base64(HMAC_SHA256(key, message))` over UTF-8 bytes, standard alphabet with padding.
pub(crate) fn sign(key: &str, message: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail; the fallback keeps the
    // simulator from panicking all the same.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(message.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The token a request must carry: the fields in order, then the salt.
pub(crate) fn request_token(credentials: &PaytrCredentials, fields: &[&str]) -> String {
    let mut message = fields.concat();
    message.push_str(&credentials.merchant_salt);
    sign(&credentials.merchant_key, &message)
}

/// Whether `given` is the token for `fields`; a missing token never matches.
pub(crate) fn verify_request(
    credentials: &PaytrCredentials,
    fields: &[&str],
    given: Option<&str>,
) -> bool {
    match given {
        Some(given) if !given.is_empty() => {
            constant_time_eq(&request_token(credentials, fields), given)
        }
        _ => false,
    }
}

/// The payment-result notification hash: the salt sits in the middle here.
pub(crate) fn notification_hash(
    credentials: &PaytrCredentials,
    merchant_oid: &str,
    status: &str,
    total_amount: &str,
) -> String {
    let message = format!(
        "{merchant_oid}{}{status}{total_amount}",
        credentials.merchant_salt
    );
    sign(&credentials.merchant_key, &message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> PaytrCredentials {
        PaytrCredentials {
            merchant_id: "123456".into(),
            merchant_key: "key".into(),
            merchant_salt: "salt".into(),
        }
    }

    #[test]
    fn hmac_sha256_known_answer() {
        // RFC 4231 test case 2, re-encoded as base64.
        assert_eq!(
            sign("Jefe", "what do ya want for nothing?"),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
    }

    #[test]
    fn salt_goes_last_in_requests() {
        let creds = creds();
        assert_eq!(request_token(&creds, &["a", "b"]), sign("key", "absalt"));
        assert!(verify_request(
            &creds,
            &["a", "b"],
            Some(&sign("key", "absalt"))
        ));
        assert!(!verify_request(
            &creds,
            &["b", "a"],
            Some(&sign("key", "absalt"))
        ));
        assert!(!verify_request(&creds, &["a", "b"], None));
        assert!(!verify_request(&creds, &["a", "b"], Some("")));
    }

    #[test]
    fn salt_goes_in_the_middle_of_notifications() {
        assert_eq!(
            notification_hash(&creds(), "OID1", "success", "10099"),
            sign("key", "OID1saltsuccess10099")
        );
    }
}
