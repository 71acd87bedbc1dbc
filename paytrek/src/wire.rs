//! Paytrek's JSON request and response bodies, spelled as the provider spells them.
//!
//! Amounts arrive as strings in sale objects (`"24.00"`) and as JSON numbers in cancel and
//! refund answers (`24.72`); [`Amount`] reads both from the raw JSON text, so no amount ever
//! passes through a float. Amounts are sent as JSON numbers written from their exact decimal
//! text, as the document's examples do.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use odeme_core::Result;

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

/// A code or number that the provider may write as a string or a number.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(s) => Ok(Text(s)),
            Value::Number(n) => Ok(Text(n.to_string())),
            Value::Bool(b) => Ok(Text(b.to_string())),
            other => Err(D::Error::custom(format!("expected text, got {other}"))),
        }
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

/// The card fields of `direct_charge`, `charge`, `vault` and `subscription_plan`.
#[derive(Serialize)]
pub(crate) struct CardFields<'a> {
    pub number: &'a str,
    pub expiration: String,
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
    pub customer_ip_address: String,
    pub billing_address: String,
    pub billing_city: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_state: Option<&'a str>,
    pub billing_country: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_zipcode: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_phone: Option<&'a str>,
    pub items: Vec<ItemBody<'a>>,
    pub sale_data: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
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
    pub expiration: String,
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
pub(crate) struct FraudRisk {
    #[serde(default)]
    pub decision: Option<String>,
}

/// One entry of a sale's `transactions`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Transaction {
    #[serde(default)]
    pub succeeded: Option<bool>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub bin_number: Option<String>,
    #[serde(default)]
    pub card_number_last4: Option<String>,
    #[serde(default)]
    pub card_type: Option<String>,
    #[serde(default)]
    pub paytrek_ref_id: Option<String>,
    #[serde(default)]
    pub paytrek_error: Option<PaytrekError>,
    #[serde(default)]
    pub fraud_risk: Option<FraudRisk>,
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
pub(crate) struct Sale {
    #[serde(default)]
    pub sale_token: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub amount: Option<Amount>,
    #[serde(default)]
    pub refunded_amount: Option<Amount>,
    #[serde(default)]
    pub installment: Option<Text>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub financial_status: Option<String>,
    #[serde(default)]
    pub pre_auth: Option<bool>,
    /// Read leniently: the document's own requests write booleans as strings too.
    #[serde(default)]
    pub secure_option: Option<Text>,
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    #[serde(default)]
    pub succeeded: Option<bool>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub error_code: Option<Text>,
    #[serde(default)]
    pub forward_url: Option<String>,
    /// The masked card number (`450803******4509`).
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub exp_month: Option<Text>,
    #[serde(default)]
    pub exp_year: Option<Text>,
    #[serde(default)]
    pub issuer_bank_id: Option<String>,
    #[serde(default)]
    pub card_token: Option<String>,
    #[serde(default)]
    pub card_user_id: Option<String>,
    #[serde(default)]
    pub card_label: Option<String>,
    #[serde(default)]
    pub bin_number: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub card_brand: Option<String>,
    #[serde(default)]
    pub card_type: Option<String>,
    #[serde(default)]
    pub card_issuer: Option<String>,
    #[serde(default)]
    pub card_country: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::{Currency, Money};
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_are_read_exactly_from_strings_and_numbers() {
        #[derive(Deserialize)]
        struct A {
            a: Amount,
            b: Amount,
            c: Option<Amount>,
            d: Option<Amount>,
        }
        let parsed: A = serde_json::from_str(
            r#"{"a": "24.00", "b": 24.72, "c": null, "d": 123456789012345678.99}"#,
        )
        .unwrap();
        assert_eq!(parsed.a.0, dec!(24.00));
        assert_eq!(parsed.b.0, dec!(24.72));
        assert!(parsed.c.is_none());
        // A float would have rounded this; the raw text keeps every digit.
        assert_eq!(parsed.d.unwrap().0.to_string(), "123456789012345678.99");
        assert_eq!(parse_amount_text("1e2").unwrap(), dec!(100));
        assert!(parse_amount_text("\"abc\"").is_err());
        // Escaped digits are unescaped; blanks inside the quotes are trimmed.
        assert_eq!(
            parse_amount_text(r#""\u0032\u0034.50""#).unwrap(),
            dec!(24.50)
        );
        assert_eq!(parse_amount_text(r#"" 24.00 ""#).unwrap(), dec!(24.00));
        assert!(parse_amount_text("true").is_err());
    }

    #[test]
    fn amounts_are_written_as_exact_numbers() {
        #[derive(Serialize)]
        struct B {
            amount: JsonNumber,
        }
        let money = Money::new(dec!(24), Currency::TRY).unwrap();
        let json = serde_json::to_string(&B {
            amount: JsonNumber::money(&money),
        })
        .unwrap();
        assert_eq!(json, r#"{"amount":24.00}"#);
    }

    #[test]
    fn codes_may_be_numbers_or_strings() {
        let e: PaytrekError =
            serde_json::from_str(r#"{"code": 10020, "message": "m", "customer_message": "c"}"#)
                .unwrap();
        assert_eq!(e.code.unwrap().0, "10020");
        let e: PaytrekError = serde_json::from_str(r#"{"code": "UNKNOWN_ERROR"}"#).unwrap();
        assert_eq!(e.code.unwrap().0, "UNKNOWN_ERROR");
    }
}
