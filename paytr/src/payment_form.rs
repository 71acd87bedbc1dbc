//! The Direct API `/odeme` form shared by new-card, stored-card, 3-D Secure and recurring
//! payments, and the reading of its JSON answer. Building is pure, so tests pin every
//! field exactly.

use std::io::Write as _;

use odeme_core::json::TwoDigits;
use odeme_core::{
    ChargeRequest, Decimal, Decline, Error, FormField, HttpResponse, Payment, PaymentSource,
    PaymentStatus, ProviderId, Result, StoreCardMode, StoredCard, StoredCardRef, ThreeDs,
};

use crate::client::Client;
use crate::map;
use crate::sign::{DirectHashFields, Signer};
use crate::validate::{self, CARD_TYPE_METADATA};
use crate::wire::{Form, OdemeAnswer, SENSITIVE_FIELDS};

/// How the payment is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Non-3D with `sync_mode=1`: PayTR answers with JSON.
    Sync,
    /// 3-D Secure: the customer's browser posts the form to PayTR.
    ThreeDs,
    /// Merchant-initiated on a stored card: `recurring_payment=1` and `recurring=1`,
    /// `non_3d=1`, no CVV, JSON answer.
    Recurring,
}

/// The `user_basket` JSON: `[[name, unit_price, quantity], ...]`, raw (the Direct API does
/// not take the iFrame API's base64), with the whole order as one line when there are no
/// items. Written into one buffer: the amounts straight from their decimals.
pub(crate) fn basket(request: &ChargeRequest, text: &mut String) -> Result<()> {
    // serde_json writes bytes: the text's buffer is lent as bytes and given back checked.
    let mut json = std::mem::take(text).into_bytes();
    json.push(b'[');
    if request.items.is_empty() {
        push_basket_line(&mut json, &request.order_id, request.amount.amount(), 1)?;
    }
    for (i, item) in request.items.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        push_basket_line(
            &mut json,
            &item.name,
            item.unit_price.amount(),
            item.quantity,
        )?;
    }
    json.push(b']');
    *text = String::from_utf8(json)
        .map_err(|_| Error::invalid("items", "cannot be encoded as text"))?;
    Ok(())
}

/// One `[name, unit_price, quantity]` of the basket, appended to `json`.
fn push_basket_line(json: &mut Vec<u8>, name: &str, price: Decimal, quantity: u32) -> Result<()> {
    let cannot =
        |e: &dyn std::fmt::Display| Error::invalid("items", format!("cannot be encoded: {e}"));
    json.push(b'[');
    serde_json::to_writer(&mut *json, name).map_err(|e| cannot(&e))?;
    // A decimal's and a count's digits need no JSON escaping.
    write!(json, ",\"{price}\",{quantity}]").map_err(|e| cannot(&e))
}

/// `merchant_ok_url` and `merchant_fail_url`: the 3-D Secure return URLs when given, else
/// the configured ones (PayTR requires them on every payment).
fn return_urls<'a>(client: &'a Client, request: &'a ChargeRequest) -> Result<(&'a str, &'a str)> {
    match &request.three_ds {
        ThreeDs::Required {
            return_url,
            fail_url,
        } => Ok((return_url, fail_url.as_deref().unwrap_or(return_url))),
        ThreeDs::Off => match (&client.config.ok_url, &client.config.fail_url) {
            (Some(ok), Some(fail)) => Ok((ok, fail)),
            _ => Err(Error::Configuration(
                "PayTR requires merchant_ok_url and merchant_fail_url on every payment: \
                 set PaytrConfig::with_return_urls or give 3-D Secure return URLs"
                    .into(),
            )),
        },
    }
}

