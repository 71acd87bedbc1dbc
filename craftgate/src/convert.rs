//! Craftgate's answers to the neutral result types. Each function returns the reason an
//! answer cannot be read, and the caller turns it into the right error (an unknown outcome
//! after a write, an unexpected response after a read).

// Refunded and refundable amounts come from Craftgate's answers; every operation must be checked.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;
use std::str::FromStr;

use odeme_core::{
    CardSummary, Currency, Money, Payment, PaymentStatus, PaymentTransaction, ProviderId,
    StoredCard, StoredCardRef,
};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::map;
use crate::number::Payout;
use crate::wire::{PaymentData, ReportingTransactionData, StoredCardData, TransactionData};

/// Money from a Craftgate amount. Craftgate answers with eight decimals (`2.97000000`);
/// trailing zeros are dropped exactly, and only a value that really has more digits than
/// the currency (a computed commission share) is rounded half away from zero.
pub(crate) fn money(value: Decimal, currency: Currency) -> Result<Money, String> {
    let mut exact = value.normalize();
    if exact.scale() > currency.exponent() {
        exact = exact
            .round_dp_with_strategy(currency.exponent(), RoundingStrategy::MidpointAwayFromZero);
    }
    Money::new(exact, currency).map_err(|e| format!("amount {value} is not valid money: {e}"))
}

/// The currency of an answer, or the one the request used when the answer omits it.
pub(crate) fn currency(text: Option<&str>, fallback: Option<Currency>) -> Result<Currency, String> {
    match text {
        Some(code) => Currency::from_str(code).map_err(|_| format!("unknown currency `{code}`")),
        None => fallback.ok_or_else(|| "the answer names no currency".to_owned()),
    }
}

/// What the caller knows when the answer leaves it out.
#[derive(Debug, Clone, Default)]
pub(crate) struct Known<'a> {
    /// The merchant's order id.
    pub(crate) order_id: Option<&'a str>,
    /// The currency asked for.
    pub(crate) currency: Option<Currency>,
    /// The amount asked for.
    pub(crate) amount: Option<Money>,
}

/// A `PaymentResponse` as a neutral payment. The answer is taken by value: its text moves
/// into the payment instead of being copied (two dozen allocations per charge).
pub(crate) fn payment(mut data: PaymentData, known: &Known<'_>) -> Result<Payment, String> {
    let id = data
        .id
        .take()
        .filter(|id| !id.is_empty())
        .ok_or("the payment has no id")?;
    let currency = currency(
        data.currency.as_deref(),
        known.currency.or(known.amount.map(|m| m.currency())),
    )?;
    let amount = match (data.price, known.amount) {
        (Some(price), _) => money(price, currency)?,
        (None, Some(amount)) => amount,
        (None, None) => return Err("the payment has no price".into()),
    };
    let paid = match data.paid_price {
        Some(paid) => money(paid, currency)?,
        None => amount,
    };
    let order_id = data
        .conversation_id
        .take()
        .or_else(|| data.external_id.take())
        .or_else(|| known.order_id.map(str::to_owned))
        .unwrap_or_default();
    let mut status = map::payment_status(
        data.payment_status.as_deref(),
        data.payment_phase.as_deref(),
    );
    let zero = Money::zero(currency);
    let captured = if status == PaymentStatus::Succeeded {
        paid
    } else {
        zero
    };
    let mut refunded = zero;
    if status == PaymentStatus::Succeeded {
        if let Some(refundable) = data.refundable_price {
            let refundable = money(refundable, currency)?;
            refunded = paid.checked_sub(&refundable).unwrap_or(zero);
        }
        if let Some(after_refunds) = data.refund_status.as_deref().and_then(map::refunded_status) {
            status = after_refunds;
        } else if !refunded.is_zero() {
            status = if refunded == paid {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::PartiallyRefunded
            };
        }
    }

    // Releasing a pre-authorization moves no money and never settles, so a fully refunded
    // one was voided whatever the refund behind it is called.
    if status == PaymentStatus::Authorized
        && data.refund_status.as_deref().and_then(map::refunded_status)
            == Some(PaymentStatus::Refunded)
    {
        status = PaymentStatus::Cancelled;
    }

    let mut result = Payment::with_owned_ids(ProviderId::Craftgate, id, order_id, status, amount);
    result.provider_status = data.payment_status.take();
    if paid != amount {
        result.paid_amount = Some(paid);
    }
    result.captured = captured;
    result.refunded = refunded;
    result.installments = data.installment.unwrap_or(1);
    result.references = references(&mut data);
    result.transactions = transactions(
        std::mem::take(&mut data.payment_transactions),
        currency,
        &mut result.references,
    )?;
    let card = card_summary(&mut data);
    result.stored_card = stored_card_of_payment(&data, card.as_ref());
    result.card = card;
    Ok(result)
}

