//! The adapter against the PayTR simulator on loopback.

mod common;

use common::*;
use odeme_core::{
    Capability, Charge, ChargeStoredCard, CompleteThreeDsRequest, Cvc, DeclineReason,
    DeleteCardRequest, Error, InboundRequest, ListCardsRequest, NextAction, Notifications,
    PaymentSource, PaymentStatus, PaymentStatusQuery, Recurring, Refund, RefundRequest,
    RejectionKind, StatusQuery, StoreCard, StoreCardMode, StoredCardRef, ThreeDsCompletion,
};
use odeme_paytr::{PaytrConfig, PaytrGateway};
use odeme_sandbox::{Fault, LedgerKind, Simulator};
use rust_decimal_macros::dec;

/// Charges `number` non-3D, storing it, and returns the stored card's tokens.
async fn store(gw: &PaytrGateway, number: &str, mode: StoreCardMode) -> StoredCardRef {
    let req = new_card(&oid("S"), dec!(10), number).with_store_card(mode);
    let payment = gw.charge(&req).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    payment
        .stored_card
        .expect("the sync answer carries utoken and ctoken")
        .reference
}

#[tokio::test]
async fn non_3d_charge_stores_cards_under_one_utoken_then_lists_and_deletes() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("A");
    let req = new_card(&id, dec!(100.99), OFFICIAL).with_store_card(StoreCardMode::NewCustomer);
    let payment = gw.charge(&req).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.id, id);
    assert_eq!(payment.captured, try_(dec!(100.99)));
    assert_eq!(
        payment.card.as_ref().and_then(|c| c.last4.as_deref()),
        Some("4358")
    );
    let first = payment.stored_card.unwrap().reference;
    assert_eq!(sim.ledger().charges_for_order(&id), 1);

    let second = store(
        &gw,
        OFFICIAL_MC,
        StoreCardMode::ExistingCustomer(first.customer_token.clone()),
    )
    .await;
    assert_eq!(
        second.customer_token, first.customer_token,
        "the second card joins the same utoken"
    );
    assert_ne!(second.card_token, first.card_token);
    assert_eq!(sim.stored_card_count(&first.customer_token), 2);

    let list = gw
        .list_cards(&ListCardsRequest::new(&first.customer_token))
        .await
        .unwrap();
    let tokens: Vec<_> = list
        .cards
        .iter()
        .map(|c| c.reference.card_token.clone())
        .collect();
    assert_eq!(
        tokens,
        vec![first.card_token.clone(), second.card_token.clone()]
    );
    let listed = &list.cards[0];
    assert_eq!(listed.summary.last4.as_deref(), Some("4358"));
    assert_eq!(
        (listed.expiry_month, listed.expiry_year),
        (Some(12), Some(2030))
    );
    assert!(!listed.requires_cvc);
    assert_eq!(listed.extra.get("schema").map(String::as_str), Some("VISA"));

    gw.delete_card(&DeleteCardRequest {
        card: first.clone(),
    })
    .await
    .unwrap();
    let list = gw
        .list_cards(&ListCardsRequest::new(&first.customer_token))
        .await
        .unwrap();
    assert_eq!(list.cards.len(), 1);
    assert_eq!(list.cards[0].reference, second);
    let again = gw
        .delete_card(&DeleteCardRequest { card: first })
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ),
        "{again:?}"
    );

    let unknown = gw
        .list_cards(&ListCardsRequest::new("nosuchuser"))
        .await
        .unwrap();
    assert!(unknown.cards.is_empty(), "an unknown utoken is empty JSON");
}

