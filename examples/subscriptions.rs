//! Stored-card subscriptions with PayTR: `cargo run --example subscriptions`.
//!
//! The first month is paid with the card the customer types in, and PayTR keeps the card
//! (its `utoken`/`ctoken`, here one neutral `StoredCardRef`). Every later month the
//! merchant charges the stored card itself, with no customer present and no 3-D Secure: a
//! recurring charge. Cancelling a subscription deletes the card.
//!
//! Three subscribers show the three outcomes of a renewal, using the simulator's test cards
//! (`sandbox/src/paytr/test_cards.rs`):
//! - one pays every month, then cancels;
//! - one soft-declines once the card is stored (the bank is busy: `try_again` is true). A
//!   soft decline may pass later, so the renewal is retried a bounded number of times;
//!   when it still fails, the subscription is put on hold and the customer is asked to
//!   update the card (the card is kept: a later retry may pass);
//! - one hard-declines (the bank closed the card). Retrying a hard decline never helps and
//!   repeated attempts can cost the merchant fees, so the subscription ends at once and the
//!   stored card is deleted.
//!
//! PayTR has no provider-side plans, so the schedule is the merchant's; the loop below
//! stands in for a monthly job, and "retry in two days" is a loop iteration too.

mod support;

use std::net::{IpAddr, Ipv4Addr};

use odeme::{
    Card, ChargeRequest, Currency, Customer, DeleteCardRequest, Error, Expiry, Gateway, GatewayExt,
    ListCardsRequest, Money, PaymentSource, StoreCardMode, StoredCard,
};
use odeme_sandbox::Sandbox;
use rust_decimal::Decimal;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// How often a soft-declined renewal is retried before the subscription is put on hold.
const SOFT_DECLINE_RETRIES: u32 = 2;

/// One subscriber and the card they sign up with.
struct Subscriber {
    first_name: &'static str,
    last_name: &'static str,
    email: &'static str,
    card_number: &'static str,
    cvc: &'static str,
}

/// Where a subscription stands after a renewal.
enum Standing {
    Active,
    OnHold,
    Ended,
}

const SUBSCRIBERS: [Subscriber; 3] = [
    // An official PayTR test card: approves every time.
    Subscriber {
        first_name: "Ayse",
        last_name: "Yilmaz",
        email: "ayse.yilmaz@example.com",
        card_number: "4355084355084358",
        cvc: "000",
    },
    // Approves when typed in; as a stored card the bank answers "try again later".
    Subscriber {
        first_name: "Mehmet",
        last_name: "Demir",
        email: "mehmet.demir@example.com",
        card_number: "4355080000000096",
        cvc: "123",
    },
    // Approves when typed in; as a stored card the bank has closed it.
    Subscriber {
        first_name: "Zeynep",
        last_name: "Kaya",
        email: "zeynep.kaya@example.com",
        card_number: "4355080000000138",
        cvc: "123",
    },
];

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let sandbox = Sandbox::start().await?;
    let gateway = support::paytr(&sandbox)?;
    let fee = Money::new(Decimal::new(9_900, 2), Currency::TRY)?;

    for subscriber in &SUBSCRIBERS {
        let name = format!("{} {}", subscriber.first_name, subscriber.last_name);
        println!("{name}:");
        let stored = sign_up(gateway.as_ref(), subscriber, fee).await?;

        let mut standing = Standing::Active;
        for month in 2..=4 {
            standing = renew(gateway.as_ref(), subscriber, &stored, fee, month).await?;
            if !matches!(standing, Standing::Active) {
                break;
            }
        }
        match standing {
            Standing::Active => {
                println!("  the customer cancels after month 4");
                forget_card(gateway.as_ref(), &stored).await?;
            }
            Standing::OnHold => println!(
                "  subscription on hold: email {} to update the card; the stored card is kept",
                subscriber.email
            ),
            Standing::Ended => {
                println!("  subscription ended: the card cannot be charged again");
                forget_card(gateway.as_ref(), &stored).await?;
            }
        }
        println!();
    }
    Ok(())
}

