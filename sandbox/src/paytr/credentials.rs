//! The merchant credentials the simulator accepts.

/// A PayTR store's integration credentials ("Mağaza No", "Mağaza Parola", "Mağaza Gizli
/// Anahtar"). The key signs every `paytr_token`; the salt is mixed into every message.
#[derive(Clone, PartialEq, Eq)]
pub struct PaytrCredentials {
    /// The store number (`merchant_id`), sent in clear with every request.
    pub merchant_id: String,
    /// The HMAC key (`merchant_key`); never sent over the wire.
    pub merchant_key: String,
    /// The salt (`merchant_salt`) appended to (or, in notifications, inserted into) every
    /// signed message; never sent over the wire.
    pub merchant_salt: String,
}

impl std::fmt::Debug for PaytrCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaytrCredentials")
            .field("merchant_id", &self.merchant_id)
            .field("merchant_key", &"[REDACTED]")
            .field("merchant_salt", &"[REDACTED]")
            .finish()
    }
}

impl Default for PaytrCredentials {
    /// Fixed test credentials, so a user can paste them from the banner into a config.
    fn default() -> Self {
        Self {
            merchant_id: "100001".into(),
            merchant_key: "SandboxPaytrKey1".into(),
            merchant_salt: "SandboxPaytrSalt".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_key_and_salt() {
        let text = format!("{:?}", PaytrCredentials::default());
        assert!(text.contains("100001"));
        assert!(!text.contains("SandboxPaytrKey1"));
        assert!(!text.contains("SandboxPaytrSalt"));
    }
}
