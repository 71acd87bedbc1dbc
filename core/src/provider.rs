//! Which provider a gateway, result or error belongs to.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A payment provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProviderId {
    /// Paytrek (v2 API).
    Paytrek,
    /// PayTR (Direct API and card storage).
    Paytr,
    /// Craftgate.
    Craftgate,
}

impl ProviderId {
    /// The lowercase name (`paytrek`, `paytr`, `craftgate`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Paytrek => "paytrek",
            ProviderId::Paytr => "paytr",
            ProviderId::Craftgate => "craftgate",
        }
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ProviderId {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "paytrek" => Ok(ProviderId::Paytrek),
            "paytr" => Ok(ProviderId::Paytr),
            "craftgate" => Ok(ProviderId::Craftgate),
            _ => Err(crate::Error::invalid(
                "provider",
                format!("unknown provider `{s}`"),
            )),
        }
    }
}
