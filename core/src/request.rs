//! What a caller asks of a gateway. Every request validates what all providers share before
//! any I/O; adapters add their provider's own rules on top.

// Sums of caller-given amounts must fail as an invalid request, never panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::card::{Card, Cvc};
use crate::error::Error;
use crate::money::{Currency, Money};
use crate::party::{Address, Customer, LineItem};
use crate::payment::StoredCardRef;
use crate::validate;

/// What an idempotency key derived from the order id starts with.
const DERIVED_KEY_PREFIX: &str = "odeme-";

/// Where the money comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentSource {
    /// A card entered now.
    NewCard(Card),
    /// A card stored earlier at the same provider, with the CVC when the provider asks for it.
    StoredCard {
        /// The stored card's tokens.
        card: StoredCardRef,
        /// The CVC, for providers that require it on stored-card charges.
        cvc: Option<Cvc>,
    },
}

/// When the money is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMode {
    /// Authorize and capture at once (a sale).
    #[default]
    Immediate,
    /// Only authorize; capture later.
    PreAuthorize,
}

/// Whether the customer must authenticate with 3-D Secure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ThreeDs {
    /// No 3-D Secure.
    #[default]
    Off,
    /// 3-D Secure, returning the customer's browser to `return_url` afterwards.
    Required {
        /// Where the provider sends the customer (or posts the callback) afterwards.
        return_url: String,
        /// Where the provider sends the customer after a failure, for providers that
        /// distinguish (PayTR's `merchant_fail_url`); `return_url` when `None`.
        fail_url: Option<String>,
    },
}

/// Whether to keep the card for later charges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StoreCardMode {
    /// Do not store it.
    #[default]
    No,
    /// Store it for a new card user (customer token) the provider creates.
    NewCustomer,
    /// Store it under this existing customer token.
    ExistingCustomer(String),
}

/// A payment.
#[derive(Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    /// The merchant's stable, unique order id. Providers use it to refuse duplicates and to
    /// find the payment after an unknown outcome.
    pub order_id: String,
    /// How much.
    pub amount: Money,
    /// The card.
    pub source: PaymentSource,
    /// Sale or pre-authorization.
    pub capture: CaptureMode,
    /// 3-D Secure.
    pub three_ds: ThreeDs,
    /// Whether to store the card.
    pub store_card: StoreCardMode,
    /// Number of installments; 1 is a single payment.
    pub installments: u8,
    /// The customer.
    pub customer: Customer,
    /// The billing address.
    pub billing: Option<Address>,
    /// The order lines; when present their totals must add up to `amount`.
    pub items: Vec<LineItem>,
    /// A key that makes a retried request the same request at providers that take one;
    /// derived from `order_id` when `None`. Keep it for a retry after an unknown outcome;
    /// after a definitive answer (a decline), a new attempt should carry a new key, since a
    /// provider may replay the first answer to the same key. A gateway moves its own keys on
    /// after a decline, but only within that gateway value, not across processes.
    pub idempotency_key: Option<String>,
    /// Free-form data kept with the payment where the provider allows it.
    pub metadata: BTreeMap<String, String>,
}

