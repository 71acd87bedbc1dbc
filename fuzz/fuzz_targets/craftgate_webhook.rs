//! Craftgate's webhook (a JSON POST anyone can send, signed in a header): never a panic; a
//! raw request is accepted only when its header is the signature computed here from the
//! webhook key; a correctly signed webhook is never refused for its signature, and one
//! byte changed in a signed field or the signature is refused.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;

mod tamper;
use odeme_core::{Error, InboundRequest};
use odeme_craftgate::{CraftgateConfig, CraftgateGateway, DEFAULT_WEBHOOK_SIGNATURE_HEADER};
use sha2::Sha256;
use std::sync::OnceLock;

const KEY: &str = "fuzz-webhook-key";
const HEADER: &str = DEFAULT_WEBHOOK_SIGNATURE_HEADER;

fn gateway() -> &'static CraftgateGateway {
    static GATEWAY: OnceLock<CraftgateGateway> = OnceLock::new();
    GATEWAY.get_or_init(|| {
        let config = CraftgateConfig::new("api-key", "secret-key")
            .with_base_url("http://127.0.0.1:9")
            .with_webhook_key(KEY);
        CraftgateGateway::new(config).expect("a valid configuration")
    })
}

fn signature(fields: &[String; 4]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).expect("any key length");
    for field in fields {
        mac.update(field.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

fn body(fields: &[String; 4]) -> Vec<u8> {
    serde_json::json!({
        "eventType": fields[0],
        "eventTimestamp": fields[1],
        "status": fields[2],
        "payloadId": fields[3],
    })
    .to_string()
    .into_bytes()
}

fn is_signature_refusal(result: &Result<odeme_core::Notification, Error>) -> bool {
    matches!(result, Err(Error::SignatureMismatch(m)) if m.contains("signature does not match"))
}

fuzz_target!(|input: (u8, [String; 4], String, Vec<u8>)| {
    let (mode, fields, header, raw) = input;
    let gateway = gateway();
    // Whatever arrives: accepted only with the right signature over the fields it carries.
    let request = InboundRequest::post(raw.clone()).with_header(HEADER, &header);
    if gateway.verify_webhook(&request).is_ok() {
        let value: serde_json::Value = serde_json::from_slice(&raw).expect("accepted JSON");
        let text = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        if let (Some(a), Some(b), Some(c), Some(d)) = (
            text("eventType"),
            text("eventTimestamp"),
            text("status"),
            text("payloadId"),
        ) {
            assert_eq!(
                header.trim(),
                signature(&[a, b, c, d]),
                "accepted a forged webhook"
            );
        }
    }
    // A webhook signed here from fuzzed fields.
    let signed = signature(&fields);
    let request = InboundRequest::post(body(&fields)).with_header(HEADER, &signed);
    let result = gateway.verify_webhook(&request);
    assert!(
        !is_signature_refusal(&result),
        "refused a correctly signed webhook"
    );
    // One byte changed in a signed field or in the signature.
    let which = usize::from(mode) % 5;
    let mut tampered = fields.clone();
    let mut presented = signed.clone();
    let target = if which < 4 {
        &mut tampered[which]
    } else {
        &mut presented
    };
    let Some(changed) = tamper::one_byte_changed(target) else {
        return;
    };
    *target = changed;
    let request = InboundRequest::post(body(&tampered)).with_header(HEADER, &presented);
    if presented.trim() != signature(&tampered) {
        assert!(
            gateway.verify_webhook(&request).is_err(),
            "accepted a tampered webhook"
        );
    }
});
