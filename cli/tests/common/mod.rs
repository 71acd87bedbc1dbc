//! Running the `odeme` binary as a child process against an in-process sandbox.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};

use odeme_sandbox::{Sandbox, Simulator};

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing both streams when it differs.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    /// The value of a `label  value` row of the summary.
    pub fn row(&self, label: &str) -> Option<String> {
        self.stdout.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix(label)?;
            rest.starts_with(' ').then(|| rest.trim().to_owned())
        })
    }
}

/// One invocation of the binary: arguments, environment and standard input.
pub struct Odeme {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Vec<u8>,
}

/// A command with no environment but `vars`, so the developer's own `ODEME_*` settings never
/// leak in.
pub fn odeme(args: &[&str]) -> Odeme {
    Odeme {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        env: Vec::new(),
        stdin: Vec::new(),
    }
}

impl Odeme {
    /// Adds arguments.
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets standard input.
    pub fn stdin(mut self, input: &str) -> Self {
        self.stdin = input.as_bytes().to_vec();
        self
    }

    /// Runs the binary to completion off the async runtime's threads.
    pub async fn run(self) -> Run {
        tokio::task::spawn_blocking(move || self.run_blocking())
            .await
            .expect("runner thread")
    }

    fn run_blocking(self) -> Run {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_odeme"))
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start odeme");
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(&self.stdin).ok();
        }
        let output = child.wait_with_output().expect("wait for odeme");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Flags that point the binary at one simulator of `sandbox`, credentials included.
pub fn paytr_flags(sandbox: &Sandbox) -> Vec<String> {
    let c = sandbox.paytr.credentials();
    vec![
        "--provider".into(),
        "paytr".into(),
        "--base-url".into(),
        sandbox.paytr.base_url().into(),
        "--merchant-id".into(),
        c.merchant_id.clone(),
        "--merchant-key".into(),
        c.merchant_key.clone(),
        "--merchant-salt".into(),
        c.merchant_salt.clone(),
        "--ok-url".into(),
        "http://127.0.0.1/shop/ok".into(),
    ]
}

/// Flags for the Paytrek simulator.
pub fn paytrek_flags(sandbox: &Sandbox) -> Vec<String> {
    let c = sandbox.paytrek.credentials();
    vec![
        "--provider".into(),
        "paytrek".into(),
        "--base-url".into(),
        sandbox.paytrek.base_url().into(),
        "--api-key".into(),
        c.api_key.clone(),
        "--secret-key".into(),
        c.secret.clone(),
    ]
}

/// Flags for the Craftgate simulator.
pub fn craftgate_flags(sandbox: &Sandbox) -> Vec<String> {
    let c = sandbox.craftgate.credentials();
    vec![
        "--provider".into(),
        "craftgate".into(),
        "--base-url".into(),
        sandbox.craftgate.base_url().into(),
        "--api-key".into(),
        c.api_key.clone(),
        "--secret-key".into(),
        c.secret_key.clone(),
        "--webhook-key".into(),
        c.webhook_key.clone(),
        "--three-ds-callback-key".into(),
        c.three_ds_callback_key.clone(),
    ]
}

/// `odeme` with these provider flags in front.
pub fn with(flags: &[String]) -> Odeme {
    odeme(&flags.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The customer and billing flags every provider accepts.
pub const CUSTOMER: &[&str] = &[
    "--email",
    "jane@example.com",
    "--phone",
    "+90 555 123 45 67",
    "--billing-line1",
    "Street 1",
    "--billing-city",
    "Istanbul",
    "--billing-country",
    "TR",
];

/// A fresh order id, unique within the test binary's run.
pub fn order_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!(
        "{prefix}{}{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A temporary file with `contents`, removed by the caller when it likes.
pub fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("odeme-cli-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("temp file");
    path
}
