//! Help, configuration and the `sandbox` command, run as a user would run them.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{odeme, temp_file};

const SUBCOMMANDS: &[&[&str]] = &[
    &["charge"],
    &["capture"],
    &["cancel"],
    &["refund"],
    &["status"],
    &["card"],
    &["card", "store"],
    &["card", "list"],
    &["card", "delete"],
    &["charge-stored"],
    &["recurring"],
    &["recurring", "charge"],
    &["recurring", "plan"],
    &["recurring", "plan", "create"],
    &["recurring", "plan", "get"],
    &["recurring", "plan", "cancel"],
    &["installments"],
    &["verify-notification"],
    &["complete-3ds"],
    &["capabilities"],
    &["sandbox"],
];

#[tokio::test]
async fn help_lists_commands_and_exit_codes() {
    let help = odeme(&["--help"]).run().await.expect_code(0);
    for command in SUBCOMMANDS.iter().filter(|c| c.len() == 1) {
        assert!(
            help.stdout.contains(&format!("\n  {}", command[0])),
            "{} missing:\n{}",
            command[0],
            help.stdout
        );
    }
    for line in [
        "0  success",
        "2  invalid input",
        "3  declined",
        "4  unknown outcome",
        "5  notification not authentic",
    ] {
        assert!(help.stdout.contains(line), "{line}:\n{}", help.stdout);
    }
    for env in [
        "ODEME_PAYTR_MERCHANT_KEY",
        "ODEME_PROFILE",
        "ODEME_PROVIDER",
    ] {
        assert!(help.stdout.contains(env), "{env}:\n{}", help.stdout);
    }
}

#[tokio::test]
async fn every_subcommand_has_help_with_its_options() {
    for command in SUBCOMMANDS {
        let mut args = command.to_vec();
        args.push("--help");
        let run = odeme(&args).run().await.expect_code(0);
        assert!(
            run.stdout.contains("Usage: odeme"),
            "{command:?}:\n{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("Exit codes:"),
            "{command:?}:\n{}",
            run.stdout
        );
    }
    let charge = odeme(&["charge", "--help"])
        .run()
        .await
        .expect_code(0)
        .stdout;
    for option in [
        "--amount",
        "--currency",
        "--order-id",
        "--installments",
        "--pre-authorize",
        "--three-ds-return-url",
    ] {
        assert!(charge.contains(option), "{option}:\n{charge}");
    }
    for option in [
        "--store-card",
        "--item",
        "--email",
        "--billing-line1",
        "--card-file",
        "--expiry",
        "--holder",
    ] {
        assert!(charge.contains(option), "{option}:\n{charge}");
    }
    assert!(
        !charge.contains("--card-number"),
        "the refused flag is hidden:\n{charge}"
    );
}

#[tokio::test]
async fn configuration_errors_exit_2_with_one_sentence() {
    let no_provider = odeme(&["status", "--order-id", "X"])
        .run()
        .await
        .expect_code(2);
    assert!(
        no_provider
            .stderr
            .contains("--provider paytrek|paytr|craftgate"),
        "{}",
        no_provider.stderr
    );
    assert_eq!(
        no_provider.stderr.trim().lines().count(),
        1,
        "{}",
        no_provider.stderr
    );

    let missing = odeme(&[
        "--provider",
        "paytr",
        "--merchant-id",
        "1",
        "status",
        "--order-id",
        "X",
    ])
    .env("ODEME_PAYTR_MERCHANT_KEY", "TopSecretKey")
    .run()
    .await
    .expect_code(2);
    assert!(
        missing.stderr.contains("ODEME_PAYTR_MERCHANT_SALT"),
        "{}",
        missing.stderr
    );
    assert!(
        !missing.stderr.contains("TopSecretKey"),
        "{}",
        missing.stderr
    );

    let profile = temp_file(
        "broken.toml",
        b"[paytr]\nmerchant_key = \"TopSecretKey\"\nmerchant_sallt = \"x\"\n",
    );
    let broken = odeme(&[
        "--profile",
        profile.to_str().unwrap(),
        "-p",
        "paytr",
        "capabilities",
    ])
    .run()
    .await
    .expect_code(2);
    assert!(broken.stderr.contains("line 3"), "{}", broken.stderr);
    assert!(!broken.stderr.contains("TopSecretKey"), "{}", broken.stderr);

    let stray = odeme(&["-p", "paytr", "charge", "4355084355084358"])
        .run()
        .await
        .expect_code(2);
    assert!(
        stray.stderr.contains("unexpected argument '[REDACTED]'"),
        "{}",
        stray.stderr
    );
    assert!(
        !stray.stderr.contains("4355084355084358"),
        "{}",
        stray.stderr
    );

    let usage = odeme(&["charge", "--amount"]).run().await.expect_code(2);
    assert!(usage.stderr.contains("--amount"), "{}", usage.stderr);
    assert!(!usage.stderr.contains("panicked"), "{}", usage.stderr);
}

