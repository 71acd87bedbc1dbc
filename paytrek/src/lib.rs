//! The paytrek adapter.
