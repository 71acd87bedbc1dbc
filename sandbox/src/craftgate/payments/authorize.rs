//! Recording a validated payment and asking the simulated bank to authorize it: item
//! transactions, the ledger, the stored card and the webhook.

use rust_decimal::Decimal;

use super::validate::{item_shares, CardSource, Validated};
use crate::craftgate::errors::{codes, data, ApiError, ApiResult};
use crate::craftgate::payouts::{merchant_commission_rate, split, ItemAmounts, ItemShare};
use crate::craftgate::state::{CardData, Payment, PaymentCard, Status, Transaction};
use crate::craftgate::test_cards::{self, CardBehaviour, Decline};
use crate::craftgate::views::payment_view;
use crate::craftgate::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::util::{random_digits, random_hex};

/// What the simulated bank says to an authorization.
pub(crate) fn bank_decision(card: &PaymentCard, installment: u32) -> Result<(), Decline> {
    match test_cards::behaviour(&card.pan.0) {
        CardBehaviour::Decline(d) => return Err(d),
        CardBehaviour::DeclineInstallments(d) if installment > 1 => return Err(d),
        _ => {}
    }
    if installment > 1 && card.info.card_type != "CREDIT_CARD" {
        return Err(test_cards::DEBIT_INSTALLMENT);
    }
    Ok(())
}

/// An item's name, external id, sub-merchant id and blockage days.
pub(crate) type ItemMeta = (Option<String>, Option<String>, Option<i64>, i64);

/// Builds the item transactions from `items` and their computed `amounts` (see [`split`]).
pub(crate) fn transactions(
    store: &mut crate::craftgate::state::Store,
    shares: &[ItemMeta],
    items: &[ItemShare],
    amounts: Vec<ItemAmounts>,
    created: time::PrimitiveDateTime,
) -> Vec<Transaction> {
    amounts
        .into_iter()
        .zip(items.iter().zip(shares))
        .map(
            |(amounts, (item, (name, external_id, sub_id, blockage_day)))| Transaction {
                id: store.next_id(),
                name: name.clone(),
                external_id: external_id.clone(),
                price: item.price,
                paid_price: amounts.paid_price,
                merchant_commission_rate_amount: amounts.merchant_commission_rate_amount,
                commission: amounts.commission,
                merchant_payout_amount: amounts.merchant_payout_amount,
                sub_merchant_member_id: *sub_id,
                sub_merchant_member_price: item.sub_merchant_price,
                sub_merchant_payout_rate: amounts.sub_merchant_payout_rate,
                sub_merchant_payout_amount: amounts.sub_merchant_payout_amount,
                blockage_resolved_date: created.saturating_add(time::Duration::days(*blockage_day)),
                refunded: Decimal::ZERO,
            },
        )
        .collect()
}

/// Re-splits a payment's items over a new paid price (after a smaller capture). Nothing
/// changes when a figure would not fit.
pub(crate) fn resplit(payment: &mut Payment, paid_price: Decimal) -> Result<(), ApiError> {
    let shares: Vec<ItemShare> = payment
        .transactions
        .iter()
        .map(|t| ItemShare {
            price: t.price,
            sub_merchant_price: t.sub_merchant_member_price,
        })
        .collect();
    let split = split(&shares, payment.price, paid_price)
        .filter(|_| merchant_commission_rate(payment.price, paid_price).is_some())
        .ok_or_else(|| ApiError::invalid("paidPrice", "kırılım tutarları hesaplanamadı"))?;
    for (tx, amounts) in payment.transactions.iter_mut().zip(split) {
        tx.paid_price = amounts.paid_price;
        tx.merchant_commission_rate_amount = amounts.merchant_commission_rate_amount;
        tx.commission = amounts.commission;
        tx.merchant_payout_amount = amounts.merchant_payout_amount;
        tx.sub_merchant_payout_amount = amounts.sub_merchant_payout_amount;
    }
    payment.paid_price = paid_price;
    Ok(())
}

/// What a caller of [`record_payment`] needs of the payment it stored.
pub(super) struct Recorded {
    pub(super) id: u64,
    pub(super) conversation_id: Option<String>,
    pub(super) paid_price: Decimal,
    pub(super) currency: String,
}

