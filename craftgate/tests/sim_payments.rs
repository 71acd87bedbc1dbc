//! The adapter against the Craftgate simulator: charges with splits, pre-auth and capture,
//! 3-D Secure, stored cards, refunds, declines, installments.

mod common;

use common::*;
use odeme_core::{
    CancelRequest, CaptureRequest, Charge, ChargeStoredCard, CompleteThreeDsRequest, DeclineReason,
    DeleteCardRequest, Error, InstallmentQuery, Installments, ItemRefund, LineItem,
    ListCardsRequest, NextAction, Notifications, PaymentStatus, PaymentStatusQuery, Recurring,
    Refund, RefundKind, RefundRequest, RefundStatus, RejectionKind, StatusQuery, StoreCard,
    StoreCardMode, StoreCardRequest, ThreeDsCompletion,
};
use odeme_sandbox::ledger::LedgerKind;
use odeme_sandbox::Simulator;

fn three_items(order: &str) -> odeme_core::ChargeRequest {
    sale(order, 10000).with_items(vec![
        LineItem::new("Pharmaton", try_(3000), 1)
            .with_external_id("line-1")
            .with_split("101", try_(2700)),
        LineItem::new("Vitamin C", try_(2500), 2)
            .with_external_id("line-2")
            .with_split("102", try_(4000)),
        LineItem::new("Shipping", try_(2000), 1).with_external_id("line-3"),
    ])
}

#[tokio::test]
async fn three_items_two_sub_merchants_and_payouts_reconcile() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("split");
    let payment = gw.charge(&three_items(&order)).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.order_id, order);
    assert_eq!(payment.captured, try_(10000));
    assert_eq!(payment.transactions.len(), 3);

    let txs = &payment.transactions;
    let ext: Vec<_> = txs.iter().map(|t| t.external_id.as_deref()).collect();
    assert_eq!(ext, [Some("line-1"), Some("line-2"), Some("line-3")]);
    let prices: Vec<_> = txs.iter().map(|t| t.price).collect();
    assert_eq!(prices, [try_(3000), try_(5000), try_(2000)]);
    let subs: Vec<_> = txs.iter().map(|t| t.sub_merchant_id.as_deref()).collect();
    assert_eq!(subs, [Some("101"), Some("102"), None]);
    assert!(txs[2].sub_merchant_payout.is_none());

    // The simulator's documented rule (docs/craftgate.md): no installment, so each item's
    // paid price is its price; the sub-merchant gets paid × subMerchantPrice / price, the
    // commission is 1 % of the paid price (capped by what the sub-merchant leaves) and the
    // merchant the rest. merchant + sub-merchant + commission == paid, item by item.
    let expected = [
        // (paid, merchant, sub-merchant, commission)
        (3000, 270, Some(2700), 30),
        (5000, 950, Some(4000), 50),
        (2000, 1980, None, 20),
    ];
    let mut paid_sum = try_(0);
    for (tx, (paid, merchant, sub, commission)) in txs.iter().zip(expected) {
        assert_eq!(tx.paid_price, try_(paid), "{tx:?}");
        assert_eq!(tx.merchant_payout, Some(try_(merchant)), "{tx:?}");
        assert_eq!(tx.sub_merchant_payout, sub.map(try_), "{tx:?}");
        let shared = try_(merchant)
            .checked_add(&try_(sub.unwrap_or(0)))
            .unwrap()
            .checked_add(&try_(commission))
            .unwrap();
        assert_eq!(shared, tx.paid_price, "{tx:?}");
        assert_eq!(tx.status.as_deref(), Some("APPROVED"));
        paid_sum = paid_sum.checked_add(&tx.paid_price).unwrap();
    }
    assert_eq!(paid_sum, try_(10000));

    // The status query shows the same payouts.
    let found = gw
        .status(&StatusQuery::OrderId(order.clone()))
        .await
        .unwrap();
    assert_eq!(found.id, payment.id);
    assert_eq!(found.transactions, payment.transactions);
    assert_eq!(sim.ledger().charges_for_order(&order), 1);
}

#[tokio::test]
async fn pre_authorization_then_capture() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("preauth");
    let auth = gw
        .charge(&sale(&order, 7550).pre_authorize())
        .await
        .unwrap();
    assert_eq!(auth.status, PaymentStatus::Authorized);
    assert!(auth.captured.is_zero());
    let status = gw
        .status(&StatusQuery::PaymentId(auth.id.clone()))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Authorized);

    let captured = gw
        .capture(&CaptureRequest {
            payment_id: auth.id.clone(),
            amount: None,
        })
        .await
        .unwrap();
    assert_eq!(captured.status, PaymentStatus::Succeeded);
    assert_eq!(captured.captured, try_(7550));
    assert_eq!(
        captured.references.get("payment_phase").map(String::as_str),
        Some("POST_AUTH")
    );
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Capture).len(), 1);

    // A second capture is refused without a second post-auth: the payment is no longer authorized.
    let post_auth = format!("/payment/v1/card-payments/{}/post-auth", auth.id);
    assert_eq!(sim.requests().count_path(&post_auth), 1);
    let err = gw
        .capture(&CaptureRequest {
            payment_id: auth.id.clone(),
            amount: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::InvalidState,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sim.requests().count_path(&post_auth), 1);
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Capture).len(), 1);
}

