//! # odeme
//!
//! Card payments through **Paytrek**, **PayTR** and **Craftgate** behind one
//! provider-neutral API. This facade re-exports [`odeme_core`] and, per cargo feature
//! (`paytrek`, `paytr`, `craftgate`, all on by default), each adapter, and (feature
//! `router`, on by default) the [`router`] that routes across several gateways; feature
//! `redis` adds the router's Redis store.
//!
//! ```toml
//! # only PayTR:
//! odeme = { version = "0.1", default-features = false, features = ["paytr"] }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use odeme_core::*;

/// The provider-neutral core, also re-exported at the crate root.
pub use odeme_core as core;

/// The Paytrek v2 adapter.
#[cfg(feature = "paytrek")]
pub use odeme_paytrek as paytrek;

/// The PayTR adapter.
#[cfg(feature = "paytr")]
pub use odeme_paytr as paytr;

/// The Craftgate adapter.
#[cfg(feature = "craftgate")]
pub use odeme_craftgate as craftgate;

/// Routing across gateways: failover, weighted load-balancing, circuit breakers and
/// exactly-once charges ([`router::Router`] is itself a [`Gateway`]).
#[cfg(feature = "router")]
pub use odeme_router as router;
