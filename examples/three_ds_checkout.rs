//! A 3-D Secure checkout with a small axum web shop: `cargo run --example three_ds_checkout`.
//!
//! The shop has two pages:
//! - `GET /pay/{provider}` starts a 3-D Secure payment and answers with the page that sends
//!   the customer's browser to the bank (`NextAction::to_html`);
//! - `/return/{provider}/{order_id}` (GET or POST, whatever the provider uses) is where the
//!   bank sends the browser back: it hands the raw request to `complete_three_ds`, which
//!   verifies it and settles the payment.
//!
//! A real customer would click through the bank's page; here a scripted browser
//! (`support::browse`) does it, once approving and once failing the 3-D check, at each of
//! the three providers, and the program ends when the six payments are settled.
//!
//! To click through the pages yourself, keep the shop up for a while after the scripted
//! run: `cargo run --example three_ds_checkout -- --serve 120` serves for 120 seconds (at
//! most 600) and then stops on its own. Open `/pay/paytrek`, `/pay/paytr` or
//! `/pay/craftgate` on the address it prints.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use odeme::{
    Card, ChargeRequest, CompleteThreeDsRequest, Currency, Expiry, Gateway, GatewayExt,
    InboundRequest, Money, PaymentSource,
};
use odeme_sandbox::Sandbox;
use rust_decimal::Decimal;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// The shop: a gateway per provider, and the payment id of each open order.
struct Shop {
    base_url: String,
    gateways: HashMap<String, Arc<dyn Gateway>>,
    open_orders: Mutex<HashMap<String, String>>,
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let serve_for = match serve_for() {
        Ok(seconds) => seconds,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let sandbox = Sandbox::start().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let mut gateways = HashMap::new();
    for gateway in [
        support::paytrek(&sandbox)?,
        support::paytr(&sandbox)?,
        support::craftgate(&sandbox)?,
    ] {
        gateways.insert(gateway.provider().to_string(), gateway);
    }
    let shop = Arc::new(Shop {
        base_url: base_url.clone(),
        gateways,
        open_orders: Mutex::new(HashMap::new()),
    });
    let app = Router::new()
        .route("/pay/{provider}", get(pay))
        .route(
            "/return/{provider}/{order_id}",
            get(back_from_bank).post(back_from_bank),
        )
        .with_state(shop);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    println!("shop started on {base_url}; a scripted browser plays the customer");

    for provider in ["paytrek", "paytr", "craftgate"] {
        for choice in ["success", "failure"] {
            let page = support::browse(
                &format!("{base_url}/pay/{provider}"),
                choice,
                &format!("{base_url}/return/"),
            )
            .await?;
            let verdict = page
                .split("<h1>")
                .nth(1)
                .and_then(|h| h.split("</h1>").next())
                .unwrap_or(&page);
            println!("{provider:<10} bank page {choice:<8} -> {verdict}");
        }
    }
    if let Some(seconds) = serve_for {
        println!(
            "serving {seconds} seconds more: open {base_url}/pay/paytrek, /pay/paytr or \
             /pay/craftgate in a browser"
        );
        tokio::time::sleep(Duration::from_secs(seconds)).await;
    }
    server.abort();
    println!("shop stopped");
    Ok(())
}

/// The longest `--serve` accepted: the example must always end on its own.
const MAX_SERVE_SECONDS: u64 = 600;

/// `--serve SECONDS` from the command line, if given.
fn serve_for() -> Result<Option<u64>, String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(None),
        (Some("--serve"), Some(seconds)) => match seconds.parse::<u64>() {
            Ok(s) if s <= MAX_SERVE_SECONDS => Ok(Some(s)),
            _ => Err(format!(
                "--serve takes a number of seconds from 0 to {MAX_SERVE_SECONDS}, not `{seconds}`"
            )),
        },
        _ => Err("usage: three_ds_checkout [--serve SECONDS]".to_owned()),
    }
}

/// Starts a 3-D Secure payment and sends the browser on its way to the bank.
async fn pay(State(shop): State<Arc<Shop>>, Path(provider): Path<String>) -> Html<String> {
    match start_payment(&shop, &provider).await {
        Ok(page) => Html(page),
        Err(e) => Html(format!("<h1>Could not start the payment</h1><p>{e}</p>")),
    }
}

async fn start_payment(shop: &Shop, provider: &str) -> Result<String, AnyError> {
    let gateway = shop.gateways.get(provider).ok_or("unknown provider")?;
    let (number, cvc) = support::test_card(gateway.as_ref());
    let card = Card::new(number, Expiry::new(12, 2030)?, cvc, "Ayse Yilmaz")?;
    let order_id = support::order_id("TDS");
    let amount = Money::new(Decimal::new(24_990, 2), Currency::TRY)?;
    let request = ChargeRequest::new(
        &order_id,
        amount,
        PaymentSource::NewCard(card),
        support::customer(),
    )
    .with_billing(support::billing())
    .with_three_ds(&format!("{}/return/{provider}/{order_id}", shop.base_url));
    let payment = gateway.require_charges()?.charge(&request).await?;
    let action = payment
        .next_action
        .ok_or("the provider asked for no 3-D Secure step")?;
    shop.open_orders
        .lock()
        .map_err(|_| "lock poisoned")?
        .insert(order_id, payment.id);
    Ok(action.to_html())
}

/// The bank sent the customer back: verify the return and settle the payment.
async fn back_from_bank(
    State(shop): State<Arc<Shop>>,
    Path((provider, order_id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Html<String> {
    let callback = InboundRequest {
        method: method.to_string(),
        headers: headers
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_owned())))
            .collect(),
        query,
        body: body.to_vec(),
    };
    let payment_id = shop
        .open_orders
        .lock()
        .ok()
        .and_then(|mut o| o.remove(&order_id));
    let Some(gateway) = shop.gateways.get(&provider) else {
        return Html("<h1>Unknown provider</h1>".into());
    };
    let completion = CompleteThreeDsRequest {
        order_id: Some(order_id.clone()),
        payment_id,
        callback,
        currency: Some(Currency::TRY),
    };
    let result = match gateway.require_three_ds() {
        Ok(three_ds) => three_ds.complete_three_ds(&completion).await,
        Err(e) => Err(e),
    };
    Html(match result {
        Ok(payment) => format!(
            "<h1>Order {order_id}: {} {}</h1>",
            payment.status, payment.amount
        ),
        Err(odeme::Error::Declined(decline)) => {
            format!(
                "<h1>Order {order_id}: declined ({})</h1><p>{}</p>",
                decline.reason, decline.customer_message
            )
        }
        Err(other) => format!("<h1>Order {order_id}: could not be completed</h1><p>{other}</p>"),
    })
}
