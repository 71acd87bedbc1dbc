//! Installment options and an installment payment.

use odeme::{GatewayExt, InstallmentQuery, PaymentStatus};
use rust_decimal::Decimal;

use crate::fixtures::{charge, in_installments, money};
use crate::harness::{Check, Env};
use crate::{ensure, ensure_eq};

pub(crate) async fn options(env: &Env) -> Check {
    let amount = money(env, Decimal::new(100000, 2))?;
    let query = InstallmentQuery {
        bin: Some(env.profile.installment_bin.to_owned()),
        amount,
    };
    let found = env
        .gateway
        .require_installments()?
        .installments(&query)
        .await?;
    ensure_eq!(found.amount, amount, "amount asked about");
    ensure!(
        !found.banks.is_empty(),
        "no installment options for BIN {}",
        env.profile.installment_bin
    );
    for bank in &found.banks {
        ensure!(!bank.options.is_empty(), "a bank without options: {bank:?}");
        let mut last = 0;
        for option in &bank.options {
            ensure!(
                option.count > last,
                "installment counts not ascending: {:?}",
                bank.options
            );
            last = option.count;
            ensure!(
                option.total.amount() >= amount.amount(),
                "total {} below the amount",
                option.total
            );
            let spread = option.installment_amount.amount() * Decimal::from(option.count)
                - option.total.amount();
            ensure!(
                spread.abs() <= Decimal::new(i64::from(option.count), 2),
                "{} × {} is not {}",
                option.count,
                option.installment_amount,
                option.total
            );
        }
        if let Some(single) = bank.options.iter().find(|o| o.count == 1) {
            ensure_eq!(single.total, amount, "a single payment's total");
        }
    }
    Ok(())
}

pub(crate) async fn payment(env: &Env) -> Check {
    let request = in_installments(env, charge(env, Decimal::new(90000, 2))?, 3);
    let payment = env.gateway.require_charges()?.charge(&request).await?;
    ensure_eq!(
        payment.status,
        PaymentStatus::Succeeded,
        "installment payment status"
    );
    ensure_eq!(payment.installments, 3, "installments of the payment");
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        1,
        "charges in the ledger"
    );
    let now = env.status_of(&payment).await?;
    ensure_eq!(
        now.status,
        PaymentStatus::Succeeded,
        "status query after an installment payment"
    );
    Ok(())
}
