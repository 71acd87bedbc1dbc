//! Configuration, PayTR's environments, and the HTTP calls through the shared transport.

use odeme_core::{
    Endpoints, Error, HttpRequest, HttpResponse, HttpTransport, ProviderId, RequestKind, Result,
    Secret, TransportConfig,
};

use crate::sign::Signer;
use crate::wire::Form;

/// Where PayTR runs. PayTR has one host; test transactions are marked by
/// [`PaytrConfig::with_test_mode`], not by another host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `https://www.paytr.com`.
    #[default]
    Production,
}

impl Environment {
    /// The base URL of the environment.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Production => "https://www.paytr.com",
        }
    }
}

/// The language of PayTR's pages for the customer (`client_lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Language {
    /// Turkish (`tr`), PayTR's default.
    #[default]
    Turkish,
    /// English (`en`).
    English,
}

impl Language {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Language::Turkish => "tr",
            Language::English => "en",
        }
    }
}

/// What to do with a notification PayTR flags as a test (`test_mode=1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TestNotifications {
    /// Verify it and return it with `test_mode: true`; the merchant decides.
    #[default]
    Flag,
    /// Refuse it with [`Error::Provider`] (`NotPermitted`), for a live shop that must never
    /// credit a test payment. The merchant should still answer `OK` so PayTR stops
    /// repeating it.
    Reject,
}

/// Credentials and settings of a PayTR store. `Debug` never shows the key or the salt.
#[derive(Debug, Clone)]
pub struct PaytrConfig {
    pub(crate) merchant_id: String,
    pub(crate) merchant_key: Secret,
    pub(crate) merchant_salt: Secret,
    pub(crate) environment: Environment,
    pub(crate) base_url: Option<String>,
    pub(crate) transport: TransportConfig,
    pub(crate) test_mode: bool,
    pub(crate) debug_on: bool,
    pub(crate) language: Language,
    pub(crate) ok_url: Option<String>,
    pub(crate) fail_url: Option<String>,
    pub(crate) timeout_limit: Option<u16>,
    pub(crate) test_notifications: TestNotifications,
}

impl PaytrConfig {
    /// A configuration from the store's `merchant_id`, `merchant_key` and `merchant_salt`
    /// ("Mağaza No", "Mağaza Parola", "Mağaza Gizli Anahtar").
    ///
    /// Defaults: production host, live mode, `debug_on=1` (PayTR then names the faulty
    /// field instead of answering code 99), Turkish pages.
    pub fn new(
        merchant_id: &str,
        merchant_key: impl Into<Secret>,
        merchant_salt: impl Into<Secret>,
    ) -> Self {
        Self {
            merchant_id: merchant_id.trim().to_owned(),
            merchant_key: merchant_key.into(),
            merchant_salt: merchant_salt.into(),
            environment: Environment::Production,
            base_url: None,
            transport: TransportConfig::default(),
            test_mode: false,
            debug_on: true,
            language: Language::Turkish,
            ok_url: None,
            fail_url: None,
            timeout_limit: None,
            test_notifications: TestNotifications::Flag,
        }
    }

    /// Sends requests to `url` (a simulator, a proxy) instead of the environment's host.
    pub fn with_base_url(mut self, url: &str) -> Self {
        self.base_url = Some(odeme_core::transport::normalize_base_url(url));
        self
    }

    /// Chooses the environment (ignored when a base URL is set).
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Sets the HTTP time-outs and user agent.
    pub fn with_transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Marks every payment as a test (`test_mode=1`), for a store that is already live.
    pub fn with_test_mode(mut self, test_mode: bool) -> Self {
        self.test_mode = test_mode;
        self
    }

    /// Whether PayTR returns integration errors in detail (`debug_on=1`) or hides them
    /// behind code 99.
    pub fn with_debug(mut self, debug_on: bool) -> Self {
        self.debug_on = debug_on;
        self
    }

    /// The language of PayTR's customer-facing pages (`client_lang`).
    pub fn with_language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// The `merchant_ok_url` and `merchant_fail_url` PayTR requires on every payment, used
    /// when a charge carries no 3-D Secure return URLs (non-3D, stored-card and recurring
    /// charges).
    pub fn with_return_urls(mut self, ok_url: &str, fail_url: &str) -> Self {
        self.ok_url = Some(ok_url.to_owned());
        self.fail_url = Some(fail_url.to_owned());
        self
    }

    /// How many minutes the customer has to finish a 3-D Secure payment (`timeout_limit`,
    /// PayTR's default is 30).
    pub fn with_timeout_limit(mut self, minutes: u16) -> Self {
        self.timeout_limit = Some(minutes);
        self
    }

    /// What to do with notifications PayTR flags as tests.
    pub fn with_test_notifications(mut self, handling: TestNotifications) -> Self {
        self.test_notifications = handling;
        self
    }

    /// The store number.
    pub fn merchant_id(&self) -> &str {
        &self.merchant_id
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.base_url
            .as_deref()
            .unwrap_or(self.environment.base_url())
    }

