//! Runs the whole suite against every adapter, writes `REPORT.md` and fails on any failed
//! cell.

use odeme_conformance::{profiles, runner};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_adapter_conforms() {
    let matrix = runner::run(&profiles::all()).await;
    let report = matrix.to_markdown();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("REPORT.md");
    std::fs::write(&path, &report).expect("write REPORT.md");
    let failures = matrix.failures();
    assert!(
        failures.is_empty(),
        "{} conformance failures (see {}):\n{}",
        failures.len(),
        path.display(),
        failures
            .iter()
            .map(|(s, p, r)| format!("- {s} × {p}: {r}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
