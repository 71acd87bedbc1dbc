//! Validation of `card-payments` requests (create and 3-D Secure init): amounts, card,
//! items and enums, checked before anything is stored.

use rust_decimal::Decimal;

use crate::craftgate::errors::{codes, ApiError};
use crate::craftgate::payouts::{merchant_commission_rate, split, ItemAmounts, ItemShare};
use crate::craftgate::state::{PaymentCard, StoreAfterSuccess};
use crate::craftgate::test_cards;
use crate::craftgate::wire::{self, CardRequest, CreatePaymentRequest, ItemRequest};
use crate::craftgate::Shared;
use crate::util::luhn_valid;

/// Craftgate's `Currency` values.
pub(crate) const CURRENCIES: &[&str] = &[
    "TRY", "USD", "EUR", "GBP", "ARS", "BRL", "CNY", "AED", "IQD", "AZN", "KZT", "KWD", "SAR",
    "BHD", "RUB", "JPY", "EGP", "MXN", "RON",
];

const PAYMENT_GROUPS: &[&str] = &["PRODUCT", "LISTING_OR_SUBSCRIPTION"];

/// The largest installment count the simulated POS offers.
pub(crate) const MAX_INSTALLMENT: i64 = 12;

/// Where the money comes from.
pub(super) enum CardSource {
    New {
        card: PaymentCard,
        store: Option<StoreAfterSuccess>,
    },
    Stored {
        card: PaymentCard,
        card_user_key: String,
        card_token: String,
    },
}

/// One validated item.
pub(super) struct Item {
    pub(super) name: Option<String>,
    pub(super) external_id: Option<String>,
    pub(super) price: Decimal,
    pub(super) sub_merchant_member_id: Option<i64>,
    pub(super) sub_merchant_member_price: Option<Decimal>,
    pub(super) blockage_day: i64,
}

/// A payment request that passed validation.
pub(super) struct Validated {
    pub(super) price: Decimal,
    pub(super) paid_price: Decimal,
    pub(super) installment: u32,
    pub(super) currency: String,
    pub(super) group: String,
    pub(super) phase: String,
    pub(super) channel: Option<String>,
    pub(super) conversation_id: Option<String>,
    pub(super) external_id: Option<String>,
    pub(super) buyer_member_id: Option<i64>,
    pub(super) pos_alias: Option<String>,
    pub(super) source: CardSource,
    pub(super) items: Vec<Item>,
    /// The items' shares of `paid_price`, computed (and checked to fit) before anything is
    /// stored.
    pub(super) amounts: Vec<ItemAmounts>,
    pub(super) callback_url: Option<String>,
}

/// A positive amount with at most two decimals.
pub(crate) fn positive_amount(value: Option<Decimal>, field: &str) -> Result<Decimal, ApiError> {
    let value = value.ok_or_else(|| ApiError::required(field))?;
    if value <= Decimal::ZERO {
        return Err(ApiError::invalid(field, "sıfırdan büyük olmalı"));
    }
    if value.normalize().scale() > 2 {
        return Err(ApiError::invalid(
            field,
            "en fazla iki ondalık basamak olabilir",
        ));
    }
    // Bounding every amount at the edge keeps each later product (installment rate, payout
    // shares, currency conversion) far inside `Decimal`'s range, so no request can panic
    // the handler after part of a payment is stored.
    if value > max_amount() {
        return Err(ApiError::invalid(field, "en fazla 9999999999.99 olabilir"));
    }
    Ok(value)
}

/// The largest amount the simulator accepts: 10^12 minor units less one.
pub(crate) fn max_amount() -> Decimal {
    Decimal::new(999_999_999_999, 2)
}

fn enum_value(
    value: &Option<String>,
    field: &str,
    allowed: &[&str],
    default: &str,
) -> Result<String, ApiError> {
    match value.as_deref() {
        None => Ok(default.to_owned()),
        Some(v) if allowed.contains(&v) => Ok(v.to_owned()),
        Some(_) => Err(ApiError::invalid(field, "desteklenmeyen değer")),
    }
}

