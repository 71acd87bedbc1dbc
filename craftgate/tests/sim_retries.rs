//! Retries and repeated operations against the Craftgate simulator: the same refund made
//! twice, refunds by item and by amount mixed, a refund retried under its reference after
//! a lost answer, a charge retried after a soft decline or a lost answer, a sub-merchant
//! paid a whole item, and three-decimal amounts.

mod common;

use common::*;
use odeme_core::{
    Charge, ChargeRequest, Currency, Error, ItemRefund, LineItem, Money, PaymentSource,
    PaymentStatus, PaymentStatusQuery, Refund, RefundKind, RefundRequest, RejectionKind,
    StatusQuery,
};
use odeme_sandbox::ledger::LedgerKind;
use odeme_sandbox::{Fault, Simulator};
use rust_decimal::Decimal;

const REFUND_TX: &str = "/payment/v1/refund-transactions";

fn three_items(order: &str) -> ChargeRequest {
    sale(order, 10000).with_items(vec![
        LineItem::new("A", try_(3000), 1),
        LineItem::new("B", try_(5000), 1),
        LineItem::new("C", try_(2000), 1),
    ])
}

/// The amounts the simulator's ledger recorded as refunds (cancels included) for `order`.
fn ledger_refunds(sim: &impl Simulator, order: &str) -> Vec<Decimal> {
    let mut out: Vec<Decimal> = sim
        .ledger()
        .for_order(order, LedgerKind::Refund)
        .into_iter()
        .chain(sim.ledger().for_order(order, LedgerKind::Cancel))
        .filter_map(|e| e.amount)
        .collect();
    out.sort();
    out
}

fn dec(minor: i64) -> Decimal {
    Decimal::new(minor, 2)
}

fn item(transaction_id: &str, amount: Option<Money>) -> ItemRefund {
    ItemRefund {
        transaction_id: transaction_id.to_owned(),
        amount,
    }
}

#[tokio::test]
async fn the_same_item_refunded_twice_is_refunded_twice() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("twice");
    let paid = gw.charge(&three_items(&order)).await.unwrap();
    let item_c = paid.transactions[2].id.clone();
    let mut ids = Vec::new();
    for expected_total in [1000, 1500] {
        let mut request = RefundRequest::full(&paid.id);
        request.items = vec![item(&item_c, Some(try_(500)))];
        let done = gw.refund(&request).await.unwrap();
        assert_eq!(done.amount, try_(500));
        assert_eq!(done.total_refunded, Some(try_(expected_total - 500)));
        assert_eq!(done.refund_ids.len(), 1);
        ids.extend(done.refund_ids);
    }
    assert_ne!(ids[0], ids[1], "two refunds, not one answer replayed");
    assert_eq!(ledger_refunds(&sim, &order), [dec(500), dec(500)]);
    let now = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(now.refunded, try_(1000));
    assert_eq!(now.transactions[2].refunded, try_(1000));
    assert!(now.transactions[0].refunded.is_zero());
}

#[tokio::test]
async fn an_item_refund_then_the_rest_by_amount_refunds_everything() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("mix");
    let paid = gw.charge(&three_items(&order)).await.unwrap();
    let mut request = RefundRequest::full(&paid.id);
    request.items = vec![item(&paid.transactions[2].id, None)];
    assert_eq!(gw.refund(&request).await.unwrap().amount, try_(2000));

    // Item C is refunded: Craftgate's per-item record says so, not a spread of the total.
    let now = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    let refunded: Vec<_> = now.transactions.iter().map(|t| t.refunded).collect();
    assert_eq!(refunded, [try_(0), try_(0), try_(2000)]);

    let rest = gw
        .refund(&RefundRequest::partial(&paid.id, try_(8000)))
        .await
        .unwrap();
    assert_eq!(rest.amount, try_(8000));
    assert_eq!(rest.refund_ids.len(), 2);
    assert_eq!(rest.total_refunded, Some(try_(10000)));
    let now = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(now.status, PaymentStatus::Refunded);
    assert_eq!(now.refunded, try_(10000));
    assert_eq!(
        ledger_refunds(&sim, &order),
        [dec(2000), dec(3000), dec(5000)]
    );
}

#[tokio::test]
async fn a_partial_refund_retried_under_its_reference_after_a_lost_answer_is_made_once() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("ref");
    let paid = gw.charge(&three_items(&order)).await.unwrap();
    // 45.00 is item A (30.00) and 15.00 of item B; the answer to item A is lost after
    // Craftgate made it.
    sim.faults()
        .inject_on(REFUND_TX, Fault::DropAfterProcessing);
    let mut request = RefundRequest::partial(&paid.id, try_(4500));
    request.reference = Some(format!("{order}-r1"));
    let first = gw.refund(&request).await.unwrap_err();
    assert!(first.is_unknown_outcome(), "{first:?}");
    assert_eq!(ledger_refunds(&sim, &order), [dec(3000)]);

    let retried = gw.refund(&request).await.unwrap();
    assert_eq!(retried.amount, try_(4500));
    assert_eq!(retried.total_refunded, Some(try_(4500)));
    assert_eq!(retried.refund_ids.len(), 2);
    assert_eq!(ledger_refunds(&sim, &order), [dec(1500), dec(3000)]);

    // Once more, after it completed: the same refund, nothing new.
    let again = gw.refund(&request).await.unwrap();
    assert_eq!(again.amount, try_(4500));
    assert_eq!(again.refund_ids, retried.refund_ids);
    assert_eq!(ledger_refunds(&sim, &order), [dec(1500), dec(3000)]);
    let now = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(now.refunded, try_(4500));

    // The reference cannot stand for a smaller refund than the one it made, nor for a
    // refund of the whole rest.
    let mut smaller = request.clone();
    smaller.amount = Some(try_(1000));
    let mut whole = request.clone();
    whole.amount = None;
    for other in [smaller, whole] {
        let err = gw.refund(&other).await.unwrap_err();
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
    assert_eq!(ledger_refunds(&sim, &order), [dec(1500), dec(3000)]);
}

