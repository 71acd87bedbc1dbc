//! Printing a command's result or failure: a summary, or `--json`.

use odeme::{
    Capabilities, CardList, InstallmentOptions, Notification, Payment, Plan, ProviderId,
    RefundResult, StoredCard, StoredCardRef,
};
use serde_json::{json, Value};

use crate::exit::CliError;
use crate::render;

/// What a successful command produced.
#[derive(Debug)]
pub enum Outcome {
    /// A payment (charge, capture, cancel, status, stored-card and recurring charges).
    Payment(Box<Payment>),
    /// A refund.
    Refund(RefundResult),
    /// A card just stored.
    StoredCard(StoredCard),
    /// A page of stored cards.
    Cards(CardList),
    /// A card deleted.
    Deleted(ProviderId, StoredCardRef),
    /// Installment options (none when no bank offers more than one), for the BIN asked.
    Installments(InstallmentOptions, Option<String>),
    /// A recurring plan.
    Plan(Box<Plan>),
    /// A verified notification.
    Notification(Box<Notification>),
    /// Declared capabilities.
    Capabilities(ProviderId, Capabilities),
    /// What one sweep of a route's open attempts found and settled.
    Sweep(odeme::router::SweepReport),
}

impl Outcome {
    /// The readable summary.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Payment(p) => render::payment(p),
            Outcome::Refund(r) => render::refund(r),
            Outcome::StoredCard(c) => render::stored_card(c),
            Outcome::Cards(l) => render::card_list(l),
            Outcome::Deleted(p, r) => render::deleted(*p, r),
            Outcome::Installments(o, bin) => render::installments(o, bin.as_deref()),
            Outcome::Plan(p) => render::plan(p),
            Outcome::Notification(n) => render::notification(n),
            Outcome::Capabilities(p, c) => render::capabilities(*p, c),
            Outcome::Sweep(r) => render::sweep(r),
        }
    }

    /// The normalized result as JSON.
    pub fn to_json(&self) -> Value {
        let value = match self {
            Outcome::Payment(p) => serde_json::to_value(p),
            Outcome::Refund(r) => serde_json::to_value(r),
            Outcome::StoredCard(c) => serde_json::to_value(c),
            Outcome::Cards(l) => serde_json::to_value(l),
            Outcome::Deleted(p, r) => Ok(json!({ "provider": p, "deleted": r })),
            Outcome::Installments(o, _) => serde_json::to_value(o),
            Outcome::Plan(p) => serde_json::to_value(p),
            Outcome::Notification(n) => {
                serde_json::to_value(n).map(|v| json!({ "authentic": true, "notification": v }))
            }
            Outcome::Capabilities(p, c) => Ok(json!({ "provider": p, "capabilities": c })),
            Outcome::Sweep(r) => Ok(json!({
                "found": r.found,
                "charged": r.charged,
                "not_charged": r.not_charged,
                "already_settled": r.already_settled,
                "leased_elsewhere": r.leased_elsewhere,
                "still_open": r.still_open.iter().map(|(key, why)| json!({ "key": key, "why": why })).collect::<Vec<_>>(),
                "oldest_open_seconds": r.oldest_open.map(|d| d.as_secs()),
            })),
        };
        value.unwrap_or_else(|e| json!({ "error": { "kind": "local", "message": format!("cannot serialize the result: {e}") } }))
    }
}

/// The text for stdout and for stderr when `error` ends the command.
pub fn failure(error: &CliError, json_mode: bool) -> (Option<String>, String) {
    let decline = match error {
        CliError::Odeme(e) => e.decline(),
        _ => None,
    };
    let message = format!("error: {error}{}", hint(error));
    let stdout = if json_mode {
        let mut body = json!({ "kind": error.kind_name(), "message": error.to_string() });
        if let Some(d) = decline {
            body["decline"] = serde_json::to_value(d).unwrap_or(Value::Null);
        }
        if matches!(error, CliError::Odeme(odeme::Error::SignatureMismatch(_))) {
            Some(json!({ "authentic": false, "error": body }).to_string())
        } else {
            Some(json!({ "error": body }).to_string())
        }
    } else {
        decline.map(render::decline)
    };
    (stdout, message)
}

/// The error in a CLI user's terms: advice the library gives its Rust callers (a config
/// method to call) becomes the flags, variables and profile keys that do the same here.
pub fn for_cli_user(error: CliError) -> CliError {
    match error {
        CliError::Odeme(odeme::Error::Configuration(message))
            if message.contains("PaytrConfig::with_return_urls") =>
        {
            CliError::input(
                "PayTR wants return URLs on every payment: give --ok-url (and --fail-url), set \
                 ODEME_PAYTR_OK_URL (and ODEME_PAYTR_FAIL_URL) or put `ok_url` (and `fail_url`) \
                 in the [paytr] table of the --profile file; or charge with 3-D Secure \
                 (--three-ds-return-url)",
            )
        }
        other => other,
    }
}

/// Which host a failed connection tried, and where that host came from: "could not
/// connect" alone does not tell a user that a base URL is missing or stale.
pub fn endpoint_hint(error: &CliError, endpoints: &[crate::gateway::Endpoint]) -> Option<String> {
    let provider = match error {
        CliError::Odeme(
            odeme::Error::Transport { provider, .. }
            | odeme::Error::UnknownOutcome { provider, .. },
        )
        | CliError::Unreconciled {
            error: odeme::Error::UnknownOutcome { provider, .. },
            ..
        } => *provider,
        _ => return None,
    };
    let endpoint = endpoints.iter().find(|e| e.provider == provider)?;
    Some(format!(
        "hint: {provider} was tried at {}",
        endpoint.describe()
    ))
}