/// Validates `request` and builds the `/odeme` form for `mode`, `paytr_token` last.
pub(crate) fn build<'a>(
    client: &'a Client,
    request: &'a ChargeRequest,
    mode: Mode,
) -> Result<Form<'a>> {
    let checked = validate::charge(request)?;
    match (mode, &request.three_ds) {
        (Mode::ThreeDs, ThreeDs::Off) => {
            return Err(Error::invalid(
                "three_ds",
                "a 3-D Secure payment needs return URLs",
            ))
        }
        (Mode::Sync | Mode::Recurring, ThreeDs::Required { .. }) => {
            return Err(Error::invalid(
                "three_ds",
                "this payment is non-3D; 3-D Secure cannot be asked for",
            ))
        }
        _ => {}
    }
    if mode == Mode::Recurring {
        if !matches!(request.source, PaymentSource::StoredCard { .. }) {
            return Err(Error::invalid(
                "source",
                "a recurring charge needs a stored card",
            ));
        }
        if request.installments > 1 {
            return Err(Error::invalid(
                "installments",
                "a recurring charge is a single payment",
            ));
        }
    }
    let (ok_url, fail_url) = return_urls(client, request)?;
    let config = &client.config;
    let installment_count = validate::installment_count(request.installments)?;
    let currency = validate::currency_code(request.amount.currency())?;
    let test_mode = client.test_mode_flag();
    let non_3d = if mode == Mode::ThreeDs { "0" } else { "1" };

    let name = checked.name;
    let address = checked.address;
    let mut form = Form::with_texts(checked.texts);
    form.push("merchant_id", config.merchant_id.as_str());
    let user_ip = form.push_display("user_ip", request.customer.ip);
    form.push("merchant_oid", request.order_id.as_str());
    form.push("email", request.customer.email.as_str());
    // The amount's `Display` is `Money::to_decimal_string`: the currency's decimals.
    let payment_amount = form.push_display("payment_amount", request.amount.amount());
    // Signed over the posted text itself, read back from the form.
    let token = client.signer.direct_payment_mac(&DirectHashFields {
        merchant_id: &config.merchant_id,
        user_ip: form.value(user_ip),
        merchant_oid: &request.order_id,
        email: &request.customer.email,
        payment_amount: form.value(payment_amount),
        payment_type: "card",
        installment_count,
        currency,
        test_mode,
        non_3d,
    });
    form.push("payment_type", "card");
    form.push("installment_count", installment_count);
    form.push("currency", currency);
    form.push("test_mode", test_mode);
    form.push("non_3d", non_3d);
    if let Some(card_type) = request
        .metadata
        .get(CARD_TYPE_METADATA)
        .filter(|_| request.installments > 1)
    {
        form.push("card_type", card_type.as_str());
    }
    form.push("client_lang", config.language.code());
    form.push("merchant_ok_url", ok_url);
    form.push("merchant_fail_url", fail_url);
    form.push_range("user_name", name);
    form.push_range("user_address", address);
    form.push(
        "user_phone",
        request.customer.phone.as_deref().unwrap_or_default(),
    );
    form.push_written("user_basket", |text| basket(request, text))?;
    form.push("debug_on", if config.debug_on { "1" } else { "0" });
    if let Some(minutes) = config.timeout_limit {
        form.push("timeout_limit", minutes.to_string());
    }
    match mode {
        Mode::Sync => form.push("sync_mode", "1"),
        Mode::Recurring => {
            // The CAPI document's field table names the flag `recurring`, its PHP sample
            // and the other official samples `recurring_payment`; neither is hashed, so
            // both are posted and PayTR reads whichever it knows.
            form.push("recurring_payment", "1");
            form.push("recurring", "1");
        }
        Mode::ThreeDs => {}
    }
    match &request.source {
        PaymentSource::NewCard(card) => {
            form.push("cc_owner", card.holder_name());
            form.push("card_number", card.number().expose());
            form.push(
                "expiry_month",
                TwoDigits(card.expiry().month().into()).text(),
            );
            form.push("expiry_year", TwoDigits(card.expiry().year_2()).text());
            form.push("cvv", card.cvc().expose());
            match &request.store_card {
                StoreCardMode::No => {}
                StoreCardMode::NewCustomer => form.push("store_card", "1"),
                StoreCardMode::ExistingCustomer(utoken) => {
                    form.push("store_card", "1");
                    form.push("utoken", utoken.as_str());
                }
            }
        }
        PaymentSource::StoredCard { card, cvc } => {
            form.push("utoken", card.customer_token.as_str());
            form.push("ctoken", card.card_token.as_str());
            // A merchant-initiated charge has no customer to give a CVV.
            if let (Some(cvc), false) = (cvc, mode == Mode::Recurring) {
                form.push("cvv", cvc.expose());
            }
        }
    }
    form.push_written("paytr_token", |text| {
        Signer::write_token(&token, text);
        Ok::<_, Error>(())
    })?;
    Ok(form)
}

