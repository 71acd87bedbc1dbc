//! Inbound calls from Craftgate, verified from the raw request: webhooks (a JSON POST
//! signed with the webhook key in a header) and the 3-D Secure browser callback (form or
//! query fields with a `hash` made with the 3-D callback key). `Notifications` accepts
//! both and tells them apart by their shape: a JSON body with `eventType` is a webhook,
//! anything else carrying `hash` is a 3-D callback.

use odeme_core::{
    Acknowledgement, Decline, DeclineReason, Error, InboundRequest, Notification, NotificationKind,
    Notifications, PaymentStatus, ProviderId, Result,
};

use crate::sign;
use crate::three_ds::{self, ThreeDsCallback};
use crate::wire::WebhookData;
use crate::CraftgateGateway;

/// What a webhook's `eventType` with `status=SUCCESS` says about the payment it names.
/// Events not listed (refunds of an item, payouts, wallets, reports) do not say what the
/// payment's status is, so they read as `Unknown`.
pub(crate) const WEBHOOK_EVENTS: &[(&str, PaymentStatus)] = &[
    ("API_AUTH", PaymentStatus::Succeeded),
    ("API_VERIFY_AND_AUTH", PaymentStatus::Succeeded),
    ("CHECKOUTFORM_AUTH", PaymentStatus::Succeeded),
    ("BKM_EXPRESS_PAYMENT_NOTIFICATION", PaymentStatus::Succeeded),
    ("MULTI_PAYMENT_COMPLETED", PaymentStatus::Succeeded),
    // 3-D verification done; `3ds-complete` is still to come.
    ("THREEDS_VERIFY", PaymentStatus::Pending),
    ("REFUND", PaymentStatus::Refunded),
];

/// Events whose `payloadId` is a payment id (for the others it is a refund, payout, ...).
const PAYMENT_EVENTS: &[&str] = &[
    "API_AUTH",
    "API_VERIFY_AND_AUTH",
    "CHECKOUTFORM_AUTH",
    "BKM_EXPRESS_PAYMENT_NOTIFICATION",
    "THREEDS_VERIFY",
];

fn webhook_status(event_type: &str, status: &str) -> PaymentStatus {
    let on_success = WEBHOOK_EVENTS
        .iter()
        .find(|(e, _)| *e == event_type)
        .map(|(_, s)| *s);
    match (status, on_success) {
        ("SUCCESS", Some(s)) => s,
        ("FAILURE", Some(PaymentStatus::Succeeded | PaymentStatus::Pending)) => {
            PaymentStatus::Failed
        }
        _ => PaymentStatus::Unknown,
    }
}

/// Verifies and reads a webhook.
pub(crate) fn verify_webhook(
    gateway: &CraftgateGateway,
    request: &InboundRequest,
) -> Result<Notification> {
    let config = &gateway.client.config;
    let key = config.webhook_key().ok_or_else(|| {
        Error::Configuration(
            "the webhook key is not configured (CraftgateConfig::with_webhook_key)".into(),
        )
    })?;
    let header = config.webhook_signature_header();
    let presented = request.header(header).ok_or_else(|| {
        Error::SignatureMismatch(format!("the webhook carries no `{header}` header"))
    })?;
    let data: WebhookData = serde_json::from_slice(&request.body)
        .map_err(|_| Error::SignatureMismatch("the webhook body is not Craftgate's JSON".into()))?;
    let event_type = data.event_type.unwrap_or_default();
    let timestamp = data.event_timestamp.unwrap_or_default();
    let status = data.status.unwrap_or_default();
    let payload_id = data.payload_id.unwrap_or_default();
    if !sign::verify_webhook(
        key.expose(),
        &event_type,
        &timestamp,
        &status,
        &payload_id,
        presented,
    ) {
        return Err(Error::SignatureMismatch(
            "the webhook signature does not match".into(),
        ));
    }
    let payment_status = webhook_status(&event_type, &status);
    let decline = (payment_status == PaymentStatus::Failed).then(|| {
        Decline::new(ProviderId::Craftgate, DeclineReason::Unknown)
            .with_provider(None, Some(format!("{event_type} reported {status}")))
    });
    Ok(Notification {
        provider: ProviderId::Craftgate,
        kind: NotificationKind::Webhook,
        event_key: format!("craftgate:{event_type}:{payload_id}:{status}"),
        event_type: Some(event_type.clone()),
        order_id: None,
        payment_id: PAYMENT_EVENTS
            .contains(&event_type.as_str())
            .then_some(payload_id),
        status: payment_status,
        amount: None,
        paid_amount: None,
        decline,
        stored_card: None,
        test_mode: false,
        acknowledgement: Some(Acknowledgement::text("OK")),
    })
}

