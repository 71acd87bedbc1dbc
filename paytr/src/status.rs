//! The status query (`/odeme/durum-sorgu`) by merchant order id: how a payment is found
//! after an unknown outcome or a 3-D Secure return.

// Paid and returned amounts come from PayTR's answer; every operation must be checked.
#![deny(clippy::arithmetic_side_effects)]

use std::str::FromStr;

use async_trait::async_trait;
use odeme_core::{
    CardSummary, Currency, HttpRequest, HttpResponse, Money, Payment, PaymentStatus,
    PaymentStatusQuery, ProviderId, RefundKind, RefundResult, RefundStatus, RequestKind, Result,
    StatusQuery,
};

use crate::client::Client;
use crate::validate::merchant_oid;
use crate::wire::{non_empty, text, Form, StatusAnswer, Text};
use crate::{map, PaytrGateway};

/// The status-query POST.
pub(crate) fn status_request(client: &Client, oid: &str) -> HttpRequest {
    let mut form = Form::new();
    form.push("merchant_id", client.config.merchant_id.as_str());
    form.push("merchant_oid", oid);
    form.push(
        "paytr_token",
        client.signer.status(&client.config.merchant_id, oid),
    );
    client.form_request(
        "/odeme/durum-sorgu",
        &form,
        "status",
        RequestKind::Read,
        oid,
    )
}

fn money(response: &HttpResponse, value: &Option<Text>, currency: Currency) -> Result<Money> {
    // Status-query amounts may use a decimal comma ("10,8"); Money::parse reads both.
    Money::parse("payment_amount", text(value), currency).map_err(|_| response.unexpected())
}

/// Reads a status-query answer into the payment `oid`.
pub(crate) fn read_status(oid: &str, response: &HttpResponse) -> Result<Payment> {
    let answer: StatusAnswer = response.json()?;
    match text(&answer.status) {
        "success" => {}
        "error" | "failed" => {
            return Err(map::status_error(
                text(&answer.err_no),
                text(&answer.err_msg),
            ))
        }
        _ => return Err(response.unexpected()),
    }
    let currency = match non_empty(&answer.currency) {
        None => Currency::TRY,
        Some(code) => Currency::from_str(&code).map_err(|_| response.unexpected())?,
    };
    let amount = money(response, &answer.payment_amount, currency)?;
    let mut refunded = Money::zero(currency);
    let mut refunds = Vec::new();
    for item in answer.returns.iter().flatten() {
        let returned = money(response, &item.return_amount, currency)?;
        refunded = refunded
            .checked_add(&returned)
            .map_err(|_| response.unexpected())?;
        // The reference_no is how a refund whose answer was lost is recognised here.
        let reference = non_empty(&item.reference_no);
        refunds.push(RefundResult {
            provider: ProviderId::Paytr,
            payment_id: oid.to_owned(),
            refund_ids: reference.iter().cloned().collect(),
            amount: returned,
            total_refunded: None,
            kind: RefundKind::Unspecified,
            status: RefundStatus::Succeeded,
            reference,
        });
    }
    let status = if refunded.is_zero() {
        PaymentStatus::Succeeded
    } else if refunded.amount() >= amount.amount() {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::PartiallyRefunded
    };
    let mut payment = Payment::new(ProviderId::Paytr, oid, oid, status, amount);
    payment.provider_status = Some("success".into());
    payment.captured = amount;
    payment.refunded = refunded;
    payment.refunds = refunds;
    if answer.payment_total.is_some() {
        let total = money(response, &answer.payment_total, currency)?;
        if total != amount {
            payment.paid_amount = Some(total);
        }
    }
    payment.installments = text(&answer.taksit)
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    payment.test_mode = match text(&answer.test_mode).trim() {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    };
    let masked = text(&answer.masked_pan).trim();
    let digits_at = |range: std::ops::Range<usize>| {
        masked
            .get(range)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
    };
    if !masked.is_empty() || answer.kart_marka.is_some() {
        payment.card = Some(CardSummary {
            bin: digits_at(0..6),
            last4: masked
                .len()
                .checked_sub(4)
                .and_then(|start| digits_at(start..masked.len())),
            brand: non_empty(&answer.kart_marka),
            ..CardSummary::default()
        });
    }
    for (name, value) in [
        ("payment_date", &answer.payment_date),
        ("odeme_tipi", &answer.odeme_tipi),
        ("net_tutar", &answer.net_tutar),
        ("kesinti_tutari", &answer.kesinti_tutari),
    ] {
        if let Some(value) = non_empty(value) {
            payment.references.insert(name.to_owned(), value);
        }
    }
    Ok(payment)
}

