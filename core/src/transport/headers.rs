//! A request's headers as the HTTP client's types, checked before anything is sent.

use std::borrow::Cow;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};

/// Header names the adapters send that `http` has no constant for. `HeaderName::from_bytes`
/// copies an unknown name into a buffer of its own, five times per Craftgate request.
const KNOWN_NAMES: [HeaderName; 6] = [
    HeaderName::from_static("x-api-key"),
    HeaderName::from_static("x-rnd-key"),
    HeaderName::from_static("x-auth-version"),
    HeaderName::from_static("x-signature"),
    HeaderName::from_static("x-idempotency-key"),
    HeaderName::from_static("lang"),
];

/// The error for a header that cannot be sent: it names the header, never its value, which
/// may be a credential.
fn refused(name: &str) -> Error {
    Error::Configuration(format!(
        "cannot build the request: header `{name}` cannot be sent"
    ))
}

fn header_name(name: &str) -> Result<HeaderName> {
    if let Some(known) = KNOWN_NAMES
        .iter()
        .find(|known| known.as_str().eq_ignore_ascii_case(name))
    {
        return Ok(known.clone());
    }
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| refused(name))
}

/// A header value marked sensitive: that only changes `Debug`, and no header value is ever
/// printed, credentials included.
fn sensitive(mut value: HeaderValue) -> HeaderValue {
    value.set_sensitive(true);
    value
}

/// Whether `value` may be sent: visible ASCII and tabs. `http` itself also takes other
/// bytes (obsolete in HTTP, and read differently by different servers) in some of its
/// constructors and versions; no provider header carries them, so they are refused here
/// whatever `http` version is in the lock file.
fn sendable(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// Room left in a request's map for the client's default headers: reqwest merges them in
/// with `entry`, which grows a full map (two allocations and a rehash) even when the name
/// is already there.
const ROOM_FOR_DEFAULTS: usize = 2;

/// The request's headers as `http` types. A borrowed value becomes a header value over the
/// same static bytes and an owned one takes over its buffer: neither is copied, and a
/// static value costs nothing when the client clones the map. A name or value that cannot
/// be sent (a newline in a value given by the caller, say) stops the request before
/// anything is sent.
pub(super) fn header_map(headers: Vec<(&'static str, Cow<'static, str>)>) -> Result<HeaderMap> {
    let mut map = HeaderMap::with_capacity(headers.len() + ROOM_FOR_DEFAULTS);
    for (name, value) in headers {
        if !sendable(&value) {
            return Err(refused(name));
        }
        let value = match value {
            Cow::Borrowed(text) => {
                HeaderValue::from_maybe_shared(Bytes::from_static(text.as_bytes()))
            }
            Cow::Owned(text) => HeaderValue::try_from(text),
        }
        .map_err(|_| refused(name))?;
        map.append(header_name(name)?, sensitive(value));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value owned, as a caller's or a credential's would be.
    fn headers(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, Cow<'static, str>)> {
        pairs
            .iter()
            .map(|(n, v)| (*n, Cow::Owned((*v).to_owned())))
            .collect()
    }

    #[test]
    fn every_header_is_sent_as_given_and_marked_sensitive() {
        let sent = headers(&[
            ("Content-Type", "application/json"),
            ("x-api-key", "key-1"),
            ("X-Rnd-Key", "0b4e9b3f"),
            ("x-signature", "c2lnbmF0dXJl\t="),
            ("Lang", "tr"),
            ("x-unlisted", "v"),
            ("accept", "application/json"),
        ]);
        let map = header_map(sent.clone()).unwrap();
        assert_eq!(map.len(), sent.len());
        for (name, value) in &sent {
            assert_eq!(map.get(*name).unwrap(), value.as_ref(), "{name}");
            assert!(map.get(*name).unwrap().is_sensitive());
        }
        // A listed name is the listed constant whatever its case.
        assert_eq!(header_name("X-API-KEY").unwrap(), "x-api-key");
    }

    #[test]
    fn a_value_that_cannot_be_sent_is_refused_naming_only_the_header() {
        for bad in ["a\r\nb", "tr\u{e7}e", "del\u{7f}", "nul\u{0}"] {
            let error = header_map(headers(&[("x-api-key", bad)]))
                .unwrap_err()
                .to_string();
            assert!(error.contains("`x-api-key`"), "{error}");
            assert!(!error.contains(bad), "{error}");
        }
        assert!(header_map(headers(&[("bad name", "v")])).is_err());
        // A borrowed value is checked the same way.
        let borrowed = vec![("accept", Cow::Borrowed("application/json\r\nx: y"))];
        assert!(header_map(borrowed).is_err());
    }

    #[test]
    fn a_borrowed_value_is_sent_over_its_static_bytes_with_room_for_the_defaults() {
        let map = header_map(vec![
            ("accept", Cow::Borrowed("application/json")),
            ("x-api-key", Cow::Owned("key-1".to_owned())),
        ])
        .unwrap();
        assert_eq!(map.get("accept").unwrap(), "application/json");
        assert!(map.get("accept").unwrap().is_sensitive());
        assert_eq!(map.get("x-api-key").unwrap(), "key-1");
    }

    #[test]
    fn the_clients_defaults_merge_without_growing_the_map() {
        // What reqwest does with its default headers: `entry` on each, inserting the
        // missing ones. A full map would grow (and rehash) on the first `entry`.
        for count in 1..=8 {
            let names = [
                "accept",
                "content-type",
                "x-api-key",
                "x-rnd-key",
                "x-auth-version",
                "x-signature",
                "x-idempotency-key",
                "lang",
            ];
            let sent = names[..count]
                .iter()
                .map(|n| (*n, Cow::Borrowed("v")))
                .collect::<Vec<_>>();
            let mut map = header_map(sent).unwrap();
            let before = map.capacity();
            for default in [reqwest::header::ACCEPT, reqwest::header::USER_AGENT] {
                if let reqwest::header::Entry::Vacant(entry) = map.entry(default) {
                    entry.insert(HeaderValue::from_static("d"));
                }
            }
            assert_eq!(map.capacity(), before, "{count} headers");
        }
    }
}
