//! PayTR's own field rules, checked after the core's so that nothing PayTR would refuse for
//! its shape leaves the process.

use std::ops::Range;

use odeme_core::validate as core;
use odeme_core::{
    Capability, CaptureMode, ChargeRequest, Currency, Error, PaymentSource, ProviderId, Result,
};

/// `card_type` values PayTR accepts for installment payments.
pub(crate) const CARD_TYPES: [&str; 9] = [
    "advantage",
    "axess",
    "combo",
    "bonus",
    "cardfinans",
    "maximum",
    "paraf",
    "world",
    "saglamkart",
];

/// The metadata key that carries the installment program (`card_type`), which PayTR needs
/// for installments and which the neutral request has no field for. It is optional: without
/// it the adapter finds the program itself (the BIN service for a new card, the card list
/// for a stored one, cached per BIN) before anything is charged; a value given here wins.
pub const CARD_TYPE_METADATA: &str = "card_type";

/// `currency` as PayTR spells it (`TL` for the lira); PayTR takes TRY, USD, EUR, GBP and RUB.
pub(crate) fn currency_code(currency: Currency) -> Result<&'static str> {
    match currency {
        Currency::TRY => Ok("TL"),
        Currency::USD | Currency::EUR | Currency::GBP | Currency::RUB => Ok(currency.code()),
        _ => Err(Error::invalid(
            "amount.currency",
            format!("PayTR takes TRY, USD, EUR, GBP and RUB, not {currency}"),
        )),
    }
}

/// `installment_count`: a single payment is `"0"`, never `"1"` or empty.
pub(crate) fn installment_count(installments: u8) -> Result<&'static str> {
    // The form's text for each count PayTR takes; a table, not a String per payment.
    const COUNTS: [&str; 11] = ["2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];
    match installments {
        0 | 1 => Ok("0"),
        2..=12 => COUNTS
            .get(usize::from(installments.saturating_sub(2)))
            .copied()
            .ok_or_else(|| Error::invalid("installments", "out of the table")),
        _ => Err(Error::invalid(
            "installments",
            "PayTR takes a single payment or 2 to 12 installments",
        )),
    }
}

/// A full http(s) URL of at most 400 characters.
pub(crate) fn paytr_url(field: &str, value: &str) -> Result<()> {
    core::url(field, value)?;
    core::max_chars(field, value, 400)
}

/// A merchant order id: letters and digits only, at most 64.
pub(crate) fn merchant_oid(field: &str, value: &str) -> Result<()> {
    core::alphanumeric(field, value, 64)
}

/// Every rule of a `/odeme` payment, after [`ChargeRequest::validate`].
/// The texts a charge's checks had to compose, handed on to the form so that each is
/// written once per charge: in one buffer, which becomes the form's own.
#[derive(Debug)]
pub(crate) struct Checked {
    /// The texts, one after another.
    pub texts: String,
    /// Where `user_name` lies in `texts`: the customer's full name.
    pub name: Range<usize>,
    /// Where `user_address` lies in `texts`: the billing address on one line.
    pub address: Range<usize>,
}

/// Room for every text a payment form computes: the name and the address written here, and
/// after them the IP (at most 39 characters), the amount, the basket and the 44-character
/// token. Sized from the request, so that one allocation holds them all without the slack
/// a fixed size would leave in every payment in flight.
fn texts_room(request: &ChargeRequest) -> usize {
    let customer = &request.customer;
    let address = request
        .billing
        .as_ref()
        .map_or(0, odeme_core::Address::single_line_room);
    // A basket line is its name and about 24 characters of quotes, price and count.
    let basket: usize = request
        .items
        .iter()
        .map(|i| i.name.len() + 24)
        .sum::<usize>()
        .max(request.order_id.len() + 24);
    let (ip, amount, token) = (39, 32, 44);
    customer.first_name.len()
        + customer.last_name.len()
        + 1
        + address
        + ip
        + amount
        + basket
        + 2
        + token
}

/// Appends what `write` writes to `texts`, checks it as [`core::required`] does, and says
/// where it lies.
fn written_required(
    texts: &mut String,
    field: &str,
    max: usize,
    write: impl FnOnce(&mut String),
) -> Result<Range<usize>> {
    let start = texts.len();
    write(texts);
    core::required(field, texts.get(start..).unwrap_or_default(), max)?;
    Ok(start..texts.len())
}