impl fmt::Debug for ChargeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChargeRequest")
            .field("order_id", &self.order_id)
            .field("amount", &self.amount)
            .field("source", &self.source)
            .field("capture", &self.capture)
            .field("three_ds", &self.three_ds)
            .field("store_card", &self.store_card)
            .field("installments", &self.installments)
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl ChargeRequest {
    /// A sale of `amount` for `order_id` from `source`, paid by `customer`.
    pub fn new(order_id: &str, amount: Money, source: PaymentSource, customer: Customer) -> Self {
        Self {
            order_id: order_id.to_owned(),
            amount,
            source,
            capture: CaptureMode::Immediate,
            three_ds: ThreeDs::Off,
            store_card: StoreCardMode::No,
            installments: 1,
            customer,
            billing: None,
            items: Vec::new(),
            idempotency_key: None,
            metadata: BTreeMap::new(),
        }
    }

    /// Only authorize now; capture later.
    pub fn pre_authorize(mut self) -> Self {
        self.capture = CaptureMode::PreAuthorize;
        self
    }

    /// Require 3-D Secure, returning the customer to `return_url`.
    pub fn with_three_ds(mut self, return_url: &str) -> Self {
        self.three_ds = ThreeDs::Required {
            return_url: return_url.to_owned(),
            fail_url: None,
        };
        self
    }

    /// Store the card.
    pub fn with_store_card(mut self, mode: StoreCardMode) -> Self {
        self.store_card = mode;
        self
    }

    /// Pay in `count` installments.
    pub fn with_installments(mut self, count: u8) -> Self {
        self.installments = count;
        self
    }

    /// Sets the order lines.
    pub fn with_items(mut self, items: Vec<LineItem>) -> Self {
        self.items = items;
        self
    }

    /// Sets the billing address.
    pub fn with_billing(mut self, address: Address) -> Self {
        self.billing = Some(address);
        self
    }

    /// Sets the idempotency key.
    pub fn with_idempotency_key(mut self, key: &str) -> Self {
        self.idempotency_key = Some(key.to_owned());
        self
    }

    /// The idempotency key, or one derived from the order id so a retry carries the same.
    pub fn effective_idempotency_key(&self) -> String {
        let mut key = String::new();
        self.push_effective_idempotency_key(&mut key);
        key
    }

    /// Appends [`ChargeRequest::effective_idempotency_key`] to `out`, for an adapter that
    /// completes the key (with an endpoint's name, say) in one buffer.
    pub fn push_effective_idempotency_key(&self, out: &mut String) {
        match &self.idempotency_key {
            Some(key) => out.push_str(key),
            None => {
                out.reserve(DERIVED_KEY_PREFIX.len().saturating_add(self.order_id.len()));
                out.push_str(DERIVED_KEY_PREFIX);
                out.push_str(&self.order_id);
            }
        }
    }

    /// The stored card, when paying with one.
    pub fn stored_card(&self) -> Option<&StoredCardRef> {
        match &self.source {
            PaymentSource::StoredCard { card, .. } => Some(card),
            PaymentSource::NewCard(_) => None,
        }
    }

    /// Checks what every provider requires. Adapters call this first, then their own rules.
    pub fn validate(&self) -> Result<(), Error> {
        validate::required("order_id", &self.order_id, 64)?;
        if self.amount.is_zero() {
            return Err(Error::invalid("amount", "must be greater than zero"));
        }
        if !(1..=12).contains(&self.installments) {
            return Err(Error::invalid("installments", "must be 1 to 12"));
        }
        self.customer.validate()?;
        match &self.source {
            // A card checked when it was built can expire before it is charged (a checkout
            // left open over a month's end), so the expiry is judged again here.
            PaymentSource::NewCard(card) => check_not_expired(card)?,
            PaymentSource::StoredCard { card, .. } => card.validate()?,
        }
        if let ThreeDs::Required {
            return_url,
            fail_url,
        } = &self.three_ds
        {
            validate::url("three_ds.return_url", return_url)?;
            if let Some(fail_url) = fail_url {
                validate::url("three_ds.fail_url", fail_url)?;
            }
        }
        if let StoreCardMode::ExistingCustomer(token) = &self.store_card {
            validate::non_empty("store_card.customer_token", token)?;
        }
        if matches!(self.source, PaymentSource::StoredCard { .. })
            && self.store_card != StoreCardMode::No
        {
            return Err(Error::invalid(
                "store_card",
                "a stored card is already stored",
            ));
        }
        validate_items(&self.items, &self.amount)
    }
}

/// Refuses a card whose expiry month has passed (UTC).
pub fn check_not_expired(card: &Card) -> Result<(), Error> {
    if card.expiry().is_expired() {
        Err(Error::invalid("card.expiry", "the card has expired"))
    } else {
        Ok(())
    }
}

