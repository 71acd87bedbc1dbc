//! Paying a sale: `charge` (card on a created sale), `direct_charge` (sale and card in one
//! call) and `charge_with_token` (vaulted card on a created sale), with the shared
//! authorization, 3-D Secure hand-off, ledger and answer shapes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::bank::{authorize, enrolled_in_3ds, is_fraud, Authorization};
use super::cards::{read_card, CardData};
use super::errors::{error_code, ApiError, ErrorCode};
use super::render::{card_echo, ok, return_url_with_token, sale_object};
use super::request::{json_object, Fields};
use super::sales::{open_sale, order_in_use, read_sale_input};
use super::state::{FraudCheck, Pending3ds, SaleStatus, SaveCard, Store, Transaction};
use super::vault::vault_card;
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::util::random_hex;

/// How a payment attempt ended, as far as this request can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Paid or pre-authorized.
    Approved,
    /// The bank (or 3-D Secure) declined it.
    Declined(&'static ErrorCode),
    /// The customer must visit `forward_url` first.
    NeedsAuthentication { forward_url: String },
}

/// Starts paying the sale `token` with `card`: straight to the bank, or through the bank
/// page when the sale asks for 3-D Secure.
pub(crate) fn begin(
    shared: &Shared,
    store: &mut Store,
    token: &str,
    card: CardData,
    save: Option<SaveCard>,
    now: OffsetDateTime,
) -> Result<Outcome, ApiError> {
    // A new attempt abandons any bank page still open for this sale.
    store.pending.retain(|_, p| p.sale_token != token);
    let sale = store.sale_mut(token).ok_or(ApiError::NotFound)?;
    sale.card = Some(card.summary());
    if !sale.input.secure_option {
        return finish(shared, store, token, card, save, None, now);
    }
    if !enrolled_in_3ds(&card) {
        // mdstatus 2-4: only a half-secure sale goes on without authentication.
        if sale.input.half_secure == Some(true) {
            return finish(shared, store, token, card, save, Some("2"), now);
        }
        return Ok(decline_3ds(
            shared,
            store,
            token,
            &card,
            "40002",
            Some("0"),
            now,
        ));
    }
    let session = random_hex(32);
    store.pending.insert(
        session.clone(),
        Pending3ds {
            sale_token: token.to_owned(),
            card,
            save,
        },
    );
    Ok(Outcome::NeedsAuthentication {
        forward_url: format!("{}/bank/3ds/{session}", shared.base_url()),
    })
}

fn fraud_check(store: &mut Store, decision: &Authorization, now: OffsetDateTime) -> FraudCheck {
    let (decision, risk) = match decision {
        Authorization::Declined(code) if is_fraud(code) => ("REJECT", 95),
        Authorization::Review => ("REVIEW", 60),
        _ => ("ACCEPT", 16),
    };
    FraudCheck {
        id: store.next_id(),
        decision,
        risk_score: Decimal::new(risk, 0),
        reviewer_decision: None,
        reviewer_comments: None,
        created_at: now,
    }
}

/// Asks the bank; records the transaction, the new status and the ledger entry.
/// `secure_status` is the 3-D result (mdstatus) when 3-D Secure took part.
pub(crate) fn finish(
    shared: &Shared,
    store: &mut Store,
    token: &str,
    card: CardData,
    save: Option<SaveCard>,
    secure_status: Option<&'static str>,
    now: OffsetDateTime,
) -> Result<Outcome, ApiError> {
    let installment = store
        .sale(token)
        .ok_or(ApiError::NotFound)?
        .input
        .installment;
    let order_id = &store.sale(token).ok_or(ApiError::NotFound)?.input.order_id;
    let bin = card.number.get(..6).unwrap_or_default();
    let decision = match (
        authorize(&card, installment, now),
        shared.controls.approval.declines(order_id, bin),
    ) {
        // An approval rule declines like the bank's "insufficient limit".
        (Authorization::Approved | Authorization::Review, Some(true)) => {
            Authorization::Declined("10020")
        }
        (decision, _) => decision,
    };
    let fraud = fraud_check(store, &decision, now);
    let saved = match (&decision, save) {
        (Authorization::Approved | Authorization::Review, Some(save)) => {
            Some(vault_card(shared, store, card.clone(), save, now))
        }
        _ => None,
    };
    let sale = store.sale_mut(token).ok_or(ApiError::NotFound)?;
    // A sale the fraud check sends to review is only pre-authorized, whatever was asked.
    let pre_auth = sale.input.pre_auth || decision == Authorization::Review;
    let (outcome, error, kind) = match decision {
        Authorization::Approved | Authorization::Review => {
            if pre_auth {
                sale.status = SaleStatus::PreAuthorized;
                sale.financial_status = None;
            } else {
                sale.status = SaleStatus::Paid;
                sale.financial_status = Some("Ready to Send");
            }
            let kind = if pre_auth {
                LedgerKind::PreAuthorization
            } else {
                LedgerKind::Charge
            };
            (Outcome::Approved, None, kind)
        }
        Authorization::Declined(code) => {
            sale.status = SaleStatus::Declined;
            let code = error_code(code);
            (Outcome::Declined(code), Some(code), LedgerKind::Decline)
        }
    };
    if let Some((card_token, user_id)) = saved {
        sale.card_token = Some(card_token);
        sale.card_user_id = Some(user_id);
    }
    sale.card = Some(card.summary());
    sale.transactions.push(Transaction {
        kind: if pre_auth { "PreAuth" } else { "Sale" },
        succeeded: error.is_none(),
        amount: sale.input.amount,
        currency: sale.input.currency.clone(),
        is_secure: secure_status.is_some(),
        secure_status,
        created_at: now,
        card: Some(card.summary()),
        fraud: Some(fraud),
        paytrek_ref_id: random_hex(20),
        error,
    });
    shared.controls.ledger.record(LedgerEntry {
        kind,
        reference: sale.token.clone(),
        order_id: Some(sale.input.order_id.clone()),
        amount: Some(sale.input.amount),
        currency: Some(sale.input.currency.clone()),
    });
    Ok(outcome)
}

