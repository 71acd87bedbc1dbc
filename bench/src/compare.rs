//! The `compare` mode: each adapter through the facade against a raw `reqwest::Client`
//! sending the same wire request, a floor client building it (see `floor`) and the floor
//! with the adapter's checks and mapping (see `contract`), all to a canned-answer server in
//! this process.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use odeme::{GatewayExt, PaymentStatus};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::canned::{CannedServer, Captured};
use crate::contract::ContractClient;
use crate::floor::FloorClient;
use crate::load::{self, median, Meter, RunResult};
use crate::provider::{canned_adapter, canned_gateway, charge_request, Provider};

/// What `compare` is asked to do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Providers to measure.
    pub providers: Vec<Provider>,
    /// Payments per run.
    pub payments: usize,
    /// In-flight levels.
    pub concurrency: Vec<usize>,
    /// Runs per cell; medians are reported.
    pub repeats: usize,
    /// How long the canned server takes to answer each request.
    pub answer_delay: Duration,
}

/// The medians of one provider × concurrency cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The provider.
    pub provider: Provider,
    /// Payments in flight.
    pub in_flight: usize,
    /// Through the adapter.
    pub odeme: Summary,
    /// Through the raw client.
    pub raw: Summary,
    /// Through the floor client (see `floor`).
    pub floor: Summary,
    /// The median of the per-repeat ratios odeme/raw of payments per second.
    pub ratio: f64,
    /// The median of the per-repeat ratios floor/raw.
    pub floor_ratio: f64,
    /// Through the floor client with the adapter's checks and mapping (see `contract`).
    pub contract: Summary,
    /// The median of the per-repeat ratios contract/raw.
    pub contract_ratio: f64,
}

/// Medians over the repeats of one side of a cell.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Payments per second.
    pub per_second: f64,
    /// Median latency, µs.
    pub p50_us: f64,
    /// 99th percentile latency, µs.
    pub p99_us: f64,
    /// Peak heap above the baseline divided by the payments in flight, bytes.
    pub heap_per_in_flight: f64,
    /// Allocations per payment.
    pub allocations: f64,
    /// Process CPU time per payment, µs (client, adapter and server together).
    pub cpu_us: f64,
    /// Failed payments over all repeats (must be 0).
    pub failed: usize,
}

/// Runs the plan and returns one cell per provider × concurrency.
pub async fn run(plan: &Plan) -> Result<Vec<Cell>, String> {
    let mut cells = Vec::new();
    for &provider in &plan.providers {
        let server = CannedServer::start(provider, plan.answer_delay)
            .await
            .map_err(|e| e.to_string())?;
        let gateway = canned_gateway(provider, &server.base_url).map_err(|e| e.to_string())?;
        let request = Arc::new(charge_request(provider, "BENCH1").map_err(|e| e.to_string())?);
        let first = gateway
            .require_charges()
            .map_err(|e| e.to_string())?
            .charge(&request)
            .await
            .map_err(|e| format!("{}: the first charge failed: {e}", provider.name()))?;
        if first.status != PaymentStatus::Succeeded {
            return Err(format!(
                "{}: first charge is {}",
                provider.name(),
                first.status
            ));
        }
        let captured = server
            .captured()
            .ok_or_else(|| format!("{}: the server saw no request", provider.name()))?;
        let raw = Arc::new(RawRequest::new(&server.base_url, &captured)?);
        let floor = Arc::new(FloorClient::new(
            provider,
            &server.base_url,
            &captured,
            charge_request(provider, "BENCH1").map_err(|e| e.to_string())?,
            plain_client()?,
        )?);
        // The floor's own client and pool: the sides run one after another, never together.
        let contract = Arc::new(ContractClient::new(
            Arc::clone(&floor),
            canned_adapter(provider, &server.base_url).map_err(|e| e.to_string())?,
        ));
        for &in_flight in &plan.concurrency {
            let odeme_side = {
                let (gateway, request) = (Arc::clone(&gateway), Arc::clone(&request));
                move |_: usize| {
                    let (gateway, request) = (Arc::clone(&gateway), Arc::clone(&request));
                    async move {
                        match gateway.require_charges() {
                            Ok(charges) => charges
                                .charge(&request)
                                .await
                                .is_ok_and(|p| p.status == PaymentStatus::Succeeded),
                            Err(_) => false,
                        }
                    }
                }
            };
            let raw_side = {
                let raw = Arc::clone(&raw);
                move |_: usize| {
                    let raw = Arc::clone(&raw);
                    async move { raw.send().await }
                }
            };
            let floor_side = {
                let floor = Arc::clone(&floor);
                move |_: usize| {
                    let floor = Arc::clone(&floor);
                    async move { floor.send().await }
                }
            };
            let contract_side = {
                let contract = Arc::clone(&contract);
                move |_: usize| {
                    let contract = Arc::clone(&contract);
                    async move { contract.send().await }
                }
            };
            // Warm every pool up to `in_flight` connections before anything is measured.
            let warm = (in_flight * 4).max(200);
            load::run(warm, in_flight, Meter::Speed, odeme_side.clone()).await;
            load::run(warm, in_flight, Meter::Speed, raw_side.clone()).await;
            load::run(warm, in_flight, Meter::Speed, floor_side.clone()).await;
            load::run(warm, in_flight, Meter::Speed, contract_side.clone()).await;
            let (mut odeme_runs, mut raw_runs, mut floor_runs, mut contract_runs) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..plan.repeats.max(1) {
                let n = plan.payments;
                odeme_runs.push(load::run(n, in_flight, Meter::Speed, odeme_side.clone()).await);
                raw_runs.push(load::run(n, in_flight, Meter::Speed, raw_side.clone()).await);
                floor_runs.push(load::run(n, in_flight, Meter::Speed, floor_side.clone()).await);
                contract_runs
                    .push(load::run(n, in_flight, Meter::Speed, contract_side.clone()).await);
            }
            // Heap and allocations from runs of their own, counted (see `alloc`).
            let (mut odeme_heap, mut raw_heap, mut floor_heap, mut contract_heap) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..plan.repeats.max(1) {
                let n = plan.payments.min(HEAP_RUN_PAYMENTS);
                odeme_heap.push(load::run(n, in_flight, Meter::Heap, odeme_side.clone()).await);
                raw_heap.push(load::run(n, in_flight, Meter::Heap, raw_side.clone()).await);
                floor_heap.push(load::run(n, in_flight, Meter::Heap, floor_side.clone()).await);
                contract_heap
                    .push(load::run(n, in_flight, Meter::Heap, contract_side.clone()).await);
            }
            cells.push(Cell {
                provider,
                in_flight,
                odeme: summarize(&odeme_runs, &odeme_heap, in_flight),
                raw: summarize(&raw_runs, &raw_heap, in_flight),
                floor: summarize(&floor_runs, &floor_heap, in_flight),
                ratio: ratio(&odeme_runs, &raw_runs),
                floor_ratio: ratio(&floor_runs, &raw_runs),
                contract: summarize(&contract_runs, &contract_heap, in_flight),
                contract_ratio: ratio(&contract_runs, &raw_runs),
            });
        }
    }
    Ok(cells)
}

