//! Paytrek's JSON request and response bodies, spelled as the provider spells them.
//!
//! Amounts arrive as strings in sale objects (`"24.00"`) and as JSON numbers in cancel and
//! refund answers (`24.72`); [`Amount`] reads both from the raw JSON text, so no amount ever
//! passes through a float. Amounts are sent as JSON numbers written from their exact decimal
//! text, as the document's examples do.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use odeme_core::answer_text::{str_opt, text_opt};
use odeme_core::json::{DisplayText, TwoDigits};
use odeme_core::Result;
use odeme_core::{Expiry, LineItem};

// ---------------------------------------------------------------------------------------
// Exact numbers

/// An amount read exactly from a JSON string or number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Borrowed from the answer's bytes (always read with `from_slice`), not copied.
        let raw: &'de RawValue = Deserialize::deserialize(deserializer)?;
        parse_amount_text(raw.get())
            .map(Amount)
            .map_err(D::Error::custom)
    }
}

/// Reads the raw JSON text of an amount: a number (`24.72`, `1e2`) or a string holding one.
pub(crate) fn parse_amount_text(raw: &str) -> Result<Decimal, String> {
    let raw = raw.trim();
    let unescaped: String;
    let text = if raw.starts_with('"') {
        // An amount string has no escapes in practice: borrow it, unescape only if needed.
        match serde_json::from_str::<&str>(raw) {
            Ok(text) => text,
            Err(_) => {
                unescaped = serde_json::from_str::<String>(raw)
                    .map_err(|e| format!("bad amount string: {e}"))?;
                &unescaped
            }
        }
    } else {
        raw
    };
    let text = text.trim();
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| format!("`{text}` is not an amount"))
}

/// An amount written as a JSON number with exactly the money's decimals (`24.00`).
pub(crate) use odeme_core::json::JsonNumber;

/// A code or number that the provider may write as a string or a number, as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    /// Read as the sale's codes are ([`text_opt`]), so a code means the same in every answer.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        text_opt(deserializer)?
            .map(|text| Text(text.into_owned()))
            .ok_or_else(|| D::Error::custom("expected text, got null"))
    }
}

// ---------------------------------------------------------------------------------------
// Requests. None of these derive Debug: they hold card numbers and CVCs.

/// One line of `items`.
#[derive(Serialize)]
pub(crate) struct ItemBody<'a> {
    pub name: &'a str,
    pub quantity: u32,
    pub unit_price: JsonNumber,
}

/// `items`: the request's line items, each written as an [`ItemBody`] straight into the
/// body (no list of them is built first; this and the text fields below are written in
/// place because every allocation on the charge path is paid per payment).
#[derive(Clone, Copy)]
pub(crate) struct Items<'a>(pub &'a [LineItem]);

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|item| ItemBody {
            name: &item.name,
            quantity: item.quantity,
            unit_price: JsonNumber::money(&item.unit_price),
        }))
    }
}

/// `billing_address` (written through [`DisplayText`]): the address's first line and, when
/// it has one, its second, joined by a space.
#[derive(Clone, Copy)]
pub(crate) struct Street<'a> {
    pub line1: &'a str,
    pub line2: Option<&'a str>,
}

impl fmt::Display for Street<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.line1.trim())?;
        match self.line2.map(str::trim).filter(|l| !l.is_empty()) {
            Some(line2) => write!(f, " {line2}"),
            None => Ok(()),
        }
    }
}

/// A card's `expiration`, `MM/YYYY` (written through [`DisplayText`]). No `Debug`: it is card
/// data.
#[derive(Clone, Copy)]
pub(crate) struct Expiration(pub Expiry);

impl fmt::Display for Expiration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", TwoDigits(self.0.month().into()), self.0.year())
    }
}

/// The card fields of `direct_charge`, `charge`, `vault` and `subscription_plan`.
#[derive(Serialize)]
pub(crate) struct CardFields<'a> {
    pub number: &'a str,
    pub expiration: DisplayText<Expiration>,
    pub cvc: &'a str,
    pub card_holder_name: &'a str,
}

/// `recurring` of `subscription_plan`.
#[derive(Serialize)]
pub(crate) struct RecurringBody<'a> {
    pub name: &'a str,
    pub recurring_period: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<&'a str>,
    pub recurring_frequency: u32,
}

/// The body of `sale`, `direct_charge` and `subscription_plan`.
#[derive(Serialize)]
pub(crate) struct SaleBody<'a> {
    pub currency: &'static str,
    pub order_id: &'a str,
    pub amount: JsonNumber,
    pub installment: u8,
    pub secure_option: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half_secure: Option<bool>,
    pub pre_auth: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosted_payment: Option<bool>,
    pub customer_first_name: &'a str,
    pub customer_last_name: &'a str,
    pub customer_email: &'a str,
    pub customer_ip_address: DisplayText<IpAddr>,
    pub billing_address: DisplayText<Street<'a>>,
    pub billing_city: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_state: Option<&'a str>,
    pub billing_country: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_zipcode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_phone: Option<&'a str>,
    pub items: Items<'a>,
    pub sale_data: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<DisplayText<Expiration>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvc: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_holder_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub save_card: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring: Option<RecurringBody<'a>>,
}

/// The body of `charge` (a card for a created sale).
#[derive(Serialize)]
pub(crate) struct ChargeSaleBody<'a> {
    pub sale_token: &'a str,
    #[serde(flatten)]
    pub card: CardFields<'a>,
    pub save_card: bool,
}

/// The body of `charge_with_token`.
#[derive(Serialize)]
pub(crate) struct ChargeWithTokenBody<'a> {
    pub sale_token: &'a str,
    pub card_token: &'a str,
}

