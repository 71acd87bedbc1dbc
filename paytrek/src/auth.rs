//! HTTP Basic Auth: the API key is the user name and the secret the password.

use base64::Engine;

/// The `Authorization` header value for `api_key`:`secret`.
pub(crate) fn basic_header(api_key: &str, secret: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{api_key}:{secret}"));
    format!("Basic {encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer() {
        // RFC 7617's own example.
        assert_eq!(
            basic_header("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn the_documents_example_header_decodes_to_key_and_secret() {
        // The header printed throughout the Paytrek document.
        let documented = "Basic aEtHWE53SFExRk5IOld2OXI5QmdxSnFocQ==";
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(documented.trim_start_matches("Basic "))
            .unwrap();
        let text = String::from_utf8(decoded).unwrap();
        let (key, secret) = text.split_once(':').unwrap();
        assert_eq!(basic_header(key, secret), documented);
        assert_ne!(basic_header(key, "other"), documented);
        assert_ne!(basic_header("other", secret), documented);
    }
}
