//! Full and partial refunds (`/odeme/iade`).

use async_trait::async_trait;
use odeme_core::validate as core;
use odeme_core::{
    Capability, Error, HttpRequest, HttpResponse, Money, ProviderId, Refund, RefundKind,
    RefundRequest, RefundResult, RefundStatus, RejectionKind, RequestKind, Result,
};

use crate::client::Client;
use crate::validate::{currency_code, merchant_oid};
use crate::wire::{text, Form, RefundAnswer};
use crate::{map, status, PaytrGateway};

/// The refund POST; `reference_no` is posted but not hashed.
pub(crate) fn refund_request(
    client: &Client,
    oid: &str,
    amount: &Money,
    reference: Option<&str>,
) -> HttpRequest {
    let return_amount = amount.to_decimal_string();
    let mut form = Form::new();
    form.push("merchant_id", client.config.merchant_id.clone());
    form.push("merchant_oid", oid);
    form.push("return_amount", return_amount.clone());
    if let Some(reference) = reference {
        form.push("reference_no", reference);
    }
    form.push(
        "paytr_token",
        client
            .signer
            .refund(&client.config.merchant_id, oid, &return_amount),
    );
    client.form_request("/odeme/iade", &form, "refund", RequestKind::Write, oid)
}

/// The request's own checks and PayTR's, before anything is sent.
fn check(request: &RefundRequest) -> Result<()> {
    request.validate()?;
    if !request.items.is_empty() {
        return Err(Error::unsupported(
            ProviderId::Paytr,
            Capability::ItemRefund,
            "PayTR refunds an amount of the order, not items",
        ));
    }
    merchant_oid("payment_id", &request.payment_id)?;
    if let Some(reference) = &request.reference {
        core::alphanumeric("reference", reference, 64)?;
    }
    if let Some(amount) = &request.amount {
        currency_code(amount.currency())
            .map_err(|_| Error::invalid("amount.currency", "PayTR does not take it"))?;
    }
    Ok(())
}

/// Reads the refund answer; an answer that does not echo what was asked is an unknown
/// outcome, since the refund may have been made.
pub(crate) fn read_refund(
    oid: &str,
    amount: &Money,
    reference: Option<&str>,
    response: &HttpResponse,
) -> Result<RefundResult> {
    let answer: RefundAnswer = response.json()?;
    if text(&answer.status) != "success" {
        let message = text(&answer.err_msg);
        return Err(match text(&answer.err_no).trim() {
            "" => map::message_error(message),
            code => map::refund_error(code, message),
        });
    }
    let echoed_oid = text(&answer.merchant_oid);
    if !echoed_oid.is_empty() && echoed_oid != oid {
        return Err(response.unreadable("the answer names another order"));
    }
    let echoed = text(&answer.return_amount);
    if !echoed.is_empty() {
        let matches =
            Money::parse("return_amount", echoed, amount.currency()).is_ok_and(|m| m == *amount);
        if !matches {
            return Err(response.unreadable("the answer reports another amount"));
        }
    }
    let reference = Some(text(&answer.reference_no))
        .filter(|r| !r.is_empty())
        .or(reference)
        .map(str::to_owned);
    Ok(RefundResult {
        provider: ProviderId::Paytr,
        payment_id: oid.to_owned(),
        refund_ids: reference.iter().cloned().collect(),
        amount: *amount,
        total_refunded: None,
        kind: RefundKind::Unspecified,
        status: RefundStatus::Succeeded,
        reference,
    })
}

