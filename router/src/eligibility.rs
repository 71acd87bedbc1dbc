//! Which gateways can take a given charge at all, before any strategy orders them: a
//! gateway that cannot do the operation, the currency, the installments, the item splits
//! or the 3-D Secure mode is never sent the request.

use odeme_core::{Capability, CaptureMode, ChargeRequest, ThreeDs};

use crate::router::Route;

/// The kind of charge being routed; each needs its own capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChargeKind {
    /// `Charge::charge`.
    Charge,
    /// `ChargeStoredCard::charge_stored_card`.
    StoredCard,
    /// `Recurring::recurring_charge`.
    Recurring,
}

impl ChargeKind {
    pub(crate) fn capability(self) -> Capability {
        match self {
            ChargeKind::Charge => Capability::Charge,
            ChargeKind::StoredCard => Capability::ChargeStoredCard,
            ChargeKind::Recurring => Capability::RecurringCharge,
        }
    }

    pub(crate) fn operation(self) -> &'static str {
        match self {
            ChargeKind::Charge => "charge",
            ChargeKind::StoredCard => "charge_stored_card",
            ChargeKind::Recurring => "recurring_charge",
        }
    }
}

/// Why `route` cannot take `request`, or `None` when it can.
pub(crate) fn refusal(route: &Route, kind: ChargeKind, request: &ChargeRequest) -> Option<String> {
    let needs = |capability: Capability, what: &str| {
        (!route.supports(capability)).then(|| format!("does not offer {what} ({capability})"))
    };
    needs(kind.capability(), kind.operation())
        .or_else(|| {
            (request.capture == CaptureMode::PreAuthorize)
                .then(|| needs(Capability::PreAuthorize, "pre-authorization"))
                .flatten()
        })
        .or_else(|| {
            matches!(request.three_ds, ThreeDs::Required { .. })
                .then(|| needs(Capability::ThreeDSecure, "3-D Secure"))
                .flatten()
        })
        .or_else(|| {
            (request.installments > 1)
                .then(|| needs(Capability::InstallmentPayments, "installments"))
                .flatten()
        })
        .or_else(|| {
            request
                .items
                .iter()
                .any(|i| i.split.is_some())
                .then(|| needs(Capability::SubMerchantSplits, "sub-merchant splits"))
                .flatten()
        })
        .or_else(|| {
            let currency = request.amount.currency();
            route
                .currencies
                .as_ref()
                .filter(|c| !c.contains(&currency))
                .map(|_| format!("is not configured for {currency}"))
        })
}
