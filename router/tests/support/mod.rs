//! Scripted in-process gateways: each answer (a payment, an unknown outcome, a refused
//! connection) is chosen by the test and every call is counted.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use odeme_core::{
    CancelRequest, Capabilities, Capability, CaptureRequest, Card, Charge, ChargeRequest, Customer,
    Error, Expiry, Gateway, Money, Payment, PaymentSource, PaymentStatus, PaymentStatusQuery,
    ProviderId, RejectionKind, StatusQuery,
};

/// What a scripted gateway answers a charge with.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Pay,
    Unknown,
    Refused,
}

#[derive(Debug)]
pub struct Scripted {
    provider: ProviderId,
    answers: Mutex<VecDeque<Answer>>,
    /// Payments it holds, by order id (what a status query finds).
    ledger: Mutex<HashMap<String, Payment>>,
    charges: AtomicUsize,
    statuses: AtomicUsize,
    /// Whether a status query finds the payment an unknown outcome made.
    status_finds_it: bool,
    capabilities: Vec<Capability>,
}

impl Scripted {
    pub fn new(provider: ProviderId, answers: &[Answer], status_finds_it: bool) -> Arc<Self> {
        Arc::new(Self {
            provider,
            answers: Mutex::new(answers.iter().copied().collect()),
            ledger: Mutex::new(HashMap::new()),
            charges: AtomicUsize::new(0),
            statuses: AtomicUsize::new(0),
            status_finds_it,
            capabilities: vec![
                Capability::Charge,
                Capability::StatusByOrderId,
                Capability::StatusByPaymentId,
            ],
        })
    }

    /// A gateway that always pays and declares `extra` on top of charges and status.
    pub fn offering(provider: ProviderId, extra: &[Capability]) -> Arc<Self> {
        let mut gateway = Arc::into_inner(Self::new(provider, &[], true)).expect("fresh");
        gateway.capabilities.extend_from_slice(extra);
        Arc::new(gateway)
    }

    pub fn charges(&self) -> usize {
        self.charges.load(Ordering::SeqCst)
    }

    pub fn statuses(&self) -> usize {
        self.statuses.load(Ordering::SeqCst)
    }
}

impl Gateway for Scripted {
    fn provider(&self) -> ProviderId {
        self.provider
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(&self.capabilities)
    }

    fn charges(&self) -> Option<&dyn Charge> {
        Some(self)
    }

    fn status_query(&self) -> Option<&dyn PaymentStatusQuery> {
        Some(self)
    }
}

#[async_trait]
impl Charge for Scripted {
    async fn charge(&self, request: &ChargeRequest) -> odeme_core::Result<Payment> {
        let answer = self
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Answer::Pay);
        if matches!(answer, Answer::Refused) {
            return Err(Error::Transport {
                provider: self.provider,
                operation: "charge".into(),
                reason: "connection refused".into(),
            });
        }
        self.charges.fetch_add(1, Ordering::SeqCst);
        let payment = Payment::new(
            self.provider,
            &format!("{}-{}", self.provider, request.order_id),
            &request.order_id,
            PaymentStatus::Succeeded,
            request.amount,
        );
        if matches!(answer, Answer::Unknown) {
            if self.status_finds_it {
                self.ledger
                    .lock()
                    .unwrap()
                    .insert(request.order_id.clone(), payment);
            }
            return Err(Error::UnknownOutcome {
                provider: self.provider,
                operation: "charge".into(),
                reference: Some(request.order_id.clone()),
                reason: "connection dropped after sending".into(),
            });
        }
        self.ledger
            .lock()
            .unwrap()
            .insert(request.order_id.clone(), payment.clone());
        Ok(payment)
    }

    async fn capture(&self, _: &CaptureRequest) -> odeme_core::Result<Payment> {
        Err(Error::unsupported(
            self.provider,
            Capability::Capture,
            "scripted",
        ))
    }

    async fn cancel(&self, _: &CancelRequest) -> odeme_core::Result<Payment> {
        Err(Error::unsupported(
            self.provider,
            Capability::Cancel,
            "scripted",
        ))
    }
}

#[async_trait]
impl PaymentStatusQuery for Scripted {
    async fn status(&self, query: &StatusQuery) -> odeme_core::Result<Payment> {
        self.statuses.fetch_add(1, Ordering::SeqCst);
        let ledger = self.ledger.lock().unwrap();
        let found = match query {
            StatusQuery::OrderId(id) => ledger.get(id).cloned(),
            StatusQuery::PaymentId(id) => ledger.values().find(|p| &p.id == id).cloned(),
        };
        found.ok_or_else(|| Error::Provider {
            provider: self.provider,
            kind: RejectionKind::NotFound,
            code: None,
            message: "no such payment".into(),
            http_status: Some(404),
        })
    }
}

pub fn request(order_id: &str) -> ChargeRequest {
    let card = Card::new(
        "4355084355084358",
        Expiry::new(12, 2030).unwrap(),
        "000",
        "AYSE YILMAZ",
    )
    .unwrap();
    ChargeRequest::new(
        order_id,
        Money::from_minor(5_000, odeme_core::Currency::TRY).unwrap(),
        PaymentSource::NewCard(card),
        Customer::new(
            "Ayse",
            "Yilmaz",
            "ayse@example.com",
            IpAddr::V4(Ipv4Addr::LOCALHOST),
        ),
    )
}

/// Charges `order_id` through `router`.
pub async fn charge(router: &odeme_router::Router, order_id: &str) -> odeme_core::Result<Payment> {
    use odeme_core::GatewayExt;
    router.require_charges()?.charge(&request(order_id)).await
}
