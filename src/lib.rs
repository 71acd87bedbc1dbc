//! # odeme
//!
//! Card payments through **Paytrek**, **PayTR** and **Craftgate** behind one
//! provider-neutral API. This facade re-exports [`odeme_core`](crate::core) (at the crate
//! root and as [`core`]) and, per cargo feature (`paytrek`, `paytr`, `craftgate`, all on by
//! default), each adapter: [`paytrek`] ([`paytrek::PaytrekGateway`]), [`paytr`]
//! ([`paytr::PaytrGateway`], [`paytr::PaytrConfig`]) and [`craftgate`]
//! ([`craftgate::CraftgateGateway`]). Feature `router` (on by default) adds the [`router`]
//! that routes across several gateways; feature `redis` adds the router's Redis store.
//!
//! ```toml
//! # only PayTR:
//! odeme = { version = "0.1", default-features = false, features = ["paytr"] }
//! ```
//!
//! A charge is the same at every provider; only the gateway's construction differs. Here
//! against the PayTR simulator of the embedded sandbox (the `odeme-sandbox` crate):
//!
//! ```
//! # #[cfg(feature = "paytr")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use std::net::{IpAddr, Ipv4Addr};
//!
//! use odeme::paytr::{PaytrConfig, PaytrGateway};
//! use odeme::{Address, Card, ChargeRequest, Currency, Customer, Expiry, GatewayExt};
//! use odeme::{Money, PaymentSource, PaymentStatus};
//! use odeme_sandbox::{Sandbox, Simulator};
//!
//! let sandbox = Sandbox::start().await?; // local simulators of all three providers
//! let c = sandbox.paytr.credentials(); // in production: your merchant id, key and salt
//! let config = PaytrConfig::new(&c.merchant_id, c.merchant_key.as_str(), c.merchant_salt.as_str())
//!     .with_base_url(sandbox.paytr.base_url()) // in production: leave out
//!     .with_return_urls("https://shop.example/paid", "https://shop.example/failed");
//! let gateway = PaytrGateway::new(config)?;
//!
//! let card = Card::new("4355084355084358", Expiry::new(12, 2030)?, "000", "Ayse Yilmaz")?;
//! // PayTR needs the customer's phone and a billing address besides name, e-mail and IP.
//! let customer = Customer::new("Ayse", "Yilmaz", "ayse@example.com", IpAddr::V4(Ipv4Addr::LOCALHOST))
//!     .with_phone("+905350000000");
//! let request = ChargeRequest::new(
//!     "DOC1",
//!     Money::new(odeme::Decimal::new(10099, 2), Currency::TRY)?, // 100.99 TRY, exact
//!     PaymentSource::NewCard(card),
//!     customer,
//! )
//! .with_billing(Address::new("Bagdat Caddesi 1", "Istanbul", "TR"));
//!
//! let payment = gateway.require_charges()?.charge(&request).await?;
//! assert_eq!(payment.status, PaymentStatus::Succeeded);
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "paytr"))]
//! # fn main() {}
//! ```
//!
//! The README's longer example runs the same charge at every provider and handles declines
//! and unknown outcomes.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use odeme_core::*;

/// The provider-neutral core, also re-exported at the crate root.
#[doc(inline)]
pub use odeme_core as core;

/// The Paytrek v2 adapter.
#[cfg(feature = "paytrek")]
#[doc(inline)]
pub use odeme_paytrek as paytrek;

/// The PayTR adapter.
#[cfg(feature = "paytr")]
#[doc(inline)]
pub use odeme_paytr as paytr;

/// The Craftgate adapter.
#[cfg(feature = "craftgate")]
#[doc(inline)]
pub use odeme_craftgate as craftgate;

/// Routing across gateways: failover, weighted load-balancing, circuit breakers and
/// exactly-once charges ([`router::Router`] is itself a [`Gateway`]).
#[cfg(feature = "router")]
#[doc(inline)]
pub use odeme_router as router;
