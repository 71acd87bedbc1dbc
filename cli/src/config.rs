//! Which provider to use and its settings: flags first, then `ODEME_<PROVIDER>_<NAME>`
//! environment variables, then the profile file.

use std::time::Duration;

use odeme::{ProviderId, Secret, TransportConfig};

use crate::args::{GlobalArgs, ProviderArg};
use crate::exit::{CliError, CliResult};
use crate::profile::Profile;

/// Where settings are looked up, apart from the flags.
pub trait Environment {
    /// The value of environment variable `name`, if set and not empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Environment for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// Everything needed to build a gateway.
#[cfg_attr(
    not(any(feature = "paytrek", feature = "paytr", feature = "craftgate")),
    allow(dead_code)
)]
#[derive(Debug)]
pub struct Settings {
    /// The provider.
    pub provider: ProviderId,
    /// The base URL override, if any.
    pub base_url: Option<String>,
    /// Time-outs.
    pub transport: TransportConfig,
    /// The credentials found, by setting name; `Secret` keeps them out of `Debug`.
    values: Vec<(&'static str, Secret)>,
}

/// Every setting's name, as a flag without `--` and with `_` for `-`.
const NAMES: [&str; 9] = [
    "api_key",
    "secret_key",
    "merchant_id",
    "merchant_key",
    "merchant_salt",
    "ok_url",
    "fail_url",
    "webhook_key",
    "three_ds_callback_key",
];

#[cfg_attr(
    not(any(feature = "paytrek", feature = "paytr", feature = "craftgate")),
    allow(dead_code)
)]
impl Settings {
    /// Resolves the provider and its settings from the flags, `env` and the profile.
    pub fn resolve(global: &GlobalArgs, env: &dyn Environment) -> CliResult<Self> {
        let profile_path = global
            .profile
            .clone()
            .or_else(|| env.var("ODEME_PROFILE").map(Into::into));
        let profile = match &profile_path {
            Some(path) => Profile::load(path)?,
            None => Profile::default(),
        };
        let provider = resolve_provider(global, env, &profile)?;
        let section = profile.section(provider.as_str());
        let from_flag = |name: &str| -> Option<String> {
            match name {
                "api_key" => global.api_key.clone(),
                "secret_key" => global.secret_key.clone(),
                "merchant_id" => global.merchant_id.clone(),
                "merchant_key" => global.merchant_key.clone(),
                "merchant_salt" => global.merchant_salt.clone(),
                "ok_url" => global.ok_url.clone(),
                "fail_url" => global.fail_url.clone(),
                "webhook_key" => global.webhook_key.clone(),
                "three_ds_callback_key" => global.three_ds_callback_key.clone(),
                "base_url" => global.base_url.clone(),
                _ => None,
            }
        };
        let find = |name: &str| -> Option<String> {
            from_flag(name)
                .filter(|v| !v.is_empty())
                .or_else(|| env.var(&env_name(provider, name)))
                .or_else(|| section.and_then(|s| s.get(name)).map(str::to_owned))
        };
        let values = NAMES
            .iter()
            .filter_map(|name| find(name).map(|v| (*name, Secret::new(v))))
            .collect();
        let base_url = find("base_url");
        if let Some(url) = &base_url {
            check_base_url(url)?;
        }
        if global.timeout == 0 {
            return Err(CliError::input("`--timeout` must be at least 1 second"));
        }
        let transport = TransportConfig {
            timeout: Duration::from_secs(global.timeout),
            connect_timeout: Duration::from_secs(global.timeout.min(10)),
            ..TransportConfig::default()
        };
        Ok(Self {
            provider,
            base_url,
            transport,
            values,
        })
    }

    /// The setting `name`, or an error naming its flag, variable and profile key.
    pub fn require(&self, name: &str) -> CliResult<Secret> {
        self.optional(name).ok_or_else(|| {
            CliError::input(format!(
                "the {} {} is missing: give --{}, set {} or put `{}` in the [{}] table of a --profile file",
                self.provider,
                name.replace('_', " "),
                name.replace('_', "-"),
                env_name(self.provider, name),
                name,
                self.provider
            ))
        })
    }

    /// The setting `name`, if given anywhere.
    pub fn optional(&self, name: &str) -> Option<Secret> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }
}

/// `ODEME_<PROVIDER>_<NAME>`, e.g. `ODEME_PAYTR_MERCHANT_KEY`.
pub fn env_name(provider: ProviderId, name: &str) -> String {
    format!(
        "ODEME_{}_{}",
        provider.as_str().to_ascii_uppercase(),
        name.to_ascii_uppercase()
    )
}

