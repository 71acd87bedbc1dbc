//! The Paytrek v2 simulator (HTTP Basic Auth, JSON bodies).
//!
//! It serves every endpoint of the Paytrek v2 document under `/api/v2/` (with the trailing
//! slash the document prints), the hosted payment page at `/?token=<sale_token>` and a
//! simulated 3-D Secure bank page under `/bank/3ds/`.
//! `sandbox/docs/paytrek.md` lists the endpoints, the test cards and every deliberate
//! deviation from the real service.

mod auth;
mod bank;
mod bank_page;
mod cards;
mod errors;
mod hosted_page;
mod html;
mod installments;
mod pagination;
mod payments;
mod render;
mod request;
mod sales;
mod settlement;
mod state;
mod subscriptions;
pub mod test_cards;
mod vault;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::http::Method;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use crate::controls::Controls;
use crate::{Simulator, SimulatorCore};
use errors::ApiError;
use state::Store;

/// The API key and secret the simulator accepts (HTTP Basic Auth user and password).
#[derive(Clone, PartialEq, Eq)]
pub struct PaytrekCredentials {
    /// The API key (Basic Auth user name).
    pub api_key: String,
    /// The secret (Basic Auth password).
    pub secret: String,
}

impl std::fmt::Debug for PaytrekCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaytrekCredentials")
            .field("api_key", &self.api_key)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

impl Default for PaytrekCredentials {
    fn default() -> Self {
        Self {
            api_key: "sandbox-paytrek-api-key".into(),
            secret: "sandbox-paytrek-secret".into(),
        }
    }
}

/// State shared by the simulator's handlers.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) credentials: PaytrekCredentials,
    pub(crate) controls: Controls,
    store: Mutex<Store>,
    /// Known once the listener is bound; forward URLs and page links are built from it.
    base_url: OnceLock<String>,
}

impl Shared {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        // Handlers never panic half-way through a change, so a poisoned store is whole.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn base_url(&self) -> &str {
        self.base_url
            .get()
            .map_or("http://127.0.0.1", String::as_str)
    }
}

/// A running Paytrek simulator.
#[derive(Debug)]
pub struct PaytrekSimulator {
    core: SimulatorCore,
    shared: Arc<Shared>,
}

impl PaytrekSimulator {
    /// Starts the simulator on `addr` (port 0 picks a free port) with the default credentials.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_with_credentials(addr, PaytrekCredentials::default()).await
    }

    /// Starts the simulator on `addr` accepting `credentials`.
    pub async fn start_with_credentials(
        addr: SocketAddr,
        credentials: PaytrekCredentials,
    ) -> std::io::Result<Self> {
        let controls = Controls::default();
        let shared = Arc::new(Shared {
            credentials,
            controls: controls.clone(),
            store: Mutex::new(Store::default()),
            base_url: OnceLock::new(),
        });
        let core = crate::server::serve(addr, router(shared.clone()), controls).await?;
        let _ = shared.base_url.set(core.base_url.clone());
        Ok(Self { core, shared })
    }

    /// One line for the binary's start banner: provider, base URL and test credentials.
    pub fn banner_line(&self) -> String {
        format!(
            "paytrek    {}  api_key={} secret={}",
            self.core.base_url, self.shared.credentials.api_key, self.shared.credentials.secret
        )
    }

    /// The credentials the simulator accepts.
    pub fn credentials(&self) -> &PaytrekCredentials {
        &self.shared.credentials
    }

    /// The `status` of the sale with `sale_token`, as `GET /api/v2/sale/<token>/` shows it.
    pub fn sale_status(&self, sale_token: &str) -> Option<String> {
        self.shared
            .store()
            .sale(sale_token)
            .map(|s| s.status.as_str().to_owned())
    }

    /// How many sales the simulator holds.
    pub fn sale_count(&self) -> usize {
        self.shared.store().sales().len()
    }

    /// How many cards the vault holds.
    pub fn stored_card_count(&self) -> usize {
        self.shared.store().cards.len()
    }
}

impl Simulator for PaytrekSimulator {
    fn core(&self) -> &SimulatorCore {
        &self.core
    }
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/v2/sale/", post(sales::create).get(sales::list))
        .route("/api/v2/sale/{sale_token}/", get(sales::retrieve))
        .route("/api/v2/charge/", post(payments::charge))
        .route("/api/v2/direct_charge/", post(payments::direct_charge))
        .route(
            "/api/v2/charge_with_token/",
            post(payments::charge_with_token),
        )
        .route("/api/v2/vault/", post(vault::create).get(vault::list))
        .route(
            "/api/v2/vault/{card_token}/",
            get(vault::retrieve).delete(vault::delete),
        )
        .route("/api/v2/capture/", post(settlement::capture))
        .route("/api/v2/cancel/", post(settlement::cancel))
        .route("/api/v2/refund/", post(settlement::refund))
        .route(
            "/api/v2/subscription_plan/",
            post(subscriptions::create)
                .get(subscriptions::retrieve_by_query)
                .put(subscriptions::update_by_query),
        )
        .route(
            "/api/v2/subscription_plan/{plan_token}/",
            get(subscriptions::retrieve_by_path).put(subscriptions::update_by_path),
        )
        .route("/api/v2/installments/", get(installments::list))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            auth::require_basic_auth,
        ));
    let browser = Router::new()
        .route(
            "/bank/3ds/{session}",
            get(bank_page::show).post(bank_page::submit),
        )
        .route("/", get(hosted_page::show).post(hosted_page::submit));
    api.merge(browser)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(shared)
}
