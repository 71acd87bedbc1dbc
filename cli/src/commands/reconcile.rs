//! `reconcile`: one sweep of a route's open attempts, and the explained charge of
//! `--explain`.

use std::time::Duration;

use odeme::router::{SweepPolicy, Sweeper};
use odeme::{ChargeRequest, GatewayExt, Payment};

use super::Context;
use crate::args::ReconcileArgs;
use crate::exit::{CliError, CliResult};
use crate::output::Outcome;

/// `reconcile`: sweeps the route's store once.
pub async fn reconcile(args: &ReconcileArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let Some(router) = &ctx.router else {
        return Err(CliError::input(
            "reconcile sweeps a route's open attempts: give --route (or ODEME_ROUTE) and \
             --route-store (or ODEME_ROUTE_STORE), the store the charges were routed with",
        ));
    };
    let policy = SweepPolicy {
        batch: args.batch.max(1),
        not_found_is_final_after: Duration::from_secs(args.not_found_after),
        ..SweepPolicy::default()
    };
    let report = Sweeper::new(router).with_policy(policy)?.sweep().await?;
    Ok(Outcome::Sweep(report))
}

/// Charges `request` through the route when there is one (explaining it with
/// `--explain`), else through the one provider's gateway.
pub async fn charge(ctx: &Context<'_>, request: &ChargeRequest) -> odeme::Result<Payment> {
    match &ctx.router {
        Some(router) => {
            let (result, route) = router.charge_explained(request).await;
            if ctx.explain {
                eprintln!("route: {route}");
            }
            result
        }
        None => {
            if ctx.explain {
                eprintln!("route: none: one provider, no routing (--explain needs --route)");
            }
            ctx.gateway.require_charges()?.charge(request).await
        }
    }
}
