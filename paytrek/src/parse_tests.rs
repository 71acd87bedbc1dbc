//! Every response example of the Paytrek document, read into the neutral types.

use odeme_core::{
    CardAssociation, CardType, Currency, Error, HttpResponse, InstallmentQuery, Money,
    PaymentStatus, ProviderId, RequestKind,
};
use rust_decimal_macros::dec;

use crate::call::read;
use crate::cards::{to_card_list, to_stored_card};
use crate::charge::payment_or_decline;
use crate::installments::to_options;
use crate::recurring::to_plan;
use crate::sale::{self, Context};
use crate::settle::{self, read_settle};
use crate::wire::{InstallmentsAnswer, Page, PlanWire, Sale, VaultCard};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../tests/fixtures/", $name))
    };
}

fn response(body: &str, status: u16) -> HttpResponse {
    HttpResponse {
        provider: ProviderId::Paytrek,
        operation: "test",
        kind: RequestKind::Write,
        reference: None,
        status,
        body: body.as_bytes().to_vec(),
    }
}

fn try_money(amount: rust_decimal::Decimal) -> Money {
    Money::new(amount, Currency::TRY).unwrap()
}

#[test]
fn created_and_retrieved_sale() {
    for body in [fixture!("sale_create.json"), fixture!("sale_get.json")] {
        let r = response(body, 201);
        let sale: Sale = read(&r).unwrap();
        let ctx = Context {
            response: &r,
            currency: None,
            order_id: None,
        };
        let payment = sale::to_payment(&sale, &ctx).unwrap();
        assert_eq!(payment.id, "c626f49193114e24ad0980752b749318");
        assert_eq!(payment.order_id, "1467034250");
        assert_eq!(payment.status, PaymentStatus::Pending);
        assert_eq!(payment.provider_status.as_deref(), Some("Created"));
        assert_eq!(payment.amount, try_money(dec!(24.00)));
        assert!(payment.refunded.is_zero() && payment.captured.is_zero());
        assert!(payment.card.is_none() && payment.next_action.is_none());
    }
}

#[test]
fn direct_charge_answer() {
    let r = response(fixture!("direct_charge.json"), 200);
    let sale: Sale = read(&r).unwrap();
    let ctx = Context {
        response: &r,
        currency: Some(Currency::TRY),
        order_id: Some("1467034250"),
    };
    let payment = payment_or_decline(&sale, &ctx).unwrap();
    assert_eq!(payment.id, "92489820e4914f23b2db8039205cb64b");
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.captured, try_money(dec!(24)));
    assert_eq!(
        payment
            .references
            .get("financial_status")
            .map(String::as_str),
        Some("Ready to Send")
    );
    assert_eq!(
        payment.references.get("paytrek_ref_id").map(String::as_str),
        Some("1mlHu6ljNGxC5CZY0nVs")
    );
    assert_eq!(
        payment.references.get("fraud_decision").map(String::as_str),
        Some("ACCEPT")
    );
    let card = payment.card.unwrap();
    assert_eq!(card.bin.as_deref(), Some("450803"));
    assert_eq!(card.last4.as_deref(), Some("4509"));
    assert_eq!(card.association, Some(CardAssociation::Visa));
    assert_eq!(card.card_type, Some(CardType::Credit));
    assert_eq!(card.bank.as_deref(), Some("isbank"));
    assert!(payment.stored_card.is_none());
}

