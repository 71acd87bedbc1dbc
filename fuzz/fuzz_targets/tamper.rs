//! The one-byte change every signature target makes to a signed field or a signature.

/// `text` with its first byte changed (`A` ↔ `B` for an alphanumeric, else a `Z` put in
/// front): always a different text; `None` when that is not UTF-8.
pub fn one_byte_changed(text: &str) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    match bytes.first_mut() {
        Some(b) if b.is_ascii_alphanumeric() => *b = if *b == b'A' { b'B' } else { b'A' },
        _ => bytes.insert(0, b'Z'),
    }
    String::from_utf8(bytes).ok()
}
