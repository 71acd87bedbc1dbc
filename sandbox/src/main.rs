//! `odeme-sandbox`: serves the Paytrek, PayTR and Craftgate simulators on loopback.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use odeme_sandbox::{Sandbox, SandboxConfig, SandboxSetup};

/// Local simulators of the Paytrek v2, PayTR and Craftgate payment APIs, for integration
/// tests. Nothing here talks to a real provider. Test credentials are printed at start.
#[derive(Debug, Parser)]
#[command(name = "odeme-sandbox", version)]
struct Args {
    /// Address to bind every simulator to.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Base port: Paytrek listens here, PayTR on the next port and Craftgate on the one
    /// after (0 picks free ports for all three).
    #[arg(long, short, default_value_t = 0)]
    port: u16,
    /// Paytrek's port, overriding the one derived from --port.
    #[arg(long)]
    paytrek_port: Option<u16>,
    /// PayTR's port, overriding the one derived from --port.
    #[arg(long)]
    paytr_port: Option<u16>,
    /// Craftgate's port, overriding the one derived from --port.
    #[arg(long)]
    craftgate_port: Option<u16>,
    /// Where the PayTR simulator POSTs its signed payment notifications (a loopback URL of
    /// your server, which must answer `OK`); also read from
    /// ODEME_SANDBOX_PAYTR_NOTIFICATION_URL.
    #[arg(long, value_name = "URL")]
    paytr_notification_url: Option<String>,
    /// Where the Craftgate simulator POSTs its signed webhooks.
    #[arg(long, value_name = "URL")]
    craftgate_webhook_url: Option<String>,
    /// Also write the odeme profile for the simulators to this file (use it with
    /// `odeme --profile FILE`).
    #[arg(long, value_name = "FILE")]
    write_profile: Option<PathBuf>,
}

fn derived(base: u16, offset: u16) -> u16 {
    if base == 0 {
        0
    } else {
        base.saturating_add(offset)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    match serve(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            if error.kind() == std::io::ErrorKind::AddrInUse {
                eprintln!(
                    "hint: stop whatever holds the port, or choose another --port (0 picks free ports)"
                );
            }
            // The same code as odeme's invalid input: a bad flag or port, nothing served.
            ExitCode::from(2)
        }
    }
}

async fn serve(args: &Args) -> std::io::Result<()> {
    let config = SandboxConfig {
        host: args.host,
        paytrek_port: args.paytrek_port.unwrap_or(derived(args.port, 0)),
        paytr_port: args.paytr_port.unwrap_or(derived(args.port, 1)),
        craftgate_port: args.craftgate_port.unwrap_or(derived(args.port, 2)),
    };
    let sandbox = Sandbox::start_with(config).await?;
    if let Some(url) = &args.paytr_notification_url {
        sandbox.paytr.set_notification_url(url)?;
    }
    if let Some(url) = &args.craftgate_webhook_url {
        sandbox.craftgate.set_webhook_url(Some(loopback_url(url)?));
    }
    let setup = SandboxSetup::of(&sandbox);
    if let Some(path) = &args.write_profile {
        std::fs::write(path, setup.profile()).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot write the profile {}: {e}", path.display()),
            )
        })?;
    }
    print!("{}", setup.banner(args.write_profile.as_deref()));
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// The simulators only ever call the merchant back on this machine.
fn loopback_url(text: &str) -> std::io::Result<String> {
    let refuse = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{text} is not a loopback http(s) URL"),
        )
    };
    let url = url::Url::parse(text).map_err(|_| refuse())?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    if loopback && matches!(url.scheme(), "http" | "https") {
        Ok(text.to_owned())
    } else {
        Err(refuse())
    }
}
