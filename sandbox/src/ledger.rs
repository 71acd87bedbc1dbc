//! The ledger of money-moving effects each simulator keeps, so tests can prove exactly-once.

use std::sync::{Arc, Mutex, MutexGuard};

use rust_decimal::Decimal;

/// What kind of effect a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LedgerKind {
    /// Money taken from a card (an immediate sale).
    Charge,
    /// An authorization held for later capture.
    PreAuthorization,
    /// A held authorization captured.
    Capture,
    /// A payment cancelled (voided) in full.
    Cancel,
    /// Money returned to a card (full or partial).
    Refund,
    /// A card stored in the vault.
    CardStored,
    /// A stored card deleted.
    CardDeleted,
    /// A charge attempt that the simulated bank declined (no money moved).
    Decline,
}

/// One effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// What happened.
    pub kind: LedgerKind,
    /// The provider's reference for the payment or card it concerns.
    pub reference: String,
    /// The merchant's order id, where the provider has one.
    pub order_id: Option<String>,
    /// The amount moved, where money moved.
    pub amount: Option<Decimal>,
    /// The currency code as the provider spells it.
    pub currency: Option<String>,
}

/// A shared, append-only list of [`LedgerEntry`].
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    entries: Arc<Mutex<Vec<LedgerEntry>>>,
}

impl Ledger {
    fn lock(&self) -> MutexGuard<'_, Vec<LedgerEntry>> {
        // A panic while holding the lock cannot leave a half-written Vec push, so the
        // poisoned data is still consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends an entry.
    pub fn record(&self, entry: LedgerEntry) {
        self.lock().push(entry);
    }

    /// A copy of every entry, oldest first.
    pub fn entries(&self) -> Vec<LedgerEntry> {
        self.lock().clone()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the ledger is empty.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The entries of one kind for one merchant order id.
    pub fn for_order(&self, order_id: &str, kind: LedgerKind) -> Vec<LedgerEntry> {
        self.lock()
            .iter()
            .filter(|e| e.kind == kind && e.order_id.as_deref() == Some(order_id))
            .cloned()
            .collect()
    }

    /// How many charges and pre-authorizations were made for one order id: the number a
    /// test compares with 1 to prove a charge was never made twice.
    pub fn charges_for_order(&self, order_id: &str) -> usize {
        self.lock()
            .iter()
            .filter(|e| {
                matches!(e.kind, LedgerKind::Charge | LedgerKind::PreAuthorization)
                    && e.order_id.as_deref() == Some(order_id)
            })
            .count()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }
}
