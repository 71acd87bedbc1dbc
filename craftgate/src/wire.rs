//! Request and response bodies exactly as Craftgate spells them (camelCase JSON, amounts as
//! JSON numbers). Responses are read leniently: every field is optional so that a missing
//! field never turns a definite answer into an unreadable one.

use std::borrow::Cow;
use std::net::IpAddr;

use odeme_core::json::{DisplayText, TwoDigits};
use odeme_core::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number::{count_opt, decimal_opt, payout_opt, text_opt, Amount, Payout};

/// `CreatePaymentRequest`, also the body of `3ds-init` (with `callbackUrl`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatePayment<'a> {
    pub(crate) price: Amount,
    pub(crate) paid_price: Amount,
    pub(crate) wallet_price: Amount,
    pub(crate) installment: u8,
    pub(crate) currency: &'static str,
    pub(crate) conversation_id: &'a str,
    pub(crate) external_id: &'a str,
    pub(crate) payment_group: &'static str,
    pub(crate) payment_phase: &'static str,
    pub(crate) client_ip: DisplayText<IpAddr>,
    pub(crate) card: PaymentCard<'a>,
    pub(crate) items: &'a [LineItemWire<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) callback_url: Option<&'a str>,
}

/// `card` of a payment: a new card's data or a stored card's two keys.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum PaymentCard<'a> {
    /// A card entered now.
    New(NewCard<'a>),
    /// A stored card: only its keys are sent.
    Stored(StoredCardKeys<'a>),
}

/// A card entered now.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NewCard<'a> {
    pub(crate) card_holder_name: &'a str,
    pub(crate) card_number: &'a str,
    pub(crate) expire_year: DisplayText<u16>,
    pub(crate) expire_month: DisplayText<TwoDigits>,
    pub(crate) cvc: &'a str,
    pub(crate) store_card_after_success_payment: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) card_user_key: Option<&'a str>,
}

/// `{cardUserKey, cardToken}`: a stored card in a payment, or the card to delete.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredCardKeys<'a> {
    pub(crate) card_user_key: &'a str,
    pub(crate) card_token: &'a str,
}

/// One `items[]` entry, which the body borrows: the request's own text, or the one line
/// made for a request without items. Written as a [`PaymentItem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineItemWire<'a> {
    pub(crate) name: Cow<'a, str>,
    pub(crate) price: Money,
    pub(crate) external_id: Option<&'a str>,
    pub(crate) sub_merchant: Option<(u64, Money)>,
}

impl Serialize for LineItemWire<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PaymentItem {
            name: &self.name,
            price: Amount(self.price.amount()),
            external_id: self.external_id,
            sub_merchant_member_id: self.sub_merchant.map(|(id, _)| id),
            sub_merchant_member_price: self.sub_merchant.map(|(_, payout)| Amount(payout.amount())),
        }
        .serialize(serializer)
    }
}

/// One of `items[]`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentItem<'a> {
    pub(crate) name: &'a str,
    pub(crate) price: Amount,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sub_merchant_member_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sub_merchant_member_price: Option<Amount>,
}

/// `{"paymentId": ...}` of `3ds-complete`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentIdBody {
    pub(crate) payment_id: u64,
}

/// `{"paidPrice": ...}` of `post-auth`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostAuth {
    pub(crate) paid_price: Amount,
}

/// `RefundPaymentRequest`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefundPayment<'a> {
    pub(crate) payment_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) conversation_id: Option<&'a str>,
    pub(crate) refund_destination_type: &'static str,
    pub(crate) charge_from_me: bool,
}

/// `RefundPaymentTransactionRequest`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefundTransaction<'a> {
    pub(crate) payment_transaction_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) conversation_id: Option<&'a str>,
    pub(crate) refund_price: Amount,
    pub(crate) refund_destination_type: &'static str,
    pub(crate) charge_from_me: bool,
}

/// `StoreCardRequest`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoreCard<'a> {
    pub(crate) card_holder_name: &'a str,
    pub(crate) card_number: &'a str,
    pub(crate) expire_year: DisplayText<u16>,
    pub(crate) expire_month: DisplayText<TwoDigits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) card_alias: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) card_user_key: Option<&'a str>,
}

/// `{"data": ...}` or `{"errors": ...}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope<T> {
    pub(crate) data: Option<T>,
    pub(crate) errors: Option<ErrorBody>,
}

/// `errors` of a failed request, also `paymentError` of a returned payment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) error_code: Option<String>,
    pub(crate) error_description: Option<String>,
    pub(crate) error_group: Option<String>,
    pub(crate) provider_error: Option<ProviderError>,
}

/// `providerError` inside `errors`: the bank's own code and message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProviderError {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) error_code: Option<String>,
    pub(crate) error_message: Option<String>,
}

