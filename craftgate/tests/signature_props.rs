//! Property: a Craftgate webhook and a 3-D Secure callback are accepted exactly when they
//! are correctly signed. Signed here with the configured keys they are accepted; one byte
//! changed in any signed field, or in the signature, and they are refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use odeme_core::InboundRequest;
use odeme_craftgate::{CraftgateConfig, CraftgateGateway, DEFAULT_WEBHOOK_SIGNATURE_HEADER};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const WEBHOOK_KEY: &str = "prop-webhook-key";
const CALLBACK_KEY: &str = "prop-callback-key";
const CALLBACK_FIELDS: [&str; 6] = [
    "status",
    "completeStatus",
    "paymentId",
    "conversationData",
    "conversationId",
    "callbackStatus",
];

fn gateway() -> CraftgateGateway {
    CraftgateGateway::new(
        CraftgateConfig::new("api-key", "secret-key")
            .with_base_url("http://127.0.0.1:9")
            .with_webhook_key(WEBHOOK_KEY)
            .with_three_ds_callback_key(CALLBACK_KEY),
    )
    .unwrap()
}

fn webhook_signature(fields: &[String; 4]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(WEBHOOK_KEY.as_bytes()).unwrap();
    for f in fields {
        mac.update(f.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

fn webhook(fields: &[String; 4], signature: &str) -> InboundRequest {
    let body = serde_json::json!({
        "eventType": fields[0], "eventTimestamp": fields[1],
        "status": fields[2], "payloadId": fields[3],
    });
    InboundRequest::post(body.to_string()).with_header(DEFAULT_WEBHOOK_SIGNATURE_HEADER, signature)
}

fn callback_hash(values: &[String; 6]) -> String {
    let mut parts = vec![CALLBACK_KEY.to_owned()];
    parts.extend(values.iter().cloned());
    Sha256::digest(parts.join("###").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn callback(values: &[String; 6], hash: &str) -> InboundRequest {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in CALLBACK_FIELDS.iter().zip(values) {
        form.append_pair(name, value);
    }
    form.append_pair("hash", hash);
    InboundRequest::post(form.finish())
}

/// `text` with the byte at `at` (modulo its length) replaced by another printable byte.
fn change_one_byte(text: &str, at: usize, to: u8) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.is_empty() {
        return None;
    }
    let i = at % bytes.len();
    let replacement = b'!' + (to % 94);
    if bytes[i] == replacement {
        return None;
    }
    bytes[i] = replacement;
    String::from_utf8(bytes).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn exactly_the_correctly_signed_webhooks_are_accepted(
        fields in prop::array::uniform4("[A-Za-z0-9_]{1,24}"),
        which in 0usize..5,
        at in any::<usize>(),
        to in any::<u8>(),
    ) {
        let gateway = gateway();
        let signature = webhook_signature(&fields);
        let accepted = gateway.verify_webhook(&webhook(&fields, &signature));
        prop_assert!(accepted.is_ok(), "{:?}", accepted.err());
        let (mut tampered, mut presented) = (fields.clone(), signature.clone());
        let target = if which < 4 { &mut tampered[which] } else { &mut presented };
        let Some(changed) = change_one_byte(target, at, to) else { return Ok(()); };
        *target = changed;
        prop_assert!(gateway.verify_webhook(&webhook(&tampered, &presented)).is_err());
    }

    #[test]
    fn exactly_the_correctly_signed_callbacks_are_accepted(
        values in prop::array::uniform6("[A-Za-z0-9_-]{1,24}"),
        which in 0usize..7,
        at in any::<usize>(),
        to in any::<u8>(),
    ) {
        let gateway = gateway();
        let hash = callback_hash(&values);
        let accepted = gateway.verify_three_ds_callback(&callback(&values, &hash));
        prop_assert!(accepted.is_ok(), "{:?}", accepted.err());
        let (mut tampered, mut presented) = (values.clone(), hash.clone());
        let target = if which < 6 { &mut tampered[which] } else { &mut presented };
        let Some(changed) = change_one_byte(target, at, to) else { return Ok(()); };
        *target = changed;
        prop_assert!(gateway.verify_three_ds_callback(&callback(&tampered, &presented)).is_err());
    }
}
