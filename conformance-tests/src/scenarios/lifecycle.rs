//! Charges, captures, cancels and refunds, with the status checked after each step and the
//! simulator's ledger proving what moved.

use odeme::{
    CancelRequest, CaptureRequest, Error, GatewayExt, Payment, PaymentStatus, RefundRequest,
    RejectionKind,
};
use odeme_sandbox::LedgerKind;
use rust_decimal::Decimal;

use crate::fixtures::{charge as sale, money};
use crate::harness::{expect_err, Check, Env, Fail};
use crate::{ensure, ensure_eq};

/// How many ledger entries of `kind` concern `payment` (by order id or provider reference).
pub(crate) fn effects(env: &Env, payment: &Payment, kind: LedgerKind) -> usize {
    env.sandbox
        .sim()
        .ledger()
        .entries()
        .iter()
        .filter(|e| {
            e.kind == kind
                && (e.order_id.as_deref() == Some(&payment.order_id) || e.reference == payment.id)
        })
        .count()
}

/// Checks the status query agrees with what the scenario expects.
pub(crate) async fn expect_status(
    env: &Env,
    payment: &Payment,
    status: PaymentStatus,
    step: &str,
) -> Check {
    let now = env.status_of(payment).await?;
    ensure_eq!(now.status, status, "status after {step}");
    ensure_eq!(
        now.order_id,
        payment.order_id,
        "order id in the status after {step}"
    );
    Ok(())
}

/// Charges 100 and checks the payment and the ledger.
pub(crate) async fn paid(env: &Env, amount: Decimal) -> Result<Payment, Fail> {
    let request = sale(env, amount)?;
    let payment = env.gateway.require_charges()?.charge(&request).await?;
    ensure_eq!(payment.status, PaymentStatus::Succeeded, "charge status");
    ensure_eq!(payment.amount, request.amount, "charged amount");
    ensure_eq!(payment.order_id, request.order_id, "order id");
    ensure!(
        !payment.id.is_empty(),
        "the payment has no provider reference"
    );
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        1,
        "charges in the ledger"
    );
    Ok(payment)
}

pub(crate) async fn charge(env: &Env) -> Check {
    let payment = paid(env, Decimal::new(10000, 2)).await?;
    ensure_eq!(payment.captured, payment.amount, "captured amount");
    ensure!(
        payment.refunded.is_zero(),
        "a new payment shows a refund: {}",
        payment.refunded
    );
    if let Some(card) = &payment.card {
        if let Some(last4) = &card.last4 {
            ensure_eq!(
                last4.as_str(),
                &env.profile.card.number[env.profile.card.number.len() - 4..],
                "card last4"
            );
        }
    }
    expect_status(env, &payment, PaymentStatus::Succeeded, "the charge").await
}

async fn authorized(env: &Env) -> Result<Payment, Fail> {
    let request = sale(env, Decimal::new(25000, 2))?.pre_authorize();
    let payment = env.gateway.require_charges()?.charge(&request).await?;
    ensure_eq!(
        payment.status,
        PaymentStatus::Authorized,
        "pre-authorization status"
    );
    ensure!(
        payment.captured.is_zero(),
        "nothing may be captured yet, got {}",
        payment.captured
    );
    ensure_eq!(
        effects(env, &payment, LedgerKind::PreAuthorization),
        1,
        "pre-authorizations in the ledger"
    );
    ensure_eq!(
        effects(env, &payment, LedgerKind::Charge),
        0,
        "sales in the ledger"
    );
    expect_status(
        env,
        &payment,
        PaymentStatus::Authorized,
        "the pre-authorization",
    )
    .await?;
    Ok(payment)
}

pub(crate) async fn pre_authorize_capture(env: &Env) -> Check {
    let payment = authorized(env).await?;
    let captured = env
        .gateway
        .require_charges()?
        .capture(&CaptureRequest {
            payment_id: payment.id.clone(),
            amount: None,
        })
        .await?;
    ensure_eq!(
        captured.status,
        PaymentStatus::Succeeded,
        "status after capture"
    );
    ensure_eq!(captured.captured, payment.amount, "captured amount");
    ensure_eq!(
        effects(env, &payment, LedgerKind::Capture),
        1,
        "captures in the ledger"
    );
    expect_status(env, &payment, PaymentStatus::Succeeded, "the capture").await
}

pub(crate) async fn pre_authorize_cancel(env: &Env) -> Check {
    let payment = authorized(env).await?;
    let cancelled = env
        .gateway
        .require_charges()?
        .cancel(&CancelRequest {
            payment_id: payment.id.clone(),
            reason: Some("customer changed mind".into()),
        })
        .await?;
    ensure_eq!(
        cancelled.status,
        PaymentStatus::Cancelled,
        "status after cancel"
    );
    ensure_eq!(
        effects(env, &payment, LedgerKind::Cancel),
        1,
        "cancels in the ledger"
    );
    ensure_eq!(
        effects(env, &payment, LedgerKind::Capture),
        0,
        "captures in the ledger"
    );
    expect_status(env, &payment, PaymentStatus::Cancelled, "the cancel").await
}

