//! What a gateway answers: payments, refunds, stored cards, plans and installment options.

// Refundable amounts are computed from provider answers; every operation must be checked.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::card::CardSummary;
use crate::error::Error;
use crate::money::Money;
use crate::provider::ProviderId;
use crate::validate;

/// A payment's normalized status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PaymentStatus {
    /// Waiting for the provider to decide (e.g. PayTR's `wait_callback`).
    Pending,
    /// Waiting for the customer (3-D Secure); see [`Payment::next_action`].
    RequiresAction,
    /// Authorized, not captured yet.
    Authorized,
    /// Paid.
    Succeeded,
    /// Paid, with part of it refunded.
    PartiallyRefunded,
    /// Paid and refunded in full.
    Refunded,
    /// Cancelled (voided) before settlement.
    Cancelled,
    /// Declined or failed.
    Failed,
    /// The provider reported a status this library does not know; never a success.
    /// [`Payment::provider_status`] keeps the provider's text.
    Unknown,
}

impl PaymentStatus {
    /// Whether money was taken (and not wholly returned).
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded
        )
    }

    /// Whether the status can still change without the merchant doing anything.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            PaymentStatus::Refunded | PaymentStatus::Cancelled | PaymentStatus::Failed
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::RequiresAction => "requires_action",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Unknown => "unknown",
        };
        f.write_str(text)
    }
}

/// A field of an HTML form the customer's browser must post.
#[derive(Clone, PartialEq, Eq)]
pub struct FormField {
    /// The field's name.
    pub name: String,
    /// The field's value.
    pub value: String,
    /// Whether the value is card data: masked in `Debug` and when serialized.
    pub sensitive: bool,
}

impl FormField {
    /// The value as it may be shown: `[REDACTED]` for card data.
    pub fn shown_value(&self) -> &str {
        if self.sensitive {
            "[REDACTED]"
        } else {
            &self.value
        }
    }
}

impl Serialize for FormField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FormField", 2)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("value", self.shown_value())?;
        st.end()
    }
}

impl fmt::Debug for FormField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.shown_value())
    }
}

/// What the customer must do next to finish a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextAction {
    /// Send the customer's browser to this URL.
    Redirect {
        /// Where to send the customer.
        url: String,
    },
    /// Show this HTML page to the customer (it usually submits itself to the bank).
    Html {
        /// The page.
        html: String,
    },
    /// Have the customer's browser POST these fields to `url` (see [`NextAction::to_html`]).
    PostForm {
        /// The form's target.
        url: String,
        /// The form's fields, card data among them.
        fields: Vec<FormField>,
    },
}

impl NextAction {
    /// An HTML page that performs the action in the customer's browser: a self-submitting
    /// form, a redirect, or the provider's page itself.
    pub fn to_html(&self) -> String {
        match self {
            NextAction::Redirect { url } => {
                let url = html_escape(url);
                format!(
                    "<!DOCTYPE html><html><head><meta http-equiv=\"refresh\" content=\"0;url={url}\"></head>\
                     <body><a href=\"{url}\">Continue</a></body></html>"
                )
            }
            NextAction::Html { html } => html.clone(),
            NextAction::PostForm { url, fields } => {
                let inputs: String = fields
                    .iter()
                    .map(|f| {
                        format!(
                            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                            html_escape(&f.name),
                            html_escape(&f.value)
                        )
                    })
                    .collect();
                format!(
                    "<!DOCTYPE html><html><body onload=\"document.forms[0].submit()\">\
                     <form method=\"post\" action=\"{}\">{inputs}<noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
                    html_escape(url)
                )
            }
        }
    }
}

impl Serialize for NextAction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        match self {
            NextAction::Redirect { url } => {
                map.serialize_entry("type", "redirect")?;
                map.serialize_entry("url", url)?;
            }
            NextAction::Html { html } => {
                map.serialize_entry("type", "html")?;
                map.serialize_entry("html_length", &html.len())?;
            }
            NextAction::PostForm { url, fields } => {
                map.serialize_entry("type", "post_form")?;
                map.serialize_entry("url", url)?;
                let masked: BTreeMap<&str, &str> = fields
                    .iter()
                    .map(|f| (f.name.as_str(), f.shown_value()))
                    .collect();
                map.serialize_entry("fields", &masked)?;
            }
        }
        map.end()
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}

