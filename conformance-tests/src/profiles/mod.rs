//! The per-provider tables: one small file per adapter.

pub mod craftgate;
pub mod paytr;
pub mod paytrek;

use crate::profile::Profile;

/// Every provider's profile, in report column order.
pub fn all() -> Vec<&'static Profile> {
    vec![&paytrek::PROFILE, &paytr::PROFILE, &craftgate::PROFILE]
}
