//! Looking a sale up: by its token, or by the merchant's order id through the sale list.

// Page counts follow Paytrek's `next` links; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use async_trait::async_trait;

use odeme_core::{
    Error, HttpRequest, Payment, PaymentStatus, PaymentStatusQuery, ProviderId, RejectionKind,
    RequestKind, Result, StatusQuery,
};

use crate::call::read;
use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::sale::{self, Context};
use crate::wire::{Page, Sale};

/// How many pages of the sale list are read when the filter is not honoured.
const MAX_PAGES: usize = 10;

/// The sale list's path.
const SALE_LIST_PATH: &str = "/api/v2/sale/";

/// `GET /api/v2/sale/?order_id=<id>`.
///
/// No public source documents the sale list's filters: the list itself is known only from
/// an integration that reads its `results`, and `order_id` is the name the sale object
/// uses. The answer is therefore also filtered here, and further pages are followed, so an
/// ignored filter costs requests but never returns another order's sale.
pub(crate) fn sales_by_order_request(config: &PaytrekConfig, order_id: &str) -> HttpRequest {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("order_id", order_id)
        .finish();
    config.request(
        "GET",
        &format!("{SALE_LIST_PATH}?{query}"),
        "status",
        RequestKind::Read,
    )
}

/// How far along a sale is, to pick the one that matters when an order id has several.
/// The rank of a sale that took money (or holds an authorization).
const CHARGED_RANK: u8 = 3;

fn rank(status: PaymentStatus) -> u8 {
    match status {
        PaymentStatus::Succeeded
        | PaymentStatus::PartiallyRefunded
        | PaymentStatus::Refunded
        | PaymentStatus::Authorized
        | PaymentStatus::Cancelled => CHARGED_RANK,
        PaymentStatus::RequiresAction | PaymentStatus::Pending | PaymentStatus::Unknown => 2,
        _ => 1,
    }
}

/// The request for the sale list's `next` page, sent to the configured host whatever host
/// the link names: behind a TLS proxy DRF often writes `http://` or an inner host name, and
/// credentials must only ever go to the configured host. Only a link to the sale list itself
/// is followed; its query (the page and the filter) is kept.
pub(crate) fn next_page(current: &HttpRequest, base_url: &str, next: &str) -> Option<HttpRequest> {
    let link = url::Url::parse(next)
        .or_else(|_| url::Url::parse(base_url).and_then(|base| base.join(next)))
        .ok()?;
    if !link.path().ends_with(SALE_LIST_PATH) {
        return None;
    }
    let query = link.query().filter(|q| !q.is_empty())?;
    let url = format!("{base_url}{SALE_LIST_PATH}?{query}");
    if url == current.url {
        return None;
    }
    let mut request = current.clone();
    request.url = url;
    Some(request)
}

/// The error for a lookup by order id that stopped with a `next` page still unread: the
/// order may be on it, so this must not read as "not found".
fn incomplete(order_id: &str, pages: usize, next: &str) -> Error {
    let why = if pages >= MAX_PAGES {
        format!("it has more than {MAX_PAGES} pages")
    } else {
        format!("its next page link `{next}` is not a sale-list link that can be followed")
    };
    // Not a transport error: asking again reads the same list and stops at the same place,
    // so this is not "safe to retry" but a lookup the merchant must finish another way.
    Error::Provider {
        provider: ProviderId::Paytrek,
        kind: RejectionKind::Other,
        code: None,
        http_status: None,
        message: format!(
            "the sale list for order id `{order_id}` was not read to the end ({why}); the \
             lookup is incomplete, so the order may exist: do not conclude it is absent"
        ),
    }
}