#[tokio::test]
async fn pre_authorization_cancelled() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let auth = gw
        .charge(&sale(&order("void"), 5000).pre_authorize())
        .await
        .unwrap();
    let cancelled = gw
        .cancel(&CancelRequest {
            payment_id: auth.id.clone(),
            reason: None,
        })
        .await
        .unwrap();
    assert_eq!(cancelled.status, PaymentStatus::Cancelled);
    assert_eq!(cancelled.refunds[0].kind, RefundKind::Cancel);
}

#[tokio::test]
async fn three_ds_init_bank_page_verified_callback_complete() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("3ds");
    let request = sale(&order, 12000).with_three_ds("https://shop.example/3ds/return");
    let started = gw.charge(&request).await.unwrap();
    assert_eq!(started.status, PaymentStatus::RequiresAction);
    let html = match &started.next_action {
        Some(NextAction::Html { html }) => html.clone(),
        other => panic!("expected the bank's HTML, got {other:?}"),
    };
    let callback = bank_page(&form_action(&html), true).await;

    // The callback verifies both through Notifications and the inherent method.
    let note = gw.verify_notification(&callback).unwrap();
    assert_eq!(note.kind, odeme_core::NotificationKind::ThreeDsCallback);
    assert_eq!(note.payment_id.as_deref(), Some(started.id.as_str()));
    assert_eq!(note.status, PaymentStatus::Pending);
    assert_eq!(
        gw.verify_three_ds_callback(&callback).unwrap().order_id(),
        order
    );

    let mut tampered = callback.clone();
    tampered.query = tampered
        .query
        .map(|q| q.replace("status=SUCCESS", "status=FAILURE"));
    assert!(matches!(
        gw.verify_notification(&tampered),
        Err(Error::SignatureMismatch(_))
    ));

    let done = gw
        .complete_three_ds(&CompleteThreeDsRequest {
            order_id: None,
            payment_id: None,
            callback,
            currency: None,
        })
        .await
        .unwrap();
    assert_eq!(done.status, PaymentStatus::Succeeded);
    assert_eq!(done.id, started.id);
    assert_eq!(done.order_id, order);
    assert_eq!(done.captured, try_(12000));
    assert_eq!(sim.ledger().charges_for_order(&order), 1);
}

#[tokio::test]
async fn three_ds_failed_at_the_bank_is_a_decline() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let started = gw
        .charge(&sale(&order("3dsfail"), 1000).with_three_ds("https://shop.example/r"))
        .await
        .unwrap();
    let Some(NextAction::Html { html }) = &started.next_action else {
        panic!("{:?}", started.next_action)
    };
    let callback = bank_page(&form_action(html), false).await;
    let err = gw
        .complete_three_ds(&CompleteThreeDsRequest {
            order_id: None,
            payment_id: Some(started.id.clone()),
            callback,
            currency: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.decline().map(|d| d.reason),
        Some(DeclineReason::ThreeDsFailed),
        "{err:?}"
    );
}

#[tokio::test]
async fn store_during_payment_and_standalone_list_and_delete() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw
        .charge(&sale(&order("store"), 1000).with_store_card(StoreCardMode::NewCustomer))
        .await
        .unwrap();
    let first = paid.stored_card.expect("the card was stored").reference;
    assert!(!first.customer_token.is_empty() && !first.card_token.is_empty());

    let second = gw
        .store_card(&StoreCardRequest {
            card: card("4546710000000007"),
            owner: odeme_core::CardOwner::Existing(first.customer_token.clone()),
            label: Some("work".into()),
        })
        .await
        .unwrap();
    assert_eq!(second.reference.customer_token, first.customer_token);
    assert_eq!(second.summary.last4.as_deref(), Some("0007"));
    assert_eq!(second.label.as_deref(), Some("work"));

    let all = gw
        .list_cards(&ListCardsRequest::new(&first.customer_token))
        .await
        .unwrap();
    assert_eq!(all.cards.len(), 2);
    assert_eq!(all.total, Some(2));
    let mut page = ListCardsRequest::new(&first.customer_token);
    page.page_size = Some(1);
    let page_one = gw.list_cards(&page).await.unwrap();
    assert_eq!((page_one.cards.len(), page_one.next_page), (1, Some(2)));
    page.page = Some(2);
    let page_two = gw.list_cards(&page).await.unwrap();
    assert_eq!((page_two.cards.len(), page_two.next_page), (1, None));
    assert_ne!(page_one.cards[0].reference, page_two.cards[0].reference);

    gw.delete_card(&DeleteCardRequest {
        card: second.reference.clone(),
    })
    .await
    .unwrap();
    let left = gw
        .list_cards(&ListCardsRequest::new(&first.customer_token))
        .await
        .unwrap();
    assert_eq!(left.cards.len(), 1);
    assert_eq!(left.cards[0].reference, first);
}

