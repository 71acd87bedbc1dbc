//! Installment options ([`Installments`]): the store's rates (`/odeme/taksit-oranlari`)
//! for the card's program, found with the BIN lookup.
//!
//! PayTR's documents name the rates endpoint and its token (`merchant_id + request_id +
//! salt`, provider-notes/paytr.md §0 and §1.9) but not its answer. This follows the
//! project's reading of public integrations, which the simulator follows too:
//! `{"status":"success","request_id":"…","max_inst_non_bus":12,"oranlar":{"world":
//! {"taksit_2":2.06,…},…}}`, where `oranlar` gives each card program's rate in percent per
//! installment count (a missing count is not offered) and `max_inst_non_bus` caps the
//! count for cards that are not business cards; a refusal is
//! `{"status":"error","err_msg":"…"}`. The amounts come from the rule in `totals`.
//!
//! A card of no program (`brand` `none`) or a BIN PayTR does not know is offered the
//! single payment only, without asking for rates. Without a BIN every program is listed,
//! capped as for a card that is not a business card, since that is what most cards get.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use odeme_core::{
    BankInstallments, CardSummary, HttpRequest, HttpResponse, InstallmentOptions, InstallmentQuery,
    Installments, Money, ProviderId, RequestKind, Result,
};
use rust_decimal::Decimal;

use crate::bin_lookup::{self, BinDetail};
use crate::client::Client;
use crate::totals::{self, MAX_INSTALLMENTS};
use crate::validate::currency_code;
use crate::wire::{text, Form, RatesAnswer, Text};
use crate::{map, PaytrGateway};

/// The store's rates as PayTR gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Rates {
    /// The most installments for a card that is not a business card; no cap when absent.
    pub max_non_business: Option<u8>,
    /// Each card program (lower case) to its rate in percent per installment count (2–12).
    pub programs: BTreeMap<String, BTreeMap<u8, Decimal>>,
}

impl Rates {
    /// The most installments a card may have: business cards are not capped; a card not
    /// known to be one is, so that no option is shown that the bank would refuse.
    pub(crate) fn cap(&self, business: Option<bool>) -> u8 {
        match business {
            Some(true) => MAX_INSTALLMENTS,
            _ => self.max_non_business.unwrap_or(MAX_INSTALLMENTS),
        }
    }
}

/// The `taksit-oranlari` POST. `request_id` only has to be unique.
pub(crate) fn rates_request(client: &Client, request_id: &str) -> HttpRequest {
    let mut form = Form::new();
    form.push("merchant_id", client.config.merchant_id.as_str());
    form.push("request_id", request_id);
    form.push(
        "paytr_token",
        client
            .signer
            .installment_rates(&client.config.merchant_id, request_id),
    );
    client.form_request(
        "/odeme/taksit-oranlari",
        &form,
        "installment_rates",
        RequestKind::Read,
        request_id,
    )
}

/// A fresh `request_id`: the time in milliseconds and a per-process sequence, digits only.
fn new_request_id() -> String {
    static SEQUENCE: AtomicU32 = AtomicU32::new(0);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!(
        "{millis}{:04}",
        SEQUENCE.fetch_add(1, Ordering::Relaxed) % 10_000
    )
}

/// A rate in percent, read from its literal text; `None` when the count is not offered.
fn rate(response: &HttpResponse, value: Option<&Text>) -> Result<Option<Decimal>> {
    let literal = value.map_or("", |t| t.as_str().trim());
    if literal.is_empty() {
        return Ok(None);
    }
    let cleaned = literal.replace(',', ".");
    let rate = Decimal::from_str(&cleaned)
        .or_else(|_| Decimal::from_scientific(&cleaned))
        .map_err(|_| response.unexpected())?;
    if rate.is_sign_negative() && !rate.is_zero() {
        return Err(response.unexpected());
    }
    Ok(Some(rate))
}

/// The installment count of a `taksit_N` key, for the counts PayTR takes (2–12).
fn count(key: &str) -> Option<u8> {
    key.strip_prefix("taksit_")
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (2..=MAX_INSTALLMENTS).contains(n))
}

