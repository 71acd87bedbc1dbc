//! A real `redis-server` on loopback for tests: started on a free port with no
//! persistence, stopped when dropped. Tests of shared router state run against it rather
//! than against any imitation of Redis.
//!
//! Without a `redis-server` on the `PATH`, [`start`] answers `Ok(None)` and the test says
//! it was skipped; with `ODEME_REQUIRE_REDIS=1` (as CI sets it) a missing server is an
//! error, so CI can never skip those tests silently.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server` process.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

/// Whether this run must have Redis (`ODEME_REQUIRE_REDIS=1`).
fn required() -> bool {
    std::env::var("ODEME_REQUIRE_REDIS").is_ok_and(|v| v == "1")
}

fn installed() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// Starts a server, or `Ok(None)` when no `redis-server` is installed (an error instead
/// when `ODEME_REQUIRE_REDIS=1`).
pub fn start() -> std::io::Result<Option<RedisServer>> {
    if !installed() {
        if required() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "ODEME_REQUIRE_REDIS=1 but no redis-server is on the PATH (Debian package \
                 redis-server)",
            ));
        }
        return Ok(None);
    }
    // A port found free can be taken by another process before the server binds it; a
    // few tries make that race harmless.
    let mut last = None;
    for _ in 0..5 {
        match RedisServer::start_on(free_port()?) {
            Ok(server) => return Ok(Some(server)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("redis-server did not start")))
}

/// Prints, on standard error, that `test` was skipped for want of a `redis-server`.
pub fn skip_notice(test: &str) {
    use std::io::Write as _;
    // Straight to the process's standard error, past the test harness's capture of
    // `eprintln!`, so a skipped Redis test shows in every `cargo test` run.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (redis-server not installed): {test}; install the Debian package \
         redis-server to run it (CI sets ODEME_REQUIRE_REDIS=1 and installs it)"
    );
}

impl RedisServer {
    fn start_on(port: u16) -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("odeme-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--daemonize", "no"])
            .args(["--protected-mode", "yes"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut server = Self {
            child: Some(child),
            port,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                return Ok(server);
            }
            let exited = server
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
                .is_some();
            if exited || Instant::now() > deadline {
                server.stop();
                return Err(std::io::Error::other(format!(
                    "redis-server did not accept connections on port {port}"
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its URL: `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (a Redis outage); also done on drop.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
