//! Turning parsed arguments into the library's neutral requests.

use std::time::{SystemTime, UNIX_EPOCH};

use odeme::{
    Address, ChargeRequest, Currency, Customer, Money, PaymentSource, ProviderId, StoreCardMode,
    ThreeDs,
};

use crate::args_payment::{BillingArgs, ChargeModeArgs, CustomerArgs, PaymentDetailsArgs};
use crate::exit::{CliError, CliResult};
use crate::items::{parse_item, parse_metadata};

/// Parses a currency flag.
pub fn currency(text: &str) -> CliResult<Currency> {
    text.parse::<Currency>().map_err(|_| {
        CliError::input(format!(
            "`--currency` `{text}` is not a currency code this library knows"
        ))
    })
}

/// Parses an amount flag in `currency`.
///
/// A minus sign in front of a number the library reads is handed to the library as a
/// negative amount, so that `--amount -5` meets the library's own "must not be negative"
/// rather than a complaint about notation.
pub fn amount(text: &str, currency: Currency) -> CliResult<Money> {
    let parsed = match text.trim().strip_prefix('-') {
        Some(magnitude) => Money::parse("amount", magnitude, currency)
            .and_then(|m| Money::checked("amount", -m.amount(), currency)),
        None => Money::parse("amount", text, currency),
    };
    parsed.map_err(|e| match e {
        odeme::Error::InvalidRequest { reason, .. } => {
            CliError::input(format!("`--amount` {reason}"))
        }
        other => CliError::Odeme(other),
    })
}

/// A fresh order id: letters and digits only, so every provider takes it.
pub fn generated_order_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("ODEME{nanos}")
}

/// The charge request for `source`, from the shared payment arguments. `holder` fills in
/// the customer's name when the flags leave it out.
pub fn charge_request(
    details: &PaymentDetailsArgs,
    source: PaymentSource,
    holder: Option<&str>,
) -> CliResult<ChargeRequest> {
    let currency = currency(&details.currency)?;
    let amount = amount(&details.amount, currency)?;
    let order_id = details.order_id.clone().unwrap_or_else(generated_order_id);
    let customer = customer(&details.customer, holder)?;
    let items = details
        .items
        .iter()
        .enumerate()
        .map(|(i, spec)| parse_item(i, spec, currency))
        .collect::<CliResult<Vec<_>>>()?;
    let mut request = ChargeRequest::new(&order_id, amount, source, customer)
        // A count beyond u8 is beyond every provider's range too; saturating keeps it out
        // of range, so `validate` reports the range the providers take.
        .with_installments(u8::try_from(details.installments).unwrap_or(u8::MAX))
        .with_items(items);
    request.metadata = parse_metadata(&details.metadata)?;
    if let Some(key) = &details.idempotency_key {
        request = request.with_idempotency_key(key);
    }
    if let Some(billing) = billing(&details.billing) {
        request = request.with_billing(billing);
    }
    Ok(request)
}

/// Applies `--pre-authorize` and the 3-D Secure URLs.
pub fn apply_mode(mut request: ChargeRequest, mode: &ChargeModeArgs) -> ChargeRequest {
    if mode.pre_authorize {
        request = request.pre_authorize();
    }
    if let Some(return_url) = &mode.three_ds_return_url {
        request.three_ds = ThreeDs::Required {
            return_url: return_url.clone(),
            fail_url: mode.three_ds_fail_url.clone(),
        };
    }
    request
}

/// Applies `--store-card` / `--store-card-for`.
pub fn apply_store(
    request: ChargeRequest,
    store_card: bool,
    store_card_for: Option<&str>,
) -> ChargeRequest {
    match (store_card, store_card_for) {
        (_, Some(token)) => {
            request.with_store_card(StoreCardMode::ExistingCustomer(token.to_owned()))
        }
        (true, None) => request.with_store_card(StoreCardMode::NewCustomer),
        (false, None) => request,
    }
}

