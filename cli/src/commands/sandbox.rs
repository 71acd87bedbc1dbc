//! `sandbox`: the local simulators, and exactly how to point the other commands at them.

use std::fmt::Write;

use odeme_sandbox::{Sandbox, SandboxConfig, Simulator};

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
    let sandbox = Sandbox::start_with(config)
        .await
        .map_err(|e| CliError::Local(format!("cannot start the sandbox: {e}")))?;
    let settings = settings(&sandbox);
    if let Some(path) = &args.write_profile {
        std::fs::write(path, profile(&settings)).map_err(|e| {
            CliError::Local(format!("cannot write the profile {}: {e}", path.display()))
        })?;
    }
    print!("{}", banner(&settings, args.write_profile.as_deref()));
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Local(format!("cannot wait for Ctrl-C: {e}")))?;
    println!("odeme sandbox stopped");
    Ok(())
}

/// One provider's sandbox settings: its name and `(setting, value)` pairs, base URL first.
type ProviderSettings = (&'static str, Vec<(&'static str, String)>);

fn settings(sandbox: &Sandbox) -> Vec<ProviderSettings> {
    let paytrek = sandbox.paytrek.credentials();
    let paytr = sandbox.paytr.credentials();
    let craftgate = sandbox.craftgate.credentials();
    vec![
        (
            "paytrek",
            vec![
                ("base_url", sandbox.paytrek.base_url().to_owned()),
                ("api_key", paytrek.api_key.clone()),
                ("secret_key", paytrek.secret.clone()),
            ],
        ),
        (
            "paytr",
            vec![
                ("base_url", sandbox.paytr.base_url().to_owned()),
                ("merchant_id", paytr.merchant_id.clone()),
                ("merchant_key", paytr.merchant_key.clone()),
                ("merchant_salt", paytr.merchant_salt.clone()),
                // PayTR wants return URLs on every payment; the browser never goes there in
                // the non-3-D flows, so any loopback URL does.
                ("ok_url", "http://127.0.0.1/shop/ok".to_owned()),
                ("fail_url", "http://127.0.0.1/shop/fail".to_owned()),
            ],
        ),
        (
            "craftgate",
            vec![
                ("base_url", sandbox.craftgate.base_url().to_owned()),
                ("api_key", craftgate.api_key.clone()),
                ("secret_key", craftgate.secret_key.clone()),
                ("webhook_key", craftgate.webhook_key.clone()),
                (
                    "three_ds_callback_key",
                    craftgate.three_ds_callback_key.clone(),
                ),
            ],
        ),
    ]
}

/// A TOML profile for the simulators.
fn profile(settings: &[ProviderSettings]) -> String {
    let mut text = String::from("# odeme profile for the local sandbox (test credentials only)\n");
    for (provider, values) in settings {
        let _ = writeln!(text, "\n[{provider}]");
        for (name, value) in values {
            let _ = writeln!(text, "{name} = {}", toml_string(value));
        }
    }
    text
}

fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// What the user needs: base URLs, the environment to export and an example command.
fn banner(settings: &[ProviderSettings], profile: Option<&std::path::Path>) -> String {
    let mut text = String::from(
        "odeme sandbox running on loopback (test credentials only; press Ctrl-C to stop)\n\n",
    );
    for (provider, values) in settings {
        let url = values.first().map(|(_, v)| v.as_str()).unwrap_or_default();
        let _ = writeln!(text, "{provider:<10} {url}");
    }
    text.push_str("\nPoint the other commands at it with these environment variables:\n\n");
    for (provider, values) in settings {
        for (name, value) in values {
            let _ = writeln!(
                text,
                "export {}={}",
                env_name(provider, name),
                shell_quote(value)
            );
        }
    }
    text.push_str("\nor with flags (flags beat variables, which beat a profile):\n\n");
    for (provider, values) in settings {
        let flags: Vec<String> = values
            .iter()
            .map(|(name, value)| format!("--{} {}", name.replace('_', "-"), shell_quote(value)))
            .collect();
        let _ = writeln!(text, "odeme --provider {provider} {} ...", flags.join(" "));
    }
    match profile {
        Some(path) => {
            let _ = writeln!(text, "\nor with the profile just written: odeme --profile {} --provider paytr ...", path.display());
        }
        None => text.push_str("\nor write them to a profile with `odeme sandbox --write-profile FILE` and use --profile FILE.\n"),
    }
    text.push_str(
        "\nThen, for example:\n  printf '4355084355084358\\n000\\n' | odeme --provider paytr charge --amount 10.00 \\\n      --expiry 12/30 --holder 'Jane Doe' --email jane@example.com --phone 5551234567 \\\n      --billing-line1 'Street 1' --billing-city Istanbul --billing-country TR\n",
    );
    text
}

/// The value as one shell word: bare when it is plain, else single-quoted.
fn shell_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':' | '@' | ',')
        });
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

fn env_name(provider: &str, name: &str) -> String {
    format!(
        "ODEME_{}_{}",
        provider.to_ascii_uppercase(),
        name.to_ascii_uppercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<ProviderSettings> {
        vec![(
            "paytr",
            vec![
                ("base_url", "http://127.0.0.1:5".into()),
                ("merchant_key", "k\"ey".into()),
            ],
        )]
    }

    #[test]
    fn banner_exports_every_setting() {
        let text = banner(&sample(), None);
        assert!(
            text.contains("export ODEME_PAYTR_BASE_URL=http://127.0.0.1:5\n"),
            "{text}"
        );
        assert!(
            text.contains("export ODEME_PAYTR_MERCHANT_KEY='k\"ey'\n"),
            "{text}"
        );
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert!(text.contains("paytr      http://127.0.0.1:5\n"), "{text}");
        assert!(
            text.contains(
                "odeme --provider paytr --base-url http://127.0.0.1:5 --merchant-key 'k\"ey' ...\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn profile_round_trips() {
        let text = profile(&sample());
        let parsed = crate::profile::Profile::parse(&text).unwrap();
        let paytr = parsed.section("paytr").unwrap();
        assert_eq!(paytr.get("merchant_key"), Some("k\"ey"));
        assert_eq!(paytr.get("base_url"), Some("http://127.0.0.1:5"));
    }
}
