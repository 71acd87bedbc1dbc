//! PayTR's payment notification (a form POST anyone can send to the merchant): never a
//! panic; a raw body is accepted only when its `hash` is the one computed here from the
//! merchant key and salt; a correctly signed notification is never refused for its hash,
//! and one byte changed in the hash or any signed field is refused.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;

mod tamper;
use odeme_core::{Error, InboundRequest, Notifications};
use odeme_paytr::{PaytrConfig, PaytrGateway};
use sha2::Sha256;
use std::sync::OnceLock;

const KEY: &str = "FuzzMerchantKey1";
const SALT: &str = "FuzzMerchantSalt";

fn gateway() -> &'static PaytrGateway {
    static GATEWAY: OnceLock<PaytrGateway> = OnceLock::new();
    GATEWAY.get_or_init(|| {
        let config = PaytrConfig::new("100001", KEY, SALT).with_base_url("http://127.0.0.1:9");
        PaytrGateway::new(config).expect("a valid configuration")
    })
}

fn hash(oid: &str, status: &str, total: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).expect("any key length");
    mac.update(format!("{oid}{SALT}{status}{total}").as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        out.append_pair(k, v);
    }
    out.finish().into_bytes()
}

fn is_hash_refusal(result: &Result<odeme_core::Notification, Error>) -> bool {
    matches!(result, Err(Error::SignatureMismatch(m)) if m.contains("hash does not match"))
}

fuzz_target!(|input: (u8, String, String, String, String, Vec<u8>)| {
    let (mode, oid, status, total, extra, raw) = input;
    let gateway = gateway();
    // Whatever arrives: accepted only with the right hash over the fields it carries.
    let request = InboundRequest::post(raw);
    if let Ok(notification) = gateway.verify_notification(&request) {
        let pairs = request.form_pairs();
        let last = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let expected = hash(
            &last("merchant_oid"),
            &last("status"),
            &last("total_amount"),
        );
        assert_eq!(last("hash"), expected, "accepted a forged notification");
        assert_eq!(
            notification.order_id.as_deref(),
            Some(last("merchant_oid").as_str())
        );
    }
    // A notification signed here from fuzzed fields.
    let signed = hash(&oid, &status, &total);
    let mut fields = vec![
        ("merchant_oid", oid.as_str()),
        ("status", status.as_str()),
        ("total_amount", total.as_str()),
        ("hash", signed.as_str()),
    ];
    if mode & 1 == 1 {
        fields.push(("payment_amount", extra.as_str()));
    }
    if mode & 2 == 2 {
        fields.push(("currency", extra.as_str()));
    }
    let result = gateway.verify_notification(&InboundRequest::post(form(&fields)));
    assert!(
        !is_hash_refusal(&result),
        "refused a correctly signed notification"
    );
    // One byte of the hash or of a signed field changed.
    let which = usize::from(mode >> 2) % 4;
    let mut tampered: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let value = &mut tampered[which].1;
    let Some(changed) = tamper::one_byte_changed(value) else {
        return;
    };
    *value = changed;
    let borrowed: Vec<(&str, &str)> = tampered
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let result = gateway.verify_notification(&InboundRequest::post(form(&borrowed)));
    let (o, s, t, h) = (
        &tampered[0].1,
        &tampered[1].1,
        &tampered[2].1,
        &tampered[3].1,
    );
    if *h != hash(o, s, t) {
        assert!(result.is_err(), "accepted a tampered notification");
    }
});
