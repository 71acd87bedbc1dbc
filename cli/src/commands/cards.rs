//! `card store`, `card list` and `card delete`.

use odeme::{
    CardOwner, DeleteCardRequest, GatewayExt, ListCardsRequest, StoreCardRequest, StoredCardRef,
};

use super::Context;
use crate::args::{CardCommand, CardListArgs, CardStoreArgs};
use crate::args_payment::StoredCardArgs;
use crate::card_input::read_card;
use crate::exit::{CliError, CliResult};
use crate::output::Outcome;

/// Runs a `card` subcommand.
pub async fn run(command: &CardCommand, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    match command {
        CardCommand::Store(args) => store(args, ctx).await,
        CardCommand::List(args) => list(args, ctx).await,
        CardCommand::Delete(args) => delete(args, ctx).await,
    }
}

async fn store(args: &CardStoreArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let card = read_card(&args.card, ctx.env, &mut ctx.input)?;
    let owner = match &args.customer_token {
        Some(token) => CardOwner::Existing(token.clone()),
        None => CardOwner::New {
            external_id: args.customer_id.clone(),
            email: args.email.clone(),
        },
    };
    let request = StoreCardRequest {
        card,
        owner,
        label: args.label.clone(),
    };
    let mut stored = ctx.gateway.require_cards()?.store_card(&request).await?;
    fill_from_request(&mut stored, &request);
    Ok(Outcome::StoredCard(stored))
}

/// Fills what the provider's answer left out with what the CLI itself sent, so that a
/// stored card shows the same fields at every provider (Paytrek's answer, for one, carries
/// no expiry). Only displayable data: BIN, last four, scheme, expiry and label.
fn fill_from_request(stored: &mut odeme::StoredCard, request: &StoreCardRequest) {
    let sent = request.card.summary();
    let summary = &mut stored.summary;
    summary.bin = summary.bin.take().or(sent.bin);
    summary.last4 = summary.last4.take().or(sent.last4);
    summary.association = summary.association.take().or(sent.association);
    let expiry = request.card.expiry();
    stored.expiry_month = stored.expiry_month.or(Some(expiry.month()));
    stored.expiry_year = stored.expiry_year.or(Some(expiry.year()));
    if stored.label.is_none() {
        stored.label.clone_from(&request.label);
    }
}

async fn list(args: &CardListArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    if args.customer_token.trim().is_empty() {
        return Err(CliError::input("`--customer-token` is empty"));
    }
    if args.page == Some(0) {
        return Err(CliError::input("`--page` starts at 1"));
    }
    let request = ListCardsRequest {
        customer_token: args.customer_token.clone(),
        label: args.label.clone(),
        page: args.page,
        page_size: args.page_size,
    };
    let cards = ctx.gateway.require_cards()?.list_cards(&request).await?;
    Ok(Outcome::Cards(cards))
}

/// Deletes a stored card. The customer's cards are listed first (a read): some providers
/// answer "deleted" for a card that is not there, others "not found", so the CLI answers
/// the same everywhere: a card that is not stored (any more) is an error, nothing deleted.
async fn delete(args: &StoredCardArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let card = StoredCardRef::new(&args.customer_token, &args.card_token);
    card.validate()?;
    let cards = ctx.gateway.require_cards()?;
    let provider = ctx.gateway.provider();
    if find_stored(cards, &card).await?.is_none() {
        return Err(CliError::NotFound(format!(
            "no card with token {} is stored for customer {} at {provider} (deleted already, \
             or never stored): nothing was deleted",
            card.card_token, card.customer_token
        )));
    }
    cards
        .delete_card(&DeleteCardRequest { card: card.clone() })
        .await?;
    Ok(Outcome::Deleted(provider, card))
}

/// `card` as the provider lists it among its customer's stored cards, every page looked
/// at; `None` when it is not there. A customer the provider does not know has no cards.
pub(super) async fn find_stored(
    cards: &dyn odeme::StoreCard,
    card: &StoredCardRef,
) -> CliResult<Option<odeme::StoredCard>> {
    let mut page = None;
    // A bound on the pages read, should a provider keep answering "there is more".
    for _ in 0..100 {
        let request = ListCardsRequest {
            customer_token: card.customer_token.clone(),
            label: None,
            page,
            page_size: None,
        };
        let list = match cards.list_cards(&request).await {
            Ok(list) => list,
            Err(odeme::Error::Provider {
                kind: odeme::RejectionKind::NotFound,
                ..
            }) => return Ok(None),
            Err(other) => return Err(other.into()),
        };
        let empty = list.cards.is_empty();
        if let Some(found) = list
            .cards
            .into_iter()
            .find(|c| c.reference.card_token == card.card_token)
        {
            return Ok(Some(found));
        }
        match list.next_page {
            Some(next) if !empty && Some(next) != page => page = Some(next),
            _ => return Ok(None),
        }
    }
    Ok(None)
}
