//! The TOML profile file: a default provider and one table of settings per provider.
//!
//! ```toml
//! provider = "paytr"
//!
//! [paytr]
//! base_url = "http://127.0.0.1:8601"
//! merchant_id = "100001"
//! merchant_key = "..."
//! merchant_salt = "..."
//!
//! # Optional: route across several providers (`--route` overrides it).
//! [router]
//! strategy = "failover"            # or "weighted", "weighted-random"
//! gateways = ["paytr", "craftgate"] # failover: in this order
//! # weights = { paytr = 70, craftgate = 30 }  # weighted strategies
//! # seed = 7                                  # weighted-random only
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::exit::{CliError, CliResult};

/// A parsed profile.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The provider used when neither `--provider` nor `ODEME_PROVIDER` names one.
    pub provider: Option<String>,
    /// Paytrek's settings.
    pub paytrek: Option<ProviderSection>,
    /// PayTR's settings.
    pub paytr: Option<ProviderSection>,
    /// Craftgate's settings.
    pub craftgate: Option<ProviderSection>,
    /// Routing across several providers, used when neither `--route`/`ODEME_ROUTE` nor
    /// `--provider`/`ODEME_PROVIDER` says otherwise.
    pub router: Option<RouterSection>,
}

/// The `[router]` table. Values are kept raw so that a wrong type is reported by
/// [`crate::route::RouteSpec::from_profile`] with a message about routing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterSection {
    /// `failover`, `weighted` or `weighted-random`; `weighted` when only `weights` is
    /// given, else `failover`.
    pub strategy: Option<String>,
    /// Failover's providers, in order.
    pub gateways: Option<toml::Value>,
    /// The weighted strategies' providers and weights.
    pub weights: Option<toml::Value>,
    /// Weighted-random's seed.
    pub seed: Option<toml::Value>,
}

/// One provider's settings. Every field has the name of its flag with `_` for `-`.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSection {
    /// The base URL.
    pub base_url: Option<String>,
    /// Paytrek / Craftgate API key.
    pub api_key: Option<String>,
    /// Paytrek / Craftgate secret key.
    pub secret_key: Option<String>,
    /// PayTR merchant id.
    pub merchant_id: Option<String>,
    /// PayTR merchant key.
    pub merchant_key: Option<String>,
    /// PayTR merchant salt.
    pub merchant_salt: Option<String>,
    /// PayTR `merchant_ok_url`.
    pub ok_url: Option<String>,
    /// PayTR `merchant_fail_url`.
    pub fail_url: Option<String>,
    /// Craftgate webhook key.
    pub webhook_key: Option<String>,
    /// Craftgate 3-D Secure callback key.
    pub three_ds_callback_key: Option<String>,
}

impl std::fmt::Debug for ProviderSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only which settings are present: the values are credentials.
        f.debug_struct("ProviderSection")
            .field("base_url", &self.base_url)
            .field("has_api_key", &self.api_key.is_some())
            .field("has_secret_key", &self.secret_key.is_some())
            .field("merchant_id", &self.merchant_id)
            .field("has_merchant_key", &self.merchant_key.is_some())
            .field("has_merchant_salt", &self.merchant_salt.is_some())
            .finish_non_exhaustive()
    }
}

impl ProviderSection {
    /// The value of setting `name` (a flag name with `_` for `-`).
    pub fn get(&self, name: &str) -> Option<&str> {
        let value = match name {
            "base_url" => &self.base_url,
            "api_key" => &self.api_key,
            "secret_key" => &self.secret_key,
            "merchant_id" => &self.merchant_id,
            "merchant_key" => &self.merchant_key,
            "merchant_salt" => &self.merchant_salt,
            "ok_url" => &self.ok_url,
            "fail_url" => &self.fail_url,
            "webhook_key" => &self.webhook_key,
            "three_ds_callback_key" => &self.three_ds_callback_key,
            _ => &None,
        };
        value.as_deref()
    }
}

impl Profile {
    /// Reads and parses the profile at `path`.
    pub fn load(path: &Path) -> CliResult<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::input(format!("cannot read the profile {}: {e}", path.display()))
        })?;
        Self::parse(&text)
            .map_err(|reason| CliError::input(format!("the profile {} {reason}", path.display())))
    }

    /// Parses profile text. The error never quotes the file, which holds secrets.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| {
                text.as_bytes()[..span.start.min(text.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1
            });
            let message = e.message().trim_end_matches('.');
            // serde quotes the offending value in type errors, and the value may be a key.
            let message =
                if message.starts_with("invalid type") || message.starts_with("invalid value") {
                    "a value has the wrong type (every setting is a quoted string)".to_owned()
                } else {
                    message.to_owned()
                };
            match line {
                Some(line) => format!("is invalid at line {line}: {message}"),
                None => format!("is invalid: {message}"),
            }
        })
    }

    /// The table for `provider` (`paytrek`, `paytr`, `craftgate`).
    pub fn section(&self, provider: &str) -> Option<&ProviderSection> {
        match provider {
            "paytrek" => self.paytrek.as_ref(),
            "paytr" => self.paytr.as_ref(),
            "craftgate" => self.craftgate.as_ref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables() {
        let profile = Profile::parse(
            "provider = \"paytr\"\n[paytr]\nmerchant_id = \"1\"\nmerchant_key = \"k\"\nbase_url = \"http://127.0.0.1:1\"\n",
        )
        .unwrap();
        assert_eq!(profile.provider.as_deref(), Some("paytr"));
        let paytr = profile.section("paytr").unwrap();
        assert_eq!(paytr.get("merchant_key"), Some("k"));
        assert_eq!(paytr.get("merchant_salt"), None);
        assert!(profile.section("craftgate").is_none());
    }

    #[test]
    fn errors_name_the_line_but_never_quote_it() {
        let err = Profile::parse(
            "[paytr]\nmerchant_key = \"TopSecretKey\"\nmerchant_sallt = \"TopSecretSalt\"\n",
        )
        .unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("merchant_sallt"), "{err}");
        assert!(!err.contains("TopSecret"), "{err}");
        let err = Profile::parse("[paytr]\nmerchant_key = \"TopSecretKey\n").unwrap_err();
        assert!(!err.contains("TopSecret"), "{err}");
        let err = Profile::parse("[paytr]\nmerchant_salt = 987654321\n").unwrap_err();
        assert!(!err.contains("987654321"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn debug_hides_keys() {
        let profile =
            Profile::parse("[craftgate]\napi_key = \"a\"\nsecret_key = \"VerySecret\"\n").unwrap();
        assert!(!format!("{profile:?}").contains("VerySecret"));
    }
}
