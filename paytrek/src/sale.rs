//! The sale: building its body from a neutral request and reading a sale object back as a
//! neutral payment. Every charge flow goes through a sale.

// Amounts and card echoes come from Paytrek's answer; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;
use std::str::FromStr;

use odeme_core::json::DisplayText;
use odeme_core::{
    Address, CaptureMode, Card, CardAssociation, CardSummary, CardType, ChargeRequest, Currency,
    Customer, Error, HttpResponse, LineItem, Money, NextAction, Payment, PaymentSource,
    PaymentStatus, ProviderId, Result, StoreCardMode, StoredCard, StoredCardRef, ThreeDs,
};

use crate::client::PaytrekConfig;
use crate::map;
use crate::wire::{self, Expiration, Items, JsonNumber, SaleBody, Street};

/// The currencies the Paytrek document names.
pub(crate) const CURRENCIES: [Currency; 4] =
    [Currency::TRY, Currency::USD, Currency::EUR, Currency::GBP];

/// What a sale is made of, whichever request it comes from.
pub(crate) struct SaleParts<'a> {
    pub order_id: &'a str,
    pub amount: &'a Money,
    pub installments: u8,
    pub capture: CaptureMode,
    pub three_ds: &'a ThreeDs,
    /// Where the customer comes back to; a hosted sale may have one without 3-D Secure.
    pub return_url: Option<&'a str>,
    pub customer: &'a Customer,
    pub billing: Option<&'a Address>,
    pub items: &'a [LineItem],
    pub metadata: &'a BTreeMap<String, String>,
}

impl<'a> SaleParts<'a> {
    pub(crate) fn of(request: &'a ChargeRequest) -> Self {
        Self {
            order_id: &request.order_id,
            amount: &request.amount,
            installments: request.installments,
            capture: request.capture,
            three_ds: &request.three_ds,
            return_url: match &request.three_ds {
                ThreeDs::Off => None,
                ThreeDs::Required { return_url, .. } => Some(return_url),
            },
            customer: &request.customer,
            billing: request.billing.as_ref(),
            items: &request.items,
            metadata: &request.metadata,
        }
    }
}

/// The currency must be one Paytrek takes.
pub(crate) fn check_currency(field: &str, currency: Currency) -> Result<()> {
    if CURRENCIES.contains(&currency) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("Paytrek takes TRY, USD, EUR or GBP, not {currency}"),
        ))
    }
}

/// Paytrek's own rules on top of the core's checks.
pub(crate) fn validate(parts: &SaleParts<'_>, config: &PaytrekConfig) -> Result<()> {
    check_currency("amount.currency", parts.amount.currency())?;
    // The core lets a customer have one name; Paytrek's `customer_last_name` is required.
    if parts.customer.last_name.trim().is_empty() {
        return Err(Error::invalid(
            "customer.last_name",
            "Paytrek requires the customer's family name (customer_last_name)",
        ));
    }
    let billing = parts
        .billing
        .or(config.default_billing.as_ref())
        .ok_or_else(|| {
            Error::invalid(
                "billing",
                "Paytrek requires a billing address (street, city and country)",
            )
        })?;
    odeme_core::validate::non_empty("billing.line1", &billing.line1)?;
    odeme_core::validate::non_empty("billing.city", &billing.city)?;
    odeme_core::validate::non_empty("billing.country", &billing.country)?;
    if let ThreeDs::Required {
        fail_url: Some(_), ..
    } = parts.three_ds
    {
        return Err(Error::invalid(
            "three_ds.fail_url",
            "Paytrek returns the customer to one return_url whatever the outcome",
        ));
    }
    Ok(())
}

/// A card's expiry as every Paytrek example writes it: `MM/YYYY`.
pub(crate) fn expiration(card: &Card) -> DisplayText<Expiration> {
    DisplayText(Expiration(card.expiry()))
}

