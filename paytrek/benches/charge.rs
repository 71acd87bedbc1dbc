//! Criterion benches of one Paytrek charge without the network: the neutral request to the
//! `direct_charge` request (build + Basic Auth + serialize) and the documented answer to
//! the neutral payment (parse + map).

use std::net::{IpAddr, Ipv4Addr};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use odeme_core::{
    Address, Card, ChargeRequest, Currency, Customer, Expiry, HttpResponse, LineItem, Money,
    PaymentSource, ProviderId, RequestKind,
};
use odeme_paytrek::bench_hooks::{charge_wire_request, check_charge, read_charge_answer};
use odeme_paytrek::PaytrekConfig;
use rust_decimal::Decimal;

fn money(minor: i64) -> Money {
    Money::new(Decimal::new(minor, 2), Currency::TRY).expect("a valid amount")
}

/// 24.00 TRY of three items, a new card, no 3-D Secure.
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
    )
    .with_phone("+905350000000");
    ChargeRequest::new(
        "BENCH1",
        money(2400),
        PaymentSource::NewCard(card),
        customer,
    )
    .with_items(vec![
        LineItem::new("Book", money(1000), 1),
        LineItem::new("Pen", money(400), 2),
        LineItem::new("Bag", money(600), 1),
    ])
    .with_billing(Address {
        line1: "Bagdat Caddesi 1".into(),
        line2: None,
        city: "Istanbul".into(),
        state: None,
        postal_code: Some("34710".into()),
        country: "TR".into(),
    })
}

fn benches(c: &mut Criterion) {
    let config =
        PaytrekConfig::new("bench-key", "bench-secret").with_base_url("http://127.0.0.1:9");
    let request = request();
    c.bench_function("paytrek/charge/validate", |b| {
        b.iter(|| check_charge(&config, black_box(&request)).expect("a valid charge"))
    });
    c.bench_function("paytrek/charge/build_sign_serialize", |b| {
        b.iter(|| charge_wire_request(&config, black_box(&request)).expect("a valid charge"))
    });
    let response = HttpResponse {
        provider: ProviderId::Paytrek,
        operation: "charge",
        kind: RequestKind::Write,
        reference: Some("BENCH1".into()),
        status: 200,
        body: include_bytes!("../tests/fixtures/direct_charge.json").to_vec(),
    };
    c.bench_function("paytrek/charge/parse_map", |b| {
        b.iter(|| read_charge_answer(&request, black_box(&response)).expect("a payment"))
    });
    // The floor of any reader of this answer: checking that it is JSON at all, keeping
    // nothing (BENCHMARKS.md, why the ratio targets are missed).
    c.bench_function("paytrek/floor/skim_answer", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&response.body))
                .expect("JSON")
        })
    });
    // What the floor client in `odeme-bench` reads of it: whether the first transaction
    // succeeded.
    #[derive(serde::Deserialize)]
    struct Approval {
        transactions: Vec<Transaction>,
    }
    #[derive(serde::Deserialize)]
    struct Transaction {
        succeeded: bool,
    }
    c.bench_function("paytrek/floor/read_approval", |b| {
        b.iter(|| {
            serde_json::from_slice::<Approval>(black_box(&response.body))
                .is_ok_and(|a| a.transactions.first().is_some_and(|t| t.succeeded))
        })
    });
}

criterion_group!(charge, benches);
criterion_main!(charge);
