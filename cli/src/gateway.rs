//! Building one provider's gateway from the resolved settings. Everything else in the CLI
//! works on `Arc<dyn Gateway>` only.

use std::sync::Arc;

use odeme::{Gateway, ProviderId};

use crate::config::Settings;
use crate::exit::{CliError, CliResult};

/// The gateway for the provider the settings name.
pub fn build(settings: &Settings) -> CliResult<Arc<dyn Gateway>> {
    match settings.provider {
        ProviderId::Paytrek => paytrek(settings),
        ProviderId::Paytr => paytr(settings),
        ProviderId::Craftgate => craftgate(settings),
        other => Err(not_built_in(other)),
    }
}

#[cfg_attr(
    all(feature = "paytrek", feature = "paytr", feature = "craftgate"),
    allow(dead_code)
)]
fn not_built_in(provider: ProviderId) -> CliError {
    CliError::Local(format!("this build of odeme has no {provider} adapter"))
}

#[cfg(feature = "paytrek")]
fn paytrek(settings: &Settings) -> CliResult<Arc<dyn Gateway>> {
    use odeme::paytrek::{PaytrekConfig, PaytrekGateway};
    let mut config = PaytrekConfig::new(
        settings.require("api_key")?.expose(),
        settings.require("secret_key")?.expose(),
    )
    .with_transport(settings.transport.clone());
    if let Some(url) = &settings.base_url {
        config = config.with_base_url(url);
    }
    Ok(Arc::new(PaytrekGateway::new(config)?))
}

#[cfg(not(feature = "paytrek"))]
fn paytrek(_: &Settings) -> CliResult<Arc<dyn Gateway>> {
    Err(not_built_in(ProviderId::Paytrek))
}

#[cfg(feature = "paytr")]
fn paytr(settings: &Settings) -> CliResult<Arc<dyn Gateway>> {
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
    Ok(Arc::new(PaytrGateway::new(config)?))
}

#[cfg(not(feature = "paytr"))]
fn paytr(_: &Settings) -> CliResult<Arc<dyn Gateway>> {
    Err(not_built_in(ProviderId::Paytr))
}

#[cfg(feature = "craftgate")]
fn craftgate(settings: &Settings) -> CliResult<Arc<dyn Gateway>> {
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
    Ok(Arc::new(CraftgateGateway::new(config)?))
}

#[cfg(not(feature = "craftgate"))]
fn craftgate(_: &Settings) -> CliResult<Arc<dyn Gateway>> {
    Err(not_built_in(ProviderId::Craftgate))
}