/// Looks the payment `oid` up.
pub(crate) async fn query(client: &Client, field: &str, oid: &str) -> Result<Payment> {
    merchant_oid(field, oid)?;
    let response = client.send(status_request(client, oid)).await?;
    read_status(oid, &response)
}

#[async_trait]
impl PaymentStatusQuery for PaytrGateway {
    async fn status(&self, query: &StatusQuery) -> Result<Payment> {
        query.validate()?;
        // PayTR's payment reference is the merchant order id.
        let (field, oid) = match query {
            StatusQuery::OrderId(id) => ("order_id", id),
            StatusQuery::PaymentId(id) => ("payment_id", id),
        };
        self::query(&self.client, field, oid).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::{Error, RejectionKind};
    use rust_decimal_macros::dec;

    fn response(body: &str) -> HttpResponse {
        HttpResponse {
            provider: ProviderId::Paytr,
            operation: "status",
            kind: RequestKind::Read,
            reference: None,
            status: 200,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn documented_success_with_comma_amounts_and_returns() {
        let body = r#"{"status":"success","payment_amount":"10,8","payment_total":"11,34",
            "payment_date":"2021-01-01","currency":"TL","taksit":"3","kart_marka":"BONUS",
            "masked_pan":"455359AAA6747","odeme_tipi":"KART","test_mode":"1",
            "returns":[{"return_amount":"2,5","reference_no":"R1","return_date":"2021-01-02 10:00:00"},
                       {"return_amount":"1.30","reference_no":""}],
            "net_tutar":"10,58","kesinti_tutari":"0,22"}"#;
        let p = read_status("ORDER1", &response(body)).unwrap();
        assert_eq!(p.id, "ORDER1");
        assert_eq!(p.amount.amount(), dec!(10.80));
        assert_eq!(p.amount.currency(), Currency::TRY);
        assert_eq!(p.paid_amount.map(|m| m.amount()), Some(dec!(11.34)));
        assert_eq!(p.refunded.amount(), dec!(3.80));
        assert_eq!(p.status, PaymentStatus::PartiallyRefunded);
        assert_eq!(p.refunds.len(), 2);
        assert_eq!(p.refunds[0].reference.as_deref(), Some("R1"));
        assert_eq!(p.refunds[0].refund_ids, vec!["R1".to_owned()]);
        assert_eq!(p.refunds[1].reference, None);
        assert!(p.refunds[1].refund_ids.is_empty());
        assert_eq!(p.installments, 3);
        assert_eq!(p.test_mode, Some(true));
        let card = p.card.unwrap();
        assert_eq!(
            (card.bin.as_deref(), card.last4.as_deref()),
            (Some("455359"), Some("6747"))
        );
        assert_eq!(
            p.references.get("odeme_tipi").map(String::as_str),
            Some("KART")
        );
    }

    #[test]
    fn full_refund_and_plain_success() {
        let body = r#"{"status":"success","payment_amount":"150","payment_total":"150","currency":"USD","taksit":"0",
            "test_mode":"0","returns":[{"return_amount":"150"}]}"#;
        let p = read_status("O2", &response(body)).unwrap();
        assert_eq!(p.status, PaymentStatus::Refunded);
        assert_eq!(p.amount.currency(), Currency::USD);
        assert_eq!(p.installments, 1);
        assert_eq!(p.test_mode, Some(false));
        assert_eq!(p.paid_amount, None);
        let p = read_status(
            "O3",
            &response(r#"{"status":"success","payment_amount":"9.99","payment_total":"9.99"}"#),
        )
        .unwrap();
        assert_eq!(p.status, PaymentStatus::Succeeded);
        assert_eq!(p.captured.amount(), dec!(9.99));
    }

    #[test]
    fn errors() {
        let err = read_status("O", &response(r#"{"status":"error","err_no":"004","err_msg":"merchant_oid ile basarili odeme bulunamadi"}"#))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Provider {
                    kind: RejectionKind::NotFound,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = read_status("O", &response(r#"{"status":"error","err_no":"003","err_msg":"paytr_token gonderilmedi veya gecersiz"}"#))
            .unwrap_err();
        assert!(matches!(err, Error::Authentication { .. }));
        let err = read_status(
            "O",
            &response(r#"{"status":"success","payment_amount":"ten"}"#),
        )
        .unwrap_err();
        assert!(matches!(err, Error::UnexpectedResponse { .. }));
    }
}
