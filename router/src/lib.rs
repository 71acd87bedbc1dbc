//! # odeme-router
//!
//! A [`Router`] is a [`odeme_core::Gateway`] made of several gateways, so code written
//! against one gateway works unchanged against many:
//!
//! ```ignore
//! // one gateway:
//! let gateway: Arc<dyn Gateway> = Arc::new(PaytrGateway::new(paytr_config)?);
//! // two, PayTR first, Craftgate when PayTR cannot take the charge:
//! let gateway: Arc<dyn Gateway> = Arc::new(Router::failover([("paytr", paytr), ("craftgate", craftgate)])?);
//! ```
//!
//! - **Strategies** ([`Strategy`]): ordered failover, weighted load-balancing (smooth
//!   round-robin or seeded random), or the user's own [`Select`] rule; always after the
//!   request-aware filter that leaves out a gateway lacking the operation, the currency,
//!   installments, item splits, 3-D Secure, or the stored card.
//! - **Safe cascades** ([`CascadePolicy`]): a charge moves on only after an error that
//!   proves nothing was sent or done, or a soft decline; never after a hard decline, and
//!   never after an unknown outcome, which is reconciled by a status query at the gateway
//!   that may have charged, whose answer decides.
//! - **Health** ([`BreakerPolicy`]): a circuit breaker per gateway, shared through the
//!   store; its changes are `tracing` events with target `odeme_router::health`, routing
//!   decisions with target `odeme_router::route`.
//! - **Exactly once**: a charge is keyed by its idempotency key or, without one, its order
//!   id. The key is claimed atomically in the [`RouterStore`] before anything is sent; a
//!   second charge with the same key, from a retry or from another instance, returns the
//!   first one's outcome (waiting for it up to [`Timings::wait_for_in_flight`], then
//!   answering that it is in progress) and never reaches a second gateway or the same one
//!   twice.
//! - **Follow-ups stick**: capture, cancel, refund, status, 3-D Secure completion, stored
//!   cards and plans go to the gateway recorded as their owner, never to another.
//!
//! ## Stores and what they guarantee
//! [`store::MemoryStore`] (the default) serves one process. [`store::RedisStore`] (feature
//! `redis`) is shared by every instance pointed at the same Redis: claims and record
//! updates are atomic there, so two instances charging one order id concurrently send it
//! once. When the store cannot be reached, a charge fails closed with
//! [`odeme_core::Error::Unavailable`]: nothing is sent. A claim whose holder died is taken
//! over after [`Timings::claim_lease`]: before anything was sent, the new holder routes
//! it; after, it reconciles at the gateway the charge was sent to.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod approval;
mod breaker;
mod builder;
mod charge;
pub mod clock;
mod eligibility;
mod explain;
mod follow_up;
mod gateway;
mod learning;
mod outcome;
mod plan;
mod policy;
mod reconcile;
mod router;
pub mod store;
mod strategy;
mod sweeper;

pub use approval::{ApprovalRouting, Estimate, ProcessingCost};
pub use breaker::Health;
pub use builder::RouterBuilder;
pub use charge::{GATEWAY_REFERENCE, ROUTE_REFERENCE};
pub use explain::{Considered, RouteExplanation, Skipped, Tried};
pub use policy::{BreakerPolicy, CascadePolicy, Timings};
pub use router::Router;
pub use store::{RouterStore, StoreError};
pub use strategy::{Candidate, Select, Strategy};
pub use sweeper::{SweepPolicy, SweepReport, Sweeper};
