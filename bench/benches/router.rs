//! Criterion benches of the router's decision for one charge, through its public API only
//! (the router's selection code is another engineer's; nothing in it is exposed for this):
//! a charge of a new order through `Router` over three in-process gateways that answer at
//! once, so the time is the router's own (eligibility, strategy, exactly-once claim in the
//! in-memory store, breaker bookkeeping), and a repeat of an order already charged. The
//! approval-based strategies also read and score the gateways' outcome windows (all
//! approvals here, so the windows are full after the first hundred charges).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use odeme::router::store::{RedisStore, RedisStoreConfig};
use odeme::router::{ApprovalRouting, Router, RouterStore, Strategy};
use odeme::{
    CancelRequest, Capabilities, Capability, CaptureRequest, Card, Charge, ChargeRequest, Currency,
    Customer, Error, Expiry, Gateway, GatewayExt, Money, Payment, PaymentSource, PaymentStatus,
    PaymentStatusQuery, ProviderId, StatusQuery,
};
use rust_decimal::Decimal;

/// A gateway that pays every charge at once.
#[derive(Debug)]
struct Instant(ProviderId);

impl Gateway for Instant {
    fn provider(&self) -> ProviderId {
        self.0
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(&[
            Capability::Charge,
            Capability::StatusByOrderId,
            Capability::StatusByPaymentId,
        ])
    }

    fn charges(&self) -> Option<&dyn Charge> {
        Some(self)
    }

    fn status_query(&self) -> Option<&dyn PaymentStatusQuery> {
        Some(self)
    }
}

#[async_trait]
impl Charge for Instant {
    async fn charge(&self, request: &ChargeRequest) -> odeme::Result<Payment> {
        Ok(Payment::new(
            self.0,
            &request.order_id,
            &request.order_id,
            PaymentStatus::Succeeded,
            request.amount,
        ))
    }

    async fn capture(&self, _: &CaptureRequest) -> odeme::Result<Payment> {
        Err(Error::unsupported(self.0, Capability::Capture, "bench"))
    }

    async fn cancel(&self, _: &CancelRequest) -> odeme::Result<Payment> {
        Err(Error::unsupported(self.0, Capability::Cancel, "bench"))
    }
}

#[async_trait]
impl PaymentStatusQuery for Instant {
    async fn status(&self, _: &StatusQuery) -> odeme::Result<Payment> {
        Err(Error::unsupported(
            self.0,
            Capability::StatusByOrderId,
            "bench",
        ))
    }
}

fn request() -> ChargeRequest {
    let card = Card::new(
        "4355084355084358",
        Expiry::new(12, 2030).expect("a valid expiry"),
        "000",
        "Ayse Yilmaz",
    )
    .expect("a valid card");
    let customer = Customer::new(
        "Ayse",
        "Yilmaz",
        "ayse.yilmaz@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    );
    let amount = Money::new(Decimal::new(2400, 2), Currency::TRY).expect("a valid amount");
    ChargeRequest::new("R0", amount, PaymentSource::NewCard(card), customer)
}

fn router(strategy: Strategy) -> Router {
    router_on(strategy, None)
}

fn router_on(strategy: Strategy, store: Option<Arc<dyn RouterStore>>) -> Router {
    let gateways: [(&str, Arc<dyn Gateway>, u32); 3] = [
        ("paytr", Arc::new(Instant(ProviderId::Paytr)), 70),
        ("craftgate", Arc::new(Instant(ProviderId::Craftgate)), 20),
        ("paytrek", Arc::new(Instant(ProviderId::Paytrek)), 10),
    ];
    let builder = gateways
        .into_iter()
        .fold(Router::builder(), |b, (name, gateway, weight)| {
            b.weighted(name, gateway, weight)
        })
        .strategy(strategy);
    let builder = match store {
        Some(store) => builder.store(store),
        None => builder,
    };
    builder.build().expect("a valid router")
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let base = request();
    let next = AtomicU64::new(0);
    let mut group = c.benchmark_group("router");
    group.sample_size(30);
    // The approval-based strategies read every candidate's windows (one store call) and
    // score them; their difference to `weighted` is the cost of that decision.
    for strategy in [
        Strategy::Failover,
        Strategy::Weighted,
        Strategy::ApprovalRate(ApprovalRouting {
            seed: Some(1),
            ..ApprovalRouting::default()
        }),
        Strategy::ExpectedValue(ApprovalRouting {
            seed: Some(1),
            ..ApprovalRouting::default()
        }),
    ] {
        let name = format!("charge_new_order/{}", strategy.name());
        let router = router(strategy);
        group.bench_function(&name, |b| {
            b.iter_batched(
                || {
                    let mut r = base.clone();
                    r.order_id = format!("R{}", next.fetch_add(1, Ordering::Relaxed));
                    r
                },
                |r| {
                    runtime
                        .block_on(async { router.require_charges()?.charge(&r).await })
                        .expect("charged")
                },
                BatchSize::SmallInput,
            )
        });
    }
    let router = router(Strategy::Weighted);
    runtime
        .block_on(async { router.require_charges()?.charge(&base).await })
        .expect("charged");
    group.bench_function("charge_repeat_of_charged_order/weighted", |b| {
        b.iter(|| {
            runtime
                .block_on(async { router.require_charges()?.charge(&base).await })
                .expect("the first outcome")
        })
    });
    // On a real redis-server (skipped when the machine has none): the approval decision
    // reads every candidate's windows in one pipelined round trip and records the outcome in
    // one more; the difference to `weighted` on the same store is those two.
    match odeme_sandbox::redis_server::start() {
        Ok(Some(server)) => {
            for strategy in [
                Strategy::Weighted,
                Strategy::ApprovalRate(ApprovalRouting {
                    seed: Some(1),
                    ..ApprovalRouting::default()
                }),
            ] {
                let name = format!("charge_new_order_on_redis/{}", strategy.name());
                let store: Arc<dyn RouterStore> = Arc::new(
                    runtime
                        .block_on(RedisStore::connect(
                            RedisStoreConfig::new(&server.url())
                                .with_key_prefix(&format!("bench:{}:", strategy.name())),
                        ))
                        .expect("the bench's redis-server"),
                );
                let router = router_on(strategy, Some(store));
                group.bench_function(&name, |b| {
                    b.iter_batched(
                        || {
                            let mut r = base.clone();
                            r.order_id = format!("RR{}", next.fetch_add(1, Ordering::Relaxed));
                            r
                        },
                        |r| {
                            runtime
                                .block_on(async { router.require_charges()?.charge(&r).await })
                                .expect("charged")
                        },
                        BatchSize::SmallInput,
                    )
                });
            }
        }
        Ok(None) => odeme_sandbox::redis_server::skip_notice("the router bench on Redis"),
        Err(e) => eprintln!("no redis-server for the router bench: {e}"),
    }
    group.finish();
}

criterion_group!(router_benches, benches);
criterion_main!(router_benches);
