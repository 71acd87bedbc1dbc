//! JSON request bodies, written for the wire.

use serde::Serialize;

use crate::error::{Error, Result};

/// The buffer a body starts in. A payment request with a card, a customer and a few items
/// is just under it; starting from an empty buffer instead grew it seven or eight times
/// per request, and each growth was a `realloc` that copied what was written so far (the
/// largest single cost of building a Craftgate charge in a profile at 64 in flight).
const BODY_CAPACITY: usize = 1024;

/// `body` as compact JSON bytes; `what` names the request for the error (which cannot
/// happen for the adapters' own wire types: they hold no maps with non-string keys).
pub fn to_body<T: Serialize + ?Sized>(body: &T, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(BODY_CAPACITY);
    serde_json::to_writer(&mut bytes, body)
        .map_err(|e| Error::Configuration(format!("cannot encode the {what} request: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_serde_json_writes() {
        let long = "x".repeat(3000);
        for value in [
            serde_json::json!({"a": 1, "b": [true, null, "ş"]}),
            serde_json::json!({ "long": long }),
        ] {
            assert_eq!(
                to_body(&value, "test").ok(),
                serde_json::to_vec(&value).ok()
            );
        }
    }

    #[test]
    fn a_body_that_cannot_be_encoded_names_the_request() {
        let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let error = to_body(&map, "charge").unwrap_err();
        assert!(error.to_string().contains("charge request"), "{error}");
    }
}
