//! Settling an unknown outcome at the one gateway that may have charged: a status query
//! by order id (a read, safe to repeat), whose answer decides.

use odeme_core::{
    Decline, DeclineReason, Error, GatewayExt, Payment, PaymentStatus, RejectionKind, StatusQuery,
};

use crate::router::Route;

/// What the gateway says about an order it may have charged.
#[derive(Debug)]
pub(crate) enum Reconciled {
    /// It holds a payment for the order: paid, authorized or waiting for the customer.
    Charged(Payment),
    /// It holds the order as failed or cancelled: nothing was charged.
    NotCharged(Payment),
    /// No definitive answer: still unknown, and only this gateway may be asked again.
    Unknown(String),
    /// The gateway does not know the order. Right after a time-out that proves nothing (the
    /// charge may still be in flight); long after it, the charge never arrived.
    NotFound(String),
}

/// Asks `route` about `order_id`.
pub(crate) async fn at(route: &Route, order_id: &str) -> Reconciled {
    let Ok(status) = route.gateway.require_status_query() else {
        return Reconciled::Unknown(format!(
            "`{}` offers no status query to reconcile with",
            route.name
        ));
    };
    match status
        .status(&StatusQuery::OrderId(order_id.to_owned()))
        .await
    {
        Ok(payment) => match payment.status {
            PaymentStatus::Succeeded
            | PaymentStatus::Authorized
            | PaymentStatus::PartiallyRefunded
            | PaymentStatus::Refunded
            | PaymentStatus::RequiresAction => Reconciled::Charged(payment),
            PaymentStatus::Failed | PaymentStatus::Cancelled => Reconciled::NotCharged(payment),
            other => Reconciled::Unknown(format!("`{}` reports the order as {other}", route.name)),
        },
        // Not found right after a time-out may be a payment still being processed: not a
        // proof that nothing was charged.
        Err(Error::Provider {
            kind: RejectionKind::NotFound,
            ..
        }) => Reconciled::NotFound(format!("`{}` does not (yet) know the order", route.name)),
        Err(e) => Reconciled::Unknown(format!("the status query at `{}` failed: {e}", route.name)),
    }
}

/// The decline a reconciled failed payment stands for.
pub(crate) fn decline_of(payment: &Payment) -> Decline {
    let mut decline = Decline::new(payment.provider, DeclineReason::Declined).with_provider(
        payment.provider_status.clone(),
        Some("the payment failed (found by a status query after an unknown outcome)".into()),
    );
    decline.order_id = Some(payment.order_id.clone());
    decline.payment_reference = Some(payment.id.clone());
    decline.soft = false;
    decline
}
