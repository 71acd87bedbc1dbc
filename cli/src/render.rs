//! The readable summaries printed without `--json`. They show what the library's result
//! types show, so never more of a card than its BIN and last four digits.

use std::fmt::Write;

use odeme::{
    Capabilities, CardList, CardSummary, Decline, InstallmentOptions, NextAction, Notification,
    Payment, Plan, ProviderId, RefundResult, StoredCard, StoredCardRef,
};

/// A two-column block: a headline, then `label  value` rows.
struct Block {
    text: String,
}

impl Block {
    fn new(headline: &str) -> Self {
        Self {
            text: format!("{headline}\n"),
        }
    }

    fn row(&mut self, label: &str, value: impl std::fmt::Display) -> &mut Self {
        let _ = writeln!(self.text, "  {label:<16} {value}");
        self
    }

    fn opt(&mut self, label: &str, value: Option<impl std::fmt::Display>) -> &mut Self {
        if let Some(value) = value {
            self.row(label, value);
        }
        self
    }

    fn line(&mut self, line: impl std::fmt::Display) -> &mut Self {
        let _ = writeln!(self.text, "  {line}");
        self
    }

    fn finish(&mut self) -> String {
        std::mem::take(&mut self.text)
    }
}

/// A payment.
pub fn payment(p: &Payment) -> String {
    let mut b = Block::new(&format!("payment {}", p.status));
    b.row("provider", p.provider)
        .row("payment id", &p.id)
        .row("order id", &p.order_id)
        .opt("provider status", p.provider_status.as_ref())
        .row("amount", p.amount)
        .opt("paid", p.paid_amount)
        .row("captured", p.captured)
        .row("refunded", p.refunded)
        .row("installments", p.installments)
        .opt("card", p.card.as_ref().map(card_summary));
    if let Some(stored) = &p.stored_card {
        b.row("stored card", token_pair(&stored.reference));
    }
    if let Some(action) = &p.next_action {
        b.row("next action", next_action(action));
    }
    b.opt("test mode", p.test_mode.map(yes_no));
    for (key, value) in &p.references {
        b.row(key, value);
    }
    if !p.transactions.is_empty() {
        b.line("transactions:");
        for t in &p.transactions {
            let mut line = format!(
                "  {}  {}  price {}  paid {}",
                t.id,
                t.name.as_deref().unwrap_or("-"),
                t.price,
                t.paid_price
            );
            if let (Some(sub), Some(payout)) = (&t.sub_merchant_id, &t.sub_merchant_payout) {
                let _ = write!(line, "  sub-merchant {sub} gets {payout}");
            }
            if !t.refunded.is_zero() {
                let _ = write!(line, "  refunded {}", t.refunded);
            }
            if let Some(status) = &t.status {
                let _ = write!(line, "  {status}");
            }
            b.line(line);
        }
    }
    b.finish()
}

/// A refund.
pub fn refund(r: &RefundResult) -> String {
    let status = serde_name(&r.status);
    let mut b = Block::new(&format!("refund {status}"));
    b.row("provider", r.provider)
        .row("payment id", &r.payment_id)
        .row("amount", r.amount)
        .opt("total refunded", r.total_refunded)
        .row("kind", serde_name(&r.kind))
        .opt("reference", r.reference.as_ref());
    if !r.refund_ids.is_empty() {
        b.row("refund ids", r.refund_ids.join(", "));
    }
    b.finish()
}

/// A card just stored.
pub fn stored_card(card: &StoredCard) -> String {
    let mut b = Block::new("card stored");
    stored_card_rows(&mut b, card);
    b.finish()
}

fn stored_card_rows(b: &mut Block, card: &StoredCard) {
    b.row("provider", card.provider)
        .row("customer token", &card.reference.customer_token)
        .row("card token", &card.reference.card_token)
        .row("card", card_summary(&card.summary));
    if let (Some(month), Some(year)) = (card.expiry_month, card.expiry_year) {
        b.row("expiry", format!("{month:02}/{year}"));
    }
    b.opt("label", card.label.as_ref());
    if card.requires_cvc {
        b.row("requires cvc", "yes");
    }
}

