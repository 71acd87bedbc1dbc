//! The adapter against the Paytrek simulator on loopback: every capability end to end.

mod common;

use common::*;
use odeme_core::{
    CancelPlanRequest, CancelRequest, CaptureRequest, CardOwner, Charge, ChargeStoredCard,
    CompleteThreeDsRequest, DeclineReason, DeleteCardRequest, Error, Gateway, InstallmentQuery,
    Installments, ListCardsRequest, NextAction, PaymentStatus, PaymentStatusQuery, PlanRequest,
    Recurring, RecurringPeriod, Refund, RefundRequest, RejectionKind, StatusQuery, StoreCard,
    StoreCardMode, StoreCardRequest, ThreeDsCompletion,
};
use odeme_paytrek::HostedSaleRequest;
use odeme_sandbox::{LedgerKind, Simulator};

fn complete(
    token_return: odeme_core::InboundRequest,
    payment_id: Option<&str>,
) -> CompleteThreeDsRequest {
    CompleteThreeDsRequest {
        order_id: None,
        payment_id: payment_id.map(str::to_owned),
        callback: token_return,
        currency: None,
    }
}

fn redirect_url(payment: &odeme_core::Payment) -> String {
    match &payment.next_action {
        Some(NextAction::Redirect { url }) => url.clone(),
        other => panic!("expected a redirect, got {other:?}"),
    }
}