/// Month 1: the customer pays with a new card, which PayTR stores.
async fn sign_up(
    gateway: &dyn Gateway,
    subscriber: &Subscriber,
    fee: Money,
) -> Result<StoredCard, AnyError> {
    let holder = format!("{} {}", subscriber.first_name, subscriber.last_name);
    let card = Card::new(
        subscriber.card_number,
        Expiry::new(12, 2030)?,
        subscriber.cvc,
        &holder,
    )?;
    let signup = ChargeRequest::new(
        &support::order_id("SUB"),
        fee,
        PaymentSource::NewCard(card),
        customer(subscriber),
    )
    .with_billing(support::billing())
    .with_store_card(StoreCardMode::NewCustomer);
    let first = gateway.require_charges()?.charge(&signup).await?;
    let stored = first.stored_card.clone().ok_or("PayTR stored no card")?;
    println!(
        "  month 1: order {} {} {} (card ending {} stored)",
        first.order_id,
        first.status,
        first.amount,
        stored.summary.last4.as_deref().unwrap_or("????")
    );
    Ok(stored)
}

/// One month's renewal: a merchant-initiated charge on the stored card, retried while the
/// bank declines softly.
async fn renew(
    gateway: &dyn Gateway,
    subscriber: &Subscriber,
    stored: &StoredCard,
    fee: Money,
    month: u32,
) -> Result<Standing, AnyError> {
    let recurring = gateway.require_recurring()?;
    let mut attempt = 0;
    loop {
        // A new order id per attempt: PayTR refuses an order id it has seen before.
        let renewal = ChargeRequest::new(
            &support::order_id("SUB"),
            fee,
            PaymentSource::StoredCard {
                card: stored.reference.clone(),
                cvc: None,
            },
            customer(subscriber),
        )
        .with_billing(support::billing());
        let label = if attempt == 0 {
            format!("month {month}")
        } else {
            format!("month {month}, retry {attempt}")
        };
        match recurring.recurring_charge(&renewal).await {
            Ok(payment) => {
                println!(
                    "  {label}: order {} {} {}",
                    payment.order_id, payment.status, payment.amount
                );
                return Ok(Standing::Active);
            }
            Err(Error::Declined(decline)) if decline.soft => {
                println!(
                    "  {label}: soft decline ({}): {}",
                    decline.reason, decline.customer_message
                );
                if attempt == SOFT_DECLINE_RETRIES {
                    return Ok(Standing::OnHold);
                }
                println!("    a soft decline may pass later: retry in two days");
                attempt += 1;
            }
            Err(Error::Declined(decline)) => {
                println!(
                    "  {label}: hard decline ({}): {}",
                    decline.reason, decline.customer_message
                );
                println!("    a hard decline never passes on a retry: do not try again");
                return Ok(Standing::Ended);
            }
            Err(other) => return Err(other.into()),
        }
    }
}

/// Deletes the stored card and shows that PayTR no longer lists it.
async fn forget_card(gateway: &dyn Gateway, stored: &StoredCard) -> Result<(), AnyError> {
    let cards = gateway.require_cards()?;
    let list = ListCardsRequest::new(&stored.reference.customer_token);
    let before = cards.list_cards(&list).await?.cards.len();
    cards
        .delete_card(&DeleteCardRequest {
            card: stored.reference.clone(),
        })
        .await?;
    let after = cards.list_cards(&list).await?.cards.len();
    println!("  stored card deleted: stored cards {before} -> {after}");
    Ok(())
}

/// The subscriber as PayTR's customer (PayTR wants a name, an e-mail, an IP and a phone).
fn customer(subscriber: &Subscriber) -> Customer {
    Customer::new(
        subscriber.first_name,
        subscriber.last_name,
        subscriber.email,
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
    .with_phone("+905350000000")
}
