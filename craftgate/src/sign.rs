//! Craftgate's three hashes: the `x-signature` of every API request, the `hash` of the 3-D
//! Secure browser callback, and the webhook signature.

// The hashes read caller- and provider-given text; no arithmetic may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use odeme_core::secret::constant_time_eq;
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

/// `Base64(SHA-256(decodedUrl + apiKey + secretKey + randomKey + body))`.
///
/// `url` is the full URL as sent (scheme, host, path and query); it is percent-decoded
/// before hashing because that is what every official client signs. The body is the exact
/// bytes sent and is left out entirely when there is none.
pub(crate) fn request_signature(
    url: &str,
    api_key: &str,
    secret_key: &str,
    random_key: &str,
    body: Option<&[u8]>,
) -> String {
    let decoded = percent_decode(url);
    let mut hasher = Sha256::new();
    hasher.update(&decoded);
    hasher.update(api_key.as_bytes());
    hasher.update(secret_key.as_bytes());
    hasher.update(random_key.as_bytes());
    if let Some(body) = body {
        hasher.update(body);
    }
    STANDARD.encode(hasher.finalize())
}

/// Percent-decodes `text` byte-wise; a `%` not followed by two hex digits is kept as is.
///
/// `+` is left alone: the query strings this adapter builds encode spaces as `%20`, so a
/// literal `+` in a URL is a plus sign.
fn percent_decode(text: &str) -> Cow<'_, [u8]> {
    percent_decode_str(text).into()
}

/// The seven fields of a 3-D Secure callback, in hash order; a missing one is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreeDsCallbackFields {
    /// `status` (`SUCCESS` or `FAILURE`).
    pub status: String,
    /// `completeStatus` (`WAITING` while `3ds-complete` is still to be called).
    pub complete_status: String,
    /// `paymentId`.
    pub payment_id: String,
    /// `conversationData`.
    pub conversation_data: String,
    /// `conversationId` (this adapter sends the order id).
    pub conversation_id: String,
    /// `callbackStatus` (e.g. `ALREADY_RETURNED`).
    pub callback_status: String,
}

/// `lowercase_hex(SHA-256(callbackKey###status###completeStatus###paymentId###conversationData###conversationId###callbackStatus))`.
///
/// A plain digest with the key prefixed, not an HMAC; empty fields keep their slot.
pub(crate) fn three_ds_callback_hash(callback_key: &str, fields: &ThreeDsCallbackFields) -> String {
    let joined = [
        callback_key,
        &fields.status,
        &fields.complete_status,
        &fields.payment_id,
        &fields.conversation_data,
        &fields.conversation_id,
        &fields.callback_status,
    ]
    .join("###");
    hex::encode(Sha256::digest(joined.as_bytes()))
}

/// Whether `presented` is the callback's hash, compared in constant time. Upper-case hex is
/// not accepted: Craftgate sends lower case, and a different spelling is a different value.
pub(crate) fn verify_three_ds_callback(
    callback_key: &str,
    fields: &ThreeDsCallbackFields,
    presented: &str,
) -> bool {
    let expected = three_ds_callback_hash(callback_key, fields);
    constant_time_eq(expected.as_bytes(), presented.as_bytes())
}

