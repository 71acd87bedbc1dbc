//! Stored cards: store without a payment (`POST /payment/v1/cards`), list a card user's
//! cards (`GET /payment/v1/cards`, paginated) and delete (`POST /payment/v1/cards/delete`).
//! Storing during a payment is `storeCardAfterSuccessPayment` in [`crate::charge`].

// Page numbers come from the caller and page sizes from Craftgate; none may overflow.
#![deny(clippy::arithmetic_side_effects)]

use async_trait::async_trait;
use odeme_core::json::{DisplayText, TwoDigits};
use odeme_core::{
    validate, CardList, CardOwner, DeleteCardRequest, Error, ListCardsRequest, Result, StoreCard,
    StoreCardRequest, StoredCard,
};

use crate::client::{query, Call, Client};
use crate::convert;
use crate::errors::ErrorContext;
use crate::wire::{ListData, StoreCard as StoreCardBody, StoredCardData, StoredCardKeys};
use crate::CraftgateGateway;

/// Cards per page when the caller does not say (Craftgate's default).
const DEFAULT_PAGE_SIZE: u32 = 10;

/// The call that stores `request.card`. Storing a card moves no money, and the caller has
/// no stable key for it, so `idempotency_key` is fresh per call.
pub(crate) fn store_call(request: &StoreCardRequest, idempotency_key: String) -> Result<Call> {
    let card = &request.card;
    let body = StoreCardBody {
        card_holder_name: card.holder_name(),
        card_number: card.number().expose(),
        expire_year: DisplayText(card.expiry().year()),
        expire_month: DisplayText(TwoDigits(card.expiry().month().into())),
        card_alias: request.label.as_deref(),
        card_user_key: match &request.owner {
            CardOwner::Existing(key) => Some(key.as_str()),
            CardOwner::New { .. } => None,
        },
    };
    let reference = match &request.owner {
        CardOwner::Existing(key) => key.clone(),
        CardOwner::New { .. } => format!("new card user, card {}", card.number().last4()),
    };
    Call::write(
        "/payment/v1/cards".into(),
        &body,
        "store_card",
        &reference,
        idempotency_key,
    )
}

/// The call that lists one page of a card user's cards.
pub(crate) fn list_call(request: &ListCardsRequest) -> Call {
    let mut pairs = vec![("cardUserKey", request.customer_token.clone())];
    if let Some(label) = &request.label {
        pairs.push(("cardAlias", label.clone()));
    }
    // The neutral page counts from 1, Craftgate's from 0.
    pairs.push((
        "page",
        request.page.unwrap_or(1).saturating_sub(1).to_string(),
    ));
    pairs.push((
        "size",
        request.page_size.unwrap_or(DEFAULT_PAGE_SIZE).to_string(),
    ));
    Call::get(format!("/payment/v1/cards?{}", query(&pairs)), "list_cards")
}

/// The call that deletes a stored card; deleting twice deletes once, so the key is the card.
pub(crate) fn delete_call(request: &DeleteCardRequest) -> Result<Call> {
    let card = &request.card;
    let body = StoredCardKeys {
        card_user_key: &card.customer_token,
        card_token: &card.card_token,
    };
    Call::write(
        "/payment/v1/cards/delete".into(),
        &body,
        "delete_card",
        &card.card_token,
        format!("delete-card:{}:{}", card.customer_token, card.card_token),
    )
}

fn validate_store(request: &StoreCardRequest) -> Result<()> {
    request.validate()?;
    if let CardOwner::Existing(key) = &request.owner {
        validate::non_empty("owner", key)?;
    }
    if let Some(label) = &request.label {
        validate::required("label", label, 100)?;
    }
    Ok(())
}

fn validate_list(request: &ListCardsRequest) -> Result<()> {
    validate::non_empty("customer_token", &request.customer_token)?;
    if request.page == Some(0) {
        return Err(Error::invalid("page", "counts from 1"));
    }
    if let Some(size) = request.page_size {
        if !(1..=1000).contains(&size) {
            return Err(Error::invalid("page_size", "must be 1 to 1000"));
        }
    }
    Ok(())
}

