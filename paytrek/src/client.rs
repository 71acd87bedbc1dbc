//! Configuration, environments and the one place requests are built and sent.

use std::fmt;

use odeme_core::{
    Address, Endpoints, Error, HttpRequest, HttpResponse, HttpTransport, ProviderId, RequestKind,
    Result, Secret, TransportConfig,
};

use crate::auth;

/// The Paytrek hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// The test environment, `https://sandbox.paytrek.com`.
    #[default]
    Sandbox,
    /// The worldwide live environment, `https://secure.paytrek.com`.
    LiveWorldwide,
    /// The Turkish live environment, `https://secure.paytrek.com.tr`.
    LiveTurkey,
}

impl Environment {
    /// The environment's base URL, without a trailing slash.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sandbox => "https://sandbox.paytrek.com",
            Environment::LiveWorldwide => "https://secure.paytrek.com",
            Environment::LiveTurkey => "https://secure.paytrek.com.tr",
        }
    }
}

/// Credentials and options of a [`crate::PaytrekGateway`].
///
/// The API key and secret are the HTTP Basic Auth user and password from the Paytrek
/// dashboard's account page; neither is ever shown by `Debug`.
#[derive(Clone)]
pub struct PaytrekConfig {
    pub(crate) api_key: Secret,
    pub(crate) secret: Secret,
    /// `Authorization: Basic …` of the key and secret, encoded once instead of per request.
    authorization: Secret,
    pub(crate) environment: Environment,
    pub(crate) base_url: Option<String>,
    pub(crate) transport: TransportConfig,
    pub(crate) half_secure: bool,
    pub(crate) default_billing: Option<Address>,
}

impl PaytrekConfig {
    /// A configuration for the sandbox with the given API key and secret.
    pub fn new(api_key: &str, secret: &str) -> Self {
        Self {
            api_key: Secret::new(api_key),
            secret: Secret::new(secret),
            authorization: Secret::new(auth::basic_header(api_key, secret)),
            environment: Environment::Sandbox,
            base_url: None,
            transport: TransportConfig::default(),
            half_secure: false,
            default_billing: None,
        }
    }

    /// Sends requests to `url` instead of the environment's host (a simulator, a proxy).
    pub fn with_base_url(mut self, url: &str) -> Self {
        self.base_url = Some(odeme_core::transport::normalize_base_url(url));
        self
    }

    /// Chooses the Paytrek environment.
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Sets the HTTP time-outs and user agent.
    pub fn with_transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Lets a 3-D Secure payment go on when the enrolment check ends in mdstatus 2, 3 or 4
    /// (Paytrek's `half_secure`); off by default.
    pub fn with_half_secure(mut self, half_secure: bool) -> Self {
        self.half_secure = half_secure;
        self
    }

    /// The billing address sent when a request has none: Paytrek requires one on every
    /// sale, and some merchants do not collect it.
    pub fn with_default_billing(mut self, address: Address) -> Self {
        self.default_billing = Some(address);
        self
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .unwrap_or(self.environment.base_url())
    }

    /// The environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.api_key.is_empty() {
            return Err(Error::Configuration("the Paytrek API key is empty".into()));
        }
        if self.secret.is_empty() {
            return Err(Error::Configuration("the Paytrek secret is empty".into()));
        }
        if self.api_key.expose().contains(':') {
            // Basic Auth cannot carry a colon in the user name.
            return Err(Error::Configuration(
                "the Paytrek API key contains `:`".into(),
            ));
        }
        match url::Url::parse(self.base_url()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
            _ => Err(Error::Configuration(
                "the Paytrek base URL is not an absolute http(s) URL".into(),
            )),
        }
    }

    /// A request to `path` (which starts and ends with `/`) with the headers every Paytrek
    /// call carries.
    pub(crate) fn request(
        &self,
        method: &'static str,
        path: &str,
        operation: &'static str,
        kind: RequestKind,
    ) -> HttpRequest {
        HttpRequest::new(
            method,
            format!("{}{path}", self.base_url()),
            operation,
            kind,
        )
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("Authorization", self.authorization.expose().to_owned())
    }
}

impl fmt::Debug for PaytrekConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaytrekConfig")
            .field("api_key", &self.api_key)
            .field("secret", &self.secret)
            .field("environment", &self.environment)
            .field("base_url", &self.base_url())
            .field("half_secure", &self.half_secure)
            .finish_non_exhaustive()
    }
}

/// The fixed paths a payment's requests go to, kept parsed by the transport.
const FIXED_PATHS: [&str; 8] = [
    "/api/v2/direct_charge/",
    "/api/v2/charge/",
    "/api/v2/charge_with_token/",
    "/api/v2/sale/",
    "/api/v2/refund/",
    "/api/v2/capture/",
    "/api/v2/cancel/",
    "/api/v2/vault/",
];

/// The Paytrek gateway: cheap to clone, clones share one connection pool.
#[derive(Debug, Clone)]
pub struct PaytrekGateway {
    pub(crate) config: PaytrekConfig,
    transport: HttpTransport,
}

impl PaytrekGateway {
    /// A gateway with `config`; fails on an empty credential or an invalid base URL.
    pub fn new(config: PaytrekConfig) -> Result<Self> {
        config.validate()?;
        // The write endpoints' URLs parsed once, not on each request.
        let transport = HttpTransport::new(ProviderId::Paytrek, &config.transport)?
            .with_endpoints(Endpoints::new(config.base_url(), &FIXED_PATHS));
        Ok(Self { config, transport })
    }

    /// The configuration.
    pub fn config(&self) -> &PaytrekConfig {
        &self.config
    }

    /// Sends a built request once; the answer is returned whatever its status.
    pub(crate) async fn send(&self, request: HttpRequest) -> Result<HttpResponse> {
        self.transport.send_owned(request).await
    }
}
