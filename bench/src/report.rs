//! The printed tables (Markdown, so they paste into BENCHMARKS.md as they are).

use crate::compare::{Cell, Summary};
use crate::sandbox_mode::Row;

/// The throughput/latency table and the heap table of `compare`.
pub fn compare(cells: &[Cell], repeats: usize) {
    let workers = tokio::runtime::Handle::try_current().map_or(0, |h| h.metrics().num_workers());
    println!(
        "\nThroughput and latency (medians of {repeats} runs; ratio = odeme/raw in the same run; {workers} runtime workers)\n"
    );
    println!("| provider | in flight | odeme payments/s | raw payments/s | ratio | odeme p50 / p99 µs | raw p50 / p99 µs | CPU µs per payment odeme / raw | allocations per payment odeme / raw | failed |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in cells {
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.1} % | {:.0} / {:.0} | {:.0} / {:.0} | {:.1} / {:.1} | {:.0} / {:.0} | {} |",
            c.provider.name(),
            c.in_flight,
            c.odeme.per_second,
            c.raw.per_second,
            c.ratio * 100.0,
            c.odeme.p50_us,
            c.odeme.p99_us,
            c.raw.p50_us,
            c.raw.p99_us,
            c.odeme.cpu_us,
            c.raw.cpu_us,
            c.odeme.allocations,
            c.raw.allocations,
            c.odeme.failed + c.raw.failed,
        );
    }
    side_table(
        cells,
        "The floor client in the same runs (the protocol's own work per payment and nothing else, on a raw client; floor ratio = floor/raw, odeme/floor = the adapter against it)",
        "floor",
        |c| (&c.floor, c.floor_ratio),
    );
    side_table(
        cells,
        "The contract client in the same runs (the floor client with the adapter's own checks of the request and its own mapping of the answer into a Payment: what any adapter keeping the library's contract can reach; odeme / contract = everything else the adapter adds)",
        "contract",
        |c| (&c.contract, c.contract_ratio),
    );
    println!("\nPeak heap per in-flight payment ((peak during the run − baseline) / in flight, medians; the in-process canned server's share is in both columns)\n");
    println!("| provider | in flight | odeme KiB | raw KiB | difference KiB |");
    println!("|---|---:|---:|---:|---:|");
    for c in cells.iter().filter(|c| c.in_flight > 1) {
        let (o, r) = (
            c.odeme.heap_per_in_flight / 1024.0,
            c.raw.heap_per_in_flight / 1024.0,
        );
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} |",
            c.provider.name(),
            c.in_flight,
            o,
            r,
            o - r
        );
    }
}

/// The table of one more side of the runs (`name`), against raw and against it the adapter.
fn side_table(cells: &[Cell], title: &str, name: &str, side: impl Fn(&Cell) -> (&Summary, f64)) {
    println!("\n{title}\n");
    println!("| provider | in flight | {name} payments/s | {name} ratio | odeme / {name} | {name} p50 / p99 µs | CPU µs per payment {name} | allocations per payment {name} | failed |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in cells {
        let (summary, ratio) = side(c);
        println!(
            "| {} | {} | {:.0} | {:.1} % | {:.1} % | {:.0} / {:.0} | {:.1} | {:.0} | {} |",
            c.provider.name(),
            c.in_flight,
            summary.per_second,
            ratio * 100.0,
            c.ratio / ratio.max(1e-9) * 100.0,
            summary.p50_us,
            summary.p99_us,
            summary.cpu_us,
            summary.allocations,
            summary.failed,
        );
    }
}

/// The table of `sandbox`.
pub fn sandbox(rows: &[Row], in_flight: usize) {
    println!("\nSandbox simulators through the adapters ({in_flight} in flight)\n");
    println!("| provider | ledger before | charges/s | charge p50 / p99 µs | requests per charge | refunds/s | refund p50 / p99 µs | failed |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {:.0} | {} / {} | {:.1} | {:.0} | {} / {} | {} |",
            r.provider.name(),
            r.ledger_before,
            r.charges.per_second(),
            r.charges.quantile_us(0.5),
            r.charges.quantile_us(0.99),
            r.requests_per_charge,
            r.refunds.per_second(),
            r.refunds.quantile_us(0.5),
            r.refunds.quantile_us(0.99),
            r.charges.failed + r.refunds.failed,
        );
    }
}