/// The body of `sale`, `direct_charge` or `subscription_plan` without the card.
pub(crate) fn sale_body<'a>(
    parts: &SaleParts<'a>,
    config: &'a PaytrekConfig,
) -> Result<SaleBody<'a>> {
    let billing = parts
        .billing
        .or(config.default_billing.as_ref())
        .ok_or_else(|| Error::invalid("billing", "Paytrek requires a billing address"))?;
    let secure = matches!(parts.three_ds, ThreeDs::Required { .. });
    Ok(SaleBody {
        currency: parts.amount.currency().code(),
        order_id: parts.order_id,
        amount: JsonNumber::money(parts.amount),
        installment: parts.installments,
        secure_option: secure,
        half_secure: secure.then_some(config.half_secure),
        pre_auth: parts.capture == CaptureMode::PreAuthorize,
        return_url: parts.return_url,
        hosted_payment: None,
        customer_first_name: &parts.customer.first_name,
        customer_last_name: &parts.customer.last_name,
        customer_email: &parts.customer.email,
        customer_ip_address: DisplayText(parts.customer.ip),
        billing_address: DisplayText(Street {
            line1: &billing.line1,
            line2: billing.line2.as_deref(),
        }),
        billing_city: &billing.city,
        billing_state: billing.state.as_deref(),
        billing_country: &billing.country,
        billing_zipcode: billing.postal_code.as_deref(),
        billing_phone: parts.customer.phone.as_deref(),
        items: Items(parts.items),
        sale_data: parts.metadata,
        number: None,
        expiration: None,
        cvc: None,
        card_holder_name: None,
        save_card: None,
        card_user_id: None,
        recurring: None,
    })
}

/// Adds the new card of `request` (and `save_card`) to a sale body.
pub(crate) fn with_card<'a>(
    mut body: SaleBody<'a>,
    request: &'a ChargeRequest,
) -> Result<SaleBody<'a>> {
    let PaymentSource::NewCard(card) = &request.source else {
        return Err(Error::invalid("source", "this flow charges a new card"));
    };
    body.number = Some(card.number().expose());
    body.expiration = Some(expiration(card));
    body.cvc = Some(card.cvc().expose());
    body.card_holder_name = Some(card.holder_name());
    match &request.store_card {
        StoreCardMode::No => {}
        StoreCardMode::NewCustomer => body.save_card = Some(true),
        StoreCardMode::ExistingCustomer(user) => {
            body.save_card = Some(true);
            body.card_user_id = Some(user);
        }
    }
    Ok(body)
}

/// JSON bytes of a body.
pub(crate) fn to_bytes<T: serde::Serialize>(body: &T) -> Result<Vec<u8>> {
    odeme_core::json::to_body(body, "Paytrek")
}

/// What is already known of a sale when its object is read: the request's currency and,
/// for a failure to read it, the answer to blame.
pub(crate) struct Context<'a> {
    pub response: &'a HttpResponse,
    pub currency: Option<Currency>,
    pub order_id: Option<&'a str>,
}

fn money(
    ctx: &Context<'_>,
    field: &str,
    value: rust_decimal::Decimal,
    currency: Currency,
) -> Result<Money> {
    Money::new(value, currency).map_err(|_| {
        ctx.response
            .unreadable(&format!("`{field}` is not an amount in {currency}"))
    })
}

/// The sale's currency: its own `currency` field, else the one the request used.
pub(crate) fn currency_of(sale: &wire::Sale<'_>, ctx: &Context<'_>) -> Result<Currency> {
    match sale.currency.as_deref() {
        Some(code) => Currency::from_str(code).map_err(|_| {
            ctx.response
                .unreadable(&format!("unknown currency `{code}`"))
        }),
        None => ctx
            .currency
            .ok_or_else(|| ctx.response.unreadable("the sale has no currency")),
    }
}

