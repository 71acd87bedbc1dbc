//! Stored cards: store (a new card user, or another card for a given `cardUserKey`), search
//! (paginated, filtered by the query fields Craftgate takes) and delete.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::errors::{codes, data, ApiError, ApiResult};
use super::payments::validate_card_fields;
use super::state::{CardData, Pan};
use super::test_cards;
use super::views::{page, stored_card_view};
use super::wire::{self, DeleteCardRequest, StoreCardRequest};
use super::Shared;
use crate::ledger::{LedgerEntry, LedgerKind};

/// `POST /payment/v1/cards`.
pub(crate) async fn store(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let req: StoreCardRequest = wire::parse(&body)?;
    let now = shared.clock.now();
    let holder = wire::required(&req.card_holder_name, "cardHolderName")?.to_owned();
    let (number, year, month) = validate_card_fields(
        &req.card_number,
        &req.expire_year,
        &req.expire_month,
        now.date(),
    )?;
    let user = req.card_user_key.clone().filter(|u| !u.is_empty());
    let mut store = shared.store();
    if let Some(user) = &user {
        if !store.card_users.contains(user) {
            return Err(ApiError::not_found(
                codes::CARD_USER_NOT_FOUND,
                "Kart kullanıcısı bulunamadı",
            ));
        }
    }
    let info = test_cards::card_info(&number);
    let card = store.store_card(
        user,
        CardData {
            pan: Pan(number),
            holder_name: Some(holder),
            alias: req.card_alias.clone(),
            expire_year: year,
            expire_month: month,
            info,
        },
        now,
    );
    drop(store);
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::CardStored,
        reference: card.card_token.clone(),
        order_id: None,
        amount: None,
        currency: None,
    });
    Ok(data(stored_card_view(&card, now.date())))
}

/// `GET /payment/v1/cards?cardUserKey=...&page=&size=`.
pub(crate) async fn search(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    let pairs = wire::query_pairs(query.as_deref());
    let (page_no, size) = wire::paging(&pairs)?;
    let today = shared.clock.now().date();
    let store = shared.store();
    let mut views = Vec::new();
    for card in &store.cards {
        let view = stored_card_view(card, today);
        let json = serde_json::to_value(&view).unwrap_or_default();
        // Every filter is an exact match on the field of the same name in the answer.
        let matches = pairs
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "page" | "size" | "minCreatedDate" | "maxCreatedDate"
                )
            })
            .all(|(k, v)| json.get(k).and_then(|f| f.as_str()) == Some(v.as_str()));
        if matches {
            views.push(view);
        }
    }
    Ok(data(page(views, page_no, size)))
}

/// `POST /payment/v1/cards/delete`: answers 204 with no body.
pub(crate) async fn delete(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let req: DeleteCardRequest = wire::parse(&body)?;
    let user = wire::required(&req.card_user_key, "cardUserKey")?;
    let token = wire::required(&req.card_token, "cardToken")?;
    let mut store = shared.store();
    let before = store.cards.len();
    store
        .cards
        .retain(|c| !(c.card_user_key == user && c.card_token == token));
    if store.cards.len() == before {
        return Err(ApiError::not_found(
            codes::CARD_NOT_FOUND,
            "Saklı kart bulunamadı",
        ));
    }
    drop(store);
    shared.controls.ledger.record(LedgerEntry {
        kind: LedgerKind::CardDeleted,
        reference: token.to_owned(),
        order_id: None,
        amount: None,
        currency: None,
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}
