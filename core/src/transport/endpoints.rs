//! A provider's fixed endpoints, their URLs parsed once when the adapter's client is made:
//! parsing a URL (with IDNA) on every request was a measurable part of a payment's cost
//! (BENCHMARKS.md).

use std::sync::Arc;

/// The fixed endpoints of one provider: each full URL and its parse. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Endpoints(Arc<[(String, url::Url)]>);

impl Endpoints {
    /// `base_url` followed by each of `paths`. A URL that does not serialize back to exactly
    /// itself is left out and parsed per request, so that a request always goes exactly
    /// where its `url` says.
    pub fn new(base_url: &str, paths: &[&str]) -> Self {
        let parsed: Vec<(String, url::Url)> = paths
            .iter()
            .filter_map(|path| {
                let full = format!("{base_url}{path}");
                let parsed = url::Url::parse(&full).ok().filter(|u| u.as_str() == full)?;
                Some((full, parsed))
            })
            .collect();
        Self(parsed.into())
    }

    /// The parse of `url`, when it is one of these endpoints.
    pub fn get(&self, url: &str) -> Option<&url::Url> {
        self.0
            .iter()
            .find(|(full, _)| full == url)
            .map(|(_, parsed)| parsed)
    }

    /// How many endpoints are kept parsed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_endpoint_is_its_url_parsed() {
        let endpoints = Endpoints::new("http://127.0.0.1:9", &["/odeme", "/api/v2/sale/"]);
        assert_eq!(endpoints.len(), 2);
        for url in [
            "http://127.0.0.1:9/odeme",
            "http://127.0.0.1:9/api/v2/sale/",
        ] {
            assert_eq!(endpoints.get(url).map(url::Url::as_str), Some(url));
        }
        assert!(endpoints.get("http://127.0.0.1:9/odeme/iade").is_none());
    }

    #[test]
    fn a_url_that_would_not_serialize_back_is_left_to_per_request_parsing() {
        // The parser lowercases the host and drops the default port: the request's own
        // `url` would then differ from where it is sent.
        let endpoints = Endpoints::new("http://EXAMPLE.test:80", &["/odeme"]);
        assert!(endpoints.is_empty());
        assert!(Endpoints::new("not a url", &["/odeme"]).is_empty());
    }
}