/// The body of `capture`, `cancel` and `refund`.
#[derive(Serialize)]
pub(crate) struct SettleBody<'a> {
    pub sale_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<&'a str>,
}

/// The body of `vault` (store a card).
#[derive(Serialize)]
pub(crate) struct VaultBody<'a> {
    pub card_holder_name: &'a str,
    pub number: &'a str,
    pub expiration: DisplayText<Expiration>,
    pub cvc: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_user_id: Option<&'a str>,
}

/// One entry of a plan update's `subscriptions`.
#[derive(Serialize)]
pub(crate) struct SubscriptionUpdate<'a> {
    pub subscription_token: &'a str,
    pub status: &'static str,
}

/// The body of a `subscription_plan` update.
#[derive(Serialize)]
pub(crate) struct PlanUpdateBody<'a> {
    pub subscriptions: Vec<SubscriptionUpdate<'a>>,
}

// ---------------------------------------------------------------------------------------
// Answers

/// `paytrek_error` of a transaction.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PaytrekError {
    #[serde(default)]
    pub code: Option<Text>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub customer_message: Option<String>,
}

/// `fraud_risk` of a transaction.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct FraudRisk<'a> {
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub decision: Option<Cow<'a, str>>,
}

/// One entry of a sale's `transactions`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Transaction<'a> {
    #[serde(default)]
    pub succeeded: Option<bool>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub error_message: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub bin_number: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_number_last4: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_type: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub paytrek_ref_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub paytrek_error: Option<PaytrekError>,
    #[serde(default, borrow)]
    pub fraud_risk: Option<FraudRisk<'a>>,
}

/// A stored card of a plan's `vaults`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PlanVault {
    #[serde(default)]
    pub token: Option<String>,
}

/// One scheduled payment of a plan.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SubscriptionWire {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub payment_date: Option<String>,
    #[serde(default)]
    pub subscription_token: Option<String>,
}

/// A subscription plan; the same fields whether nested in a sale or answered alone.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PlanWire {
    #[serde(default)]
    pub plan_token: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub is_active: Option<bool>,
    #[serde(default)]
    pub cancelled_at: Option<String>,
    #[serde(default)]
    pub vaults: Vec<PlanVault>,
    #[serde(default)]
    pub active_card_token: Option<String>,
    #[serde(default)]
    pub subscriptions: Vec<SubscriptionWire>,
    /// Set when the plan came back inside its first sale.
    #[serde(default)]
    pub subscription_plan: Option<Box<PlanWire>>,
}

/// A sale object, and the answers of `direct_charge`, `charge` and `charge_with_token`
/// (which share its field names; every field is optional because each answer carries a
/// different subset).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Sale<'a> {
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub sale_token: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub order_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub currency: Option<Cow<'a, str>>,
    #[serde(default)]
    pub amount: Option<Amount>,
    #[serde(default)]
    pub refunded_amount: Option<Amount>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub installment: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub status: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub financial_status: Option<Cow<'a, str>>,
    #[serde(default)]
    pub pre_auth: Option<bool>,
    /// Read leniently: the document's own requests write booleans as strings too.
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub secure_option: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub transactions: Vec<Transaction<'a>>,
    #[serde(default)]
    pub succeeded: Option<bool>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub error_message: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub error_code: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub forward_url: Option<Cow<'a, str>>,
    /// The masked card number (`450803******4509`).
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub number: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub exp_month: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "text_opt")]
    pub exp_year: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub issuer_bank_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_token: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_user_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_label: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub bin_number: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub last4: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_brand: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_type: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_issuer: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "str_opt")]
    pub card_country: Option<Cow<'a, str>>,
    #[serde(default)]
    pub subscription_plan: Option<PlanWire>,
}

/// The answer of `capture`, `cancel` and `refund`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SettleAnswer {
    /// Not in the documented answer; read only to refuse an answer that carries one.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub amount: Option<Amount>,
    #[serde(default)]
    pub total_refunded_amount: Option<Amount>,
    #[serde(default)]
    pub succeeded: Option<bool>,
    #[serde(default)]
    pub error_code: Option<Text>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub paytrek_error: Option<PaytrekError>,
}

/// A vaulted card.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct VaultCard {
    #[serde(default)]
    pub card_token: Option<String>,
    #[serde(default)]
    pub bin_number: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub card_brand: Option<String>,
    #[serde(default)]
    pub card_type: Option<String>,
    #[serde(default)]
    pub card_user_id: Option<Text>,
    #[serde(default)]
    pub card_label: Option<String>,
    #[serde(default)]
    pub card_issuer: Option<String>,
    #[serde(default)]
    pub card_country: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// Django REST Framework's page envelope, used by the vault and sale lists.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Page<T> {
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
}

/// One installment choice.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InstallmentWire {
    pub number: Text,
    #[serde(default)]
    pub commission: Option<Amount>,
    /// Each installment's amount; the misspelling is Paytrek's.
    #[serde(default)]
    pub instalment_amounts: Option<Amount>,
    #[serde(default)]
    pub total_amount: Option<Amount>,
}

/// One bank's installment choices.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BankWire {
    #[serde(default)]
    pub card_brand: Option<String>,
    #[serde(default)]
    pub card_type: Option<String>,
    #[serde(default)]
    pub card_issuer: Option<String>,
    #[serde(default)]
    pub loyalty: Option<String>,
    #[serde(default)]
    pub is_commercial: Option<bool>,
    #[serde(default)]
    pub installments: Vec<InstallmentWire>,
}

/// The answer of `installments`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct InstallmentsAnswer {
    #[serde(default)]
    pub banks: Vec<BankWire>,
}
