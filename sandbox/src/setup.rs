//! What a user needs to point odeme at running simulators: base URLs, credentials and the
//! PayTR return URLs, as `export` lines, `odeme` flags and a TOML profile.
//!
//! Both ways of starting the sandbox (the `odeme-sandbox` binary and `odeme sandbox`)
//! print [`SandboxSetup::banner`], so the two can never tell a user different things.

use std::fmt::Write;
use std::path::Path;

use crate::{Sandbox, Simulator};

/// The `merchant_ok_url` the set-up gives PayTR. PayTR wants return URLs on every payment;
/// outside 3-D Secure the browser never goes there, so any loopback URL does.
pub const PAYTR_OK_URL: &str = "http://127.0.0.1/shop/ok";

/// The `merchant_fail_url` the set-up gives PayTR (see [`PAYTR_OK_URL`]).
pub const PAYTR_FAIL_URL: &str = "http://127.0.0.1/shop/fail";

/// One provider's settings, named as odeme's profile keys (`base_url` first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSetup {
    /// The provider, as odeme names it (`paytrek`, `paytr`, `craftgate`).
    pub provider: &'static str,
    /// `(setting, value)` pairs: `base_url`, then credentials and URLs.
    pub settings: Vec<(&'static str, String)>,
}

/// Every provider's settings for one running [`Sandbox`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxSetup {
    /// Paytrek, PayTR and Craftgate, in that order.
    pub providers: Vec<ProviderSetup>,
}

impl SandboxSetup {
    /// The settings that reach `sandbox`'s simulators.
    pub fn of(sandbox: &Sandbox) -> Self {
        let paytrek = sandbox.paytrek.credentials();
        let paytr = sandbox.paytr.credentials();
        let craftgate = sandbox.craftgate.credentials();
        Self {
            providers: vec![
                ProviderSetup {
                    provider: "paytrek",
                    settings: vec![
                        ("base_url", sandbox.paytrek.base_url().to_owned()),
                        ("api_key", paytrek.api_key.clone()),
                        ("secret_key", paytrek.secret.clone()),
                    ],
                },
                ProviderSetup {
                    provider: "paytr",
                    settings: vec![
                        ("base_url", sandbox.paytr.base_url().to_owned()),
                        ("merchant_id", paytr.merchant_id.clone()),
                        ("merchant_key", paytr.merchant_key.clone()),
                        ("merchant_salt", paytr.merchant_salt.clone()),
                        ("ok_url", PAYTR_OK_URL.to_owned()),
                        ("fail_url", PAYTR_FAIL_URL.to_owned()),
                    ],
                },
                ProviderSetup {
                    provider: "craftgate",
                    settings: vec![
                        ("base_url", sandbox.craftgate.base_url().to_owned()),
                        ("api_key", craftgate.api_key.clone()),
                        ("secret_key", craftgate.secret_key.clone()),
                        ("webhook_key", craftgate.webhook_key.clone()),
                        (
                            "three_ds_callback_key",
                            craftgate.three_ds_callback_key.clone(),
                        ),
                    ],
                },
            ],
        }
    }

    /// `ODEME_<PROVIDER>_<SETTING>`, the variable odeme reads the setting from.
    pub fn env_name(provider: &str, setting: &str) -> String {
        format!(
            "ODEME_{}_{}",
            provider.to_ascii_uppercase(),
            setting.to_ascii_uppercase()
        )
    }

    /// One `export NAME=value` line per setting of every provider.
    pub fn exports(&self) -> String {
        let mut text = String::new();
        for p in &self.providers {
            for (name, value) in &p.settings {
                let _ = writeln!(
                    text,
                    "export {}={}",
                    Self::env_name(p.provider, name),
                    shell_quote(value)
                );
            }
        }
        text
    }

    /// A TOML profile with one table per provider, for `odeme --profile FILE`.
    pub fn profile(&self) -> String {
        let mut text =
            String::from("# odeme profile for the local sandbox (test credentials only)\n");
        for p in &self.providers {
            let _ = writeln!(text, "\n[{}]", p.provider);
            for (name, value) in &p.settings {
                let _ = writeln!(text, "{name} = {}", toml_string(value));
            }
        }
        text
    }

