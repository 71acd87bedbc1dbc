//! Routing scenarios: two providers' simulators behind one
//! [`odeme::router::Router`], on each store.
//!
//! Each provider's column is a run with that provider as the primary gateway **A** and the
//! next provider (Paytrek → PayTR → Craftgate → Paytrek) as **B**. Every scenario runs on
//! the in-memory store and on a Redis store on a real `redis-server` (skipped, and said so,
//! when the machine has none; CI sets `ODEME_REQUIRE_REDIS=1` so it cannot be skipped).

/// A [`RoutingScenario`] named `$name` running the async fn `$body`.
macro_rules! routing {
    ($name:expr, $body:path) => {{
        fn run(env: &RoutingEnv) -> BoxFuture<'_, Check> {
            Box::pin($body(env))
        }
        RoutingScenario { name: $name, run }
    }};
}

mod learning;
mod scenarios;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use odeme::router::store::{MemoryStore, RedisStore, RedisStoreConfig};
use odeme::router::{RouterBuilder, RouterStore};
use odeme::{ChargeRequest, Gateway, LineItem, Money, PaymentSource, TransportConfig};
use odeme_sandbox::redis_server::RedisServer;
use odeme_sandbox::LedgerKind;
use rust_decimal::Decimal;

use crate::fixtures;
use crate::harness::{fail, Check, Fail};
use crate::profile::{BoxFuture, Family, Profile, SandboxSim, TestCard};
use crate::report::{Cell, Matrix};

pub use scenarios::all;

/// The name prefix of the routing rows of the report.
pub(crate) const ROUTING: &str = "routing ";

/// The name prefix of the approval-rate routing, explanation and sweeper rows.
pub(crate) const LEARNING: &str = "learning ";

/// A card every simulator approves.
pub const UNIVERSAL_CARD: TestCard = TestCard {
    number: "4355084355084358",
    cvc: "000",
};

/// How long one routing scenario may take.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);

/// Which store the routers of a scenario use.
#[derive(Clone)]
pub enum StoreKind {
    /// [`MemoryStore`], shared by the routers of one scenario.
    Memory,
    /// A [`RedisStore`] on this server, under a key prefix of the scenario's own.
    Redis(Arc<RedisServer>),
}

impl StoreKind {
    fn label(&self) -> &'static str {
        match self {
            StoreKind::Memory => "memory",
            StoreKind::Redis(_) => "redis",
        }
    }
}

/// One routing scenario: its name and its body.
#[derive(Clone, Copy)]
pub struct RoutingScenario {
    /// The name in the report.
    pub name: &'static str,
    /// The body.
    pub run: for<'a> fn(&'a RoutingEnv) -> BoxFuture<'a, Check>,
}

/// The world of one routing scenario: fresh simulators of A and B and a store.
pub struct RoutingEnv {
    /// The primary's profile.
    pub pa: &'static Profile,
    /// The second gateway's profile.
    pub pb: &'static Profile,
    /// The primary's simulator.
    pub a: Box<dyn SandboxSim>,
    /// The second gateway's simulator.
    pub b: Box<dyn SandboxSim>,
    store: Arc<dyn RouterStore>,
    tag: String,
    seq: AtomicU32,
}

impl RoutingEnv {
    async fn start(
        pa: &'static Profile,
        pb: &'static Profile,
        store: &StoreKind,
        tag: &str,
    ) -> Result<Self, String> {
        let a = (pa.start)()
            .await
            .map_err(|e| format!("cannot start {}: {e}", pa.provider))?;
        let b = (pb.start)()
            .await
            .map_err(|e| format!("cannot start {}: {e}", pb.provider))?;
        let tag: String = tag
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(6)
            .collect::<String>()
            .to_ascii_uppercase();
        let store: Arc<dyn RouterStore> = match store {
            StoreKind::Memory => Arc::new(MemoryStore::new()),
            StoreKind::Redis(server) => {
                let prefix = format!("odeme:conformance:{}:{}:", uuid_like(), tag);
                let config = RedisStoreConfig::new(&server.url()).with_key_prefix(&prefix);
                Arc::new(
                    RedisStore::connect(config)
                        .await
                        .map_err(|e| format!("cannot connect to redis: {e}"))?,
                )
            }
        };
        Ok(Self {
            pa,
            pb,
            a,
            b,
            store,
            tag,
            seq: AtomicU32::new(0),
        })
    }