fn card_summary(data: &mut PaymentData) -> Option<CardSummary> {
    if data.bin_number.is_none() && data.last_four_digits.is_none() {
        return None;
    }
    Some(CardSummary {
        bin: data.bin_number.take(),
        last4: data.last_four_digits.take(),
        brand: data.card_brand.take(),
        association: data
            .card_association
            .as_deref()
            .and_then(map::card_association),
        card_type: data.card_type.as_deref().and_then(map::card_type),
        bank: data.card_issuer_bank_name.take(),
        commercial: None,
    })
}

fn stored_card_of_payment(data: &PaymentData, summary: Option<&CardSummary>) -> Option<StoredCard> {
    let user = data.card_user_key.as_deref().filter(|k| !k.is_empty())?;
    let token = data.card_token.as_deref().filter(|k| !k.is_empty())?;
    Some(StoredCard {
        provider: ProviderId::Craftgate,
        reference: StoredCardRef::new(user, token),
        summary: summary.cloned().unwrap_or_default(),
        expiry_month: None,
        expiry_year: None,
        label: None,
        requires_cvc: false,
        extra: BTreeMap::new(),
    })
}

fn references(data: &mut PaymentData) -> BTreeMap<String, String> {
    let mut refs = BTreeMap::new();
    let pairs = [
        ("auth_code", data.auth_code.take()),
        ("host_reference", data.host_reference.take()),
        ("trans_id", data.trans_id.take()),
        ("bank_order_id", data.order_id.take()),
        ("payment_phase", data.payment_phase.take()),
    ];
    for (name, value) in pairs {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            refs.insert(name.to_owned(), value);
        }
    }
    if let Some(three_ds) = data.is_three_ds {
        refs.insert("three_ds".to_owned(), three_ds.to_string());
    }
    refs
}

/// The payment's items with their payouts. What was refunded of each is not in this answer
/// (see [`apply_item_refunds`]), so it starts at zero.
fn transactions(
    items: Vec<TransactionData>,
    currency: Currency,
    references: &mut BTreeMap<String, String>,
) -> Result<Vec<PaymentTransaction>, String> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let id = item.id.ok_or("a payment transaction has no id")?;
        let price = money(
            item.price.ok_or("a payment transaction has no price")?,
            currency,
        )?;
        let paid_price = match item.paid_price {
            Some(p) => money(p, currency)?,
            None => price,
        };
        let mut payout = |field: &str, figure: Option<Payout>| {
            let kept = match figure? {
                Payout::Amount(value) => match money(value, currency) {
                    Ok(read) => return Some(read),
                    // Read, but not money of this payment (negative, too many decimals):
                    // its digits as written are kept, as for text that is no number.
                    Err(_) => value.to_string(),
                },
                Payout::Odd(text) => text,
            };
            references.insert(format!("transactions.{id}.{field}"), kept);
            None
        };
        let merchant_payout = payout("merchant_payout_amount", item.merchant_payout_amount);
        let sub_merchant_payout = payout(
            "sub_merchant_member_payout_amount",
            item.sub_merchant_member_payout_amount,
        );
        out.push(PaymentTransaction {
            id,
            external_id: item.external_id,
            name: item.name,
            price,
            paid_price,
            merchant_payout,
            sub_merchant_id: item.sub_merchant_member_id,
            sub_merchant_payout,
            refunded: Money::zero(currency),
            status: item.transaction_status,
        });
    }
    Ok(out)
}

