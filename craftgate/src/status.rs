//! Looking payments up: by payment id (`GET /payment/v1/card-payments/{id}`, with the
//! reporting record for its refunds and, for a fully refunded payment, whether it was
//! cancelled) and by order id (the reporting search by `conversationId`), which is how an
//! unknown outcome is reconciled.

use async_trait::async_trait;
use odeme_core::{
    Error, Payment, PaymentStatus, PaymentStatusQuery, ProviderId, RejectionKind, Result,
    StatusQuery,
};

use crate::cancelled;
use crate::card_payment::payment_id;
use crate::client::{query, segment, Call, Client};
use crate::convert::{self, Known};
use crate::errors::ErrorContext;
use crate::wire::{ListData, PaymentData, ReportingTransactionData};
use crate::CraftgateGateway;

/// `GET /payment/v1/card-payments/{id}`.
pub(crate) fn retrieve_call(id: u64) -> Call {
    Call::get(
        format!("/payment/v1/card-payments/{}", segment(&id.to_string())),
        "retrieve_payment",
    )
}

/// `GET /payment-reporting/v1/payments/{id}`: the same payment with `refundablePrice` and
/// `refundStatus`, which the payment endpoint does not carry.
pub(crate) fn reporting_call(id: u64) -> Call {
    Call::get(
        format!(
            "/payment-reporting/v1/payments/{}",
            segment(&id.to_string())
        ),
        "retrieve_payment_report",
    )
}

/// `GET /payment-reporting/v1/payments/{id}/transactions`: the payment's items with what
/// is left to refund of each (`refundablePrice`), which no payment endpoint carries.
pub(crate) fn transactions_call(id: u64) -> Call {
    Call::get(
        format!(
            "/payment-reporting/v1/payments/{}/transactions",
            segment(&id.to_string())
        ),
        "retrieve_payment_transactions",
    )
}

/// `GET /payment-reporting/v1/payments?conversationId=...`: the payments of one order.
pub(crate) fn search_call(order_id: &str) -> Call {
    let q = query(&[
        ("conversationId", order_id.to_owned()),
        ("page", "0".into()),
        ("size", "50".into()),
    ]);
    Call::get(
        format!("/payment-reporting/v1/payments?{q}"),
        "search_payments",
    )
}

/// The payment with its refunds applied.
pub(crate) async fn by_payment_id(client: &Client, id_text: &str) -> Result<Payment> {
    let id = payment_id("payment_id", id_text)?;
    let context = ErrorContext::payment(id_text, false);
    let (mut data, response): (PaymentData, _) = client.call(&retrieve_call(id), &context).await?;
    let (report, _): (PaymentData, _) = client.call(&reporting_call(id), &context).await?;
    data.refundable_price = report.refundable_price;
    data.refund_status = report.refund_status;
    let mut payment =
        convert::payment(data, &Known::default()).map_err(|reason| response.unreadable(&reason))?;
    // Nothing refunded means nothing refunded of any item; otherwise each item's share is
    // Craftgate's to say (refunds are made per item, in any order).
    if !payment.refunded.is_zero() && !payment.transactions.is_empty() {
        let (report, report_response): (ListData<ReportingTransactionData>, _) =
            client.call(&transactions_call(id), &context).await?;
        convert::apply_item_refunds(&mut payment, &report.items)
            .map_err(|reason| report_response.unreadable(&reason))?;
    }
    // A same-day cancel and a refund both leave the payment FULLY_REFUNDED; only the refund
    // behind it tells them apart.
    if payment.status == PaymentStatus::Refunded
        && cancelled::was_cancelled(client, id, &context).await?
    {
        payment.status = PaymentStatus::Cancelled;
    }
    Ok(payment)
}

/// Picks the payment that tells an order's outcome: a successful one if there is one (an
/// order is paid once), else the latest attempt.
pub(crate) fn pick(items: &[PaymentData]) -> Option<&PaymentData> {
    let numeric = |p: &PaymentData| {
        p.id.as_deref()
            .and_then(|id| id.parse::<u64>().ok())
            .unwrap_or(0)
    };
    items
        .iter()
        .filter(|p| p.payment_status.as_deref() == Some("SUCCESS"))
        .max_by_key(|p| numeric(p))
        .or_else(|| items.iter().max_by_key(|p| numeric(p)))
}

/// The order's payment.
pub(crate) async fn by_order_id(client: &Client, order_id: &str) -> Result<Payment> {
    let context = ErrorContext {
        order_id: Some(order_id.to_owned()),
        ..ErrorContext::other()
    };
    let (list, response): (ListData<PaymentData>, _) =
        client.call(&search_call(order_id), &context).await?;
    // The search matches on conversationId; keep only exact matches in case it is a prefix search.
    let matches: Vec<PaymentData> = list
        .items
        .into_iter()
        .filter(|p| !matches!(p.conversation_id.as_deref(), Some(c) if c != order_id))
        .collect();
    let found = pick(&matches).ok_or_else(|| Error::Provider {
        provider: ProviderId::Craftgate,
        kind: RejectionKind::NotFound,
        code: None,
        message: format!("no Craftgate payment has conversationId {order_id}"),
        http_status: Some(response.status),
    })?;
    let id = found
        .id
        .clone()
        .ok_or_else(|| response.unreadable("a found payment has no id"))?;
    by_payment_id(client, &id).await
}

#[async_trait]
impl PaymentStatusQuery for CraftgateGateway {
    async fn status(&self, query: &StatusQuery) -> Result<Payment> {
        query.validate()?;
        match query {
            StatusQuery::PaymentId(id) => by_payment_id(&self.client, id).await,
            StatusQuery::OrderId(order) => by_order_id(&self.client, order).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str, status: &str) -> PaymentData {
        PaymentData {
            id: Some(id.into()),
            payment_status: Some(status.into()),
            ..PaymentData::default()
        }
    }

    #[test]
    fn picks_the_success_else_the_latest() {
        let items = [p("10", "FAILURE"), p("11", "SUCCESS"), p("12", "FAILURE")];
        assert_eq!(pick(&items).and_then(|p| p.id.as_deref()), Some("11"));
        let items = [
            p("10", "FAILURE"),
            p("12", "FAILURE"),
            p("11", "INIT_THREEDS"),
        ];
        assert_eq!(pick(&items).and_then(|p| p.id.as_deref()), Some("12"));
        assert!(pick(&[]).is_none());
    }

    #[test]
    fn search_query_is_encoded() {
        let call = search_call("order 1&x");
        assert_eq!(
            call.path,
            "/payment-reporting/v1/payments?conversationId=order%201%26x&page=0&size=50"
        );
    }
}
