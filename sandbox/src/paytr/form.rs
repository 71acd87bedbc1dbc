//! Reading a POSTed form the way PayTR's PHP back end does: url-encoded or multipart,
//! and when a field is posted twice the last value wins.

use std::collections::HashMap;

/// The fields of one POST.
#[derive(Debug, Default, Clone)]
pub(crate) struct Form {
    fields: HashMap<String, String>,
}

impl Form {
    /// Parses a request's body by the request's own `Content-Type` header.
    pub(crate) fn from_request(headers: &axum::http::HeaderMap, body: &[u8]) -> Self {
        let content_type = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        Self::parse(content_type, body)
    }

    /// Parses a body by its `Content-Type`. Anything that is not a form (JSON, say) yields
    /// no fields, so the request then fails the token and field checks as it does at PayTR.
    pub(crate) fn parse(content_type: Option<&str>, body: &[u8]) -> Self {
        let original = content_type.unwrap_or("");
        // Media types are case-insensitive, boundaries are not.
        let content_type = original.to_ascii_lowercase();
        let pairs = if content_type.starts_with("multipart/form-data") {
            boundary(original)
                .map(|b| multipart(body, &b))
                .unwrap_or_default()
        } else if content_type.starts_with("application/x-www-form-urlencoded")
            || content_type.is_empty()
        {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
        } else {
            Vec::new()
        };
        Self {
            fields: pairs.into_iter().collect(),
        }
    }

    /// Builds a form from pairs (tests, the bank page).
    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self {
            fields: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// The value of a field, if it was posted.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// The value of a field, or `""` when it was not posted: PayTR hashes a missing field
    /// as the empty string.
    pub(crate) fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// Whether a flag field is `1`.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.text(name) == "1"
    }
}

fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|part| {
        let part = part.trim();
        let value = part.get(9..).filter(|_| {
            part.get(..9)
                .is_some_and(|p| p.eq_ignore_ascii_case("boundary="))
        })?;
        Some(value.trim_matches('"').to_owned())
    })
}

/// A small multipart reader for text fields only (PayTR forms carry no files).
fn multipart(body: &[u8], boundary: &str) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let mut pairs = Vec::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((headers, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = headers
            .lines()
            .filter(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .find_map(|l| {
                l.split(';').find_map(|p| {
                    p.trim()
                        .strip_prefix("name=")
                        .map(|n| n.trim_matches('"').to_owned())
                })
            })
        else {
            continue;
        };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        pairs.push((name, value.to_owned()));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_last_value_wins() {
        let form = Form::parse(
            Some("application/x-www-form-urlencoded"),
            b"installment_count=0&email=a%40b.co&installment_count=",
        );
        assert_eq!(form.get("installment_count"), Some(""));
        assert_eq!(form.text("email"), "a@b.co");
        assert_eq!(form.text("missing"), "");
    }

    #[test]
    fn multipart_fields() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"utoken\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"merchant_id\"\r\n\r\n100001\r\n--XyZ--\r\n";
        let form = Form::parse(Some("multipart/form-data; boundary=XyZ"), body.as_bytes());
        assert_eq!(form.get("utoken"), Some("abc"));
        assert_eq!(form.get("merchant_id"), Some("100001"));
    }

    #[test]
    fn json_bodies_carry_no_fields() {
        let form = Form::parse(Some("application/json"), br#"{"merchant_id":"100001"}"#);
        assert_eq!(form.get("merchant_id"), None);
    }
}