#[tokio::test]
async fn stored_card_charge_with_and_without_cvv() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let needs_cvv = store(&gw, REQUIRE_CVV, StoreCardMode::NewCustomer).await;
    let plain = store(
        &gw,
        OFFICIAL,
        StoreCardMode::ExistingCustomer(needs_cvv.customer_token.clone()),
    )
    .await;
    let listed = gw
        .list_cards(&ListCardsRequest::new(&needs_cvv.customer_token))
        .await
        .unwrap();
    assert!(listed
        .cards
        .iter()
        .any(|c| c.reference == needs_cvv && c.requires_cvc));

    // Without the CVV the card that needs one is refused locally: nothing is charged.
    let id = oid("B");
    let source = PaymentSource::StoredCard {
        card: needs_cvv.clone(),
        cvc: None,
    };
    let err = gw
        .charge_stored_card(&charge(&id, dec!(20), source))
        .await
        .unwrap_err();
    assert_eq!(err.invalid_field(), Some("cvc"), "{err:?}");
    assert_eq!(sim.ledger().charges_for_order(&id), 0);

    let source = PaymentSource::StoredCard {
        card: needs_cvv,
        cvc: Some(Cvc::parse("123").unwrap()),
    };
    let payment = gw
        .charge_stored_card(&charge(&id, dec!(20), source))
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(sim.ledger().charges_for_order(&id), 1);

    // A card with require_cvv=0 is charged without one.
    let id = oid("C");
    let source = PaymentSource::StoredCard {
        card: plain,
        cvc: None,
    };
    let payment = gw.charge(&charge(&id, dec!(30.50), source)).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.amount, try_(dec!(30.50)));

    let source = PaymentSource::StoredCard {
        card: StoredCardRef::new("nouser", "nocard"),
        cvc: None,
    };
    let err = gw
        .charge_stored_card(&charge(&oid("D"), dec!(1), source))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn recurring_success_soft_and_hard_failures() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let ok = store(&gw, OFFICIAL, StoreCardMode::NewCustomer).await;
    let id = oid("R");
    let payment = gw
        .recurring_charge(&charge(
            &id,
            dec!(99.90),
            PaymentSource::StoredCard {
                card: ok,
                cvc: None,
            },
        ))
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.provider_status.as_deref(), Some("success"));
    assert_eq!(sim.ledger().charges_for_order(&id), 1);

    let soft = store(&gw, TRY_AGAIN_STORED, StoreCardMode::NewCustomer).await;
    let id = oid("R");
    let err = gw
        .recurring_charge(&charge(
            &id,
            dec!(99.90),
            PaymentSource::StoredCard {
                card: soft,
                cvc: None,
            },
        ))
        .await
        .unwrap_err();
    let decline = err.decline().expect("a decline");
    assert!(decline.soft, "try_again: true means a retry may help");
    assert_eq!(decline.order_id.as_deref(), Some(id.as_str()));
    assert!(err.is_safe_to_retry());

    let hard = store(&gw, CLOSED_STORED, StoreCardMode::NewCustomer).await;
    let err = gw
        .recurring_charge(&charge(
            &oid("R"),
            dec!(5),
            PaymentSource::StoredCard {
                card: hard,
                cvc: None,
            },
        ))
        .await
        .unwrap_err();
    let decline = err.decline().expect("a decline");
    assert!(!decline.soft, "try_again: false");
    // The simulated bank names the cause: a lost or stolen card, closed by the bank.
    assert_eq!(decline.reason, DeclineReason::StolenCard);

    let plans = gw.get_plan("x").await.unwrap_err();
    assert!(matches!(
        plans,
        Error::Unsupported {
            capability: Capability::RecurringPlans,
            ..
        }
    ));
    let new_card = gw
        .recurring_charge(&new_card(&oid("R"), dec!(1), OFFICIAL))
        .await
        .unwrap_err();
    assert_eq!(new_card.invalid_field(), Some("source"));
}

