//! The Craftgate simulator: signed requests (`x-signature`), `{"data"}` / `{"errors"}`
//! envelopes, card payments with item splits, pre-authorization and capture, 3-D Secure with
//! a simulated bank page, refunds and item refunds, stored cards, installments and BINs,
//! payment search, signed webhooks and `x-idempotency-key`.
//!
//! `docs/craftgate.md` in this crate lists the endpoints, test credentials and test cards.

mod amount;
mod auth;
mod bank_page;
mod cards;
mod clock;
mod errors;
mod idempotency;
mod installments;
mod payments;
mod payouts;
mod refunds;
mod reporting;
pub mod signature;
mod state;
pub mod test_cards;
pub mod three_ds_hash;
mod views;
pub mod webhook;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::routing::{get, post};
use axum::Router;

use crate::controls::Controls;
use crate::{Simulator, SimulatorCore};

pub use webhook::{WebhookDelivery, WebhookEvent};

/// The keys the simulator accepts and signs with.
#[derive(Clone, PartialEq, Eq)]
pub struct CraftgateCredentials {
    /// The API key (`x-api-key`).
    pub api_key: String,
    /// The secret key that request signatures are made with.
    pub secret_key: String,
    /// The merchant's webhook ("hook") key that webhook signatures are made with.
    pub webhook_key: String,
    /// The merchant's 3-D Secure callback key that the callback `hash` is made with (a key
    /// of its own at Craftgate, not the secret key; see the notes §2).
    pub three_ds_callback_key: String,
}

impl std::fmt::Debug for CraftgateCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CraftgateCredentials")
            .field("api_key", &self.api_key)
            .field("secret_key", &"[REDACTED]")
            .field("webhook_key", &"[REDACTED]")
            .field("three_ds_callback_key", &"[REDACTED]")
            .finish()
    }
}

impl Default for CraftgateCredentials {
    fn default() -> Self {
        Self {
            api_key: "sandbox-craftgate-api-key".into(),
            secret_key: "sandbox-craftgate-secret-key".into(),
            webhook_key: "sandbox-craftgate-webhook-key".into(),
            three_ds_callback_key: "sandbox-craftgate-3ds-callback-key".into(),
        }
    }
}

/// State shared by the simulator's handlers.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) credentials: CraftgateCredentials,
    pub(crate) controls: Controls,
    base_url: OnceLock<String>,
    store: Mutex<state::Store>,
    pub(crate) clock: clock::Clock,
    pub(crate) idempotency: idempotency::Cache,
    webhook_url: Mutex<Option<String>>,
    deliveries: Arc<Mutex<Vec<WebhookDelivery>>>,
}

impl Shared {
    pub(crate) fn store(&self) -> MutexGuard<'_, state::Store> {
        // Handlers never panic while holding the lock on a half-made change, so a poisoned
        // store is still consistent.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or("")
    }

    /// Sends a webhook in the background when a webhook URL is configured.
    pub(crate) fn emit(&self, event_type: &str, status: &str, payload_id: u64) {
        let url = self
            .webhook_url
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(url) = url else { return };
        let event = self.event(event_type, status, &payload_id.to_string());
        let key = self.credentials.webhook_key.clone();
        let deliveries = self.deliveries.clone();
        tokio::spawn(async move {
            let delivery = webhook::deliver(&url, &key, event).await;
            deliveries
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(delivery);
        });
    }

    fn event(&self, event_type: &str, status: &str, payload_id: &str) -> WebhookEvent {
        WebhookEvent {
            event_type: event_type.to_owned(),
            event_time: clock::format(self.clock.now()),
            event_timestamp: self.clock.unix_now(),
            status: status.to_owned(),
            payload_id: payload_id.to_owned(),
        }
    }
}

/// A running Craftgate simulator.
#[derive(Debug)]
pub struct CraftgateSimulator {
    core: SimulatorCore,
    shared: Arc<Shared>,
}

