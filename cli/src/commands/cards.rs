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
    let stored = ctx.gateway.require_cards()?.store_card(&request).await?;
    Ok(Outcome::StoredCard(stored))
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

async fn delete(args: &StoredCardArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let card = StoredCardRef::new(&args.customer_token, &args.card_token);
    card.validate()?;
    ctx.gateway
        .require_cards()?
        .delete_card(&DeleteCardRequest { card: card.clone() })
        .await?;
    Ok(Outcome::Deleted(ctx.gateway.provider(), card))
}
