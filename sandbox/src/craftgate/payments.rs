//! `card-payments`: create (non-3-D), 3-D Secure init and complete, retrieve and post-auth.

// Client amounts are bounded here and every figure derived from them is checked before
// anything is stored; no request may panic a handler.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rust_decimal::Decimal;
use serde::Serialize;

use super::errors::{codes, data, ApiError, ApiResult};
use super::payouts::{merchant_commission_rate, split, ItemAmounts, ItemShare};
use super::state::{CardData, Payment, PaymentCard, Status, StoreAfterSuccess, Transaction};
use super::test_cards::{self, CardBehaviour, Decline};
use super::views::payment_view;
use super::wire::{
    self, CardRequest, CreatePaymentRequest, ItemRequest, PaymentIdRequest, PostAuthRequest,
};
use super::{bank_page, Shared};
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::util::{luhn_valid, random_digits, random_hex};

/// Craftgate's `Currency` values.
pub(crate) const CURRENCIES: &[&str] = &[
    "TRY", "USD", "EUR", "GBP", "ARS", "BRL", "CNY", "AED", "IQD", "AZN", "KZT", "KWD", "SAR",
    "BHD", "RUB", "JPY", "EGP", "MXN", "RON",
];

const PAYMENT_GROUPS: &[&str] = &["PRODUCT", "LISTING_OR_SUBSCRIPTION"];

/// The largest installment count the simulated POS offers.
pub(crate) const MAX_INSTALLMENT: i64 = 12;

/// Where the money comes from.
enum CardSource {
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
struct Item {
    name: Option<String>,
    external_id: Option<String>,
    price: Decimal,
    sub_merchant_member_id: Option<i64>,
    sub_merchant_member_price: Option<Decimal>,
    blockage_day: i64,
}

/// A payment request that passed validation.
struct Validated {
    price: Decimal,
    paid_price: Decimal,
    installment: u32,
    currency: String,
    group: String,
    phase: String,
    channel: Option<String>,
    conversation_id: Option<String>,
    external_id: Option<String>,
    buyer_member_id: Option<i64>,
    pos_alias: Option<String>,
    source: CardSource,
    items: Vec<Item>,
    /// The items' shares of `paid_price`, computed (and checked to fit) before anything is
    /// stored.
    amounts: Vec<ItemAmounts>,
    callback_url: Option<String>,
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
        pan: super::state::Pan(number),
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

fn validate(
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

fn item_shares(items: &[Item]) -> Vec<ItemShare> {
    items
        .iter()
        .map(|i| ItemShare {
            price: i.price,
            sub_merchant_price: i.sub_merchant_member_price,
        })
        .collect()
}

/// What the simulated bank says to an authorization.
pub(crate) fn bank_decision(card: &PaymentCard, installment: u32) -> Result<(), Decline> {
    match test_cards::behaviour(&card.pan.0) {
        CardBehaviour::Decline(d) => return Err(d),
        CardBehaviour::DeclineInstallments(d) if installment > 1 => return Err(d),
        _ => {}
    }
    if installment > 1 && card.info.card_type != "CREDIT_CARD" {
        return Err(test_cards::DEBIT_INSTALLMENT);
    }
    Ok(())
}

/// An item's name, external id, sub-merchant id and blockage days.
pub(crate) type ItemMeta = (Option<String>, Option<String>, Option<i64>, i64);

/// Builds the item transactions from `items` and their computed `amounts` (see [`split`]).
pub(crate) fn transactions(
    store: &mut super::state::Store,
    shares: &[ItemMeta],
    items: &[ItemShare],
    amounts: Vec<ItemAmounts>,
    created: time::PrimitiveDateTime,
) -> Vec<Transaction> {
    amounts
        .into_iter()
        .zip(items.iter().zip(shares))
        .map(
            |(amounts, (item, (name, external_id, sub_id, blockage_day)))| Transaction {
                id: store.next_id(),
                name: name.clone(),
                external_id: external_id.clone(),
                price: item.price,
                paid_price: amounts.paid_price,
                merchant_commission_rate_amount: amounts.merchant_commission_rate_amount,
                commission: amounts.commission,
                merchant_payout_amount: amounts.merchant_payout_amount,
                sub_merchant_member_id: *sub_id,
                sub_merchant_member_price: item.sub_merchant_price,
                sub_merchant_payout_rate: amounts.sub_merchant_payout_rate,
                sub_merchant_payout_amount: amounts.sub_merchant_payout_amount,
                blockage_resolved_date: created.saturating_add(time::Duration::days(*blockage_day)),
                refunded: Decimal::ZERO,
            },
        )
        .collect()
}

/// Re-splits a payment's items over a new paid price (after a smaller capture). Nothing
/// changes when a figure would not fit.
pub(crate) fn resplit(payment: &mut Payment, paid_price: Decimal) -> Result<(), ApiError> {
    let shares: Vec<ItemShare> = payment
        .transactions
        .iter()
        .map(|t| ItemShare {
            price: t.price,
            sub_merchant_price: t.sub_merchant_member_price,
        })
        .collect();
    let split = split(&shares, payment.price, paid_price)
        .filter(|_| merchant_commission_rate(payment.price, paid_price).is_some())
        .ok_or_else(|| ApiError::invalid("paidPrice", "kırılım tutarları hesaplanamadı"))?;
    for (tx, amounts) in payment.transactions.iter_mut().zip(split) {
        tx.paid_price = amounts.paid_price;
        tx.merchant_commission_rate_amount = amounts.merchant_commission_rate_amount;
        tx.commission = amounts.commission;
        tx.merchant_payout_amount = amounts.merchant_payout_amount;
        tx.sub_merchant_payout_amount = amounts.sub_merchant_payout_amount;
    }
    payment.paid_price = paid_price;
    Ok(())
}

/// Records a new payment from a validated request, in `status`.
fn record_payment(shared: &Shared, v: Validated, status: Status, three_ds: bool) -> Payment {
    let created = shared.clock.now();
    let mut store = shared.store();
    let id = store.next_id();
    let shares = item_shares(&v.items);
    let meta: Vec<_> = v
        .items
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                i.external_id.clone(),
                i.sub_merchant_member_id,
                i.blockage_day,
            )
        })
        .collect();
    let txs = transactions(&mut store, &meta, &shares, v.amounts, created);
    let (card, paid_with_stored_card, card_user_key, card_token, store_after_success) =
        match v.source {
            CardSource::New { card, store } => (card, false, None, None, store),
            CardSource::Stored {
                card,
                card_user_key,
                card_token,
            } => (card, true, Some(card_user_key), Some(card_token), None),
        };
    let payment = Payment {
        id,
        created,
        price: v.price,
        paid_price: v.paid_price,
        currency: v.currency,
        installment: v.installment,
        conversation_id: v.conversation_id,
        external_id: v.external_id,
        buyer_member_id: v.buyer_member_id,
        payment_group: v.group,
        phase: v.phase,
        channel: v.channel,
        requested_pos_alias: v.pos_alias,
        status,
        is_three_ds: three_ds,
        card,
        paid_with_stored_card,
        card_user_key,
        card_token,
        store_after_success,
        auth_code: None,
        host_reference: None,
        trans_id: None,
        order_id: format!("sim-{}", random_hex(16)),
        md_status: None,
        transactions: txs,
        callback_url: v.callback_url,
        conversation_data: three_ds.then(|| random_hex(32)),
        callback_returned: false,
        error: None,
        settled: false,
        cancelled: false,
    };
    store.payments.insert(id, payment.clone());
    payment
}