fn resolve_provider(
    global: &GlobalArgs,
    env: &dyn Environment,
    profile: &Profile,
) -> CliResult<ProviderId> {
    if let Some(p) = global.provider {
        return Ok(match p {
            ProviderArg::Paytrek => ProviderId::Paytrek,
            ProviderArg::Paytr => ProviderId::Paytr,
            ProviderArg::Craftgate => ProviderId::Craftgate,
        });
    }
    let (name, source) = match (env.var("ODEME_PROVIDER"), &profile.provider) {
        (Some(name), _) => (name, "ODEME_PROVIDER"),
        (None, Some(name)) => (name.clone(), "the profile's `provider`"),
        (None, None) => {
            return Err(CliError::input(
                "no provider given: use --provider paytrek|paytr|craftgate, set ODEME_PROVIDER or put `provider` in the --profile file",
            ))
        }
    };
    name.parse::<ProviderId>().map_err(|_| {
        CliError::input(format!(
            "{source} names an unknown provider `{name}` (paytrek, paytr or craftgate)"
        ))
    })
}

fn check_base_url(url: &str) -> CliResult<()> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(CliError::input(format!(
            "the base URL `{url}` is not an absolute http(s) URL"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::collections::HashMap;

    struct FakeEnv(HashMap<&'static str, &'static str>);

    impl Environment for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| (*v).to_owned())
        }
    }

    fn global(args: &[&str]) -> GlobalArgs {
        let mut argv = vec!["odeme"];
        argv.extend_from_slice(args);
        argv.push("capabilities");
        crate::args::Cli::try_parse_from(argv).unwrap().global
    }

    #[test]
    fn flag_beats_env_beats_profile() {
        let dir = std::env::temp_dir().join(format!("odeme-cli-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.toml");
        std::fs::write(
            &path,
            "provider = \"paytr\"\n[paytr]\nmerchant_id = \"from-profile\"\nmerchant_key = \"profile-key\"\nmerchant_salt = \"profile-salt\"\n",
        )
        .unwrap();
        let env = FakeEnv(HashMap::from([
            ("ODEME_PAYTR_MERCHANT_KEY", "env-key"),
            ("ODEME_PAYTR_MERCHANT_ID", "env-id"),
        ]));
        let profile = path.to_str().unwrap();
        let settings = Settings::resolve(
            &global(&["--profile", profile, "--merchant-id", "flag-id"]),
            &env,
        )
        .unwrap();
        assert_eq!(settings.provider, ProviderId::Paytr);
        assert_eq!(settings.require("merchant_id").unwrap().expose(), "flag-id");
        assert_eq!(
            settings.require("merchant_key").unwrap().expose(),
            "env-key"
        );
        assert_eq!(
            settings.require("merchant_salt").unwrap().expose(),
            "profile-salt"
        );
        assert!(settings.optional("api_key").is_none());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn missing_credential_names_every_source_and_no_value() {
        let env = FakeEnv(HashMap::from([(
            "ODEME_PAYTR_MERCHANT_KEY",
            "SuperSecretKey",
        )]));
        let settings = Settings::resolve(&global(&["--provider", "paytr"]), &env).unwrap();
        let err = settings.require("merchant_salt").unwrap_err().to_string();
        assert!(err.contains("--merchant-salt"), "{err}");
        assert!(err.contains("ODEME_PAYTR_MERCHANT_SALT"), "{err}");
        assert!(err.contains("`merchant_salt`"), "{err}");
        assert!(!format!("{settings:?}").contains("SuperSecretKey"));
    }

    #[test]
    fn provider_from_env_and_errors() {
        let env = FakeEnv(HashMap::from([("ODEME_PROVIDER", "Craftgate")]));
        assert_eq!(
            Settings::resolve(&global(&[]), &env).unwrap().provider,
            ProviderId::Craftgate
        );
        let env = FakeEnv(HashMap::from([("ODEME_PROVIDER", "iyzico")]));
        let err = Settings::resolve(&global(&[]), &env).unwrap_err();
        assert!(err.to_string().contains("iyzico"), "{err}");
        let err = Settings::resolve(&global(&[]), &FakeEnv(HashMap::new())).unwrap_err();
        assert!(err.to_string().contains("--provider"), "{err}");
    }

    #[test]
    fn base_url_and_timeout_are_checked() {
        let env = FakeEnv(HashMap::new());
        let err = Settings::resolve(
            &global(&["-p", "paytr", "--base-url", "localhost:80"]),
            &env,
        )
        .unwrap_err();
        assert!(err.to_string().contains("base URL"), "{err}");
        let env = FakeEnv(HashMap::from([(
            "ODEME_PAYTREK_BASE_URL",
            "http://127.0.0.1:9",
        )]));
        let settings =
            Settings::resolve(&global(&["-p", "paytrek", "--timeout", "5"]), &env).unwrap();
        assert_eq!(settings.base_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(settings.transport.timeout, Duration::from_secs(5));
        assert!(Settings::resolve(&global(&["-p", "paytrek", "--timeout", "0"]), &env).is_err());
    }
}