pub(crate) async fn charge_cancel(env: &Env) -> Check {
    let payment = paid(env, Decimal::new(4000, 2)).await?;
    let cancelled = env
        .gateway
        .require_charges()?
        .cancel(&CancelRequest {
            payment_id: payment.id.clone(),
            reason: None,
        })
        .await?;
    ensure_eq!(
        cancelled.status,
        PaymentStatus::Cancelled,
        "status after cancelling a sale"
    );
    ensure_eq!(
        effects(env, &payment, LedgerKind::Cancel),
        1,
        "cancels in the ledger"
    );
    expect_status(env, &payment, PaymentStatus::Cancelled, "the cancel").await
}

pub(crate) async fn partial_then_rest(env: &Env) -> Check {
    let payment = paid(env, Decimal::new(10000, 2)).await?;
    let refunds = env.gateway.require_refunds()?;
    let part = money(env, Decimal::new(3000, 2))?;
    let first = refunds
        .refund(&RefundRequest::partial(&payment.id, part))
        .await?;
    ensure_eq!(first.amount, part, "first refund amount");
    let now = env.status_of(&payment).await?;
    ensure_eq!(
        now.status,
        PaymentStatus::PartiallyRefunded,
        "status after the partial refund"
    );
    ensure_eq!(
        now.refunded,
        part,
        "refunded total after the partial refund"
    );
    let rest = refunds.refund(&RefundRequest::full(&payment.id)).await?;
    ensure_eq!(
        rest.amount,
        money(env, Decimal::new(7000, 2))?,
        "refund of the rest"
    );
    let now = env.status_of(&payment).await?;
    ensure_eq!(
        now.status,
        PaymentStatus::Refunded,
        "status after refunding the rest"
    );
    ensure_eq!(now.refunded, payment.amount, "refunded total");
    ensure_eq!(
        effects(env, &payment, LedgerKind::Refund),
        2,
        "refunds in the ledger"
    );
    Ok(())
}

pub(crate) async fn multiple_partials(env: &Env) -> Check {
    let payment = paid(env, Decimal::new(10000, 2)).await?;
    let refunds = env.gateway.require_refunds()?;
    let mut total = Decimal::ZERO;
    for cents in [1000, 2550, 1225] {
        let amount = money(env, Decimal::new(cents, 2))?;
        let result = refunds
            .refund(&RefundRequest::partial(&payment.id, amount))
            .await?;
        ensure_eq!(result.amount, amount, "refund amount");
        total += amount.amount();
        let now = env.status_of(&payment).await?;
        ensure_eq!(
            now.status,
            PaymentStatus::PartiallyRefunded,
            "status after a partial refund"
        );
        ensure_eq!(now.refunded.amount(), total, "refunded total");
    }
    ensure_eq!(
        effects(env, &payment, LedgerKind::Refund),
        3,
        "refunds in the ledger"
    );
    Ok(())
}

pub(crate) async fn over_refund(env: &Env) -> Check {
    let payment = paid(env, Decimal::new(10000, 2)).await?;
    let refunds = env.gateway.require_refunds()?;
    refunds
        .refund(&RefundRequest::partial(
            &payment.id,
            money(env, Decimal::new(6000, 2))?,
        ))
        .await?;
    let too_much = money(env, Decimal::new(4001, 2))?;
    let error = expect_err(
        refunds
            .refund(&RefundRequest::partial(&payment.id, too_much))
            .await,
        "over-refund",
    )?;
    ensure!(
        matches!(
            error,
            Error::Provider {
                kind: RejectionKind::AmountExceeded,
                ..
            }
        ) || error.invalid_field().is_some_and(|f| f.contains("amount")),
        "an over-refund must be refused as amount exceeded, got {error:?}"
    );
    ensure_eq!(
        effects(env, &payment, LedgerKind::Refund),
        1,
        "refunds in the ledger"
    );
    let now = env.status_of(&payment).await?;
    ensure_eq!(
        now.refunded,
        money(env, Decimal::new(6000, 2))?,
        "refunded total after the refused refund"
    );
    ensure_eq!(
        now.status,
        PaymentStatus::PartiallyRefunded,
        "status after the refused refund"
    );
    Ok(())
}

pub(crate) async fn unknown_refund(env: &Env) -> Check {
    let before = env.ledger_len();
    let error = expect_err(
        env.gateway
            .require_refunds()?
            .refund(&RefundRequest::full("987654321"))
            .await,
        "refund of an unknown payment",
    )?;
    ensure!(
        matches!(
            error,
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ),
        "an unknown payment must be refused as not found, got {error:?}"
    );
    ensure_eq!(env.ledger_len(), before, "ledger entries");
    Ok(())
}

pub(crate) async fn double_capture(env: &Env) -> Check {
    let payment = authorized(env).await?;
    let charges = env.gateway.require_charges()?;
    let capture = CaptureRequest {
        payment_id: payment.id.clone(),
        amount: None,
    };
    charges.capture(&capture).await?;
    let error = expect_err(charges.capture(&capture).await, "second capture")?;
    ensure!(
        matches!(
            error,
            Error::Provider {
                kind: RejectionKind::InvalidState,
                ..
            }
        ),
        "a second capture must be refused as invalid state, got {error:?}"
    );
    ensure_eq!(
        effects(env, &payment, LedgerKind::Capture),
        1,
        "captures in the ledger"
    );
    expect_status(
        env,
        &payment,
        PaymentStatus::Succeeded,
        "the refused capture",
    )
    .await
}