/// `PaymentResponse` (and the reporting endpoints' payment, which adds `refundablePrice`
/// and `refundStatus`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) id: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) paid_price: Option<Decimal>,
    pub(crate) currency: Option<String>,
    #[serde(default, deserialize_with = "count_opt")]
    pub(crate) installment: Option<u8>,
    pub(crate) conversation_id: Option<String>,
    pub(crate) external_id: Option<String>,
    pub(crate) payment_status: Option<String>,
    pub(crate) payment_phase: Option<String>,
    #[serde(rename = "isThreeDS")]
    pub(crate) is_three_ds: Option<bool>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) bin_number: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) last_four_digits: Option<String>,
    pub(crate) card_type: Option<String>,
    pub(crate) card_association: Option<String>,
    pub(crate) card_brand: Option<String>,
    pub(crate) card_issuer_bank_name: Option<String>,
    pub(crate) auth_code: Option<String>,
    pub(crate) host_reference: Option<String>,
    pub(crate) trans_id: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) order_id: Option<String>,
    pub(crate) card_user_key: Option<String>,
    pub(crate) card_token: Option<String>,
    pub(crate) payment_error: Option<ErrorBody>,
    #[serde(default)]
    pub(crate) payment_transactions: Vec<TransactionData>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) refundable_price: Option<Decimal>,
    pub(crate) refund_status: Option<String>,
}

/// One of `paymentTransactions[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) external_id: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) paid_price: Option<Decimal>,
    /// Never fails: a payout Craftgate computes oddly must not make the payment unreadable.
    #[serde(default, deserialize_with = "payout_opt")]
    pub(crate) merchant_payout_amount: Option<Payout>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) sub_merchant_member_id: Option<String>,
    /// Never fails, like `merchant_payout_amount`.
    #[serde(default, deserialize_with = "payout_opt")]
    pub(crate) sub_merchant_member_payout_amount: Option<Payout>,
    pub(crate) transaction_status: Option<String>,
}

/// One item of `GET /payment-reporting/v1/payments/{id}/transactions`
/// (`ReportingPaymentTransaction`): what is left to refund of each item.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportingTransactionData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) id: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) refundable_price: Option<Decimal>,
}

/// `InitThreeDSPaymentResponse`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThreeDsInitData {
    pub(crate) html_content: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) payment_id: Option<String>,
    pub(crate) redirect_url: Option<String>,
    pub(crate) payment_status: Option<String>,
    pub(crate) additional_action: Option<String>,
}

/// `PaymentRefundResponse` (whole payment).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaymentRefundData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) id: Option<String>,
    pub(crate) status: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) refund_price: Option<Decimal>,
    pub(crate) refund_type: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) payment_id: Option<String>,
    pub(crate) currency: Option<String>,
    pub(crate) conversation_id: Option<String>,
    #[serde(default)]
    pub(crate) payment_transaction_refunds: Vec<TransactionRefundData>,
}

/// `PaymentTransactionRefundResponse` (one item), also an item of the reporting search
/// `GET /payment-reporting/v1/refund-transactions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionRefundData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) id: Option<String>,
    pub(crate) status: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) refund_price: Option<Decimal>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) payment_transaction_id: Option<String>,
    pub(crate) conversation_id: Option<String>,
}

/// `StoredCardResponse`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredCardData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) bin_number: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) last_four_digits: Option<String>,
    pub(crate) card_user_key: Option<String>,
    pub(crate) card_token: Option<String>,
    pub(crate) card_alias: Option<String>,
    pub(crate) card_type: Option<String>,
    pub(crate) card_association: Option<String>,
    pub(crate) card_brand: Option<String>,
    pub(crate) card_bank_name: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) expire_year: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) expire_month: Option<String>,
    pub(crate) is_commercial: Option<bool>,
    pub(crate) card_expiry_status: Option<String>,
}

/// `{"items": [...], "page": n, "size": n, "totalSize": n}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListData<T> {
    #[serde(default = "Vec::new")]
    pub(crate) items: Vec<T>,
    pub(crate) size: Option<u64>,
    pub(crate) total_size: Option<u64>,
}

/// One bank's entry of `GET /installment/v1/installments`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InstallmentData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) bin_number: Option<String>,
    pub(crate) card_type: Option<String>,
    pub(crate) card_association: Option<String>,
    pub(crate) card_brand: Option<String>,
    pub(crate) bank_name: Option<String>,
    pub(crate) commercial: Option<bool>,
    #[serde(default)]
    pub(crate) installment_prices: Vec<InstallmentPriceData>,
}

/// One of `installmentPrices[]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InstallmentPriceData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) installment_number: Option<String>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) installment_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) total_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal_opt")]
    pub(crate) merchant_commission_rate: Option<Decimal>,
}

/// `GET /installment/v1/bins/{bin}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BinData {
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) bin_number: Option<String>,
    pub(crate) card_type: Option<String>,
    pub(crate) card_association: Option<String>,
    pub(crate) card_brand: Option<String>,
    pub(crate) bank_name: Option<String>,
    pub(crate) commercial: Option<bool>,
}

/// A webhook body (`WebhookData`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WebhookData {
    pub(crate) event_type: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) event_timestamp: Option<String>,
    pub(crate) status: Option<String>,
    #[serde(default, deserialize_with = "text_opt")]
    pub(crate) payload_id: Option<String>,
}
