//! The craftgate adapter.
