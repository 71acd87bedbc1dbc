//! The paytr adapter.
