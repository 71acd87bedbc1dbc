//! Field checks shared by the core and the adapters. Each error names the field.

// Checks run on untrusted input and must fail as errors, never by overflowing.
#![deny(clippy::arithmetic_side_effects)]

use crate::error::Error;

/// The field must not be empty (after trimming).
pub fn non_empty(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::invalid(field, "is empty"))
    } else {
        Ok(())
    }
}

/// The field must be at most `max` characters.
pub fn max_chars(field: &str, value: &str, max: usize) -> Result<(), Error> {
    // No text has more characters than bytes: most values are judged without counting.
    if value.len() > max && value.chars().count() > max {
        Err(Error::invalid(
            field,
            format!("is longer than {max} characters"),
        ))
    } else {
        Ok(())
    }
}

/// `checked` with its field named as line item `index`'s (`name` becomes `items[2].name`):
/// the name is formatted only for an error, not for every line of every charge.
pub fn in_item<T>(index: usize, checked: Result<T, Error>) -> Result<T, Error> {
    checked.map_err(|e| match e {
        Error::InvalidRequest { field, reason } => Error::InvalidRequest {
            field: format!("items[{index}].{field}"),
            reason,
        },
        other => other,
    })
}

/// The field must be non-empty and at most `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<(), Error> {
    non_empty(field, value)?;
    max_chars(field, value, max)
}

/// A plausible e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn email(field: &str, value: &str) -> Result<(), Error> {
    let bad = || Error::invalid(field, "is not a valid e-mail address");
    let (local, domain) = value.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !has_space_or_control(value);
    if ok {
        max_chars(field, value, 254)
    } else {
        Err(bad())
    }
}

/// Whether `value` holds whitespace or a control character. ASCII text (nearly every
/// address) is judged byte by byte; for ASCII the two tests are the same, since the one
/// whitespace byte `u8::is_ascii_whitespace` leaves out (vertical tab) is a control byte.
fn has_space_or_control(value: &str) -> bool {
    if value.is_ascii() {
        value
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    } else {
        value.chars().any(|c| c.is_whitespace() || c.is_control())
    }
}

/// A phone number: digits with an optional leading `+`, spaces, dashes and parentheses.
pub fn phone(field: &str, value: &str) -> Result<(), Error> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
    });
    if allowed && (7..=15).contains(&digits) {
        Ok(())
    } else {
        Err(Error::invalid(field, "is not a valid phone number"))
    }
}

/// An absolute `http` or `https` URL.
pub fn url(field: &str, value: &str) -> Result<(), Error> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(Error::invalid(field, "is not an absolute http(s) URL")),
    }
}

/// ASCII letters and digits only, 1 to `max` characters (PayTR's `merchant_oid` rule).
pub fn alphanumeric(field: &str, value: &str, max: usize) -> Result<(), Error> {
    non_empty(field, value)?;
    if !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            field,
            "must contain only letters and digits",
        ));
    }
    max_chars(field, value, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_check_names_the_line_only_when_it_fails() {
        assert_eq!(in_item(3, required("name", "Kitap", 200)).ok(), Some(()));
        let refused = in_item(3, required("name", " ", 200)).unwrap_err();
        assert_eq!(refused.invalid_field(), Some("items[3].name"));
        // Errors that name no field pass through as they are.
        let other = Error::Configuration("x".into());
        assert!(matches!(
            in_item::<()>(1, Err(other)),
            Err(Error::Configuration(_))
        ));
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "jane.doe+x@example.com.tr"] {
            assert!(email("e", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.com",
            "a@b.com.",
            "a b@c.com",
            "a@@b.com",
            "a@.com",
        ] {
            assert_eq!(
                email("e", bad).unwrap_err().invalid_field(),
                Some("e"),
                "{bad}"
            );
        }
    }

    #[test]
    fn spaces_and_controls_are_refused_in_ascii_and_unicode_addresses() {
        // Every ASCII whitespace and control byte, the vertical tab among them, and
        // Unicode's own (a no-break space, a line separator, a C1 control).
        let mut odd: Vec<char> = (0u8..=0x7f)
            .map(char::from)
            .filter(|c| c.is_whitespace() || c.is_control())
            .collect();
        odd.extend(['\u{a0}', '\u{2028}', '\u{85}']);
        for c in odd {
            let address = format!("ay{c}se@example.com");
            assert!(email("e", &address).is_err(), "{:?}", c);
            let address = format!("ayşe{c}@örnek.com.tr");
            assert!(email("e", &address).is_err(), "{:?}", c);
        }
        assert!(email("e", "ayşe@örnek.com.tr").is_ok());
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        // Six characters in eleven bytes.
        assert!(max_chars("n", "şşşşşş", 6).is_ok());
        assert!(max_chars("n", "şşşşşşş", 6).is_err());
        assert!(max_chars("n", "abcdef", 6).is_ok());
        assert!(max_chars("n", "abcdefg", 6).is_err());
    }

    #[test]
    fn phones_urls_alnum() {
        assert!(phone("p", "+90 555 123 45 67").is_ok());
        assert!(phone("p", "12").is_err());
        assert!(phone("p", "555-12a-4567").is_err());
        assert!(url("u", "https://shop.example/ok?x=1").is_ok());
        assert!(url("u", "ftp://x").is_err());
        assert!(url("u", "/relative").is_err());
        assert!(alphanumeric("o", "Order123", 64).is_ok());
        assert!(alphanumeric("o", "order-123", 64).is_err());
        assert!(alphanumeric("o", &"a".repeat(65), 64).is_err());
        assert!(required("n", "ab", 1).is_err());
    }
}