/// Reads a rates answer to the request `request_id`.
pub(crate) fn read_rates(request_id: &str, response: &HttpResponse) -> Result<Rates> {
    let answer: RatesAnswer = response.json()?;
    match text(&answer.status).trim() {
        "success" => {}
        "error" | "failed" => return Err(map::message_error(text(&answer.err_msg))),
        _ => return Err(response.unexpected()),
    }
    let echoed = text(&answer.request_id).trim();
    if !echoed.is_empty() && echoed != request_id {
        return Err(response.unexpected());
    }
    let max_non_business = match text(&answer.max_inst_non_bus).trim() {
        "" => None,
        n => Some(n.parse::<u8>().map_err(|_| response.unexpected())?),
    };
    let mut programs = BTreeMap::new();
    for (program, offered) in &answer.oranlar {
        let mut rates = BTreeMap::new();
        for (key, value) in &offered.0 {
            if let Some(n) = count(key) {
                if let Some(r) = rate(response, value.0.as_ref())? {
                    rates.insert(n, r);
                }
            }
        }
        programs.insert(program.trim().to_lowercase(), rates);
    }
    Ok(Rates {
        max_non_business,
        programs,
    })
}

/// The options of a card: its program's rates up to its cap, or the single payment only
/// for a card of no program (or of a program the store has no rates for).
pub(crate) fn card_options(
    amount: &Money,
    detail: &BinDetail,
    rates: Option<&Rates>,
) -> Result<BankInstallments> {
    let offered = rates.and_then(|r| {
        let program = detail.brand.as_deref()?;
        Some((r.programs.get(program)?, r.cap(detail.business)))
    });
    let options = match offered {
        Some((program_rates, cap)) => totals::options(amount, program_rates, cap)?,
        None => vec![totals::single_payment(amount)],
    };
    Ok(BankInstallments {
        card: detail.summary(),
        options,
    })
}

/// Every program's options, for a query without a BIN.
pub(crate) fn all_programs(amount: &Money, rates: &Rates) -> Result<Vec<BankInstallments>> {
    if rates.programs.is_empty() {
        return Ok(vec![BankInstallments {
            card: CardSummary::default(),
            options: vec![totals::single_payment(amount)],
        }]);
    }
    let cap = rates.cap(None);
    rates
        .programs
        .iter()
        .map(|(program, program_rates)| {
            Ok(BankInstallments {
                card: CardSummary {
                    brand: Some(program.clone()),
                    ..CardSummary::default()
                },
                options: totals::options(amount, program_rates, cap)?,
            })
        })
        .collect()
}

/// The BIN PayTR is asked about: 6 or 8 digits, so a 7-digit BIN is cut to its first 6.
fn paytr_bin(bin: &str) -> &str {
    if bin.len() == 8 {
        bin
    } else {
        bin.get(..6).unwrap_or(bin)
    }
}

async fn fetch_rates(client: &Client) -> Result<Rates> {
    let request_id = new_request_id();
    let response = client.send(rates_request(client, &request_id)).await?;
    read_rates(&request_id, &response)
}