/// `Base64(HMAC-SHA256(webhookKey, eventType + eventTimestamp + status + payloadId))`.
pub(crate) fn webhook_signature(
    webhook_key: &str,
    event_type: &str,
    event_timestamp: &str,
    status: &str,
    payload_id: &str,
) -> String {
    type HmacSha256 = Hmac<Sha256>;
    // HMAC takes keys of any length, so `new_from_slice` cannot fail; the fallback keeps the
    // code free of panics and can never match a real signature.
    let Ok(mut mac) = HmacSha256::new_from_slice(webhook_key.as_bytes()) else {
        return String::new();
    };
    mac.update(event_type.as_bytes());
    mac.update(event_timestamp.as_bytes());
    mac.update(status.as_bytes());
    mac.update(payload_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Appends the first `hex_digits` lowercase hex digits (at most 64) of HMAC-SHA256 of
/// `body` under `key` to `out`: a digest that says nothing about the body to anyone
/// without the key, written where it is needed rather than into a `String` of its own.
pub(crate) fn push_body_digest(out: &mut String, key: &str, body: &[u8], hex_digits: usize) {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return;
    };
    mac.update(body);
    let mut text = [0u8; 64];
    if hex::encode_to_slice(mac.finalize().into_bytes(), &mut text).is_err() {
        return;
    }
    let digits = text.get(..hex_digits).unwrap_or(&text);
    if let Ok(digits) = std::str::from_utf8(digits) {
        out.push_str(digits);
    }
}

/// Whether `presented` signs the webhook, compared in constant time.
pub(crate) fn verify_webhook(
    webhook_key: &str,
    event_type: &str,
    event_timestamp: &str,
    status: &str,
    payload_id: &str,
    presented: &str,
) -> bool {
    let expected = webhook_signature(webhook_key, event_type, event_timestamp, status, payload_id);
    !expected.is_empty() && constant_time_eq(expected.as_bytes(), presented.trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBER_BODY: &str = r#"{"memberExternalId":"ext-1511","name":"Haluk Demir","email":"haluk.demir@example.com","phoneNumber":"905551111111"}"#;

    /// URL, API key, secret key, random key, body, expected signature.
    type Vector = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
    );

    /// The official clients' vectors, numbered as in the provider notes (§1).
    #[test]
    fn official_request_signature_vectors() {
        let cases: &[Vector] = &[
            ("http://api.craftgate.io/onboarding/v1/members", "api-key", "secret-key", "rand-2010", Some(MEMBER_BODY), "Tj0mkbp+WLBwLhS65CjX708PGCl9hD9rlT6n6Zgcyi8="),
            ("http://api.craftgate.io/onboarding/v1/members", "api-key", "secret-key", "rand-2010", None, "lecLrGZXo5u+Oq3V33vIqtbLU2fopbiH78kq6wjWNDQ="),
            ("https://api.craftgate.io/onboarding/v1/members", "api-key", "secret-key", "rand-2010", Some(MEMBER_BODY), "9guTlRNDTRRyUsfSyJ8N/gAdNgQgUsL1guzqgG+FzN4="),
            ("https://api.craftgate.io/onboarding/v1/members", "api-key", "secret-key", "rand-2010", None, "/IoWMs1tQ329eEC4XoDwQAhYc4eHZKV8bdFYNhrL/BQ="),
            ("https://sandbox-api.craftgate.io", "dummy", "dummy", "123", None, "sgmDw5GY819oFF8SC5OTORgqvKGL/4iTZxCeWTSJP5Y="),
            ("https://sandbox-api.craftgate.io", "dummy", "dummy", "123", Some(r#"{"foo": 42}"#), "tAse+e0kJf/+XC6yrM+laeTcszYTH8z7uNc5oZAIGPs="),
            ("http://localhost:8000/foo?foo=42", "dummy", "dummy", "foo", None, "tf0w4o41UCEreJKeQZRHDmJlZr1K2IxG67dMZE5+0gc="),
            ("http://localhost:8000/foo", "dummy", "dummy", "foo", Some(r#"{"foo":42}"#), "5PmVYuEmz1ueo49ta5QraJUrtUcDr0RKGwT+ZlmJqmM="),
            ("http://localhost:8000/installment/v1/installments", "api-key", "secret-key", "1234", None, "uK7LkWOEzVH+Px/YOiMuSXvPkHLR4KoA7PuykXcYovQ="),
            ("http://localhost:8000/payment/v1/cards", "api-key", "secret-key", "1234", Some(r#"{"cardUserKey":"de050909-39a9-473c-a81a-f186dd55cfef"}"#), "kQm62AfjXCw6rS6QBCLXta9tV1GqD/SXsAlYP+cEhG8="),
            ("http://localhost:8000/onboarding/v1/members?name=Zeytinya%C4%9F%C4%B1%20%C3%9Cretim", "api-key", "secret-key", "1234", None, "vxYA+5LH3F4m8tHQA2LpVBwzVgCqGRHue4XAgcVjjYQ="),
        ];
        for (i, (url, key, secret, rnd, body, expected)) in cases.iter().enumerate() {
            let got = request_signature(url, key, secret, rnd, body.map(str::as_bytes));
            assert_eq!(&got, expected, "vector #{}", i + 1);
        }
    }

    #[test]
    fn altered_request_inputs_change_the_signature() {
        let good = "Tj0mkbp+WLBwLhS65CjX708PGCl9hD9rlT6n6Zgcyi8=";
        let url = "http://api.craftgate.io/onboarding/v1/members";
        let sign = |url: &str, key: &str, secret: &str, rnd: &str, body: Option<&str>| {
            request_signature(url, key, secret, rnd, body.map(str::as_bytes))
        };
        assert_eq!(
            sign(url, "api-key", "secret-key", "rand-2010", Some(MEMBER_BODY)),
            good
        );
        assert_ne!(
            sign(
                "http://api.craftgate.io/onboarding/v1/member",
                "api-key",
                "secret-key",
                "rand-2010",
                Some(MEMBER_BODY)
            ),
            good
        );
        assert_ne!(
            sign(url, "api-kez", "secret-key", "rand-2010", Some(MEMBER_BODY)),
            good
        );
        assert_ne!(
            sign(url, "api-key", "secret-kez", "rand-2010", Some(MEMBER_BODY)),
            good
        );
        assert_ne!(
            sign(url, "api-key", "secret-key", "rand-2011", Some(MEMBER_BODY)),
            good
        );
        let reformatted = MEMBER_BODY.replace("\",\"", "\", \"");
        assert_ne!(
            sign(
                url,
                "api-key",
                "secret-key",
                "rand-2010",
                Some(&reformatted)
            ),
            good
        );
        // An empty body adds nothing, but `{}` is a body and must be signed.
        assert_eq!(
            sign(url, "api-key", "secret-key", "rand-2010", Some("")),
            sign(url, "api-key", "secret-key", "rand-2010", None)
        );
        assert_ne!(
            sign(url, "api-key", "secret-key", "rand-2010", Some("{}")),
            sign(url, "api-key", "secret-key", "rand-2010", None)
        );
    }

    #[test]
    fn decoding_keeps_broken_escapes_and_plus() {
        assert_eq!(percent_decode("a%20b%zz%4").as_ref(), b"a b%zz%4");
        assert_eq!(percent_decode("a+b").as_ref(), b"a+b");
        assert_eq!(percent_decode("%C4%9F").as_ref(), "ğ".as_bytes());
        assert_eq!(percent_decode("100%").as_ref(), b"100%");
        // Two hex digits exactly: a sign is no digit (the simulator reads it the same way).
        assert_eq!(percent_decode("%+F%-1").as_ref(), b"%+F%-1");
    }

    fn callback(
        status: &str,
        complete: &str,
        payment: &str,
        data: &str,
        conversation: &str,
        callback: &str,
    ) -> ThreeDsCallbackFields {
        ThreeDsCallbackFields {
            status: status.into(),
            complete_status: complete.into(),
            payment_id: payment.into(),
            conversation_data: data.into(),
            conversation_id: conversation.into(),
            callback_status: callback.into(),
        }
    }

    #[test]
    fn official_three_ds_callback_vectors() {
        let sandbox_key = "merchantThreeDsCallbackKeySndbox";
        let node_key = "6UkASNuafM2TdannfMacixxjMaN5ycTJ";
        let conv = "d1811bb0-25a2-40c7-ba71-c8b605259611";
        let cases = [
            (
                sandbox_key,
                callback(
                    "SUCCESS",
                    "WAITING",
                    "5",
                    "conversation-data",
                    "conversation-id",
                    "",
                ),
                "1d3fa1e51fe7c350185c5a7f8c3ff513a991367b08c16a56f4ab9abeb738a1e1",
            ),
            (
                sandbox_key,
                callback("SUCCESS", "WAITING", "5", "", "conversation-id", ""),
                "a097f0231031a88f2d687b510afca2505ccd2977d6421be4c3784666703f6f25",
            ),
            (
                node_key,
                callback("SUCCESS", "WAITING", "415449", "", conv, ""),
                "768d4e056a9720e7355294b359fe597929dbb363315b543325f1c52612d55edc",
            ),
            (
                node_key,
                callback("FAILURE", "", "417145", "", conv, "ALREADY_RETURNED"),
                "8f97746284f91a4295f99ae1e50dd70ccd3c932fd58437855e91a3a2fe86b293",
            ),
        ];
        for (key, fields, expected) in &cases {
            assert_eq!(three_ds_callback_hash(key, fields), *expected, "{fields:?}");
            assert!(verify_three_ds_callback(key, fields, expected));
        }
    }

    #[test]
    fn altered_three_ds_callbacks_are_rejected() {
        let key = "merchantThreeDsCallbackKeySndbox";
        let fields = callback(
            "SUCCESS",
            "WAITING",
            "5",
            "conversation-data",
            "conversation-id",
            "",
        );
        let good = "1d3fa1e51fe7c350185c5a7f8c3ff513a991367b08c16a56f4ab9abeb738a1e1";
        assert!(!verify_three_ds_callback(
            key,
            &fields,
            "39427942bcaasjaduqabzhdancaASasdhbcxjancakjscace82"
        ));
        assert!(!verify_three_ds_callback(
            key,
            &fields,
            &good.to_uppercase()
        ));
        assert!(!verify_three_ds_callback("otherKey", &fields, good));
        let mut f = fields.clone();
        f.payment_id = "6".into();
        assert!(!verify_three_ds_callback(key, &f, good));
        let mut f = fields.clone();
        f.status = "FAILURE".into();
        assert!(!verify_three_ds_callback(key, &f, good));
        let mut f = fields;
        f.callback_status = "ALREADY_RETURNED".into();
        assert!(!verify_three_ds_callback(key, &f, good));
    }

    #[test]
    fn official_webhook_vector_and_altered_inputs() {
        let key = "Aoh7tReTybO6wOjBmOJFFsOR53SBojEp";
        let good = "0wRB5XqWJxwwPbn5Z9TcbHh8EGYFufSYTsRMB74N094=";
        assert_eq!(
            webhook_signature(key, "API_VERIFY_AND_AUTH", "1661521221", "SUCCESS", "584"),
            good
        );
        assert!(verify_webhook(
            key,
            "API_VERIFY_AND_AUTH",
            "1661521221",
            "SUCCESS",
            "584",
            good
        ));
        assert!(!verify_webhook(
            key,
            "API_VERIFY_AND_AUTH",
            "1661521221",
            "SUCCESS",
            "584",
            "Bsa498wcnaasd4bhx8anxıxcsdnxanalkdjcahxhd"
        ));
        assert!(!verify_webhook(
            "other",
            "API_VERIFY_AND_AUTH",
            "1661521221",
            "SUCCESS",
            "584",
            good
        ));
        assert!(!verify_webhook(
            key,
            "API_AUTH",
            "1661521221",
            "SUCCESS",
            "584",
            good
        ));
        assert!(!verify_webhook(
            key,
            "API_VERIFY_AND_AUTH",
            "1661521222",
            "SUCCESS",
            "584",
            good
        ));
        assert!(!verify_webhook(
            key,
            "API_VERIFY_AND_AUTH",
            "1661521221",
            "FAILURE",
            "584",
            good
        ));
        assert!(!verify_webhook(
            key,
            "API_VERIFY_AND_AUTH",
            "1661521221",
            "SUCCESS",
            "585",
            good
        ));
    }

    #[test]
    fn a_body_digest_is_the_hmac_in_lowercase_hex_cut_to_length() {
        // RFC 4231, test case 2.
        let full = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let digest = |digits| {
            let mut out = "key:".to_owned();
            push_body_digest(&mut out, "Jefe", b"what do ya want for nothing?", digits);
            out
        };
        assert_eq!(digest(64), format!("key:{full}"));
        assert_eq!(digest(16), format!("key:{}", &full[..16]));
        assert_eq!(digest(0), "key:");
        assert_eq!(digest(100), format!("key:{full}"));
    }
}
