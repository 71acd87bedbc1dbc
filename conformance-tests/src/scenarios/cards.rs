//! Stored cards, recurring charges and provider-side plans.

use odeme::{
    CancelPlanRequest, CardOwner, DeleteCardRequest, Error, GatewayExt, ListCardsRequest, Payment,
    PaymentStatus, PlanRequest, RecurringPeriod, StoreCardMode, StoreCardRequest, StoredCard,
};
use rust_decimal::Decimal;

use crate::fixtures::{card, charge_with, stored_charge};
use crate::harness::{expect_err, fail, Check, Env, Fail};
use crate::profile::TestCard;
use crate::scenarios::lifecycle::expect_status;
use crate::{ensure, ensure_eq};

/// Charges `test` and stores it under `mode`; returns the payment and the stored card as
/// the customer's card list shows it.
async fn charge_and_store(
    env: &Env,
    test: TestCard,
    mode: StoreCardMode,
) -> Result<(Payment, StoredCard), Fail> {
    let request = charge_with(env, test, Decimal::new(5000, 2))?.with_store_card(mode);
    let payment = env.gateway.require_charges()?.charge(&request).await?;
    ensure_eq!(
        payment.status,
        PaymentStatus::Succeeded,
        "status of the charge that stores the card"
    );
    let stored = payment
        .stored_card
        .clone()
        .ok_or_else(|| fail("the payment that stored the card names no stored card"))?;
    ensure!(
        !stored.reference.customer_token.is_empty(),
        "empty customer token"
    );
    ensure!(!stored.reference.card_token.is_empty(), "empty card token");
    let last4 = &test.number[test.number.len() - 4..];
    let list = env
        .gateway
        .require_cards()?
        .list_cards(&ListCardsRequest::new(&stored.reference.customer_token))
        .await?;
    let listed = list
        .cards
        .iter()
        .find(|c| c.reference == stored.reference)
        .cloned()
        .ok_or_else(|| {
            fail(format!(
                "the stored card is not in the customer's list: {:?}",
                list.cards
            ))
        })?;
    ensure_eq!(
        listed.summary.last4.as_deref(),
        Some(last4),
        "listed card's last four digits"
    );
    Ok((payment, listed))
}

pub(crate) async fn stored_card_lifecycle(env: &Env) -> Check {
    let (_, stored) = charge_and_store(env, env.profile.card, StoreCardMode::NewCustomer).await?;
    let stored_charges = env.gateway.require_stored_card_charges()?;
    let request = stored_charge(env, &stored, env.profile.card.cvc, Decimal::new(1999, 2))?;
    let payment = stored_charges.charge_stored_card(&request).await?;
    ensure_eq!(
        payment.status,
        PaymentStatus::Succeeded,
        "status of the stored-card charge"
    );
    ensure_eq!(payment.amount, request.amount, "stored-card charge amount");
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        1,
        "stored-card charges in the ledger"
    );
    expect_status(
        env,
        &payment,
        PaymentStatus::Succeeded,
        "the stored-card charge",
    )
    .await?;

    let cards = env.gateway.require_cards()?;
    cards
        .delete_card(&DeleteCardRequest {
            card: stored.reference.clone(),
        })
        .await?;
    let list = cards
        .list_cards(&ListCardsRequest::new(&stored.reference.customer_token))
        .await;
    match list {
        Ok(list) => ensure!(
            list.cards.iter().all(|c| c.reference != stored.reference),
            "the deleted card is still listed"
        ),
        // A provider may forget a customer whose last card is gone.
        Err(Error::Provider { .. }) => {}
        Err(other) => return Err(other.into()),
    }

    let again = stored_charge(env, &stored, env.profile.card.cvc, Decimal::new(1999, 2))?;
    let error = expect_err(
        stored_charges.charge_stored_card(&again).await,
        "charge of a deleted card",
    )?;
    ensure!(
        matches!(error, Error::Provider { .. } | Error::Declined(_)),
        "a deleted card must be refused by the provider, got {error:?}"
    );
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&again.order_id),
        0,
        "charges of the deleted card"
    );
    Ok(())
}

