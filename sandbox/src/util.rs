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
