//! Every adapter reading whatever a provider (or anything between it and us) answers: the
//! fuzz input is the HTTP status, the content type and the body a loopback server sends
//! back to each operation of each adapter, through the public API. Never a panic, never a
//! hang, and no error quotes the card number that was sent.
#![no_main]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use odeme_core::{
    Address, CancelRequest, CaptureRequest, Card, ChargeRequest, Currency, Customer, Expiry,
    Gateway, InstallmentQuery, LineItem, ListCardsRequest, Money, PaymentSource, RefundRequest,
    StatusQuery, TransportConfig,
};
use odeme_craftgate::{CraftgateConfig, CraftgateGateway};
use odeme_paytr::{PaytrConfig, PaytrGateway};
use odeme_paytrek::{PaytrekConfig, PaytrekGateway};
use rust_decimal::Decimal;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

const PAN: &str = "4355084355084358";
const STATUSES: [u16; 12] = [200, 200, 200, 201, 302, 400, 401, 404, 409, 422, 500, 503];
const TYPES: [&str; 4] = [
    "application/json",
    "text/html; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/plain",
];

/// What the loopback server answers next.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

static ANSWER: Mutex<Answer> = Mutex::new(Answer {
    status: 200,
    content_type: "application/json",
    body: Vec::new(),
});

struct World {
    runtime: Runtime,
    gateways: Vec<Box<dyn Gateway>>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        runtime.spawn(serve(listener));
        let transport = TransportConfig {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            ..TransportConfig::default()
        };
        let gateways: Vec<Box<dyn Gateway>> = vec![
            Box::new(
                PaytrekGateway::new(
                    PaytrekConfig::new("key", "secret")
                        .with_base_url(&base)
                        .with_transport(transport.clone()),
                )
                .expect("paytrek"),
            ),
            Box::new(
                PaytrGateway::new(
                    PaytrConfig::new("100001", "FuzzMerchantKey1", "FuzzMerchantSalt")
                        .with_base_url(&base)
                        .with_transport(transport.clone()),
                )
                .expect("paytr"),
            ),
            Box::new(
                CraftgateGateway::new(
                    CraftgateConfig::new("api-key", "secret-key")
                        .with_base_url(&base)
                        .with_transport(transport),
                )
                .expect("craftgate"),
            ),
        ];
        World { runtime, gateways }
    })
}

async fn serve(listener: TcpListener) {
    while let Ok((socket, _)) = listener.accept().await {
        tokio::spawn(answer(socket));
    }
}

/// Reads HTTP/1.1 requests off one connection and answers each with [`ANSWER`].
async fn answer(mut socket: TcpStream) {
    let mut buffer = Vec::new();
    loop {
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        while buffer.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..head_end + length);
        let response = {
            let answer = ANSWER.lock().expect("not poisoned");
            let mut out = format!(
                "HTTP/1.1 {} Fuzz\r\ncontent-type: {}\r\ncontent-length: {}\r\nlocation: /elsewhere\r\n\r\n",
                answer.status,
                answer.content_type,
                answer.body.len()
            )
            .into_bytes();
            out.extend_from_slice(&answer.body);
            out
        };
        if socket.write_all(&response).await.is_err() {
            return;
        }
    }
}

fn charge() -> ChargeRequest {
    let amount = Money::new(Decimal::new(10050, 2), Currency::TRY).expect("an amount");
    let expiry = Expiry::new(12, 2099).expect("an expiry");
    let card = Card::new(PAN, expiry, "123", "Ayse Yilmaz").expect("a card");
    let customer = Customer::new(
        "Ayse",
        "Yilmaz",
        "ayse@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
    .with_phone("+905350000000");
    ChargeRequest::new(
        "FUZZ-ORDER-1",
        amount,
        PaymentSource::NewCard(card),
        customer,
    )
    .with_billing(Address {
        line1: "Bagdat Caddesi 1".into(),
        line2: None,
        city: "Istanbul".into(),
        state: None,
        postal_code: Some("34710".into()),
        country: "TR".into(),
    })
    .with_items(vec![
        LineItem::new("Item", amount, 1).with_external_id("ITEM1")
    ])
}

/// One operation of `gateway`, its outcome as text (what a log of it would show).
async fn call(gateway: &dyn Gateway, operation: u8) -> Option<String> {
    let amount = Money::new(Decimal::new(5025, 2), Currency::TRY).ok();
    let shown = match operation % 8 {
        0 => format!("{:?}", gateway.charges()?.charge(&charge()).await),
        1 => {
            let query = StatusQuery::OrderId("FUZZ-ORDER-1".into());
            format!("{:?}", gateway.status_query()?.status(&query).await)
        }
        2 => {
            let mut request = RefundRequest::full("PAY-1");
            request.amount = amount;
            format!("{:?}", gateway.refunds()?.refund(&request).await)
        }
        3 => {
            let request = CaptureRequest {
                payment_id: "PAY-1".into(),
                amount: None,
            };
            format!("{:?}", gateway.charges()?.capture(&request).await)
        }
        4 => {
            let request = CancelRequest {
                payment_id: "PAY-1".into(),
                reason: None,
            };
            format!("{:?}", gateway.charges()?.cancel(&request).await)
        }
        5 => {
            let query = InstallmentQuery {
                bin: Some("435508".into()),
                amount: amount?,
            };
            format!(
                "{:?}",
                gateway.installment_options()?.installments(&query).await
            )
        }
        6 => {
            let request = ListCardsRequest::new("CUSTOMER-TOKEN");
            format!("{:?}", gateway.cards()?.list_cards(&request).await)
        }
        _ => format!("{:?}", gateway.recurring()?.get_plan("PLAN-1").await),
    };
    Some(shown)
}

fuzz_target!(|input: (u8, u8, u8, Vec<u8>)| {
    let (pick, status, content_type, body) = input;
    let world = world();
    {
        let mut answer = ANSWER.lock().expect("not poisoned");
        answer.status = STATUSES[usize::from(status) % STATUSES.len()];
        answer.content_type = TYPES[usize::from(content_type) % TYPES.len()];
        answer.body = body;
    }
    let gateway = world.gateways[usize::from(pick) % world.gateways.len()].as_ref();
    let operation = pick / 3;
    if let Some(shown) = world.runtime.block_on(call(gateway, operation)) {
        if shown.starts_with("Err") {
            assert!(
                !shown.contains(PAN),
                "an error quotes the card number: {shown}"
            );
        }
    }
});