pub(crate) async fn second_card(env: &Env) -> Check {
    let (_, first) = charge_and_store(env, env.profile.card, StoreCardMode::NewCustomer).await?;
    let customer = first.reference.customer_token.clone();
    let (_, second) = charge_and_store(
        env,
        env.profile.second_card,
        StoreCardMode::ExistingCustomer(customer.clone()),
    )
    .await?;
    ensure_eq!(
        second.reference.customer_token,
        customer,
        "the second card's customer token"
    );
    ensure!(
        second.reference.card_token != first.reference.card_token,
        "both cards got the same card token"
    );
    let list = env
        .gateway
        .require_cards()?
        .list_cards(&ListCardsRequest::new(&customer))
        .await?;
    ensure_eq!(list.cards.len(), 2, "cards stored for the customer");
    Ok(())
}

pub(crate) async fn store_without_payment(env: &Env) -> Check {
    let before = env.sandbox.sim().ledger().entries();
    let request = StoreCardRequest {
        card: card(env.profile.card)?,
        owner: CardOwner::New {
            external_id: Some("CUST42".into()),
            email: Some("ayse.yilmaz@example.com".into()),
        },
        label: Some("work card".into()),
    };
    let cards = env.gateway.require_cards()?;
    let stored = cards.store_card(&request).await?;
    ensure!(!stored.reference.card_token.is_empty(), "empty card token");
    let after = env.sandbox.sim().ledger().entries();
    ensure!(
        after[before.len()..].iter().all(|e| !matches!(
            e.kind,
            odeme_sandbox::LedgerKind::Charge | odeme_sandbox::LedgerKind::PreAuthorization
        )),
        "storing a card took money: {:?}",
        &after[before.len()..]
    );
    let list = cards
        .list_cards(&ListCardsRequest::new(&stored.reference.customer_token))
        .await?;
    ensure!(
        list.cards.iter().any(|c| c.reference == stored.reference),
        "the stored card is not listed"
    );
    Ok(())
}

pub(crate) async fn recurring_charge(env: &Env) -> Check {
    let (_, stored) = charge_and_store(env, env.profile.card, StoreCardMode::NewCustomer).await?;
    let recurring = env.gateway.require_recurring()?;
    let mut request = stored_charge(env, &stored, env.profile.card.cvc, Decimal::new(999, 2))?;
    // A merchant-initiated charge has no customer at hand to type a CVC.
    if let odeme::PaymentSource::StoredCard { cvc, .. } = &mut request.source {
        *cvc = None;
    }
    let payment = recurring.recurring_charge(&request).await?;
    ensure!(
        matches!(
            payment.status,
            PaymentStatus::Succeeded | PaymentStatus::Pending
        ),
        "recurring charge status {}",
        payment.status
    );
    let now = env.status_of(&payment).await?;
    ensure_eq!(
        now.status,
        PaymentStatus::Succeeded,
        "status of the recurring charge"
    );
    ensure_eq!(
        env.sandbox
            .sim()
            .ledger()
            .charges_for_order(&request.order_id),
        1,
        "recurring charges in the ledger"
    );
    Ok(())
}

pub(crate) async fn plan(env: &Env) -> Check {
    let recurring = env.gateway.require_recurring()?;
    let first = charge_with(env, env.profile.card, Decimal::new(4900, 2))?;
    let request = PlanRequest {
        charge: first,
        name: "Conformance monthly".into(),
        period: RecurringPeriod::Monthly,
        frequency: 1,
        start_date: None,
    };
    let plan = recurring.create_plan(&request).await?;
    ensure!(!plan.id.is_empty(), "the plan has no id");
    ensure!(plan.active, "a new plan must be active");
    let fetched = recurring.get_plan(&plan.id).await?;
    ensure_eq!(fetched.id, plan.id, "fetched plan id");
    ensure!(fetched.active, "the fetched plan must be active");
    let cancelled = recurring
        .cancel_plan(&CancelPlanRequest {
            plan_id: plan.id.clone(),
            subscription_ids: vec![],
        })
        .await?;
    ensure!(
        !cancelled.active || cancelled.subscriptions.iter().all(|s| s.cancelled),
        "the plan is still active after cancelling it"
    );
    let fetched = recurring.get_plan(&plan.id).await?;
    ensure!(
        !fetched.active || fetched.subscriptions.iter().all(|s| s.cancelled),
        "the fetched plan is still active after cancelling it"
    );
    Ok(())
}
