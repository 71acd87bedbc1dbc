//! Stored-card subscriptions with PayTR: `cargo run --example subscriptions`.
//!
//! The first month is paid with the card the customer types in, and PayTR keeps the card
//! (its `utoken`/`ctoken`, here one neutral `StoredCardRef`). Every later month the
//! merchant charges the stored card itself, with no customer present and no 3-D Secure: a
//! recurring charge. Cancelling the subscription deletes the card.
//!
//! PayTR has no provider-side plans, so the schedule is the merchant's; the loop below
//! stands in for a monthly job.

mod support;

use odeme::{
    Card, CardList, ChargeRequest, Currency, DeclineReason, DeleteCardRequest, Error, Expiry,
    GatewayExt, ListCardsRequest, Money, PaymentSource, StoreCardMode,
};
use odeme_sandbox::Sandbox;
use rust_decimal::Decimal;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let sandbox = Sandbox::start().await?;
    let gateway = support::paytr(&sandbox)?;
    let fee = Money::new(Decimal::new(9_900, 2), Currency::TRY)?;

    // Month 1: the customer subscribes and pays with a new card, which PayTR stores.
    let card = Card::new(
        "4355084355084358",
        Expiry::new(12, 2030)?,
        "000",
        "Ayse Yilmaz",
    )?;
    let signup = ChargeRequest::new(
        &support::order_id("SUB"),
        fee,
        PaymentSource::NewCard(card),
        support::customer(),
    )
    .with_billing(support::billing())
    .with_store_card(StoreCardMode::NewCustomer);
    let first = gateway.require_charges()?.charge(&signup).await?;
    let stored = first.stored_card.clone().ok_or("PayTR stored no card")?;
    println!(
        "month 1: {} {} (card ****{} stored)",
        first.order_id,
        first.status,
        stored.summary.last4.as_deref().unwrap_or("????")
    );

    // Months 2-4: the merchant charges the stored card on its own schedule.
    let recurring = gateway.require_recurring()?;
    for month in 2..=4 {
        let source = PaymentSource::StoredCard {
            card: stored.reference.clone(),
            cvc: None,
        };
        let renewal =
            ChargeRequest::new(&support::order_id("SUB"), fee, source, support::customer())
                .with_billing(support::billing());
        match recurring.recurring_charge(&renewal).await {
            Ok(payment) => println!(
                "month {month}: {} {} {}",
                payment.order_id, payment.status, payment.amount
            ),
            // A soft decline (e.g. no funds today) is worth retrying later; a hard one ends it.
            Err(Error::Declined(decline)) if decline.soft => {
                println!(
                    "month {month}: declined ({}), retry tomorrow",
                    decline.reason
                )
            }
            Err(Error::Declined(decline)) if decline.reason == DeclineReason::ExpiredCard => {
                println!("month {month}: the card expired; ask the customer for a new one");
                break;
            }
            Err(other) => return Err(other.into()),
        }
    }

    // The customer cancels: forget the card.
    let cards = gateway.require_cards()?;
    let before: CardList = cards
        .list_cards(&ListCardsRequest::new(&stored.reference.customer_token))
        .await?;
    cards
        .delete_card(&DeleteCardRequest {
            card: stored.reference.clone(),
        })
        .await?;
    let after = cards
        .list_cards(&ListCardsRequest::new(&stored.reference.customer_token))
        .await?;
    println!(
        "cancelled: stored cards {} -> {}",
        before.cards.len(),
        after.cards.len()
    );
    Ok(())
}
