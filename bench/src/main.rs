//! `odeme-bench`: throughput, latency and heap of the odeme adapters.
//!
//! ```sh
//! cargo run --release -p odeme-bench -- compare --payments 10000 --repeats 3
//! cargo run --release -p odeme-bench -- sandbox --payments 20000 --in-flight 64 --preload 30000
//! ```
//!
//! `compare` points each adapter at a canned-answer server on 127.0.0.1 (one documented
//! success answer for every request) and sends the same charge through the facade,
//! prebuilt once through a raw `reqwest::Client`, and through a floor client that does only
//! the protocol's own work per payment (`floor`). `sandbox` drives the real simulators.
//! Nothing here talks to anything but the loopback.

mod alloc;
mod canned;
mod compare;
mod contract;
mod floor;
mod load;
mod provider;
mod report;
mod sandbox_mode;

use clap::{Parser, Subcommand};

use provider::Provider;

/// Counts every allocation of the process (see [`alloc`]).
#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// Benchmarks of the odeme adapters (loopback only).
#[derive(Debug, Parser)]
#[command(name = "odeme-bench")]
struct Cli {
    /// Worker threads of the runtime that runs the clients and the servers (default: one
    /// per core). With two, a payment at 1 in flight often waits for a parked worker to
    /// wake; with one, every wait is the work itself (BENCHMARKS.md, "sequential").
    #[arg(long, global = true)]
    workers: Option<usize>,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Each adapter against a raw client, both on a canned-answer server.
    Compare {
        /// Providers to measure (default: all).
        #[arg(long, value_enum, value_delimiter = ',')]
        providers: Vec<Provider>,
        /// Payments per run.
        #[arg(long, default_value_t = 10_000)]
        payments: usize,
        /// Payments in flight, one run per level.
        #[arg(long, value_delimiter = ',', default_value = "1,64")]
        concurrency: Vec<usize>,
        /// Runs per cell; medians are reported.
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Microseconds the canned server waits before answering (0: at once), to see the
        /// adapter's cost against a provider's own processing time.
        #[arg(long, default_value_t = 0)]
        answer_delay_us: u64,
    },
    /// The sandbox simulators: charges, then refunds of them.
    Sandbox {
        /// Providers to drive (default: all).
        #[arg(long, value_enum, value_delimiter = ',')]
        providers: Vec<Provider>,
        /// Charges (and refunds) measured.
        #[arg(long, default_value_t = 10_000)]
        payments: usize,
        /// Payments in flight.
        #[arg(long, default_value_t = 64)]
        in_flight: usize,
        /// Charges made first, to grow the simulator's ledger.
        #[arg(long, default_value_t = 0)]
        preload: usize,
    },
}

fn or_all(providers: Vec<Provider>) -> Vec<Provider> {
    if providers.is_empty() {
        Provider::ALL.to_vec()
    } else {
        providers
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = cli.workers {
        runtime.worker_threads(workers.max(1));
    }
    match runtime.enable_all().build() {
        Ok(runtime) => runtime.block_on(run(cli.mode)),
        Err(e) => {
            eprintln!("odeme-bench: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(mode: Mode) -> std::process::ExitCode {
    let outcome = match mode {
        Mode::Compare {
            providers,
            payments,
            concurrency,
            repeats,
            answer_delay_us,
        } => {
            let plan = compare::Plan {
                providers: or_all(providers),
                payments,
                concurrency,
                repeats,
                answer_delay: std::time::Duration::from_micros(answer_delay_us),
            };
            compare::run(&plan)
                .await
                .map(|cells| report::compare(&cells, plan.repeats))
        }
        Mode::Sandbox {
            providers,
            payments,
            in_flight,
            preload,
        } => {
            let plan = sandbox_mode::Plan {
                providers: or_all(providers),
                payments,
                in_flight,
                preload,
            };
            sandbox_mode::run(&plan)
                .await
                .map(|rows| report::sandbox(&rows, in_flight))
        }
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("odeme-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