/// Checks that line items are well formed, in the payment's currency, and add up to it.
pub fn validate_items(items: &[LineItem], amount: &Money) -> Result<(), Error> {
    if items.is_empty() {
        return Ok(());
    }
    let mut sum = Decimal::ZERO;
    for (i, item) in items.iter().enumerate() {
        validate::in_item(i, validate::required("name", &item.name, 200))?;
        if item.quantity == 0 {
            return Err(Error::invalid(
                format!("items[{i}].quantity"),
                "must be at least 1",
            ));
        }
        if item.unit_price.currency() != amount.currency() {
            return Err(Error::invalid(
                format!("items[{i}].unit_price"),
                "is not in the payment's currency",
            ));
        }
        if item.unit_price.is_zero() {
            return Err(Error::invalid(
                format!("items[{i}].unit_price"),
                "must be greater than zero",
            ));
        }
        let total = item.total().map_err(|_| {
            Error::invalid(
                format!("items[{i}].quantity"),
                "makes the line total too large",
            )
        })?;
        if let Some(split) = &item.split {
            validate::in_item(
                i,
                validate::non_empty("split.sub_merchant_id", &split.sub_merchant_id),
            )?;
            if split.payout.currency() != amount.currency() {
                return Err(Error::invalid(
                    format!("items[{i}].split.payout"),
                    "is not in the payment's currency",
                ));
            }
            if split.payout.amount() > total.amount() {
                return Err(Error::invalid(
                    format!("items[{i}].split.payout"),
                    "is more than the line's total",
                ));
            }
        }
        sum = sum
            .checked_add(total.amount())
            .ok_or_else(|| Error::invalid("items", "line totals add up to too large a sum"))?;
    }
    if sum != amount.amount() {
        return Err(Error::invalid(
            "items",
            format!(
                "line totals add up to {sum}, not the amount {}",
                amount.amount()
            ),
        ));
    }
    Ok(())
}

/// Capture a pre-authorized payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRequest {
    /// The provider's payment reference ([`crate::Payment::id`]).
    pub payment_id: String,
    /// How much to capture; the whole authorization when `None`.
    pub amount: Option<Money>,
}

/// Cancel (void) a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelRequest {
    /// The provider's payment reference ([`crate::Payment::id`]).
    pub payment_id: String,
    /// A note for the provider's records.
    pub reason: Option<String>,
}

/// Refund some or all of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The provider's payment reference ([`crate::Payment::id`]).
    pub payment_id: String,
    /// How much; the whole remaining amount when `None`.
    pub amount: Option<Money>,
    /// Refund these items (provider transaction ids) instead of an amount, where the
    /// provider refunds per item.
    pub items: Vec<ItemRefund>,
    /// The merchant's reference for this refund, which makes a retried refund the same
    /// refund at providers that take one.
    pub reference: Option<String>,
    /// A note for the provider's records.
    pub reason: Option<String>,
}

impl RefundRequest {
    /// A full refund.
    pub fn full(payment_id: &str) -> Self {
        Self {
            payment_id: payment_id.to_owned(),
            amount: None,
            items: Vec::new(),
            reference: None,
            reason: None,
        }
    }

    /// A partial refund of `amount`.
    pub fn partial(payment_id: &str, amount: Money) -> Self {
        Self {
            amount: Some(amount),
            ..Self::full(payment_id)
        }
    }

    /// Checks the request's shape.
    pub fn validate(&self) -> Result<(), Error> {
        validate::non_empty("payment_id", &self.payment_id)?;
        if let Some(amount) = &self.amount {
            if amount.is_zero() {
                return Err(Error::invalid("amount", "must be greater than zero"));
            }
        }
        if self.amount.is_some() && !self.items.is_empty() {
            return Err(Error::invalid(
                "items",
                "give either an amount or items, not both",
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            validate::non_empty(&format!("items[{i}].transaction_id"), &item.transaction_id)?;
            if item.amount.as_ref().is_some_and(Money::is_zero) {
                return Err(Error::invalid(
                    format!("items[{i}].amount"),
                    "must be greater than zero",
                ));
            }
        }
        Ok(())
    }
}

/// A refund of one item (payment transaction) of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRefund {
    /// The provider's transaction id ([`crate::PaymentTransaction::id`]).
    pub transaction_id: String,
    /// How much of it; all that is left of it when `None`.
    pub amount: Option<Money>,
}

/// Who a card is stored for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOwner {
    /// A new card user the provider creates (with the merchant's id for them, if any).
    New {
        /// The merchant's own id for the customer.
        external_id: Option<String>,
        /// The customer's e-mail address.
        email: Option<String>,
    },
    /// An existing card user (customer token).
    Existing(String),
}

/// Store a card without a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreCardRequest {
    /// The card.
    pub card: Card,
    /// Whose it is.
    pub owner: CardOwner,
    /// A label the merchant chooses ("work card").
    pub label: Option<String>,
}

