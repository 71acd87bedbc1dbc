//! The payment-result notification PayTR POSTs to the merchant's "Bildirim URL".
//!
//! Only `merchant_oid`, `status` and `total_amount` are covered by PayTR's hash; the other
//! fields (currency, test flag, failure reason, `utoken`, `payment_amount`) are read as
//! sent. PayTR repeats a notification until it gets exactly `OK`, so the same event arrives
//! more than once: [`Notification::event_key`] is the same every time.
//!
//! [`Notification::amount`] is the order's amount (`payment_amount`), like
//! [`odeme_core::Payment::amount`], not what the customer paid in all (`total_amount`,
//! which includes installment interest and is `0` on failure). `payment_amount` is not
//! hashed, so a success whose `payment_amount` exceeds the hashed `total_amount` is
//! refused: interest only ever adds to the order's amount. When PayTR leaves
//! `payment_amount` out, the hashed total stands in for it. The hashed total itself is
//! [`Notification::paid_amount`].

use std::str::FromStr;

use odeme_core::{
    Acknowledgement, Currency, Error, InboundRequest, Money, Notification, NotificationKind,
    Notifications, PaymentStatus, ProviderId, RejectionKind, Result, StoredCardRef,
};

use crate::client::{Client, TestNotifications};
use crate::{map, PaytrGateway};

/// The form fields, the last value winning when a field is repeated (as PHP reads them).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str> {
        self.get(name).ok_or_else(|| {
            Error::SignatureMismatch(format!("the PayTR notification has no `{name}`"))
        })
    }
}

/// A notification amount: a whole number of kuruş.
fn kurus(field: &str, value: &str, currency: Currency) -> Result<Money> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            field,
            "is not a whole number of minor units (kuruş)",
        ));
    }
    let minor = value
        .parse::<i64>()
        .map_err(|_| Error::invalid(field, "is too large"))?;
    Money::from_minor(minor, currency)
}

/// Verifies and reads a notification.
pub(crate) fn verify(client: &Client, request: &InboundRequest) -> Result<Notification> {
    let fields = Fields(request.form_pairs());
    let hash = fields.required("hash")?;
    let oid = fields.required("merchant_oid")?;
    let status = fields.required("status")?;
    let total = fields.required("total_amount")?;
    if !client.signer.verify_notification(oid, status, total, hash) {
        return Err(Error::SignatureMismatch(
            "the PayTR notification hash does not match".into(),
        ));
    }
    let test_mode = fields.get("test_mode").is_some_and(|t| t.trim() == "1");
    if test_mode && client.config.test_notifications == TestNotifications::Reject {
        return Err(Error::Provider {
            provider: ProviderId::Paytr,
            kind: RejectionKind::NotPermitted,
            code: None,
            message: format!("test-mode notification for order {oid} refused by configuration"),
            http_status: None,
        });
    }
    let currency = match fields
        .get("currency")
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => Currency::TRY,
        Some(code) => Currency::from_str(code)?,
    };
    let total = kurus("total_amount", total, currency)?;
    let normalized = map::payment_status(status);
    let amount = match fields.get("payment_amount").map(str::trim) {
        None | Some("") => total,
        Some(order) => {
            let order = kurus("payment_amount", order, currency)?;
            if normalized == PaymentStatus::Succeeded && order.amount() > total.amount() {
                return Err(Error::SignatureMismatch(
                    "the PayTR notification's payment_amount exceeds its hashed total_amount"
                        .into(),
                ));
            }
            order
        }
    };
    let decline = (normalized == PaymentStatus::Failed).then(|| {
        let code = fields
            .get("failed_reason_code")
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let message = fields.get("failed_reason_msg").filter(|m| !m.is_empty());
        let reason = map::reason_from_code(code.unwrap_or(""), message);
        map::decline(reason, code, message, oid)
    });
    let stored_card = fields
        .get("utoken")
        .filter(|u| !u.is_empty() && normalized == PaymentStatus::Succeeded)
        // The notification names the card user only; the card token comes from capi/list.
        .map(|utoken| StoredCardRef::new(utoken, ""));
    Ok(Notification {
        provider: ProviderId::Paytr,
        kind: NotificationKind::PaymentResult,
        event_key: format!("paytr:{oid}:{status}"),
        event_type: None,
        order_id: Some(oid.to_owned()),
        payment_id: Some(oid.to_owned()),
        status: normalized,
        amount: Some(amount),
        paid_amount: Some(total),
        decline,
        stored_card,
        test_mode,
        acknowledgement: Some(Acknowledgement::text("OK")),
    })
}

