//! Subscription plans: create (direct-charge fields plus `recurring`, `save_card: true`
//! mandatory), retrieve and update (rename, cancel subscriptions). The `plan_token` is
//! taken from the path (`/api/v2/subscription_plan/<plan_token>/`) or the query
//! (`?plan_token=`), since the document does not say where it goes.

// Plan amounts and payment dates come from clients; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value};
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

use super::cards::read_card;
use super::errors::ApiError;
use super::pagination::{param, query_pairs};
use super::payments::{begin, direct_answer};
use super::render::{card_fields, ok, plan_object};
use super::request::{json_object, Fields, REQUIRED};
use super::sales::{open_sale, order_in_use, read_sale_input};
use super::state::{Plan, SaveCard, Store, Subscription};
use super::vault::vault_card;
use super::Shared;

/// The documented recurring periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Period {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "Daily" => Some(Period::Daily),
            "Weekly" => Some(Period::Weekly),
            "Monthly" => Some(Period::Monthly),
            "Yearly" => Some(Period::Yearly),
            _ => None,
        }
    }

    /// The `k`-th payment date after `start`.
    fn nth(self, start: Date, k: u32) -> Option<Date> {
        match self {
            Period::Daily => start.checked_add(Duration::days(i64::from(k))),
            Period::Weekly => start.checked_add(Duration::weeks(i64::from(k))),
            Period::Monthly => add_months(start, k),
            Period::Yearly => add_months(start, k.checked_mul(12)?),
        }
    }
}

/// `start` plus `months`, the day clamped to the target month's length (31 Jan + 1 = 28/29 Feb).
fn add_months(start: Date, months: u32) -> Option<Date> {
    let index = i64::from(start.year())
        .checked_mul(12)?
        .checked_add(i64::from(u8::from(start.month())))?
        .checked_sub(1)?
        .checked_add(i64::from(months))?;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12).checked_add(1)?).ok()?).ok()?;
    let day = start.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// Today in Istanbul, where the plan's dates are kept.
fn today(now: OffsetDateTime) -> Date {
    now.to_offset(UtcOffset::from_hms(3, 0, 0).unwrap_or(UtcOffset::UTC))
        .date()
}

const MAX_FREQUENCY: i64 = 1000;

struct Recurring {
    name: String,
    period: Period,
    start: Option<Date>,
    frequency: u32,
}

fn read_recurring(fields: &mut Fields<'_>, now: OffsetDateTime) -> Option<Recurring> {
    let map = match fields.raw("recurring") {
        None => {
            fields.error("recurring", REQUIRED);
            return None;
        }
        Some(Value::Object(map)) => map,
        Some(_) => {
            fields.error("recurring", "Expected a dictionary of items.");
            return None;
        }
    };
    let mut inner = Fields::new(map);
    let name = inner.required_str("name");
    let period = inner.required_str("recurring_period").and_then(|p| {
        let parsed = Period::parse(&p);
        if parsed.is_none() {
            inner.error(
                "recurring_period",
                format!("\"{p}\" is not a valid choice."),
            );
        }
        parsed
    });
    let frequency = inner.required_int("recurring_frequency", 1).and_then(|f| {
        if f > MAX_FREQUENCY {
            inner.error(
                "recurring_frequency",
                format!("Ensure this value is less than or equal to {MAX_FREQUENCY}."),
            );
            return None;
        }
        u32::try_from(f).ok()
    });
    let start = inner.optional_str("start_date").and_then(|s| {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        match Date::parse(&s, format) {
            Ok(date) if date < today(now) => {
                inner.error("start_date", "The start date may not be in the past.");
                None
            }
            Ok(date) => Some(date),
            Err(_) => {
                inner.error(
                    "start_date",
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
                );
                None
            }
        }
    });
    let errors = inner.into_errors();
    if !errors.is_empty() {
        fields.nested("recurring", errors);
        fields.code("30090");
        return None;
    }
    Some(Recurring {
        name: name?,
        period: period?,
        start,
        frequency: frequency?,
    })
}