#[tokio::test]
async fn recurring_on_a_card_that_needs_its_cvv_succeeds_without_one() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let needs_cvv = store(&gw, REQUIRE_CVV, StoreCardMode::NewCustomer).await;
    // The CAPI document: recurring is Non3D and asks nothing of the customer; `cvv` is not
    // among its fields. The customer-present charge of the same card still needs it.
    for cvc in [None, Some(Cvc::parse("000").unwrap())] {
        let id = oid("RC");
        let payment = gw
            .recurring_charge(&charge(
                &id,
                dec!(15),
                PaymentSource::StoredCard {
                    card: needs_cvv.clone(),
                    cvc,
                },
            ))
            .await
            .unwrap();
        assert_eq!(payment.status, PaymentStatus::Succeeded);
        assert_eq!(sim.ledger().charges_for_order(&id), 1);
    }
    let id = oid("RC");
    let err = gw
        .charge_stored_card(&charge(
            &id,
            dec!(15),
            PaymentSource::StoredCard {
                card: needs_cvv,
                cvc: None,
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(err.invalid_field(), Some("cvc"), "{err:?}");
    assert_eq!(sim.ledger().charges_for_order(&id), 0);
}

#[tokio::test]
async fn a_card_stored_by_a_charge_says_whether_it_needs_its_cvv() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    for (number, needs) in [(REQUIRE_CVV, true), (OFFICIAL, false)] {
        let req = new_card(&oid("K"), dec!(10), number).with_store_card(StoreCardMode::NewCustomer);
        let stored = gw.charge(&req).await.unwrap().stored_card.unwrap();
        assert_eq!(stored.requires_cvc, needs, "{number}");
        assert_eq!(stored.extra.get("require_cvv"), None, "known, not unknown");
        assert_eq!(
            stored.summary.last4.as_deref(),
            Some(&number[number.len() - 4..])
        );
    }
    // When capi/list cannot be read the charge still stands; the card says it is unknown
    // and asks for the CVV to be safe.
    let lists = sim.requests().count_path("/odeme/capi/list");
    sim.faults()
        .inject_on("/odeme/capi/list", Fault::HtmlServerError(503));
    let id = oid("K");
    let payment = gw
        .charge(&new_card(&id, dec!(10), OFFICIAL).with_store_card(StoreCardMode::NewCustomer))
        .await
        .unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    let stored = payment.stored_card.unwrap();
    assert!(stored.requires_cvc);
    assert_eq!(
        stored.extra.get("require_cvv").map(String::as_str),
        Some("unknown")
    );
    assert_eq!(
        sim.requests().count_path("/odeme/capi/list"),
        lists + 1,
        "one read"
    );
    assert_eq!(sim.ledger().charges_for_order(&id), 1);
}

#[tokio::test]
async fn wait_callback_is_pending_and_settles_later() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("W");
    let payment = gw.charge(&new_card(&id, dec!(12), SLOW)).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert_eq!(payment.provider_status.as_deref(), Some("wait_callback"));
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let later = gw.status(&StatusQuery::OrderId(id)).await.unwrap();
    assert_eq!(later.status, PaymentStatus::Succeeded);
}

