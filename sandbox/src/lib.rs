//! Stateful local simulators of the Paytrek v2, PayTR and Craftgate HTTP APIs.
//!
//! The simulators are an independent second reading of the provider documents: this crate
//! does not depend on the odeme adapter crates, so an adapter and its simulator only agree
//! when both read the protocol the same way.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use odeme_sandbox::{Sandbox, Simulator};
//! let sandbox = Sandbox::start().await?;
//! println!("PayTR base URL: {}", sandbox.paytr.base_url());
//! # Ok(()) }
//! ```
//!
//! Every simulator keeps a [`Ledger`] of money-moving effects, a [`RequestLog`] of every
//! request that reached it and a queue of [`Fault`]s that a test can inject per request.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod approval;
pub mod controls;
pub mod craftgate;
pub mod ledger;
pub mod paytr;
pub mod paytrek;
pub mod redis_server;
mod server;
pub mod setup;
pub mod util;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

pub use approval::ApprovalRules;
pub use controls::{Controls, Fault, FaultRule, Faults, RecordedRequest, RequestLog};
pub use ledger::{Ledger, LedgerEntry, LedgerKind};
pub use server::ServerTask;
pub use setup::SandboxSetup;

/// What every simulator offers a test: where it listens and its inspection controls.
pub trait Simulator {
    /// The shared part of the simulator: base URL, ledger, faults and request log.
    fn core(&self) -> &SimulatorCore;

    /// The base URL to point a client at, like `http://127.0.0.1:41234` (no trailing slash).
    fn base_url(&self) -> &str {
        &self.core().base_url
    }

    /// The ledger of money-moving effects (charges, captures, refunds, stored cards).
    fn ledger(&self) -> &Ledger {
        &self.core().controls.ledger
    }

    /// Per-request fault injection.
    fn faults(&self) -> &Faults {
        &self.core().controls.faults
    }

    /// Approval probabilities by card-number prefix (BIN), for routing tests: see
    /// [`ApprovalRules`].
    fn approval(&self) -> &ApprovalRules {
        &self.core().controls.approval
    }
    /// Every request that reached the simulator (method, path and query; never bodies).
    fn requests(&self) -> &RequestLog {
        &self.core().controls.requests
    }

    /// The server, to take the simulator down and bring it back up (a provider outage in
    /// which connections are refused and nothing is sent).
    fn server(&self) -> &ServerTask {
        &self.core().server
    }
}

/// The part every simulator shares: its address, its controls and its server task.
#[derive(Debug)]
pub struct SimulatorCore {
    /// The base URL (scheme, host and port).
    pub base_url: String,
    /// Ledger, faults and request log.
    pub controls: Controls,
    /// The running server; dropping it stops the server.
    pub server: ServerTask,
}

/// Where [`Sandbox::start_with`] binds each simulator.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The address every simulator binds (default `127.0.0.1`).
    pub host: IpAddr,
    /// Paytrek's port (0 picks a free one).
    pub paytrek_port: u16,
    /// PayTR's port (0 picks a free one).
    pub paytr_port: u16,
    /// Craftgate's port (0 picks a free one).
    pub craftgate_port: u16,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            paytrek_port: 0,
            paytr_port: 0,
            craftgate_port: 0,
        }
    }
}

/// The three simulators, each on its own loopback port.
#[derive(Debug)]
pub struct Sandbox {
    /// The Paytrek v2 simulator.
    pub paytrek: paytrek::PaytrekSimulator,
    /// The PayTR simulator.
    pub paytr: paytr::PaytrSimulator,
    /// The Craftgate simulator.
    pub craftgate: craftgate::CraftgateSimulator,
}

impl Sandbox {
    /// Starts all three simulators on ephemeral loopback ports.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Starts all three simulators where `config` says.
    ///
    /// An error names the simulator and the address it could not listen on; a port that is
    /// taken keeps [`std::io::ErrorKind::AddrInUse`] and says so in words.
    pub async fn start_with(config: SandboxConfig) -> std::io::Result<Self> {
        let addr = |port| SocketAddr::new(config.host, port);
        let (paytrek, paytr, craftgate) = (
            addr(config.paytrek_port),
            addr(config.paytr_port),
            addr(config.craftgate_port),
        );
        Ok(Self {
            paytrek: paytrek::PaytrekSimulator::start(paytrek)
                .await
                .map_err(|e| cannot_start("Paytrek", paytrek, e))?,
            paytr: paytr::PaytrSimulator::start(paytr)
                .await
                .map_err(|e| cannot_start("PayTR", paytr, e))?,
            craftgate: craftgate::CraftgateSimulator::start(craftgate)
                .await
                .map_err(|e| cannot_start("Craftgate", craftgate, e))?,
        })
    }
}

/// The error of a simulator that did not start, in words a user can act on (the operating
/// system's own text, such as `Os { code: 98 }`, names neither the port nor the simulator).
fn cannot_start(simulator: &str, addr: SocketAddr, error: std::io::Error) -> std::io::Error {
    let message = match error.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "the {simulator} simulator cannot listen on {addr}: port {} is already in use \
             (another sandbox or program has it)",
            addr.port()
        ),
        std::io::ErrorKind::AddrNotAvailable => format!(
            "the {simulator} simulator cannot listen on {addr}: {} is not an address of this \
             machine",
            addr.ip()
        ),
        _ => format!("the {simulator} simulator cannot listen on {addr}: {error}"),
    };
    std::io::Error::new(error.kind(), message)
}