impl PaytrekGateway {
    pub(crate) async fn status_by_order(&self, order_id: &str) -> Result<Payment> {
        let mut http = sales_by_order_request(&self.config, order_id);
        let mut best: Option<Payment> = None;
        let mut pages: usize = 0;
        loop {
            // Kept for the next page's request: a GET with no body, cheap to copy.
            let response = self.send(http.clone()).await?;
            let page: Page<Sale<'_>> = read(&response)?;
            // Bounded by MAX_PAGES below; saturating only keeps the count from wrapping.
            pages = pages.saturating_add(1);
            let ctx = Context {
                response: &response,
                currency: None,
                order_id: Some(order_id),
            };
            for found in page
                .results
                .iter()
                .filter(|s| s.order_id.as_deref() == Some(order_id))
            {
                let payment = sale::to_payment(found, &ctx)?;
                if best
                    .as_ref()
                    .is_none_or(|b| rank(payment.status) >= rank(b.status))
                {
                    best = Some(payment);
                }
            }
            let Some(next) = page.next.filter(|n| !n.trim().is_empty()) else {
                break;
            };
            let follow = (pages < MAX_PAGES)
                .then(|| next_page(&http, self.config.base_url(), &next))
                .flatten();
            match (follow, best) {
                (Some(request), found) => {
                    http = request;
                    best = found;
                }
                // A charged sale found is the order's answer even with the rest of the list
                // unread: Paytrek refuses a second sale with the same order id (30120).
                // Anything less (a failed or created sale) might be outranked by a sale on
                // an unread page, so the lookup stays incomplete.
                (None, Some(found)) if rank(found.status) >= CHARGED_RANK => return Ok(found),
                (None, _) => return Err(incomplete(order_id, pages, &next)),
            }
        }
        best.ok_or_else(|| Error::Provider {
            provider: ProviderId::Paytrek,
            kind: RejectionKind::NotFound,
            code: None,
            message: format!("no sale has order id `{order_id}`"),
            http_status: None,
        })
    }
}

#[async_trait]
impl PaymentStatusQuery for PaytrekGateway {
    async fn status(&self, query: &StatusQuery) -> Result<Payment> {
        query.validate()?;
        match query {
            StatusQuery::PaymentId(token) => self.fetch_payment(token, None).await,
            StatusQuery::OrderId(order_id) => self.status_by_order(order_id).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PaytrekConfig {
        PaytrekConfig::new("k", "s").with_base_url("https://pay.example/proxy")
    }

    #[test]
    fn next_links_keep_their_query_and_go_to_the_configured_host() {
        let config = config();
        let first = sales_by_order_request(&config, "o-1");
        assert_eq!(
            first.url,
            "https://pay.example/proxy/api/v2/sale/?order_id=o-1"
        );
        // DRF behind a TLS proxy writes `http://` and an inner host name.
        for link in [
            "http://internal:8000/api/v2/sale/?order_id=o-1&page=2",
            "https://pay.example/proxy/api/v2/sale/?order_id=o-1&page=2",
            "/api/v2/sale/?order_id=o-1&page=2",
        ] {
            let next = next_page(&first, config.base_url(), link).expect(link);
            assert_eq!(
                next.url, "https://pay.example/proxy/api/v2/sale/?order_id=o-1&page=2",
                "{link}"
            );
            assert_eq!(
                next.headers, first.headers,
                "the same credentials, same host"
            );
        }
    }

    #[test]
    fn other_links_are_not_followed() {
        let config = config();
        let first = sales_by_order_request(&config, "o-1");
        for link in [
            "https://evil.example/api/v2/vault/?page=2",
            "https://pay.example/proxy/api/v2/sale/",
            "not a url at all ::",
            // A link to the page just read would loop.
            "https://pay.example/proxy/api/v2/sale/?order_id=o-1",
        ] {
            assert!(
                next_page(&first, config.base_url(), link).is_none(),
                "{link}"
            );
        }
    }

    #[test]
    fn an_incomplete_lookup_is_not_a_not_found() {
        let err = incomplete("o-1", MAX_PAGES, "https://x/api/v2/sale/?page=11");
        assert!(
            matches!(
                err,
                Error::Provider {
                    kind: RejectionKind::Other,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("incomplete"), "{err}");
        let err = incomplete("o-1", 1, "ftp://x/");
        assert!(err.to_string().contains("ftp://x/"), "{err}");
    }
}