/// Asks the bank to authorize `payment_id` and records the outcome (ledger, stored card,
/// webhook). The payment must be in the store.
pub(crate) fn authorize(shared: &Shared, payment_id: u64) -> ApiResult {
    let now = shared.clock.now();
    let mut store = shared.store();
    let Some(payment) = store.payments.get(&payment_id).cloned() else {
        return Err(ApiError::not_found(
            codes::PAYMENT_NOT_FOUND,
            "Ödeme bulunamadı",
        ));
    };
    let ledger = &shared.controls.ledger;
    if let Err(decline) = bank_decision(&payment.card, payment.installment) {
        if let Some(p) = store.payments.get_mut(&payment_id) {
            p.status = Status::Failure;
            p.error = Some(decline);
        }
        drop(store);
        ledger.record(LedgerEntry {
            kind: LedgerKind::Decline,
            reference: payment_id.to_string(),
            order_id: payment.conversation_id.clone(),
            amount: Some(payment.paid_price),
            currency: Some(payment.currency.clone()),
        });
        shared.emit("API_AUTH", "FAILURE", payment_id);
        return Err(ApiError::declined(&decline));
    }
    let stored = payment.store_after_success.as_ref().map(|request| {
        store.store_card(
            request.card_user_key.clone(),
            CardData {
                pan: payment.card.pan.clone(),
                holder_name: payment.card.holder_name.clone(),
                alias: request.alias.clone(),
                expire_year: payment.card.expire_year.clone(),
                expire_month: payment.card.expire_month.clone(),
                info: payment.card.info.clone(),
            },
            now,
        )
    });
    let Some(p) = store.payments.get_mut(&payment_id) else {
        return Err(ApiError::not_found(
            codes::PAYMENT_NOT_FOUND,
            "Ödeme bulunamadı",
        ));
    };
    p.status = Status::Success;
    p.auth_code = Some(random_digits(6));
    p.host_reference = Some(random_digits(12));
    p.trans_id = Some(random_digits(10));
    if p.is_three_ds {
        p.md_status = Some(1);
    }
    if let Some(card) = &stored {
        p.card_user_key = Some(card.card_user_key.clone());
        p.card_token = Some(card.card_token.clone());
    }
    let view = payment_view(p);
    let kind = if p.phase == "PRE_AUTH" {
        LedgerKind::PreAuthorization
    } else {
        LedgerKind::Charge
    };
    drop(store);
    ledger.record(LedgerEntry {
        kind,
        reference: payment_id.to_string(),
        order_id: payment.conversation_id.clone(),
        amount: Some(payment.paid_price),
        currency: Some(payment.currency.clone()),
    });
    if let Some(card) = stored {
        ledger.record(LedgerEntry {
            kind: LedgerKind::CardStored,
            reference: card.card_token,
            order_id: payment.conversation_id.clone(),
            amount: None,
            currency: None,
        });
    }
    shared.emit("API_AUTH", "SUCCESS", payment_id);
    Ok(data(view))
}