#[tokio::test]
async fn a_whole_refund_retried_under_its_reference_finds_the_first() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("whole-ref");
    let paid = gw.charge(&sale(&order, 5000)).await.unwrap();
    sim.faults()
        .inject_on("/payment/v1/refunds", Fault::DropAfterProcessing);
    let mut request = RefundRequest::full(&paid.id);
    request.reference = Some(format!("{order}-r"));
    assert!(gw.refund(&request).await.unwrap_err().is_unknown_outcome());
    let retried = gw.refund(&request).await.unwrap();
    assert_eq!(retried.kind, RefundKind::Cancel);
    assert_eq!(retried.amount, try_(5000));
    assert_eq!(retried.reference, request.reference);
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Cancel).len(), 1);
}

#[tokio::test]
async fn a_refund_without_reference_after_a_lost_answer_is_a_new_refund() {
    // Documented: without a reference the caller reconciles first; a blind retry refunds
    // again, and the adapter never reports the first refund's replayed answer as the second.
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("noref");
    let paid = gw.charge(&three_items(&order)).await.unwrap();
    sim.faults()
        .inject_on(REFUND_TX, Fault::DropAfterProcessing);
    let request = RefundRequest::partial(&paid.id, try_(1000));
    assert!(gw.refund(&request).await.unwrap_err().is_unknown_outcome());
    let reconciled = gw
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(reconciled.refunded, try_(1000));
    assert_eq!(reconciled.transactions[0].refunded, try_(1000));
    // A second call is a second refund, with keys of its own.
    let second = gw.refund(&request).await.unwrap();
    assert_eq!(second.total_refunded, Some(try_(2000)));
    assert_eq!(ledger_refunds(&sim, &order), [dec(1000), dec(1000)]);
}

#[tokio::test]
async fn an_identical_retry_after_a_soft_decline_reaches_the_bank() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("soft");
    // The sandbox's insufficient-funds card: a soft decline.
    let request = sale_with(&order, 3000, "5100050000006661");
    for _ in 0..2 {
        let err = gw.charge(&request).await.unwrap_err();
        let decline = err.decline().expect("a decline");
        assert!(decline.soft);
    }
    assert_eq!(sim.ledger().for_order(&order, LedgerKind::Decline).len(), 2);
    assert_eq!(sim.requests().count_path("/payment/v1/card-payments"), 2);
}

#[tokio::test]
async fn an_identical_retry_after_a_lost_answer_charges_once() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("lost");
    sim.faults()
        .inject_on("/payment/v1/card-payments", Fault::DropAfterProcessing);
    let request = sale(&order, 3000);
    assert!(gw.charge(&request).await.unwrap_err().is_unknown_outcome());
    let retried = gw.charge(&request).await.unwrap();
    assert_eq!(retried.status, PaymentStatus::Succeeded);
    assert_eq!(sim.ledger().charges_for_order(&order), 1);
}

#[tokio::test]
async fn a_sub_merchant_paid_the_whole_item_is_a_readable_payment() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let order = order("full-split");
    let request = sale(&order, 3000).with_items(vec![
        LineItem::new("Whole", try_(3000), 1).with_split("101", try_(3000))
    ]);
    let paid = gw.charge(&request).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    let tx = &paid.transactions[0];
    assert_eq!(tx.sub_merchant_payout, Some(try_(3000)));
    // The simulator takes its commission from what the sub-merchant leaves: nothing here.
    assert_eq!(tx.merchant_payout, Some(try_(0)));
    let found = gw
        .status(&StatusQuery::OrderId(order.clone()))
        .await
        .unwrap();
    assert_eq!(found.id, paid.id);
    assert_eq!(found.transactions, paid.transactions);
    assert_eq!(sim.ledger().charges_for_order(&order), 1);
}

#[tokio::test]
async fn three_decimal_amounts_are_refused_before_the_wire() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let amount = Money::new(Decimal::new(1234, 3), Currency::KWD).unwrap();
    let request = ChargeRequest::new(
        &order("kwd"),
        amount,
        PaymentSource::NewCard(card(SUCCESS_CARD)),
        customer(),
    );
    let err = gw.charge(&request).await.unwrap_err();
    assert_eq!(err.invalid_field(), Some("amount"), "{err:?}");
    assert_eq!(sim.requests().count(), 0);

    // Two decimals in a three-decimal currency are taken.
    let amount = Money::new(Decimal::new(1230, 3), Currency::KWD).unwrap();
    let order = order("kwd2");
    let request = ChargeRequest::new(
        &order,
        amount,
        PaymentSource::NewCard(card(SUCCESS_CARD)),
        customer(),
    );
    assert_eq!(
        gw.charge(&request).await.unwrap().status,
        PaymentStatus::Succeeded
    );
}
