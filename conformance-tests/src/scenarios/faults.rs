//! Injected faults: each yields the right error kind, nothing panics, the status query
//! finds the truth, and the ledger proves no charge was ever made twice.

use std::time::Duration;

use odeme::{Error, ErrorKind, GatewayExt, PaymentStatus, RejectionKind, StatusQuery};
use odeme_sandbox::Fault;
use rust_decimal::Decimal;

use crate::fixtures::charge;
use crate::harness::{expect_err, fail, Check, Env};
use crate::scenarios::lifecycle::paid;
use crate::{ensure, ensure_eq};

/// The client's time-out in the delay scenarios, and the delay beyond it.
const SHORT_TIMEOUT: Duration = Duration::from_millis(700);
const DELAY: Duration = Duration::from_millis(2000);

/// Whether the reconciled payment exists and took money.
async fn reconcile(env: &Env, order_id: &str) -> Result<bool, crate::harness::Fail> {
    match env.status_by_order(order_id).await {
        Ok(payment) => {
            ensure_eq!(payment.order_id.as_str(), order_id, "reconciled order id");
            Ok(payment.status.is_paid() || payment.status == PaymentStatus::Authorized)
        }
        Err(Error::Provider {
            kind: RejectionKind::NotFound,
            ..
        }) => Ok(false),
        Err(other) => Err(fail(format!("reconciling {order_id} failed: {other:?}"))),
    }
}

/// A charge meets `fault`; the error must be an unknown outcome, and reconciling must find
/// the payment exactly when the simulator processed it.
async fn charge_meets(env: &Env, fault: Fault, timeout: Option<Duration>) -> Check {
    let gateway = match timeout {
        Some(t) => env.gateway_with_timeout(t)?,
        None => env.gateway.clone(),
    };
    let request = charge(env, Decimal::new(10000, 2))?;
    env.sandbox
        .sim()
        .faults()
        .inject_on(env.profile.charge_path, fault.clone());
    let result = gateway.require_charges()?.charge(&request).await;
    let error = expect_err(result, &format!("charge under {fault:?}"))?;
    ensure_eq!(
        error.kind(),
        ErrorKind::UnknownOutcome,
        "error kind under {fault:?} ({error})"
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
    if let Fault::Delay(delay) | Fault::DelayAfterProcessing(delay) = fault {
        // Let the simulator finish with the request (it may still process a delayed one)
        // before asking it what happened.
        tokio::time::sleep(delay + Duration::from_millis(1500)).await;
    }

    let taken = reconcile(env, &request.order_id).await?;
    let charges = env
        .sandbox
        .sim()
        .ledger()
        .charges_for_order(&request.order_id);
    ensure_eq!(
        charges,
        usize::from(taken),
        "ledger charges against the reconciled status (taken: {taken})"
    );
    match fault {
        Fault::Delay(_) => {}
        f if f.processes_request() => ensure!(
            taken,
            "the simulator processed the charge but reconciling missed it"
        ),
        _ => ensure!(
            !taken,
            "reconciling found a charge the simulator never processed"
        ),
    }
    if !taken {
        // Reconciled as never made, so making it now is safe, and it happens once.
        let again = env.gateway.require_charges()?.charge(&request).await?;
        ensure_eq!(
            again.status,
            PaymentStatus::Succeeded,
            "charge after reconciling"
        );
    }
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        1,
        "charges for the order in the end"
    );
    Ok(())
}

pub(crate) async fn delay(env: &Env) -> Check {
    charge_meets(env, Fault::Delay(DELAY), Some(SHORT_TIMEOUT)).await?;
    charge_meets(env, Fault::DelayAfterProcessing(DELAY), Some(SHORT_TIMEOUT)).await
}

pub(crate) async fn dropped(env: &Env) -> Check {
    charge_meets(env, Fault::DropAfterProcessing, None).await
}

pub(crate) async fn html_before(env: &Env) -> Check {
    charge_meets(env, Fault::HtmlServerError(502), None).await
}

pub(crate) async fn html_after(env: &Env) -> Check {
    charge_meets(env, Fault::HtmlServerErrorAfterProcessing(500), None).await
}

pub(crate) async fn malformed(env: &Env) -> Check {
    charge_meets(env, Fault::MalformedJson, None).await
}

pub(crate) async fn truncated(env: &Env) -> Check {
    charge_meets(env, Fault::TruncatedJson, None).await
}

/// A read that fails cannot have changed anything: it is never an unknown outcome, and
/// reading again finds the payment.
pub(crate) async fn reads(env: &Env) -> Check {
    let payment = paid(env, Decimal::new(10000, 2)).await?;
    let short = env.gateway_with_timeout(SHORT_TIMEOUT)?;
    let query = StatusQuery::OrderId(payment.order_id.clone());
    for fault in [
        Fault::HtmlServerError(503),
        Fault::Delay(DELAY),
        Fault::MalformedJson,
        Fault::TruncatedJson,
    ] {
        env.sandbox.sim().faults().inject(fault.clone());
        let error = expect_err(
            short.require_status_query()?.status(&query).await,
            &format!("status under {fault:?}"),
        )?;
        ensure!(
            matches!(error.kind(), ErrorKind::Transport | ErrorKind::UnexpectedResponse),
            "a failed read must be a transport error or an unexpected response, got {error:?} under {fault:?}"
        );
        if let Fault::Delay(delay) = fault {
            ensure_eq!(error.kind(), ErrorKind::Transport, "a timed-out read");
            ensure!(
                error.is_safe_to_retry(),
                "a timed-out read must be safe to retry"
            );
            tokio::time::sleep(delay).await;
        }
        let now = env.status_by_order(&payment.order_id).await?;
        ensure_eq!(
            now.status,
            PaymentStatus::Succeeded,
            "status read again after {fault:?}"
        );
    }
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&payment.order_id),
        1,
        "charges in the ledger"
    );
    Ok(())
}

/// A refund whose answer is lost after the simulator made it: an unknown outcome, and the
/// status query shows the refund exactly once.
pub(crate) async fn refund_dropped(env: &Env) -> Check {
    let payment = paid(env, Decimal::new(10000, 2)).await?;
    let part = crate::fixtures::money(env, Decimal::new(2500, 2))?;
    env.sandbox.sim().faults().add(odeme_sandbox::FaultRule {
        path_prefix: Some(env.profile.refund_path.into()),
        method: Some("POST".into()),
        fault: Fault::DropAfterProcessing,
        times: 1,
    });
    let result = env
        .gateway
        .require_refunds()?
        .refund(&odeme::RefundRequest::partial(&payment.id, part))
        .await;
    let error = expect_err(result, "refund with the answer dropped")?;
    ensure_eq!(
        error.kind(),
        ErrorKind::UnknownOutcome,
        "error kind of a refund whose answer was lost ({error})"
    );
    let now = env.status_of(&payment).await?;
    let refunds =
        crate::scenarios::lifecycle::effects(env, &payment, odeme_sandbox::LedgerKind::Refund);
    ensure_eq!(refunds, 1, "refunds in the ledger");
    ensure_eq!(now.refunded, part, "refunded total found by reconciling");
    ensure_eq!(
        now.status,
        PaymentStatus::PartiallyRefunded,
        "status found by reconciling"
    );
    Ok(())
}