#[async_trait]
impl Refund for PaytrGateway {
    async fn refund(&self, request: &RefundRequest) -> Result<RefundResult> {
        check(request)?;
        let oid = &request.payment_id;
        let (amount, refunded_before) = match &request.amount {
            Some(amount) => (*amount, None),
            None => {
                // PayTR needs an amount: a full refund returns what is left of the payment.
                let payment = status::query(&self.client, "payment_id", oid).await?;
                let left = payment.refundable();
                if left.is_zero() {
                    return Err(Error::Provider {
                        provider: ProviderId::Paytr,
                        kind: RejectionKind::InvalidState,
                        code: None,
                        message: "the payment has nothing left to refund".into(),
                        http_status: None,
                    });
                }
                (left, Some(payment.refunded))
            }
        };
        let http = refund_request(&self.client, oid, &amount, request.reference.as_deref());
        let response = self.client.send(&http).await?;
        let mut result = read_refund(oid, &amount, request.reference.as_deref(), &response)?;
        result.total_refunded = refunded_before.and_then(|before| before.checked_add(&amount).ok());
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::Currency;
    use rust_decimal_macros::dec;

    fn response(body: &str) -> HttpResponse {
        HttpResponse {
            provider: ProviderId::Paytr,
            operation: "refund",
            kind: RequestKind::Write,
            reference: Some("O1".into()),
            status: 200,
            body: body.as_bytes().to_vec(),
        }
    }

    fn try_(amount: rust_decimal::Decimal) -> Money {
        Money::new(amount, Currency::TRY).unwrap()
    }

    #[test]
    fn documented_success() {
        let body = r#"{"status":"success","is_test":1,"merchant_oid":"O1","return_amount":"11.97","reference_no":"R1"}"#;
        let r = read_refund("O1", &try_(dec!(11.97)), Some("R1"), &response(body)).unwrap();
        assert_eq!(r.amount, try_(dec!(11.97)));
        assert_eq!(r.reference.as_deref(), Some("R1"));
        assert_eq!(r.status, RefundStatus::Succeeded);
    }

    #[test]
    fn documented_errors() {
        let over = r#"{"status":"error","err_no":"009","err_msg":"Toplam iade tutari odeme tutarindan fazla olamaz"}"#;
        let err = read_refund("O1", &try_(dec!(5)), None, &response(over)).unwrap_err();
        assert!(
            matches!(err, Error::Provider { kind: RejectionKind::AmountExceeded, ref code, .. } if code.as_deref() == Some("009"))
        );
        // The doc's own sample uses 006 for the same text.
        let sample = r#"{"status":"error","err_no":"006","err_msg":"Toplam iade tutarı odeme tutarindan fazla olamaz"}"#;
        assert!(matches!(
            read_refund("O1", &try_(dec!(5)), None, &response(sample)),
            Err(Error::Provider {
                kind: RejectionKind::AmountExceeded,
                ..
            })
        ));
        let failed =
            r#"{"status":"failed","err_msg":"merchant_oid ile basarili odeme bulunamadi"}"#;
        assert!(matches!(
            read_refund("O1", &try_(dec!(5)), None, &response(failed)),
            Err(Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            })
        ));
    }

    #[test]
    fn mismatched_echo_is_an_unknown_outcome() {
        let body = r#"{"status":"success","merchant_oid":"O1","return_amount":"1.00"}"#;
        let err = read_refund("O1", &try_(dec!(2)), None, &response(body)).unwrap_err();
        assert!(err.is_unknown_outcome());
    }

    #[test]
    fn checks_before_the_wire() {
        let mut r = RefundRequest::partial("O-1", try_(dec!(1)));
        assert_eq!(check(&r).unwrap_err().invalid_field(), Some("payment_id"));
        r.payment_id = "O1".into();
        r.reference = Some("ref 1".into());
        assert_eq!(check(&r).unwrap_err().invalid_field(), Some("reference"));
        r.reference = None;
        r.amount = Some(Money::new(dec!(1), Currency::JPY).unwrap());
        assert_eq!(
            check(&r).unwrap_err().invalid_field(),
            Some("amount.currency")
        );
        let mut items = RefundRequest::full("O1");
        items.items.push(odeme_core::ItemRefund {
            transaction_id: "t".into(),
            amount: None,
        });
        assert!(matches!(
            check(&items),
            Err(Error::Unsupported {
                capability: Capability::ItemRefund,
                ..
            })
        ));
    }
}
