//! The one rule for masking card numbers in text that leaves the process (error messages,
//! provider bodies quoted in errors, the CLI's output), whatever the number's grouping.

/// Characters that people and systems put between the digit groups of a card number.
const GROUP_SEPARATORS: [char; 3] = [' ', '-', '.'];

/// A card number has at least 12 digits (the shortest PAN any scheme issues); a shorter
/// run is an amount, a date or an id and stays readable.
const MIN_PAN_DIGITS: usize = 12;

/// Replaces anything that may be a card number with `[REDACTED]`: a run of 12 or more
/// digits, also when single spaces, dashes or dots group them (`4508 0345 0803 4509`,
/// `4508-0345-0803-4509`, `4508.0345.0803.4509`, or mixed). A separator that ends a run
/// belongs to the text after it and is kept.
///
/// A run glued to a letter or `_` on either side is part of an identifier (a hex token, a
/// UUID, an order id such as `ORD20261206123456789`) and stays: masking it would break the
/// token for whoever copies it, and no provider or person writes a card number that way.
///
/// A UUID standing alone (`8-4-4-4-12` hex digits, the shape of the sandbox's and Paytrek's
/// card and plan tokens) stays whole, whatever digits it happens to hold. About one random
/// UUID in 140 has 12 or more decimal digits in dash-joined groups (its first two groups,
/// or its last), and masking them breaks the token for whoever copies it. No card number has a UUID's
/// shape: 32 digits are more than any scheme issues.
pub fn mask_card_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let mut digits = 0usize;
    let mut glued_before = false;
    let mut previous: Option<char> = None;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if run.is_empty() && !previous.is_some_and(is_word_char) {
            if let Some(uuid) = uuid_at(rest) {
                out.push_str(uuid);
                previous = uuid.chars().next_back();
                rest = &rest[uuid.len()..];
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        if c.is_ascii_digit() {
            if run.is_empty() {
                glued_before = previous.is_some_and(is_word_letter);
            }
            run.push(c);
            digits = digits.saturating_add(1);
        } else if GROUP_SEPARATORS.contains(&c) && digits > 0 && !run.ends_with(GROUP_SEPARATORS) {
            run.push(c);
        } else {
            let glued_after = is_word_letter(c) && !run.ends_with(GROUP_SEPARATORS);
            flush(&mut run, &mut digits, glued_before || glued_after, &mut out);
            out.push(c);
        }
        previous = Some(c);
    }
    flush(&mut run, &mut digits, glued_before, &mut out);
    out
}

fn is_word_letter(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    is_word_letter(c) || c.is_ascii_digit()
}

/// The UUID `text` opens with, when one does and no letter or digit follows it.
fn uuid_at(text: &str) -> Option<&str> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    const LEN: usize = 36;
    let candidate = text.get(..LEN)?;
    let mut bytes = candidate.bytes();
    for (k, group) in GROUPS.iter().enumerate() {
        if k > 0 && bytes.next() != Some(b'-') {
            return None;
        }
        if !bytes.by_ref().take(*group).all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
    }
    let glued_after = text[LEN..].chars().next().is_some_and(is_word_char);
    (!glued_after).then_some(candidate)
}

fn flush(run: &mut String, digits: &mut usize, glued: bool, out: &mut String) {
    let kept = run.trim_end_matches(GROUP_SEPARATORS).len();
    let trailing = run.split_off(kept);
    if *digits >= MIN_PAN_DIGITS && !glued {
        out.push_str("[REDACTED]");
    } else {
        out.push_str(run);
    }
    out.push_str(&trailing);
    run.clear();
    *digits = 0;
}

#[cfg(test)]
mod tests {
    use super::mask_card_numbers;

    #[test]
    fn every_grouping_is_masked() {
        for pan in [
            "4508034508034509",
            "4508 0345 0803 4509",
            "4508-0345-0803-4509",
            "4508.0345.0803.4509",
            "4508 0345-0803.4509",
            "3782 822463 10005",
            "450803450803",
        ] {
            let out = mask_card_numbers(&format!("unexpected argument '{pan}' found"));
            assert_eq!(out, "unexpected argument '[REDACTED]' found", "{pan}");
        }
    }

    #[test]
    fn short_numbers_and_text_stay() {
        for text in [
            "amount 100.00 TRY",
            "12345678901",
            "order 2026-12-06",
            "1.2.3 - 4",
            "ends with a dot 1234.",
        ] {
            assert_eq!(mask_card_numbers(text), text);
        }
    }

    #[test]
    fn a_double_separator_ends_the_run() {
        // Two groups of six separated by two spaces are not one number.
        assert_eq!(mask_card_numbers("450803  450803"), "450803  450803");
        assert_eq!(mask_card_numbers("4508034509, 1"), "4508034509, 1");
        assert_eq!(mask_card_numbers("x 4508034508034509."), "x [REDACTED].");
    }

    #[test]
    fn digits_inside_identifiers_stay() {
        // A hex token with a long digit run (the Paytrek vault's customer tokens are 32 hex
        // characters) and ids that glue letters to long digit runs are not card numbers.
        for text in [
            "{\"customer_token\":\"ee4611689876543210123ab5\"}",
            "ab4508034508034509",
            "4508034508034509cd",
            "ORD20261206123456789",
            "order_4508034508034509",
        ] {
            assert_eq!(mask_card_numbers(text), text);
        }
        // The same digits standing alone, or parted from a word by punctuation, are masked.
        assert_eq!(
            mask_card_numbers("token=4508034508034509&x"),
            "token=[REDACTED]&x"
        );
        assert_eq!(
            mask_card_numbers("card 4508034508034509 - ok"),
            "card [REDACTED] - ok"
        );
    }

    #[test]
    fn uuids_stay_whole_whatever_digits_they_hold() {
        for uuid in [
            // The shape the CLI's tests met now and then, masked before UUIDs were
            // recognised: 16 or more decimal digits in dash-joined groups.
            "12345678-1234-4123-a123-0123456789ab",
            "53919846-0735-4193-8102-ba08b00fc528",
            "abcdefab-1234-4123-8123-123456789012",
            "00000000-0000-0000-0000-000000000000",
            "6C452006-DEC9-4B9F-A7A6-AEBEC39C05C3",
        ] {
            let text = format!("{{\"id\":\"{uuid}\"}} no card with token {uuid}.");
            assert_eq!(mask_card_numbers(&text), text);
        }
    }

    #[test]
    fn a_card_number_near_uuid_shape_is_still_masked() {
        for text in [
            // Glued to a digit or letter, the UUID is not one: its digits are read as usual.
            "912345678-1234-4123-a123-0123456789ab",
            "12345678-1234-4123-a123-0123456789ab7",
            // One group short, or a group one digit long.
            "12345678-1234-4123-012345678901",
            "12345678-1234-4123-a123-0123456789a",
            // A grouped card number with the dashes of a UUID's first groups.
            "4508-0345-0803-4509",
        ] {
            let masked = mask_card_numbers(text);
            assert!(masked.contains("[REDACTED]"), "{text} -> {masked}");
        }
    }
}