#[tokio::test]
async fn charge_and_look_it_up_both_ways() {
    let env = env().await;
    let payment = env
        .gateway
        .charge(&charge("order-charge-1", "24.00", VISA, "000"))
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.amount, try_money("24.00"));
    assert_eq!(payment.captured, try_money("24.00"));
    assert_eq!(payment.order_id, "order-charge-1");
    assert_eq!(
        payment.card.as_ref().unwrap().last4.as_deref(),
        Some("4509")
    );
    assert_eq!(env.sim.sale_status(&payment.id).as_deref(), Some("Paid"));
    assert_eq!(env.sim.ledger().charges_for_order("order-charge-1"), 1);

    let by_id = env
        .gateway
        .status(&StatusQuery::PaymentId(payment.id.clone()))
        .await
        .unwrap();
    assert_eq!(by_id.status, PaymentStatus::Succeeded);
    let by_order = env
        .gateway
        .status(&StatusQuery::OrderId("order-charge-1".into()))
        .await
        .unwrap();
    assert_eq!(by_order.id, payment.id);
    let missing = env
        .gateway
        .status(&StatusQuery::OrderId("nope".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            missing,
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_reused_order_id_is_a_duplicate() {
    let env = env().await;
    env.gateway
        .charge(&charge("order-dup", "10.00", VISA, "000"))
        .await
        .unwrap();
    let err = env
        .gateway
        .charge(&charge("order-dup", "10.00", VISA, "000"))
        .await
        .unwrap_err();
    match err {
        Error::Provider { kind, code, .. } => {
            assert_eq!(kind, RejectionKind::Duplicate);
            assert_eq!(code.as_deref(), Some("30120"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(env.sim.ledger().charges_for_order("order-dup"), 1);
}

#[tokio::test]
async fn pre_authorize_then_capture() {
    let env = env().await;
    let request = charge("order-preauth", "30.00", VISA, "000").pre_authorize();
    let authorized = env.gateway.charge(&request).await.unwrap();
    assert_eq!(authorized.status, PaymentStatus::Authorized);
    assert!(authorized.captured.is_zero());

    let partial = CaptureRequest {
        payment_id: authorized.id.clone(),
        amount: Some(try_money("10.00")),
    };
    let err = env.gateway.capture(&partial).await.unwrap_err();
    assert_eq!(err.invalid_field(), Some("amount"));

    let captured = env
        .gateway
        .capture(&CaptureRequest {
            payment_id: authorized.id.clone(),
            amount: None,
        })
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Succeeded);
    assert_eq!(captured.captured, try_money("30.00"));
    assert_eq!(
        env.sim
            .ledger()
            .for_order("order-preauth", LedgerKind::Capture)
            .len(),
        1
    );

    let again = env
        .gateway
        .capture(&CaptureRequest {
            payment_id: authorized.id.clone(),
            amount: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            Error::Provider {
                kind: RejectionKind::InvalidState,
                ..
            }
        ),
        "{again:?}"
    );
}

#[tokio::test]
async fn cancel_a_pre_authorization_and_a_sale() {
    let env = env().await;
    let authorized = env
        .gateway
        .charge(&charge("order-void-1", "15.00", VISA, "000").pre_authorize())
        .await
        .unwrap();
    let cancelled = env
        .gateway
        .cancel(&CancelRequest {
            payment_id: authorized.id.clone(),
            reason: Some("customer changed mind".into()),
        })
        .await
        .unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);

    let paid = env
        .gateway
        .charge(&charge("order-void-2", "15.00", VISA, "000"))
        .await
        .unwrap();
    let cancelled = env
        .gateway
        .cancel(&CancelRequest {
            payment_id: paid.id.clone(),
            reason: None,
        })
        .await
        .unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    assert_eq!(
        env.sim
            .ledger()
            .for_order("order-void-2", LedgerKind::Cancel)
            .len(),
        1
    );
    let twice = env
        .gateway
        .cancel(&CancelRequest {
            payment_id: paid.id.clone(),
            reason: None,
        })
        .await
        .unwrap_err();
    assert!(matches!(twice, Error::Provider { .. }), "{twice:?}");
}

#[tokio::test]
async fn partial_then_over_then_full_refund() {
    let env = env().await;
    let paid = env
        .gateway
        .charge(&charge("order-refund", "50.30", VISA, "000"))
        .await
        .unwrap();

    let partial = env
        .gateway
        .refund(&RefundRequest::partial(&paid.id, try_money("10.00")))
        .await
        .unwrap();
    assert_eq!(partial.amount, try_money("10.00"));
    assert_eq!(partial.total_refunded, Some(try_money("10.00")));
    let status = env
        .gateway
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(status.refunded, try_money("10.00"));

    // More than the 40.30 left is refused before anything is sent.
    let refunds_sent = env.sim.requests().count_path("/api/v2/refund/");
    let over = env
        .gateway
        .refund(&RefundRequest::partial(&paid.id, try_money("40.31")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            over,
            Error::Provider {
                kind: RejectionKind::AmountExceeded,
                ..
            }
        ),
        "{over:?}"
    );
    assert_eq!(
        env.sim.requests().count_path("/api/v2/refund/"),
        refunds_sent,
        "an over-refund is not sent"
    );

    let rest = env
        .gateway
        .refund(&RefundRequest::full(&paid.id))
        .await
        .unwrap();
    assert_eq!(rest.amount, try_money("40.30"));
    assert_eq!(rest.total_refunded, Some(try_money("50.30")));
    let status = env
        .gateway
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Refunded);
    assert_eq!(
        env.sim
            .ledger()
            .for_order("order-refund", LedgerKind::Refund)
            .len(),
        2
    );

    let mut items = RefundRequest::full(&paid.id);
    items.items.push(odeme_core::ItemRefund {
        transaction_id: "t1".into(),
        amount: None,
    });
    let err = env.gateway.refund(&items).await.unwrap_err();
    assert!(matches!(
        err,
        Error::Unsupported {
            capability: odeme_core::Capability::ItemRefund,
            ..
        }
    ));
}

#[tokio::test]
async fn three_ds_through_the_bank_page() {
    let env = env().await;
    let request = charge("order-3ds-ok", "20.00", "4355084355084358", "000")
        .with_three_ds("https://shop.example/return");
    let pending = env.gateway.charge(&request).await.unwrap();
    assert_eq!(pending.status, PaymentStatus::RequiresAction);
    let url = redirect_url(&pending);
    assert!(url.starts_with(env.sim.base_url()), "{url}");
    assert_eq!(
        env.sim.ledger().charges_for_order("order-3ds-ok"),
        0,
        "nothing charged before the bank page"
    );

    let back = bank_page(&url, "success").await;
    let done = env
        .gateway
        .complete_three_ds(&complete(back, Some(&pending.id)))
        .await
        .unwrap();
    assert_eq!(done.status, PaymentStatus::Succeeded);
    assert_eq!(done.id, pending.id);
    assert_eq!(env.sim.ledger().charges_for_order("order-3ds-ok"), 1);
}

#[tokio::test]
async fn three_ds_failure_is_a_decline() {
    let env = env().await;
    let request = charge("order-3ds-fail", "20.00", ENROLLED, "000")
        .with_three_ds("https://shop.example/return?x=1");
    let pending = env.gateway.charge(&request).await.unwrap();
    let back = bank_page(&redirect_url(&pending), "failure").await;
    let err = env
        .gateway
        .complete_three_ds(&complete(back, Some(&pending.id)))
        .await
        .unwrap_err();
    let decline = err.decline().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(decline.reason, DeclineReason::ThreeDsFailed);
    assert_eq!(decline.provider_code.as_deref(), Some("40006"));
    assert_eq!(
        decline.payment_reference.as_deref(),
        Some(pending.id.as_str())
    );

    // A forged return naming another sale than the one kept is refused before any lookup.
    let forged = odeme_core::InboundRequest::get("token=somebodyelse");
    let err = env
        .gateway
        .complete_three_ds(&complete(forged, Some(&pending.id)))
        .await
        .unwrap_err();
    assert_eq!(err.invalid_field(), Some("callback.token"));
}

#[tokio::test]
async fn a_return_must_name_the_merchants_own_sale() {
    let env = env().await;
    let other = env
        .gateway
        .charge(&charge("order-someone-paid", "99.00", VISA, "000"))
        .await
        .unwrap();
    let request = charge("order-3ds-mine", "20.00", ENROLLED, "000")
        .with_three_ds("https://shop.example/return");
    let pending = env.gateway.charge(&request).await.unwrap();
    let forged = || odeme_core::InboundRequest::get(&format!("token={}", other.id));

    // With nothing kept, the unsigned return would name any sale: refused, nothing read.
    let reads = env.sim.requests().count();
    let err = env
        .gateway
        .complete_three_ds(&complete(forged(), None))
        .await
        .unwrap_err();
    assert_eq!(err.invalid_field(), Some("payment_id"), "{err:?}");
    assert_eq!(env.sim.requests().count(), reads);

    // Another order's paid sale is not this order's payment.
    let by_order = CompleteThreeDsRequest {
        order_id: Some("order-3ds-mine".into()),
        ..complete(forged(), None)
    };
    let err = env.gateway.complete_three_ds(&by_order).await.unwrap_err();
    assert_eq!(err.invalid_field(), Some("order_id"), "{err:?}");

    // The real return, checked by the order id alone, completes.
    let back = bank_page(&redirect_url(&pending), "success").await;
    let done = env
        .gateway
        .complete_three_ds(&CompleteThreeDsRequest {
            order_id: Some("order-3ds-mine".into()),
            ..complete(back, None)
        })
        .await
        .unwrap();
    assert_eq!(
        (done.id.as_str(), done.status),
        (pending.id.as_str(), PaymentStatus::Succeeded)
    );
}

#[tokio::test]
async fn documented_cards_without_a_3ds_password_are_not_enrolled() {
    let env = env().await;
    let request =
        charge("order-3ds-isbank", "20.00", VISA, "000").with_three_ds("https://shop.example/r");
    let err = env.gateway.charge(&request).await.unwrap_err();
    let decline = err.decline().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        (decline.reason, decline.provider_code.as_deref()),
        (DeclineReason::ThreeDsFailed, Some("40002"))
    );
    assert_eq!(env.sim.ledger().charges_for_order("order-3ds-isbank"), 0);
}

#[tokio::test]
async fn one_card_per_decline_family() {
    let env = env().await;
    let cases = [
        (
            "4000000000009995",
            DeclineReason::InsufficientFunds,
            "10020",
        ),
        ("4000000000000127", DeclineReason::InvalidCvc, "10033"),
        ("4000000000000069", DeclineReason::ExpiredCard, "10023"),
        ("4100000000000019", DeclineReason::SuspectedFraud, "10046"),
        ("4000000000000002", DeclineReason::DoNotHonor, "10004"),
        ("4000000000009987", DeclineReason::PickupCard, "10003"),
        ("4000000000000010", DeclineReason::Declined, "99999"),
    ];
    for (i, (number, reason, code)) in cases.into_iter().enumerate() {
        let order = format!("order-decline-{i}");
        let err = env
            .gateway
            .charge(&charge(&order, "12.00", number, "123"))
            .await
            .unwrap_err();
        let decline = err.decline().unwrap_or_else(|| panic!("{number}: {err:?}"));
        assert_eq!(decline.reason, reason, "{number}");
        assert_eq!(decline.provider_code.as_deref(), Some(code), "{number}");
        assert_eq!(decline.order_id.as_deref(), Some(order.as_str()));
        assert!(decline.payment_reference.is_some());
        assert!(!decline.customer_message.is_empty());
        assert_eq!(env.sim.ledger().charges_for_order(&order), 0);
    }
    let debit =
        charge("order-decline-debit", "12.00", "4000566555665555", "123").with_installments(3);
    let err = env.gateway.charge(&debit).await.unwrap_err();
    assert_eq!(
        err.decline().map(|d| d.reason),
        Some(DeclineReason::InvalidInstallment),
        "{err:?}"
    );
    let not_enrolled = charge("order-decline-3ds", "12.00", "4000000000003030", "123")
        .with_three_ds("https://shop.example/r");
    let err = env.gateway.charge(&not_enrolled).await.unwrap_err();
    let decline = err.decline().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        (decline.reason, decline.provider_code.as_deref()),
        (DeclineReason::ThreeDsFailed, Some("40002"))
    );
}

#[tokio::test]
async fn vault_store_list_get_delete_and_charge() {
    let env = env().await;
    let stored = env
        .gateway
        .store_card(&StoreCardRequest {
            card: card(VISA, "000"),
            owner: CardOwner::New {
                external_id: None,
                email: None,
            },
            label: Some("work".into()),
        })
        .await
        .unwrap();
    assert!(!stored.reference.card_token.is_empty());
    assert!(!stored.reference.customer_token.is_empty());
    assert_eq!(stored.summary.last4.as_deref(), Some("4509"));
    let user = stored.reference.customer_token.clone();
    let second = env
        .gateway
        .store_card(&StoreCardRequest {
            card: card("5456165456165454", "000"),
            owner: CardOwner::Existing(user.clone()),
            label: None,
        })
        .await
        .unwrap();
    assert_eq!(second.reference.customer_token, user);

    let all = env
        .gateway
        .list_cards(&ListCardsRequest::new(&user))
        .await
        .unwrap();
    assert_eq!(all.cards.len(), 2);
    assert_eq!(all.total, Some(2));
    let mut labelled = ListCardsRequest::new(&user);
    labelled.label = Some("work".into());
    let work = env.gateway.list_cards(&labelled).await.unwrap();
    assert_eq!(work.cards.len(), 1);
    assert_eq!(work.cards[0].reference, stored.reference);
    let mut paged = ListCardsRequest::new(&user);
    paged.page_size = Some(1);
    let first_page = env.gateway.list_cards(&paged).await.unwrap();
    assert_eq!((first_page.cards.len(), first_page.next_page), (1, Some(2)));

    let got = env
        .gateway
        .get_card(&stored.reference.card_token)
        .await
        .unwrap();
    assert_eq!(got.reference, stored.reference);

    let paid = env
        .gateway
        .charge_stored_card(&stored_charge("order-token-1", "33.00", &stored.reference))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(paid.amount, try_money("33.00"));
    assert_eq!(env.sim.ledger().charges_for_order("order-token-1"), 1);

    env.gateway
        .delete_card(&DeleteCardRequest {
            card: stored.reference.clone(),
        })
        .await
        .unwrap();
    let after = env
        .gateway
        .list_cards(&ListCardsRequest::new(&user))
        .await
        .unwrap();
    assert_eq!(after.cards.len(), 1);
    let gone = env
        .gateway
        .get_card(&stored.reference.card_token)
        .await
        .unwrap_err();
    assert!(
        matches!(
            gone,
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ),
        "{gone:?}"
    );
}

#[tokio::test]
async fn save_card_on_charge_then_charge_it_with_three_ds() {
    let env = env().await;
    let request =
        charge("order-save", "18.00", VISA, "000").with_store_card(StoreCardMode::NewCustomer);
    let paid = env.gateway.charge(&request).await.unwrap();
    let stored = paid.stored_card.clone().expect("the card was stored");
    assert!(!stored.reference.customer_token.is_empty());
    assert_eq!(env.sim.stored_card_count(), 1);

    // Only a card enrolled in 3-D Secure gets the bank page.
    let enrolled = env
        .gateway
        .store_card(&StoreCardRequest {
            card: card(ENROLLED, "000"),
            owner: CardOwner::Existing(stored.reference.customer_token.clone()),
            label: None,
        })
        .await
        .unwrap();
    let secure = stored_charge("order-save-3ds", "19.00", &enrolled.reference)
        .with_three_ds("https://shop.example/back");
    let pending = env.gateway.charge_stored_card(&secure).await.unwrap();
    assert_eq!(pending.status, PaymentStatus::RequiresAction);
    let back = bank_page(&redirect_url(&pending), "success").await;
    let done = env
        .gateway
        .complete_three_ds(&complete(back, Some(&pending.id)))
        .await
        .unwrap();
    assert_eq!(done.status, PaymentStatus::Succeeded);

    let recurring = env
        .gateway
        .recurring_charge(&stored_charge("order-mit", "5.00", &stored.reference))
        .await
        .unwrap();
    assert_eq!(recurring.status, PaymentStatus::Succeeded);
    let with_3ds = stored_charge("order-mit-2", "5.00", &stored.reference)
        .with_three_ds("https://shop.example/b");
    assert_eq!(
        env.gateway
            .recurring_charge(&with_3ds)
            .await
            .unwrap_err()
            .invalid_field(),
        Some("three_ds")
    );

    let declined_card = env
        .gateway
        .store_card(&StoreCardRequest {
            card: card("4000000000009995", "123"),
            owner: CardOwner::Existing(stored.reference.customer_token.clone()),
            label: None,
        })
        .await
        .unwrap();
    let err = env
        .gateway
        .charge_stored_card(&stored_charge(
            "order-token-declined",
            "5.00",
            &declined_card.reference,
        ))
        .await
        .unwrap_err();
    let decline = err.decline().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(
        (decline.reason, decline.provider_code.as_deref()),
        (DeclineReason::InsufficientFunds, Some("10020"))
    );
}

#[tokio::test]
async fn subscription_plan_create_get_cancel() {
    let env = env().await;
    let plan_request = PlanRequest {
        charge: charge("order-plan", "100.00", VISA, "000"),
        name: "Gold membership".into(),
        period: RecurringPeriod::Monthly,
        frequency: 3,
        start_date: None,
    };
    let plan = env.gateway.create_plan(&plan_request).await.unwrap();
    assert!(plan.active);
    assert_eq!(plan.name.as_deref(), Some("Gold membership"));
    assert_eq!(plan.subscriptions.len(), 3);
    assert!(plan.active_card_token.is_some());
    let first = plan.first_payment.clone().unwrap();
    assert_eq!(
        first.status,
        PaymentStatus::Succeeded,
        "a plan starting today charges at once"
    );
    assert_eq!(
        first.stored_card.as_ref().map(|c| &c.reference.card_token),
        plan.active_card_token.as_ref()
    );

    let fetched = env.gateway.get_plan(&plan.id).await.unwrap();
    assert_eq!(fetched.id, plan.id);
    assert_eq!(fetched.subscriptions, plan.subscriptions);

    let one = plan.subscriptions[0].id.clone();
    let partly = env
        .gateway
        .cancel_plan(&CancelPlanRequest {
            plan_id: plan.id.clone(),
            subscription_ids: vec![one.clone()],
        })
        .await
        .unwrap();
    assert!(partly
        .subscriptions
        .iter()
        .any(|s| s.id == one && s.cancelled));
    assert!(partly.active);
    let all = env
        .gateway
        .cancel_plan(&CancelPlanRequest {
            plan_id: plan.id.clone(),
            subscription_ids: vec![],
        })
        .await
        .unwrap();
    assert!(all.subscriptions.iter().all(|s| s.cancelled));
    assert!(!all.active);
    assert!(all.cancelled_at.is_some());
}

#[tokio::test]
async fn installments_by_bin_and_amount() {
    let env = env().await;
    let options = Installments::installments(
        &env.gateway,
        &InstallmentQuery {
            bin: Some("510118".into()),
            amount: try_money("123.00"),
        },
    )
    .await
    .unwrap();
    assert_eq!(options.banks.len(), 1);
    let bank = &options.banks[0];
    assert_eq!(bank.card.bank.as_deref(), Some("denizbank"));
    let counts: Vec<u8> = bank.options.iter().map(|o| o.count).collect();
    assert_eq!(counts, vec![1, 2, 3, 4, 5, 6]);
    // The document's own example numbers.
    assert_eq!(bank.options[1].installment_amount, try_money("66.46"));
    assert_eq!(bank.options[1].total, try_money("132.92"));
    assert_eq!(bank.options[1].commission, Some(try_money("9.92")));
    let all = Installments::installments(
        &env.gateway,
        &InstallmentQuery {
            bin: None,
            amount: try_money("100.00"),
        },
    )
    .await
    .unwrap();
    assert!(all.banks.len() > 1);
}

#[tokio::test]
async fn hosted_page_and_charging_a_created_sale() {
    let env = env().await;
    let mut request = HostedSaleRequest::new("order-hosted", try_money("42.00"), customer());
    request.billing = Some(billing());
    request.return_url = Some("https://shop.example/paytrek".into());
    let hosted = env.gateway.create_hosted_sale(&request).await.unwrap();
    assert_eq!(
        hosted.redirect_url,
        format!("{}/?token={}", env.sim.base_url(), hosted.sale_token)
    );
    assert_eq!(hosted.payment.status, PaymentStatus::Pending);

    let form = [
        ("number", VISA),
        ("expiration", "12/2030"),
        ("cvc", "000"),
        ("card_holder_name", "John Doe"),
    ];
    let response = browser()
        .post(&hosted.redirect_url)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let back = returned(&response);
    let done = env
        .gateway
        .complete_three_ds(&complete(back, Some(&hosted.sale_token)))
        .await
        .unwrap();
    assert_eq!(done.status, PaymentStatus::Succeeded);
    assert_eq!(done.amount, try_money("42.00"));

    let mut secure = HostedSaleRequest::new("order-hosted-3ds", try_money("9.00"), customer());
    secure.billing = Some(billing());
    secure.three_ds = true;
    secure.return_url = Some("https://shop.example/paytrek?cart=7".into());
    let hosted = env.gateway.create_hosted_sale(&secure).await.unwrap();
    let mut enrolled = form;
    enrolled[0].1 = ENROLLED;
    let response = browser()
        .post(&hosted.redirect_url)
        .form(&enrolled)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let bank = response.headers()["location"].to_str().unwrap().to_owned();
    let back = bank_page(&bank, "success").await;
    let done = env
        .gateway
        .complete_three_ds(&complete(back, Some(&hosted.sale_token)))
        .await
        .unwrap();
    assert_eq!(done.status, PaymentStatus::Succeeded);

    let mut second = HostedSaleRequest::new("order-sale-charge", try_money("8.00"), customer());
    second.billing = Some(billing());
    let created = env.gateway.create_hosted_sale(&second).await.unwrap();
    let paid = env
        .gateway
        .charge_sale(&created.sale_token, &card(VISA, "000"), true)
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert!(paid.stored_card.is_some(), "save_card stores the card");
    let mut third = HostedSaleRequest::new("order-sale-decline", try_money("8.00"), customer());
    third.billing = Some(billing());
    let created = env.gateway.create_hosted_sale(&third).await.unwrap();
    let err = env
        .gateway
        .charge_sale(&created.sale_token, &card("4000000000000002", "123"), false)
        .await
        .unwrap_err();
    assert_eq!(
        err.decline().map(|d| d.provider_code.as_deref()),
        Some(Some("10004")),
        "{err:?}"
    );
}

#[tokio::test]
async fn declared_capabilities_match_the_accessors() {
    let env = env().await;
    let caps = env.gateway.capabilities();
    assert!(env.gateway.notifications().is_none());
    assert!(!caps.supports(odeme_core::Capability::Notifications));
    assert!(!caps.supports(odeme_core::Capability::ItemRefund));
    assert!(!caps.supports(odeme_core::Capability::SubMerchantSplits));
    for (capability, present) in [
        (
            odeme_core::Capability::Charge,
            env.gateway.charges().is_some(),
        ),
        (
            odeme_core::Capability::StoreCard,
            env.gateway.cards().is_some(),
        ),
        (
            odeme_core::Capability::ChargeStoredCard,
            env.gateway.stored_card_charges().is_some(),
        ),
        (
            odeme_core::Capability::Refund,
            env.gateway.refunds().is_some(),
        ),
        (
            odeme_core::Capability::RecurringPlans,
            env.gateway.recurring().is_some(),
        ),
        (
            odeme_core::Capability::StatusByPaymentId,
            env.gateway.status_query().is_some(),
        ),
        (
            odeme_core::Capability::ThreeDSecure,
            env.gateway.three_ds().is_some(),
        ),
        (
            odeme_core::Capability::Installments,
            env.gateway.installment_options().is_some(),
        ),
    ] {
        assert!(caps.supports(capability) && present, "{capability}");
    }
    let split = charge("order-split", "10.00", VISA, "000")
        .with_items(vec![odeme_core::LineItem::new("x", try_money("10.00"), 1)
            .with_split("sub-1", try_money("5.00"))]);
    let err = env.gateway.charge(&split).await.unwrap_err();
    assert!(matches!(
        err,
        Error::Unsupported {
            capability: odeme_core::Capability::SubMerchantSplits,
            ..
        }
    ));
    assert_eq!(env.sim.requests().count(), 0);
}