    /// The names the routers give A and B.
    pub fn names(&self) -> (&'static str, &'static str) {
        (self.pa.provider.as_str(), self.pb.provider.as_str())
    }

    /// A fresh gateway of A (each router instance gets its own, as separate processes
    /// would), with a short time-out so a dead A is noticed quickly.
    pub fn gateway_a(&self) -> Result<Arc<dyn Gateway>, Fail> {
        self.a
            .gateway(short_transport())
            .map_err(|e| fail(format!("gateway A: {e}")))
    }

    /// A fresh gateway of B.
    pub fn gateway_b(&self) -> Result<Arc<dyn Gateway>, Fail> {
        self.b
            .gateway(short_transport())
            .map_err(|e| fail(format!("gateway B: {e}")))
    }

    /// A router builder with A and B (weights 1) on this scenario's store.
    pub fn builder(&self) -> Result<RouterBuilder, Fail> {
        let (a, b) = self.names();
        Ok(odeme::router::Router::builder()
            .gateway(a, self.gateway_a()?)
            .gateway(b, self.gateway_b()?)
            .store(self.store.clone()))
    }

    /// The scenario's store, to share between router instances.
    pub fn store(&self) -> Arc<dyn RouterStore> {
        self.store.clone()
    }

    /// A fresh order id every provider accepts.
    pub fn order_id(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        // Zero-padded: a counter that stood alone as `N739` would read as the test cards'
        // CVC 739 to the redaction scenario, which searches the whole run's logs.
        format!("RT{}{}N{n:06}", self.tag, uuid_like())
    }

    /// A 100.00 TRY sale of `card` for `order_id`.
    pub fn charge(&self, order_id: &str, card: TestCard) -> Result<ChargeRequest, Fail> {
        let amount = Money::positive("amount", Decimal::new(10_000, 2), self.pa.currency)
            .map_err(|e| fail(format!("bad test amount: {e}")))?;
        Ok(ChargeRequest::new(
            order_id,
            amount,
            PaymentSource::NewCard(fixtures::card(card)?),
            fixtures::customer(),
        )
        .with_billing(fixtures::billing())
        .with_items(vec![
            LineItem::new("Routing item", amount, 1).with_external_id("ITEM1")
        ]))
    }

    /// A's decline card of `family`.
    pub fn a_decline(&self, family: Family) -> Result<TestCard, Fail> {
        self.pa
            .declines
            .iter()
            .find(|d| d.family == family && !d.three_ds_failure && d.installments <= 1)
            .map(|d| d.card)
            .ok_or_else(|| fail(format!("{} has no {family:?} card", self.pa.provider)))
    }

    /// Takes A down: its port closes and connections are refused.
    pub async fn take_a_down(&self) {
        self.a.sim().server().take_down().await;
    }

    /// Brings A back up.
    pub async fn bring_a_up(&self) -> Check {
        self.a
            .sim()
            .server()
            .bring_up()
            .await
            .map_err(|e| fail(format!("A did not come back: {e}")))
    }

    /// Charges recorded for `order_id` in A's ledger.
    pub fn charges_at_a(&self, order_id: &str) -> usize {
        self.a
            .sim()
            .ledger()
            .for_order(order_id, LedgerKind::Charge)
            .len()
    }

    /// Charges recorded for `order_id` in B's ledger.
    pub fn charges_at_b(&self, order_id: &str) -> usize {
        self.b
            .sim()
            .ledger()
            .for_order(order_id, LedgerKind::Charge)
            .len()
    }
}

fn short_transport() -> TransportConfig {
    TransportConfig {
        timeout: Duration::from_secs(5),
        ..TransportConfig::default()
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 10_000_000_000)
        .unwrap_or(0);
    format!("{nanos}")
}

