//! Every decline family maps to the same normalized reason at every provider.

use odeme::{Error, GatewayExt};
use rust_decimal::Decimal;

use crate::browser::BankChoice;
use crate::fixtures::{charge_with, in_installments};
use crate::harness::{expect_err, fail, Check, Env};
use crate::profile::Family;
use crate::{ensure, ensure_eq};

async fn family(env: &Env, family: Family) -> Check {
    let case = env
        .profile
        .declines
        .iter()
        .find(|c| c.family == family)
        .ok_or_else(|| {
            fail(format!(
                "the profile has no test card for {}",
                family.label()
            ))
        })?;
    let request = in_installments(
        env,
        charge_with(env, case.card, Decimal::new(15000, 2))?,
        case.installments,
    );
    let result = if case.three_ds_failure {
        let request = request.clone().with_three_ds(&env.return_url());
        env.three_ds_charge(&request, BankChoice::Failure).await
    } else {
        env.gateway.require_charges()?.charge(&request).await
    };
    let error = expect_err(result, family.label())?;
    let Error::Declined(decline) = &error else {
        return Err(fail(format!(
            "{}: expected a decline, got {error:?}",
            family.label()
        )));
    };
    ensure!(
        family.reasons().contains(&decline.reason),
        "{}: normalized to {} ({:?}), expected one of {:?}",
        family.label(),
        decline.reason,
        decline,
        family.reasons()
    );
    ensure_eq!(decline.provider, env.profile.provider, "declining provider");
    ensure!(
        decline.provider_code.is_some() || decline.provider_message.is_some(),
        "the decline keeps neither the provider's code nor its message"
    );
    ensure!(!decline.customer_message.is_empty(), "no customer message");
    ensure_eq!(
        decline.soft,
        decline.reason.is_soft(),
        "softness of {}",
        decline.reason
    );
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        0,
        "charges in the ledger"
    );
    Ok(())
}

pub(crate) async fn insufficient_funds(env: &Env) -> Check {
    family(env, Family::InsufficientFunds).await
}

pub(crate) async fn expired_card(env: &Env) -> Check {
    family(env, Family::ExpiredCard).await
}

pub(crate) async fn invalid_cvc(env: &Env) -> Check {
    family(env, Family::InvalidCvc).await
}

pub(crate) async fn do_not_honour(env: &Env) -> Check {
    family(env, Family::DoNotHonour).await
}

pub(crate) async fn lost_or_stolen(env: &Env) -> Check {
    family(env, Family::LostOrStolen).await
}

pub(crate) async fn fraud(env: &Env) -> Check {
    family(env, Family::Fraud).await
}

pub(crate) async fn three_ds_failure(env: &Env) -> Check {
    family(env, Family::ThreeDsFailure).await
}

pub(crate) async fn invalid_installment(env: &Env) -> Check {
    family(env, Family::InvalidInstallment).await
}
