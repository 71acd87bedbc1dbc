//! The card vault: store (200), retrieve, list (filters `card_user_id`, `card_label`;
//! paginated) and delete (204).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use time::OffsetDateTime;

use super::cards::{read_card, CardData};
use super::errors::ApiError;
use super::pagination::{envelope, param, query_pairs, window};
use super::render::{ok, vault_object};
use super::request::{json_object, Fields};
use super::state::{SaveCard, Store, StoredCard};
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};
use crate::util::random_hex;

/// The language the document's vault examples answer in.
const VAULT_LANGUAGE: &str = "tr";

/// Stores `card` (without its CVC) and returns its `(card_token, card_user_id)`. A card
/// without a `card_user_id` gets a fresh one, as the document's examples show.
pub(crate) fn vault_card(
    shared: &Shared,
    store: &mut Store,
    mut card: CardData,
    save: SaveCard,
    now: OffsetDateTime,
) -> (String, String) {
    card.cvc = None;
    let token = uuid::Uuid::new_v4().to_string();
    let user_id = save.user_id.unwrap_or_else(|| random_hex(32));
    store.cards.push(StoredCard {
        token: token.clone(),
        user_id: user_id.clone(),
        label: save.label.unwrap_or_default(),
        card,
        created_at: now,
    });
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::CardStored,
        reference: token.clone(),
        order_id: None,
        amount: None,
        currency: None,
    });
    (token, user_id)
}

/// `POST /api/v2/vault/`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let map = json_object(&headers, &body)?;
    let mut fields = Fields::new(&map);
    let card = read_card(&mut fields, true);
    let user_id = fields.optional_str("card_user_id");
    let label = fields.optional_str("card_label");
    let now = OffsetDateTime::now_utc();
    if card.as_ref().is_some_and(|c| c.is_expired(now)) {
        fields.error("expiration", "Card has expired.");
        fields.code("10023");
    }
    fields.finish()?;
    let Some(card) = card else {
        return Err(ApiError::field("non_field_errors", "Invalid data."));
    };
    let mut store = shared.store();
    let (token, _) = vault_card(&shared, &mut store, card, SaveCard { user_id, label }, now);
    let stored = store.card(&token).ok_or(ApiError::NotFound)?;
    Ok(ok(vault_object(stored, now, VAULT_LANGUAGE)))
}

/// `GET /api/v2/vault/<card_token>/`.
pub(crate) async fn retrieve(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let store = shared.store();
    let stored = store.card(&token).ok_or(ApiError::NotFound)?;
    Ok(ok(vault_object(
        stored,
        OffsetDateTime::now_utc(),
        VAULT_LANGUAGE,
    )))
}

/// `GET /api/v2/vault/?card_user_id=&card_label=`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(query.as_deref());
    let user_id = param(&pairs, "card_user_id");
    let label = param(&pairs, "card_label");
    let store = shared.store();
    let matching: Vec<&StoredCard> = store
        .cards
        .iter()
        .filter(|c| user_id.is_none_or(|u| c.user_id == u))
        .filter(|c| label.is_none_or(|l| c.label == l))
        .collect();
    let page = window(
        matching.len(),
        &pairs,
        &format!("{}/api/v2/vault/", shared.base_url()),
    )?;
    let now = OffsetDateTime::now_utc();
    let results: Vec<Value> = matching
        .get(page.start..page.end)
        .unwrap_or_default()
        .iter()
        .map(|c| vault_object(c, now, "en-us"))
        .collect();
    Ok(ok(envelope(matching.len(), &page, results)))
}

/// `DELETE /api/v2/vault/<card_token>/`.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let mut store = shared.store();
    let index = store
        .cards
        .iter()
        .position(|c| c.token == token)
        .ok_or(ApiError::NotFound)?;
    store.cards.remove(index);
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::CardDeleted,
        reference: token,
        order_id: None,
        amount: None,
        currency: None,
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}