#[test]
fn declined_direct_charge_answer() {
    // The document shows only a success; a decline has the same shape with
    // `succeeded: false` and the transaction's `paytrek_error`.
    let body = fixture!("direct_charge.json")
        .replace("\"succeeded\": true", "\"succeeded\": false")
        .replace(
            "\"paytrek_error\": null",
            "\"paytrek_error\": {\"code\": \"10020\", \"message\": \"Insufficient Limit\", \"customer_message\": \"Transaction has been denied, please check your card limit.\"}",
        )
        .replace("\"status\": \"Paid\"", "\"status\": \"Declined\"");
    let r = response(&body, 200);
    let sale: Sale = read(&r).unwrap();
    let ctx = Context {
        response: &r,
        currency: Some(Currency::TRY),
        order_id: Some("1467034250"),
    };
    match payment_or_decline(&sale, &ctx).unwrap_err() {
        Error::Declined(d) => {
            assert_eq!(d.reason, odeme_core::DeclineReason::InsufficientFunds);
            assert_eq!(d.provider_code.as_deref(), Some("10020"));
            assert_eq!(d.provider_message.as_deref(), Some("Insufficient Limit"));
            assert_eq!(
                d.customer_message,
                "Transaction has been denied, please check your card limit."
            );
            assert_eq!(
                d.payment_reference.as_deref(),
                Some("92489820e4914f23b2db8039205cb64b")
            );
            assert_eq!(d.order_id.as_deref(), Some("1467034250"));
            assert!(d.soft);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn three_ds_answer_is_a_redirect() {
    let body = fixture!("direct_charge.json").replace(
        "\"status\": \"Paid\"",
        "\"status\": \"Created\", \"forward_url\": \"https://sandbox.paytrek.com/secure/abc/\"",
    );
    let r = response(&body, 200);
    let sale: Sale = read(&r).unwrap();
    let ctx = Context {
        response: &r,
        currency: None,
        order_id: None,
    };
    let payment = payment_or_decline(&sale, &ctx).unwrap();
    assert_eq!(payment.status, PaymentStatus::RequiresAction);
    assert_eq!(
        payment.next_action,
        Some(odeme_core::NextAction::Redirect {
            url: "https://sandbox.paytrek.com/secure/abc/".into()
        })
    );
}

#[test]
fn charge_and_charge_with_token_answers() {
    for (body, token) in [
        (fixture!("charge.json"), "c626f49193114e24ad0980752b749318"),
        (
            fixture!("charge_with_token.json"),
            "5f20ca43d47244509949eb32c80e522a",
        ),
    ] {
        let answer = response(body, 200);
        let sale: Sale = read(&answer).unwrap();
        assert_eq!(sale.sale_token.as_deref(), Some(token));
        assert_eq!(sale.succeeded, Some(true));
        assert!(sale.forward_url.is_none());
        assert_eq!(sale.number.as_deref(), Some("450803******4509"));
        assert!(sale::stored_card(&sale).is_none());
    }
}

#[test]
fn vault_answers() {
    for body in [fixture!("vault_create.json"), fixture!("vault_get.json")] {
        let r = response(body, 200);
        let card: VaultCard = read(&r).unwrap();
        let stored = to_stored_card(&card, &r).unwrap();
        assert_eq!(
            stored.reference.card_token,
            "2b54e2f7-58ad-40e3-9a71-f3bc9333c406"
        );
        assert_eq!(
            stored.reference.customer_token,
            "b561169d7a2d467f885a7aedf7b10cf3"
        );
        assert_eq!(stored.summary.bin.as_deref(), Some("450803"));
        assert_eq!(stored.summary.last4.as_deref(), Some("4509"));
        assert_eq!(stored.summary.association, Some(CardAssociation::Visa));
        assert_eq!(stored.summary.card_type, Some(CardType::Credit));
        assert_eq!(stored.summary.bank.as_deref(), Some("isbank"));
        assert_eq!(stored.label.as_deref(), Some("Ted"));
        assert_eq!(
            stored.extra.get("card_country").map(String::as_str),
            Some("TR")
        );
    }
    let r = response(fixture!("vault_list.json"), 200);
    let page: Page<VaultCard> = read(&r).unwrap();
    let list = to_card_list(&page, None, &r).unwrap();
    assert_eq!(list.total, Some(2));
    assert_eq!(list.next_page, None);
    assert_eq!(list.cards.len(), 2);
    assert_eq!(
        list.cards[1].reference.card_token,
        "0f46ba98-d9d2-4fd3-93e4-6d23b4b48839"
    );
    assert_eq!(list.cards[1].reference.customer_token, "10001");
    assert_eq!(list.cards[1].label, None, "an empty label is no label");
}

#[test]
fn settlement_answers_keep_exact_amounts() {
    let capture = read_settle(&response(fixture!("capture.json"), 200)).unwrap();
    assert_eq!(capture.amount.unwrap().0, dec!(24.72));
    let cancel = read_settle(&response(fixture!("cancel.json"), 200)).unwrap();
    assert_eq!(cancel.amount.unwrap().0, dec!(24));
    for body in [
        fixture!("refund.json"),
        fixture!("refund_headers_block.json"),
    ] {
        let refund = read_settle(&response(body, 200)).unwrap();
        assert!(refund.amount.is_some());
    }
    let refund = read_settle(&response(fixture!("refund_headers_block.json"), 200)).unwrap();
    assert_eq!(refund.amount.unwrap().0, dec!(9.7));
    assert_eq!(refund.total_refunded_amount.unwrap().0, dec!(9.7));
    let refused = read_settle(&response(
        r#"{"succeeded": false, "error_code": "9000", "error_message": "Preauth Transaction Cannot Void"}"#,
        200,
    ))
    .unwrap_err();
    assert!(matches!(
        refused,
        Error::Provider { kind: odeme_core::RejectionKind::InvalidState, ref code, .. } if code.as_deref() == Some("9000")
    ));
}

/// The sale as it was before a capture, cancel or refund.
fn before(
    status: PaymentStatus,
    amount: rust_decimal::Decimal,
    refunded: rust_decimal::Decimal,
) -> odeme_core::Payment {
    let mut payment = odeme_core::Payment::new(
        ProviderId::Paytrek,
        "a16a810b503c4a91bb5c3d883617530a",
        "1467034250",
        status,
        try_money(amount),
    );
    if status != PaymentStatus::Authorized {
        payment.captured = try_money(amount);
    }
    payment.refunded = try_money(refunded);
    payment
}

#[test]
fn capture_answer_as_a_payment() {
    let r = response(fixture!("capture.json"), 200);
    let answer = read_settle(&r).unwrap();
    let payment = settle::captured(
        before(PaymentStatus::Authorized, dec!(24.72), dec!(0)),
        &answer,
        &r,
    )
    .unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.captured, try_money(dec!(24.72)));
    assert_eq!(payment.amount, try_money(dec!(24.72)));
    assert!(payment.refunded.is_zero());
}

#[test]
fn cancel_answer_as_a_payment() {
    let r = response(fixture!("cancel.json"), 200);
    let answer = read_settle(&r).unwrap();
    // The document's cancel answers `amount: 24` for a sale of 24.72.
    let paid = settle::cancelled(
        before(PaymentStatus::Succeeded, dec!(24.72), dec!(0)),
        &answer,
        &r,
    )
    .unwrap();
    assert_eq!(paid.status, PaymentStatus::Cancelled);
    assert_eq!(paid.refunded, try_money(dec!(24)));
    assert_eq!(paid.captured, try_money(dec!(24.72)));
    let authorized = settle::cancelled(
        before(PaymentStatus::Authorized, dec!(24.72), dec!(0)),
        &answer,
        &r,
    )
    .unwrap();
    assert_eq!(authorized.status, PaymentStatus::Cancelled);
    assert!(
        authorized.refunded.is_zero(),
        "a released authorization returned no money"
    );
}

#[test]
fn refund_answers_as_refunds() {
    let r = response(fixture!("refund_headers_block.json"), 200);
    let answer = read_settle(&r).unwrap();
    let request = odeme_core::RefundRequest::partial(
        "b39887704acb480e81ab8611ae256719",
        try_money(dec!(9.70)),
    );
    let refund = settle::refunded(
        &request,
        &before(PaymentStatus::Succeeded, dec!(50), dec!(0)),
        &answer,
        &r,
    )
    .unwrap();
    assert_eq!(refund.amount, try_money(dec!(9.7)));
    assert_eq!(refund.total_refunded, Some(try_money(dec!(9.7))));
    assert_eq!(refund.status, odeme_core::RefundStatus::Succeeded);
    assert_eq!(refund.payment_id, "b39887704acb480e81ab8611ae256719");

    // The body example has no total: the refund's own amount is read exactly.
    let r = response(fixture!("refund.json"), 200);
    let answer = read_settle(&r).unwrap();
    let refund = settle::refunded(
        &odeme_core::RefundRequest::full("a16a810b503c4a91bb5c3d883617530a"),
        &before(PaymentStatus::Succeeded, dec!(24.72), dec!(0)),
        &answer,
        &r,
    )
    .unwrap();
    assert_eq!(refund.amount, try_money(dec!(24)));
    assert_eq!(refund.total_refunded, None);

    // An answer without an amount: what was left, for a full refund.
    let r = response(r#"{"succeeded": true}"#, 200);
    let answer = read_settle(&r).unwrap();
    let refund = settle::refunded(
        &odeme_core::RefundRequest::full("t"),
        &before(PaymentStatus::PartiallyRefunded, dec!(50), dec!(9.70)),
        &answer,
        &r,
    )
    .unwrap();
    assert_eq!(refund.amount, try_money(dec!(40.30)));
}

#[test]
fn settle_answers_without_succeeded_are_unknown_outcomes() {
    for body in [
        r#"{"sale_token": "a16a810b503c4a91bb5c3d883617530a", "amount": "24.72"}"#,
        r#"{"sale_token": "a16a810b503c4a91bb5c3d883617530a", "succeeded": null}"#,
    ] {
        let err = read_settle(&response(body, 200)).unwrap_err();
        assert!(err.is_unknown_outcome(), "{body}: {err:?}");
    }
}

#[test]
fn subscription_plan_answers() {
    for body in [fixture!("plan_create.json"), fixture!("plan_get.json")] {
        let r = response(body, 200);
        let sale: Sale = read(&r).unwrap();
        let ctx = Context {
            response: &r,
            currency: None,
            order_id: None,
        };
        let first = payment_or_decline(&sale, &ctx).unwrap();
        assert_eq!(first.status, PaymentStatus::Pending);
        assert_eq!(first.amount, try_money(dec!(100)));
        let stored = first.stored_card.clone().unwrap();
        assert_eq!(
            stored.reference.card_token,
            "ab5b2706-75c6-4929-8269-9f410fe54178"
        );
        assert_eq!(
            stored.reference.customer_token,
            "69daf8cb6fe741a885cad8219bdb9dac"
        );
        let plan = to_plan(sale.subscription_plan.as_ref().unwrap(), Some(first), &r).unwrap();
        assert_eq!(plan.id, "d0351fe3-4c05-4611-8c38-c07ff33679e0");
        assert!(plan.active);
        assert_eq!(plan.subscriptions.len(), 4);
        assert!(plan
            .subscriptions
            .iter()
            .all(|s| s.status == "Active" && !s.cancelled));
        assert_eq!(
            plan.subscriptions[3].payment_date.as_deref(),
            Some("2018-07-18T21:00:00Z")
        );
        assert_eq!(
            plan.active_card_token.as_deref(),
            Some("ab5b2706-75c6-4929-8269-9f410fe54178")
        );
        // The same answer read as a plan envelope finds the nested plan.
        let wire: PlanWire = read(&r).unwrap();
        assert_eq!(to_plan(&wire, None, &r).unwrap().id, plan.id);
    }
    let r = response(fixture!("plan_update.json"), 200);
    let wire: PlanWire = read(&r).unwrap();
    let plan = to_plan(&wire, None, &r).unwrap();
    assert_eq!(
        plan.name.as_deref(),
        Some("New Test Store Recurring Payments")
    );
    assert!(plan.subscriptions[0].cancelled);
    assert_eq!(
        plan.subscriptions[0].id,
        "6ac1726c-b8bd-4241-8976-601bcf4e4b75"
    );
    assert!(plan.subscriptions[1..].iter().all(|s| !s.cancelled));
}

#[test]
fn installments_answer() {
    let r = response(fixture!("installments.json"), 200);
    let answer: InstallmentsAnswer = read(&r).unwrap();
    let query = InstallmentQuery {
        bin: Some("510118".into()),
        amount: try_money(dec!(123)),
    };
    let options = to_options(&answer, &query, &r).unwrap();
    assert_eq!(options.banks.len(), 1);
    let bank = &options.banks[0];
    assert_eq!(bank.card.association, Some(CardAssociation::MasterCard));
    assert_eq!(bank.card.brand.as_deref(), Some("bonus"));
    assert_eq!(bank.card.bank.as_deref(), Some("denizbank"));
    assert_eq!(bank.card.card_type, Some(CardType::Credit));
    assert_eq!(bank.card.commercial, Some(false));
    assert_eq!(bank.options.len(), 6);
    let two = &bank.options[1];
    assert_eq!(two.count, 2);
    assert_eq!(two.installment_amount, try_money(dec!(66.46)));
    assert_eq!(two.total, try_money(dec!(132.92)));
    assert_eq!(two.commission, Some(try_money(dec!(9.92))));
    let six = &bank.options[5];
    assert_eq!((six.count, six.total.amount()), (6, dec!(128.46)));
}

#[test]
fn unreadable_answers_to_writes_are_unknown_outcomes() {
    let r = response("<html>oops</html>", 200);
    assert!(read::<Sale>(&r).unwrap_err().is_unknown_outcome());
    let r = response(
        r#"{"sale_token": "x", "amount": "12.345", "currency": "TRY", "status": "Paid"}"#,
        200,
    );
    let sale: Sale = read(&r).unwrap();
    let ctx = Context {
        response: &r,
        currency: None,
        order_id: None,
    };
    assert!(sale::to_payment(&sale, &ctx)
        .unwrap_err()
        .is_unknown_outcome());
}