/// A page of stored cards.
pub fn card_list(list: &CardList) -> String {
    let headline = match list.total {
        Some(total) => format!("{} stored card(s) of {total}", list.cards.len()),
        None => format!("{} stored card(s)", list.cards.len()),
    };
    let mut b = Block::new(&headline);
    for (i, card) in list.cards.iter().enumerate() {
        b.line(format!("#{}", i + 1));
        let mut inner = Block::new("");
        stored_card_rows(&mut inner, card);
        for line in inner.finish().lines().filter(|l| !l.is_empty()) {
            b.line(format!("  {}", line.trim_start()));
        }
    }
    b.opt("next page", list.next_page);
    b.finish()
}

/// A deleted card.
pub fn deleted(provider: ProviderId, reference: &StoredCardRef) -> String {
    Block::new("card deleted")
        .row("provider", provider)
        .row("stored card", token_pair(reference))
        .finish()
}

/// Installment options, or that there are none for `bin`.
pub fn installments(options: &InstallmentOptions, bin: Option<&str>) -> String {
    if options.banks.is_empty() {
        let mut b = Block::new(&format!("no installment options for {}", options.amount));
        b.row("provider", options.provider);
        b.line(match bin {
            Some(bin) => format!("BIN {bin}: a single payment only"),
            None => "a single payment only".to_owned(),
        });
        return b.finish();
    }
    let mut b = Block::new(&format!("installment options for {}", options.amount));
    b.row("provider", options.provider);
    for bank in &options.banks {
        b.line(format!("{}:", card_summary(&bank.card)));
        for o in &bank.options {
            let mut line = format!(
                "  {:>2} x {}  total {}",
                o.count, o.installment_amount, o.total
            );
            if let Some(rate) = o.commission_rate {
                let _ = write!(line, "  commission {}%", rate.normalize());
            }
            b.line(line);
        }
    }
    b.finish()
}

/// A recurring plan.
pub fn plan(p: &Plan) -> String {
    let mut b = Block::new(&format!(
        "plan {}",
        if p.active { "active" } else { "inactive" }
    ));
    b.row("provider", p.provider)
        .row("plan id", &p.id)
        .opt("name", p.name.as_ref())
        .opt("cancelled at", p.cancelled_at.as_ref())
        .opt("card token", p.active_card_token.as_ref());
    for s in &p.subscriptions {
        let mut line = format!("subscription {}  {}", s.id, s.status);
        if let Some(date) = &s.payment_date {
            let _ = write!(line, "  {date}");
        }
        b.line(line);
    }
    let mut text = b.finish();
    if let Some(first) = &p.first_payment {
        text.push_str("first ");
        text.push_str(&payment(first));
    }
    text
}

/// A verified notification.
pub fn notification(n: &Notification) -> String {
    let mut b = Block::new("notification authentic");
    b.row("provider", n.provider)
        .row("kind", serde_name(&n.kind))
        .row("event key", &n.event_key)
        .opt("event type", n.event_type.as_ref())
        .opt("order id", n.order_id.as_ref())
        .opt("payment id", n.payment_id.as_ref())
        .row("status", n.status)
        .opt("amount", n.amount)
        .opt("declined", n.decline.as_ref())
        .opt("stored card", n.stored_card.as_ref().map(token_pair))
        .row("test mode", yes_no(n.test_mode));
    if let Some(ack) = &n.acknowledgement {
        b.row(
            "answer with",
            format!("HTTP {} {} {:?}", ack.status, ack.content_type, ack.body),
        );
    }
    b.finish()
}

/// A provider's declared capabilities.
pub fn capabilities(provider: ProviderId, caps: &Capabilities) -> String {
    let mut b = Block::new(&format!("{provider} supports"));
    for c in caps.iter() {
        b.line(c);
    }
    b.finish()
}