/// `POST /api/v2/subscription_plan/`: vaults the card, creates the plan and its
/// subscriptions, and charges the first payment at once when it falls today.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let now = OffsetDateTime::now_utc();
    let map = json_object(&headers, &body)?;
    let mut fields = Fields::new(&map);
    let input = read_sale_input(&mut fields, true);
    let card = read_card(&mut fields, false);
    if fields.optional_bool("save_card") != Some(true) {
        fields.error(
            "save_card",
            "save_card must be true for a subscription plan.",
        );
    }
    let user_id = fields.optional_str("card_user_id");
    let label = fields.optional_str("card_label");
    let recurring = read_recurring(&mut fields, now);
    if card.as_ref().is_some_and(|c| c.is_expired(now)) {
        fields.error("expiration", "Card has expired.");
        fields.code("10023");
    }
    fields.finish()?;
    let (Some(input), Some(card), Some(recurring)) = (input, card, recurring) else {
        return Err(ApiError::field("non_field_errors", "Invalid data."));
    };
    let mut store = shared.store();
    if store.order_in_use(&input.order_id) {
        return Err(order_in_use());
    }
    let description = input.description.clone();
    let token = open_sale(&mut store, input, now);
    let (card_token, _) = vault_card(
        &shared,
        &mut store,
        card.clone(),
        SaveCard { user_id, label },
        now,
    );
    let start = recurring.start.unwrap_or_else(|| today(now));
    let subscriptions = (0..recurring.frequency)
        .filter_map(|k| recurring.period.nth(start, k))
        .map(|payment_date| Subscription {
            token: uuid::Uuid::new_v4().to_string(),
            status: "Active",
            payment_date,
        })
        .collect();
    let plan_token = uuid::Uuid::new_v4().to_string();
    store.plans.insert(
        plan_token.clone(),
        Plan {
            token: plan_token.clone(),
            name: recurring.name,
            description,
            sale_token: token.clone(),
            card_token,
            is_active: true,
            cancelled_at: None,
            created_at: now,
            subscriptions,
        },
    );
    if let Some(sale) = store.sale_mut(&token) {
        sale.plan_token = Some(plan_token.clone());
    }
    let outcome = if start == today(now) {
        Some(begin(&shared, &mut store, &token, card, None, now)?)
    } else {
        None
    };
    let mut answer = direct_answer(&store, &token, outcome.as_ref(), now)?;
    plan_fields(&store, &plan_token, &mut answer)?;
    Ok(ok(Value::Object(answer)))
}

/// Adds the plan's card fields and the nested `subscription_plan`.
fn plan_fields(
    store: &Store,
    plan_token: &str,
    map: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let plan = store.plans.get(plan_token).ok_or(ApiError::NotFound)?;
    let card = store.card(&plan.card_token);
    if let Some(card) = card {
        card_fields(map, card);
    }
    map.insert("subscription_plan".into(), plan_object(plan, card));
    Ok(())
}

fn retrieve(shared: &Shared, plan_token: &str) -> Result<Response, ApiError> {
    let store = shared.store();
    let plan = store.plans.get(plan_token).ok_or(ApiError::NotFound)?;
    let mut answer = direct_answer(&store, &plan.sale_token, None, OffsetDateTime::now_utc())?;
    plan_fields(&store, plan_token, &mut answer)?;
    Ok(ok(Value::Object(answer)))
}

fn query_token(query: Option<&str>) -> Result<String, ApiError> {
    let pairs = query_pairs(query);
    param(&pairs, "plan_token")
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::field("plan_token", REQUIRED))
}

/// `GET /api/v2/subscription_plan/<plan_token>/`.
pub(crate) async fn retrieve_by_path(
    State(shared): State<Arc<Shared>>,
    Path(plan_token): Path<String>,
) -> Result<Response, ApiError> {
    retrieve(&shared, &plan_token)
}

/// `GET /api/v2/subscription_plan/?plan_token=`.
pub(crate) async fn retrieve_by_query(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    retrieve(&shared, &query_token(query.as_deref())?)
}

