//! Installment options by BIN and amount (`GET /api/v2/installments/`).

use async_trait::async_trait;

use odeme_core::{
    BankInstallments, CardAssociation, CardSummary, CardType, HttpRequest, HttpResponse,
    InstallmentOption, InstallmentOptions, InstallmentQuery, Installments, Money, ProviderId,
    RequestKind, Result,
};

use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::wire::{Amount, InstallmentsAnswer};

/// `GET /api/v2/installments/?bin_number=<bin>&amount=<amount>`; every bank's options
/// without a BIN.
pub(crate) fn installments_request(
    config: &PaytrekConfig,
    query: &InstallmentQuery,
) -> HttpRequest {
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    if let Some(bin) = &query.bin {
        // Paytrek takes the first six digits.
        pairs.append_pair("bin_number", bin.get(..6).unwrap_or(bin));
    }
    pairs.append_pair("amount", &query.amount.to_decimal_string());
    config.request(
        "GET",
        &format!("/api/v2/installments/?{}", pairs.finish()),
        "installments",
        RequestKind::Read,
    )
}

/// The answer in neutral types. `commission` is an amount: the document's totals are the
/// asked amount plus it.
pub(crate) fn to_options(
    answer: &InstallmentsAnswer,
    query: &InstallmentQuery,
    response: &HttpResponse,
) -> Result<InstallmentOptions> {
    let currency = query.amount.currency();
    let money = |field: &str, value: Option<Amount>| -> Result<Money> {
        let value = value.ok_or_else(|| response.unreadable(&format!("`{field}` is missing")))?;
        Money::new(value.0, currency)
            .map_err(|_| response.unreadable(&format!("`{field}` is not an amount in {currency}")))
    };
    let mut banks = Vec::with_capacity(answer.banks.len());
    for bank in &answer.banks {
        let mut options = Vec::with_capacity(bank.installments.len());
        for option in &bank.installments {
            let count = option
                .number
                .0
                .trim()
                .parse::<u8>()
                .map_err(|_| response.unreadable("an installment `number` is not a count"))?;
            options.push(InstallmentOption {
                count,
                installment_amount: money("instalment_amounts", option.instalment_amounts)?,
                total: money("total_amount", option.total_amount)?,
                commission_rate: None,
                commission: option
                    .commission
                    .map(|c| money("commission", Some(c)))
                    .transpose()?,
            });
        }
        banks.push(BankInstallments {
            card: CardSummary {
                bin: query.bin.clone(),
                last4: None,
                brand: bank.loyalty.clone().filter(|l| !l.is_empty()),
                association: bank
                    .card_brand
                    .as_deref()
                    .and_then(CardAssociation::from_provider),
                card_type: bank.card_type.as_deref().and_then(CardType::from_provider),
                bank: bank.card_issuer.clone(),
                commercial: bank.is_commercial,
            },
            options,
        });
    }
    Ok(InstallmentOptions {
        provider: ProviderId::Paytrek,
        amount: query.amount,
        banks,
    })
}

#[async_trait]
impl Installments for PaytrekGateway {
    async fn installments(&self, query: &InstallmentQuery) -> Result<InstallmentOptions> {
        query.validate()?;
        crate::sale::check_currency("amount.currency", query.amount.currency())?;
        let http = installments_request(&self.config, query);
        let (answer, response): (InstallmentsAnswer, _) = self.call(http).await?;
        to_options(&answer, query, &response)
    }
}
