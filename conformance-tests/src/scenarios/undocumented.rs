//! Answers in a form the provider never documents (issue 16): after a write, an unknown
//! status word, a status of the wrong JSON type or a redirect must be an unknown outcome,
//! never a success or a decline, and the status query must still find the truth.

use odeme::{
    CancelRequest, CaptureRequest, ErrorKind, GatewayExt, Payment, PaymentStatus, RefundRequest,
};
use odeme_sandbox::Fault;
use rust_decimal::Decimal;

use crate::fixtures::{charge as sale, money};
use crate::harness::{expect_err, Check, Env, Fail};
use crate::scenarios::lifecycle::paid;
use crate::{ensure, ensure_eq};

/// The three undocumented answer forms, by the name used in the report.
pub(crate) fn fault(which: &str) -> Fault {
    match which {
        "status" => Fault::UndocumentedStatus("TELEPORTED".into()),
        "typed" => Fault::WrongTypedStatus,
        _ => Fault::Redirect,
    }
}

/// Checks `result` is an unknown outcome that is not safe to retry, and that the fault
/// was really used (a fault left pending would make the cell pass for the wrong reason).
fn expect_unknown<T: std::fmt::Debug>(
    env: &Env,
    result: odeme::Result<T>,
    what: &str,
    fault: &Fault,
) -> Check {
    let error = expect_err(result, &format!("{what} under {fault:?}"))?;
    ensure_eq!(
        error.kind(),
        ErrorKind::UnknownOutcome,
        "error kind of {what} under {fault:?} ({error})"
    );
    ensure!(
        !error.is_safe_to_retry(),
        "an unknown outcome must not be safe to retry"
    );
    ensure_eq!(
        env.sandbox.sim().faults().pending(),
        0,
        "the fault was not used"
    );
    Ok(())
}

/// A charge meets an undocumented answer; reconciling by order id finds exactly the one
/// charge the simulator made.
pub(crate) async fn charge(env: &Env, which: &str) -> Check {
    let fault = fault(which);
    let request = sale(env, Decimal::new(10000, 2))?;
    env.sandbox
        .sim()
        .faults()
        .inject_on(env.profile.charge_path, fault.clone());
    let result = env.gateway.require_charges()?.charge(&request).await;
    expect_unknown(env, result, "a charge", &fault)?;
    let now = env.status_by_order(&request.order_id).await?;
    ensure_eq!(now.order_id, request.order_id, "reconciled order id");
    ensure_eq!(
        now.status,
        PaymentStatus::Succeeded,
        "status found by reconciling"
    );
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        1,
        "charges for the order in the ledger"
    );
    Ok(())
}

/// A pre-authorization to capture or cancel.
async fn authorized(env: &Env) -> Result<Payment, Fail> {
    let request = sale(env, Decimal::new(25000, 2))?.pre_authorize();
    let payment = env.gateway.require_charges()?.charge(&request).await?;
    ensure_eq!(
        payment.status,
        PaymentStatus::Authorized,
        "pre-authorization status"
    );
    Ok(payment)
}

/// The follow-up's write is the next POST the gateway makes (adapters may read the payment
/// first, and that read must not take the fault), so the fault goes on the next POST
/// whatever its path: the profiles do not name every follow-up's path.
fn arm(env: &Env, fault: &Fault) {
    env.sandbox.sim().faults().add(odeme_sandbox::FaultRule {
        path_prefix: None,
        method: Some("POST".into()),
        fault: fault.clone(),
        times: 1,
    });
}

/// A capture meets an undocumented answer; the status query shows it captured.
pub(crate) async fn capture(env: &Env, which: &str) -> Check {
    let fault = fault(which);
    let payment = authorized(env).await?;
    arm(env, &fault);
    let result = env
        .gateway
        .require_charges()?
        .capture(&CaptureRequest {
            payment_id: payment.id.clone(),
            amount: None,
        })
        .await;
    expect_unknown(env, result, "a capture", &fault)?;
    let now = env.status_of(&payment).await?;
    ensure_eq!(
        now.status,
        PaymentStatus::Succeeded,
        "status found by reconciling"
    );
    Ok(())
}

/// A cancel meets an undocumented answer; the status query shows it cancelled.
pub(crate) async fn cancel(env: &Env, which: &str) -> Check {
    let fault = fault(which);
    let payment = authorized(env).await?;
    arm(env, &fault);
    let result = env
        .gateway
        .require_charges()?
        .cancel(&CancelRequest {
            payment_id: payment.id.clone(),
            reason: None,
        })
        .await;
    expect_unknown(env, result, "a cancel", &fault)?;
    let now = env.status_of(&payment).await?;
    ensure_eq!(
        now.status,
        PaymentStatus::Cancelled,
        "status found by reconciling"
    );
    Ok(())
}

/// A partial refund meets an undocumented answer; the status query shows it refunded once.
pub(crate) async fn refund(env: &Env, which: &str) -> Check {
    let fault = fault(which);
    let payment = paid(env, Decimal::new(10000, 2)).await?;
    let part = money(env, Decimal::new(2500, 2))?;
    env.sandbox
        .sim()
        .faults()
        .inject_on(env.profile.refund_path, fault.clone());
    let result = env
        .gateway
        .require_refunds()?
        .refund(&RefundRequest::partial(&payment.id, part))
        .await;
    expect_unknown(env, result, "a refund", &fault)?;
    let now = env.status_of(&payment).await?;
    ensure_eq!(now.refunded, part, "refunded total found by reconciling");
    ensure_eq!(
        now.status,
        PaymentStatus::PartiallyRefunded,
        "status found by reconciling"
    );
    Ok(())
}

macro_rules! cells {
    ($($name:ident => $write:ident($which:literal);)*) => {
        $(pub(crate) async fn $name(env: &Env) -> Check {
            $write(env, $which).await
        })*
    };
}

cells! {
    charge_status => charge("status");
    charge_typed => charge("typed");
    charge_redirect => charge("redirect");
    capture_status => capture("status");
    capture_typed => capture("typed");
    capture_redirect => capture("redirect");
    cancel_status => cancel("status");
    cancel_typed => cancel("typed");
    cancel_redirect => cancel("redirect");
    refund_status => refund("status");
    refund_typed => refund("typed");
    refund_redirect => refund("redirect");
}
