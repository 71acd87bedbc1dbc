//! The `sandbox` mode: the real simulators of `odeme_sandbox`, driven through the adapters
//! with charges and then refunds of those charges, optionally after a preloaded ledger.

use std::sync::{Arc, Mutex};

use odeme::{Gateway, GatewayExt, PaymentStatus, RefundRequest};
use odeme_sandbox::Sandbox;

use crate::load::{self, Meter, RunResult};
use crate::provider::{charge_request, sandbox_gateway, Provider};

/// What `sandbox` is asked to do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Providers to drive.
    pub providers: Vec<Provider>,
    /// Charges (and refunds) measured.
    pub payments: usize,
    /// Payments in flight.
    pub in_flight: usize,
    /// Charges made before measuring, to grow the ledger.
    pub preload: usize,
}

/// One provider's figures.
#[derive(Debug)]
pub struct Row {
    /// The provider.
    pub provider: Provider,
    /// Ledger entries before the measured charges.
    pub ledger_before: usize,
    /// The measured charges.
    pub charges: RunResult,
    /// HTTP requests the simulator received per measured charge.
    pub requests_per_charge: f64,
    /// The refunds of those charges.
    pub refunds: RunResult,
}

/// Runs the plan against a freshly started sandbox.
pub async fn run(plan: &Plan) -> Result<Vec<Row>, String> {
    let sandbox = Sandbox::start().await.map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for &provider in &plan.providers {
        let gateway = sandbox_gateway(provider, &sandbox).map_err(|e| e.to_string())?;
        if plan.preload > 0 {
            let preload = load::run(
                plan.preload,
                plan.in_flight,
                Meter::Speed,
                charger(&gateway, provider, "P", None),
            )
            .await;
            if preload.failed > 0 {
                return Err(format!(
                    "{}: {} preload charges failed",
                    provider.name(),
                    preload.failed
                ));
            }
        }
        let ledger_before = ledger_len(&sandbox, provider);
        let requests_before = requests(&sandbox, provider);
        let ids = Arc::new(Mutex::new(Vec::with_capacity(plan.payments)));
        let charges = load::run(
            plan.payments,
            plan.in_flight,
            Meter::Speed,
            charger(&gateway, provider, "M", Some(Arc::clone(&ids))),
        )
        .await;
        let requests_per_charge = requests(&sandbox, provider).saturating_sub(requests_before)
            as f64
            / charges.ok.max(1) as f64;
        let ids: Arc<Vec<String>> = Arc::new(ids.lock().map(|v| v.clone()).unwrap_or_default());
        let refunds = {
            let (gateway, ids) = (Arc::clone(&gateway), Arc::clone(&ids));
            load::run(ids.len(), plan.in_flight, Meter::Speed, move |i| {
                let (gateway, ids) = (Arc::clone(&gateway), Arc::clone(&ids));
                async move {
                    let Some(id) = ids.get(i) else { return false };
                    match gateway.require_refunds() {
                        Ok(refunds) => refunds.refund(&RefundRequest::full(id)).await.is_ok(),
                        Err(_) => false,
                    }
                }
            })
            .await
        };
        rows.push(Row {
            provider,
            ledger_before,
            charges,
            requests_per_charge,
            refunds,
        });
    }
    Ok(rows)
}

type Ids = Arc<Mutex<Vec<String>>>;

/// Charge `i` with order id `{prefix}{i}`, its payment id kept in `ids` when given.
fn charger(
    gateway: &Arc<dyn Gateway>,
    provider: Provider,
    prefix: &'static str,
    ids: Option<Ids>,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>
       + Send
       + Sync
       + 'static {
    let gateway = Arc::clone(gateway);
    move |i| {
        let gateway = Arc::clone(&gateway);
        let ids = ids.clone();
        Box::pin(async move {
            let Ok(request) = charge_request(provider, &format!("{prefix}{i:09}")) else {
                return false;
            };
            let Ok(charges) = gateway.require_charges() else {
                return false;
            };
            match charges.charge(&request).await {
                Ok(p) if p.status == PaymentStatus::Succeeded => {
                    if let Some(ids) = ids {
                        if let Ok(mut ids) = ids.lock() {
                            ids.push(p.id);
                        }
                    }
                    true
                }
                _ => false,
            }
        })
    }
}

fn ledger_len(sandbox: &Sandbox, provider: Provider) -> usize {
    use odeme_sandbox::Simulator;
    match provider {
        Provider::Paytrek => sandbox.paytrek.ledger().len(),
        Provider::Paytr => sandbox.paytr.ledger().len(),
        Provider::Craftgate => sandbox.craftgate.ledger().len(),
    }
}

fn requests(sandbox: &Sandbox, provider: Provider) -> usize {
    use odeme_sandbox::Simulator;
    match provider {
        Provider::Paytrek => sandbox.paytrek.requests().count(),
        Provider::Paytr => sandbox.paytr.requests().count(),
        Provider::Craftgate => sandbox.craftgate.requests().count(),
    }
}
