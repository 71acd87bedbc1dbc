//! Runs the whole suite against every adapter once, writes `REPORT.md`, and reports every
//! scenario × provider cell as its own test case, so a failure names its cell in the test
//! output (`cargo test -p odeme-conformance -- routing` filters as usual).

use libtest_mimic::{Arguments, Failed, Trial};
use odeme_conformance::{profiles, runner, Cell};

fn main() {
    let args = Arguments::from_args();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(101);
        }
    };
    // `--list` (used by test tools to enumerate) must not run the suite.
    let matrix = if args.list {
        odeme_conformance::Matrix::default()
    } else {
        runtime.block_on(runner::run(&profiles::all()))
    };
    if !args.list {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("REPORT.md");
        if let Err(e) = std::fs::write(&path, matrix.to_markdown()) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(101);
        }
    }
    let mut trials = Vec::new();
    for (scenario, cells) in &matrix.rows {
        for (provider, cell) in matrix.providers.iter().zip(cells) {
            let name = format!("{scenario} × {provider}");
            let cell = cell.clone();
            let ignored = matches!(cell, Cell::Skipped(_));
            trials.push(
                Trial::test(name, move || match cell {
                    Cell::Passed | Cell::Unsupported { .. } | Cell::Skipped(_) => Ok(()),
                    Cell::Failed(reason) => Err(Failed::from(reason)),
                })
                .with_ignored_flag(ignored),
            );
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