/// Sets what was refunded of each item from Craftgate's own per-item record
/// (`refundablePrice` of `GET /payment-reporting/v1/payments/{id}/transactions`): refunded =
/// paid price − refundable. An item the record leaves out, or without `refundablePrice`,
/// makes the answer unreadable: a refund must never be planned from a guess.
pub(crate) fn apply_item_refunds(
    payment: &mut Payment,
    report: &[ReportingTransactionData],
) -> Result<(), String> {
    let currency = payment.amount.currency();
    for tx in &mut payment.transactions {
        let entry = report
            .iter()
            .find(|r| r.id.as_deref() == Some(tx.id.as_str()))
            .ok_or_else(|| format!("the transaction report has no transaction {}", tx.id))?;
        let refundable = entry
            .refundable_price
            .ok_or_else(|| format!("transaction {} has no refundablePrice", tx.id))?;
        let refundable = money(refundable.max(Decimal::ZERO), currency)?;
        tx.refunded = tx
            .paid_price
            .checked_sub(&refundable)
            .unwrap_or_else(|_| Money::zero(currency));
    }
    Ok(())
}

/// A `StoredCardResponse` as a neutral stored card.
pub(crate) fn stored_card(data: &StoredCardData) -> Result<StoredCard, String> {
    let user = data
        .card_user_key
        .as_deref()
        .filter(|k| !k.is_empty())
        .ok_or("the stored card has no cardUserKey")?;
    let token = data
        .card_token
        .as_deref()
        .filter(|k| !k.is_empty())
        .ok_or("the stored card has no cardToken")?;
    let mut extra = BTreeMap::new();
    if let Some(status) = &data.card_expiry_status {
        extra.insert("card_expiry_status".to_owned(), status.clone());
    }
    Ok(StoredCard {
        provider: ProviderId::Craftgate,
        reference: StoredCardRef::new(user, token),
        summary: CardSummary {
            bin: data.bin_number.clone(),
            last4: data.last_four_digits.clone(),
            brand: data.card_brand.clone(),
            association: data
                .card_association
                .as_deref()
                .and_then(map::card_association),
            card_type: data.card_type.as_deref().and_then(map::card_type),
            bank: data.card_bank_name.clone(),
            commercial: data.is_commercial,
        },
        expiry_month: data
            .expire_month
            .as_deref()
            .and_then(|m| m.trim().parse().ok()),
        expiry_year: data
            .expire_year
            .as_deref()
            .and_then(|y| y.trim().parse().ok()),
        label: data.card_alias.clone(),
        requires_cvc: false,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Envelope, ListData};

    /// The notes' sample success response (node fixture): numbers for BIN and last four.
    const NODE_FIXTURE: &str = r#"{"data":{"id":1,"createdDate":"2020-09-11T10:00:00","price":100.0,"paidPrice":100.0,"walletPrice":0.0,"buyerMemberId":1,
 "currency":"TRY","installment":1,"conversationId":"d1811bb0-25a2-40c7-ba71-c8b605259611","paymentStatus":"SUCCESS",
 "merchantCommissionRate":10,"merchantCommissionRateAmount":0.1,"binNumber":424242,"lastFourDigits":4242,
 "cardType":"CREDIT_CARD","cardAssociation":"MASTER_CARD","cardBrand":"World",
 "paymentTransactions":[{"id":1,"externalId":"fcf47134-12ee-4d37-bd2c-c46cd9297487","name":"Pharmaton","transactionStatus":"APPROVED",
   "blockageResolvedDate":"2021-02-21T15:00:00","price":30,"paidPrice":33,"walletPrice":0,"merchantCommissionRate":10,
   "merchantCommissionRateAmount":3,"merchantPayoutAmount":2.97,"subMerchantMemberId":1,"subMerchantMemberPrice":27,
   "subMerchantMemberPayoutRate":90,"subMerchantMemberPayoutAmount":29.7,
   "payout":{"paidPrice":33,"currency":"TRY","merchantPayoutAmount":2.97,"subMerchantMemberPayoutAmount":29.7}}]}}"#;

    #[test]
    fn parses_the_documented_payment_response() {
        let envelope: Envelope<PaymentData> = serde_json::from_str(NODE_FIXTURE).unwrap();
        let p = payment(envelope.data.unwrap(), &Known::default()).unwrap();
        assert_eq!(p.id, "1");
        assert_eq!(p.order_id, "d1811bb0-25a2-40c7-ba71-c8b605259611");
        assert_eq!(p.status, PaymentStatus::Succeeded);
        assert_eq!(p.provider_status.as_deref(), Some("SUCCESS"));
        assert_eq!(p.amount.to_decimal_string(), "100.00");
        assert_eq!(p.captured.to_decimal_string(), "100.00");
        assert!(p.paid_amount.is_none());
        let card = p.card.unwrap();
        assert_eq!(
            (card.bin.as_deref(), card.last4.as_deref()),
            (Some("424242"), Some("4242"))
        );
        assert_eq!(
            card.association,
            Some(odeme_core::CardAssociation::MasterCard)
        );
        assert_eq!(card.card_type, Some(odeme_core::CardType::Credit));
        let tx = &p.transactions[0];
        assert_eq!(tx.id, "1");
        assert_eq!(tx.name.as_deref(), Some("Pharmaton"));
        assert_eq!(tx.price.to_decimal_string(), "30.00");
        assert_eq!(tx.paid_price.to_decimal_string(), "33.00");
        assert_eq!(tx.merchant_payout.unwrap().to_decimal_string(), "2.97");
        assert_eq!(tx.sub_merchant_id.as_deref(), Some("1"));
        assert_eq!(tx.sub_merchant_payout.unwrap().to_decimal_string(), "29.70");
        assert_eq!(tx.status.as_deref(), Some("APPROVED"));
        assert!(tx.refunded.is_zero());
    }

    #[test]
    fn eight_decimal_amounts_and_pre_auth() {
        let json = r#"{"id":"77","price":100.00000000,"paidPrice":103.50000000,"currency":"TRY","paymentStatus":"SUCCESS","paymentPhase":"PRE_AUTH","binNumber":"525864","lastFourDigits":"0001","installment":3,"authCode":"A1","isThreeDS":false}"#;
        let data: PaymentData = serde_json::from_str(json).unwrap();
        let p = payment(
            data.clone(),
            &Known {
                order_id: Some("o-9"),
                ..Known::default()
            },
        )
        .unwrap();
        assert_eq!(p.status, PaymentStatus::Authorized);
        assert_eq!(p.order_id, "o-9");
        assert_eq!(p.amount.to_decimal_string(), "100.00");
        assert_eq!(p.paid_amount.unwrap().to_decimal_string(), "103.50");
        assert!(p.captured.is_zero());
        assert_eq!(p.installments, 3);
        assert_eq!(
            p.references.get("auth_code").map(String::as_str),
            Some("A1")
        );
        assert_eq!(
            p.references.get("payment_phase").map(String::as_str),
            Some("PRE_AUTH")
        );
    }

    #[test]
    fn unknown_status_is_never_success_and_item_refunds_are_craftgates() {
        let json = r#"{"id":5,"price":100,"paidPrice":100,"currency":"TRY","paymentStatus":"SOMETHING_NEW"}"#;
        let p = payment(serde_json::from_str(json).unwrap(), &Known::default()).unwrap();
        assert_eq!(p.status, PaymentStatus::Unknown);
        assert_eq!(p.provider_status.as_deref(), Some("SOMETHING_NEW"));
        assert!(p.captured.is_zero());

        let json = r#"{"id":6,"price":100,"paidPrice":100,"currency":"TRY","paymentStatus":"SUCCESS","refundablePrice":55,"refundStatus":"PARTIAL_REFUNDED",
          "paymentTransactions":[{"id":1,"price":30,"paidPrice":30},{"id":2,"price":50,"paidPrice":50},{"id":3,"price":20,"paidPrice":20}]}"#;
        let p = payment(serde_json::from_str(json).unwrap(), &Known::default()).unwrap();
        assert_eq!(p.status, PaymentStatus::PartiallyRefunded);
        assert_eq!(p.refunded.to_decimal_string(), "45.00");
        assert_eq!(p.refundable().to_decimal_string(), "55.00");
        // The payment answer alone does not say which items were refunded: nothing is
        // guessed from the total.
        assert!(p.transactions.iter().all(|t| t.refunded.is_zero()));

        // Craftgate's per-item record: item 3 was refunded directly (20), then 25 of item 1.
        let report: ListData<ReportingTransactionData> = serde_json::from_str(
            r#"{"items":[{"id":1,"refundablePrice":5.00000000},{"id":2,"refundablePrice":50},{"id":3,"refundablePrice":0}],"totalSize":3}"#,
        )
        .unwrap();
        let mut p = p;
        apply_item_refunds(&mut p, &report.items).unwrap();
        let refunded: Vec<_> = p
            .transactions
            .iter()
            .map(|t| t.refunded.to_decimal_string())
            .collect();
        assert_eq!(refunded, ["25.00", "0.00", "20.00"]);

        // A report that leaves an item out, or its refundable amount, is not guessed over.
        let partial: ListData<ReportingTransactionData> =
            serde_json::from_str(r#"{"items":[{"id":1,"refundablePrice":5},{"id":2}]}"#).unwrap();
        assert!(apply_item_refunds(&mut p, &partial.items).is_err());
    }

    #[test]
    fn odd_payouts_never_make_a_payment_unreadable() {
        // A sub-merchant paid the whole item: a negative merchant payout (as the simulator
        // once computed) and a payout that is not a number.
        let json = r#"{"id":9,"price":30,"paidPrice":30,"currency":"TRY","paymentStatus":"SUCCESS",
          "paymentTransactions":[{"id":1,"price":30,"paidPrice":30,"merchantPayoutAmount":-0.30000000,"subMerchantMemberId":101,"subMerchantMemberPayoutAmount":30.00000000},
                                 {"id":2,"price":0.01,"paidPrice":0.01,"merchantPayoutAmount":"n/a","subMerchantMemberPayoutAmount":{"x":1}}]}"#;
        let p = payment(serde_json::from_str(json).unwrap(), &Known::default()).unwrap();
        assert_eq!(p.status, PaymentStatus::Succeeded);
        assert_eq!(p.transactions[0].merchant_payout, None);
        assert_eq!(
            p.transactions[0]
                .sub_merchant_payout
                .unwrap()
                .to_decimal_string(),
            "30.00"
        );
        assert_eq!(
            p.references
                .get("transactions.1.merchant_payout_amount")
                .map(String::as_str),
            Some("-0.30000000")
        );
        assert_eq!(p.transactions[1].merchant_payout, None);
        assert_eq!(p.transactions[1].sub_merchant_payout, None);
        assert_eq!(
            p.references
                .get("transactions.2.merchant_payout_amount")
                .map(String::as_str),
            Some("n/a")
        );
        assert_eq!(
            p.references
                .get("transactions.2.sub_merchant_member_payout_amount")
                .map(String::as_str),
            Some(r#"{"x":1}"#)
        );
    }

    #[test]
    fn a_released_pre_authorization_is_cancelled() {
        let open = r#"{"id":8,"price":50,"paidPrice":50,"currency":"TRY","paymentStatus":"SUCCESS","paymentPhase":"PRE_AUTH","refundablePrice":50,"refundStatus":"NOT_REFUNDED"}"#;
        let p = payment(serde_json::from_str(open).unwrap(), &Known::default()).unwrap();
        assert_eq!(p.status, PaymentStatus::Authorized);

        let released = r#"{"id":8,"price":50,"paidPrice":50,"currency":"TRY","paymentStatus":"SUCCESS","paymentPhase":"PRE_AUTH","refundablePrice":0,"refundStatus":"FULLY_REFUNDED"}"#;
        let p = payment(serde_json::from_str(released).unwrap(), &Known::default()).unwrap();
        assert_eq!(p.status, PaymentStatus::Cancelled);
        assert_eq!(p.provider_status.as_deref(), Some("SUCCESS"));
        assert!(p.captured.is_zero());
        assert!(p.refunded.is_zero());

        // A captured one refunded in full is left for the refund records to judge.
        let captured = r#"{"id":8,"price":50,"paidPrice":50,"currency":"TRY","paymentStatus":"SUCCESS","paymentPhase":"POST_AUTH","refundablePrice":0,"refundStatus":"FULLY_REFUNDED"}"#;
        let p = payment(serde_json::from_str(captured).unwrap(), &Known::default()).unwrap();
        assert_eq!(p.status, PaymentStatus::Refunded);
        assert_eq!(p.refunded.to_decimal_string(), "50.00");
    }

    #[test]
    fn unreadable_payments() {
        assert!(payment(
            serde_json::from_str(r#"{"price":1,"currency":"TRY"}"#).unwrap(),
            &Known::default()
        )
        .is_err());
        assert!(payment(
            serde_json::from_str(r#"{"id":1,"price":1,"currency":"XYZ"}"#).unwrap(),
            &Known::default()
        )
        .is_err());
        assert!(payment(
            serde_json::from_str(r#"{"id":1,"currency":"TRY"}"#).unwrap(),
            &Known::default()
        )
        .is_err());
    }

    #[test]
    fn parses_a_stored_card() {
        let json = r#"{"binNumber":"525864","lastFourDigits":"0001","cardUserKey":"u-1","cardToken":"t-1","cardAlias":"work","cardType":"CREDIT_CARD","cardAssociation":"MASTER_CARD","cardBrand":"World","cardBankName":"YAPI VE KREDİ BANKASI A.Ş.","cardBankId":67,"expireYear":"2044","expireMonth":"07","isCommercial":false,"cardExpiryStatus":"NOT_EXPIRED","createdAt":"2026-11-24T10:00:00"}"#;
        let card = stored_card(&serde_json::from_str(json).unwrap()).unwrap();
        assert_eq!(card.reference, StoredCardRef::new("u-1", "t-1"));
        assert_eq!((card.expiry_month, card.expiry_year), (Some(7), Some(2044)));
        assert_eq!(card.label.as_deref(), Some("work"));
        assert_eq!(
            card.summary.bank.as_deref(),
            Some("YAPI VE KREDİ BANKASI A.Ş.")
        );
        assert_eq!(
            card.extra.get("card_expiry_status").map(String::as_str),
            Some("NOT_EXPIRED")
        );
        assert!(stored_card(&serde_json::from_str(r#"{"cardUserKey":"u"}"#).unwrap()).is_err());
    }

    #[test]
    fn rounding_only_beyond_the_currency_scale() {
        assert_eq!(
            money(Decimal::new(297000000, 8), Currency::TRY)
                .unwrap()
                .to_decimal_string(),
            "2.97"
        );
        assert_eq!(
            money(Decimal::new(2975, 3), Currency::TRY)
                .unwrap()
                .to_decimal_string(),
            "2.98"
        );
        assert_eq!(
            money(Decimal::new(150, 0), Currency::JPY)
                .unwrap()
                .to_decimal_string(),
            "150"
        );
    }
}