/// The warning for a result that is not settled: a payment whose status the provider
/// reported in a form nobody documented. The CLI then exits with the unknown-outcome code,
/// never 0, so a script does not ship goods on it.
pub fn unsettled(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Payment(p) if p.status == odeme::PaymentStatus::Unknown => Some(format!(
            "error: {} reported the status {:?} for order {}, which this library does not \
             know; it is not a success\nhint: check again later: odeme --provider {} status \
             --order-id {}",
            p.provider,
            p.provider_status.as_deref().unwrap_or(""),
            p.order_id,
            p.provider,
            p.order_id
        )),
        _ => None,
    }
}

/// What to do next, for outcomes where the next step is not obvious.
fn hint(error: &CliError) -> String {
    const MAY_HAVE: &str = "\nhint: the request may have taken effect; check before retrying:";
    match error {
        CliError::Unreconciled {
            error: odeme::Error::UnknownOutcome { provider, .. },
            lookup,
        } => {
            format!("{MAY_HAVE} odeme --provider {provider} status {lookup}")
        }
        CliError::Unreconciled { .. } | CliError::Odeme(odeme::Error::UnknownOutcome { .. }) => {
            format!("{MAY_HAVE} use `odeme status` with the order id or payment id")
        }
        CliError::Odeme(odeme::Error::InvalidRequest { field, .. }) => flag_for(field)
            .map(|flag| format!("\nhint: `{field}` is given with {flag}"))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The flag that sets a field the library names, for fields a user types in.
fn flag_for(field: &str) -> Option<&'static str> {
    let flag = match field {
        "amount" | "amount.currency" => "--amount and --currency",
        "installments" => "--installments",
        "order_id" => "--order-id",
        "payment_id" => "--payment-id",
        "customer.first_name" => "--first-name (the customer's given name)",
        "customer.last_name" => "--last-name (the customer's family name)",
        "customer.name" => "--first-name and --last-name (the customer's name)",
        "customer.email" => "--email",
        "customer.phone" => "--phone",
        "card.holder_name" => "--holder (the name on the card)",
        "card.expiry" => "--expiry",
        "billing" => "--billing-line1, --billing-city and --billing-country",
        f if f.starts_with("billing.") => "the --billing-* flags",
        f if f.starts_with("items") => "--item",
        f if f.starts_with("three_ds") => "--three-ds-return-url and --three-ds-fail-url",
        _ => return None,
    };
    Some(flag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme::{Decline, DeclineReason, Error};

    #[test]
    fn decline_json_carries_the_decline() {
        let error = CliError::Odeme(Error::declined(Decline::new(
            ProviderId::Paytr,
            DeclineReason::StolenCard,
        )));
        let (stdout, stderr) = failure(&error, true);
        let value: Value = serde_json::from_str(&stdout.unwrap()).unwrap();
        assert_eq!(value["error"]["kind"], "declined");
        assert_eq!(value["error"]["decline"]["reason"], "stolen_card");
        assert!(stderr.starts_with("error: declined"), "{stderr}");
    }

    #[test]
    fn unknown_outcome_hints_at_reconciliation() {
        use crate::exit::reconcile_with as reconcile;
        use odeme::StatusQuery;
        let unknown = |operation: &str, reference: &str| Error::UnknownOutcome {
            provider: ProviderId::Paytrek,
            operation: operation.into(),
            reference: Some(reference.into()),
            reason: "connection dropped".into(),
        };
        let charge = reconcile(StatusQuery::OrderId("ORDER9".into()))(unknown("charge", "ORDER9"));
        let (stdout, stderr) = failure(&charge, false);
        assert!(stdout.is_none());
        assert!(stderr.contains("status --order-id ORDER9"), "{stderr}");
        // A refund's reference is the provider's payment id, never an order id.
        let refund =
            reconcile(StatusQuery::PaymentId("5e0de6".into()))(unknown("refund", "5e0de6"));
        let (_, stderr) = failure(&refund, false);
        assert!(stderr.contains("status --payment-id 5e0de6"), "{stderr}");
        assert!(!stderr.contains("--order-id"), "{stderr}");
        assert_eq!(refund.exit_code(), crate::exit::UNKNOWN_OUTCOME);
        let (json, _) = failure(&refund, true);
        assert!(json.unwrap().contains("\"kind\":\"unknown_outcome\""));
    }

    #[test]
    fn a_payment_with_an_unknown_status_is_not_settled() {
        let amount = odeme::Money::from_minor(1000, odeme::Currency::TRY).unwrap();
        let mut payment = Payment::new(
            ProviderId::Paytrek,
            "sale1",
            "ORDER5",
            odeme::PaymentStatus::Unknown,
            amount,
        );
        payment.provider_status = Some("Under Review By Bank".into());
        let warning = unsettled(&Outcome::Payment(Box::new(payment.clone()))).unwrap();
        assert!(warning.contains("Under Review By Bank"), "{warning}");
        assert!(warning.contains("status --order-id ORDER5"), "{warning}");
        payment.status = odeme::PaymentStatus::Succeeded;
        assert!(unsettled(&Outcome::Payment(Box::new(payment))).is_none());
    }
}