/// A sale object as a neutral payment.
pub(crate) fn to_payment(sale: &wire::Sale<'_>, ctx: &Context<'_>) -> Result<Payment> {
    let token = sale
        .sale_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ctx.response.unreadable("the answer has no sale_token"))?;
    let currency = currency_of(sale, ctx)?;
    let amount_value = sale
        .amount
        .ok_or_else(|| ctx.response.unreadable("the sale has no amount"))?
        .0;
    let amount = money(ctx, "amount", amount_value, currency)?;
    let refunded_value = sale.refunded_amount.map(|a| a.0).unwrap_or_default();
    let refunded = money(ctx, "refunded_amount", refunded_value, currency)?;
    let mut status = map::sale_status(
        sale.status.as_deref(),
        sale.financial_status.as_deref(),
        sale.pre_auth,
        Some(amount_value),
        Some(refunded_value),
    );
    let forward_url = sale.forward_url.as_deref().filter(|u| !u.trim().is_empty());
    if forward_url.is_some() && matches!(status, PaymentStatus::Pending | PaymentStatus::Unknown) {
        status = PaymentStatus::RequiresAction;
    }
    let order_id = sale
        .order_id
        .as_deref()
        .or(ctx.order_id)
        .unwrap_or_default();
    let mut payment = Payment::new(ProviderId::Paytrek, token, order_id, status, amount);
    payment.provider_status = sale
        .status
        .as_deref()
        .or(sale.financial_status.as_deref())
        .map(str::to_owned);
    payment.refunded = refunded;
    payment.captured = match status {
        PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded => {
            amount
        }
        _ => Money::zero(currency),
    };
    payment.installments = sale
        .installment
        .as_deref()
        .and_then(|i| i.trim().parse::<u8>().ok())
        .unwrap_or(1);
    payment.card = card_summary(sale);
    payment.stored_card = stored_card(sale);
    payment.next_action = forward_url.map(|url| NextAction::Redirect {
        url: url.to_owned(),
    });
    if let Some(financial) = &sale.financial_status {
        payment
            .references
            .insert("financial_status".into(), financial.as_ref().to_owned());
    }
    if let Some(reference) = sale
        .transactions
        .iter()
        .rev()
        .find(|t| t.succeeded == Some(true))
        .and_then(|t| t.paytrek_ref_id.as_deref())
        .filter(|r| !r.is_empty())
    {
        payment
            .references
            .insert("paytrek_ref_id".into(), reference.to_owned());
    }
    if let Some(decision) = sale
        .transactions
        .iter()
        .rev()
        .find_map(|t| t.fraud_risk.as_ref().and_then(|f| f.decision.as_deref()))
    {
        payment
            .references
            .insert("fraud_decision".into(), decision.to_owned());
    }
    Ok(payment)
}

/// What may be shown of the sale's card: the masked echo, else the last transaction's.
fn card_summary(sale: &wire::Sale<'_>) -> Option<CardSummary> {
    let transaction = sale
        .transactions
        .iter()
        .rev()
        .find(|t| t.bin_number.is_some());
    let masked = sale.number.as_deref().filter(|n| n.len() >= 10);
    let bin = sale
        .bin_number
        .as_deref()
        .or_else(|| transaction.and_then(|t| t.bin_number.as_deref()))
        .or_else(|| masked.and_then(|n| n.get(..6)))
        .map(str::to_owned);
    let last4 = sale
        .last4
        .as_deref()
        .or_else(|| transaction.and_then(|t| t.card_number_last4.as_deref()))
        .or_else(|| masked.and_then(|n| n.len().checked_sub(4).and_then(|start| n.get(start..))))
        .map(str::to_owned);
    if bin.is_none() && last4.is_none() {
        return None;
    }
    let card_type = sale
        .card_type
        .as_deref()
        .or(transaction.and_then(|t| t.card_type.as_deref()));
    Some(CardSummary {
        association: sale
            .card_brand
            .as_deref()
            .and_then(CardAssociation::from_provider)
            .or_else(|| bin.as_deref().and_then(CardAssociation::from_number)),
        bin,
        last4,
        brand: None,
        card_type: card_type.and_then(CardType::from_provider),
        bank: sale
            .card_issuer
            .as_deref()
            .or(sale.issuer_bank_id.as_deref())
            .map(str::to_owned),
        commercial: None,
    })
}

/// The card a payment stored (`save_card`), when the answer names it.
pub(crate) fn stored_card(sale: &wire::Sale<'_>) -> Option<StoredCard> {
    let token = sale.card_token.as_deref().filter(|t| !t.is_empty())?;
    let mut extra = BTreeMap::new();
    if let Some(country) = &sale.card_country {
        extra.insert("card_country".to_owned(), country.as_ref().to_owned());
    }
    Some(StoredCard {
        provider: ProviderId::Paytrek,
        reference: StoredCardRef::new(sale.card_user_id.as_deref().unwrap_or_default(), token),
        summary: card_summary(sale).unwrap_or_default(),
        expiry_month: sale.exp_month.as_deref().and_then(|m| m.parse().ok()),
        expiry_year: sale.exp_year.as_deref().and_then(|y| y.parse().ok()),
        label: sale
            .card_label
            .as_deref()
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        requires_cvc: false,
        extra,
    })
}
