//! The odeme conformance suite: one set of scenarios, written once against the neutral
//! traits, run against every adapter pointed at its own simulator in `odeme-sandbox`.
//!
//! Per-provider knowledge (test cards, decline cards, fault paths, notification shapes,
//! document gaps) lives in [`profiles`]; scenarios in [`scenarios`] never name a provider.
//! [`runner::run`] produces the [`report::Matrix`] that `tests/conformance.rs` writes to
//! `REPORT.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod browser;
pub mod capture;
pub mod fixtures;
pub mod harness;
pub mod profile;
pub mod profiles;
pub mod receiver;
pub mod report;
pub mod routing;
pub mod runner;
pub mod scenarios;

pub use harness::{Env, Fail};
pub use profile::Profile;
pub use report::{Cell, Matrix};
