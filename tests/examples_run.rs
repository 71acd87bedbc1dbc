//! Runs every example in `examples/` and checks the lines that show what
//! `examples/README.md` says it shows, so an example cannot silently stop demonstrating
//! its claim (or start printing `Debug` text). Each example runs against its own embedded
//! sandbox and ends on its own in seconds.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Once;

/// The example's binary, built (once per test run, so never a stale one) next to the test
/// binaries, in the same profile.
fn example_binary(name: &str) -> PathBuf {
    static BUILT: Once = Once::new();
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/examples_run-<hash> -> target/<profile>/examples/<name>
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf();
    BUILT.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let mut build = Command::new(cargo);
        build
            .args(["build", "--quiet", "--examples"])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building the examples failed");
    });
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs an example to completion and returns its standard output.
fn run(name: &str, args: &[&str]) -> String {
    let output = Command::new(example_binary(name))
        .args(args)
        .output()
        .expect("the example starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "example {name} failed: {}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_no_debug_text(name, &stdout);
    stdout
}

/// `Debug` renderings that must never reach an example's output.
fn assert_no_debug_text(name: &str, stdout: &str) {
    for debug in [
        "Some(",
        "None",
        "Succeeded",
        "Pending",
        "Failed",
        "PaymentResult",
        "Webhook ",
        "{ ",
    ] {
        assert!(
            !stdout.contains(debug),
            "example {name} prints Debug text {debug:?}:\n{stdout}"
        );
    }
}

fn lines_with<'a>(stdout: &'a str, needle: &str) -> Vec<&'a str> {
    stdout.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn quickstart_runs_every_step_at_every_provider() {
    let out = run("quickstart", &[]);
    for provider in ["paytrek", "paytr", "craftgate"] {
        let rows: Vec<_> = out
            .lines()
            .filter(|l| l.starts_with(&format!("| {provider:<9} |")))
            .collect();
        assert_eq!(rows.len(), 4, "four steps at {provider}:\n{out}");
        assert!(rows
            .iter()
            .any(|r| r.contains("partial refund") && r.contains("succeeded")));
        assert!(rows.iter().any(|r| r.contains("partially_refunded")));
    }
}

#[test]
fn marketplace_splits_and_refunds_one_item_in_words() {
    let out = run("marketplace", &[]);
    assert!(out.contains("paid: 1550.00 TRY (succeeded)"), "{out}");
    assert!(
        out.contains("refunded the bowls: 300.00 TRY (succeeded)"),
        "{out}"
    );
    assert!(out.contains("partially_refunded: 300.00 TRY refunded of 1550.00 TRY"));
}

#[test]
fn subscriptions_handle_a_soft_and_a_hard_decline() {
    let out = run("subscriptions", &[]);
    // The paying subscriber: four months, then cancels and the card is deleted.
    let ayse = out.split("Mehmet Demir:").next().unwrap_or("");
    assert_eq!(lines_with(ayse, "succeeded 99.00 TRY").len(), 4, "{out}");
    assert!(ayse.contains("stored cards 1 -> 0"), "{out}");
    // The soft decline: retried, a bounded number of times, then on hold with the card kept.
    let mehmet = out
        .split("Mehmet Demir:")
        .nth(1)
        .and_then(|rest| rest.split("Zeynep Kaya:").next())
        .unwrap_or("");
    assert_eq!(lines_with(mehmet, ": soft decline (").len(), 3, "{out}");
    assert!(mehmet.contains("month 2, retry 2: soft decline"), "{out}");
    assert!(mehmet.contains("subscription on hold"), "{out}");
    assert!(!mehmet.contains("stored card deleted"), "{out}");
    // The hard decline: no retry, the subscription ends and the card is deleted.
    let zeynep = out.split("Zeynep Kaya:").nth(1).unwrap_or("");
    assert_eq!(lines_with(zeynep, ": hard decline (").len(), 1, "{out}");
    assert!(!zeynep.contains(", retry "), "no retry: {out}");
    assert!(zeynep.contains("subscription ended"), "{out}");
    assert!(zeynep.contains("stored cards 1 -> 0"), "{out}");
}

#[test]
fn three_ds_checkout_completes_at_every_provider_and_stops() {
    let out = run("three_ds_checkout", &[]);
    for provider in ["paytrek", "paytr", "craftgate"] {
        let approved = format!("{provider:<10} bank page success  -> Order ");
        let failed = format!("{provider:<10} bank page failure  -> Order ");
        assert!(
            lines_with(&out, &approved)
                .iter()
                .any(|l| l.ends_with("succeeded 249.90 TRY")),
            "{out}"
        );
        assert!(
            lines_with(&out, &failed)
                .iter()
                .any(|l| l.ends_with("declined (three_ds_failed)")),
            "{out}"
        );
    }
    assert!(!out.contains("listening"), "{out}");
    assert_eq!(out.lines().last(), Some("shop stopped"), "{out}");
}

#[test]
fn three_ds_checkout_serves_a_bounded_time_only() {
    let out = run("three_ds_checkout", &["--serve", "0"]);
    assert!(out.contains("serving 0 seconds more"), "{out}");
    assert_eq!(out.lines().last(), Some("shop stopped"), "{out}");
    let refused = Command::new(example_binary("three_ds_checkout"))
        .args(["--serve", "100000"])
        .output()
        .expect("the example starts");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("from 0 to 600"));
}

#[test]
fn webhook_receiver_processes_a_repeated_event_once() {
    let out = run("webhook_receiver", &[]);
    assert!(out.contains("notification answered OK"), "{out}");
    assert!(out.contains("answered 200 OK, body OK"), "{out}");
    assert!(
        out.contains("forged PayTR notification: answered 400 Bad Request"),
        "{out}"
    );
    assert!(
        out.contains("forged Craftgate webhook: answered 400 Bad Request"),
        "{out}"
    );
    let events: Vec<_> = out
        .lines()
        .skip_while(|l| !l.starts_with("events"))
        .skip(1)
        .collect();
    assert_eq!(events.len(), 2, "one PayTR and one Craftgate event:\n{out}");
    assert!(events[0].trim_start().starts_with("paytr:"), "{out}");
    assert!(events[1].trim_start().starts_with("craftgate:"), "{out}");
    for event in events {
        assert!(event.contains("received 2 times, processed once"), "{out}");
    }
}

#[test]
fn load_balancing_keeps_one_charge_per_order() {
    let out = run("load_balancing", &[]);
    assert!(
        out.contains("exactly one charge for each of the 1000 orders"),
        "{out}"
    );
}