/// `POST /payment/v1/card-payments`.
pub(crate) async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let req: CreatePaymentRequest = wire::parse(&body)?;
    let validated = validate(&shared, &req, false)?;
    let payment = record_payment(&shared, validated, Status::InitThreeDs, false);
    authorize(&shared, payment.id)
}

/// `InitThreeDSPaymentResponse`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitThreeDsView {
    html_content: String,
    payment_id: u64,
    payment_status: &'static str,
    additional_action: &'static str,
}

/// `POST /payment/v1/card-payments/3ds-init`.
pub(crate) async fn init_three_ds(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let req: CreatePaymentRequest = wire::parse(&body)?;
    let validated = validate(&shared, &req, true)?;
    let init_error = match &validated.source {
        CardSource::New { card, .. } | CardSource::Stored { card, .. } => {
            match test_cards::behaviour(&card.pan.0) {
                CardBehaviour::ThreeDsInitError(d) => Some(d),
                _ => None,
            }
        }
    };
    let payment = record_payment(&shared, validated, Status::InitThreeDs, true);
    if let Some(decline) = init_error {
        if let Some(p) = shared.store().payments.get_mut(&payment.id) {
            p.status = Status::Failure;
            p.error = Some(decline);
        }
        shared.controls.ledger.record(LedgerEntry {
            kind: LedgerKind::Decline,
            reference: payment.id.to_string(),
            order_id: payment.conversation_id.clone(),
            amount: Some(payment.paid_price),
            currency: Some(payment.currency.clone()),
        });
        return Err(ApiError::declined(&decline));
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_else(|| shared.base_url().to_owned());
    let html = bank_page::redirect_html(&host, payment.id);
    Ok(data(InitThreeDsView {
        html_content: STANDARD.encode(html),
        payment_id: payment.id,
        payment_status: Status::InitThreeDs.wire(),
        additional_action: "SHOW_HTML_CONTENT",
    }))
}

/// `POST /payment/v1/card-payments/3ds-complete`.
pub(crate) async fn complete_three_ds(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let req: PaymentIdRequest = wire::parse(&body)?;
    let id = req
        .payment_id
        .ok_or_else(|| ApiError::required("paymentId"))?;
    let payment = shared
        .store()
        .payments
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    if !payment.is_three_ds {
        return Err(ApiError::business(
            codes::PAYMENT_STATE,
            "Ödeme 3D Secure ödemesi değil",
        ));
    }
    match payment.status {
        Status::CallbackThreeDs => authorize(&shared, id),
        Status::InitThreeDs => Err(ApiError::business(
            codes::THREE_DS_NOT_VERIFIED,
            "3D Secure doğrulaması henüz tamamlanmadı",
        )),
        Status::Failure => Err(match payment.error {
            Some(decline) => ApiError::declined(&decline),
            None => ApiError::business(codes::PAYMENT_STATE, "Ödeme başarısız"),
        }),
        Status::Success => Err(ApiError::business(
            codes::PAYMENT_STATE,
            "Ödeme zaten tamamlanmış",
        )),
    }
}

/// A payment id from the path, refused the Craftgate way when it is not a number.
pub(crate) fn path_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse::<u64>()
        .map_err(|_| ApiError::invalid("id", "bir sayı olmalı"))
}

/// `GET /payment/v1/card-payments/{id}`.
pub(crate) async fn retrieve(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store();
    let payment = store
        .payments
        .get(&id)
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    Ok(data(payment_view(payment)))
}

/// `POST /payment/v1/card-payments/{id}/post-auth`.
pub(crate) async fn post_auth(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let req: PostAuthRequest = wire::parse(&body)?;
    let paid_price = positive_amount(req.paid_price, "paidPrice")?;
    let mut store = shared.store();
    let payment = store
        .payments
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(codes::PAYMENT_NOT_FOUND, "Ödeme bulunamadı"))?;
    if payment.status != Status::Success || payment.phase != "PRE_AUTH" || payment.cancelled {
        return Err(ApiError::business(
            codes::PAYMENT_STATE,
            "Ödeme ön provizyon durumunda değil",
        ));
    }
    if paid_price > payment.paid_price {
        return Err(ApiError::business(
            codes::POST_AUTH_AMOUNT,
            "Tahsilat tutarı ön provizyon tutarını aşamaz",
        ));
    }
    resplit(payment, paid_price)?;
    payment.phase = "POST_AUTH".to_owned();
    let view = payment_view(payment);
    let (order_id, currency) = (payment.conversation_id.clone(), payment.currency.clone());
    drop(store);
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::Capture,
        reference: id.to_string(),
        order_id,
        amount: Some(paid_price),
        currency: Some(currency),
    });
    Ok(data(view))
}