#[tokio::test]
async fn declines_are_normalized() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("X");
    let err = gw
        .charge(&new_card(&id, dec!(10), INSUFFICIENT))
        .await
        .unwrap_err();
    let decline = err.decline().expect("a decline");
    assert_eq!(decline.reason, DeclineReason::InsufficientFunds);
    assert!(decline
        .provider_message
        .as_deref()
        .unwrap_or("")
        .contains("yetersiz"));
    assert_eq!(sim.ledger().for_order(&id, LedgerKind::Decline).len(), 1);
    assert_eq!(sim.ledger().charges_for_order(&id), 0);

    // An order id is used once, whatever the outcome.
    let err = gw
        .charge(&new_card(&id, dec!(10), OFFICIAL))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::Duplicate,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn three_ds_through_the_bank_page_ends_in_a_verified_notification() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let merchant = merchant(gw.clone()).await;
    sim.set_notification_url(&merchant.url).unwrap();
    let id = oid("T");
    let req = new_card(&id, dec!(250.75), OFFICIAL)
        .with_three_ds("https://shop.example/paytr/ok")
        .with_store_card(StoreCardMode::NewCustomer);
    let payment = gw.charge(&req).await.unwrap();
    assert_eq!(payment.status, PaymentStatus::RequiresAction);
    assert_eq!(
        sim.requests().count(),
        0,
        "a 3-D Secure charge is posted by the browser, not the server"
    );
    let Some(NextAction::PostForm { url, fields }) = payment.next_action.clone() else {
        panic!("expected a form, got {:?}", payment.next_action);
    };
    assert_eq!(url, format!("{}/odeme", sim.base_url()));
    let sensitive: Vec<_> = fields
        .iter()
        .filter(|f| f.sensitive)
        .map(|f| f.name.as_str())
        .collect();
    assert!(sensitive.contains(&"card_number") && sensitive.contains(&"cvv"));
    let html = payment.next_action.as_ref().unwrap().to_html();
    assert!(html.contains("document.forms[0].submit()") && html.contains(&url));

    // The customer's browser: post the form, follow to the bank page, confirm.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let pairs: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect();
    let answer = browser.post(&url).form(&pairs).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 303);
    let bank_page = answer.headers()["location"].to_str().unwrap().to_owned();
    let done = browser
        .get(format!("{}{bank_page}?result=success", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(
        done.headers()["location"].to_str().unwrap(),
        "https://shop.example/paytr/ok"
    );

    let notification = merchant.wait_for(&id).await;
    assert_eq!(notification.status, PaymentStatus::Succeeded);
    assert_eq!(notification.amount, Some(try_(dec!(250.75))));
    assert!(notification.test_mode);
    assert_eq!(notification.event_key, format!("paytr:{id}:success"));
    assert!(
        notification.stored_card.is_some(),
        "the utoken of the stored card is surfaced"
    );
    for _ in 0..40 {
        if sim.notification_acknowledged(&id) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        sim.notification_acknowledged(&id),
        "the merchant answered exactly OK"
    );
    assert_eq!(*merchant.rejected.lock().unwrap(), 0);

    // Back at the ok URL (no data): the status query has the truth.
    let completed = gw
        .complete_three_ds(&CompleteThreeDsRequest {
            order_id: Some(id.clone()),
            payment_id: None,
            callback: InboundRequest::get(""),
            currency: None,
        })
        .await
        .unwrap();
    assert_eq!(completed.status, PaymentStatus::Succeeded);
    assert_eq!(completed.amount, try_(dec!(250.75)));
}

#[tokio::test]
async fn three_ds_failure_returns_a_decline() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let merchant = merchant(gw.clone()).await;
    sim.set_notification_url(&merchant.url).unwrap();
    let id = oid("F");
    let payment = gw
        .charge(&new_card(&id, dec!(10), OFFICIAL).with_three_ds("https://shop.example/ok"))
        .await
        .unwrap();
    let Some(NextAction::PostForm { url, fields }) = payment.next_action else {
        panic!("no form")
    };
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let pairs: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect();
    let answer = browser.post(&url).form(&pairs).send().await.unwrap();
    let bank_page = answer.headers()["location"].to_str().unwrap().to_owned();
    let page = browser
        .get(format!("{}{bank_page}?result=failure", sim.base_url()))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("fail_message"));

    let notification = merchant.wait_for(&id).await;
    assert_eq!(notification.status, PaymentStatus::Failed);
    assert_eq!(
        notification.decline.as_ref().map(|d| d.reason),
        Some(DeclineReason::ThreeDsFailed)
    );

    // The browser's POST to the fail URL carries a fail_message.
    let callback =
        InboundRequest::post("fail_message=Kimlik+Do%C4%9Frulama+ba%C5%9Far%C4%B1s%C4%B1z");
    let err = gw
        .complete_three_ds(&CompleteThreeDsRequest {
            order_id: Some(id),
            payment_id: None,
            callback,
            currency: None,
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.decline().map(|d| d.reason),
        Some(DeclineReason::ThreeDsFailed)
    );
}

