//! The PayTR simulator: Direct API payments (`/odeme`), card storage (`/odeme/capi/*`),
//! refunds (`/odeme/iade`), the status query (`/odeme/durum-sorgu`), the BIN lookup
//! (`/odeme/api/bin-detail`), the installment rates (`/odeme/taksit-oranlari`) and the
//! signed payment-result notification. Every call is a form POST carrying a `paytr_token`.
//!
//! See `sandbox/docs/paytr.md` for the test cards and how to drive the bank page.

mod amount;
mod bank_page;
mod bins;
mod cards;
mod credentials;
mod form;
mod installments;
mod notify;
mod payment;
mod rates;
mod refund;
mod settle;
mod state;
mod status;
pub mod test_cards;
mod token;
mod validate;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

pub use self::credentials::PaytrCredentials;
use self::notify::Notifier;
pub use self::notify::{NotificationSettings, SentNotification};
use self::state::{Ack, Store};
use crate::controls::Controls;
use crate::{Simulator, SimulatorCore};

mod responses;

/// Environment variable the simulator reads at start for its notification URL.
pub const NOTIFICATION_URL_ENV: &str = "ODEME_SANDBOX_PAYTR_NOTIFICATION_URL";
/// Environment variable for the pause between notification attempts, in milliseconds.
pub const NOTIFICATION_RETRY_MS_ENV: &str = "ODEME_SANDBOX_PAYTR_NOTIFICATION_RETRY_MS";
/// Environment variable for the number of notification attempts.
pub const NOTIFICATION_ATTEMPTS_ENV: &str = "ODEME_SANDBOX_PAYTR_NOTIFICATION_ATTEMPTS";

/// State shared by the simulator's handlers.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) credentials: PaytrCredentials,
    pub(crate) controls: Controls,
    pub(crate) notifier: Notifier,
    /// Whether `/odeme/taksit-oranlari` writes its rates as JSON strings.
    pub(crate) rates_as_strings: AtomicBool,
    store: Mutex<Store>,
}

impl Shared {
    /// The simulator's memory. Never held across an `.await`.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running PayTR simulator.
#[derive(Debug)]
pub struct PaytrSimulator {
    core: SimulatorCore,
    shared: Arc<Shared>,
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message)
}

fn settings_from_env() -> std::io::Result<NotificationSettings> {
    let mut settings = NotificationSettings::default();
    if let Ok(url) = std::env::var(NOTIFICATION_URL_ENV) {
        if !url.is_empty() {
            if !notify::loopback_url(&url) {
                return Err(invalid(format!(
                    "{NOTIFICATION_URL_ENV} must be a loopback http(s) URL"
                )));
            }
            settings.url = Some(url);
        }
    }
    if let Ok(ms) = std::env::var(NOTIFICATION_RETRY_MS_ENV) {
        let ms = ms
            .parse()
            .map_err(|_| invalid(format!("{NOTIFICATION_RETRY_MS_ENV} must be a number")))?;
        settings.retry_interval = Duration::from_millis(ms);
    }
    if let Ok(n) = std::env::var(NOTIFICATION_ATTEMPTS_ENV) {
        settings.max_attempts = n
            .parse()
            .map_err(|_| invalid(format!("{NOTIFICATION_ATTEMPTS_ENV} must be a number")))?;
    }
    Ok(settings)
}