#[tokio::test]
async fn store_standalone_for_new_user_then_charge_it_and_recur() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let stored = gw
        .store_card(&StoreCardRequest {
            card: card(SUCCESS_CARD),
            owner: odeme_core::CardOwner::New {
                external_id: None,
                email: None,
            },
            label: None,
        })
        .await
        .unwrap();
    assert_eq!(stored.summary.bin.as_deref(), Some("525864"));

    let order_a = order("stored");
    let paid = gw
        .charge_stored_card(&stored_charge(&order_a, 2500, &stored.reference))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(
        paid.card.as_ref().and_then(|c| c.last4.as_deref()),
        Some("0001")
    );

    let order_b = order("recurring");
    let again = gw
        .recurring_charge(&stored_charge(&order_b, 2500, &stored.reference))
        .await
        .unwrap();
    assert_eq!(again.status, PaymentStatus::Succeeded);
    assert_eq!(sim.ledger().charges_for_order(&order_b), 1);

    let plan = odeme_core::PlanRequest {
        charge: stored_charge(&order("plan"), 100, &stored.reference),
        name: "monthly".into(),
        period: odeme_core::RecurringPeriod::Monthly,
        frequency: 1,
        start_date: None,
    };
    let err = gw.create_plan(&plan).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unsupported {
                capability: odeme_core::Capability::RecurringPlans,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(matches!(
        gw.get_plan("1").await,
        Err(Error::Unsupported { .. })
    ));
}

#[tokio::test]
async fn whole_refund_on_the_same_day_is_a_cancel() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&sale(&order("cancel"), 4000)).await.unwrap();
    let refund = gw.refund(&RefundRequest::full(&paid.id)).await.unwrap();
    assert_eq!(refund.kind, RefundKind::Cancel);
    assert_eq!(refund.status, RefundStatus::Succeeded);
    assert_eq!(refund.amount, try_(4000));
    let after = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    // Craftgate voided it before settlement: a cancel, not a refund.
    assert_eq!(after.status, PaymentStatus::Cancelled);
    assert_eq!(after.refunded, try_(4000));
}

#[tokio::test]
async fn whole_refund_of_a_settled_payment_is_a_refund() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&three_items(&order("settled"))).await.unwrap();
    assert!(sim.settle_payment(paid.id.parse().unwrap()));
    let refund = gw.refund(&RefundRequest::full(&paid.id)).await.unwrap();
    assert_eq!(refund.kind, RefundKind::Refund);
    assert_eq!(refund.amount, try_(10000));
}

