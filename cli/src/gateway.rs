//! Building one provider's gateway from the resolved settings. Everything else in the CLI
//! works on `Arc<dyn Gateway>` only.

use std::sync::Arc;

use odeme::{Gateway, ProviderId};

use crate::config::Settings;
use crate::exit::{CliError, CliResult};

/// Where a gateway sends its requests, and why there.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The provider.
    pub provider: ProviderId,
    /// The base URL requests go to.
    pub url: String,
    /// Where the base URL was given; `None` when it is the adapter's default host.
    pub source: Option<String>,
}

impl Endpoint {
    /// `http://127.0.0.1:8600 (from --base-url)`, or the default host said as such.
    pub fn describe(&self) -> String {
        match &self.source {
            Some(source) => format!("{} (from {source})", self.url),
            None => format!("{} ({})", self.url, self.default_host_kind()),
        }
    }

    /// The note for a gateway on its default host: a user who forgot `--base-url` must not
    /// reach a provider's host without being told.
    pub fn default_host_note(&self) -> Option<String> {
        self.source.is_none().then(|| {
            format!(
                "note: no base URL for {p}, so odeme talks to {url}, {kind}; for the sandbox \
                 give --base-url, set {var} or put `base_url` in the profile's [{p}] table",
                p = self.provider,
                url = self.url,
                kind = self.default_host_kind(),
                var = crate::config::env_name(self.provider, "base_url"),
            )
        })
    }

    fn default_host_kind(&self) -> &'static str {
        match self.provider {
            // PayTR has one host; test payments differ by merchant settings, not by host.
            ProviderId::Paytr => "PayTR's own (production) host",
            _ => "the provider's own test environment",
        }
    }
}

/// The gateway for the provider the settings name, and where it sends requests.
pub fn build(settings: &Settings) -> CliResult<(Arc<dyn Gateway>, Endpoint)> {
    let (gateway, url) = match settings.provider {
        ProviderId::Paytrek => paytrek(settings),
        ProviderId::Paytr => paytr(settings),
        ProviderId::Craftgate => craftgate(settings),
        other => Err(not_built_in(other)),
    }?;
    let endpoint = Endpoint {
        provider: settings.provider,
        url,
        source: settings.base_url_source.clone(),
    };
    Ok((gateway, endpoint))
}

/// A gateway and the base URL its config sends requests to.
type Built = (Arc<dyn Gateway>, String);

#[cfg_attr(
    all(feature = "paytrek", feature = "paytr", feature = "craftgate"),
    allow(dead_code)
)]
fn not_built_in(provider: ProviderId) -> CliError {
    CliError::Local(format!("this build of odeme has no {provider} adapter"))
}

#[cfg(feature = "paytrek")]
fn paytrek(settings: &Settings) -> CliResult<Built> {
    use odeme::paytrek::{PaytrekConfig, PaytrekGateway};
    let mut config = PaytrekConfig::new(
        settings.require("api_key")?.expose(),
        settings.require("secret_key")?.expose(),
    )
    .with_transport(settings.transport.clone());
    if let Some(url) = &settings.base_url {
        config = config.with_base_url(url);
    }
    let url = config.base_url().to_owned();
    Ok((Arc::new(PaytrekGateway::new(config)?), url))
}

#[cfg(not(feature = "paytrek"))]
fn paytrek(_: &Settings) -> CliResult<Built> {
    Err(not_built_in(ProviderId::Paytrek))
}

#[cfg(feature = "paytr")]
fn paytr(settings: &Settings) -> CliResult<Built> {
    use odeme::paytr::{PaytrConfig, PaytrGateway};
    let mut config = PaytrConfig::new(
        settings.require("merchant_id")?.expose(),
        settings.require("merchant_key")?.expose(),
        settings.require("merchant_salt")?.expose(),
    )
    .with_transport(settings.transport.clone());
    if let Some(ok_url) = settings.optional("ok_url") {
        let fail_url = settings
            .optional("fail_url")
            .unwrap_or_else(|| ok_url.clone());
        config = config.with_return_urls(ok_url.expose(), fail_url.expose());
    }
    if let Some(url) = &settings.base_url {
        config = config.with_base_url(url);
    }
    let url = config.base_url().to_owned();
    Ok((Arc::new(PaytrGateway::new(config)?), url))
}

#[cfg(not(feature = "paytr"))]
fn paytr(_: &Settings) -> CliResult<Built> {
    Err(not_built_in(ProviderId::Paytr))
}

#[cfg(feature = "craftgate")]
fn craftgate(settings: &Settings) -> CliResult<Built> {
    use odeme::craftgate::{CraftgateConfig, CraftgateGateway};
    let mut config = CraftgateConfig::new(
        settings.require("api_key")?.expose(),
        settings.require("secret_key")?.expose(),
    )
    .with_transport(settings.transport.clone());
    if let Some(key) = settings.optional("webhook_key") {
        config = config.with_webhook_key(key.expose());
    }
    if let Some(key) = settings.optional("three_ds_callback_key") {
        config = config.with_three_ds_callback_key(key.expose());
    }
    if let Some(url) = &settings.base_url {
        config = config.with_base_url(url);
    }
    let url = config.base_url().to_owned();
    Ok((Arc::new(CraftgateGateway::new(config)?), url))
}

#[cfg(not(feature = "craftgate"))]
fn craftgate(_: &Settings) -> CliResult<Built> {
    Err(not_built_in(ProviderId::Craftgate))
}