/// Checks the customer and billing flags before anything is sent, and names every missing
/// one at once. Beyond a given name, which every provider needs, it asks only what
/// `provider`'s adapter requires: a family name at Paytrek (PayTR takes the full name in one
/// field, Craftgate sends none), a phone at PayTR, a billing address at PayTR and Paytrek.
/// The adapters check the same again; this is so that a user fixes the command once.
pub fn check_customer(
    details: &PaymentDetailsArgs,
    holder: Option<&str>,
    provider: ProviderId,
) -> CliResult<()> {
    let (holder_first, holder_last) = split_name(holder.unwrap_or_default());
    let given = |flag: &Option<String>| flag.as_deref().is_some_and(|v| !v.trim().is_empty());
    let mut missing = Vec::new();
    if !given(&details.customer.first_name) && holder_first.is_none() {
        missing.push(match holder {
            Some(_) => "--first-name (the customer's given name)".to_owned(),
            None => "--first-name (the customer's given name; a stored card has no card holder name to take it from)".to_owned(),
        });
    }
    if provider == ProviderId::Paytrek
        && !given(&details.customer.last_name)
        && holder_last.is_none()
    {
        missing.push(match holder {
            Some(name) => format!(
                "--last-name (Paytrek sends the customer's family name, and the card holder name `{}` has none to take)",
                name.trim()
            ),
            None => "--last-name (Paytrek sends the customer's family name)".to_owned(),
        });
    }
    if provider == ProviderId::Paytr && !given(&details.customer.phone) {
        missing.push("--phone (PayTR sends the customer's phone on every payment)".to_owned());
    }
    if matches!(provider, ProviderId::Paytr | ProviderId::Paytrek)
        && details.billing.billing_line1.is_none()
    {
        missing.push(format!(
            "--billing-line1, --billing-city and --billing-country ({provider} wants a billing address)"
        ));
    }
    match missing.as_slice() {
        [] => Ok(()),
        [one] => Err(CliError::input(format!("missing for {provider}: {one}"))),
        many => Err(CliError::input(format!(
            "missing for {provider}: {}",
            many.join("; ")
        ))),
    }
}

/// The customer from the flags, names defaulting to the card holder's. The family name may
/// stay empty: [`check_customer`] and the adapters ask for it where the provider needs it.
fn customer(args: &CustomerArgs, holder: Option<&str>) -> CliResult<Customer> {
    let (holder_first, holder_last) = split_name(holder.unwrap_or_default());
    let first = args.first_name.clone().or(holder_first).ok_or_else(|| {
        CliError::input(
            "`--first-name` (the customer's given name) is required when there is no card holder name to take it from",
        )
    })?;
    let last = args.last_name.clone().or(holder_last).unwrap_or_default();
    let mut customer = Customer::new(&first, &last, &args.email, args.ip);
    customer.id = args.customer_id.clone();
    if let Some(phone) = &args.phone {
        customer = customer.with_phone(phone);
    }
    Ok(customer)
}

/// `Jane Mary Doe` is first name `Jane Mary`, last name `Doe`.
fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (Some(first.trim().to_owned()), Some(last.to_owned())),
        None if name.is_empty() => (None, None),
        None => (Some(name.to_owned()), None),
    }
}

