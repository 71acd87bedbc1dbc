//! The `x-signature` request signature:
//! `Base64(SHA-256(decodedUrl + apiKey + secretKey + rndKey + body))`, the body part left out
//! entirely when the request has none.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::util::constant_time_eq;

/// The signature a client computes for `decoded_url` (the full URL with its query string,
/// already URL-decoded) and the exact body bytes it sent (empty when there is no body).
pub fn request_signature(
    decoded_url: &str,
    api_key: &str,
    secret_key: &str,
    rnd_key: &str,
    body: &[u8],
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(decoded_url.as_bytes());
    hasher.update(api_key.as_bytes());
    hasher.update(secret_key.as_bytes());
    hasher.update(rnd_key.as_bytes());
    hasher.update(body);
    STANDARD.encode(hasher.finalize())
}

/// Percent-decodes a URL the way the clients do before signing. With `plus_is_space`, `+`
/// also becomes a space (Java's `URLDecoder` and Python's `unquote_plus` do that; Node's
/// `decodeURIComponent` does not), so the server tries both readings.
pub fn decode_url(url: &str, plus_is_space: bool) -> String {
    let replaced;
    let source = if plus_is_space {
        replaced = url.replace('+', " ");
        replaced.as_str()
    } else {
        url
    };
    percent_encoding::percent_decode_str(source)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether `presented` is the signature of the request under any of the candidate URLs
/// (raw, still encoded), compared in constant time.
pub fn verify_request_signature(
    candidate_urls: &[String],
    api_key: &str,
    secret_key: &str,
    rnd_key: &str,
    body: &[u8],
    presented: &str,
) -> bool {
    // The two readings of a URL without `+` are the same text, and the Host header and the
    // base URL usually name the same address: each distinct text is hashed once, since
    // hashing the whole body again for a duplicate would only repeat the same answer.
    let mut decoded: Vec<String> = Vec::with_capacity(candidate_urls.len().saturating_mul(2));
    for url in candidate_urls {
        for plus_is_space in [false, true] {
            if plus_is_space && !url.contains('+') {
                continue;
            }
            let text = decode_url(url, plus_is_space);
            if !decoded.contains(&text) {
                decoded.push(text);
            }
        }
    }
    let mut matched = false;
    for url in &decoded {
        let expected = request_signature(url, api_key, secret_key, rnd_key, body);
        // Every candidate is checked so the time taken does not depend on which matched.
        matched |= constant_time_eq(&expected, presented);
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBER: &str = r#"{"memberExternalId":"ext-1511","name":"Haluk Demir","email":"haluk.demir@example.com","phoneNumber":"905551111111"}"#;

    fn sig(url: &str, key: &str, secret: &str, rnd: &str, body: &str) -> String {
        request_signature(&decode_url(url, false), key, secret, rnd, body.as_bytes())
    }

    #[test]
    fn official_vectors() {
        let cases = [
            ("http://api.craftgate.io/onboarding/v1/members", "api-key", "secret-key", "rand-2010", MEMBER, "Tj0mkbp+WLBwLhS65CjX708PGCl9hD9rlT6n6Zgcyi8="),
            ("http://api.craftgate.io/onboarding/v1/members", "api-key", "secret-key", "rand-2010", "", "lecLrGZXo5u+Oq3V33vIqtbLU2fopbiH78kq6wjWNDQ="),
            ("https://api.craftgate.io/onboarding/v1/members", "api-key", "secret-key", "rand-2010", MEMBER, "9guTlRNDTRRyUsfSyJ8N/gAdNgQgUsL1guzqgG+FzN4="),
            ("https://api.craftgate.io/onboarding/v1/members", "api-key", "secret-key", "rand-2010", "", "/IoWMs1tQ329eEC4XoDwQAhYc4eHZKV8bdFYNhrL/BQ="),
            ("https://sandbox-api.craftgate.io", "dummy", "dummy", "123", "", "sgmDw5GY819oFF8SC5OTORgqvKGL/4iTZxCeWTSJP5Y="),
            ("https://sandbox-api.craftgate.io", "dummy", "dummy", "123", r#"{"foo": 42}"#, "tAse+e0kJf/+XC6yrM+laeTcszYTH8z7uNc5oZAIGPs="),
            ("http://localhost:8000/foo?foo=42", "dummy", "dummy", "foo", "", "tf0w4o41UCEreJKeQZRHDmJlZr1K2IxG67dMZE5+0gc="),
            ("http://localhost:8000/foo", "dummy", "dummy", "foo", r#"{"foo":42}"#, "5PmVYuEmz1ueo49ta5QraJUrtUcDr0RKGwT+ZlmJqmM="),
            ("http://localhost:8000/installment/v1/installments", "api-key", "secret-key", "1234", "", "uK7LkWOEzVH+Px/YOiMuSXvPkHLR4KoA7PuykXcYovQ="),
            ("http://localhost:8000/payment/v1/cards", "api-key", "secret-key", "1234", r#"{"cardUserKey":"de050909-39a9-473c-a81a-f186dd55cfef"}"#, "kQm62AfjXCw6rS6QBCLXta9tV1GqD/SXsAlYP+cEhG8="),
            ("http://localhost:8000/onboarding/v1/members?name=Zeytinya%C4%9F%C4%B1%20%C3%9Cretim", "api-key", "secret-key", "1234", "", "vxYA+5LH3F4m8tHQA2LpVBwzVgCqGRHue4XAgcVjjYQ="),
        ];
        for (url, key, secret, rnd, body, want) in cases {
            assert_eq!(sig(url, key, secret, rnd, body), want, "{url} {body}");
            assert!(verify_request_signature(
                &[url.to_owned()],
                key,
                secret,
                rnd,
                body.as_bytes(),
                want
            ));
        }
    }

    #[test]
    fn altered_inputs_are_rejected() {
        let url = vec!["http://localhost:8000/payment/v1/cards".to_owned()];
        let body = br#"{"cardUserKey":"de050909-39a9-473c-a81a-f186dd55cfef"}"#;
        let good = "kQm62AfjXCw6rS6QBCLXta9tV1GqD/SXsAlYP+cEhG8=";
        assert!(verify_request_signature(
            &url,
            "api-key",
            "secret-key",
            "1234",
            body,
            good
        ));
        assert!(!verify_request_signature(
            &url,
            "api-key",
            "secret-kez",
            "1234",
            body,
            good
        ));
        assert!(!verify_request_signature(
            &url,
            "api-kez",
            "secret-key",
            "1234",
            body,
            good
        ));
        assert!(!verify_request_signature(
            &url,
            "api-key",
            "secret-key",
            "1235",
            body,
            good
        ));
        assert!(!verify_request_signature(
            &url,
            "api-key",
            "secret-key",
            "1234",
            &body[1..],
            good
        ));
        assert!(!verify_request_signature(
            &url,
            "api-key",
            "secret-key",
            "1234",
            body,
            &good.to_lowercase()
        ));
        let other = vec!["http://localhost:8000/payment/v1/cards/delete".to_owned()];
        assert!(!verify_request_signature(
            &other,
            "api-key",
            "secret-key",
            "1234",
            body,
            good
        ));
        // The query string is signed.
        let q = vec!["http://localhost:8000/foo?foo=43".to_owned()];
        assert!(!verify_request_signature(
            &q,
            "dummy",
            "dummy",
            "foo",
            b"",
            "tf0w4o41UCEreJKeQZRHDmJlZr1K2IxG67dMZE5+0gc="
        ));
    }

    #[test]
    fn plus_reading_is_tried_too() {
        let decoded = "http://h/x?name=a b";
        let s = request_signature(decoded, "k", "s", "r", b"");
        assert!(verify_request_signature(
            &["http://h/x?name=a+b".to_owned()],
            "k",
            "s",
            "r",
            b"",
            &s
        ));
        assert!(verify_request_signature(
            &["http://h/x?name=a%20b".to_owned()],
            "k",
            "s",
            "r",
            b"",
            &s
        ));
    }
}
