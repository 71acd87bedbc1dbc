//! Card storage (CAPI): listing (`capi/list`) and deleting (`capi/delete`). Cards are
//! stored only during a payment (`store_card=1`, see `payment_form`).

// Expiry years come from PayTR's answer; none may overflow or panic.
#![deny(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use async_trait::async_trait;
use odeme_core::validate as core;
use odeme_core::{
    Capability, CardAssociation, CardList, CardSummary, CardType, DeleteCardRequest, Error,
    HttpRequest, HttpResponse, ListCardsRequest, ProviderId, RequestKind, Result, StoreCard,
    StoreCardRequest, StoredCard, StoredCardRef,
};

use crate::client::Client;
use crate::wire::{non_empty, text, CapiCard, Form, StatusOnly};
use crate::{map, PaytrGateway};

/// The `capi/list` POST.
pub(crate) fn list_request(client: &Client, utoken: &str) -> HttpRequest {
    let mut form = Form::new();
    form.push("merchant_id", client.config.merchant_id.as_str());
    form.push("utoken", utoken);
    form.push("paytr_token", client.signer.capi_list(utoken));
    client.form_request(
        "/odeme/capi/list",
        &form,
        "list_cards",
        RequestKind::Read,
        utoken,
    )
}

/// The `capi/delete` POST.
pub(crate) fn delete_request(client: &Client, card: &StoredCardRef) -> HttpRequest {
    let mut form = Form::new();
    form.push("merchant_id", client.config.merchant_id.as_str());
    form.push("ctoken", card.card_token.as_str());
    form.push("utoken", card.customer_token.as_str());
    form.push(
        "paytr_token",
        client
            .signer
            .capi_delete(&card.card_token, &card.customer_token),
    );
    // Deleting changes state at PayTR: it is not retried and its loss is reported.
    client.form_request(
        "/odeme/capi/delete",
        &form,
        "delete_card",
        RequestKind::Write,
        &card.card_token,
    )
}

/// One listed card in neutral terms; every PayTR field is kept.
pub(crate) fn stored_card(utoken: &str, card: &CapiCard) -> StoredCard {
    let mut extra = BTreeMap::new();
    for (name, value) in [
        ("c_name", &card.c_name),
        ("schema", &card.schema),
        ("initial", &card.initial),
    ] {
        if let Some(value) = non_empty(value) {
            extra.insert(name.to_owned(), value);
        }
    }
    let association = non_empty(&card.schema)
        .and_then(|s| CardAssociation::from_provider(&s))
        .or_else(|| match text(&card.initial) {
            "4" => Some(CardAssociation::Visa),
            "2" | "5" => Some(CardAssociation::MasterCard),
            "3" => Some(CardAssociation::Amex),
            "9" => Some(CardAssociation::Troy),
            _ => None,
        });
    let summary = CardSummary {
        bin: None,
        last4: non_empty(&card.last_4),
        brand: non_empty(&card.c_brand),
        association,
        card_type: non_empty(&card.c_type).and_then(|t| CardType::from_provider(&t)),
        bank: non_empty(&card.c_bank),
        commercial: match text(&card.businessCard).trim() {
            "y" | "Y" => Some(true),
            "n" | "N" => Some(false),
            _ => None,
        },
    };
    StoredCard {
        provider: ProviderId::Paytr,
        reference: StoredCardRef::new(utoken, text(&card.ctoken)),
        summary,
        expiry_month: text(&card.month)
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|m| (1..=12).contains(m)),
        expiry_year: text(&card.year).trim().parse::<u16>().ok().and_then(|y| {
            if y < 100 {
                y.checked_add(2000)
            } else {
                Some(y)
            }
        }),
        label: None,
        requires_cvc: text(&card.require_cvv).trim() == "1",
        extra,
    }
}

/// Reads a `capi/list` answer: an array of cards, empty JSON when there are none, or
/// `{"status":"error","err_msg":...}`.
pub(crate) fn read_list(utoken: &str, response: &HttpResponse) -> Result<CardList> {
    let body = response.text();
    let cards = match body.trim_start().as_bytes().first() {
        Some(b'[') => response.json::<Vec<CapiCard>>()?,
        Some(b'{') => {
            let object: StatusOnly = response.json()?;
            match text(&object.status) {
                "" => Vec::new(),
                "error" | "failed" => return Err(map::message_error(text(&object.err_msg))),
                _ => return Err(response.unexpected()),
            }
        }
        None => Vec::new(),
        Some(_) => return Err(response.unexpected()),
    };
    let cards: Vec<StoredCard> = cards.iter().map(|c| stored_card(utoken, c)).collect();
    Ok(CardList {
        total: Some(cards.len() as u64),
        cards,
        next_page: None,
    })
}