/// `PUT /api/v2/subscription_plan/<plan_token>/`.
pub(crate) async fn update_by_path(
    State(shared): State<Arc<Shared>>,
    Path(plan_token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    update(&shared, &plan_token, &headers, &body)
}

/// `PUT /api/v2/subscription_plan/?plan_token=`.
pub(crate) async fn update_by_query(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    update(&shared, &query_token(query.as_deref())?, &headers, &body)
}

/// A requested subscription change.
struct Change {
    token: String,
    cancel: bool,
}

fn read_changes(fields: &mut Fields<'_>, plan: &Plan) -> Vec<Change> {
    let list = match fields.raw("subscriptions") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => {
            fields.error("subscriptions", "Expected a list of items.");
            return Vec::new();
        }
    };
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for value in list {
        let Value::Object(map) = value else {
            errors.push(
                serde_json::json!({"non_field_errors": ["Invalid data. Expected a dictionary."]}),
            );
            continue;
        };
        let mut item = Fields::new(map);
        let token = item.required_str("subscription_token").and_then(|t| {
            let existing = plan.subscriptions.iter().find(|s| s.token == t);
            match existing {
                None => {
                    item.error(
                        "subscription_token",
                        format!("Object with subscription_token={t} does not exist."),
                    );
                    None
                }
                Some(_) => Some((t, existing.map(|s| s.status))),
            }
        });
        let status = item.required_str("status").and_then(|s| match s.as_str() {
            "Active" | "Cancelled" => Some(s),
            _ => {
                item.error("status", format!("\"{s}\" is not a valid choice."));
                None
            }
        });
        if let (Some((_, Some("Cancelled"))), Some("Active")) = (&token, status.as_deref()) {
            item.error("status", "A cancelled subscription cannot be reactivated.");
        }
        if item.has_errors() {
            errors.push(Value::Object(item.into_errors()));
            continue;
        }
        errors.push(Value::Object(Map::new()));
        if let (Some((token, _)), Some(status)) = (token, status) {
            changes.push(Change {
                token,
                cancel: status == "Cancelled",
            });
        }
    }
    if errors
        .iter()
        .any(|e| e.as_object().is_some_and(|m| !m.is_empty()))
    {
        fields.nested_value("subscriptions", Value::from(errors));
    }
    changes
}

fn update(
    shared: &Shared,
    plan_token: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let map = json_object(headers, body)?;
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let plan = store.plans.get(plan_token).ok_or(ApiError::NotFound)?;
    let mut fields = Fields::new(&map);
    let changes = read_changes(&mut fields, plan);
    let name = fields.optional_str("name");
    let is_active = fields.optional_bool("is_active");
    let deactivate = is_active == Some(false);
    if is_active == Some(true) && !plan.is_active {
        fields.error("is_active", "A cancelled plan cannot be reactivated.");
    }
    fields.finish()?;
    let plan = store.plans.get_mut(plan_token).ok_or(ApiError::NotFound)?;
    if let Some(name) = name {
        plan.name = name;
    }
    for change in changes.iter().filter(|c| c.cancel) {
        if let Some(sub) = plan
            .subscriptions
            .iter_mut()
            .find(|s| s.token == change.token)
        {
            sub.status = "Cancelled";
        }
    }
    if deactivate {
        plan.subscriptions
            .iter_mut()
            .for_each(|s| s.status = "Cancelled");
    }
    if plan.is_active && plan.subscriptions.iter().all(|s| s.status == "Cancelled") {
        plan.is_active = false;
        plan.cancelled_at = Some(now);
    }
    let plan = store.plans.get(plan_token).ok_or(ApiError::NotFound)?;
    Ok(ok(plan_object(plan, store.card(&plan.card_token))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_step_by_calendar() {
        assert_eq!(
            Period::Monthly.nth(date!(2026 - 01 - 31), 1),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(
            Period::Monthly.nth(date!(2026 - 11 - 30), 3),
            Some(date!(2027 - 02 - 28))
        );
        assert_eq!(
            Period::Yearly.nth(date!(2028 - 02 - 29), 1),
            Some(date!(2029 - 02 - 28))
        );
        assert_eq!(
            Period::Weekly.nth(date!(2026 - 11 - 24), 2),
            Some(date!(2026 - 12 - 08))
        );
        assert_eq!(
            Period::Daily.nth(date!(2026 - 12 - 31), 1),
            Some(date!(2027 - 01 - 01))
        );
        assert_eq!(Period::parse("Biweekly"), None);
    }
}
