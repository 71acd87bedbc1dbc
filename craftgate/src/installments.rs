//! Installment options (`GET /installment/v1/installments`) and BIN lookup
//! (`GET /installment/v1/bins/{bin}`).

// Commissions are computed from Craftgate's answers; every operation must be checked.
#![deny(clippy::arithmetic_side_effects)]

use async_trait::async_trait;
use odeme_core::{
    BankInstallments, CardSummary, InstallmentOption, InstallmentOptions, InstallmentQuery,
    Installments, Money, ProviderId, Result,
};

use crate::client::{query, segment, Call, Client};
use crate::convert;
use crate::errors::ErrorContext;
use crate::wire::{BinData, InstallmentData, ListData};
use crate::{map, CraftgateGateway};

/// The installment search for `query`.
pub(crate) fn installments_call(q: &InstallmentQuery) -> Call {
    let mut pairs = Vec::with_capacity(3);
    if let Some(bin) = &q.bin {
        pairs.push(("binNumber", bin.clone()));
    }
    pairs.push(("price", q.amount.to_decimal_string()));
    pairs.push(("currency", q.amount.currency().code().to_owned()));
    Call::get(
        format!("/installment/v1/installments?{}", query(&pairs)),
        "installments",
    )
}

/// The BIN lookup of `bin`.
pub(crate) fn bin_call(bin: &str) -> Call {
    Call::get(
        format!("/installment/v1/bins/{}", segment(bin)),
        "bin_lookup",
    )
}

fn summary(
    bin: &Option<String>,
    card_type: &Option<String>,
    association: &Option<String>,
    brand: &Option<String>,
    bank: &Option<String>,
    commercial: Option<bool>,
) -> CardSummary {
    CardSummary {
        bin: bin.clone(),
        last4: None,
        brand: brand.clone(),
        association: association.as_deref().and_then(map::card_association),
        card_type: card_type.as_deref().and_then(map::card_type),
        bank: bank.clone(),
        commercial,
    }
}

/// The search answer as neutral options for `amount`.
pub(crate) fn options(
    data: &ListData<InstallmentData>,
    amount: Money,
) -> Result<InstallmentOptions, String> {
    let currency = amount.currency();
    let mut banks = Vec::with_capacity(data.items.len());
    for item in &data.items {
        let mut choices = Vec::with_capacity(item.installment_prices.len());
        for price in &item.installment_prices {
            let count = price
                .installment_number
                .as_deref()
                .and_then(|n| n.parse::<u8>().ok())
                .ok_or("an installment price has no installmentNumber")?;
            let total = convert::money(
                price
                    .total_price
                    .ok_or("an installment price has no totalPrice")?,
                currency,
            )?;
            let each = match price.installment_price {
                Some(p) => convert::money(p, currency)?,
                None => total,
            };
            choices.push(InstallmentOption {
                count,
                installment_amount: each,
                total,
                commission_rate: price.merchant_commission_rate,
                commission: total.checked_sub(&amount).ok(),
            });
        }
        banks.push(BankInstallments {
            card: summary(
                &item.bin_number,
                &item.card_type,
                &item.card_association,
                &item.card_brand,
                &item.bank_name,
                item.commercial,
            ),
            options: choices,
        });
    }
    Ok(InstallmentOptions {
        provider: ProviderId::Craftgate,
        amount,
        banks,
    })
}

/// What Craftgate knows of a BIN: scheme, type, program brand, bank.
pub(crate) async fn bin_lookup(client: &Client, bin: &str) -> Result<CardSummary> {
    let bin = bin.trim();
    if !(6..=8).contains(&bin.len()) || !bin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(odeme_core::Error::invalid("bin", "must be 6 to 8 digits"));
    }
    let (data, _): (BinData, _) = client.call(&bin_call(bin), &ErrorContext::other()).await?;
    Ok(summary(
        &data.bin_number,
        &data.card_type,
        &data.card_association,
        &data.card_brand,
        &data.bank_name,
        data.commercial,
    ))
}

#[async_trait]
impl Installments for CraftgateGateway {
    async fn installments(&self, query: &InstallmentQuery) -> Result<InstallmentOptions> {
        query.validate()?;
        let (data, response): (ListData<InstallmentData>, _) = self
            .client
            .call(&installments_call(query), &ErrorContext::other())
            .await?;
        options(&data, query.amount).map_err(|reason| response.unreadable(&reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odeme_core::Currency;
    use rust_decimal::Decimal;

    #[test]
    fn parses_the_documented_shape() {
        let json = r#"{"items":[{"binNumber":"525864","price":100,"cardType":"CREDIT_CARD","cardAssociation":"MASTER_CARD","cardBrand":"World","bankName":"YAPI VE KREDİ BANKASI A.Ş.","bankCode":67,"force3ds":false,"cvcRequired":true,"commercial":false,
          "installmentPrices":[{"posAlias":"p","installmentNumber":1,"installmentPrice":100.00000000,"bankCommissionRate":1.5,"merchantCommissionRate":0,"totalPrice":100.00000000,"installmentLabel":"Tek","loyaltySupported":true,"force3ds":false,"cvcRequired":true},
                               {"installmentNumber":3,"installmentPrice":34.33,"bankCommissionRate":2.5,"merchantCommissionRate":3,"totalPrice":103.00}]}]}"#;
        let data: ListData<InstallmentData> = serde_json::from_str(json).unwrap();
        let amount = Money::new(Decimal::from(100), Currency::TRY).unwrap();
        let o = options(&data, amount).unwrap();
        let bank = &o.banks[0];
        assert_eq!(
            bank.card.bank.as_deref(),
            Some("YAPI VE KREDİ BANKASI A.Ş.")
        );
        assert_eq!(
            bank.card.association,
            Some(odeme_core::CardAssociation::MasterCard)
        );
        assert_eq!(bank.options.len(), 2);
        let three = &bank.options[1];
        assert_eq!(
            (
                three.count,
                three.installment_amount.to_decimal_string(),
                three.total.to_decimal_string()
            ),
            (3, "34.33".into(), "103.00".into())
        );
        assert_eq!(three.commission.unwrap().to_decimal_string(), "3.00");
        assert_eq!(three.commission_rate, Some(Decimal::from(3)));
    }

    #[test]
    fn query_without_bin() {
        let q = InstallmentQuery {
            bin: None,
            amount: Money::new(Decimal::new(10050, 2), Currency::TRY).unwrap(),
        };
        assert_eq!(
            installments_call(&q).path,
            "/installment/v1/installments?price=100.50&currency=TRY"
        );
    }
}