/// Checks a new card's number, expiry and (when `cvc_required`) CVC.
pub(crate) fn validate_card_fields(
    number: &Option<String>,
    year: &Option<String>,
    month: &Option<String>,
    today: time::Date,
) -> Result<(String, String, String), ApiError> {
    let number = wire::required(number, "cardNumber")?;
    if !(13..=19).contains(&number.len()) || !luhn_valid(number) {
        return Err(ApiError::validation(
            codes::INVALID_CARD_NUMBER,
            "Kart numarası geçersiz",
        ));
    }
    let year_text = wire::required(year, "expireYear")?;
    let month_text = wire::required(month, "expireMonth")?;
    let year_value = match year_text.len() {
        4 => year_text.parse::<i32>().ok(),
        2 => year_text
            .parse::<i32>()
            .ok()
            .map(|y| y.saturating_add(2000)),
        _ => None,
    }
    .ok_or_else(|| {
        ApiError::validation(
            codes::INVALID_EXPIRY,
            format!("Kart son kullanma yılı \"{year_text}\" geçersiz"),
        )
    })?;
    let month_value = month_text
        .parse::<u8>()
        .ok()
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(|| {
            ApiError::validation(
                codes::INVALID_EXPIRY,
                format!("Kart son kullanma ayı \"{month_text}\" geçersiz"),
            )
        })?;
    let now = today
        .year()
        .saturating_mul(12)
        .saturating_add(i32::from(u8::from(today.month())));
    if year_value
        .saturating_mul(12)
        .saturating_add(i32::from(month_value))
        < now
    {
        return Err(ApiError::validation(
            codes::INVALID_EXPIRY,
            format!("Kart son kullanma yılı \"{year_text}\" geçersiz"),
        ));
    }
    Ok((
        number.to_owned(),
        year_value.to_string(),
        format!("{month_value:02}"),
    ))
}

fn validate_cvc(cvc: &Option<String>, association: &str) -> Result<(), ApiError> {
    let cvc = wire::required(cvc, "cvc")?;
    let len_ok = if association == "AMEX" {
        cvc.len() == 4
    } else {
        cvc.len() == 3
    };
    if !len_ok || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation(codes::INVALID_CVC, "CVC geçersiz"));
    }
    Ok(())
}

fn card_source(
    shared: &Shared,
    card: &CardRequest,
    today: time::Date,
) -> Result<CardSource, ApiError> {
    let stored_reference = card.card_token.is_some() && card.card_number.is_none();
    if stored_reference {
        let user = wire::required(&card.card_user_key, "card.cardUserKey")?;
        let token = wire::required(&card.card_token, "card.cardToken")?;
        let store = shared.store();
        let stored = store
            .card(user, token)
            .ok_or_else(|| ApiError::not_found(codes::CARD_NOT_FOUND, "Saklı kart bulunamadı"))?;
        let card = PaymentCard {
            pan: stored.data.pan.clone(),
            holder_name: stored.data.holder_name.clone(),
            expire_year: stored.data.expire_year.clone(),
            expire_month: stored.data.expire_month.clone(),
            info: stored.data.info.clone(),
        };
        return Ok(CardSource::Stored {
            card,
            card_user_key: user.to_owned(),
            card_token: token.to_owned(),
        });
    }
    let holder = wire::required(&card.card_holder_name, "card.cardHolderName")?.to_owned();
    let (number, year, month) = validate_card_fields(
        &card.card_number,
        &card.expire_year,
        &card.expire_month,
        today,
    )?;
    let info = test_cards::card_info(&number);
    validate_cvc(&card.cvc, info.association)?;
    let store = if card.store_card_after_success_payment.unwrap_or(false) {
        if let Some(user) = card.card_user_key.as_deref().filter(|u| !u.is_empty()) {
            if !shared.store().card_users.contains(user) {
                return Err(ApiError::not_found(
                    codes::CARD_USER_NOT_FOUND,
                    "Kart kullanıcısı bulunamadı",
                ));
            }
        }
        Some(StoreAfterSuccess {
            alias: card.card_alias.clone(),
            card_user_key: card.card_user_key.clone().filter(|u| !u.is_empty()),
        })
    } else {
        None
    };
    let card = PaymentCard {
        pan: crate::craftgate::state::Pan(number),
        holder_name: Some(holder),
        expire_year: year,
        expire_month: month,
        info,
    };
    Ok(CardSource::New { card, store })
}

