//! Looking a sale up: by its token, or by the merchant's order id through the sale list.

use async_trait::async_trait;

use odeme_core::{
    Error, HttpRequest, Payment, PaymentStatus, PaymentStatusQuery, ProviderId, RejectionKind,
    RequestKind, Result, StatusQuery,
};

use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::sale::{self, Context};
use crate::wire::{Page, Sale};

/// How many pages of the sale list are read when the filter is not honoured.
const MAX_PAGES: usize = 10;

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
        &format!("/api/v2/sale/?{query}"),
        "status",
        RequestKind::Read,
    )
}

/// How far along a sale is, to pick the one that matters when an order id has several.
fn rank(status: PaymentStatus) -> u8 {
    match status {
        PaymentStatus::Succeeded
        | PaymentStatus::PartiallyRefunded
        | PaymentStatus::Refunded
        | PaymentStatus::Authorized
        | PaymentStatus::Cancelled => 3,
        PaymentStatus::RequiresAction | PaymentStatus::Pending | PaymentStatus::Unknown => 2,
        _ => 1,
    }
}

impl PaytrekGateway {
    async fn status_by_order(&self, order_id: &str) -> Result<Payment> {
        let mut http = sales_by_order_request(&self.config, order_id);
        let mut best: Option<Payment> = None;
        for _ in 0..MAX_PAGES {
            let (page, response): (Page<Sale>, _) = self.call(&http).await?;
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
            // Only pages on the configured host are followed: the link is the provider's.
            match page.next.filter(|n| n.starts_with(self.config.base_url())) {
                Some(next) => http.url = next,
                None => break,
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
            StatusQuery::PaymentId(token) => Ok(self.fetch_payment(token, None).await?.0),
            StatusQuery::OrderId(order_id) => self.status_by_order(order_id).await,
        }
    }
}
