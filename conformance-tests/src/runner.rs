//! Runs every scenario against every profile and judges each outcome against the
//! capabilities the gateway declares.

use std::collections::BTreeSet;
use std::time::Duration;

use odeme::{Capabilities, Capability, Gateway};

use crate::harness::{Env, Fail};
use crate::profile::Profile;
use crate::report::{Cell, Matrix};
use crate::scenarios::{self, Scenario};

/// The name of the row that checks declarations against behaviour.
pub const CAPABILITY_ROW: &str = "capabilities: declared ⇔ behaviour";

/// How long one scenario may take.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(120);

/// What one scenario did, before judging.
struct Run {
    result: Result<(), Fail>,
    declared: Option<Capabilities>,
}

async fn run_one(profile: &'static Profile, scenario: Scenario) -> Run {
    let task = tokio::spawn(async move {
        let env = match Env::start(profile, scenario.name).await {
            Ok(env) => env,
            Err(e) => {
                return Run {
                    result: Err(Fail::Failed(e)),
                    declared: None,
                }
            }
        };
        let declared = Some(env.gateway.capabilities());
        let result = tokio::time::timeout(SCENARIO_TIMEOUT, (scenario.run)(&env))
            .await
            .unwrap_or_else(|_| {
                Err(Fail::Failed(format!(
                    "timed out after {SCENARIO_TIMEOUT:?}"
                )))
            });
        Run { result, declared }
    });
    match task.await {
        Ok(run) => run,
        Err(e) if e.is_panic() => {
            let payload = e.into_panic();
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Run {
                result: Err(Fail::Failed(format!("PANICKED: {message}"))),
                declared: None,
            }
        }
        Err(e) => Run {
            result: Err(Fail::Failed(format!("the scenario task failed: {e}"))),
            declared: None,
        },
    }
}

fn judge(profile: &Profile, scenario: &Scenario, run: &Run) -> Cell {
    let declared = run.declared.clone().unwrap_or_default();
    match &run.result {
        Ok(()) => match scenario.needs.iter().find(|c| !declared.supports(**c)) {
            Some(missing) => Cell::Failed(format!(
                "passed, but the gateway does not declare `{missing}`"
            )),
            None => Cell::Passed,
        },
        Err(Fail::Unsupported(capability, detail)) => {
            if declared.supports(*capability) {
                return Cell::Failed(format!(
                    "declares `{capability}` but answered unsupported: {detail}"
                ));
            }
            let documented_gap = profile
                .missing_in_docs
                .iter()
                .find(|(c, _)| c == capability);
            let adapter_gap = profile.known_gaps.iter().find(|(c, _)| c == capability);
            match (documented_gap, adapter_gap) {
                (Some((_, reason)), _) => {
                    Cell::Unsupported { capability: *capability, reason: (*reason).to_owned() }
                }
                (None, Some((_, what))) => Cell::Failed(format!(
                    "unsupported `{capability}` ({detail}), but the provider's documents offer it: {what}"
                )),
                (None, None) => Cell::Failed(format!(
                    "unsupported `{capability}` ({detail}), but the profile records no gap in the provider's documents"
                )),
            }
        }
        Err(Fail::Failed(reason)) => Cell::Failed(reason.clone()),
    }
}

