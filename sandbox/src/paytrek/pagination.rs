//! DRF page-number pagination: `{count, next, previous, results}` with `?page=` (and a
//! `?page_size=` of at most 100).

// Page numbers come from clients; no page may overflow or panic the handler.
#![deny(clippy::arithmetic_side_effects)]

use serde_json::{json, Value};

use super::errors::ApiError;

/// Results per page when the request names no `page_size`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 20;
const MAX_PAGE_SIZE: usize = 100;

/// The query parameters of a request, in order.
pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

/// The first value of `name`.
pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Which slice of the results one page holds, and the links to its neighbours.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub start: usize,
    pub end: usize,
    pub next: Option<String>,
    pub previous: Option<String>,
}

/// The page the request asks for out of `total` results; `self_url` is the absolute URL
/// of the list without its query.
pub(crate) fn window(
    total: usize,
    pairs: &[(String, String)],
    self_url: &str,
) -> Result<Window, ApiError> {
    let size = param(pairs, "page_size")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_PAGE_SIZE, |s| s.min(MAX_PAGE_SIZE));
    let pages = total.div_ceil(size).max(1);
    let invalid = || ApiError::NotFoundDetail("Invalid page.".into());
    let page = match param(pairs, "page") {
        None => 1,
        Some("last") => pages,
        Some(text) => text.parse::<usize>().map_err(|_| invalid())?,
    };
    if page == 0 || page > pages {
        return Err(invalid());
    }
    let link = |target: usize| {
        let mut kept: Vec<(String, String)> =
            pairs.iter().filter(|(k, _)| k != "page").cloned().collect();
        // DRF drops `page` from the link to the first page.
        if target > 1 {
            kept.push(("page".into(), target.to_string()));
        }
        if kept.is_empty() {
            self_url.to_owned()
        } else {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish();
            format!("{self_url}?{query}")
        }
    };
    // `page` is 1 to `pages` (checked above), so the window lies inside the results.
    let start = page.saturating_sub(1).saturating_mul(size).min(total);
    Ok(Window {
        start,
        end: start.saturating_add(size).min(total),
        next: (page < pages).then(|| link(page.saturating_add(1))),
        previous: (page > 1).then(|| link(page.saturating_sub(1))),
    })
}

/// The list envelope.
pub(crate) fn envelope(count: usize, window: &Window, results: Vec<Value>) -> Value {
    json!({
        "count": count,
        "next": window.next,
        "previous": window.previous,
        "results": results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        query_pairs(Some(q))
    }

    #[test]
    fn pages_and_links() {
        let w = window(45, &pairs("order_id=x&page=2"), "http://h/api/v2/sale/").unwrap();
        assert_eq!((w.start, w.end), (20, 40));
        assert_eq!(
            w.next.as_deref(),
            Some("http://h/api/v2/sale/?order_id=x&page=3")
        );
        assert_eq!(
            w.previous.as_deref(),
            Some("http://h/api/v2/sale/?order_id=x")
        );
        let last = window(45, &pairs("page=last"), "u").unwrap();
        assert_eq!((last.start, last.end, last.next), (40, 45, None));
    }

    #[test]
    fn empty_lists_have_one_page_and_bad_pages_are_404() {
        let w = window(0, &[], "u").unwrap();
        assert_eq!((w.start, w.end, w.next, w.previous), (0, 0, None, None));
        assert!(window(0, &pairs("page=2"), "u").is_err());
        assert!(window(10, &pairs("page=abc"), "u").is_err());
        assert!(window(10, &pairs("page=0"), "u").is_err());
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(window(500, &pairs("page_size=1000"), "u").unwrap().end, 100);
        assert_eq!(window(500, &pairs("page_size=5"), "u").unwrap().end, 5);
        assert_eq!(window(500, &pairs("page_size=x"), "u").unwrap().end, 20);
    }
}