/// Kills the sandbox child even when an assertion fails.
struct Sandbox(Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// Starts `odeme sandbox` and reads its banner up to the Craftgate flags line.
fn start_sandbox(extra: &[&str]) -> (Sandbox, Vec<(String, String)>, String) {
    start_sandbox_until(extra, "odeme --provider craftgate ")
}

/// Starts `odeme sandbox` and reads its banner up to the line starting with `last`.
fn start_sandbox_until(extra: &[&str], last: &str) -> (Sandbox, Vec<(String, String)>, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_odeme"))
        .arg("sandbox")
        .args(extra)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start odeme sandbox");
    let mut sandbox = Sandbox(child);
    let stdout = sandbox.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = String::new();
    let mut exports = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        banner.push_str(&line);
        banner.push('\n');
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            exports.push((name.to_owned(), value.to_owned()));
        }
        if line.starts_with(last) {
            break;
        }
    }
    (sandbox, exports, banner)
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_command_prints_what_the_other_commands_need() {
    let profile =
        std::env::temp_dir().join(format!("odeme-cli-sandbox-{}.toml", std::process::id()));
    let (_sandbox, exports, banner) = tokio::task::spawn_blocking({
        let profile = profile.clone();
        move || start_sandbox(&["--write-profile", profile.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(
        banner.starts_with("odeme sandbox running on loopback"),
        "{banner}"
    );
    let names: Vec<&str> = exports.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "ODEME_PAYTREK_BASE_URL",
        "ODEME_PAYTR_MERCHANT_SALT",
        "ODEME_CRAFTGATE_SECRET_KEY",
        "ODEME_PAYTR_OK_URL",
    ] {
        assert!(names.contains(&name), "{name} missing:\n{banner}");
    }
    for (name, value) in &exports {
        if name.ends_with("_BASE_URL") {
            assert!(value.starts_with("http://127.0.0.1:"), "{name}={value}");
        }
    }

    // The exports, pasted into a shell, are all a charge needs.
    let mut charge = odeme(&[
        "charge", "--amount", "10.00", "--expiry", "12/30", "--holder", "Jane Doe",
    ])
    .args(common::CUSTOMER)
    .env("ODEME_PROVIDER", "paytr")
    .stdin("4355084355084358\n000\n");
    for (name, value) in &exports {
        charge = charge.env(name, value);
    }
    let run = charge.run().await.expect_code(0);
    assert!(
        run.stdout.starts_with("payment succeeded\n"),
        "{}",
        run.stdout
    );

    // So is the profile it wrote.
    let via_profile = odeme(&[
        "--profile",
        profile.to_str().unwrap(),
        "-p",
        "paytrek",
        "installments",
    ])
    .args(&["--bin", "450803", "--amount", "100"])
    .run()
    .await
    .expect_code(0);
    assert!(
        via_profile
            .stdout
            .starts_with("installment options for 100.00 TRY"),
        "{}",
        via_profile.stdout
    );
    std::fs::remove_file(&profile).ok();

    // And so are the flags it printed.
    let line = banner
        .lines()
        .find(|l| l.starts_with("odeme --provider paytrek "))
        .expect("flags line");
    let flags: Vec<&str> = line
        .trim_start_matches("odeme ")
        .trim_end_matches(" ...")
        .split(' ')
        .collect();
    let via_flags = odeme(&flags)
        .args(&["installments", "--bin", "450803", "--amount", "50"])
        .run()
        .await;
    assert!(via_flags
        .expect_code(0)
        .stdout
        .starts_with("installment options for 50.00 TRY"));
}

/// The last line of the banner: the example command's end.
const BANNER_END: &str = "      --billing-line1 'Street 1' --billing-city Istanbul";

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_command_prints_the_shared_setup_exactly() {
    let (_child, exports, banner) =
        tokio::task::spawn_blocking(|| start_sandbox_until(&["--port", "0"], BANNER_END))
            .await
            .unwrap();
    // The sandbox library's own rendering, with this run's ports and credentials: what the
    // `odeme-sandbox` binary prints too (its tests check it the same way).
    let reference = odeme_sandbox::Sandbox::start().await.unwrap();
    let mut expected = odeme_sandbox::SandboxSetup::of(&reference);
    let mut printed = exports.iter();
    for provider in &mut expected.providers {
        for (name, value) in &mut provider.settings {
            let (env, shown) = printed.next().expect("an export per setting");
            assert_eq!(
                *env,
                odeme_sandbox::SandboxSetup::env_name(provider.provider, name)
            );
            value.clone_from(shown);
        }
    }
    assert!(printed.next().is_none(), "{banner}");
    assert_eq!(banner, expected.banner(None));
    assert!(banner.contains("export ODEME_PAYTR_FAIL_URL="), "{banner}");
    assert!(
        banner.contains("\n[paytr]\n"),
        "the profile is shown:\n{banner}"
    );
}

#[tokio::test]
async fn sandbox_on_a_taken_port_names_the_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = odeme(&["sandbox", "--port", &port])
        .run()
        .await
        .expect_code(2);
    assert!(
        run.stderr
            .contains(&format!("port {port} is already in use")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--port"), "{}", run.stderr);
    assert!(!run.stderr.contains("Os {"), "{}", run.stderr);
}

#[tokio::test]
async fn sandbox_refuses_a_public_address() {
    let run = odeme(&["sandbox", "--host", "0.0.0.0"])
        .run()
        .await
        .expect_code(2);
    assert!(
        run.stderr.contains("not a loopback address"),
        "{}",
        run.stderr
    );
}

/// Every grouping of every test card, in every argument position the parser may quote
/// (a stray positional, a flag's value, an unknown flag), stays out of both streams.
#[tokio::test]
async fn card_numbers_in_any_grouping_never_reach_the_output() {
    let cards = ["4508034508034509", "4355084355084358", "5406675406675403"];
    let group = |pan: &str, seps: [&str; 3]| -> String {
        format!(
            "{}{}{}{}{}{}{}",
            &pan[0..4],
            seps[0],
            &pan[4..8],
            seps[1],
            &pan[8..12],
            seps[2],
            &pan[12..16]
        )
    };
    for pan in cards {
        let digits_only = |text: &str| -> bool {
            let stripped: String = text.chars().filter(char::is_ascii_digit).collect();
            stripped.contains(pan)
        };
        let groupings = [
            pan.to_owned(),
            group(pan, [" ", " ", " "]),
            group(pan, ["-", "-", "-"]),
            group(pan, [".", ".", "."]),
            group(pan, [" ", "-", "."]),
        ];
        for grouped in &groupings {
            let positions: [Vec<&str>; 4] = [
                vec!["-p", "paytr", "charge", grouped.as_str()],
                vec![grouped.as_str(), "--amount", "1"],
                vec!["-p", "craftgate", "charge", "--amount", grouped.as_str()],
                vec![
                    "-p",
                    "paytrek",
                    "status",
                    "--order-id",
                    "o1",
                    grouped.as_str(),
                ],
            ];
            for args in positions {
                let run = odeme(&args).run().await;
                assert_ne!(run.code, 0, "{args:?}");
                for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                    assert!(
                        !digits_only(text),
                        "{name} of {args:?} shows the card number:\n{text}"
                    );
                }
            }
        }
    }
}