/// The provider after `provider` in `profiles`, cyclically.
fn partner(profiles: &[&'static Profile], index: usize) -> Option<&'static Profile> {
    let n = profiles.len();
    (n >= 2).then(|| profiles[(index + 1) % n])
}

async fn run_one(
    pa: &'static Profile,
    pb: &'static Profile,
    store: StoreKind,
    scenario: RoutingScenario,
) -> Cell {
    let task = tokio::spawn(async move {
        let env = RoutingEnv::start(pa, pb, &store, scenario.name)
            .await
            .map_err(Fail::Failed)?;
        tokio::time::timeout(SCENARIO_TIMEOUT, (scenario.run)(&env))
            .await
            .unwrap_or_else(|_| Err(fail(format!("timed out after {SCENARIO_TIMEOUT:?}"))))
    });
    match task.await {
        Ok(Ok(())) => Cell::Passed,
        Ok(Err(Fail::Failed(reason))) => Cell::Failed(reason),
        Ok(Err(Fail::Unsupported(capability, detail))) => {
            Cell::Failed(format!("unsupported {capability}: {detail}"))
        }
        Err(e) => Cell::Failed(format!("the scenario task failed or panicked: {e}")),
    }
}

/// The Redis server of the run, or why the Redis rows are skipped.
fn redis() -> Result<Option<Arc<RedisServer>>, String> {
    match odeme_sandbox::redis_server::start() {
        Ok(Some(server)) => Ok(Some(Arc::new(server))),
        Ok(None) => Ok(None),
        Err(e) => Err(format!(
            "redis-server is required (ODEME_REQUIRE_REDIS=1): {e}"
        )),
    }
}

/// Runs every routing scenario with each provider as the primary, on both stores, into
/// `matrix`.
pub async fn run(profiles: &[&'static Profile], matrix: &mut Matrix) {
    let redis = redis();
    if let Ok(None) = &redis {
        odeme_sandbox::redis_server::skip_notice("conformance routing scenarios on Redis");
    }
    let mut tasks = Vec::new();
    for (index, pa) in profiles.iter().copied().enumerate() {
        let Some(pb) = partner(profiles, index) else {
            continue;
        };
        let redis = redis.clone();
        tasks.push((
            pa.provider,
            tokio::spawn(async move { run_pair(pa, pb, redis).await }),
        ));
    }
    for (provider, task) in tasks {
        match task.await {
            Ok(rows) => {
                for (name, cell) in rows {
                    matrix.set(&name, provider, cell);
                }
            }
            Err(e) => matrix.set(
                &format!("{ROUTING}suite"),
                provider,
                Cell::Failed(format!("the routing run failed: {e}")),
            ),
        }
    }
}

async fn run_pair(
    pa: &'static Profile,
    pb: &'static Profile,
    redis: Result<Option<Arc<RedisServer>>, String>,
) -> Vec<(String, Cell)> {
    let mut rows = Vec::new();
    let stores: Vec<Result<StoreKind, Cell>> = vec![
        Ok(StoreKind::Memory),
        match &redis {
            Ok(Some(server)) => Ok(StoreKind::Redis(server.clone())),
            Ok(None) => Err(Cell::Skipped("no redis-server on this machine".into())),
            Err(e) => Err(Cell::Failed(e.clone())),
        },
    ];
    for store in stores {
        let label = match &store {
            Ok(kind) => kind.label(),
            Err(_) => "redis",
        };
        let sections = all()
            .into_iter()
            .map(|s| (ROUTING, s))
            .chain(learning::all().into_iter().map(|s| (LEARNING, s)));
        for (section, scenario) in sections {
            let name = format!("{section}({label}): {}", scenario.name);
            let cell = match &store {
                Ok(kind) => run_one(pa, pb, kind.clone(), scenario).await,
                Err(cell) => cell.clone(),
            };
            rows.push((name, cell));
        }
    }
    rows
}