fn validate_items(items: &Option<Vec<ItemRequest>>, price: Decimal) -> Result<Vec<Item>, ApiError> {
    let items = match items {
        Some(items) if !items.is_empty() => items,
        _ => return Err(ApiError::required("items")),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let item_price = positive_amount(item.price, "items.price")?;
        let sub_price = match (item.sub_merchant_member_id, item.sub_merchant_member_price) {
            (Some(_), None) => return Err(ApiError::required("items.subMerchantMemberPrice")),
            (None, Some(_)) => return Err(ApiError::required("items.subMerchantMemberId")),
            (Some(_), Some(sub))
                if sub < Decimal::ZERO || sub > item_price || sub.normalize().scale() > 2 =>
            {
                return Err(ApiError::invalid(
                    "items.subMerchantMemberPrice",
                    "kırılım tutarını aşamaz",
                ))
            }
            (_, sub) => sub,
        };
        out.push(Item {
            name: item.name.clone(),
            external_id: item.external_id.clone(),
            price: item_price,
            sub_merchant_member_id: item.sub_merchant_member_id,
            sub_merchant_member_price: sub_price,
            blockage_day: item.blockage_day.unwrap_or(1).clamp(0, 365),
        });
    }
    // A sum that does not fit in a decimal cannot equal `price` either.
    let total = out
        .iter()
        .try_fold(Decimal::ZERO, |sum, i| sum.checked_add(i.price));
    if total != Some(price) {
        return Err(ApiError::validation(
            codes::ITEMS_TOTAL,
            "Kırılımların tutarları toplamı ödeme tutarına (price) eşit olmalıdır",
        ));
    }
    Ok(out)
}

/// Checks a `card-payments` request and computes its item shares; nothing is stored.
pub(super) fn validate(
    shared: &Shared,
    req: &CreatePaymentRequest,
    three_ds: bool,
) -> Result<Validated, ApiError> {
    let today = shared.clock.now().date();
    let price = positive_amount(req.price, "price")?;
    let paid_price = positive_amount(req.paid_price, "paidPrice")?;
    let wallet_price = req.wallet_price.unwrap_or(Decimal::ZERO);
    if wallet_price < Decimal::ZERO || wallet_price > paid_price {
        return Err(ApiError::invalid(
            "walletPrice",
            "0 ile paidPrice arasında olmalı",
        ));
    }
    let installment = req
        .installment
        .ok_or_else(|| ApiError::required("installment"))?;
    if !(1..=MAX_INSTALLMENT).contains(&installment) {
        return Err(ApiError::invalid("installment", "1 ile 12 arasında olmalı"));
    }
    let currency = match req.currency.as_deref() {
        None => return Err(ApiError::required("currency")),
        Some(c) if CURRENCIES.contains(&c) => c.to_owned(),
        Some(_) => return Err(ApiError::invalid("currency", "desteklenmeyen para birimi")),
    };
    let group = enum_value(
        &req.payment_group,
        "paymentGroup",
        PAYMENT_GROUPS,
        "PRODUCT",
    )?;
    let phase = enum_value(
        &req.payment_phase,
        "paymentPhase",
        &["AUTH", "PRE_AUTH"],
        "AUTH",
    )?;
    let items = validate_items(&req.items, price)?;
    let amounts = split(&item_shares(&items), price, paid_price)
        .filter(|_| merchant_commission_rate(price, paid_price).is_some())
        .ok_or_else(|| ApiError::invalid("paidPrice", "kırılım tutarları hesaplanamadı"))?;
    if wallet_price > Decimal::ZERO {
        if req.buyer_member_id.is_none() {
            return Err(ApiError::required("buyerMemberId"));
        }
        if wallet_price == paid_price && req.card.is_some() {
            return Err(ApiError::invalid(
                "card",
                "tamamı cüzdandan ödenen ödemede kart gönderilmemeli",
            ));
        }
        return Err(ApiError::business(
            codes::WALLET_NOT_SUPPORTED,
            "Simülatörde cüzdan ile ödeme desteklenmiyor",
        ));
    }
    let card = req
        .card
        .as_ref()
        .ok_or_else(|| ApiError::required("card"))?;
    let source = card_source(shared, card, today)?;
    let callback_url = if three_ds {
        let url = wire::required(&req.callback_url, "callbackUrl")?;
        match url::Url::parse(url) {
            Ok(parsed) if parsed.scheme() == "http" || parsed.scheme() == "https" => {
                Some(url.to_owned())
            }
            _ => return Err(ApiError::invalid("callbackUrl", "geçerli bir URL olmalı")),
        }
    } else {
        None
    };
    Ok(Validated {
        price,
        paid_price,
        installment: u32::try_from(installment).unwrap_or(1),
        currency,
        group,
        phase,
        channel: req.payment_channel.clone(),
        conversation_id: req.conversation_id.clone(),
        external_id: req.external_id.clone(),
        buyer_member_id: req.buyer_member_id,
        pos_alias: req.pos_alias.clone(),
        source,
        items,
        amounts,
        callback_url,
    })
}

/// The items' prices and sub-merchant prices, as the payout split takes them.
pub(super) fn item_shares(items: &[Item]) -> Vec<ItemShare> {
    items
        .iter()
        .map(|i| ItemShare {
            price: i.price,
            sub_merchant_price: i.sub_merchant_member_price,
        })
        .collect()
}
