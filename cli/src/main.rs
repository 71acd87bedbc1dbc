//! `odeme`: every operation of every provider, one command away.

#![forbid(unsafe_code)]

mod args;
mod args_payment;
mod card_input;
mod commands;
mod config;
mod exit;
mod gateway;
mod items;
mod output;
mod profile;
mod render;
mod requests;
mod route;

use std::process::ExitCode;

use crate::args::{Cli, Command};
use crate::card_input::LineSource;
use crate::config::{ProcessEnv, Selection};
use crate::exit::{CliResult, SUCCESS};
use odeme::core::redact::mask_card_numbers;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::OTHER);
        }
    };
    let code = runtime.block_on(run(&cli));
    ExitCode::from(code)
}

/// Runs the command, prints its result or failure and returns the exit code. Everything
/// printed passes through core's card-number masking, whatever the number's grouping.
async fn run(cli: &Cli) -> u8 {
    let json = cli.global.json;
    let mut endpoints = Vec::new();
    match execute(cli, &mut endpoints).await {
        Ok(Some(outcome)) => {
            if json {
                println!("{}", mask_card_numbers(&outcome.to_json().to_string()));
            } else {
                print!("{}", mask_card_numbers(&outcome.summary()));
            }
            match output::unsettled(&outcome) {
                // A payment whose status nobody documented is not a success to ship on.
                Some(warning) => {
                    eprintln!("{}", mask_card_numbers(&warning));
                    exit::UNKNOWN_OUTCOME
                }
                None => SUCCESS,
            }
        }
        Ok(None) => SUCCESS,
        Err(error) => {
            let error = output::for_cli_user(error);
            let (stdout, mut stderr) = output::failure(&error, json);
            if let Some(hint) = output::endpoint_hint(&error, &endpoints) {
                stderr.push('\n');
                stderr.push_str(&hint);
            }
            if let Some(text) = stdout {
                println!("{}", mask_card_numbers(text.trim_end()));
            }
            eprintln!("{}", mask_card_numbers(&stderr));
            error.exit_code()
        }
    }
}

/// Runs the command; `endpoints` receives where each gateway sends its requests, for the
/// error report.
async fn execute(
    cli: &Cli,
    endpoints: &mut Vec<gateway::Endpoint>,
) -> CliResult<Option<output::Outcome>> {
    if let Command::Sandbox(args) = &cli.command {
        commands::run_sandbox(args).await?;
        return Ok(None);
    }
    let env = ProcessEnv;
    let selection = config::resolve(&cli.global, &env)?;
    let provider = match &selection {
        Selection::One(settings) => Some(settings.provider),
        Selection::Route { .. } => None,
    };
    let (gateway, router): (std::sync::Arc<dyn odeme::Gateway>, _) = match selection {
        Selection::One(settings) => {
            if cli.global.route_store.is_some() {
                return Err(exit::CliError::input(
                    "--route-store is the memory of a route: give --route too",
                ));
            }
            let (gateway, endpoint) = gateway::build(&settings)?;
            endpoints.push(endpoint);
            (gateway, None)
        }
        Selection::Route { spec, providers } => {
            let mut gateways = Vec::new();
            for settings in &providers {
                let (gateway, endpoint) = gateway::build(settings)?;
                endpoints.push(endpoint);
                gateways.push((settings.provider, gateway));
            }
            let store_url = cli
                .global
                .route_store
                .clone()
                .or_else(|| config::Environment::var(&env, "ODEME_ROUTE_STORE"));
            let store = match store_url {
                Some(url) => Some(route::connect_store(&url).await?),
                None => None,
            };
            let router = spec.build(gateways, store)?;
            (std::sync::Arc::new(router.clone()), Some(router))
        }
    };
    for note in endpoints
        .iter()
        .filter_map(gateway::Endpoint::default_host_note)
    {
        eprintln!("{note}");
    }
    let mut ctx = commands::Context {
        gateway,
        env: &env,
        input: LineSource::stdin(),
        provider,
        router,
        explain: cli.global.explain,
    };
    commands::run(&cli.command, &mut ctx).await.map(Some)
}