/// Whether each capability accessor is offered exactly when one of its capabilities is
/// declared.
pub fn accessor_disagreements(gateway: &dyn Gateway) -> Vec<String> {
    use Capability as C;
    let declared = gateway.capabilities();
    let groups: [(&str, bool, &[Capability]); 9] = [
        (
            "charges",
            gateway.charges().is_some(),
            &[C::Charge, C::PreAuthorize, C::Capture, C::Cancel],
        ),
        (
            "cards",
            gateway.cards().is_some(),
            &[C::StoreCard, C::ListCards, C::DeleteCard],
        ),
        (
            "stored_card_charges",
            gateway.stored_card_charges().is_some(),
            &[C::ChargeStoredCard],
        ),
        (
            "refunds",
            gateway.refunds().is_some(),
            &[C::Refund, C::PartialRefund, C::ItemRefund],
        ),
        (
            "recurring",
            gateway.recurring().is_some(),
            &[C::RecurringCharge, C::RecurringPlans],
        ),
        (
            "status_query",
            gateway.status_query().is_some(),
            &[C::StatusByOrderId, C::StatusByPaymentId],
        ),
        ("three_ds", gateway.three_ds().is_some(), &[C::ThreeDSecure]),
        (
            "installments",
            gateway.installment_options().is_some(),
            &[C::Installments],
        ),
        (
            "notifications",
            gateway.notifications().is_some(),
            &[C::Notifications],
        ),
    ];
    groups
        .iter()
        .filter(|(_, offered, caps)| *offered != caps.iter().any(|c| declared.supports(*c)))
        .map(|(name, offered, caps)| {
            format!(
                "`{name}()` is {} but {caps:?} declared: {}",
                if *offered { "offered" } else { "absent" },
                caps.iter().any(|c| declared.supports(*c))
            )
        })
        .collect()
}

/// Runs every scenario against `profile`, returning one cell per row.
pub async fn run_profile(profile: &'static Profile) -> Vec<(String, Cell)> {
    let scenarios = scenarios::all();
    let mut rows = Vec::new();
    let mut declared: Option<Capabilities> = None;
    let mut passed_needs = BTreeSet::new();
    for scenario in &scenarios {
        let run = run_one(profile, *scenario).await;
        let cell = judge(profile, scenario, &run);
        if run.result.is_ok() {
            passed_needs.extend(scenario.needs.iter().copied());
        }
        if declared.is_none() {
            declared = run.declared.clone();
        }
        rows.push((scenario.name.to_owned(), cell));
    }

    let mut problems = Vec::new();
    match Env::start(profile, "probe").await {
        Ok(env) => {
            problems.extend(accessor_disagreements(env.gateway.as_ref()));
            problems.extend(scenarios::probe::undeclared(&env).await);
        }
        Err(e) => problems.push(e),
    }
    let declared = declared.unwrap_or_default();
    let exercised: BTreeSet<Capability> = scenarios
        .iter()
        .flat_map(|s| s.needs.iter().copied())
        .collect();
    for capability in exercised {
        let failed_somewhere = rows
            .iter()
            .zip(&scenarios)
            .any(|((_, cell), s)| s.needs.contains(&capability) && matches!(cell, Cell::Failed(_)));
        if declared.supports(capability) && !passed_needs.contains(&capability) && !failed_somewhere
        {
            problems.push(format!(
                "declares `{capability}` but no scenario using it passed"
            ));
        }
    }
    let cell = if problems.is_empty() {
        Cell::Passed
    } else {
        Cell::Failed(problems.join("\n"))
    };
    rows.push((CAPABILITY_ROW.to_owned(), cell));
    rows
}

/// Runs the suite against every profile, the providers side by side.
pub async fn run(profiles: &[&'static Profile]) -> Matrix {
    // From the first request on, so the redaction scenario searches the whole run's logs.
    let _ = crate::capture::install();
    let mut matrix = Matrix::new(profiles.iter().map(|p| p.provider).collect());
    let tasks: Vec<_> = profiles
        .iter()
        .map(|p| (p.provider, tokio::spawn(run_profile(p))))
        .collect();
    for (provider, task) in tasks {
        match task.await {
            Ok(rows) => {
                for (name, cell) in rows {
                    matrix.set(&name, provider, cell);
                }
            }
            Err(e) => matrix.set(
                "suite",
                provider,
                Cell::Failed(format!("the provider's run failed: {e}")),
            ),
        }
    }
    crate::routing::run(profiles, &mut matrix).await;
    matrix
}
