//! `sandbox`: the local simulators, and exactly how to point the other commands at them.
//!
//! What it prints is the sandbox library's [`SandboxSetup::banner`], the very text the
//! `odeme-sandbox` binary prints, so the two entry points cannot drift apart.

use odeme_sandbox::{Sandbox, SandboxConfig, SandboxSetup};

use crate::args::SandboxArgs;
use crate::exit::{CliError, CliResult};

/// Starts the simulators, prints how to use them and serves until Ctrl-C.
pub async fn run(args: &SandboxArgs) -> CliResult<()> {
    if !args.host.is_loopback() {
        return Err(CliError::input(format!(
            "`--host` {} is not a loopback address; the sandbox only serves this machine",
            args.host
        )));
    }
    let derived = |offset: u16| {
        if args.port == 0 {
            0
        } else {
            args.port.saturating_add(offset)
        }
    };
    let config = SandboxConfig {
        host: args.host,
        paytrek_port: derived(0),
        paytr_port: derived(1),
        craftgate_port: derived(2),
    };
    let sandbox = Sandbox::start_with(config).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            // The user's `--port` choice: input, like any other bad flag.
            CliError::input(format!(
                "cannot start the sandbox: {e}; choose another `--port` (0 picks free ports)"
            ))
        } else {
            CliError::Local(format!("cannot start the sandbox: {e}"))
        }
    })?;
    let setup = SandboxSetup::of(&sandbox);
    if let Some(path) = &args.write_profile {
        std::fs::write(path, setup.profile()).map_err(|e| {
            CliError::Local(format!("cannot write the profile {}: {e}", path.display()))
        })?;
    }
    print!("{}", setup.banner(args.write_profile.as_deref()));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Local(format!("cannot wait for Ctrl-C: {e}")))?;
    println!("odeme sandbox stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use odeme_sandbox::setup::{ProviderSetup, SandboxSetup};

    #[test]
    fn the_sandbox_profile_reads_back() {
        let setup = SandboxSetup {
            providers: vec![ProviderSetup {
                provider: "paytr",
                settings: vec![
                    ("base_url", "http://127.0.0.1:5".into()),
                    ("merchant_key", "k\"e\\y\u{1}".into()),
                ],
            }],
        };
        let parsed = crate::profile::Profile::parse(&setup.profile()).unwrap();
        let paytr = parsed.section("paytr").unwrap();
        assert_eq!(paytr.get("merchant_key"), Some("k\"e\\y\u{1}"));
        assert_eq!(paytr.get("base_url"), Some("http://127.0.0.1:5"));
    }
}
