//! Which provider to use and its settings: flags first, then `ODEME_<PROVIDER>_<NAME>`
//! environment variables, then the profile file.

use std::time::Duration;

use odeme::{ProviderId, Secret, TransportConfig};

use crate::args::{GlobalArgs, ProviderArg};
use crate::exit::{CliError, CliResult};
use crate::profile::Profile;
use crate::route::RouteSpec;

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
    /// Where the base URL came from (`--base-url`, the variable, the profile), if given.
    pub base_url_source: Option<String>,
    /// Time-outs.
    pub transport: TransportConfig,
    /// The credentials found, by setting name; `Secret` keeps them out of `Debug`.
    values: Vec<(&'static str, Secret)>,
    /// The route this provider is part of, if any (`failover:paytr,craftgate`).
    route: Option<String>,
    /// Settings whose flag does not apply here because it would stand for several providers
    /// of the route.
    ambiguous: Vec<&'static str>,
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

/// What the commands talk to: one provider, or a router across several.
#[derive(Debug)]
pub enum Selection {
    /// One provider, as without routing.
    One(Settings),
    /// A route: its spec and one provider's settings per provider it lists, in its order.
    Route {
        /// The strategy and providers.
        spec: RouteSpec,
        /// Each provider's settings.
        providers: Vec<Settings>,
    },
}

/// Resolves what to talk to, and each provider's settings, from the flags, `env` and the
/// profile. A route comes from `--route`, else (unless `--provider` is given)
/// `ODEME_ROUTE`, else (unless `ODEME_PROVIDER` is set) the profile's `[router]` table;
/// without one, the single provider is resolved as always.
pub fn resolve(global: &GlobalArgs, env: &dyn Environment) -> CliResult<Selection> {
    let profile_path = global
        .profile
        .clone()
        .or_else(|| env.var("ODEME_PROFILE").map(Into::into));
    let profile = match &profile_path {
        Some(path) => Profile::load(path)?,
        None => Profile::default(),
    };
    match choose_route(global, env, &profile)? {
        None => {
            let provider = resolve_provider(global, env, &profile)?;
            Settings::for_provider(provider, global, env, &profile, None).map(Selection::One)
        }
        Some(spec) => {
            let routed: Vec<ProviderId> = spec.providers.iter().map(|(p, _)| *p).collect();
            // A flag is not per provider: it may only stand for one provider of the route.
            let mut ambiguous = Vec::new();
            for name in NAMES.iter().copied().chain(["base_url"]) {
                let users: Vec<String> = routed
                    .iter()
                    .filter(|p| uses(**p, name))
                    .map(ToString::to_string)
                    .collect();
                if users.len() < 2 {
                    continue;
                }
                if flag(global, name).is_some() {
                    return Err(CliError::input(format!(
                        "--{} would apply to {} of the route `{}`: give each provider's {} \
                         with {} or `{name}` in its profile table instead",
                        name.replace('_', "-"),
                        users.join(" and "),
                        spec.label(),
                        name.replace('_', " "),
                        env_name_pattern(name),
                    )));
                }
                ambiguous.push(name);
            }
            let scope = RouteScope {
                label: spec.label(),
                ambiguous,
            };
            let providers = routed
                .iter()
                .map(|provider| {
                    Settings::for_provider(*provider, global, env, &profile, Some(&scope))
                })
                .collect::<CliResult<Vec<_>>>()?;
            Ok(Selection::Route { spec, providers })
        }
    }
}

/// The route in effect, if any (see [`resolve`] for the order).
fn choose_route(
    global: &GlobalArgs,
    env: &dyn Environment,
    profile: &Profile,
) -> CliResult<Option<RouteSpec>> {
    if let Some(spec) = &global.route {
        return RouteSpec::parse(spec, "--route").map(Some);
    }
    if global.provider.is_some() {
        return Ok(None);
    }
    if let Some(spec) = env.var("ODEME_ROUTE") {
        return RouteSpec::parse(&spec, "ODEME_ROUTE").map(Some);
    }
    if env.var("ODEME_PROVIDER").is_some() {
        return Ok(None);
    }
    profile
        .router
        .as_ref()
        .map(RouteSpec::from_profile)
        .transpose()
}

/// How a provider's settings are resolved inside a route.
struct RouteScope {
    /// The route, as `--route` takes it.
    label: String,
    /// Settings whose flag would stand for several providers of the route.
    ambiguous: Vec<&'static str>,
}

/// Whether `provider`'s gateway reads setting `name`.
fn uses(provider: ProviderId, name: &str) -> bool {
    match provider {
        ProviderId::Paytrek => matches!(name, "api_key" | "secret_key" | "base_url"),
        ProviderId::Paytr => matches!(
            name,
            "merchant_id" | "merchant_key" | "merchant_salt" | "ok_url" | "fail_url" | "base_url"
        ),
        ProviderId::Craftgate => matches!(
            name,
            "api_key" | "secret_key" | "webhook_key" | "three_ds_callback_key" | "base_url"
        ),
        _ => name == "base_url",
    }
}

/// The value of setting `name`'s flag, if given and not empty.
fn flag(global: &GlobalArgs, name: &str) -> Option<String> {
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
    .filter(|v| !v.is_empty())
}

/// `ODEME_<PROVIDER>_<NAME>` with `<PROVIDER>` left as is.
fn env_name_pattern(name: &str) -> String {
    format!("ODEME_<PROVIDER>_{}", name.to_ascii_uppercase())
}

#[cfg_attr(
    not(any(feature = "paytrek", feature = "paytr", feature = "craftgate")),
    allow(dead_code)
)]
impl Settings {
    /// `provider`'s settings: its flags (inside a route, only those that stand for it
    /// alone), then its environment variables, then its profile table.
    fn for_provider(
        provider: ProviderId,
        global: &GlobalArgs,
        env: &dyn Environment,
        profile: &Profile,
        route: Option<&RouteScope>,
    ) -> CliResult<Self> {
        let section = profile.section(provider.as_str());
        let from_flag = |name: &str| -> Option<String> {
            match route {
                Some(_) if !uses(provider, name) => None,
                _ => flag(global, name),
            }
        };
        let find = |name: &str| -> Option<String> {
            from_flag(name)
                .or_else(|| env.var(&env_name(provider, name)))
                .or_else(|| section.and_then(|s| s.get(name)).map(str::to_owned))
        };
        let values = NAMES
            .iter()
            .filter_map(|name| find(name).map(|v| (*name, Secret::new(v))))
            .collect();
        let base_url = find("base_url");
        // The same order as `find`, to tell the user where a base URL they did not expect
        // came from.
        let base_url_source = base_url.as_ref().map(|_| {
            if from_flag("base_url").is_some() {
                "--base-url".to_owned()
            } else if env.var(&env_name(provider, "base_url")).is_some() {
                env_name(provider, "base_url")
            } else {
                format!("`base_url` in the profile's [{provider}] table")
            }
        });
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
            base_url_source,
            transport,
            values,
            route: route.map(|r| r.label.clone()),
            ambiguous: route.map(|r| r.ambiguous.clone()).unwrap_or_default(),
        })
    }

    /// The setting `name`, or an error naming its flag, variable and profile key (and,
    /// inside a route, the route that needs it).
    pub fn require(&self, name: &str) -> CliResult<Secret> {
        self.optional(name).ok_or_else(|| {
            let needed_by = match &self.route {
                Some(route) => format!(" ({} is in the route `{route}`)", self.provider),
                None => String::new(),
            };
            let flag = if self.ambiguous.contains(&name) {
                String::new()
            } else {
                format!("give --{}, ", name.replace('_', "-"))
            };
            CliError::input(format!(
                "the {} {} is missing{needed_by}: {flag}set {} or put `{}` in the [{}] table of a --profile file",
                self.provider,
                name.replace('_', " "),
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
                "no provider given: use --provider paytrek|paytr|craftgate (or --route failover:paytr,craftgate), set ODEME_PROVIDER (or ODEME_ROUTE) or put `provider` (or a [router] table) in the --profile file",
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

    fn resolve_one(global: &GlobalArgs, env: &dyn Environment) -> CliResult<Settings> {
        match resolve(global, env)? {
            Selection::One(settings) => Ok(settings),
            Selection::Route { .. } => panic!("a route"),
        }
    }

    fn route(global: &GlobalArgs, env: &dyn Environment) -> CliResult<(RouteSpec, Vec<Settings>)> {
        match resolve(global, env)? {
            Selection::Route { spec, providers } => Ok((spec, providers)),
            Selection::One(s) => panic!("one provider: {s:?}"),
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
        let settings = resolve_one(
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
        let settings = resolve_one(&global(&["--provider", "paytr"]), &env).unwrap();
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
            resolve_one(&global(&[]), &env).unwrap().provider,
            ProviderId::Craftgate
        );
        let env = FakeEnv(HashMap::from([("ODEME_PROVIDER", "iyzico")]));
        let err = resolve_one(&global(&[]), &env).unwrap_err();
        assert!(err.to_string().contains("iyzico"), "{err}");
        let err = resolve_one(&global(&[]), &FakeEnv(HashMap::new())).unwrap_err();
        assert!(err.to_string().contains("--provider"), "{err}");
    }

    #[test]
    fn base_url_and_timeout_are_checked() {
        let env = FakeEnv(HashMap::new());
        let err = resolve_one(
            &global(&["-p", "paytr", "--base-url", "localhost:80"]),
            &env,
        )
        .unwrap_err();
        assert!(err.to_string().contains("base URL"), "{err}");
        let env = FakeEnv(HashMap::from([(
            "ODEME_PAYTREK_BASE_URL",
            "http://127.0.0.1:9",
        )]));
        let settings = resolve_one(&global(&["-p", "paytrek", "--timeout", "5"]), &env).unwrap();
        assert_eq!(settings.base_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(settings.transport.timeout, Duration::from_secs(5));
        assert!(resolve_one(&global(&["-p", "paytrek", "--timeout", "0"]), &env).is_err());
    }

    #[test]
    fn a_route_resolves_each_provider_and_flags_stand_for_one() {
        let env = FakeEnv(HashMap::from([
            ("ODEME_PAYTR_BASE_URL", "http://127.0.0.1:1"),
            ("ODEME_CRAFTGATE_BASE_URL", "http://127.0.0.1:2"),
            ("ODEME_CRAFTGATE_SECRET_KEY", "cg-secret"),
        ]));
        let (spec, providers) = route(
            &global(&[
                "--route",
                "failover:paytr,craftgate",
                "--merchant-id",
                "7",
                "--api-key",
                "cg-key",
            ]),
            &env,
        )
        .unwrap();
        assert_eq!(spec.label(), "failover:paytr,craftgate");
        let [paytr, craftgate] = providers.as_slice() else {
            panic!("{providers:?}")
        };
        assert_eq!(paytr.provider, ProviderId::Paytr);
        assert_eq!(paytr.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(paytr.require("merchant_id").unwrap().expose(), "7");
        // A flag another provider reads does not leak into this one.
        assert!(paytr.optional("api_key").is_none());
        assert_eq!(craftgate.require("api_key").unwrap().expose(), "cg-key");
        assert_eq!(craftgate.base_url.as_deref(), Some("http://127.0.0.1:2"));
        let err = paytr.require("merchant_salt").unwrap_err().to_string();
        assert!(err.contains("the paytr merchant salt is missing"), "{err}");
        assert!(err.contains("route `failover:paytr,craftgate`"), "{err}");

        // --base-url, or --api-key between Paytrek and Craftgate, would stand for two.
        let err = route(
            &global(&[
                "--route",
                "failover:paytr,craftgate",
                "--base-url",
                "http://x.test",
            ]),
            &env,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("--base-url would apply to paytr and craftgate"),
            "{err}"
        );
        let (_, providers) =
            route(&global(&["--route", "failover:paytrek,craftgate"]), &env).unwrap();
        let err = providers[0].require("api_key").unwrap_err().to_string();
        assert!(!err.contains("--api-key"), "{err}");
        assert!(err.contains("ODEME_PAYTREK_API_KEY"), "{err}");
    }

    #[test]
    fn route_sources_and_their_order() {
        let dir = std::env::temp_dir().join(format!("odeme-cli-route-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("p.toml");
        std::fs::write(
            &path,
            "provider = \"paytr\"\n[router]\nweights = { paytr = 70, craftgate = 30 }\n",
        )
        .unwrap();
        let profile = path.to_str().unwrap();
        let none = FakeEnv(HashMap::new());
        let (spec, _) = route(&global(&["--profile", profile]), &none).unwrap();
        assert_eq!(spec.strategy, crate::route::RouteStrategy::Weighted);
        // --provider, or ODEME_PROVIDER, reaches one provider in spite of the table.
        let one = resolve_one(&global(&["--profile", profile, "-p", "craftgate"]), &none);
        assert_eq!(one.unwrap().provider, ProviderId::Craftgate);
        let env = FakeEnv(HashMap::from([("ODEME_PROVIDER", "paytrek")]));
        let one = resolve_one(&global(&["--profile", profile]), &env);
        assert_eq!(one.unwrap().provider, ProviderId::Paytrek);
        // ODEME_ROUTE beats the table, --route beats ODEME_ROUTE.
        let env = FakeEnv(HashMap::from([("ODEME_ROUTE", "failover:craftgate")]));
        let (spec, _) = route(&global(&["--profile", profile]), &env).unwrap();
        assert_eq!(spec.label(), "failover:craftgate");
        let (spec, _) = route(
            &global(&["--profile", profile, "--route", "failover:paytrek"]),
            &env,
        )
        .unwrap();
        assert_eq!(spec.label(), "failover:paytrek");
        let err = resolve(
            &global(&[]),
            &FakeEnv(HashMap::from([("ODEME_ROUTE", "x:paytr")])),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("ODEME_ROUTE names an unknown routing strategy `x`"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
