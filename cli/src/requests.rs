//! Turning parsed arguments into the library's neutral requests.

use std::time::{SystemTime, UNIX_EPOCH};

use odeme::{
    Address, ChargeRequest, Currency, Customer, Money, PaymentSource, StoreCardMode, ThreeDs,
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
pub fn amount(text: &str, currency: Currency) -> CliResult<Money> {
    Money::parse("amount", text, currency).map_err(|e| match e {
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
        .with_installments(details.installments)
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

fn customer(args: &CustomerArgs, holder: Option<&str>) -> CliResult<Customer> {
    let (holder_first, holder_last) = split_name(holder.unwrap_or_default());
    let first = args.first_name.clone().or(holder_first).ok_or_else(|| {
        CliError::input(
            "`--first-name` is required when there is no card holder name to take it from",
        )
    })?;
    let last = args.last_name.clone().or(holder_last).ok_or_else(|| {
        CliError::input("`--last-name` is required when the card holder name has no family name")
    })?;
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