#[tokio::test]
async fn partial_refund_spread_over_items_and_over_refund_refused() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&three_items(&order("partial"))).await.unwrap();
    assert!(sim.settle_payment(paid.id.parse().unwrap()));

    let first = gw
        .refund(&RefundRequest::partial(&paid.id, try_(4500)))
        .await
        .unwrap();
    assert_eq!(first.amount, try_(4500));
    assert_eq!(
        first.refund_ids.len(),
        2,
        "30.00 of item 1 and 15.00 of item 2"
    );
    assert_eq!(first.total_refunded, Some(try_(4500)));
    let after = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(after.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(after.refunded, try_(4500));
    let per_item: Vec<_> = after.transactions.iter().map(|t| t.refunded).collect();
    assert_eq!(per_item, [try_(3000), try_(1500), try_(0)]);

    // 55.00 is left; 55.01 is refused before anything is sent.
    let writes_before = sim.requests().count_path("/payment/v1/refund");
    let err = gw
        .refund(&RefundRequest::partial(&paid.id, try_(5501)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::AmountExceeded,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        sim.requests().count_path("/payment/v1/refund"),
        writes_before
    );

    let rest = gw
        .refund(&RefundRequest::partial(&paid.id, try_(5500)))
        .await
        .unwrap();
    assert_eq!(rest.total_refunded, Some(try_(10000)));
    assert_eq!(
        rest.refund_ids.len(),
        2,
        "35.00 of item 2 and 20.00 of item 3"
    );
    let done = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(done.status, PaymentStatus::Refunded);
    assert!(matches!(
        gw.refund(&RefundRequest::partial(&paid.id, try_(1))).await,
        Err(Error::Provider {
            kind: RejectionKind::InvalidState,
            ..
        })
    ));
}

#[tokio::test]
async fn one_item_refunded_directly() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let paid = gw.charge(&three_items(&order("item"))).await.unwrap();
    assert!(sim.settle_payment(paid.id.parse().unwrap()));
    let shipping = paid.transactions[2].id.clone();
    let part = RefundRequest {
        items: vec![ItemRefund {
            transaction_id: shipping.clone(),
            amount: Some(try_(500)),
        }],
        ..RefundRequest::full(&paid.id)
    };
    let first = gw.refund(&part).await.unwrap();
    assert_eq!((first.amount, first.kind), (try_(500), RefundKind::Refund));
    let after = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(after.refunded, try_(500));

    // More than the item has is refused by Craftgate (the adapter's view of the item is
    // derived in item order, so here the provider is the one that knows).
    let too_much = RefundRequest {
        items: vec![ItemRefund {
            transaction_id: shipping.clone(),
            amount: Some(try_(1600)),
        }],
        ..RefundRequest::full(&paid.id)
    };
    assert!(gw.refund(&too_much).await.is_err());
    let rest = RefundRequest {
        items: vec![ItemRefund {
            transaction_id: shipping,
            amount: Some(try_(1500)),
        }],
        ..RefundRequest::full(&paid.id)
    };
    assert_eq!(gw.refund(&rest).await.unwrap().amount, try_(1500));
    let after = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(after.refunded, try_(2000));
    assert_eq!(after.status, PaymentStatus::PartiallyRefunded);
}

#[tokio::test]
async fn every_sandbox_error_card_maps_to_its_reason() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let cards = [
        (
            "5100050000006661",
            DeclineReason::InsufficientFunds,
            "10051",
        ),
        ("5100560000006669", DeclineReason::DoNotHonor, "10005"),
        (
            "5101380000006661",
            DeclineReason::InvalidTransaction,
            "10012",
        ),
        ("5101520000006662", DeclineReason::StolenCard, "10043"),
        ("5102210000006669", DeclineReason::Declined, "10200"),
        ("5136620000006669", DeclineReason::LostCard, "10041"),
        ("5163080000006662", DeclineReason::ExpiredCard, "10054"),
        ("5164580000006660", DeclineReason::InvalidCvc, "10084"),
        ("5192610000006661", DeclineReason::SuspectedFraud, "10059"),
        ("5200170000006666", DeclineReason::Unknown, "10099"),
    ];
    for (number, reason, code) in cards {
        let order = order("decline");
        let err = gw
            .charge(&sale_with(&order, 1000, number))
            .await
            .unwrap_err();
        let decline = err.decline().unwrap_or_else(|| panic!("{number}: {err:?}"));
        assert_eq!(decline.reason, reason, "{number}");
        assert_eq!(decline.provider_code.as_deref(), Some(code), "{number}");
        assert_eq!(decline.order_id.as_deref(), Some(order.as_str()));
        assert!(!decline.customer_message.is_empty());
        assert!(!format!("{err:?}{err}").contains(number));
        // The declined attempt is on record and reads as failed.
        let found = gw
            .status(&StatusQuery::OrderId(order.clone()))
            .await
            .unwrap();
        assert_eq!(found.status, PaymentStatus::Failed, "{number}");
    }
}

#[tokio::test]
async fn installments_and_bin_lookup() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let options = gw
        .installments(&odeme_core::InstallmentQuery {
            bin: Some("525864".into()),
            amount: try_(10000),
        })
        .await
        .unwrap();
    assert!(!options.banks.is_empty());
    let bank = &options.banks[0];
    assert_eq!(bank.card.bin.as_deref(), Some("525864"));
    assert!(
        bank.options
            .iter()
            .any(|o| o.count == 1 && o.total == try_(10000)),
        "{bank:?}"
    );
    for o in &bank.options {
        assert!(o.total.amount() >= try_(10000).amount());
    }
    let summary = gw.bin_lookup("525864").await.unwrap();
    assert_eq!(
        summary.association,
        Some(odeme_core::CardAssociation::MasterCard)
    );
    assert_eq!(summary.card_type, Some(odeme_core::CardType::Credit));
    assert_eq!(summary.brand.as_deref(), Some("World"));
    assert_eq!(summary.bank.as_deref(), Some("YAPI VE KREDİ BANKASI A.Ş."));
    let _ = InstallmentQuery {
        bin: None,
        amount: try_(1),
    };
}
