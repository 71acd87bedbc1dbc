//! Property: a PayTR notification is accepted exactly when it is correctly signed. Any
//! notification signed here with the merchant key and salt is accepted; the same with one
//! byte of `merchant_oid`, `status`, `total_amount` or `hash` changed is refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use odeme_core::{Error, InboundRequest, Notifications};
use odeme_paytr::{PaytrConfig, PaytrGateway};
use proptest::prelude::*;
use sha2::Sha256;

const KEY: &str = "PropMerchantKey1";
const SALT: &str = "PropMerchantSalt";

fn gateway() -> PaytrGateway {
    PaytrGateway::new(PaytrConfig::new("100001", KEY, SALT).with_base_url("http://127.0.0.1:9"))
        .unwrap()
}

fn hash(oid: &str, status: &str, total: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(format!("{oid}{SALT}{status}{total}").as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn post(fields: &[(&str, &str)]) -> InboundRequest {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    InboundRequest::post(form.finish())
}

/// Changes the byte at `at` (modulo the length) to another printable ASCII byte.
fn change_one_byte(text: &str, at: usize, to: u8) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.is_empty() {
        return None;
    }
    let i = at % bytes.len();
    let replacement = b' ' + (to % 95);
    if bytes[i] == replacement {
        return None;
    }
    bytes[i] = replacement;
    String::from_utf8(bytes).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn exactly_the_correctly_signed_notifications_are_accepted(
        oid in "[A-Za-z0-9]{1,32}",
        status in prop_oneof![Just("success"), Just("failed")],
        total in "[1-9][0-9]{0,8}",
        field in 0usize..4,
        at in any::<usize>(),
        to in any::<u8>(),
    ) {
        let gateway = gateway();
        let signed = hash(&oid, status, &total);
        let fields = [
            ("merchant_oid", oid.as_str()),
            ("status", status),
            ("total_amount", total.as_str()),
            ("hash", signed.as_str()),
        ];
        let accepted = gateway.verify_notification(&post(&fields));
        prop_assert!(accepted.is_ok(), "{:?}", accepted.err());
        let mut tampered: Vec<(String, String)> =
            fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let Some(changed) = change_one_byte(&tampered[field].1, at, to) else {
            return Ok(());
        };
        tampered[field].1 = changed;
        let borrowed: Vec<(&str, &str)> =
            tampered.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = gateway.verify_notification(&post(&borrowed));
        prop_assert!(
            matches!(refused, Err(Error::SignatureMismatch(_)) | Err(Error::InvalidRequest { .. })),
            "a notification with {} changed was accepted: {:?}",
            tampered[field].0,
            refused
        );
    }
}