#[async_trait]
impl Installments for PaytrGateway {
    async fn installments(&self, query: &InstallmentQuery) -> Result<InstallmentOptions> {
        query.validate()?;
        currency_code(query.amount.currency())?;
        let amount = query.amount;
        let banks = match query.bin.as_deref() {
            None => all_programs(&amount, &fetch_rates(&self.client).await?)?,
            Some(bin) => {
                let bin = paytr_bin(bin);
                let detail = bin_lookup::lookup(&self.client, bin)
                    .await?
                    .unwrap_or_else(|| BinDetail::unknown(bin));
                let rates = match detail.brand {
                    Some(_) => Some(fetch_rates(&self.client).await?),
                    None => None,
                };
                vec![card_options(&amount, &detail, rates.as_ref())?]
            }
        };
        Ok(InstallmentOptions {
            provider: ProviderId::Paytr,
            amount,
            banks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::{CardAssociation, CardType, Currency, Error};
    use rust_decimal_macros::dec;

    fn response(body: &str) -> HttpResponse {
        HttpResponse {
            provider: ProviderId::Paytr,
            operation: "installment_rates",
            kind: RequestKind::Read,
            reference: Some("R1".into()),
            status: 200,
            body: body.as_bytes().to_vec(),
        }
    }

    fn try_(amount: Decimal) -> Money {
        Money::new(amount, Currency::TRY).unwrap()
    }

    const RATES: &str = r#"{"status":"success","request_id":"R1","max_inst_non_bus":6,
        "oranlar":{"world":{"taksit_2":2.06,"taksit_3":"3.12","taksit_6":"6,40",
        "taksit_9":9.1,"taksit_12":11.5,"taksit_1":0,"taksit_13":1,"pesin":0},
        "Bonus":{"taksit_2":"0","taksit_4":null,"taksit_5":""},"axess":[]}}"#;

    fn detail(brand: Option<&str>, business: Option<bool>) -> BinDetail {
        BinDetail {
            brand: brand.map(str::to_owned),
            business,
            bank: Some("Yapı Kredi".into()),
            card_type: Some(CardType::Credit),
            schema: Some("VISA".into()),
            ..BinDetail::unknown("435508")
        }
    }

    fn counts(bank: &BankInstallments) -> Vec<u8> {
        bank.options.iter().map(|o| o.count).collect()
    }

    #[test]
    fn reads_rates_exactly() {
        let rates = read_rates("R1", &response(RATES)).unwrap();
        assert_eq!(rates.max_non_business, Some(6));
        let world = &rates.programs["world"];
        assert_eq!(
            world.iter().map(|(n, r)| (*n, *r)).collect::<Vec<_>>(),
            vec![
                (2, dec!(2.06)),
                (3, dec!(3.12)),
                (6, dec!(6.40)),
                (9, dec!(9.1)),
                (12, dec!(11.5))
            ]
        );
        assert_eq!(
            rates.programs["bonus"].iter().collect::<Vec<_>>(),
            vec![(&2, &dec!(0))]
        );
        assert!(rates.programs["axess"].is_empty());
    }

    #[test]
    fn refusals_and_bad_answers() {
        let err = read_rates(
            "R1",
            &response(r#"{"status":"error","err_msg":"paytr_token gonderilmedi veya gecersiz"}"#),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
        for body in [
            r#"{"status":"success","request_id":"OTHER","oranlar":{}}"#,
            r#"{"status":"success","max_inst_non_bus":"many","oranlar":{}}"#,
            r#"{"status":"success","oranlar":{"world":{"taksit_2":"abc"}}}"#,
            r#"{"status":"success","oranlar":{"world":{"taksit_2":-1.5}}}"#,
            r#"{"status":"unknown"}"#,
            "not json",
        ] {
            let err = read_rates("R1", &response(body)).unwrap_err();
            assert!(
                matches!(err, Error::UnexpectedResponse { .. }),
                "{body}: {err:?}"
            );
        }
        let bare = read_rates("R1", &response(r#"{"status":"success","oranlar":[]}"#)).unwrap();
        assert_eq!(bare, Rates::default());
    }

    #[test]
    fn non_business_card_is_capped_business_card_is_not() {
        let rates = read_rates("R1", &response(RATES)).unwrap();
        let amount = try_(dec!(1000));
        let consumer = card_options(&amount, &detail(Some("world"), Some(false)), Some(&rates));
        assert_eq!(counts(&consumer.unwrap()), vec![1, 2, 3, 6]);
        let unknown = card_options(&amount, &detail(Some("world"), None), Some(&rates));
        assert_eq!(counts(&unknown.unwrap()), vec![1, 2, 3, 6]);
        let business =
            card_options(&amount, &detail(Some("world"), Some(true)), Some(&rates)).unwrap();
        assert_eq!(counts(&business), vec![1, 2, 3, 6, 9, 12]);
        let twelve = &business.options[5];
        assert_eq!(twelve.total, try_(dec!(1115.00)));
        assert_eq!(twelve.installment_amount, try_(dec!(92.92)));
        assert_eq!(twelve.commission, Some(try_(dec!(115.00))));
        assert_eq!(
            business.card,
            CardSummary {
                bin: Some("435508".into()),
                last4: None,
                brand: Some("world".into()),
                association: Some(CardAssociation::Visa),
                card_type: Some(CardType::Credit),
                bank: Some("Yapı Kredi".into()),
                commercial: Some(true),
            }
        );
    }

    #[test]
    fn brand_none_unknown_bin_and_unrated_programs_pay_once() {
        let rates = read_rates("R1", &response(RATES)).unwrap();
        let amount = try_(dec!(250.50));
        for (card, rates) in [
            (detail(None, Some(true)), Some(&rates)),
            (detail(None, Some(false)), None),
            (BinDetail::unknown("111111"), None),
            (detail(Some("maximum"), Some(true)), Some(&rates)),
            (detail(Some("axess"), Some(true)), Some(&rates)),
        ] {
            let bank = card_options(&amount, &card, rates).unwrap();
            assert_eq!(
                bank.options,
                vec![totals::single_payment(&amount)],
                "{card:?}"
            );
            assert_eq!(bank.card.bin, Some(card.bin.clone()));
        }
    }

    #[test]
    fn without_a_bin_every_program_is_listed_capped() {
        let rates = read_rates("R1", &response(RATES)).unwrap();
        let amount = try_(dec!(100));
        let banks = all_programs(&amount, &rates).unwrap();
        let listed: Vec<_> = banks
            .iter()
            .map(|b| (b.card.brand.clone().unwrap_or_default(), counts(b)))
            .collect();
        assert_eq!(
            listed,
            vec![
                ("axess".to_owned(), vec![1]),
                ("bonus".to_owned(), vec![1, 2]),
                ("world".to_owned(), vec![1, 2, 3, 6]),
            ]
        );
        let free = &banks[1].options[1];
        assert_eq!(
            (free.total, free.installment_amount),
            (try_(dec!(100)), try_(dec!(50)))
        );
        let none = all_programs(&amount, &Rates::default()).unwrap();
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].options, vec![totals::single_payment(&amount)]);
    }

    #[test]
    fn bins_sent_and_request_ids() {
        assert_eq!(paytr_bin("435508"), "435508");
        assert_eq!(paytr_bin("4355084"), "435508");
        assert_eq!(paytr_bin("43550843"), "43550843");
        let (a, b) = (new_request_id(), new_request_id());
        assert_ne!(a, b);
        assert!(
            a.bytes().all(|c| c.is_ascii_digit()) && a.len() >= 14,
            "{a}"
        );
    }

    #[tokio::test]
    async fn bad_queries_send_nothing() {
        // The base URL is a closed port: a request that left would fail as a transport error.
        let gw = PaytrGateway::new(
            crate::PaytrConfig::new("100001", "k", "s").with_base_url("http://127.0.0.1:9"),
        )
        .unwrap();
        for (query, field) in [
            (
                InstallmentQuery {
                    bin: Some("45ab03".into()),
                    amount: try_(dec!(10)),
                },
                "bin",
            ),
            (
                InstallmentQuery {
                    bin: None,
                    amount: try_(dec!(0)),
                },
                "amount",
            ),
            (
                InstallmentQuery {
                    bin: None,
                    amount: Money::new(dec!(10), Currency::JPY).unwrap(),
                },
                "amount.currency",
            ),
        ] {
            let err = gw.installments(&query).await.unwrap_err();
            assert_eq!(err.invalid_field(), Some(field), "{err:?}");
        }
        let err = gw.bin_lookup("4355084").await.unwrap_err();
        assert_eq!(err.invalid_field(), Some("bin"));
    }
}
