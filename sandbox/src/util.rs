//! Small helpers the simulators share.

// Card numbers come from clients; checking them may not overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use rand::Rng;
use subtle::ConstantTimeEq;

/// A random lowercase hex string of `len` characters (tokens, references).
pub fn random_hex(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// A random string of ASCII digits of `len` characters.
pub fn random_digits(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| char::from(b'0'.saturating_add(rng.gen_range(0..10u8))))
        .collect()
}

/// Constant-time comparison of two strings (signatures, hashes, tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`).
///
/// The one copy the three simulators' pages share. The library has its own in `odeme-core`
/// (for `NextAction::to_html`): the simulator deliberately depends on no odeme crate, so
/// that it stays an independent reading of the providers (DESIGN.md, principle 7).
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

thread_local! {
    /// The buffer answers are written into on this thread, kept between answers.
    static ANSWER_SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `value` as a JSON answer with `status`.
///
/// What axum's `Json` answers, byte for byte: the same body, `content-type:
/// application/json`, and a 500 in plain text should the value not serialize. Written into a
/// per-thread buffer that stays grown, then copied once into a body of the exact size: `Json`
/// starts at 128 bytes and reallocates as it goes, five copies of a 2–3 KB payment on the way,
/// which under load was a tenth of a simulator's cost; a body with spare room would also keep
/// that room for as long as the idempotency cache keeps the answer.
pub(crate) fn json_answer<T: serde::Serialize + ?Sized>(
    status: axum::http::StatusCode,
    value: &T,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    let written = ANSWER_SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            serde_json::to_writer(&mut *buf, value)
                .map(|()| axum::body::Bytes::copy_from_slice(&buf))
        }
        // Serializing cannot reenter this function; should it ever, a fresh buffer does.
        Err(_) => serde_json::to_vec(value).map(axum::body::Bytes::from),
    });
    match written {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            e.to_string(),
        )
            .into_response(),
    }
}

/// Whether `number` passes the Luhn check.
pub fn luhn_valid(number: &str) -> bool {
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            // Every byte is an ASCII digit (checked above): `d` is 0-9, doubled below 19.
            let d = u32::from(b.saturating_sub(b'0'));
            if i % 2 == 1 {
                let dd = d.saturating_mul(2);
                if dd > 9 {
                    dd.saturating_sub(9)
                } else {
                    dd
                }
            } else {
                d
            }
        })
        // A digit string too long to sum is no card number.
        .try_fold(0u32, u32::checked_add);
    sum.is_some_and(|sum| sum % 10 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parts(response: axum::response::Response) -> (u16, String, Vec<u8>) {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("an in-memory body");
        (status, content_type, body.to_vec())
    }

    #[tokio::test]
    async fn json_answer_is_what_axum_json_answers() {
        use axum::http::StatusCode;
        use axum::response::IntoResponse;
        // Longer than one answer's worth, so the scratch buffer grows, then a short one
        // after it that must not carry the long one's tail.
        let long =
            serde_json::json!({ "data": { "items": vec!["Çanta \"x\" ≥ 1"; 400], "n": 1.5 } });
        let short = serde_json::json!({ "errors": { "errorCode": "10051" } });
        for (status, value) in [
            (StatusCode::OK, &long),
            (StatusCode::UNPROCESSABLE_ENTITY, &short),
        ] {
            let ours = parts(json_answer(status, value)).await;
            let axums = parts((status, axum::Json(value)).into_response()).await;
            assert_eq!(ours, axums);
            assert_eq!(ours.1, "application/json");
        }
        // A value JSON cannot write is a 500, as with `Json`.
        let bad = std::collections::BTreeMap::from([(vec![1u8], 1)]);
        let (status, content_type, _) = parts(json_answer(StatusCode::OK, &bad)).await;
        assert_eq!(status, 500);
        assert!(content_type.starts_with("text/plain"));
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4508034508034509"));
        assert!(!luhn_valid("4508034508034508"));
        assert!(!luhn_valid(""));
    }

    #[test]
    fn html_escape_covers_markup_and_both_quotes() {
        assert_eq!(html_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        // `&` is escaped once, not again inside the entities it produced.
        assert_eq!(html_escape("&lt;"), "&amp;lt;");
        assert_eq!(html_escape("Müşteri 100 TL"), "Müşteri 100 TL");
    }

    #[test]
    fn random_shapes() {
        assert_eq!(random_hex(32).len(), 32);
        assert!(random_digits(8).bytes().all(|b| b.is_ascii_digit()));
    }
}