pub(crate) fn charge(request: &ChargeRequest) -> Result<Checked> {
    request.validate()?;
    if request.capture == CaptureMode::PreAuthorize {
        return Err(Error::unsupported(
            ProviderId::Paytr,
            Capability::PreAuthorize,
            "PayTR's Direct API only sells; there is no pre-authorization or capture",
        ));
    }
    if request.items.iter().any(|i| i.split.is_some()) {
        return Err(Error::unsupported(
            ProviderId::Paytr,
            Capability::SubMerchantSplits,
            "PayTR's Direct API has no item-level sub-merchant payouts",
        ));
    }
    merchant_oid("order_id", &request.order_id)?;
    currency_code(request.amount.currency())?;
    installment_count(request.installments)?;
    if request.installments >= 2 {
        match request.metadata.get(CARD_TYPE_METADATA) {
            Some(t) if CARD_TYPES.contains(&t.as_str()) => {}
            Some(_) => {
                return Err(Error::invalid(
                    "metadata.card_type",
                    format!("must be one of {}", CARD_TYPES.join(", ")),
                ))
            }
            None => {
                return Err(Error::invalid(
                    "metadata.card_type",
                    "PayTR needs the card program (card_type) for installments",
                ))
            }
        }
    }
    let customer = &request.customer;
    // `user_ip` takes 39 characters, the longest text an address has (eight groups of four
    // hex digits): every `IpAddr` fits, so there is nothing to check.
    core::max_chars("customer.email", &customer.email, 100)?;
    let mut texts = String::with_capacity(texts_room(request));
    let name = written_required(&mut texts, "customer.name", 60, |t| {
        customer.write_full_name(t)
    })?;
    let phone = customer.phone.as_deref().ok_or_else(|| {
        Error::invalid(
            "customer.phone",
            "PayTR requires the customer's phone (user_phone)",
        )
    })?;
    core::required("customer.phone", phone, 20)?;
    let billing = request.billing.as_ref().ok_or_else(|| {
        Error::invalid(
            "billing",
            "PayTR requires the customer's address (user_address)",
        )
    })?;
    let address = written_required(&mut texts, "billing", 400, |t| billing.write_single_line(t))?;
    if let odeme_core::ThreeDs::Required {
        return_url,
        fail_url,
    } = &request.three_ds
    {
        paytr_url("three_ds.return_url", return_url)?;
        if let Some(fail_url) = fail_url {
            paytr_url("three_ds.fail_url", fail_url)?;
        }
    }
    for (i, item) in request.items.iter().enumerate() {
        core::in_item(i, core::max_chars("name", &item.name, 200))?;
    }
    match &request.source {
        PaymentSource::NewCard(card) => {
            let number = card.number().expose();
            if !(15..=16).contains(&number.len()) {
                return Err(Error::invalid(
                    "card.number",
                    "PayTR takes 15- or 16-digit card numbers",
                ));
            }
            cvv("card.cvc", card.cvc().expose())?;
            core::max_chars("card.holder_name", card.holder_name(), 50)?;
        }
        PaymentSource::StoredCard { card, cvc } => {
            if let Some(cvc) = cvc {
                cvv("cvc", cvc.expose())?;
            }
            core::max_chars("stored_card.customer_token", &card.customer_token, 200)?;
        }
    }
    Ok(Checked {
        texts,
        name,
        address,
    })
}

fn cvv(field: &str, value: &str) -> Result<()> {
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid(field, "PayTR takes a 3-digit CVV"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_and_installments() {
        assert_eq!(currency_code(Currency::TRY).unwrap(), "TL");
        assert_eq!(currency_code(Currency::RUB).unwrap(), "RUB");
        assert_eq!(
            currency_code(Currency::JPY).unwrap_err().invalid_field(),
            Some("amount.currency")
        );
        assert_eq!(installment_count(1).unwrap(), "0");
        assert_eq!(installment_count(2).unwrap(), "2");
        assert_eq!(installment_count(12).unwrap(), "12");
        assert!(installment_count(13).is_err());
        for n in 2..=12u8 {
            assert_eq!(installment_count(n).unwrap(), n.to_string());
        }
    }
}
