//! The card vault: store, get, list and delete (`/api/v2/vault/`).

// Page numbers come from the caller and expiry years from Paytrek; none may overflow.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use async_trait::async_trait;

use odeme_core::{
    CardAssociation, CardList, CardOwner, CardSummary, CardType, DeleteCardRequest, HttpRequest,
    HttpResponse, ListCardsRequest, ProviderId, RequestKind, Result, StoreCard, StoreCardRequest,
    StoredCard, StoredCardRef,
};

use crate::call::check_token;
use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::sale;
use crate::wire::{Page, VaultBody, VaultCard};

/// `POST /api/v2/vault/`. The card user is Paytrek's to create unless the request names
/// one; the vault list documents that `card_user_id` can be set when storing.
pub(crate) fn store_card_request(
    config: &PaytrekConfig,
    request: &StoreCardRequest,
) -> Result<HttpRequest> {
    let card_user_id = match &request.owner {
        CardOwner::Existing(user) => Some(user.as_str()),
        CardOwner::New { external_id, .. } => external_id.as_deref(),
    };
    if let Some(user) = card_user_id {
        check_token("owner", user)?;
    }
    if let Some(label) = &request.label {
        odeme_core::validate::max_chars("label", label, 100)?;
    }
    let card = &request.card;
    let body = VaultBody {
        card_holder_name: card.holder_name(),
        number: card.number().expose(),
        expiration: sale::expiration(card),
        cvc: card.cvc().expose(),
        card_label: request.label.as_deref(),
        card_user_id,
    };
    let reference = card_user_id.map_or_else(|| card.number().masked(), str::to_owned);
    Ok(config
        .request("POST", "/api/v2/vault/", "store_card", RequestKind::Write)
        .body(sale::to_bytes(&body)?)
        .reference(reference))
}

/// `GET /api/v2/vault/<card_token>/`.
pub(crate) fn get_card_request(config: &PaytrekConfig, card_token: &str) -> Result<HttpRequest> {
    check_token("card_token", card_token)?;
    Ok(config.request(
        "GET",
        &format!("/api/v2/vault/{card_token}/"),
        "get_card",
        RequestKind::Read,
    ))
}

/// `GET /api/v2/vault/?card_user_id=<id>&card_label=<label>&page=<n>&page_size=<n>`.
/// The filters are documented; the page parameters are Django REST Framework's.
pub(crate) fn list_cards_request(
    config: &PaytrekConfig,
    request: &ListCardsRequest,
) -> Result<HttpRequest> {
    check_token("customer_token", &request.customer_token)?;
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    pairs.append_pair("card_user_id", &request.customer_token);
    if let Some(label) = &request.label {
        pairs.append_pair("card_label", label);
    }
    if let Some(page) = request.page {
        if page == 0 {
            return Err(odeme_core::Error::invalid("page", "pages start at 1"));
        }
        pairs.append_pair("page", &page.to_string());
    }
    if let Some(size) = request.page_size {
        if size == 0 {
            return Err(odeme_core::Error::invalid(
                "page_size",
                "must be at least 1",
            ));
        }
        pairs.append_pair("page_size", &size.to_string());
    }
    Ok(config.request(
        "GET",
        &format!("/api/v2/vault/?{}", pairs.finish()),
        "list_cards",
        RequestKind::Read,
    ))
}

/// `DELETE /api/v2/vault/<card_token>/`, answered with 204.
pub(crate) fn delete_card_request(config: &PaytrekConfig, card_token: &str) -> Result<HttpRequest> {
    // Named as the neutral request names it: `DeleteCardRequest::card` is a StoredCardRef.
    check_token("stored_card.card_token", card_token)?;
    Ok(config
        .request(
            "DELETE",
            &format!("/api/v2/vault/{card_token}/"),
            "delete_card",
            RequestKind::Write,
        )
        .reference(card_token.to_owned()))
}

/// A vaulted card in neutral terms.
pub(crate) fn to_stored_card(card: &VaultCard, response: &HttpResponse) -> Result<StoredCard> {
    let token = card
        .card_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| response.unreadable("the card has no card_token"))?;
    let user = card
        .card_user_id
        .as_ref()
        .map(|u| u.0.clone())
        .unwrap_or_default();
    let mut extra = BTreeMap::new();
    if let Some(country) = &card.card_country {
        extra.insert("card_country".to_owned(), country.clone());
    }
    if let Some(created) = &card.created_at {
        extra.insert("created_at".to_owned(), created.clone());
    }
    Ok(StoredCard {
        provider: ProviderId::Paytrek,
        reference: StoredCardRef::new(&user, token),
        summary: CardSummary {
            bin: card.bin_number.clone(),
            last4: card.last4.clone(),
            brand: None,
            association: card
                .card_brand
                .as_deref()
                .and_then(CardAssociation::from_provider),
            card_type: card.card_type.as_deref().and_then(CardType::from_provider),
            bank: card.card_issuer.clone(),
            commercial: None,
        },
        expiry_month: None,
        expiry_year: None,
        label: card.card_label.clone().filter(|l| !l.is_empty()),
        requires_cvc: false,
        extra,
    })
}

/// A page of the vault list in neutral terms.
pub(crate) fn to_card_list(
    page: &Page<VaultCard>,
    asked: Option<u32>,
    response: &HttpResponse,
) -> Result<CardList> {
    let cards = page
        .results
        .iter()
        .map(|c| to_stored_card(c, response))
        .collect::<Result<_>>()?;
    Ok(CardList {
        cards,
        total: page.count,
        next_page: match page.next {
            Some(_) => Some(
                asked
                    .unwrap_or(1)
                    .checked_add(1)
                    .ok_or_else(|| response.unreadable("a next page after the last page number"))?,
            ),
            None => None,
        },
    })
}

/// The answer of a card deletion: any 2xx is done, a 4xx the refusal it carries, anything
/// else an unknown outcome.
pub(crate) fn read_deleted(response: &HttpResponse) -> Result<()> {
    if response.is_success() {
        Ok(())
    } else if (400..500).contains(&response.status) {
        Err(crate::errors::refusal(response))
    } else {
        Err(response.undocumented("answer", &response.text()))
    }
}

/// The answer of a card store: the card, in the documented form only.
pub(crate) fn read_stored_card(response: &HttpResponse) -> Result<StoredCard> {
    let card: VaultCard = crate::call::read(response)?;
    to_stored_card(&card, response)
}

impl PaytrekGateway {
    /// One stored card by its token (`GET /api/v2/vault/<card_token>/`).
    pub async fn get_card(&self, card_token: &str) -> Result<StoredCard> {
        let (card, response): (VaultCard, _) = self
            .call(get_card_request(&self.config, card_token)?)
            .await?;
        to_stored_card(&card, &response)
    }
}

#[async_trait]
impl StoreCard for PaytrekGateway {
    async fn store_card(&self, request: &StoreCardRequest) -> Result<StoredCard> {
        request.validate()?;
        let http = store_card_request(&self.config, request)?;
        read_stored_card(&self.send(http).await?)
    }

    async fn list_cards(&self, request: &ListCardsRequest) -> Result<CardList> {
        let http = list_cards_request(&self.config, request)?;
        let (page, response): (Page<VaultCard>, _) = self.call(http).await?;
        to_card_list(&page, request.page, &response)
    }

    async fn delete_card(&self, request: &DeleteCardRequest) -> Result<()> {
        let http = delete_card_request(&self.config, &request.card.card_token)?;
        let response = self.send(http).await?;
        read_deleted(&response)
    }
}
