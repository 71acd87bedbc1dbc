//! The installment program (`card_type`) of the card an installment charge is made on.
//!
//! PayTR takes installments only with the card's program named (`axess`, `bonus`, ...),
//! which the neutral request has no field for. A caller may still give it in
//! `metadata.card_type` (it wins); otherwise the adapter finds it before anything is
//! written: a new card's BIN through PayTR's BIN service, a stored card through the
//! customer's card list, both reads. Answers are cached per BIN, bounded in size and age, so
//! a busy checkout asks once per BIN and cache lifetime.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use odeme_core::{ChargeRequest, Error, PaymentSource, ProviderId, Result};

use crate::client::Client;
use crate::validate::{CARD_TYPES, CARD_TYPE_METADATA};
use crate::{bin_lookup, cards};

/// How long a BIN's program is trusted.
const TTL: Duration = Duration::from_secs(3600);
/// How many BINs are remembered; past it the oldest half is forgotten.
const CAPACITY: usize = 4096;

/// The BIN → program cache of one gateway.
#[derive(Debug, Default)]
pub(crate) struct ProgramCache {
    entries: Mutex<HashMap<String, (Instant, Option<String>)>>,
}

impl ProgramCache {
    fn get(&self, bin: &str) -> Option<Option<String>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(bin)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, program)| program.clone())
    }

    fn put(&self, bin: &str, program: Option<String>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            let mut ages: Vec<Instant> = entries.values().map(|(at, _)| *at).collect();
            ages.sort_unstable();
            if let Some(cut) = ages.get(ages.len() / 2).copied() {
                entries.retain(|_, (at, _)| *at > cut);
            }
        }
        entries.insert(bin.to_owned(), (Instant::now(), program));
    }

    /// How many BINs it holds (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

/// A program PayTR answered, if it is one installments can be made with.
fn usable(program: Option<&str>) -> Option<String> {
    let program = program?.trim().to_ascii_lowercase();
    CARD_TYPES.contains(&program.as_str()).then_some(program)
}

/// The lookup failed: nothing was written, so the charge may be retried as it is.
fn lookup_failed(what: &str, error: &Error) -> Error {
    Error::Transport {
        provider: ProviderId::Paytr,
        operation: "charge".into(),
        reason: format!(
            "the card's installment program could not be looked up ({what}): {error}; nothing \
             was charged"
        ),
    }
}

fn no_program(card: &str) -> Error {
    Error::invalid(
        "installments",
        format!(
            "{card} belongs to no PayTR installment program ({}); charge it in one payment",
            CARD_TYPES.join(", ")
        ),
    )
}

/// `request`, with `metadata.card_type` filled in when it is an installment charge without
/// one.
pub(crate) async fn with_program<'a>(
    client: &Client,
    cache: &ProgramCache,
    request: &'a ChargeRequest,
) -> Result<Cow<'a, ChargeRequest>> {
    if request.installments < 2 || request.metadata.contains_key(CARD_TYPE_METADATA) {
        return Ok(Cow::Borrowed(request));
    }
    // What every provider checks comes before any lookup: an invalid request sends nothing.
    request.validate()?;
    let program = match &request.source {
        PaymentSource::NewCard(card) => {
            let bin = card.number().bin();
            let program = match cache.get(bin) {
                Some(program) => program,
                None => {
                    let detail = bin_lookup::lookup(client, bin)
                        .await
                        .map_err(|e| lookup_failed("bin-detail", &e))?;
                    let program = usable(detail.as_ref().and_then(|d| d.brand.as_deref()));
                    cache.put(bin, program.clone());
                    program
                }
            };
            program.ok_or_else(|| no_program(&format!("the card (BIN {bin})")))?
        }
        PaymentSource::StoredCard { card, .. } => {
            let list = cards::list(client, &card.customer_token)
                .await
                .map_err(|e| lookup_failed("capi/list", &e))?;
            let stored = list
                .cards
                .iter()
                .find(|c| c.reference.card_token == card.card_token)
                .ok_or_else(|| {
                    Error::invalid(
                        "source.card",
                        "the stored card is not among the customer's cards",
                    )
                })?;
            usable(stored.summary.brand.as_deref()).ok_or_else(|| no_program("the stored card"))?
        }
    };
    let mut filled = request.clone();
    filled
        .metadata
        .insert(CARD_TYPE_METADATA.to_owned(), program);
    Ok(Cow::Owned(filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_programs_with_installments_are_used() {
        assert_eq!(usable(Some("Axess")), Some("axess".into()));
        assert_eq!(usable(Some(" world ")), Some("world".into()));
        assert_eq!(usable(Some("none")), None);
        assert_eq!(usable(None), None);
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = ProgramCache::default();
        for i in 0..(CAPACITY + 10) {
            cache.put(&format!("{i:06}"), Some("axess".into()));
        }
        assert!(cache.len() <= CAPACITY, "{}", cache.len());
        assert_eq!(
            cache.get(&format!("{:06}", CAPACITY + 9)),
            Some(Some("axess".into()))
        );
    }
}
