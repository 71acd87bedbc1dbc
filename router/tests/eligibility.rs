//! Request-aware selection: a gateway is never sent a charge it cannot take (the
//! operation, the currency, installments, 3-D Secure, pre-authorization), and a
//! stored-card charge goes only to the gateway holding the card.

use std::sync::Arc;
use std::time::Duration;

use odeme_core::{
    Capability, Currency, Error, GatewayExt, Money, PaymentSource, ProviderId, StoredCardRef,
};
use odeme_router::store::{MemoryStore, OwnerKind, RouterStore};
use odeme_router::Router;

mod support;
use support::{request, Scripted};

#[tokio::test]
async fn a_charge_goes_only_where_it_can_be_taken() {
    let plain = Scripted::offering(ProviderId::Paytr, &[]);
    let rich = Scripted::offering(
        ProviderId::Craftgate,
        &[
            Capability::PreAuthorize,
            Capability::InstallmentPayments,
            Capability::ThreeDSecure,
        ],
    );
    let router = Router::builder()
        .gateway("plain", plain.clone())
        .gateway("rich", rich.clone())
        .build()
        .unwrap();
    let charges = router.require_charges().unwrap();
    let mut expected_rich = 0;
    for (n, request) in [
        request("E1").pre_authorize(),
        request("E2").with_installments(3),
        request("E3").with_three_ds("http://127.0.0.1:9/return"),
    ]
    .into_iter()
    .enumerate()
    {
        let paid = charges.charge(&request).await.unwrap();
        expected_rich += 1;
        assert_eq!(paid.provider, ProviderId::Craftgate, "request {n}");
        assert_eq!(rich.charges(), expected_rich);
    }
    assert_eq!(plain.charges(), 0);
    // A plain sale goes to the primary.
    charges.charge(&request("E4")).await.unwrap();
    assert_eq!(plain.charges(), 1);
}

#[tokio::test]
async fn currencies_limit_a_gateway_and_nothing_left_is_a_clear_error() {
    let a = Scripted::offering(ProviderId::Paytr, &[]);
    let b = Scripted::offering(ProviderId::Craftgate, &[]);
    let router = Router::builder()
        .gateway("a", a.clone())
        .gateway("b", b.clone())
        .currencies("a", &[Currency::TRY])
        .currencies("b", &[Currency::TRY, Currency::USD])
        .build()
        .unwrap();
    let mut usd = request("C1");
    usd.amount = Money::from_minor(1_000, Currency::USD).unwrap();
    let paid = router
        .require_charges()
        .unwrap()
        .charge(&usd)
        .await
        .unwrap();
    assert_eq!(paid.provider, ProviderId::Craftgate);
    let mut eur = request("C2");
    eur.amount = Money::from_minor(1_000, Currency::EUR).unwrap();
    match router.require_charges().unwrap().charge(&eur).await {
        Err(Error::Unavailable(message)) => {
            assert!(
                message.contains("`a` is not configured for EUR"),
                "{message}"
            );
            assert!(
                message.contains("`b` is not configured for EUR"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(a.charges() + b.charges(), 1);
}

#[tokio::test]
async fn a_stored_card_is_charged_only_where_it_lives() {
    let a = Scripted::offering(ProviderId::Paytr, &[]);
    let b = Scripted::offering(ProviderId::Craftgate, &[]);
    let store = Arc::new(MemoryStore::new());
    let router = Router::builder()
        .gateway("a", a.clone())
        .gateway("b", b.clone())
        .store(store.clone())
        .build()
        .unwrap();
    let mut charge = request("S1");
    charge.source = PaymentSource::StoredCard {
        card: StoredCardRef::new("cust1", "card1"),
        cvc: None,
    };
    let charges = router.require_charges().unwrap();
    // No record of the card and two gateways that could hold it: refused, nothing sent.
    let error = charges.charge(&charge).await.unwrap_err();
    assert_eq!(error.invalid_field(), Some("source.card"), "{error:?}");
    assert_eq!(a.charges() + b.charges(), 0);
    // Once the card is recorded at `b` (as storing it through the router does), the
    // charge goes there although `a` is the primary.
    store
        .set_owner(OwnerKind::Card, "card1", "b", Duration::from_secs(60))
        .await
        .unwrap();
    let mut charge = charge;
    charge.order_id = "S2".into();
    let paid = charges.charge(&charge).await.unwrap();
    assert_eq!(paid.provider, ProviderId::Craftgate);
    assert_eq!((a.charges(), b.charges()), (0, 1));
    // And a refund of that payment goes to `b` by the ownership the charge recorded.
    assert_eq!(
        store
            .owner(OwnerKind::Payment, &paid.id)
            .await
            .unwrap()
            .as_deref(),
        Some("b")
    );
}