fn billing(args: &BillingArgs) -> Option<Address> {
    let line1 = args.billing_line1.clone()?;
    Some(Address {
        line1,
        line2: args.billing_line2.clone(),
        city: args.billing_city.clone().unwrap_or_default(),
        state: args.billing_state.clone(),
        postal_code: args.billing_postal_code.clone(),
        country: args.billing_country.clone().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme::{CaptureMode, Card, Expiry};

    fn details(amount: &str) -> PaymentDetailsArgs {
        PaymentDetailsArgs {
            amount: amount.into(),
            currency: "TL".into(),
            order_id: Some("ORDER1".into()),
            installments: 3,
            idempotency_key: None,
            items: vec![
                "name=A,price=60,sub-merchant=9,payout=50".into(),
                "name=B,price=20,qty=2".into(),
            ],
            metadata: vec!["channel=cli".into()],
            customer: CustomerArgs {
                email: "jane@example.com".into(),
                first_name: None,
                last_name: None,
                customer_id: Some("C1".into()),
                phone: None,
                ip: "10.0.0.1".parse().unwrap(),
            },
            billing: BillingArgs {
                billing_line1: Some("Street 1".into()),
                billing_line2: None,
                billing_city: Some("Istanbul".into()),
                billing_state: None,
                billing_postal_code: None,
                billing_country: Some("TR".into()),
            },
        }
    }

    fn card() -> PaymentSource {
        PaymentSource::NewCard(
            Card::new(
                "4355084355084358",
                Expiry::new(12, 2099).unwrap(),
                "000",
                "Jane Mary Doe",
            )
            .unwrap(),
        )
    }

    #[test]
    fn builds_a_valid_request() {
        let request = charge_request(&details("100"), card(), Some("Jane Mary Doe")).unwrap();
        let request = apply_mode(
            request,
            &ChargeModeArgs {
                pre_authorize: true,
                three_ds_return_url: Some("https://shop.example/back".into()),
                three_ds_fail_url: None,
                save_3ds_page: None,
            },
        );
        let request = apply_store(request, true, None);
        request.validate().unwrap();
        assert_eq!(request.amount.to_decimal_string(), "100.00");
        assert_eq!(request.amount.currency(), Currency::TRY);
        assert_eq!(request.capture, CaptureMode::PreAuthorize);
        assert_eq!(request.store_card, StoreCardMode::NewCustomer);
        assert_eq!(request.installments, 3);
        assert_eq!(request.customer.first_name, "Jane Mary");
        assert_eq!(request.customer.last_name, "Doe");
        assert_eq!(request.customer.id.as_deref(), Some("C1"));
        assert_eq!(request.items.len(), 2);
        assert_eq!(
            request.billing.as_ref().map(|b| b.city.as_str()),
            Some("Istanbul")
        );
        assert_eq!(
            request.metadata.get("channel").map(String::as_str),
            Some("cli")
        );
    }

    #[test]
    fn items_must_add_up() {
        let request = charge_request(&details("99"), card(), Some("Jane Doe")).unwrap();
        assert_eq!(
            request.validate().unwrap_err().invalid_field(),
            Some("items")
        );
    }

    #[test]
    fn a_negative_amount_meets_the_library_rule() {
        let err = amount("-5", Currency::TRY).unwrap_err().to_string();
        assert!(err.contains("`--amount` must not be negative"), "{err}");
        let err = amount("-5e2", Currency::TRY).unwrap_err().to_string();
        assert!(err.contains("not a decimal number"), "{err}");
    }

    #[test]
    fn bad_amount_and_currency_name_the_flag() {
        let err = charge_request(&details("ten"), card(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`--amount` is not a decimal number"), "{err}");
        assert!(currency("XYZ")
            .unwrap_err()
            .to_string()
            .contains("--currency"));
    }

    #[test]
    fn every_missing_flag_is_named_at_once() {
        let mut d = details("100");
        d.billing.billing_line1 = None;
        let err = check_customer(&d, None, ProviderId::Paytrek)
            .unwrap_err()
            .to_string();
        for flag in ["--first-name", "--last-name", "--billing-line1"] {
            assert!(err.contains(flag), "{flag}: {err}");
        }
        let err = check_customer(&d, Some("Jane"), ProviderId::Paytr)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--phone") && err.contains("--billing-line1"),
            "{err}"
        );
        assert!(
            !err.contains("--last-name") && !err.contains("--first-name"),
            "{err}"
        );
        // A one-word holder is a whole customer name where no family name is sent.
        assert!(check_customer(&d, Some("Jane"), ProviderId::Craftgate).is_ok());
        let request = charge_request(&d, card(), Some("Jane")).unwrap();
        assert_eq!(request.customer.full_name(), "Jane");
    }

    #[test]
    fn stored_card_needs_names() {
        let err = charge_request(&details("100"), card(), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--first-name"), "{err}");
        assert!(generated_order_id()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric()));
    }
}