impl Notifications for PaytrGateway {
    fn verify_notification(&self, request: &InboundRequest) -> Result<Notification> {
        verify(&self.client, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::PaytrConfig;
    use odeme_core::DeclineReason;
    use rust_decimal_macros::dec;

    fn client(handling: TestNotifications) -> Client {
        Client::new(
            PaytrConfig::new("100001", "TestMerchantKey1", "TestMerchantSalt")
                .with_test_notifications(handling),
        )
        .unwrap()
    }

    fn body(pairs: &[(&str, &str)]) -> InboundRequest {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        InboundRequest::post(s.finish())
    }

    // The hash of ORDER1/success/10099 from sign.rs's known answers.
    const SUCCESS_HASH: &str = "F/c1Ks7G65XGiBM5HdYpp+8LxyAL7MzBsqg7CWrPneQ=";
    const FAILED_HASH: &str = "B6E+nwuKUmnKqe1Fh3h4M6b3AWmya9HJzSrOt8r1/Cs=";

    fn success(extra: &[(&'static str, &'static str)]) -> InboundRequest {
        let mut pairs = vec![
            ("merchant_oid", "ORDER1"),
            ("status", "success"),
            ("total_amount", "10099"),
            ("hash", SUCCESS_HASH),
            ("test_mode", "0"),
            ("payment_type", "card"),
            ("currency", "TL"),
            ("payment_amount", "10099"),
            ("installment_count", "0"),
        ];
        pairs.extend_from_slice(extra);
        body(&pairs)
    }

    #[test]
    fn success_with_kurus_amount_and_utoken() {
        let n = verify(
            &client(TestNotifications::Flag),
            &success(&[("utoken", "U1")]),
        )
        .unwrap();
        assert_eq!(n.status, PaymentStatus::Succeeded);
        assert_eq!(
            n.amount,
            Some(Money::new(dec!(100.99), Currency::TRY).unwrap())
        );
        assert_eq!(n.order_id.as_deref(), Some("ORDER1"));
        assert_eq!(n.event_key, "paytr:ORDER1:success");
        assert_eq!(
            n.stored_card.map(|s| s.customer_token),
            Some("U1".to_owned())
        );
        assert!(!n.test_mode);
        assert_eq!(n.acknowledgement.unwrap().body, "OK");
    }

    #[test]
    fn repeated_notifications_share_the_event_key() {
        let c = client(TestNotifications::Flag);
        let a = verify(&c, &success(&[])).unwrap();
        let b = verify(&c, &success(&[])).unwrap();
        assert_eq!(a.event_key, b.event_key);
    }

    #[test]
    fn failure_maps_reason_code_and_message() {
        let req = body(&[
            ("merchant_oid", "ORDER1"),
            ("status", "failed"),
            ("total_amount", "0"),
            ("hash", FAILED_HASH),
            ("failed_reason_code", "2"),
            ("failed_reason_msg", "Kimlik Doğrulama başarısız"),
            ("test_mode", "1"),
            ("currency", "TL"),
        ]);
        let n = verify(&client(TestNotifications::Flag), &req).unwrap();
        assert_eq!(n.status, PaymentStatus::Failed);
        let d = n.decline.unwrap();
        assert_eq!(d.reason, DeclineReason::ThreeDsFailed);
        assert_eq!(d.provider_code.as_deref(), Some("2"));
        assert_eq!(d.order_id.as_deref(), Some("ORDER1"));
        assert!(n.test_mode);
        assert!(n.stored_card.is_none());
    }

    #[test]
    fn tampered_or_incomplete_notifications_are_rejected() {
        let c = client(TestNotifications::Flag);
        for tampered in [
            body(&[
                ("merchant_oid", "ORDER1"),
                ("status", "success"),
                ("total_amount", "99999"),
                ("hash", SUCCESS_HASH),
            ]),
            body(&[
                ("merchant_oid", "ORDER2"),
                ("status", "success"),
                ("total_amount", "10099"),
                ("hash", SUCCESS_HASH),
            ]),
            body(&[
                ("merchant_oid", "ORDER1"),
                ("status", "failed"),
                ("total_amount", "10099"),
                ("hash", SUCCESS_HASH),
            ]),
            body(&[
                ("merchant_oid", "ORDER1"),
                ("status", "success"),
                ("total_amount", "10099"),
                ("hash", "x"),
            ]),
            body(&[
                ("merchant_oid", "ORDER1"),
                ("status", "success"),
                ("total_amount", "10099"),
            ]),
        ] {
            let err = verify(&c, &tampered).unwrap_err();
            assert!(matches!(err, Error::SignatureMismatch(_)), "{err:?}");
            assert!(
                !err.to_string().contains(SUCCESS_HASH),
                "the expected hash is never shown"
            );
        }
    }

    #[test]
    fn test_notifications_can_be_refused() {
        let req = success(&[("test_mode", "1")]);
        assert!(
            verify(&client(TestNotifications::Flag), &req)
                .unwrap()
                .test_mode
        );
        let err = verify(&client(TestNotifications::Reject), &req).unwrap_err();
        assert!(matches!(
            err,
            Error::Provider {
                kind: RejectionKind::NotPermitted,
                ..
            }
        ));
    }

    #[test]
    fn unknown_status_is_never_success() {
        let c = client(TestNotifications::Flag);
        let hash = c.signer.notification("ORDER1", "weird", "100");
        let n = verify(
            &c,
            &body(&[
                ("merchant_oid", "ORDER1"),
                ("status", "weird"),
                ("total_amount", "100"),
                ("hash", &hash),
            ]),
        )
        .unwrap();
        assert_eq!(n.status, PaymentStatus::Unknown);
    }

    fn signed(c: &Client, status: &str, total: &str, extra: &[(&str, &str)]) -> InboundRequest {
        let hash = c.signer.notification("ORDER1", status, total);
        let mut pairs = vec![
            ("merchant_oid", "ORDER1"),
            ("status", status),
            ("total_amount", total),
            ("hash", hash.as_str()),
            ("currency", "TL"),
        ];
        pairs.extend_from_slice(extra);
        body(&pairs)
    }

    #[test]
    fn amount_is_the_order_amount_not_the_total_with_interest() {
        let c = client(TestNotifications::Flag);
        let req = signed(
            &c,
            "success",
            "11000",
            &[("payment_amount", "10000"), ("installment_count", "3")],
        );
        let n = verify(&c, &req).unwrap();
        assert_eq!(
            n.amount,
            Some(Money::new(dec!(100), Currency::TRY).unwrap()),
            "payment_amount, not total_amount"
        );
        assert_eq!(
            n.paid_amount,
            Some(Money::new(dec!(110), Currency::TRY).unwrap()),
            "the hashed total with interest is what the customer paid"
        );
    }

    #[test]
    fn an_order_amount_above_the_hashed_total_is_refused() {
        let c = client(TestNotifications::Flag);
        let req = signed(&c, "success", "10000", &[("payment_amount", "10001")]);
        assert!(matches!(verify(&c, &req), Err(Error::SignatureMismatch(_))));
        let req = signed(&c, "success", "10000", &[("payment_amount", "1x")]);
        assert_eq!(
            verify(&c, &req).unwrap_err().invalid_field(),
            Some("payment_amount")
        );
    }

    #[test]
    fn a_failure_reports_the_attempted_amount_and_a_missing_one_falls_back() {
        let c = client(TestNotifications::Flag);
        let req = signed(&c, "failed", "0", &[("payment_amount", "3456")]);
        let n = verify(&c, &req).unwrap();
        assert_eq!(n.status, PaymentStatus::Failed);
        assert_eq!(
            n.amount,
            Some(Money::new(dec!(34.56), Currency::TRY).unwrap())
        );
        let n = verify(&c, &signed(&c, "success", "3456", &[])).unwrap();
        assert_eq!(
            n.amount,
            Some(Money::new(dec!(34.56), Currency::TRY).unwrap())
        );
    }
    #[test]
    fn a_signed_notification_moved_to_another_order_or_amount_is_refused() {
        let c = client(TestNotifications::Flag);
        let hash = c.signer.notification("ORDER1", "success", "100");
        for (oid, total) in [("ORDER2", "100"), ("ORDER1", "10000"), ("ORDER1 ", "100")] {
            let req = body(&[
                ("merchant_oid", oid),
                ("status", "success"),
                ("total_amount", total),
                ("hash", &hash),
            ]);
            assert!(
                matches!(verify(&c, &req), Err(Error::SignatureMismatch(_))),
                "{oid} {total}"
            );
        }
    }

    #[test]
    fn duplicated_fields_read_what_was_signed() {
        let c = client(TestNotifications::Flag);
        let hash = c.signer.notification("ORDER1", "success", "100");
        // A second, unsigned merchant_oid after the signed one is what would be read: refused.
        let appended = body(&[
            ("merchant_oid", "ORDER1"),
            ("status", "success"),
            ("total_amount", "100"),
            ("hash", &hash),
            ("merchant_oid", "ORDER2"),
        ]);
        assert!(verify(&c, &appended).is_err());
        // One before it is ignored: the notification reads as the order that was signed.
        let prepended = body(&[
            ("merchant_oid", "ORDER2"),
            ("merchant_oid", "ORDER1"),
            ("status", "success"),
            ("total_amount", "100"),
            ("hash", &hash),
        ]);
        let n = verify(&c, &prepended).unwrap();
        assert_eq!(n.order_id.as_deref(), Some("ORDER1"));
    }

    #[test]
    fn hostile_bodies_are_refused_without_panicking() {
        let c = client(TestNotifications::Flag);
        let long = "9".repeat(1 << 20);
        let hash = c.signer.notification("ORDER1", "success", &long);
        let too_large = body(&[
            ("merchant_oid", "ORDER1"),
            ("status", "success"),
            ("total_amount", &long),
            ("hash", &hash),
        ]);
        let err = verify(&c, &too_large).unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
        let bodies: [Vec<u8>; 4] = [
            vec![b'a'; 8 << 20],
            vec![0xff, 0xfe, b'=', 0x80, b'&'],
            b"merchant_oid=ORDER1&status=succ\xc3\x28ess&total_amount=100&hash=x".to_vec(),
            "&".repeat(1 << 20).into_bytes(),
        ];
        for raw in bodies {
            assert!(verify(&c, &InboundRequest::post(raw)).is_err());
        }
    }
}
