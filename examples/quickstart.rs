//! The quickstart: `cargo run --example quickstart`.
//!
//! Starts the embedded sandbox (local simulators of Paytrek, PayTR and Craftgate on
//! 127.0.0.1), then, for each provider through the same neutral API: charges a card and
//! stores it, charges the stored card, refunds part of the first payment and reads its
//! status. No credentials, no network beyond loopback.

mod support;

use odeme::{
    Card, ChargeRequest, Currency, Cvc, Expiry, Gateway, GatewayExt, Money, PaymentSource,
    RefundRequest, StatusQuery, StoreCardMode,
};
use odeme_sandbox::Sandbox;
use rust_decimal::Decimal;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// One line of the result table.
struct Row {
    provider: String,
    step: &'static str,
    status: String,
    amount: String,
    reference: String,
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let sandbox = Sandbox::start().await?;
    let gateways = [
        support::paytrek(&sandbox)?,
        support::paytr(&sandbox)?,
        support::craftgate(&sandbox)?,
    ];

    let mut rows = Vec::new();
    for gateway in &gateways {
        rows.extend(walk_through(gateway.as_ref()).await?);
    }
    print_table(&rows);
    Ok(())
}

/// Charge and store → charge the stored card → partial refund → status, at one provider.
async fn walk_through(gateway: &dyn Gateway) -> Result<Vec<Row>, AnyError> {
    let provider = gateway.provider().to_string();
    let row = |step, status: String, amount: String, reference: &str| Row {
        provider: provider.clone(),
        step,
        status,
        amount,
        reference: reference.to_owned(),
    };
    let try_money = |amount: i64| Money::new(Decimal::new(amount, 2), Currency::TRY);
    let (number, cvc) = support::test_card(gateway);
    let card = Card::new(number, Expiry::new(12, 2030)?, cvc, "Ayse Yilmaz")?;
    let mut rows = Vec::new();

    // 1. Charge a new card and keep it for later.
    let first = ChargeRequest::new(
        &support::order_id("QS"),
        try_money(10000)?,
        PaymentSource::NewCard(card),
        support::customer(),
    )
    .with_billing(support::billing())
    .with_store_card(StoreCardMode::NewCustomer);
    let payment = gateway.require_charges()?.charge(&first).await?;
    rows.push(row(
        "charge + store card",
        payment.status.to_string(),
        payment.amount.to_string(),
        &payment.id,
    ));
    let stored = payment
        .stored_card
        .clone()
        .ok_or("the provider stored no card")?;

    // 2. Charge the stored card (with its CVC only if the provider asks for one).
    let cvc = if stored.requires_cvc {
        Some(Cvc::parse(cvc)?)
    } else {
        None
    };
    let source = PaymentSource::StoredCard {
        card: stored.reference.clone(),
        cvc,
    };
    let second = ChargeRequest::new(
        &support::order_id("QS"),
        try_money(2500)?,
        source,
        support::customer(),
    )
    .with_billing(support::billing());
    let repeat = gateway
        .require_stored_card_charges()?
        .charge_stored_card(&second)
        .await?;
    rows.push(row(
        "charge the stored card",
        repeat.status.to_string(),
        repeat.amount.to_string(),
        &repeat.id,
    ));

    // 3. Give 30.00 of the first payment back.
    let refund = gateway
        .require_refunds()?
        .refund(&RefundRequest::partial(&payment.id, try_money(3000)?))
        .await?;
    rows.push(row(
        "partial refund",
        support::refund_status(refund.status).to_owned(),
        refund.amount.to_string(),
        &payment.id,
    ));

    // 4. Ask the provider where the first payment stands now.
    let now = gateway
        .require_status_query()?
        .status(&StatusQuery::PaymentId(payment.id.clone()))
        .await?;
    rows.push(row(
        "status",
        now.status.to_string(),
        format!("{} ({} refunded)", now.amount, now.refunded),
        &now.id,
    ));
    Ok(rows)
}

fn print_table(rows: &[Row]) {
    let header = ["provider", "step", "status", "amount", "reference"];
    let cells: Vec<[&str; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.provider.as_str(),
                r.step,
                r.status.as_str(),
                r.amount.as_str(),
                r.reference.as_str(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for line in &cells {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let print = |line: [&str; 5]| {
        let padded: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    print(header);
    println!("|{}|", widths.map(|w| "-".repeat(w + 2)).join("|"));
    for line in cells {
        print(line);
    }
}