/// One page of cards with the number of the next page, when there is one.
pub(crate) fn card_list(
    data: &ListData<StoredCardData>,
    request: &ListCardsRequest,
) -> Result<CardList, String> {
    let cards = data
        .items
        .iter()
        .map(convert::stored_card)
        .collect::<Result<Vec<_>, _>>()?;
    let page = request.page.unwrap_or(1);
    let size = data
        .size
        .unwrap_or(u64::from(request.page_size.unwrap_or(DEFAULT_PAGE_SIZE)));
    let next_page = match data.total_size {
        Some(total) if u64::from(page).saturating_mul(size) < total => Some(
            page.checked_add(1)
                .ok_or("more cards than page numbers can reach")?,
        ),
        _ => None,
    };
    Ok(CardList {
        cards,
        total: data.total_size,
        next_page,
    })
}

/// Stores a card.
pub(crate) async fn store(client: &Client, request: &StoreCardRequest) -> Result<StoredCard> {
    validate_store(request)?;
    let call = store_call(request, format!("store-card:{}", client.fresh_key()))?;
    let (data, response): (StoredCardData, _) = client.call(&call, &ErrorContext::other()).await?;
    convert::stored_card(&data).map_err(|reason| response.unreadable(&reason))
}

#[async_trait]
impl StoreCard for CraftgateGateway {
    async fn store_card(&self, request: &StoreCardRequest) -> Result<StoredCard> {
        store(&self.client, request).await
    }

    async fn list_cards(&self, request: &ListCardsRequest) -> Result<CardList> {
        validate_list(request)?;
        let (data, response): (ListData<StoredCardData>, _) = self
            .client
            .call(&list_call(request), &ErrorContext::other())
            .await?;
        card_list(&data, request).map_err(|reason| response.unreadable(&reason))
    }

    async fn delete_card(&self, request: &DeleteCardRequest) -> Result<()> {
        request.card.validate()?;
        let call = delete_call(request)?;
        let response = self.client.send(&call).await?;
        if !response.is_success() {
            return Err(crate::errors::from_response(
                &response,
                &ErrorContext::other(),
            ));
        }
        // Craftgate answers a deletion with no body (204); only an error envelope inside a
        // 2xx answer would say it did not happen.
        match serde_json::from_slice::<crate::wire::Envelope<serde_json::Value>>(&response.body) {
            Ok(crate::wire::Envelope {
                errors: Some(body), ..
            }) => Err(crate::errors::from_body(
                &response,
                &body,
                &ErrorContext::other(),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_count_from_one_for_the_caller() {
        let mut request = ListCardsRequest::new("user 1");
        assert_eq!(
            list_call(&request).path,
            "/payment/v1/cards?cardUserKey=user%201&page=0&size=10"
        );
        request.page = Some(3);
        request.page_size = Some(2);
        request.label = Some("work".into());
        assert_eq!(
            list_call(&request).path,
            "/payment/v1/cards?cardUserKey=user%201&cardAlias=work&page=2&size=2"
        );
    }

    #[test]
    fn next_page_from_total_size() {
        let json = r#"{"items":[{"cardUserKey":"u","cardToken":"t1"},{"cardUserKey":"u","cardToken":"t2"}],"page":0,"size":2,"totalSize":3}"#;
        let data: ListData<StoredCardData> = serde_json::from_str(json).unwrap();
        let mut request = ListCardsRequest::new("u");
        request.page_size = Some(2);
        let list = card_list(&data, &request).unwrap();
        assert_eq!(
            (list.cards.len(), list.total, list.next_page),
            (2, Some(3), Some(2))
        );
        request.page = Some(2);
        let data: ListData<StoredCardData> = serde_json::from_str(
            r#"{"items":[{"cardUserKey":"u","cardToken":"t3"}],"page":1,"size":2,"totalSize":3}"#,
        )
        .unwrap();
        assert_eq!(card_list(&data, &request).unwrap().next_page, None);
    }

    #[test]
    fn list_rules() {
        let mut request = ListCardsRequest::new("u");
        request.page = Some(0);
        assert_eq!(
            validate_list(&request).unwrap_err().invalid_field(),
            Some("page")
        );
        assert_eq!(
            validate_list(&ListCardsRequest::new(" "))
                .unwrap_err()
                .invalid_field(),
            Some("customer_token")
        );
    }
}