/// The pair of tokens that names a stored card at a provider: PayTR `utoken`/`ctoken`,
/// Craftgate `cardUserKey`/`cardToken`, Paytrek `card_user_id`/`card_token`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StoredCardRef {
    /// The card user (customer) token.
    pub customer_token: String,
    /// The card token.
    pub card_token: String,
}

impl StoredCardRef {
    /// A reference from the two tokens.
    pub fn new(customer_token: &str, card_token: &str) -> Self {
        Self {
            customer_token: customer_token.to_owned(),
            card_token: card_token.to_owned(),
        }
    }

    /// Both tokens must be present.
    pub fn validate(&self) -> Result<(), Error> {
        validate::non_empty("stored_card.customer_token", &self.customer_token)?;
        validate::non_empty("stored_card.card_token", &self.card_token)
    }
}

/// A card stored at a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCard {
    /// The provider.
    pub provider: ProviderId,
    /// Its tokens.
    pub reference: StoredCardRef,
    /// What may be shown of it.
    pub summary: CardSummary,
    /// The expiry month, when the provider says.
    pub expiry_month: Option<u8>,
    /// The four-digit expiry year, when the provider says.
    pub expiry_year: Option<u16>,
    /// The merchant's label for it.
    pub label: Option<String>,
    /// Whether the provider demands the CVC to charge it (PayTR `require_cvv`).
    pub requires_cvc: bool,
    /// Provider fields with no neutral home (`schema`, `card_country`, ...).
    pub extra: BTreeMap<String, String>,
}

/// A page of stored cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardList {
    /// The cards.
    pub cards: Vec<StoredCard>,
    /// How many cards there are in all, when the provider says.
    pub total: Option<u64>,
    /// The next page's number, when there is one.
    pub next_page: Option<u32>,
}

/// One item-level transaction of a payment, as marketplaces reconcile payouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTransaction {
    /// The provider's transaction id (used for item-level refunds).
    pub id: String,
    /// The merchant's id for the line item.
    pub external_id: Option<String>,
    /// The item's name.
    pub name: Option<String>,
    /// The item's price.
    pub price: Money,
    /// What the customer paid for the item (with installment interest, if any).
    pub paid_price: Money,
    /// What is paid out to the merchant for the item.
    pub merchant_payout: Option<Money>,
    /// The sub-merchant the item is paid out to.
    pub sub_merchant_id: Option<String>,
    /// What is paid out to the sub-merchant for the item.
    pub sub_merchant_payout: Option<Money>,
    /// How much of it has been refunded.
    pub refunded: Money,
    /// The provider's status of the transaction (`APPROVED`, `WAITING_FOR_APPROVAL`, ...).
    pub status: Option<String>,
}

/// A payment as the provider knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// The provider.
    pub provider: ProviderId,
    /// The provider's reference, used for capture, cancel, refund and status (Paytrek sale
    /// token, PayTR merchant order id, Craftgate payment id).
    pub id: String,
    /// The merchant's order id.
    pub order_id: String,
    /// The normalized status.
    pub status: PaymentStatus,
    /// The provider's own status text.
    pub provider_status: Option<String>,
    /// The amount of the payment.
    pub amount: Money,
    /// What the customer paid, when it differs (installment interest).
    pub paid_amount: Option<Money>,
    /// How much was captured.
    pub captured: Money,
    /// How much was refunded.
    pub refunded: Money,
    /// The number of installments.
    pub installments: u8,
    /// The card, as far as it may be shown.
    pub card: Option<CardSummary>,
    /// The card stored during this payment.
    pub stored_card: Option<StoredCard>,
    /// What the customer must do next (3-D Secure).
    pub next_action: Option<NextAction>,
    /// Item-level transactions with payouts.
    pub transactions: Vec<PaymentTransaction>,
    /// Refunds made so far, where the provider lists them.
    pub refunds: Vec<RefundResult>,
    /// Whether the provider processed it in test mode, when it says.
    pub test_mode: Option<bool>,
    /// Other provider references (bank reference, auth code, host reference).
    pub references: BTreeMap<String, String>,
}

