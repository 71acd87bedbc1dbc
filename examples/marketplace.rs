//! A marketplace order split across sub-merchants, through Craftgate:
//! `cargo run --example marketplace`.
//!
//! A customer buys from two sellers at once. Each line item names the seller
//! (sub-merchant) it is paid out to and how much of the price the seller gets; the rest is
//! the marketplace's commission. Craftgate answers with one transaction per item, and one
//! item can later be refunded on its own (the customer returns one seller's goods).

mod support;

use odeme::{
    Capability, Card, ChargeRequest, Currency, Expiry, GatewayExt, ItemRefund, LineItem, Money,
    PaymentSource, RefundRequest, StatusQuery,
};
use odeme_sandbox::Sandbox;
use rust_decimal::Decimal;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

fn try_money(minor: i64) -> odeme::Result<Money> {
    Money::new(Decimal::new(minor, 2), Currency::TRY)
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let sandbox = Sandbox::start().await?;
    let gateway = support::craftgate(&sandbox)?;
    // Route on what the gateway declares, not on which provider it is.
    if !gateway.supports(Capability::SubMerchantSplits) {
        return Err("this gateway cannot pay items out to sub-merchants".into());
    }

    // Sub-merchant ids are the member ids Craftgate gave each seller when they signed up.
    let items = vec![
        LineItem::new("Handmade rug", try_money(120_000)?, 1)
            .with_external_id("rug-1")
            .with_split("2001", try_money(108_000)?),
        LineItem::new("Ceramic bowl", try_money(15_000)?, 2)
            .with_external_id("bowl-2")
            .with_split("2002", try_money(27_000)?),
        LineItem::new("Gift wrapping", try_money(5_000)?, 1).with_external_id("wrap-3"),
    ];
    let total = try_money(155_000)?;
    let card = Card::new(
        "5258640000000001",
        Expiry::new(12, 2030)?,
        "123",
        "Ayse Yilmaz",
    )?;
    let request = ChargeRequest::new(
        &support::order_id("MP"),
        total,
        PaymentSource::NewCard(card),
        support::customer(),
    )
    .with_billing(support::billing())
    .with_items(items);

    let payment = gateway.require_charges()?.charge(&request).await?;
    println!(
        "order {} paid: {} ({})\n",
        payment.order_id, payment.amount, payment.status
    );
    println!(
        "{:<14} {:>12} {:>12} {:>14} {:>12}",
        "item", "price", "seller", "seller gets", "our payout"
    );
    for tx in &payment.transactions {
        let seller_gets = tx
            .sub_merchant_payout
            .map(|m| m.to_string())
            .unwrap_or_else(|| "-".into());
        let ours = tx
            .merchant_payout
            .map(|m| m.to_string())
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<14} {:>12} {:>12} {:>14} {:>12}",
            tx.name.as_deref().unwrap_or("?"),
            tx.price.to_string(),
            tx.sub_merchant_id.as_deref().unwrap_or("(us)"),
            seller_gets,
            ours,
        );
    }

    // The customer sends the bowls back: refund that one item, nothing else.
    let bowls = payment
        .transactions
        .iter()
        .find(|tx| tx.external_id.as_deref() == Some("bowl-2"))
        .ok_or("no transaction for the bowls")?;
    let mut refund = RefundRequest::full(&payment.id);
    refund.items = vec![ItemRefund {
        transaction_id: bowls.id.clone(),
        amount: None,
    }];
    refund.reason = Some("returned by the customer".into());
    let refunded = gateway.require_refunds()?.refund(&refund).await?;
    println!(
        "\nrefunded the bowls: {} ({})",
        refunded.amount,
        support::refund_status(refunded.status)
    );

    let now = gateway
        .require_status_query()?
        .status(&StatusQuery::PaymentId(payment.id.clone()))
        .await?;
    println!(
        "payment {} is now {}: {} refunded of {}",
        now.id, now.status, now.refunded, now.amount
    );
    Ok(())
}
