//! The `odeme-sandbox` binary, run as a user runs it: it prints the same set-up as
//! `odeme sandbox` (both render [`SandboxSetup::banner`]), and a taken port is an error
//! that names the port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use odeme_sandbox::{Sandbox, SandboxSetup};

/// Kills the child even when an assertion fails.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// The banner's last line: the end of its example command.
const BANNER_END: &str = "      --billing-line1 'Street 1' --billing-city Istanbul";

/// Starts the binary and reads its banner up to [`BANNER_END`].
fn start(args: &[&str]) -> (Running, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_odeme-sandbox"))
        .args(args)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start odeme-sandbox");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with(BANNER_END) {
            break;
        }
    }
    (running, banner)
}

#[tokio::test(flavor = "multi_thread")]
async fn prints_every_export_and_the_profile_like_odeme_sandbox() {
    let profile =
        std::env::temp_dir().join(format!("odeme-sandbox-bin-{}.toml", std::process::id()));
    let path = profile.to_str().unwrap().to_owned();
    let (_child, banner) =
        tokio::task::spawn_blocking(move || start(&["--port", "0", "--write-profile", &path]))
            .await
            .unwrap();
    let exports: Vec<(String, String)> = banner
        .lines()
        .filter_map(|l| l.strip_prefix("export ")?.split_once('='))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    // Rebuild the library's rendering with this run's values: it must be what was printed.
    let reference = Sandbox::start().await.unwrap();
    let mut expected = SandboxSetup::of(&reference);
    let mut printed = exports.iter();
    for provider in &mut expected.providers {
        for (name, value) in &mut provider.settings {
            let (env, shown) = printed.next().expect("an export per setting");
            assert_eq!(*env, SandboxSetup::env_name(provider.provider, name));
            value.clone_from(shown);
        }
    }
    assert!(printed.next().is_none(), "{banner}");
    assert_eq!(banner, expected.banner(Some(&profile)));
    for name in [
        "ODEME_PAYTR_OK_URL",
        "ODEME_PAYTR_FAIL_URL",
        "ODEME_CRAFTGATE_BASE_URL",
    ] {
        assert!(banner.contains(&format!("export {name}=")), "{banner}");
    }
    let written = std::fs::read_to_string(&profile).unwrap();
    assert_eq!(written, expected.profile());
    std::fs::remove_file(&profile).ok();
}

#[test]
fn a_taken_port_is_an_error_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_odeme-sandbox"))
        .args(["--port", &port])
        .env_clear()
        .output()
        .expect("run odeme-sandbox");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the Paytrek simulator cannot listen on 127.0.0.1:{port}: port {port} is already in use"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--port"), "{stderr}");
    assert!(!stderr.contains("Os {"), "{stderr}");
}
