//! Turning the bank's verdict into the order's final state: ledger entries, the stored
//! card and the notification.

use std::sync::Arc;
use std::time::Duration;

use super::notify;
use super::state::{OrderStatus, StoredCard};
use super::test_cards::{Behaviour, Verdict};
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::util::random_hex;

/// How long a slow bank takes before a `wait_callback` payment settles.
pub(crate) const SLOW_BANK: Duration = Duration::from_millis(300);

/// The tokens of a card stored with a payment.
pub(crate) type Tokens = Option<(String, String)>;

/// Applies `verdict` to the pending order `merchant_oid` and returns the tokens of the
/// card stored with it (already reserved for a `Wait`).
pub(crate) fn settle(shared: &Arc<Shared>, merchant_oid: &str, verdict: Verdict) -> Tokens {
    let (tokens, fields) = {
        let mut store = shared.store();
        let store = &mut *store;
        let order = store.orders.get_mut(merchant_oid)?;
        if order.status != OrderStatus::Pending {
            return order.stored.clone();
        }
        let ledger = &shared.controls.ledger;
        let entry = |kind, reference: &str| LedgerEntry {
            kind,
            reference: reference.to_owned(),
            order_id: Some(order.merchant_oid.clone()),
            amount: Some(order.amount),
            currency: Some(order.currency.clone()),
        };
        match verdict {
            Verdict::Wait => {
                if order.store.is_some() && order.stored.is_none() {
                    let utoken = order.store.as_ref().and_then(|s| s.utoken.clone());
                    order.stored = Some((utoken.unwrap_or_else(|| random_hex(32)), random_hex(32)));
                }
                let tokens = order.stored.clone();
                let shared = Arc::clone(shared);
                let oid = merchant_oid.to_owned();
                tokio::spawn(async move {
                    tokio::time::sleep(SLOW_BANK).await;
                    settle(&shared, &oid, Verdict::Approved);
                });
                return tokens;
            }
            Verdict::Declined { decline, .. } => {
                order.status = OrderStatus::Failed;
                order.failure = Some(decline);
                ledger.record(entry(LedgerKind::Decline, &order.reference));
            }
            Verdict::Approved => {
                order.status = OrderStatus::Succeeded;
                ledger.record(entry(LedgerKind::Charge, &order.reference));
                if let Some(request) = order.store.clone() {
                    let (utoken, ctoken) = order.stored.clone().unwrap_or_else(|| {
                        (
                            request.utoken.unwrap_or_else(|| random_hex(32)),
                            random_hex(32),
                        )
                    });
                    let card = StoredCard {
                        ctoken: ctoken.clone(),
                        card: order.card.clone(),
                        require_cvv: order.card.behaviour == Behaviour::ApproveRequireCvv,
                    };
                    store.users.entry(utoken.clone()).or_default().push(card);
                    ledger.record(LedgerEntry {
                        kind: LedgerKind::CardStored,
                        reference: ctoken.clone(),
                        order_id: Some(order.merchant_oid.clone()),
                        amount: None,
                        currency: None,
                    });
                    order.stored = Some((utoken, ctoken));
                }
            }
        }
        (
            order.stored.clone(),
            notify::fields_for(&shared.credentials, order),
        )
    };
    notify::dispatch(shared, merchant_oid, fields);
    tokens
}