/// Payments in each counted run: the peak is reached within the first few hundred.
const HEAP_RUN_PAYMENTS: usize = 4_000;

/// The median of the per-repeat ratios of payments per second, `side` over `raw`.
fn ratio(side: &[RunResult], raw: &[RunResult]) -> f64 {
    let mut ratios: Vec<f64> = side
        .iter()
        .zip(raw)
        .map(|(s, r)| s.per_second() / r.per_second().max(1e-9))
        .collect();
    median(&mut ratios)
}

fn summarize(speed: &[RunResult], heap: &[RunResult], in_flight: usize) -> Summary {
    let pick = |runs: &[RunResult], f: &dyn Fn(&RunResult) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(f).collect();
        median(&mut values)
    };
    Summary {
        per_second: pick(speed, &|r| r.per_second()),
        p50_us: pick(speed, &|r| r.quantile_us(0.50) as f64),
        p99_us: pick(speed, &|r| r.quantile_us(0.99) as f64),
        cpu_us: pick(speed, &|r| r.cpu_us_per_payment()),
        heap_per_in_flight: pick(heap, &|r| {
            r.peak_heap_above_baseline as f64 / in_flight as f64
        }),
        allocations: pick(heap, &|r| r.allocations_per_payment()),
        failed: speed.iter().chain(heap).map(|r| r.failed).sum(),
    }
}

/// The adapter's wire request, prebuilt once and sent as it is by a plain client: the
/// ceiling any adapter could reach on this machine.
#[derive(Debug)]
pub struct RawRequest {
    client: reqwest::Client,
    method: reqwest::Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Bytes,
}

impl RawRequest {
    /// The request `captured` (as the canned server received it), to `base_url`.
    pub fn new(base_url: &str, captured: &Captured) -> Result<Self, String> {
        let url = reqwest::Url::parse(&format!("{base_url}{}", captured.path))
            .map_err(|e| e.to_string())?;
        let mut headers = HeaderMap::new();
        for (name, value) in &captured.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
            let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
            headers.append(name, value);
        }
        let method = reqwest::Method::from_bytes(captured.method.as_str().as_bytes())
            .map_err(|e| e.to_string())?;
        let client = plain_client()?;
        Ok(Self {
            client,
            method,
            url,
            headers,
            body: captured.body.clone(),
        })
    }

    /// Sends it once and reads the whole answer; true on a 200.
    pub async fn send(&self) -> bool {
        let response = self
            .client
            .request(self.method.clone(), self.url.clone())
            .headers(self.headers.clone())
            .body(self.body.clone())
            .send()
            .await;
        match response {
            Ok(r) if r.status().as_u16() == 200 => r.bytes().await.is_ok(),
            _ => false,
        }
    }
}

/// A client with the transport's pool and time-out settings, shared by the raw and floor
/// sides.
pub fn plain_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}