#[tokio::test]
async fn partial_and_full_refunds_then_over_refund_is_refused() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("P");
    gw.charge(&new_card(&id, dec!(100.99), OFFICIAL))
        .await
        .unwrap();

    let mut partial = RefundRequest::partial(&id, try_(dec!(10.50)));
    partial.reference = Some("IADE1".into());
    let refund = gw.refund(&partial).await.unwrap();
    assert_eq!(refund.amount, try_(dec!(10.50)));
    assert_eq!(refund.reference.as_deref(), Some("IADE1"));

    let status = gw
        .status(&StatusQuery::PaymentId(id.clone()))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::PartiallyRefunded);
    assert_eq!(status.refunded, try_(dec!(10.50)));
    assert_eq!(status.refunds[0].reference.as_deref(), Some("IADE1"));

    // More than the 90.49 left: refused before the wire, as PayTR's 009 would refuse it
    // (the read_refund unit tests pin the 009 mapping for a refund that races another).
    let sent = sim.requests().count_path("/odeme/iade");
    let over = gw
        .refund(&RefundRequest::partial(&id, try_(dec!(90.50))))
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
        sim.requests().count_path("/odeme/iade"),
        sent,
        "nothing sent"
    );

    let full = gw.refund(&RefundRequest::full(&id)).await.unwrap();
    assert_eq!(
        full.amount,
        try_(dec!(90.49)),
        "a full refund returns what is left"
    );
    assert_eq!(full.total_refunded, Some(try_(dec!(100.99))));
    let status = gw.status(&StatusQuery::OrderId(id.clone())).await.unwrap();
    assert_eq!(status.status, PaymentStatus::Refunded);
    let refunds = sim.ledger().for_order(&id, LedgerKind::Refund);
    assert_eq!(refunds.len(), 2);

    let nothing_left = gw.refund(&RefundRequest::full(&id)).await.unwrap_err();
    assert!(matches!(
        nothing_left,
        Error::Provider {
            kind: RejectionKind::InvalidState,
            ..
        }
    ));
    let unknown = gw
        .refund(&RefundRequest::partial("NOSUCHORDER", try_(dec!(1))))
        .await
        .unwrap_err();
    assert!(
        matches!(
            unknown,
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn status_query_reads_the_payment() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("Q");
    gw.charge(&new_card(&id, dec!(10.80), OFFICIAL))
        .await
        .unwrap();
    let p = gw.status(&StatusQuery::OrderId(id.clone())).await.unwrap();
    assert_eq!(p.id, id);
    assert_eq!(p.status, PaymentStatus::Succeeded);
    assert_eq!(p.amount, try_(dec!(10.80)), "\"10,8\" read exactly");
    assert_eq!(p.test_mode, Some(true));
    assert_eq!(
        p.card.as_ref().and_then(|c| c.last4.as_deref()),
        Some("4358")
    );
    let missing = gw
        .status(&StatusQuery::OrderId("NOSUCHORDER".into()))
        .await
        .unwrap_err();
    assert!(matches!(
        missing,
        Error::Provider {
            kind: RejectionKind::NotFound,
            ..
        }
    ));
}

#[tokio::test]
async fn dropped_answer_is_an_unknown_outcome_that_the_status_query_reconciles() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("U");
    sim.faults().inject_on("/odeme", Fault::DropAfterProcessing);
    let err = gw
        .charge(&new_card(&id, dec!(42), OFFICIAL))
        .await
        .unwrap_err();
    match &err {
        Error::UnknownOutcome { reference, .. } => {
            assert_eq!(reference.as_deref(), Some(id.as_str()))
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    assert!(!err.is_safe_to_retry());
    let truth = gw.status(&StatusQuery::OrderId(id.clone())).await.unwrap();
    assert_eq!(truth.status, PaymentStatus::Succeeded);
    assert_eq!(sim.ledger().charges_for_order(&id), 1);
}

#[tokio::test]
async fn server_errors_and_garbage_after_a_write_are_unknown_outcomes() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("V");
    gw.charge(&new_card(&id, dec!(50), OFFICIAL)).await.unwrap();
    sim.faults()
        .inject_on("/odeme/iade", Fault::HtmlServerErrorAfterProcessing(502));
    let err = gw
        .refund(&RefundRequest::partial(&id, try_(dec!(5))))
        .await
        .unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    assert_eq!(
        sim.ledger().for_order(&id, LedgerKind::Refund).len(),
        1,
        "it happened"
    );

    let id = oid("V");
    sim.faults().inject_on("/odeme", Fault::MalformedJson);
    let err = gw
        .charge(&new_card(&id, dec!(50), OFFICIAL))
        .await
        .unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    assert_eq!(sim.ledger().charges_for_order(&id), 1);
}

#[tokio::test]
async fn bad_credentials_are_authentication_errors() {
    let sim = simulator().await;
    let c = sim.credentials();
    let wrong_key = PaytrGateway::new(
        PaytrConfig::new(&c.merchant_id, "WrongKey", c.merchant_salt.as_str())
            .with_base_url(sim.base_url())
            .with_return_urls("https://shop.example/ok", "https://shop.example/fail"),
    )
    .unwrap();
    let id = oid("K");
    let err = wrong_key
        .charge(&new_card(&id, dec!(1), OFFICIAL))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    assert_eq!(sim.ledger().charges_for_order(&id), 0);
    let err = wrong_key
        .status(&StatusQuery::OrderId(id.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    let err = wrong_key
        .list_cards(&ListCardsRequest::new("u"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    let err = wrong_key
        .refund(&RefundRequest::partial(&id, try_(dec!(1))))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");

    let wrong_id = PaytrGateway::new(
        PaytrConfig::new("999999", c.merchant_key.as_str(), c.merchant_salt.as_str())
            .with_base_url(sim.base_url())
            .with_return_urls("https://shop.example/ok", "https://shop.example/fail"),
    )
    .unwrap();
    let err = wrong_id
        .charge(&new_card(&oid("K"), dec!(1), OFFICIAL))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
}

#[tokio::test]
async fn invalid_input_and_unsupported_calls_send_nothing() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let mut bad_oid = new_card("ORDER-1", dec!(1), OFFICIAL);
    assert_eq!(
        gw.charge(&bad_oid).await.unwrap_err().invalid_field(),
        Some("order_id")
    );
    bad_oid.order_id = "OK1".into();
    bad_oid.customer.phone = None;
    assert_eq!(
        gw.charge(&bad_oid).await.unwrap_err().invalid_field(),
        Some("customer.phone")
    );
    let mut installments = new_card("OK2", dec!(1), OFFICIAL).with_installments(3);
    installments
        .metadata
        .insert("card_type".into(), "gold".into());
    assert_eq!(
        gw.charge(&installments).await.unwrap_err().invalid_field(),
        Some("metadata.card_type")
    );
    let preauth = gw
        .charge(&new_card("OK3", dec!(1), OFFICIAL).pre_authorize())
        .await
        .unwrap_err();
    assert!(matches!(
        preauth,
        Error::Unsupported {
            capability: Capability::PreAuthorize,
            ..
        }
    ));
    let capture = gw
        .capture(&odeme_core::CaptureRequest {
            payment_id: "OK3".into(),
            amount: None,
        })
        .await;
    assert!(matches!(
        capture,
        Err(Error::Unsupported {
            capability: Capability::Capture,
            ..
        })
    ));
    let cancel = gw
        .cancel(&odeme_core::CancelRequest {
            payment_id: "OK3".into(),
            reason: None,
        })
        .await;
    assert!(matches!(
        cancel,
        Err(Error::Unsupported {
            capability: Capability::Cancel,
            ..
        })
    ));
    let store = gw
        .store_card(&odeme_core::StoreCardRequest {
            card: card(OFFICIAL),
            owner: odeme_core::CardOwner::New {
                external_id: None,
                email: None,
            },
            label: None,
        })
        .await;
    assert!(matches!(
        store,
        Err(Error::Unsupported {
            capability: Capability::StoreCard,
            ..
        })
    ));
    assert_eq!(
        gw.refund(&RefundRequest::partial("A-1", try_(dec!(1))))
            .await
            .unwrap_err()
            .invalid_field(),
        Some("payment_id")
    );
    assert_eq!(sim.requests().count(), 0);
}

#[tokio::test]
async fn a_tampered_notification_is_rejected() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("N");
    gw.charge(&new_card(&id, dec!(34.56), OFFICIAL))
        .await
        .unwrap();
    let sent = sim
        .notifications_sent()
        .into_iter()
        .find(|n| n.merchant_oid == id)
        .expect("recorded");
    let encode = |fields: &[(String, String)]| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        InboundRequest::post(s.finish())
    };
    let genuine = gw.verify_notification(&encode(&sent.fields)).unwrap();
    assert_eq!(genuine.status, PaymentStatus::Succeeded);
    assert_eq!(genuine.amount, Some(try_(dec!(34.56))), "3456 kuruş");
    assert_eq!(
        genuine.acknowledgement.map(|a| a.body).as_deref(),
        Some("OK")
    );

    let mut tampered = sent.fields.clone();
    for (k, v) in tampered.iter_mut() {
        if k == "total_amount" {
            *v = "345600".into();
        }
    }
    let err = gw.verify_notification(&encode(&tampered)).unwrap_err();
    assert!(matches!(err, Error::SignatureMismatch(_)), "{err:?}");

    let other_salt = PaytrGateway::new(
        PaytrConfig::new(
            &sim.credentials().merchant_id,
            sim.credentials().merchant_key.as_str(),
            "AnotherSalt",
        )
        .with_base_url(sim.base_url()),
    )
    .unwrap();
    assert!(matches!(
        other_salt.verify_notification(&encode(&sent.fields)),
        Err(Error::SignatureMismatch(_))
    ));
}

#[tokio::test]
async fn three_ds_return_before_the_result_is_pending() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let id = oid("G");
    let payment = gw
        .charge(&new_card(&id, dec!(10), OFFICIAL).with_three_ds("https://shop.example/ok"))
        .await
        .unwrap();
    let Some(NextAction::PostForm { url, fields }) = payment.next_action else {
        panic!("no form")
    };
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let pairs: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect();
    assert_eq!(
        browser
            .post(&url)
            .form(&pairs)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        303
    );
    // The customer is still on the bank page: nothing is decided.
    let request = CompleteThreeDsRequest {
        order_id: None,
        payment_id: Some(id.clone()),
        callback: InboundRequest::get(""),
        currency: Some(odeme_core::Currency::TRY),
    };
    let pending = gw.complete_three_ds(&request).await.unwrap();
    assert_eq!(pending.status, PaymentStatus::Pending);
    assert_eq!(pending.id, id);
    // PayTR has not said how much yet: the placeholder amount is flagged, never a fact.
    assert_eq!(
        pending.references.get("amount").map(String::as_str),
        Some("unknown")
    );
    assert!(pending.captured.is_zero());
    assert_eq!(sim.ledger().charges_for_order(&id), 0);
    let no_id = CompleteThreeDsRequest {
        payment_id: None,
        ..request
    };
    assert_eq!(
        gw.complete_three_ds(&no_id)
            .await
            .unwrap_err()
            .invalid_field(),
        Some("order_id")
    );
}

#[tokio::test]
async fn an_installment_charge_finds_the_card_program_once_per_bin() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    for n in 0..3 {
        let request = new_card(&oid(&format!("I{n}")), dec!(300), OFFICIAL).with_installments(3);
        let paid = gw.charge(&request).await.unwrap();
        assert_eq!(paid.installments, 3);
    }
    assert_eq!(
        sim.requests().count_path("/odeme/api/bin-detail"),
        1,
        "one BIN read for three charges on one BIN"
    );
    // A caller's own program wins and needs no read.
    let mut own = new_card(&oid("I9"), dec!(300), "5406675406675403").with_installments(2);
    own.metadata.insert("card_type".into(), "world".into());
    gw.charge(&own).await.unwrap();
    assert_eq!(sim.requests().count_path("/odeme/api/bin-detail"), 1);
    // A card of no installment program is refused before anything is charged.
    let before = sim.ledger().len();
    let none = new_card(&oid("I8"), dec!(300), "4111111111111111").with_installments(3);
    let error = gw.charge(&none).await.unwrap_err();
    assert_eq!(error.invalid_field(), Some("installments"), "{error:?}");
    assert_eq!(sim.ledger().len(), before);
}