    fn check(&self) -> Result<()> {
        if self.merchant_id.is_empty() || !self.merchant_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Configuration(
                "PayTR merchant_id must be the store number (digits)".into(),
            ));
        }
        if self.merchant_key.is_empty() || self.merchant_salt.is_empty() {
            return Err(Error::Configuration(
                "PayTR merchant_key and merchant_salt must not be empty".into(),
            ));
        }
        match url::Url::parse(self.base_url()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err(Error::Configuration(
                    "PayTR base URL must be an absolute http(s) URL".into(),
                ))
            }
        }
        for (name, value) in [
            ("merchant_ok_url", &self.ok_url),
            ("merchant_fail_url", &self.fail_url),
        ] {
            if let Some(value) = value {
                crate::validate::paytr_url(name, value).map_err(|_| {
                    Error::Configuration(format!(
                        "PayTR {name} must be an absolute http(s) URL of at most 400 characters"
                    ))
                })?;
            }
        }
        Ok(())
    }
}

/// Every path the adapter sends to.
const PATHS: [&str; 7] = [
    "/odeme",
    "/odeme/iade",
    "/odeme/durum-sorgu",
    "/odeme/capi/list",
    "/odeme/capi/delete",
    "/odeme/api/bin-detail",
    "/odeme/taksit-oranlari",
];

/// The configured client: settings, signer and transport.
#[derive(Debug)]
pub(crate) struct Client {
    pub(crate) config: PaytrConfig,
    pub(crate) signer: Signer,
    transport: HttpTransport,
}

impl Client {
    pub(crate) fn new(config: PaytrConfig) -> Result<Self> {
        config.check()?;
        // Every endpoint's URL parsed once, not on each request.
        let transport = HttpTransport::new(ProviderId::Paytr, &config.transport)?
            .with_endpoints(Endpoints::new(config.base_url(), &PATHS));
        let signer = Signer::new(&config.merchant_key, config.merchant_salt.clone());
        Ok(Self {
            config,
            signer,
            transport,
        })
    }

    /// The full URL of a PayTR path.
    pub(crate) fn url(&self, path: &str) -> String {
        // Two copies into a buffer of the right size, without the formatting machinery.
        let base = self.config.base_url();
        let mut url = String::with_capacity(base.len() + path.len());
        url.push_str(base);
        url.push_str(path);
        url
    }

    pub(crate) fn test_mode_flag(&self) -> &'static str {
        if self.config.test_mode {
            "1"
        } else {
            "0"
        }
    }

    /// A form POST to `path`, exactly as it will be sent.
    pub(crate) fn form_request(
        &self,
        path: &str,
        form: &Form<'_>,
        operation: &'static str,
        kind: RequestKind,
        reference: &str,
    ) -> HttpRequest {
        HttpRequest::new("POST", self.url(path), operation, kind)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(form.encode().into_bytes())
            .reference(reference)
    }

    pub(crate) async fn send(&self, request: HttpRequest) -> Result<HttpResponse> {
        self.transport.send_owned(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_override_and_checks() {
        let c = PaytrConfig::new("100001", "k", "s");
        assert_eq!(c.base_url(), "https://www.paytr.com");
        let c = c.with_base_url("http://127.0.0.1:9/");
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
        assert!(Client::new(c).is_ok());
        for bad in [
            PaytrConfig::new("", "k", "s"),
            PaytrConfig::new("12a", "k", "s"),
            PaytrConfig::new("100001", "", "s"),
            PaytrConfig::new("100001", "k", ""),
            PaytrConfig::new("100001", "k", "s").with_base_url("not a url"),
            PaytrConfig::new("100001", "k", "s").with_return_urls("/ok", "https://x.example/f"),
        ] {
            assert!(matches!(Client::new(bad), Err(Error::Configuration(_))));
        }
    }

    #[test]
    fn endpoints_are_parsed_once_and_are_the_urls_sent_to() {
        let c =
            Client::new(PaytrConfig::new("100001", "k", "s").with_base_url("http://127.0.0.1:9/"))
                .unwrap();
        let endpoints = c.transport.endpoints();
        assert_eq!(endpoints.len(), PATHS.len());
        for path in PATHS {
            let url = c.url(path);
            assert_eq!(url, format!("http://127.0.0.1:9{path}"));
            assert_eq!(endpoints.get(&url).map(|u| u.as_str()), Some(url.as_str()));
        }
        assert_eq!(c.url("/elsewhere"), "http://127.0.0.1:9/elsewhere");
        // A base URL that does not serialize back to itself is parsed per request instead.
        let c =
            Client::new(PaytrConfig::new("100001", "k", "s").with_base_url("HTTP://LOCALHOST:9"))
                .unwrap();
        assert!(c.transport.endpoints().is_empty());
        assert_eq!(c.url("/odeme"), "HTTP://LOCALHOST:9/odeme");
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = PaytrConfig::new("100001", "VerySecretKey", "VerySecretSalt");
        let client = Client::new(c.clone()).unwrap();
        for text in [format!("{c:?}"), format!("{client:?}")] {
            assert!(text.contains("100001"));
            assert!(
                !text.contains("VerySecretKey") && !text.contains("VerySecretSalt"),
                "{text}"
            );
        }
    }
}
