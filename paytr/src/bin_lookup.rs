//! BIN lookup (`/odeme/api/bin-detail`): the bank, card program, scheme and type of a card
//! from its first digits.
//!
//! PayTR's documents name the endpoint and its token (`bin_number + merchant_id + salt`,
//! provider-notes/paytr.md §0 and §1.9) but not its answer. This module follows the
//! project's reading of public integrations, which the simulator follows too:
//! `{"status":"success","cardType":"credit","businessCard":"n","bank":"…","brand":"world",
//! "schema":"VISA"}`, `{"status":"failed"}` for a BIN PayTR does not know, and
//! `{"status":"error","err_msg":"…"}` for a refused request.

use odeme_core::{
    CardAssociation, CardSummary, CardType, Error, HttpRequest, HttpResponse, RejectionKind,
    RequestKind, Result,
};

use crate::client::Client;
use crate::map::{self, Refusal};
use crate::wire::{non_empty, text, BinAnswer, Form};
use crate::PaytrGateway;

/// The `brand` PayTR gives a card that belongs to no installment program.
const NO_PROGRAM: &str = "none";

/// What PayTR's BIN service says about a card.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BinDetail {
    /// The BIN that was looked up (6 or 8 digits).
    pub bin: String,
    /// The issuing bank's name, as PayTR writes it (`Yapı Kredi`).
    pub bank: Option<String>,
    /// The card's installment program in lower case (`world`, `bonus`, `axess`, ...): the
    /// value a charge in installments sends as `card_type` (see
    /// [`crate::CARD_TYPE_METADATA`]). `None` when PayTR answers `none`: the card belongs
    /// to no program and is paid in a single payment only.
    pub brand: Option<String>,
    /// Credit or debit (`cardType`).
    pub card_type: Option<CardType>,
    /// Whether it is a business card (`businessCard` `y`/`n`); business cards are not held
    /// to the store's installment cap for other cards.
    pub business: Option<bool>,
    /// The scheme as PayTR spells it (`VISA`, `MASTERCARD`, `AMEX`, `TROY`).
    pub schema: Option<String>,
}

impl BinDetail {
    /// A BIN PayTR knows nothing about.
    pub(crate) fn unknown(bin: &str) -> Self {
        Self {
            bin: bin.to_owned(),
            bank: None,
            brand: None,
            card_type: None,
            business: None,
            schema: None,
        }
    }

    /// The scheme of [`Self::schema`], when it is one odeme knows.
    pub fn association(&self) -> Option<CardAssociation> {
        self.schema
            .as_deref()
            .and_then(CardAssociation::from_provider)
    }

    /// The card as the neutral API shows it.
    pub fn summary(&self) -> CardSummary {
        CardSummary {
            bin: Some(self.bin.clone()),
            last4: None,
            brand: self.brand.clone(),
            association: self.association(),
            card_type: self.card_type,
            bank: self.bank.clone(),
            commercial: self.business,
        }
    }
}

/// Checks a BIN for PayTR: its first 6 or 8 digits.
pub(crate) fn check_bin(bin: &str) -> Result<()> {
    if matches!(bin.len(), 6 | 8) && bin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid(
            "bin",
            "must be the card's first 6 or 8 digits",
        ))
    }
}

/// The `bin-detail` POST.
pub(crate) fn bin_request(client: &Client, bin: &str) -> HttpRequest {
    let mut form = Form::new();
    form.push("merchant_id", client.config.merchant_id.as_str());
    form.push("bin_number", bin);
    form.push(
        "paytr_token",
        client.signer.bin_detail(bin, &client.config.merchant_id),
    );
    client.form_request(
        "/odeme/api/bin-detail",
        &form,
        "bin_lookup",
        RequestKind::Read,
        bin,
    )
}

/// Reads a `bin-detail` answer for `bin`. An unknown BIN is a `NotFound` refusal.
pub(crate) fn read_bin(bin: &str, response: &HttpResponse) -> Result<BinDetail> {
    read_known(bin, response)?.ok_or_else(|| {
        map::refusal_error(
            Refusal::Reject(RejectionKind::NotFound),
            None,
            &format!("PayTR knows no card with BIN {bin}"),
        )
    })
}

/// Reads a `bin-detail` answer for `bin`: `None` when PayTR does not know the BIN
/// (`failed`), kept apart from refusals whose text merely says "not found".
pub(crate) fn read_known(bin: &str, response: &HttpResponse) -> Result<Option<BinDetail>> {
    let answer: BinAnswer = response.json()?;
    match text(&answer.status).trim() {
        "success" => {}
        "failed" => return Ok(None),
        "error" => return Err(map::message_error(text(&answer.err_msg))),
        _ => return Err(response.unexpected()),
    }
    let brand = non_empty(&answer.brand)
        .map(|b| b.to_lowercase())
        .filter(|b| b != NO_PROGRAM);
    Ok(Some(BinDetail {
        bin: bin.to_owned(),
        bank: non_empty(&answer.bank),
        brand,
        card_type: non_empty(&answer.cardType).and_then(|t| CardType::from_provider(&t)),
        business: match text(&answer.businessCard).trim() {
            "y" | "Y" => Some(true),
            "n" | "N" => Some(false),
            _ => None,
        },
        schema: non_empty(&answer.schema),
    }))
}