impl CraftgateSimulator {
    /// Starts the simulator on `addr` (port 0 picks a free port) with the default credentials.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_with(addr, CraftgateCredentials::default()).await
    }

    /// Starts the simulator on `addr` accepting `credentials`.
    pub async fn start_with(
        addr: SocketAddr,
        credentials: CraftgateCredentials,
    ) -> std::io::Result<Self> {
        let controls = Controls::default();
        let shared = Arc::new(Shared {
            credentials,
            controls: controls.clone(),
            base_url: OnceLock::new(),
            store: Mutex::new(state::Store::default()),
            clock: clock::Clock::default(),
            idempotency: idempotency::Cache::default(),
            webhook_url: Mutex::new(None),
            deliveries: Arc::new(Mutex::new(Vec::new())),
        });
        let core = crate::server::serve(addr, router(shared.clone()), controls).await?;
        let _ = shared.base_url.set(core.base_url.clone());
        Ok(Self { core, shared })
    }

    /// One line for the binary's start banner: provider, base URL and test credentials.
    pub fn banner_line(&self) -> String {
        let c = &self.shared.credentials;
        format!(
            "craftgate  {}  api_key={} secret_key={} webhook_key={} three_ds_callback_key={}",
            self.core.base_url, c.api_key, c.secret_key, c.webhook_key, c.three_ds_callback_key
        )
    }

    /// The credentials the simulator accepts.
    pub fn credentials(&self) -> &CraftgateCredentials {
        &self.shared.credentials
    }

    /// Moves the simulator's clock forward, e.g. by a day so that a refund of an earlier
    /// payment is a `REFUND` rather than a same-day `CANCEL`.
    pub fn advance_clock(&self, by: std::time::Duration) {
        let by = time::Duration::try_from(by).unwrap_or(time::Duration::MAX);
        self.shared.clock.advance(by);
    }

    /// Marks a payment as settled (passed to the bank's end of day), so that refunding it is a
    /// `REFUND` even on the day it was made. Returns whether the payment exists.
    pub fn settle_payment(&self, payment_id: u64) -> bool {
        match self.shared.store().payments.get_mut(&payment_id) {
            Some(payment) => {
                payment.settled = true;
                true
            }
            None => false,
        }
    }

    /// The simulated bank page of a 3-D Secure payment (see `docs/craftgate.md`).
    pub fn bank_page_url(&self, payment_id: u64) -> String {
        format!(
            "{}{}{payment_id}",
            self.core.base_url,
            bank_page::PATH_PREFIX
        )
    }

    /// Where webhooks are POSTed (`None` stops sending them).
    pub fn set_webhook_url(&self, url: Option<String>) {
        *self
            .shared
            .webhook_url
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = url;
    }

    /// Sends one signed webhook now and returns how it went; `None` when no URL is set.
    pub async fn trigger_webhook(
        &self,
        event_type: &str,
        status: &str,
        payload_id: &str,
    ) -> Option<WebhookDelivery> {
        let url = self
            .shared
            .webhook_url
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()?;
        let event = self.shared.event(event_type, status, payload_id);
        let delivery = webhook::deliver(&url, &self.shared.credentials.webhook_key, event).await;
        self.shared
            .deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(delivery.clone());
        Some(delivery)
    }

    /// Every webhook delivery attempted so far, oldest first (background ones included once
    /// they finish).
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared
            .deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Simulator for CraftgateSimulator {
    fn core(&self) -> &SimulatorCore {
        &self.core
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/payment/v1/card-payments", post(payments::create))
        .route(
            "/payment/v1/card-payments/3ds-init",
            post(payments::init_three_ds),
        )
        .route(
            "/payment/v1/card-payments/3ds-complete",
            post(payments::complete_three_ds),
        )
        .route("/payment/v1/card-payments/{id}", get(payments::retrieve))
        .route(
            "/payment/v1/card-payments/{id}/post-auth",
            post(payments::post_auth),
        )
        .route("/payment/v1/refunds", post(refunds::refund_payment))
        .route("/payment/v1/refunds/{id}", get(refunds::retrieve_refund))
        .route(
            "/payment/v1/refund-transactions",
            post(refunds::refund_transaction),
        )
        .route(
            "/payment/v1/refund-transactions/{id}",
            get(refunds::retrieve_transaction_refund),
        )
        .route("/payment/v1/cards", post(cards::store).get(cards::search))
        .route("/payment/v1/cards/delete", post(cards::delete))
        .route("/installment/v1/installments", get(installments::search))
        .route("/installment/v1/bins/{bin}", get(installments::bin))
        .route("/payment-reporting/v1/payments", get(reporting::search))
        .route(
            "/payment-reporting/v1/payments/{id}",
            get(reporting::retrieve),
        )
        .route(
            "/payment-reporting/v1/payments/{id}/refunds",
            get(reporting::refunds),
        )
        .route(
            "/payment-reporting/v1/payments/{id}/transactions",
            get(reporting::transactions),
        )
        .route(
            "/payment-reporting/v1/refund-transactions",
            get(reporting::search_transaction_refunds),
        )
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            idempotency::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            auth::layer,
        ));
    let bank = Router::new().route(
        &format!("{}{{id}}", bank_page::PATH_PREFIX),
        get(bank_page::show).post(bank_page::submit),
    );
    api.merge(bank)
        .fallback(errors::unknown_route)
        .with_state(shared)
}
