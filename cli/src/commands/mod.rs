//! One module per family of commands; each turns arguments into a library call and the
//! answer into an [`Outcome`].

mod cards;
mod notification;
mod payments;
mod reconcile;
mod recurring;
#[cfg(feature = "sandbox")]
pub mod sandbox;

use std::sync::Arc;

use odeme::{Gateway, GatewayExt, InstallmentQuery};

use crate::args::{Command, InstallmentsArgs};
use crate::card_input::LineSource;
use crate::config::Environment;
use crate::exit::CliResult;
use crate::output::Outcome;
use crate::requests::{amount, currency};

/// What every command needs: the gateway, the environment and standard input.
pub struct Context<'a> {
    /// The provider's gateway.
    pub gateway: Arc<dyn Gateway>,
    /// Environment variables (card data may come from them).
    pub env: &'a dyn Environment,
    /// Standard input (card data may come from it).
    pub input: LineSource,
    /// The one provider talked to; `None` for a route, whose providers' own checks decide
    /// what a payment needs.
    pub provider: Option<odeme::ProviderId>,
    /// The route, when commands go through one (the same router as `gateway`).
    pub router: Option<odeme::router::Router>,
    /// Whether charges print their route (`--explain`).
    pub explain: bool,
}

/// Runs `odeme sandbox` (the local simulators, until Ctrl-C).
#[cfg(feature = "sandbox")]
pub async fn run_sandbox(args: &crate::args::SandboxArgs) -> CliResult<()> {
    sandbox::run(args).await
}

/// Says that this build has no sandbox: it was built without the `sandbox` feature.
#[cfg(not(feature = "sandbox"))]
pub async fn run_sandbox(_args: &crate::args::SandboxArgs) -> CliResult<()> {
    Err(crate::exit::CliError::Local(
        "this build of odeme has no sandbox (build it with the `sandbox` feature)".into(),
    ))
}

/// Runs a command that talks to a provider.
pub async fn run(command: &Command, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    match command {
        Command::Charge(args) => payments::charge(args, ctx).await,
        Command::Capture(args) => payments::capture(args, ctx).await,
        Command::Cancel(args) => payments::cancel(args, ctx).await,
        Command::Refund(args) => payments::refund(args, ctx).await,
        Command::Status(args) => payments::status(args, ctx).await,
        Command::ChargeStored(args) => payments::charge_stored(args, ctx).await,
        Command::Card(card) => cards::run(card, ctx).await,
        Command::Recurring(recurring) => recurring::run(recurring, ctx).await,
        Command::Installments(args) => installments(args, ctx).await,
        Command::VerifyNotification(args) => notification::verify(args, ctx),
        Command::CompleteThreeDs(args) => notification::complete_three_ds(args, ctx).await,
        Command::Reconcile(args) => reconcile::reconcile(args, ctx).await,
        Command::Capabilities => Ok(Outcome::Capabilities(
            ctx.gateway.provider(),
            ctx.gateway.capabilities(),
        )),
        Command::Sandbox(_) => Err(crate::exit::CliError::Local(
            "the sandbox command does not talk to a provider".into(),
        )),
    }
}

async fn installments(args: &InstallmentsArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let currency = currency(&args.currency)?;
    let query = InstallmentQuery {
        bin: args.bin.clone(),
        amount: amount(&args.amount, currency)?,
    };
    query.validate()?;
    let mut options = ctx
        .gateway
        .require_installments()?
        .installments(&query)
        .await?;
    // Providers say "none" differently (no bank, a bank without options, a single-payment
    // row); a BIN without a choice of more than one installment is "none" at every one.
    if !options
        .banks
        .iter()
        .any(|bank| bank.options.iter().any(|o| o.count > 1))
    {
        options.banks.clear();
    }
    Ok(Outcome::Installments(options, query.bin))
}
