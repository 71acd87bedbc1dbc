//! Capture, cancel and refund: their requests (`{sale_token, amount?, comments?}`), their
//! answers, and the results read from them. Only an answer that says `succeeded: true` is
//! a success; one that says neither yes nor no leaves the outcome unknown.

use odeme_core::{
    HttpRequest, HttpResponse, Money, Payment, PaymentStatus, ProviderId, RefundKind,
    RefundRequest, RefundResult, RefundStatus, RequestKind, Result,
};

use crate::call::{check_token, read};
use crate::client::PaytrekConfig;
use crate::errors;
use crate::sale;
use crate::wire::{self, Amount, SettleAnswer, SettleBody};

fn settle_request(
    config: &PaytrekConfig,
    path: &str,
    operation: &'static str,
    sale_token: &str,
    amount: Option<&Money>,
    comments: Option<&str>,
) -> Result<HttpRequest> {
    check_token("payment_id", sale_token)?;
    let body = SettleBody {
        sale_token,
        amount: amount.map(wire::JsonNumber::money),
        comments,
    };
    Ok(config
        .request("POST", path, operation, RequestKind::Write)
        .body(sale::to_bytes(&body)?)
        .reference(sale_token.to_owned()))
}

/// `POST /api/v2/capture/`: Paytrek captures the whole pre-authorization.
pub(crate) fn capture_request(config: &PaytrekConfig, sale_token: &str) -> Result<HttpRequest> {
    settle_request(
        config,
        "/api/v2/capture/",
        "capture",
        sale_token,
        None,
        None,
    )
}

/// `POST /api/v2/cancel/`: cancels, or refunds in full what can no longer be cancelled.
pub(crate) fn cancel_request(
    config: &PaytrekConfig,
    sale_token: &str,
    comments: Option<&str>,
) -> Result<HttpRequest> {
    settle_request(
        config,
        "/api/v2/cancel/",
        "cancel",
        sale_token,
        None,
        comments,
    )
}

/// `POST /api/v2/refund/`: in full without `amount`, in part with it.
pub(crate) fn refund_request(
    config: &PaytrekConfig,
    sale_token: &str,
    amount: Option<&Money>,
    comments: Option<&str>,
) -> Result<HttpRequest> {
    settle_request(
        config,
        "/api/v2/refund/",
        "refund",
        sale_token,
        amount,
        comments,
    )
}

/// The answer of a capture, cancel or refund: `succeeded: true`, or the refusal it carries.
/// An answer without `succeeded` says nothing about what happened: an unknown outcome.
pub(crate) fn read_settle(response: &HttpResponse) -> Result<SettleAnswer> {
    let answer: SettleAnswer = read(response)?;
    // The documented answer has no status word: one that comes with it may say the
    // request was taken for review rather than done.
    if let Some(status) = answer.status.as_deref().filter(|s| !s.trim().is_empty()) {
        return Err(response.undocumented("status", status));
    }
    match answer.succeeded {
        Some(true) => Ok(answer),
        Some(false) => Err(errors::settle_refusal(
            answer.error_code.as_ref().map(|c| c.0.as_str()),
            answer.error_message.as_deref(),
            answer.paytrek_error.as_ref(),
            response.status,
        )),
        None => Err(response.unreadable("the answer does not say whether it succeeded")),
    }
}

/// An amount of the answer in the payment's currency.
fn amount(
    value: Option<Amount>,
    payment: &Payment,
    response: &HttpResponse,
) -> Result<Option<Money>> {
    value
        .map(|a| {
            Money::new(a.0, payment.amount.currency())
                .map_err(|_| response.unreadable("an amount of the answer is not an amount"))
        })
        .transpose()
}

/// The payment after a capture Paytrek confirmed, from the sale as it was before and the
/// capture's answer; for when the sale cannot be read back.
pub(crate) fn captured(
    before: Payment,
    answer: &SettleAnswer,
    response: &HttpResponse,
) -> Result<Payment> {
    let captured = amount(answer.amount, &before, response)?.unwrap_or(before.amount);
    let mut payment = before;
    payment.status = PaymentStatus::Succeeded;
    payment.captured = captured;
    payment.provider_status = None;
    Ok(payment)
}

/// The payment after a cancel Paytrek confirmed; for when the sale cannot be read back.
/// A cancel of a paid sale returns the money (the answer's `amount`); a cancelled
/// pre-authorization took none.
pub(crate) fn cancelled(
    before: Payment,
    answer: &SettleAnswer,
    response: &HttpResponse,
) -> Result<Payment> {
    let released = amount(answer.amount, &before, response)?;
    let mut payment = before;
    if !payment.captured.is_zero() {
        payment.refunded = released.unwrap_or(payment.captured);
    }
    payment.status = PaymentStatus::Cancelled;
    payment.provider_status = None;
    Ok(payment)
}

/// The refund Paytrek confirmed: this refund's `amount` and the sale's
/// `total_refunded_amount` as the answer gives them, else what was asked for (or, for a
/// full refund, what was left).
pub(crate) fn refunded(
    request: &RefundRequest,
    before: &Payment,
    answer: &SettleAnswer,
    response: &HttpResponse,
) -> Result<RefundResult> {
    let this = amount(answer.amount, before, response)?;
    let total = amount(answer.total_refunded_amount, before, response)?;
    let amount = match (this, &request.amount) {
        (Some(amount), _) => amount,
        (None, Some(asked)) => *asked,
        (None, None) => before.refundable(),
    };
    Ok(RefundResult {
        provider: ProviderId::Paytrek,
        payment_id: request.payment_id.clone(),
        refund_ids: Vec::new(),
        amount,
        total_refunded: total,
        kind: RefundKind::Unspecified,
        status: RefundStatus::Succeeded,
        reference: request.reference.clone(),
    })
}
