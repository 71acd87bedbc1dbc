//! The Craftgate simulator (signed headers, `{"data"}` envelopes).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::controls::Controls;
use crate::{Simulator, SimulatorCore};

/// The API key and secret the simulator accepts (HTTP Basic Auth user and password).
#[derive(Clone, PartialEq, Eq)]
pub struct CraftgateCredentials {
    /// The API key (Basic Auth user name).
    pub api_key: String,
    /// The secret (Basic Auth password).
    pub secret: String,
}

impl std::fmt::Debug for CraftgateCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CraftgateCredentials")
            .field("api_key", &self.api_key)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl Default for CraftgateCredentials {
    fn default() -> Self {
        Self { api_key: "sandbox-paytrek-api-key".into(), secret: "sandbox-paytrek-secret".into() }
    }
}

/// State shared by the simulator's handlers.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) credentials: CraftgateCredentials,
    pub(crate) controls: Controls,
}

/// A running Paytrek simulator.
#[derive(Debug)]
pub struct CraftgateSimulator {
    core: SimulatorCore,
    state: Arc<State>,
}

impl CraftgateSimulator {
    /// Starts the simulator on `addr` (port 0 picks a free port) with the default credentials.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let controls = Controls::default();
        let state = Arc::new(State { credentials: CraftgateCredentials::default(), controls: controls.clone() });
        let core = crate::server::serve(addr, router(state.clone()), controls).await?;
        Ok(Self { core, state })
    }

    /// One line for the binary's start banner: provider, base URL and test credentials.
    pub fn banner_line(&self) -> String {
        format!("craftgate  {}  api_key={} secret={}", self.core.base_url, self.state.credentials.api_key, self.state.credentials.secret)
    }

    /// The credentials the simulator accepts.
    pub fn credentials(&self) -> &CraftgateCredentials {
        &self.state.credentials
    }
}

impl Simulator for CraftgateSimulator {
    fn core(&self) -> &SimulatorCore {
        &self.core
    }
}

fn router(state: Arc<State>) -> Router {
    Router::new().with_state(state)
}
