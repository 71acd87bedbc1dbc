//! The gateway's configuration: credentials, Craftgate's environments, and how to connect.

use std::fmt;

use odeme_core::{Error, Result, Secret, TransportConfig};

/// The header Craftgate's webhooks carry their signature in by default. The official
/// clients and documents do not name it; this is the name the odeme simulator uses, and
/// [`CraftgateConfig::with_webhook_signature_header`] changes it.
pub const DEFAULT_WEBHOOK_SIGNATURE_HEADER: &str = "x-cg-signature-v1";

/// Craftgate's hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `https://sandbox-api.craftgate.io`, the default so that nothing reaches production
    /// by accident.
    #[default]
    Sandbox,
    /// `https://api.craftgate.io`.
    Production,
}

impl Environment {
    /// The environment's base URL (no trailing slash).
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sandbox => "https://sandbox-api.craftgate.io",
            Environment::Production => "https://api.craftgate.io",
        }
    }
}

/// Everything the Craftgate gateway needs: credentials, where to connect and how.
///
/// `Debug` shows the API key (an identifier, not a secret) but never the secret key, the
/// 3-D Secure callback key or the webhook key.
#[derive(Clone)]
pub struct CraftgateConfig {
    api_key: String,
    secret_key: Secret,
    three_ds_callback_key: Option<Secret>,
    webhook_key: Option<Secret>,
    environment: Environment,
    base_url: Option<String>,
    pub(super) language: Option<String>,
    transport: TransportConfig,
    webhook_signature_header: String,
}

impl fmt::Debug for CraftgateConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CraftgateConfig")
            .field("api_key", &self.api_key)
            .field("secret_key", &self.secret_key)
            .field(
                "three_ds_callback_key",
                &self.three_ds_callback_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "webhook_key",
                &self.webhook_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("language", &self.language)
            .field("transport", &self.transport)
            .field("webhook_signature_header", &self.webhook_signature_header)
            .finish()
    }
}

impl CraftgateConfig {
    /// A configuration with the merchant's API key and secret key, for the sandbox.
    pub fn new(api_key: &str, secret_key: &str) -> Self {
        Self {
            api_key: api_key.trim().to_owned(),
            secret_key: Secret::new(secret_key.trim()),
            three_ds_callback_key: None,
            webhook_key: None,
            environment: Environment::Sandbox,
            base_url: None,
            language: None,
            transport: TransportConfig::default(),
            webhook_signature_header: DEFAULT_WEBHOOK_SIGNATURE_HEADER.to_owned(),
        }
    }

    /// Connects to `url` instead of the environment's host (a simulator, a proxy).
    pub fn with_base_url(mut self, url: &str) -> Self {
        self.base_url = Some(odeme_core::transport::normalize_base_url(url));
        self
    }

    /// Chooses sandbox or production; an explicit base URL still wins.
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Time-outs and user agent of the HTTP client.
    pub fn with_transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// The merchant's 3-D Secure callback key, which verifies the browser's callback.
    pub fn with_three_ds_callback_key(mut self, key: &str) -> Self {
        self.three_ds_callback_key = Some(Secret::new(key.trim()));
        self
    }

    /// The merchant's webhook key, which verifies webhook signatures.
    pub fn with_webhook_key(mut self, key: &str) -> Self {
        self.webhook_key = Some(Secret::new(key.trim()));
        self
    }

    /// The language of Craftgate's messages (`lang` header: `tr` or `en`).
    pub fn with_language(mut self, language: &str) -> Self {
        self.language = Some(language.trim().to_ascii_lowercase());
        self
    }

    /// The header webhooks carry their signature in (default
    /// [`DEFAULT_WEBHOOK_SIGNATURE_HEADER`]).
    pub fn with_webhook_signature_header(mut self, name: &str) -> Self {
        self.webhook_signature_header = name.trim().to_owned();
        self
    }

    /// The API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The base URL requests go to: the explicit one, else the environment's.
    pub fn base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .unwrap_or(self.environment.base_url())
    }

    pub(crate) fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    pub(crate) fn three_ds_callback_key(&self) -> Option<&Secret> {
        self.three_ds_callback_key.as_ref()
    }

    pub(crate) fn webhook_key(&self) -> Option<&Secret> {
        self.webhook_key.as_ref()
    }

    pub(crate) fn webhook_signature_header(&self) -> &str {
        &self.webhook_signature_header
    }

    pub(crate) fn transport(&self) -> &TransportConfig {
        &self.transport
    }

    /// Checks the configuration before any request is built.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.api_key.is_empty() {
            return Err(Error::Configuration(
                "the Craftgate API key is empty".into(),
            ));
        }
        if self.secret_key.is_empty() {
            return Err(Error::Configuration(
                "the Craftgate secret key is empty".into(),
            ));
        }
        let url = url::Url::parse(self.base_url()).map_err(|_| {
            Error::Configuration("the Craftgate base URL is not a valid URL".into())
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::Configuration(
                "the Craftgate base URL must be an absolute http(s) URL".into(),
            ));
        }
        if self.webhook_signature_header.is_empty() {
            return Err(Error::Configuration(
                "the webhook signature header name is empty".into(),
            ));
        }
        Ok(())
    }
}