/// Reads a `capi/delete` answer.
pub(crate) fn read_delete(response: &HttpResponse) -> Result<()> {
    let answer: StatusOnly = response.json()?;
    match text(&answer.status) {
        "success" => Ok(()),
        "error" | "failed" => Err(map::message_error(text(&answer.err_msg))),
        other => Err(response.undocumented("card delete status", other)),
    }
}

/// Lists `utoken`'s cards.
pub(crate) async fn list(client: &Client, utoken: &str) -> Result<CardList> {
    core::non_empty("customer_token", utoken)?;
    let response = client.send(list_request(client, utoken)).await?;
    read_list(utoken, &response)
}

#[async_trait]
impl StoreCard for PaytrGateway {
    async fn store_card(&self, _request: &StoreCardRequest) -> Result<StoredCard> {
        Err(Error::unsupported(
            ProviderId::Paytr,
            Capability::StoreCard,
            "PayTR stores a card only during a payment: charge with store_card",
        ))
    }

    async fn list_cards(&self, request: &ListCardsRequest) -> Result<CardList> {
        list(&self.client, &request.customer_token).await
    }

    async fn delete_card(&self, request: &DeleteCardRequest) -> Result<()> {
        request.card.validate()?;
        let response = self
            .client
            .send(delete_request(&self.client, &request.card))
            .await?;
        read_delete(&response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::RejectionKind;

    fn response(body: &str) -> HttpResponse {
        HttpResponse {
            provider: ProviderId::Paytr,
            operation: "list_cards",
            kind: RequestKind::Read,
            reference: None,
            status: 200,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn list_maps_every_documented_field() {
        let body = r#"[{"ctoken":"C1","last_4":"4358","require_cvv":"1","month":"05","year":"28",
            "c_bank":"Finansbank","c_name":"PAYTR TEST","c_brand":"cardfinans","c_type":"credit",
            "businessCard":"y","initial":"4","schema":"VISA"},
            {"ctoken":"C2","last_4":"5403","require_cvv":"0","month":"12","year":"30","c_bank":"",
            "c_name":"X","c_brand":"","c_type":"debit","businessCard":"n","schema":"OTHER"}]"#;
        let list = read_list("U1", &response(body)).unwrap();
        assert_eq!(list.cards.len(), 2);
        let c = &list.cards[0];
        assert_eq!(c.reference, StoredCardRef::new("U1", "C1"));
        assert_eq!(c.summary.last4.as_deref(), Some("4358"));
        assert!(c.requires_cvc);
        assert_eq!((c.expiry_month, c.expiry_year), (Some(5), Some(2028)));
        assert_eq!(c.summary.bank.as_deref(), Some("Finansbank"));
        assert_eq!(c.summary.brand.as_deref(), Some("cardfinans"));
        assert_eq!(c.summary.card_type, Some(CardType::Credit));
        assert_eq!(c.summary.commercial, Some(true));
        assert_eq!(c.summary.association, Some(CardAssociation::Visa));
        assert_eq!(
            c.extra.get("c_name").map(String::as_str),
            Some("PAYTR TEST")
        );
        assert_eq!(c.extra.get("schema").map(String::as_str), Some("VISA"));
        let d = &list.cards[1];
        assert!(!d.requires_cvc);
        assert_eq!(
            d.summary.bank, None,
            "an empty c_bank is a foreign or unknown BIN"
        );
        assert_eq!(d.summary.card_type, Some(CardType::Debit));
        assert_eq!(d.summary.commercial, Some(false));
        assert_eq!(d.summary.association, None);
    }

    #[test]
    fn empty_answers_are_no_cards() {
        for body in ["{}", "[]", "", " {} "] {
            assert!(
                read_list("U", &response(body)).unwrap().cards.is_empty(),
                "{body:?}"
            );
        }
    }

    #[test]
    fn list_errors() {
        let err = read_list(
            "U",
            &response(r#"{"status":"error","err_msg":"Bağlantı hatası oluştu"}"#),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Provider {
                    kind: RejectionKind::TemporarilyUnavailable,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = read_list(
            "U",
            &response(r#"{"status":"error","err_msg":"paytr_token gonderilmedi veya gecersiz"}"#),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Authentication { .. }));
    }

    #[test]
    fn delete_answers() {
        assert!(read_delete(&response(r#"{"status":"success"}"#)).is_ok());
        let err = read_delete(&response(
            r#"{"status":"error","err_msg":"Kart yok veya daha önce silinmiş"}"#,
        ))
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Provider {
                    kind: RejectionKind::NotFound,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
