//! 3-D Secure: start, the simulated bank page answered by a scripted browser, completion.

use odeme::{DeclineReason, Error, GatewayExt, PaymentStatus};
use rust_decimal::Decimal;

use crate::browser::BankChoice;
use crate::fixtures::charge;
use crate::harness::{expect_err, fail, Check, Env};
use crate::{ensure, ensure_eq};

async fn started(env: &Env) -> Result<odeme::ChargeRequest, crate::harness::Fail> {
    Ok(charge(env, Decimal::new(12050, 2))?.with_three_ds(&env.return_url()))
}

/// Before the bank page, nothing is paid.
async fn pending_before_bank(env: &Env, order_id: &str) -> crate::harness::Check {
    match env.status_by_order(order_id).await {
        Ok(payment) => ensure!(
            !payment.status.is_paid(),
            "a 3-D Secure payment is paid before the bank page: {}",
            payment.status
        ),
        // Some providers do not know the payment until the bank answers.
        Err(Error::Provider { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    ensure_eq!(
        env.sandbox.sim().ledger().charges_for_order(order_id),
        0,
        "charges before the bank page"
    );
    Ok(())
}

pub(crate) async fn success(env: &Env) -> Check {
    let request = started(env).await?;
    let payment = env.gateway.require_charges()?.charge(&request).await?;
    ensure_eq!(
        payment.status,
        PaymentStatus::RequiresAction,
        "status after starting 3-D Secure"
    );
    ensure!(
        payment.next_action.is_some(),
        "a 3-D Secure payment without a next action"
    );
    pending_before_bank(env, &request.order_id).await?;
    let done = env
        .finish_three_ds(&request, &payment, BankChoice::Success)
        .await?;
    ensure_eq!(
        done.status,
        PaymentStatus::Succeeded,
        "status after completing 3-D Secure"
    );
    ensure_eq!(done.amount, request.amount, "amount after 3-D Secure");
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        1,
        "charges in the ledger"
    );
    let now = env.status_by_order(&request.order_id).await?;
    ensure_eq!(
        now.status,
        PaymentStatus::Succeeded,
        "status query after 3-D Secure"
    );
    Ok(())
}

pub(crate) async fn failure(env: &Env) -> Check {
    let request = started(env).await?;
    let result = env.three_ds_charge(&request, BankChoice::Failure).await;
    match result {
        Ok(payment) => ensure_eq!(
            payment.status,
            PaymentStatus::Failed,
            "status after a failed bank page"
        ),
        Err(error) => {
            let error = expect_err::<()>(Err(error), "failed 3-D Secure")?;
            let decline = error
                .decline()
                .ok_or_else(|| fail(format!("expected a decline, got {error:?}")))?;
            ensure_eq!(
                decline.reason,
                DeclineReason::ThreeDsFailed,
                "decline reason of a failed bank page"
            );
        }
    }
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        0,
        "charges in the ledger"
    );
    match env.status_by_order(&request.order_id).await {
        Ok(now) => ensure!(
            !now.status.is_paid(),
            "status query shows a failed 3-D Secure payment as paid"
        ),
        Err(Error::Provider { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    Ok(())
}
