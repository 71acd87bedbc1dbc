//! The sale resource: create (201), retrieve, and list (paginated, filterable by
//! `order_id` and `status`).

// Sales carry client amounts and lists take client page numbers; nothing here may
// overflow or panic a handler.
#![deny(clippy::arithmetic_side_effects)]

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use super::errors::ApiError;
use super::pagination::{envelope, param, query_pairs, window};
use super::render::{ok, sale_object};
use super::request::{json_object, parse_amount, Fields, REQUIRED};
use super::state::{Item, Sale, SaleInput, SaleStatus, Store};
use super::Shared;
use crate::util::random_hex;

/// The currencies the simulated merchant account takes.
pub(crate) const CURRENCIES: [&str; 4] = ["TRY", "USD", "EUR", "GBP"];

/// How long a created sale can be charged.
const SALE_LIFETIME: Duration = Duration::hours(1);

/// Reads the sale fields shared by the sale, direct charge and subscription endpoints.
pub(crate) fn read_sale_input(fields: &mut Fields<'_>, hosted_payment: bool) -> Option<SaleInput> {
    let currency = fields.required_str("currency").and_then(|c| {
        let upper = c.to_ascii_uppercase();
        let ok = CURRENCIES.contains(&upper.as_str());
        if !ok {
            fields.error("currency", format!("\"{c}\" is not a valid choice."));
            fields.code("30053");
        }
        ok.then_some(upper)
    });
    let order_id = fields.required_str("order_id");
    let amount = fields.required_amount("amount");
    let installment = fields.required_int("installment", 1).and_then(|n| {
        let n = u32::try_from(n).ok();
        if n.is_none() {
            fields.error(
                "installment",
                "Ensure this value is less than or equal to 4294967295.",
            );
        }
        n
    });
    let secure_option = fields.optional_bool("secure_option").unwrap_or(false);
    let half_secure = fields.optional_bool("half_secure");
    let pre_auth = fields.optional_bool("pre_auth").unwrap_or(false);
    let return_url = fields.optional_str("return_url");
    let hosted_payment = fields
        .optional_bool("hosted_payment")
        .unwrap_or(hosted_payment);
    let first = fields.required_str("customer_first_name");
    let last = fields.required_str("customer_last_name");
    let email = fields.required_str("customer_email").and_then(|e| {
        let valid = e.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !domain.ends_with('.')
        });
        if !valid {
            fields.error("customer_email", "Enter a valid email address.");
        }
        valid.then_some(e)
    });
    let ip = fields.required_str("customer_ip_address").and_then(|ip| {
        let valid = ip.parse::<IpAddr>().is_ok();
        if !valid {
            fields.error("customer_ip_address", "Enter a valid IPv4 or IPv6 address.");
        }
        valid.then_some(ip)
    });
    let billing_address = fields.required_str("billing_address");
    let billing_city = fields.required_str("billing_city");
    let billing_country = fields.required_str("billing_country").and_then(|c| {
        let valid = c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic());
        if !valid {
            fields.error("billing_country", "Enter a 2-letter ISO 3166 country code.");
        }
        valid.then(|| c.to_ascii_uppercase())
    });
    let billing_state = fields.optional_str("billing_state");
    let billing_zipcode = fields.optional_str("billing_zipcode");
    let billing_phone = fields.optional_str("billing_phone");
    let billing_company = fields.optional_str("billing_company");
    let items = read_items(fields);
    let sale_data = match fields.raw("sale_data") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(Value::Object(map)) => Value::Object(map.clone()),
        Some(_) => {
            fields.error("sale_data", "Expected a dictionary of items.");
            Value::Null
        }
    };
    let language_code = fields
        .optional_str("language_code")
        .unwrap_or_else(|| "en-us".into());
    let description = fields.optional_str("description");
    Some(SaleInput {
        order_id: order_id?,
        currency: currency?,
        amount: amount?,
        installment: installment?,
        secure_option,
        half_secure,
        pre_auth,
        return_url,
        hosted_payment,
        customer_first_name: first?,
        customer_last_name: last?,
        customer_email: email?,
        customer_ip_address: ip?,
        billing_address: billing_address?,
        billing_city: billing_city?,
        billing_state,
        billing_country: billing_country?,
        billing_zipcode,
        billing_phone,
        billing_company,
        items: items?,
        sale_data,
        language_code,
        description,
    })
}

