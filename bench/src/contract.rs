//! The fourth side of `compare`: the floor client (see `floor`) plus the least the neutral
//! API asks of every adapter, done by the adapter's own code: its checks of the request
//! before anything is sent, and its reading of the answer into a neutral `Payment`.
//!
//! The floor's ratio to raw is what any client of the protocol can reach; this side's ratio
//! is what any adapter that keeps the library's contract (a request refused before it is
//! sent, a `Payment` the caller can act on) can reach with the adapter's present checks and
//! mapping. An adapter's distance to it is everything else it adds: its request type, the
//! transport, the span, the boxed future, the drops. BENCHMARKS.md, "Why the ratio targets
//! are missed", uses it.

use std::sync::Arc;

use odeme::craftgate::bench_hooks as craftgate;
use odeme::paytr::bench_hooks as paytr;
use odeme::paytr::PaytrGateway;
use odeme::paytrek::bench_hooks as paytrek;
use odeme::paytrek::PaytrekConfig;
use odeme::{ChargeRequest, HttpResponse, Payment, PaymentStatus, ProviderId, RequestKind, Result};

use crate::floor::FloorClient;

/// What the adapter's checks and mapping need of its configuration.
#[derive(Debug)]
pub enum Adapter {
    /// Paytrek checks the request against its configuration.
    Paytrek(Box<PaytrekConfig>),
    /// PayTR maps the answer with its gateway's settings.
    Paytr(Box<PaytrGateway>),
    /// Craftgate needs nothing beyond the request.
    Craftgate,
}

impl Adapter {
    fn provider(&self) -> ProviderId {
        match self {
            Adapter::Paytrek(_) => ProviderId::Paytrek,
            Adapter::Paytr(_) => ProviderId::Paytr,
            Adapter::Craftgate => ProviderId::Craftgate,
        }
    }

    fn check(&self, request: &ChargeRequest) -> Result<()> {
        match self {
            Adapter::Paytrek(config) => paytrek::check_charge(config, request),
            Adapter::Paytr(_) => paytr::check_charge(request),
            Adapter::Craftgate => craftgate::check_charge(request),
        }
    }

    fn read(&self, request: &ChargeRequest, response: &HttpResponse) -> Result<Payment> {
        match self {
            Adapter::Paytrek(_) => paytrek::read_charge_answer(request, response),
            Adapter::Paytr(gateway) => paytr::read_charge_answer(gateway, request, response),
            Adapter::Craftgate => craftgate::read_charge_answer(request, response),
        }
    }
}

/// The floor client with the adapter's checks before it and its mapping after it.
#[derive(Debug)]
pub struct ContractClient {
    floor: Arc<FloorClient>,
    adapter: Adapter,
}

impl ContractClient {
    /// `floor`'s payment, checked and mapped by `adapter`.
    pub fn new(floor: Arc<FloorClient>, adapter: Adapter) -> Self {
        Self { floor, adapter }
    }

    /// Sends this payment once; true when the adapter maps the answer to a succeeded
    /// payment.
    pub async fn send(&self) -> bool {
        let request = self.floor.request();
        if self.adapter.check(request).is_err() {
            return false;
        }
        let Some(answer) = self.floor.exchange().await else {
            return false;
        };
        // What the transport hands an adapter: the body in a `Vec` and the order id an
        // unknown outcome would be reconciled by.
        let response = HttpResponse {
            provider: self.adapter.provider(),
            operation: "charge",
            kind: RequestKind::Write,
            reference: Some(request.order_id.clone()),
            status: 200,
            body: Vec::from(answer),
        };
        self.adapter
            .read(request, &response)
            .is_ok_and(|payment| payment.status == PaymentStatus::Succeeded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::floor::canned_floor;
    use crate::provider::{canned_adapter, charge_request, Provider};

    /// Every provider's contract client gets the canned approval through the adapter's own
    /// mapping, and the adapter's checks it runs first refuse a bad request.
    #[tokio::test]
    async fn the_contract_client_checks_sends_and_maps() {
        for provider in Provider::ALL {
            let (server, floor) = canned_floor(provider).await;
            let adapter = canned_adapter(provider, &server.base_url).unwrap();
            let client = ContractClient::new(Arc::new(floor), adapter);
            assert!(client.send().await, "{}", provider.name());

            // An order id longer than any provider takes.
            let mut bad = charge_request(provider, "BENCH2").unwrap();
            bad.order_id = "x".repeat(300);
            assert!(
                client.adapter.check(&bad).is_err(),
                "{}: a 300-character order id passed the checks",
                provider.name()
            );
        }
    }
}