impl PaytrSimulator {
    /// Starts the simulator on `addr` (port 0 picks a free port) with the default
    /// credentials; the notification settings come from the `ODEME_SANDBOX_PAYTR_*`
    /// environment variables, if set.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_with(addr, PaytrCredentials::default(), settings_from_env()?).await
    }

    /// Starts the simulator with the given credentials and notification settings.
    pub async fn start_with(
        addr: SocketAddr,
        credentials: PaytrCredentials,
        settings: NotificationSettings,
    ) -> std::io::Result<Self> {
        if let Some(url) = settings.url.as_deref().filter(|u| !notify::loopback_url(u)) {
            return Err(invalid(format!(
                "notification URL {url} is not a loopback http(s) URL"
            )));
        }
        let controls = Controls::default();
        let shared = Arc::new(Shared {
            credentials,
            controls: controls.clone(),
            notifier: Notifier::new(settings),
            rates_as_strings: AtomicBool::new(false),
            store: Mutex::new(Store::default()),
        });
        let core = crate::server::serve(addr, router(shared.clone()), controls).await?;
        Ok(Self { core, shared })
    }

    /// One line for the binary's start banner: provider, base URL and test credentials.
    pub fn banner_line(&self) -> String {
        let c = &self.shared.credentials;
        format!(
            "paytr      {}  merchant_id={} merchant_key={} merchant_salt={}",
            self.core.base_url, c.merchant_id, c.merchant_key, c.merchant_salt
        )
    }

    /// The credentials the simulator accepts.
    pub fn credentials(&self) -> &PaytrCredentials {
        &self.shared.credentials
    }

    /// Sets the merchant's notification URL ("Bildirim URL"). Only loopback http(s) URLs
    /// are accepted: the simulator never calls out of the machine.
    pub fn set_notification_url(&self, url: &str) -> std::io::Result<()> {
        if !notify::loopback_url(url) {
            return Err(invalid(format!(
                "notification URL {url} is not a loopback http(s) URL"
            )));
        }
        self.shared.notifier.settings().url = Some(url.to_owned());
        Ok(())
    }

    /// Stops sending notifications (they are still recorded, see [`Self::notifications_sent`]).
    pub fn clear_notification_url(&self) {
        self.shared.notifier.settings().url = None;
    }

    /// Sets the pause between notification attempts and how many attempts are made.
    pub fn set_notification_retry(&self, retry_interval: Duration, max_attempts: u32) {
        let mut settings = self.shared.notifier.settings();
        settings.retry_interval = retry_interval;
        settings.max_attempts = max_attempts;
    }

    /// The current notification settings.
    pub fn notification_settings(&self) -> NotificationSettings {
        self.shared.notifier.settings().clone()
    }

    /// Every notification produced so far, oldest first, with its delivery state.
    pub fn notifications_sent(&self) -> Vec<SentNotification> {
        self.shared.notifier.sent()
    }

    /// Whether the merchant answered `OK` to a notification of this order.
    pub fn notification_acknowledged(&self, merchant_oid: &str) -> bool {
        self.shared
            .store()
            .orders
            .get(merchant_oid)
            .is_some_and(|o| o.ack == Ack::Acknowledged)
    }

    /// Makes `/odeme/taksit-oranlari` write its rates as JSON strings (`"2.06"`) instead
    /// of numbers (`2.06`, the default): the project reads PayTR as sending either.
    pub fn set_installment_rates_as_strings(&self, as_strings: bool) {
        self.shared
            .rates_as_strings
            .store(as_strings, Ordering::Relaxed);
    }

    /// How many cards are stored under `utoken`.
    pub fn stored_card_count(&self, utoken: &str) -> usize {
        self.shared.store().users.get(utoken).map_or(0, Vec::len)
    }

    /// The `merchant_oid` of every order the simulator keeps, whatever its state, sorted:
    /// PayTR has no order list, so tests read each one back through the status query.
    pub fn order_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.shared.store().orders.keys().cloned().collect();
        ids.sort();
        ids
    }
}

impl Simulator for PaytrSimulator {
    fn core(&self) -> &SimulatorCore {
        &self.core
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/odeme", post(payment::handle))
        .route(
            "/odeme/3d/{id}",
            get(bank_page::show).post(bank_page::submit),
        )
        .route("/odeme/capi/list", post(cards::list))
        .route("/odeme/capi/delete", post(cards::delete))
        .route("/odeme/iade", post(refund::handle))
        .route("/odeme/durum-sorgu", post(status::handle))
        .route("/odeme/api/bin-detail", post(installments::bin_detail))
        .route("/odeme/taksit-oranlari", post(installments::rates))
        .with_state(shared)
}
