//! One scenario run: a fresh simulator, a gateway pointed at it, a merchant-side receiver,
//! and the helpers scenarios share. Also the pass/unsupported/fail vocabulary.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use odeme::{
    Capability, ChargeRequest, CompleteThreeDsRequest, Error, Gateway, GatewayExt, Payment,
    StatusQuery, TransportConfig,
};

use crate::browser::{BankChoice, Browser};
use crate::profile::{Profile, SandboxSim};
use crate::receiver::{Receiver, FAIL_PATH, RETURN_PATH};

/// Why a scenario did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fail {
    /// The gateway answered with the typed unsupported error for this capability.
    Unsupported(Capability, String),
    /// Something was wrong.
    Failed(String),
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Unsupported(capability, detail) => {
                write!(f, "unsupported {capability}: {detail}")
            }
            Fail::Failed(reason) => f.write_str(reason),
        }
    }
}

impl From<Error> for Fail {
    fn from(error: Error) -> Self {
        match error {
            Error::Unsupported {
                capability, detail, ..
            } => Fail::Unsupported(capability, detail),
            other => Fail::Failed(format!("unexpected error: {other} ({other:?})")),
        }
    }
}

/// What a scenario returns.
pub type Check = Result<(), Fail>;

/// Fails the scenario with a formatted message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::harness::Fail::Failed(format!($($msg)+)));
        }
    };
}

/// Fails the scenario unless the two values are equal.
#[macro_export]
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (left, right) = (&$left, &$right);
        if left != right {
            return Err($crate::harness::Fail::Failed(format!(
                "{}: expected {:?}, got {:?}", format!($($msg)+), right, left
            )));
        }
    }};
}

/// Shorthand for a failure.
pub fn fail(message: impl Into<String>) -> Fail {
    Fail::Failed(message.into())
}

/// The world one scenario runs in.
pub struct Env {
    /// The provider's profile.
    pub profile: &'static Profile,
    /// Its simulator, fresh for this scenario.
    pub sandbox: Box<dyn SandboxSim>,
    /// A gateway pointed at the simulator.
    pub gateway: Arc<dyn Gateway>,
    /// The merchant's server.
    pub receiver: Receiver,
    tag: String,
    seq: AtomicU32,
}

impl Env {
    /// Starts a simulator, a receiver and a gateway for `profile`. `tag` keeps order ids of
    /// different scenarios apart in logs.
    pub async fn start(profile: &'static Profile, tag: &str) -> Result<Self, String> {
        let sandbox = (profile.start)()
            .await
            .map_err(|e| format!("cannot start the simulator: {e}"))?;
        let gateway = sandbox
            .gateway(TransportConfig::default())
            .map_err(|e| format!("cannot build the gateway: {e}"))?;
        let receiver = Receiver::start()
            .await
            .map_err(|e| format!("cannot start the receiver: {e}"))?;
        receiver.verify_with(gateway.clone());
        let tag: String = tag
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        Ok(Self {
            profile,
            sandbox,
            gateway,
            receiver,
            tag,
            seq: AtomicU32::new(0),
        })
    }

    /// A fresh, alphanumeric order id (every provider accepts those).
    pub fn order_id(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() % 100_000_000)
            .unwrap_or(0);
        format!("CT{}{stamp}N{n}", self.tag.to_ascii_uppercase())
    }

    /// A gateway on the same simulator with a shorter time-out.
    pub fn gateway_with_timeout(&self, timeout: Duration) -> Result<Arc<dyn Gateway>, Fail> {
        let transport = TransportConfig {
            timeout,
            ..TransportConfig::default()
        };
        self.sandbox.gateway(transport).map_err(Fail::from)
    }

    /// The payment as the provider knows it now, by payment id where the gateway looks
    /// payments up that way, else by order id.
    pub async fn status_of(&self, payment: &Payment) -> Result<Payment, Fail> {
        let query = if self.gateway.supports(Capability::StatusByPaymentId) {
            StatusQuery::PaymentId(payment.id.clone())
        } else {
            StatusQuery::OrderId(payment.order_id.clone())
        };
        Ok(self.gateway.require_status_query()?.status(&query).await?)
    }

    /// The payment looked up by the merchant's order id.
    pub async fn status_by_order(&self, order_id: &str) -> Result<Payment, Error> {
        self.gateway
            .require_status_query()?
            .status(&StatusQuery::OrderId(order_id.to_owned()))
            .await
    }

    /// How many requests reached the simulator so far.
    pub fn requests_seen(&self) -> usize {
        self.sandbox.sim().requests().count()
    }

    /// How many ledger entries the simulator has.
    pub fn ledger_len(&self) -> usize {
        self.sandbox.sim().ledger().len()
    }

    /// Where 3-D Secure sends the customer back.
    pub fn return_url(&self) -> String {
        self.receiver.url(RETURN_PATH)
    }

    /// Runs a 3-D Secure charge through the bank page: starts it, has the browser answer
    /// the bank with `choice`, and completes it with what the browser brought back.
    pub async fn three_ds_charge(
        &self,
        request: &ChargeRequest,
        choice: BankChoice,
    ) -> Result<Payment, Error> {
        let charges = self.gateway.require_charges()?;
        let started = match request.stored_card() {
            Some(_) => {
                self.gateway
                    .require_stored_card_charges()?
                    .charge_stored_card(request)
                    .await?
            }
            None => charges.charge(request).await?,
        };
        self.finish_three_ds(request, &started, choice).await
    }

    /// Finishes a started 3-D Secure payment: the browser answers the bank page with
    /// `choice`, and the gateway completes the payment with what the browser brought back.
    /// A harness failure (the browser lost its way) is reported as a configuration error.
    pub async fn finish_three_ds(
        &self,
        request: &ChargeRequest,
        started: &Payment,
        choice: BankChoice,
    ) -> Result<Payment, Error> {
        let Some(action) = started.next_action.clone() else {
            return Err(Error::invalid(
                "three_ds",
                format!("no next action; status {}", started.status),
            ));
        };
        let before = self.receiver.received().len();
        let browser = Browser::new(self.receiver.base_url()).map_err(Error::Configuration)?;
        let landing = browser
            .complete(&action, choice)
            .await
            .map_err(|e| Error::Configuration(format!("browser: {e}")))?;
        let path = url::Url::parse(&landing.url)
            .map(|u| u.path().to_owned())
            .unwrap_or_default();
        let callback = self
            .receiver
            .wait_for(&path, before, Duration::from_secs(5), |_| true)
            .await
            .map(|r| r.request)
            .ok_or_else(|| {
                Error::Configuration(format!("the browser's return to {path} was not received"))
            })?;
        let completion = CompleteThreeDsRequest {
            order_id: Some(request.order_id.clone()),
            payment_id: Some(started.id.clone()),
            callback,
            currency: Some(request.amount.currency()),
        };
        self.gateway
            .require_three_ds()?
            .complete_three_ds(&completion)
            .await
    }

    /// The failure URL, for providers that send failed 3-D Secure payments elsewhere.
    pub fn fail_url(&self) -> String {
        self.receiver.url(FAIL_PATH)
    }
}

/// Expects `result` to be an error of kind `kind`, and returns it.
pub fn expect_err<T: fmt::Debug>(result: Result<T, Error>, what: &str) -> Result<Error, Fail> {
    match result {
        Ok(value) => Err(fail(format!("{what}: expected an error, got {value:?}"))),
        Err(Error::Unsupported {
            capability, detail, ..
        }) => Err(Fail::Unsupported(capability, detail)),
        Err(error) => Ok(error),
    }
}