impl Payment {
    /// A payment with the given identity and status and nothing captured or refunded.
    pub fn new(
        provider: ProviderId,
        id: &str,
        order_id: &str,
        status: PaymentStatus,
        amount: Money,
    ) -> Self {
        Self::with_owned_ids(provider, id.to_owned(), order_id.to_owned(), status, amount)
    }

    /// [`Payment::new`] taking over strings the caller already owns (an adapter's answer
    /// text), instead of copying them.
    pub fn with_owned_ids(
        provider: ProviderId,
        id: String,
        order_id: String,
        status: PaymentStatus,
        amount: Money,
    ) -> Self {
        let zero = Money::zero(amount.currency());
        Self {
            provider,
            id,
            order_id,
            status,
            provider_status: None,
            amount,
            paid_amount: None,
            captured: zero,
            refunded: zero,
            installments: 1,
            card: None,
            stored_card: None,
            next_action: None,
            transactions: Vec::new(),
            refunds: Vec::new(),
            test_mode: None,
            references: BTreeMap::new(),
        }
    }

    /// The amount that can still be refunded.
    pub fn refundable(&self) -> Money {
        self.captured
            .checked_sub(&self.refunded)
            .unwrap_or_else(|_| Money::zero(self.amount.currency()))
    }
}

/// Whether a refund reversed the payment before settlement or returned settled money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundKind {
    /// The payment was cancelled (voided) the same day.
    Cancel,
    /// Settled money was returned.
    Refund,
    /// The provider does not say.
    Unspecified,
}

/// The state of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundStatus {
    /// Done.
    Succeeded,
    /// Accepted, not final yet.
    Pending,
    /// Failed.
    Failed,
}

/// A refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundResult {
    /// The provider.
    pub provider: ProviderId,
    /// The payment it refunds.
    pub payment_id: String,
    /// The provider's refund reference(s), when it gives any.
    pub refund_ids: Vec<String>,
    /// How much this refund returned.
    pub amount: Money,
    /// The payment's refunded total after it, when the provider says.
    pub total_refunded: Option<Money>,
    /// Cancel or refund.
    pub kind: RefundKind,
    /// Its state.
    pub status: RefundStatus,
    /// The merchant's reference for it.
    pub reference: Option<String>,
}

/// One installment choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallmentOption {
    /// The number of installments (1 = single payment).
    pub count: u8,
    /// Each installment's amount.
    pub installment_amount: Money,
    /// What the customer pays in all.
    pub total: Money,
    /// The commission (interest) rate in percent, when the provider says.
    pub commission_rate: Option<Decimal>,
    /// The commission amount, when the provider says.
    pub commission: Option<Money>,
}

/// The installment choices of one bank or card program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankInstallments {
    /// The card program and bank, as far as the provider says.
    pub card: CardSummary,
    /// The choices.
    pub options: Vec<InstallmentOption>,
}

/// Installment choices for an amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallmentOptions {
    /// The provider.
    pub provider: ProviderId,
    /// The amount asked about.
    pub amount: Money,
    /// One entry per bank or card program.
    pub banks: Vec<BankInstallments>,
}

/// One scheduled charge of a recurring plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// The provider's id for it.
    pub id: String,
    /// The provider's status text (`Active`, `Cancelled`, ...).
    pub status: String,
    /// Whether it is cancelled.
    pub cancelled: bool,
    /// When it is (or was) charged, as the provider writes it.
    pub payment_date: Option<String>,
}

/// A provider-side recurring plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The provider.
    pub provider: ProviderId,
    /// The plan's id.
    pub id: String,
    /// The plan's name.
    pub name: Option<String>,
    /// Whether it is active.
    pub active: bool,
    /// When it was cancelled, as the provider writes it.
    pub cancelled_at: Option<String>,
    /// The schedule.
    pub subscriptions: Vec<Subscription>,
    /// The stored card the plan charges.
    pub active_card_token: Option<String>,
    /// The first payment, when the provider answers with it.
    pub first_payment: Option<Payment>,
}
