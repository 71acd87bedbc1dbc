//! The load driver: `n` payments, `in_flight` at a time, each timed, with the heap peak
//! and allocation count of the run.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::alloc;

/// What one run measured.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// Payments that completed with the expected answer.
    pub ok: usize,
    /// Payments that failed (an error, a wrong answer): any makes the run suspect.
    pub failed: usize,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Each payment's latency in microseconds, sorted.
    pub latencies_us: Vec<u64>,
    /// Heap bytes above the level at the start of the run, at the run's peak.
    pub peak_heap_above_baseline: usize,
    /// Allocations made during the run.
    pub allocations: u64,
    /// CPU time the whole process spent during the run (every thread: client, adapter
    /// and the in-process server), when the platform tells it (`/proc/self/stat`).
    pub cpu: Option<Duration>,
}

impl RunResult {
    /// Completed payments per second.
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at quantile `q` (0..=1), in microseconds.
    pub fn quantile_us(&self, q: f64) -> u64 {
        let len = self.latencies_us.len();
        if len == 0 {
            return 0;
        }
        let index = ((len - 1) as f64 * q).round() as usize;
        self.latencies_us
            .get(index.min(len - 1))
            .copied()
            .unwrap_or(0)
    }

    /// Allocations per payment.
    pub fn allocations_per_payment(&self) -> f64 {
        self.allocations as f64 / (self.ok + self.failed).max(1) as f64
    }

    /// Process CPU time per payment in microseconds (0 when unknown).
    pub fn cpu_us_per_payment(&self) -> f64 {
        self.cpu.map_or(0.0, |cpu| {
            cpu.as_secs_f64() * 1e6 / (self.ok + self.failed).max(1) as f64
        })
    }
}

/// User + system CPU time of this process so far, from `/proc/self/stat` (Linux; in clock
/// ticks, taken as the usual 100 per second). `None` elsewhere.
pub fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = rest.split(' ');
    // After the name: state is field 3, utime field 14, stime field 15.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Whether a run counts the heap and allocations (see [`alloc`]: counting slows every
/// allocation, so a run that measures throughput does not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meter {
    /// Throughput and latency only; heap and allocation figures are zero.
    Speed,
    /// Heap peak and allocations too, at the counters' cost.
    Heap,
}

/// Runs `n` calls of `payment(i)` with `in_flight` workers on the current runtime.
///
/// The latency buffers are allocated before the heap baseline is taken, so the peak counts
/// only what payments (and their worker tasks) hold.
pub async fn run<F, Fut>(n: usize, in_flight: usize, meter: Meter, payment: F) -> RunResult
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let in_flight = in_flight.max(1);
    let payment = Arc::new(payment);
    let next = Arc::new(AtomicUsize::new(0));
    let buffers: Vec<Vec<u64>> = (0..in_flight)
        .map(|_| Vec::with_capacity(n / in_flight + 2))
        .collect();
    let mut handles = Vec::with_capacity(in_flight);
    alloc::set_counting(meter == Meter::Heap);
    let baseline = alloc::reset_peak();
    let allocations_before = alloc::allocations();
    let cpu_before = process_cpu();
    let started = Instant::now();
    for mut latencies in buffers {
        let payment = Arc::clone(&payment);
        let next = Arc::clone(&next);
        handles.push(tokio::spawn(async move {
            let mut failed = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                let ok = payment(i).await;
                if ok {
                    latencies.push(t.elapsed().as_micros() as u64);
                } else {
                    failed += 1;
                }
            }
            (latencies, failed)
        }));
    }
    let mut all = Vec::new();
    let mut failed = 0;
    let mut worker_results = Vec::with_capacity(in_flight);
    for handle in handles {
        worker_results.push(handle.await);
    }
    let elapsed = started.elapsed();
    let cpu = process_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let peak = alloc::peak();
    let allocations = alloc::allocations().saturating_sub(allocations_before);
    alloc::set_counting(false);
    for result in worker_results {
        match result {
            Ok((latencies, f)) => {
                all.extend(latencies);
                failed += f;
            }
            Err(_) => failed += 1,
        }
    }
    all.sort_unstable();
    RunResult {
        ok: all.len(),
        failed,
        elapsed,
        latencies_us: all,
        peak_heap_above_baseline: usize::try_from(peak.saturating_sub(baseline)).unwrap_or(0),
        allocations,
        cpu,
    }
}

/// The median of `values` (the middle one of an odd count; the lower middle otherwise).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0.0)
}