impl StoreCardRequest {
    /// Checks the request's shape: the card has not expired, the owner token and the label
    /// are well formed.
    pub fn validate(&self) -> Result<(), Error> {
        check_not_expired(&self.card)?;
        match &self.owner {
            CardOwner::Existing(token) => validate::required("owner", token, 128)?,
            CardOwner::New { external_id, email } => {
                if let Some(id) = external_id {
                    validate::required("owner.external_id", id, 128)?;
                }
                if let Some(email) = email {
                    validate::email("owner.email", email)?;
                }
            }
        }
        if let Some(label) = &self.label {
            validate::required("label", label, 100)?;
        }
        Ok(())
    }
}

/// List a customer's stored cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCardsRequest {
    /// The customer token.
    pub customer_token: String,
    /// Only cards with this label, where the provider filters by label.
    pub label: Option<String>,
    /// The page to fetch, from 1, where the provider pages.
    pub page: Option<u32>,
    /// Cards per page, where the provider pages.
    pub page_size: Option<u32>,
}

impl ListCardsRequest {
    /// The first page of `customer_token`'s cards.
    pub fn new(customer_token: &str) -> Self {
        Self {
            customer_token: customer_token.to_owned(),
            label: None,
            page: None,
            page_size: None,
        }
    }
}

/// Delete a stored card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteCardRequest {
    /// The card.
    pub card: StoredCardRef,
}

/// How often a provider-side plan charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecurringPeriod {
    /// Every `frequency` days.
    Daily,
    /// Every `frequency` weeks.
    Weekly,
    /// Every `frequency` months.
    Monthly,
    /// Every `frequency` years.
    Yearly,
}

/// Create a provider-side recurring plan, paid by a new card that the provider stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    /// The first payment's details (order id, amount, card, customer, items).
    pub charge: ChargeRequest,
    /// The plan's name.
    pub name: String,
    /// The period unit.
    pub period: RecurringPeriod,
    /// How many periods between charges.
    pub frequency: u32,
    /// The first charge date (`YYYY-MM-DD`); the provider's default when `None`.
    pub start_date: Option<String>,
}

impl PlanRequest {
    /// Checks the request's shape.
    pub fn validate(&self) -> Result<(), Error> {
        self.charge.validate()?;
        validate::required("name", &self.name, 100)?;
        if self.frequency == 0 {
            return Err(Error::invalid("frequency", "must be at least 1"));
        }
        if let Some(date) = &self.start_date {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(date, &format)
                .map_err(|_| Error::invalid("start_date", "must be YYYY-MM-DD"))?;
        }
        Ok(())
    }
}

/// Cancel subscriptions of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelPlanRequest {
    /// The plan's id.
    pub plan_id: String,
    /// The subscriptions to cancel; every scheduled one when empty.
    pub subscription_ids: Vec<String>,
}

/// Installment options for a card and an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallmentQuery {
    /// The card's first 6 or 8 digits; every bank's options when `None`.
    pub bin: Option<String>,
    /// The amount to pay.
    pub amount: Money,
}

impl InstallmentQuery {
    /// Checks the BIN's shape.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(bin) = &self.bin {
            if !(6..=8).contains(&bin.len()) || !bin.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::invalid("bin", "must be 6 to 8 digits"));
            }
        }
        if self.amount.is_zero() {
            return Err(Error::invalid("amount", "must be greater than zero"));
        }
        Ok(())
    }
}

/// Which payment to look up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusQuery {
    /// By the merchant's order id.
    OrderId(String),
    /// By the provider's payment reference ([`crate::Payment::id`]).
    PaymentId(String),
}

impl StatusQuery {
    /// Checks the query's shape.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            StatusQuery::OrderId(id) => validate::non_empty("order_id", id),
            StatusQuery::PaymentId(id) => validate::non_empty("payment_id", id),
        }
    }
}

/// Finish a 3-D Secure payment after the customer's browser came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteThreeDsRequest {
    /// The merchant's order id, when the return carries none.
    pub order_id: Option<String>,
    /// The provider's payment reference, when the merchant kept it.
    pub payment_id: Option<String>,
    /// The browser's return request to the merchant (redirect query or callback POST).
    pub callback: crate::notification::InboundRequest,
    /// The currency of the payment, used to read amounts in the callback.
    pub currency: Option<Currency>,
}