/// Records a 3-D Secure failure (no bank authorization happens) as a decline.
pub(crate) fn decline_3ds(
    shared: &Shared,
    store: &mut Store,
    token: &str,
    card: &CardData,
    code: &str,
    secure_status: Option<&'static str>,
    now: OffsetDateTime,
) -> Outcome {
    let code = error_code(code);
    let Some(sale) = store.sale_mut(token) else {
        return Outcome::Declined(code);
    };
    sale.status = SaleStatus::Declined;
    sale.card = Some(card.summary());
    sale.transactions.push(Transaction {
        kind: if sale.input.pre_auth {
            "PreAuth"
        } else {
            "Sale"
        },
        succeeded: false,
        amount: sale.input.amount,
        currency: sale.input.currency.clone(),
        is_secure: true,
        secure_status,
        created_at: now,
        card: Some(card.summary()),
        fraud: None,
        paytrek_ref_id: random_hex(20),
        error: Some(code),
    });
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::Decline,
        reference: sale.token.clone(),
        order_id: Some(sale.input.order_id.clone()),
        amount: Some(sale.input.amount),
        currency: Some(sale.input.currency.clone()),
    });
    Outcome::Declined(code)
}

/// The outcome fields every charge answer carries.
fn outcome_fields(map: &mut Map<String, Value>, outcome: &Outcome, success_message: Value) {
    match outcome {
        Outcome::Approved => {
            map.insert("succeeded".into(), Value::from(true));
            map.insert("error_message".into(), success_message);
        }
        Outcome::NeedsAuthentication { forward_url } => {
            map.insert("succeeded".into(), Value::from(true));
            map.insert("error_message".into(), success_message);
            map.insert("forward_url".into(), Value::from(forward_url.as_str()));
        }
        Outcome::Declined(code) => {
            map.insert("succeeded".into(), Value::from(false));
            map.insert("error_code".into(), Value::from(code.code));
            map.insert("error_message".into(), Value::from(code.message));
        }
    }
}

/// The small answer of `charge` and `charge_with_token`.
fn charge_answer(
    store: &Store,
    token: &str,
    outcome: &Outcome,
    with_token_fields: bool,
) -> Result<Value, ApiError> {
    let sale = store.sale(token).ok_or(ApiError::NotFound)?;
    let mut map = Map::new();
    if let Some(card) = &sale.card {
        card_echo(&mut map, card);
    }
    map.insert("sale_token".into(), Value::from(token));
    // The document's charge example has "" here, its charge_with_token example null.
    let success_message = if with_token_fields {
        Value::Null
    } else {
        Value::from("")
    };
    outcome_fields(&mut map, outcome, success_message);
    map.insert(
        "secure_charge".into(),
        Value::from(sale.input.secure_option),
    );
    map.insert(
        "return_url".into(),
        Value::from(return_url_with_token(
            sale.input.return_url.as_deref(),
            token,
        )),
    );
    if with_token_fields {
        map.insert("payment_product".into(), Value::Null);
        map.insert("sale_risk".into(), Value::Null);
        map.insert("dcc_currency".into(), Value::Null);
    }
    saved_card_fields(&mut map, store, token);
    Ok(Value::Object(map))
}

fn saved_card_fields(map: &mut Map<String, Value>, store: &Store, token: &str) {
    if let Some(sale) = store.sale(token) {
        if let (Some(card_token), Some(user_id)) = (&sale.card_token, &sale.card_user_id) {
            map.insert("card_token".into(), Value::from(card_token.as_str()));
            map.insert("card_user_id".into(), Value::from(user_id.as_str()));
        }
    }
}

