//! odeme facade