    /// Everything a user needs, as both entry points print it: the base URLs, the exports,
    /// the flags, the profile (or where it was written) and an example command.
    pub fn banner(&self, written_profile: Option<&Path>) -> String {
        let mut text = String::from(
            "odeme sandbox running on loopback (test credentials only; press Ctrl-C to stop)\n\n",
        );
        for p in &self.providers {
            let url = p.settings.first().map(|(_, v)| v.as_str()).unwrap_or("");
            let _ = writeln!(text, "{:<10} {url}", p.provider);
        }
        text.push_str("\nPoint odeme at it with these environment variables:\n\n");
        text.push_str(&self.exports());
        text.push_str("\nor with flags (flags beat variables, which beat a profile):\n\n");
        for p in &self.providers {
            let flags: Vec<String> = p
                .settings
                .iter()
                .map(|(name, value)| format!("--{} {}", name.replace('_', "-"), shell_quote(value)))
                .collect();
            let _ = writeln!(
                text,
                "odeme --provider {} {} ...",
                p.provider,
                flags.join(" ")
            );
        }
        match written_profile {
            Some(path) => {
                let _ = writeln!(
                    text,
                    "\nor with the profile just written: odeme --profile {} --provider paytr ...",
                    shell_quote(&path.display().to_string())
                );
            }
            None => {
                text.push_str(
                    "\nor with this profile (saved as FILE, or written by --write-profile FILE), \
                     used as odeme --profile FILE:\n\n",
                );
                text.push_str(&self.profile());
            }
        }
        text.push_str(
            "\nThen, for example:\n  printf '4355084355084358\\n000\\n' | odeme --provider paytr charge --amount 10.00 \\\n      --expiry 12/30 --holder 'Jane Doe' --email jane@example.com --phone 5551234567 \\\n      --billing-line1 'Street 1' --billing-city Istanbul --billing-country TR\n",
        );
        text
    }
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

/// The value as a TOML basic string (this crate has no TOML writer, and needs only this).
fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SandboxSetup {
        SandboxSetup {
            providers: vec![ProviderSetup {
                provider: "paytr",
                settings: vec![
                    ("base_url", "http://127.0.0.1:5".into()),
                    ("merchant_key", "k\"e'y\\".into()),
                    ("ok_url", PAYTR_OK_URL.into()),
                ],
            }],
        }
    }

    #[test]
    fn banner_exports_every_setting_and_shows_the_profile() {
        let text = sample().banner(None);
        assert!(text.contains("paytr      http://127.0.0.1:5\n"), "{text}");
        assert!(
            text.contains("export ODEME_PAYTR_BASE_URL=http://127.0.0.1:5\n"),
            "{text}"
        );
        assert!(
            text.contains("export ODEME_PAYTR_MERCHANT_KEY='k\"e'\\''y\\'\n"),
            "{text}"
        );
        assert!(
            text.contains("export ODEME_PAYTR_OK_URL=http://127.0.0.1/shop/ok\n"),
            "{text}"
        );
        assert!(
            text.contains("odeme --provider paytr --base-url http://127.0.0.1:5 "),
            "{text}"
        );
        assert!(
            text.contains("[paytr]\nbase_url = \"http://127.0.0.1:5\"\n"),
            "{text}"
        );
        assert!(text.contains("merchant_key = \"k\\\"e'y\\\\\"\n"), "{text}");
        let written = sample().banner(Some(Path::new("/tmp/s.toml")));
        assert!(written.contains("odeme --profile /tmp/s.toml"), "{written}");
        assert!(!written.contains("[paytr]"), "{written}");
    }

    #[test]
    fn toml_strings_escape_controls() {
        assert_eq!(toml_string("a\u{1}b"), "\"a\\u0001b\"");
    }

    #[tokio::test]
    async fn a_running_sandbox_sets_up_every_provider() {
        let sandbox = Sandbox::start().await.unwrap();
        let setup = SandboxSetup::of(&sandbox);
        let names: Vec<&str> = setup.providers.iter().map(|p| p.provider).collect();
        assert_eq!(names, ["paytrek", "paytr", "craftgate"]);
        let exports = setup.exports();
        for name in [
            "ODEME_PAYTREK_BASE_URL",
            "ODEME_PAYTREK_SECRET_KEY",
            "ODEME_PAYTR_MERCHANT_SALT",
            "ODEME_PAYTR_OK_URL",
            "ODEME_PAYTR_FAIL_URL",
            "ODEME_CRAFTGATE_THREE_DS_CALLBACK_KEY",
        ] {
            assert!(exports.contains(&format!("export {name}=")), "{exports}");
        }
        assert!(exports.contains(&format!(
            "export ODEME_PAYTR_BASE_URL={}\n",
            sandbox.paytr.base_url()
        )));
    }
}
