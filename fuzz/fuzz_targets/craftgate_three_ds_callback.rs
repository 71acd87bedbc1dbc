//! Craftgate's 3-D Secure callback (form or query fields the customer's browser posts):
//! never a panic; a raw callback is accepted only when its `hash` is the one computed here
//! from the callback key and the fields it carries; a correctly signed callback is
//! accepted, and one byte changed in a signed field (for instance another payment's id)
//! or the hash is refused.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod tamper;
use odeme_core::InboundRequest;
use odeme_craftgate::{CraftgateConfig, CraftgateGateway, ThreeDsCallbackFields};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const KEY: &str = "fuzz-callback-key";
const NAMES: [&str; 6] = [
    "status",
    "completeStatus",
    "paymentId",
    "conversationData",
    "conversationId",
    "callbackStatus",
];

fn gateway() -> &'static CraftgateGateway {
    static GATEWAY: OnceLock<CraftgateGateway> = OnceLock::new();
    GATEWAY.get_or_init(|| {
        let config = CraftgateConfig::new("api-key", "secret-key")
            .with_base_url("http://127.0.0.1:9")
            .with_three_ds_callback_key(KEY);
        CraftgateGateway::new(config).expect("a valid configuration")
    })
}

fn hash(values: &[String; 6]) -> String {
    let mut joined = vec![KEY];
    joined.extend(values.iter().map(String::as_str));
    Sha256::digest(joined.join("###").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn form(values: &[String; 6], hash: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in NAMES.iter().zip(values) {
        out.append_pair(name, value);
    }
    out.append_pair("hash", hash);
    out.finish()
}

fn values_of(fields: &ThreeDsCallbackFields) -> [String; 6] {
    [
        fields.status.clone(),
        fields.complete_status.clone(),
        fields.payment_id.clone(),
        fields.conversation_data.clone(),
        fields.conversation_id.clone(),
        fields.callback_status.clone(),
    ]
}

fuzz_target!(|input: (u8, [String; 6], Vec<u8>, String)| {
    let (mode, values, raw, query) = input;
    let gateway = gateway();
    // Whatever arrives, body or query: accepted only with the right hash over its fields.
    for request in [InboundRequest::post(raw), InboundRequest::get(&query)] {
        if let Ok(callback) = gateway.verify_three_ds_callback(&request) {
            let presented = request.param("hash").unwrap_or_default();
            assert_eq!(
                values_of(&callback.fields),
                NAMES.map(|n| request.param(n).unwrap_or_default())
            );
            assert_eq!(
                presented.trim(),
                hash(&values_of(&callback.fields)),
                "accepted a forged callback"
            );
        }
    }
    // Signed here from fuzzed fields: accepted, in the body and in the query.
    let signed = hash(&values);
    let encoded = form(&values, &signed);
    for request in [
        InboundRequest::post(encoded.clone()),
        InboundRequest::get(&encoded),
    ] {
        let callback = gateway
            .verify_three_ds_callback(&request)
            .expect("a correctly signed callback is accepted");
        assert_eq!(values_of(&callback.fields), values);
    }
    // One byte changed in a signed field or in the hash.
    let which = usize::from(mode) % 7;
    let mut tampered = values.clone();
    let mut presented = signed.clone();
    let target = if which < 6 {
        &mut tampered[which]
    } else {
        &mut presented
    };
    let Some(changed) = tamper::one_byte_changed(target) else {
        return;
    };
    *target = changed;
    if presented.trim() != hash(&tampered) {
        let request = InboundRequest::post(form(&tampered, &presented));
        assert!(
            gateway.verify_three_ds_callback(&request).is_err(),
            "accepted a tampered callback"
        );
    }
});
