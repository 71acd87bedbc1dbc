//! `odeme-sandbox`: serves the Paytrek, PayTR and Craftgate simulators on loopback.

use std::net::IpAddr;

use clap::Parser;
use odeme_sandbox::{Sandbox, SandboxConfig};

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
}

fn derived(base: u16, offset: u16) -> u16 {
    if base == 0 {
        0
    } else {
        base.saturating_add(offset)
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
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
    print!("{}", odeme_sandbox_banner(&sandbox));
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

fn odeme_sandbox_banner(sandbox: &Sandbox) -> String {
    format!(
        "odeme sandbox running (test credentials only; press Ctrl-C to stop)\n{}\n{}\n{}\n",
        sandbox.paytrek.banner_line(),
        sandbox.paytr.banner_line(),
        sandbox.craftgate.banner_line(),
    )
}