/// Records a new payment from a validated request, in `status`.
pub(super) fn record_payment(
    shared: &Shared,
    v: Validated,
    status: Status,
    three_ds: bool,
) -> Recorded {
    let created = shared.clock.now();
    let mut store = shared.store();
    let id = store.next_id();
    let shares = item_shares(&v.items);
    let meta: Vec<_> = v
        .items
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                i.external_id.clone(),
                i.sub_merchant_member_id,
                i.blockage_day,
            )
        })
        .collect();
    let txs = transactions(&mut store, &meta, &shares, v.amounts, created);
    let (card, paid_with_stored_card, card_user_key, card_token, store_after_success) =
        match v.source {
            CardSource::New { card, store } => (card, false, None, None, store),
            CardSource::Stored {
                card,
                card_user_key,
                card_token,
            } => (card, true, Some(card_user_key), Some(card_token), None),
        };
    let payment = Payment {
        id,
        created,
        price: v.price,
        paid_price: v.paid_price,
        currency: v.currency,
        installment: v.installment,
        conversation_id: v.conversation_id,
        external_id: v.external_id,
        buyer_member_id: v.buyer_member_id,
        payment_group: v.group,
        phase: v.phase,
        channel: v.channel,
        requested_pos_alias: v.pos_alias,
        status,
        is_three_ds: three_ds,
        card,
        paid_with_stored_card,
        card_user_key,
        card_token,
        store_after_success,
        auth_code: None,
        host_reference: None,
        trans_id: None,
        order_id: format!("sim-{}", random_hex(16)),
        md_status: None,
        transactions: txs,
        callback_url: v.callback_url,
        conversation_data: three_ds.then(|| random_hex(32)),
        callback_returned: false,
        error: None,
        settled: false,
        cancelled: false,
    };
    let recorded = Recorded {
        id,
        conversation_id: payment.conversation_id.clone(),
        paid_price: payment.paid_price,
        currency: payment.currency.clone(),
    };
    store.insert_payment(payment);
    recorded
}

/// Asks the bank to authorize `payment_id` and records the outcome (ledger, stored card,
/// webhook). The payment must be in the store.
pub(crate) fn authorize(shared: &Shared, payment_id: u64) -> ApiResult {
    let now = shared.clock.now();
    let mut store = shared.store();
    // Only the few fields the outcome needs are copied out, under the lock already held:
    // the whole payment (card, items, texts) need not be cloned for each charge.
    let Some(payment) = store.payments.get(&payment_id) else {
        return Err(ApiError::not_found(
            codes::PAYMENT_NOT_FOUND,
            "Ödeme bulunamadı",
        ));
    };
    let ledger = &shared.controls.ledger;
    let decision = bank_decision(&payment.card, payment.installment).and_then(|()| {
        let bin = payment.card.pan.0.get(..6).unwrap_or_default();
        let declines = match &payment.conversation_id {
            Some(order) => shared.controls.approval.declines(order, bin),
            None => shared
                .controls
                .approval
                .declines(&payment_id.to_string(), bin),
        };
        match declines {
            Some(true) => Err(test_cards::INSUFFICIENT_FUNDS),
            _ => Ok(()),
        }
    });
    let conversation_id = payment.conversation_id.clone();
    let paid_price = payment.paid_price;
    let currency = payment.currency.clone();
    if let Err(decline) = decision {
        if let Some(p) = store.payments.get_mut(&payment_id) {
            p.status = Status::Failure;
            p.error = Some(decline);
        }
        drop(store);
        ledger.record(LedgerEntry {
            kind: LedgerKind::Decline,
            reference: payment_id.to_string(),
            order_id: conversation_id,
            amount: Some(paid_price),
            currency: Some(currency),
        });
        shared.emit("API_AUTH", "FAILURE", payment_id);
        return Err(ApiError::declined(&decline));
    }
    let to_store = payment.store_after_success.as_ref().map(|request| {
        (
            request.card_user_key.clone(),
            CardData {
                pan: payment.card.pan.clone(),
                holder_name: payment.card.holder_name.clone(),
                alias: request.alias.clone(),
                expire_year: payment.card.expire_year.clone(),
                expire_month: payment.card.expire_month.clone(),
                info: payment.card.info.clone(),
            },
        )
    });
    let stored = to_store.map(|(user, card)| store.store_card(user, card, now));
    let Some(p) = store.payments.get_mut(&payment_id) else {
        return Err(ApiError::not_found(
            codes::PAYMENT_NOT_FOUND,
            "Ödeme bulunamadı",
        ));
    };
    p.status = Status::Success;
    p.auth_code = Some(random_digits(6));
    p.host_reference = Some(random_digits(12));
    p.trans_id = Some(random_digits(10));
    if p.is_three_ds {
        p.md_status = Some(1);
    }
    if let Some(card) = &stored {
        p.card_user_key = Some(card.card_user_key.clone());
        p.card_token = Some(card.card_token.clone());
    }
    let view = payment_view(p);
    let kind = if p.phase == "PRE_AUTH" {
        LedgerKind::PreAuthorization
    } else {
        LedgerKind::Charge
    };
    drop(store);
    ledger.record(LedgerEntry {
        kind,
        reference: payment_id.to_string(),
        order_id: conversation_id.clone(),
        amount: Some(paid_price),
        currency: Some(currency),
    });
    if let Some(card) = stored {
        ledger.record(LedgerEntry {
            kind: LedgerKind::CardStored,
            reference: card.card_token,
            order_id: conversation_id,
            amount: None,
            currency: None,
        });
    }
    shared.emit("API_AUTH", "SUCCESS", payment_id);
    Ok(data(view))
}