/// Looks `bin` up; `None` when PayTR does not know it.
pub(crate) async fn lookup(client: &Client, bin: &str) -> Result<Option<BinDetail>> {
    check_bin(bin)?;
    let response = client.send(bin_request(client, bin)).await?;
    read_known(bin, &response)
}

impl PaytrGateway {
    /// Looks a card up by its first 6 or 8 digits with PayTR's BIN service
    /// (`/odeme/api/bin-detail`): bank, installment program, type, business flag and
    /// scheme. A BIN PayTR does not know is [`Error::Provider`] with
    /// [`RejectionKind::NotFound`]; a BIN of another shape is refused before anything is
    /// sent.
    pub async fn bin_lookup(&self, bin: &str) -> Result<BinDetail> {
        check_bin(bin)?;
        let response = self.client.send(bin_request(&self.client, bin)).await?;
        read_bin(bin, &response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::ProviderId;

    fn response(body: &str) -> HttpResponse {
        HttpResponse {
            provider: ProviderId::Paytr,
            operation: "bin_lookup",
            kind: RequestKind::Read,
            reference: Some("435508".into()),
            status: 200,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn reads_every_field() {
        let detail = read_bin(
            "435508",
            &response(
                r#"{"status":"success","cardType":"credit","businessCard":"n",
                "bank":"Yapı Kredi","brand":"world","schema":"VISA"}"#,
            ),
        )
        .unwrap();
        assert_eq!(detail.bin, "435508");
        assert_eq!(detail.bank.as_deref(), Some("Yapı Kredi"));
        assert_eq!(detail.brand.as_deref(), Some("world"));
        assert_eq!(detail.card_type, Some(CardType::Credit));
        assert_eq!(detail.business, Some(false));
        assert_eq!(detail.schema.as_deref(), Some("VISA"));
        assert_eq!(
            detail.summary(),
            CardSummary {
                bin: Some("435508".into()),
                last4: None,
                brand: Some("world".into()),
                association: Some(CardAssociation::Visa),
                card_type: Some(CardType::Credit),
                bank: Some("Yapı Kredi".into()),
                commercial: Some(false),
            }
        );
    }

    #[test]
    fn brand_none_is_no_program_and_schemes_map() {
        let detail = read_bin(
            "97920303",
            &response(
                r#"{"status":"success","cardType":"debit","businessCard":"y","bank":"Ziraat",
                "brand":"none","schema":"TROY"}"#,
            ),
        )
        .unwrap();
        assert_eq!(detail.brand, None);
        assert_eq!(detail.card_type, Some(CardType::Debit));
        assert_eq!(detail.business, Some(true));
        assert_eq!(detail.association(), Some(CardAssociation::Troy));
        for (schema, association) in [
            ("MASTERCARD", Some(CardAssociation::MasterCard)),
            ("AMEX", Some(CardAssociation::Amex)),
            ("", None),
        ] {
            let body = format!(r#"{{"status":"success","brand":"Bonus","schema":"{schema}"}}"#);
            let detail = read_bin("540667", &response(&body)).unwrap();
            assert_eq!(detail.association(), association, "{schema}");
            assert_eq!(detail.brand.as_deref(), Some("bonus"));
            assert_eq!((detail.business, detail.card_type), (None, None));
        }
    }

    #[test]
    fn unknown_bin_and_refusals() {
        assert_eq!(
            read_known("111111", &response(r#"{"status":"failed"}"#)).unwrap(),
            None
        );
        let err = read_bin("111111", &response(r#"{"status":"failed"}"#)).unwrap_err();
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
        let err = read_bin(
            "435508",
            &response(r#"{"status":"error","err_msg":"paytr_token gonderilmedi veya gecersiz"}"#),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
        // A refusal that says "not found" is still a refusal, not an unknown BIN.
        assert!(read_known(
            "435508",
            &response(r#"{"status":"error","err_msg":"Magaza bulunamadi"}"#)
        )
        .is_err());
        for body in [r#"{"status":"maybe"}"#, "{}", "<html>"] {
            let err = read_bin("435508", &response(body)).unwrap_err();
            assert!(
                matches!(err, Error::UnexpectedResponse { .. }),
                "{body}: {err:?}"
            );
        }
    }

    #[test]
    fn bin_shape() {
        for good in ["435508", "43550843"] {
            assert!(check_bin(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "43550",
            "4355084",
            "435508435",
            "4355a8",
            "４３５５０８",
        ] {
            assert_eq!(
                check_bin(bad).unwrap_err().invalid_field(),
                Some("bin"),
                "{bad}"
            );
        }
    }
}