fn read_items(fields: &mut Fields<'_>) -> Option<Vec<Item>> {
    let list = match fields.raw("items") {
        None => {
            fields.error("items", REQUIRED);
            return None;
        }
        Some(Value::Array(list)) => list,
        Some(_) => {
            fields.error("items", "Expected a list of items.");
            return None;
        }
    };
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for value in list {
        let Value::Object(map) = value else {
            errors.push(
                serde_json::json!({"non_field_errors": ["Invalid data. Expected a dictionary."]}),
            );
            continue;
        };
        let mut item = Fields::new(map);
        let name = item.required_str("name");
        let photo = item.optional_str("photo");
        let quantity = item.required_int("quantity", 1);
        let unit_price = match map.get("unit_price") {
            None => {
                item.error("unit_price", REQUIRED);
                None
            }
            Some(v) => parse_amount(v)
                .map_err(|m| item.error("unit_price", m))
                .ok(),
        };
        if item.has_errors() {
            errors.push(Value::Object(item.into_errors()));
            continue;
        }
        errors.push(Value::Object(Map::new()));
        if let (Some(name), Some(quantity), Some(unit_price)) = (name, quantity, unit_price) {
            let quantity = u64::try_from(quantity).unwrap_or(1);
            items.push(Item {
                name,
                photo,
                quantity,
                unit_price,
            });
        }
    }
    if errors
        .iter()
        .any(|e| e.as_object().is_some_and(|m| !m.is_empty()))
    {
        // A list serializer's errors are a list, one entry per item, as DRF prints them.
        fields.nested_value("items", Value::from(errors));
        return None;
    }
    Some(items)
}

/// Creates a `Created` sale for `input` and returns its token. The caller has checked
/// that the order id is free.
pub(crate) fn open_sale(store: &mut Store, input: SaleInput, now: OffsetDateTime) -> String {
    let token = random_hex(32);
    let id = store.next_id();
    store.insert_sale(Sale {
        id,
        token: token.clone(),
        input,
        created_at: now,
        expires_at: now.saturating_add(SALE_LIFETIME),
        status: SaleStatus::Created,
        financial_status: None,
        refunded: Decimal::ZERO,
        transactions: Vec::new(),
        card: None,
        card_token: None,
        card_user_id: None,
        plan_token: None,
    });
    token
}

/// The refusal for an order id that a sale already uses.
pub(crate) fn order_in_use() -> ApiError {
    ApiError::field("order_id", "Order Number is in Use").with_code("30120")
}

/// `POST /api/v2/sale/`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let map = json_object(&headers, &body)?;
    let mut fields = Fields::new(&map);
    let input = read_sale_input(&mut fields, true);
    fields.finish()?;
    let Some(input) = input else {
        return Err(ApiError::field("non_field_errors", "Invalid data."));
    };
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    if store.order_in_use(&input.order_id) {
        return Err(order_in_use());
    }
    let token = open_sale(&mut store, input, now);
    let sale = Value::Object(sale_object(
        store.sale(&token).ok_or(ApiError::NotFound)?,
        now,
    ));
    // Serialized after the store is released, as the direct charge does.
    drop(store);
    Ok(crate::util::json_answer(StatusCode::CREATED, &sale))
}

/// `GET /api/v2/sale/<sale_token>/`.
pub(crate) async fn retrieve(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let store = shared.store();
    let sale = store.sale(&token).ok_or(ApiError::NotFound)?;
    Ok(ok(Value::Object(sale_object(
        sale,
        OffsetDateTime::now_utc(),
    ))))
}

/// `GET /api/v2/sale/`: every sale, oldest first, filtered by `order_id` and `status`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(query.as_deref());
    let order_id = param(&pairs, "order_id");
    let status = param(&pairs, "status");
    let now = OffsetDateTime::now_utc();
    let store = shared.store();
    let matching: Vec<&Sale> = store
        .sales()
        .iter()
        .filter(|s| order_id.is_none_or(|o| s.input.order_id == o))
        .filter(|s| status.is_none_or(|st| s.status.as_str() == st))
        .collect();
    let self_url = format!("{}/api/v2/sale/", shared.base_url());
    let page = window(matching.len(), &pairs, &self_url)?;
    let results = matching
        .get(page.start..page.end)
        .unwrap_or_default()
        .iter()
        .map(|s| Value::Object(sale_object(s, now)))
        .collect();
    Ok(ok(envelope(matching.len(), &page, results)))
}