/// The full answer of `direct_charge` (and of a subscription plan's first payment).
pub(crate) fn direct_answer(
    store: &Store,
    token: &str,
    outcome: Option<&Outcome>,
    now: OffsetDateTime,
) -> Result<Map<String, Value>, ApiError> {
    let sale = store.sale(token).ok_or(ApiError::NotFound)?;
    let mut map = sale_object(sale, now);
    if let Some(card) = &sale.card {
        card_echo(&mut map, card);
    }
    if let Some(outcome) = outcome {
        outcome_fields(&mut map, outcome, Value::from(""));
        map.insert(
            "secure_charge".into(),
            Value::from(sale.input.secure_option),
        );
        map.insert(
            "return_url".into(),
            Value::from(return_url_with_token(
                sale.input.return_url.as_deref(),
                token,
            )),
        );
    }
    saved_card_fields(&mut map, store, token);
    Ok(map)
}

/// Refuses to pay a sale that is not waiting for a payment.
pub(crate) fn check_payable(
    store: &Store,
    token: &str,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    let sale = store.sale(token).ok_or(ApiError::NotFound)?;
    match sale.status {
        SaleStatus::Created | SaleStatus::Declined if sale.expires_at < now => {
            Err(ApiError::field("sale_token", "This sale has expired."))
        }
        SaleStatus::Created | SaleStatus::Declined => Ok(()),
        _ => Err(
            ApiError::field("sale_token", "This sale has already been charged.").with_code("30015"),
        ),
    }
}

fn read_save(fields: &mut Fields<'_>) -> Option<SaveCard> {
    let save = fields.optional_bool("save_card").unwrap_or(false);
    let user_id = fields.optional_str("card_user_id");
    let label = fields.optional_str("card_label");
    save.then_some(SaveCard { user_id, label })
}

/// `POST /api/v2/charge/`.
pub(crate) async fn charge(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let map = json_object(&headers, &body)?;
    let mut fields = Fields::new(&map);
    let token = fields.required_str("sale_token");
    let card = read_card(&mut fields, false);
    let save = read_save(&mut fields);
    fields.finish()?;
    let (Some(token), Some(card)) = (token, card) else {
        return Err(ApiError::field("non_field_errors", "Invalid data."));
    };
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    check_payable(&store, &token, now)?;
    let outcome = begin(&shared, &mut store, &token, card, save, now)?;
    let answer = charge_answer(&store, &token, &outcome, false)?;
    // Serializing needs no state: other requests may go on meanwhile.
    drop(store);
    Ok(ok(answer))
}

/// `POST /api/v2/charge_with_token/`: the amount is the sale's.
pub(crate) async fn charge_with_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let map = json_object(&headers, &body)?;
    let mut fields = Fields::new(&map);
    let token = fields.required_str("sale_token");
    let card_token = fields.required_str("card_token");
    fields.finish()?;
    let (Some(token), Some(card_token)) = (token, card_token) else {
        return Err(ApiError::field("non_field_errors", "Invalid data."));
    };
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    let card = store
        .card(&card_token)
        .map(|stored| stored.card.clone())
        .ok_or_else(|| {
            ApiError::field(
                "card_token",
                format!("Object with card_token={card_token} does not exist."),
            )
        })?;
    check_payable(&store, &token, now)?;
    let outcome = begin(&shared, &mut store, &token, card, None, now)?;
    let answer = charge_answer(&store, &token, &outcome, true)?;
    // Serializing needs no state: other requests may go on meanwhile.
    drop(store);
    Ok(ok(answer))
}

/// `POST /api/v2/direct_charge/`: creates the sale and pays it in one call. An order id
/// already used by any sale is refused with 30120, before anything is charged.
pub(crate) async fn direct_charge(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let map = json_object(&headers, &body)?;
    let mut fields = Fields::new(&map);
    let input = read_sale_input(&mut fields, false);
    let card = read_card(&mut fields, false);
    let save = read_save(&mut fields);
    if input.as_ref().is_some_and(|i| i.secure_option) && fields.raw("return_url").is_none() {
        fields.error(
            "return_url",
            "This field is required for a 3-D Secure payment.",
        );
    }
    fields.finish()?;
    let (Some(input), Some(card)) = (input, card) else {
        return Err(ApiError::field("non_field_errors", "Invalid data."));
    };
    let now = OffsetDateTime::now_utc();
    let mut store = shared.store();
    if store.order_in_use(&input.order_id) {
        return Err(order_in_use());
    }
    let token = open_sale(&mut store, input, now);
    let outcome = begin(&shared, &mut store, &token, card, save, now)?;
    let answer = direct_answer(&store, &token, Some(&outcome), now)?;
    // Serializing needs no state: other requests may go on meanwhile.
    drop(store);
    Ok(ok(Value::Object(answer)))
}