/// One sweep of a route's open attempts.
pub fn sweep(r: &odeme::router::SweepReport) -> String {
    let mut b = Block::new(&format!("reconciled {} open attempt(s)", r.found));
    b.row("charged", r.charged)
        .row("not charged", r.not_charged)
        .row("already settled", r.already_settled)
        .row("held by another sweeper", r.leased_elsewhere)
        .row("still open", r.still_open.len())
        .opt(
            "oldest open",
            r.oldest_open.map(|d| format!("{} s", d.as_secs())),
        );
    for (key, why) in &r.still_open {
        b.line(format!("open: {key}: {why}"));
    }
    b.finish()
}

/// A decline.
pub fn decline(d: &Decline) -> String {
    let soft = if d.soft {
        "soft: a retry later or elsewhere may succeed"
    } else {
        "hard: do not retry this card"
    };
    let mut b = Block::new("payment declined");
    b.row("provider", d.provider)
        .row("reason", format!("{} ({soft})", d.reason))
        .opt("provider code", d.provider_code.as_ref())
        .opt("provider says", d.provider_message.as_ref())
        .row("customer sees", &d.customer_message)
        .opt("order id", d.order_id.as_ref())
        .opt("payment ref", d.payment_reference.as_ref());
    b.finish()
}

fn card_summary(c: &CardSummary) -> String {
    let mut parts = Vec::new();
    // Core's masking, so the CLI shows a card the way the library's `Debug` and errors do.
    if let Some(masked) = c.masked() {
        parts.push(masked);
    }
    if let Some(a) = &c.association {
        parts.push(serde_name(a));
    }
    if let Some(t) = &c.card_type {
        parts.push(serde_name(t));
    }
    if let Some(brand) = &c.brand {
        parts.push(brand.clone());
    }
    if let Some(bank) = &c.bank {
        parts.push(bank.clone());
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" ")
    }
}

fn token_pair(r: &StoredCardRef) -> String {
    format!(
        "customer token {}, card token {}",
        r.customer_token, r.card_token
    )
}

fn next_action(action: &NextAction) -> String {
    match action {
        NextAction::Redirect { url } => format!("send the customer to {url}"),
        NextAction::PostForm { url, fields } => {
            format!(
                "have the customer's browser post {} field(s) to {url}",
                fields.len()
            )
        }
        NextAction::Html { html } => {
            format!("show the customer the bank's page ({} bytes)", html.len())
        }
        _ => "a 3-D Secure step".into(),
    }
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// The snake_case name serde gives an enum value.
fn serde_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "-".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme::{Currency, DeclineReason, FormField, Money, PaymentStatus};

    #[test]
    fn payment_summary_masks_card_data() {
        let mut p = Payment::new(
            ProviderId::Paytr,
            "P1",
            "O1",
            PaymentStatus::RequiresAction,
            Money::from_minor(10099, Currency::TRY).unwrap(),
        );
        p.card = Some(CardSummary {
            bin: Some("435508".into()),
            last4: Some("4358".into()),
            ..CardSummary::default()
        });
        p.next_action = Some(NextAction::PostForm {
            url: "http://127.0.0.1:1/bank".into(),
            fields: vec![FormField {
                name: "cc".into(),
                value: "4355084355084358".into(),
                sensitive: true,
            }],
        });
        let text = payment(&p);
        assert!(text.starts_with("payment requires_action\n"), "{text}");
        assert!(text.contains("amount           100.99 TRY"), "{text}");
        assert!(text.contains("435508******4358"), "{text}");
        assert!(
            text.contains("post 1 field(s) to http://127.0.0.1:1/bank"),
            "{text}"
        );
        assert!(!text.contains("4355084355084358"), "{text}");
    }

    #[test]
    fn decline_summary() {
        let d = Decline::new(ProviderId::Craftgate, DeclineReason::InsufficientFunds)
            .with_provider(Some("10051".into()), Some("Kart limiti yetersiz".into()));
        let text = decline(&d);
        assert!(text.contains("insufficient_funds (soft"), "{text}");
        assert!(text.contains("provider code    10051"), "{text}");
    }
}