/// A verified 3-D callback as a notification: `status=SUCCESS` still needs `3ds-complete`
/// (pending); a failure is a 3-D Secure decline.
pub(crate) fn callback_notification(callback: &ThreeDsCallback) -> Notification {
    let f = &callback.fields;
    let (status, decline) = if callback.succeeded() {
        (PaymentStatus::Pending, None)
    } else {
        let mut d = Decline::new(ProviderId::Craftgate, DeclineReason::ThreeDsFailed)
            .with_provider(
                None,
                Some(format!("3-D Secure callback status {}", f.status)),
            );
        d.order_id = Some(f.conversation_id.clone()).filter(|o| !o.is_empty());
        d.payment_reference = Some(f.payment_id.clone()).filter(|p| !p.is_empty());
        (PaymentStatus::Failed, Some(d))
    };
    Notification {
        provider: ProviderId::Craftgate,
        kind: NotificationKind::ThreeDsCallback,
        event_key: format!("craftgate:3ds:{}:{}", f.payment_id, f.status),
        event_type: None,
        order_id: Some(f.conversation_id.clone()).filter(|o| !o.is_empty()),
        payment_id: Some(f.payment_id.clone()).filter(|p| !p.is_empty()),
        status,
        amount: None,
        paid_amount: None,
        decline,
        stored_card: None,
        test_mode: false,
        acknowledgement: None,
    }
}

fn is_webhook(request: &InboundRequest) -> bool {
    serde_json::from_slice::<WebhookData>(&request.body).is_ok_and(|d| d.event_type.is_some())
}

impl Notifications for CraftgateGateway {
    fn verify_notification(&self, request: &InboundRequest) -> Result<Notification> {
        if is_webhook(request) {
            return verify_webhook(self, request);
        }
        let callback =
            three_ds::verify_callback(self.client.config.three_ds_callback_key(), request)?;
        Ok(callback_notification(&callback))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_event_type_reads() {
        let documented = [
            "API_AUTH",
            "API_VERIFY_AND_AUTH",
            "CHECKOUTFORM_AUTH",
            "THREEDS_VERIFY",
            "REFUND",
            "REFUND_TX",
            "PAYOUT_COMPLETED",
            "AUTOPILOT",
            "WALLET_CREATED",
            "WALLET_TX_CREATED",
            "BNPL_NOTIFICATION",
            "BANK_ACCOUNT_TRACKING_RECORD",
            "BKM_EXPRESS_PAYMENT_NOTIFICATION",
            "MULTI_PAYMENT_COMPLETED",
            "MULTI_PAYMENT_EXPIRED",
            "REPORT_GENERATED",
        ];
        for event in documented {
            // Never a success for a failure, whatever the event.
            assert_ne!(
                webhook_status(event, "FAILURE"),
                PaymentStatus::Succeeded,
                "{event}"
            );
        }
        assert_eq!(
            webhook_status("API_AUTH", "SUCCESS"),
            PaymentStatus::Succeeded
        );
        assert_eq!(webhook_status("API_AUTH", "FAILURE"), PaymentStatus::Failed);
        assert_eq!(
            webhook_status("THREEDS_VERIFY", "SUCCESS"),
            PaymentStatus::Pending
        );
        assert_eq!(
            webhook_status("REFUND_TX", "SUCCESS"),
            PaymentStatus::Unknown
        );
        assert_eq!(
            webhook_status("NEW_EVENT", "SUCCESS"),
            PaymentStatus::Unknown
        );
    }
}