/// The form as fields for the customer's browser, card data marked sensitive.
pub(crate) fn browser_fields(form: &Form<'_>) -> Vec<FormField> {
    form.fields()
        .map(|(name, value)| FormField {
            name: name.to_owned(),
            value: value.to_owned(),
            sensitive: SENSITIVE_FIELDS.contains(&name),
        })
        .collect()
}

/// A payment of `request` in `status`, before PayTR has said more.
pub(crate) fn payment(client: &Client, request: &ChargeRequest, status: PaymentStatus) -> Payment {
    let mut payment = Payment::new(
        ProviderId::Paytr,
        &request.order_id,
        &request.order_id,
        status,
        request.amount,
    );
    if status == PaymentStatus::Succeeded {
        payment.captured = request.amount;
    }
    payment.installments = request.installments;
    payment.test_mode = Some(client.config.test_mode);
    if let PaymentSource::NewCard(card) = &request.source {
        payment.card = Some(card.summary());
    }
    payment
}

fn stored_card(request: &ChargeRequest, utoken: &str, ctoken: &str) -> StoredCard {
    let (summary, month, year) = match &request.source {
        PaymentSource::NewCard(card) => (
            card.summary(),
            Some(card.expiry().month()),
            Some(card.expiry().year()),
        ),
        PaymentSource::StoredCard { .. } => (Default::default(), None, None),
    };
    StoredCard {
        provider: ProviderId::Paytr,
        reference: StoredCardRef::new(utoken, ctoken),
        summary,
        expiry_month: month,
        expiry_year: year,
        label: None,
        // PayTR tells only through capi/list: until the card is listed, assume the CVV is
        // needed (asking for one too many is harmless, a missing one is refused) and say
        // so in `extra`. The charge lists it once (see `charge::complete_stored_card`).
        requires_cvc: true,
        extra: [(REQUIRE_CVV.to_owned(), UNKNOWN.to_owned())].into(),
    }
}

/// The `extra` key of a stored card whose `require_cvv` was not read yet.
pub(crate) const REQUIRE_CVV: &str = "require_cvv";
/// Its value while unknown.
pub(crate) const UNKNOWN: &str = "unknown";

/// Reads `/odeme`'s JSON answer to a sync, stored-card or recurring payment.
pub(crate) fn read_answer(
    client: &Client,
    request: &ChargeRequest,
    response: &HttpResponse,
    recurring: bool,
) -> Result<Payment> {
    let answer: OdemeAnswer<'_> = response.json()?;
    let Some(status) = answer.status.as_deref() else {
        return Err(response.unreadable("the answer has no status"));
    };
    let normalized = map::payment_status(status);
    match normalized {
        PaymentStatus::Succeeded | PaymentStatus::Pending => {
            let mut payment = payment(client, request, normalized);
            payment.provider_status = Some(status.to_owned());
            if let (Some(u), Some(c)) = (answer.utoken.as_deref(), answer.ctoken.as_deref()) {
                if !u.is_empty() && !c.is_empty() {
                    payment.stored_card = Some(stored_card(request, u, c));
                }
            }
            Ok(payment)
        }
        PaymentStatus::Failed => Err(failure(&answer, request, recurring)),
        // Issue 16: a status word PayTR does not document is no outcome the caller may
        // act on after a write; the gate turns it into UnknownOutcome with the text.
        _ => {
            let mut payment = payment(client, request, PaymentStatus::Unknown);
            payment.provider_status = Some(status.to_owned());
            response.accept_payment(payment)
        }
    }
}

/// A `failed` answer: a decline when PayTR reports the bank's `msg`, a refusal when it
/// reports a `reason` (the token, a field, a permission).
fn failure(answer: &OdemeAnswer<'_>, request: &ChargeRequest, recurring: bool) -> Error {
    if let (Some(reason), None) = (&answer.reason, &answer.msg) {
        return map::message_error(reason);
    }
    let message = answer.msg.as_deref().unwrap_or_default();
    let reason = map::reason_from_message(message);
    let mut decline: Decline = map::decline(
        reason,
        None,
        Some(message).filter(|m| !m.is_empty()),
        &request.order_id,
    );
    if recurring {
        // PayTR's own word on whether sending the same card again may work.
        decline.soft = matches!(answer.try_again.as_deref(), Some("true" | "1"));
    }
    Error::declined(decline)
}

#[cfg(test)]
pub(crate) mod tests;
