//! BIN lookup and installment options against the PayTR simulator on loopback. The
//! expected amounts were computed apart from the adapter (Python `decimal`, half-up) from
//! the simulator's published rates.

mod common;

use std::sync::Arc;

use common::*;
use odeme_core::{
    CardAssociation, CardSummary, CardType, Error, GatewayExt, InstallmentOption, InstallmentQuery,
    Installments, Money, RejectionKind,
};
use odeme_paytr::{PaytrConfig, PaytrGateway};
use odeme_sandbox::Simulator;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const WORLD_CONSUMER: &str = "454360";
const WORLD_BUSINESS: &str = "552879";
const TROY_DEBIT: &str = "979203";
const UNKNOWN: &str = "450803";

fn query(bin: Option<&str>, amount: Decimal) -> InstallmentQuery {
    InstallmentQuery {
        bin: bin.map(str::to_owned),
        amount: try_(amount),
    }
}

fn counts(options: &[InstallmentOption]) -> Vec<u8> {
    options.iter().map(|o| o.count).collect()
}

/// count, total, each installment, commission.
fn amounts(option: &InstallmentOption) -> (u8, Money, Money, Option<Money>) {
    (
        option.count,
        option.total,
        option.installment_amount,
        option.commission,
    )
}

#[tokio::test]
async fn bin_lookup_reads_the_simulators_table() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let akbank = gw.bin_lookup("435508").await.unwrap();
    assert_eq!(akbank.bin, "435508");
    assert_eq!(akbank.bank.as_deref(), Some("Akbank"));
    assert_eq!(akbank.brand.as_deref(), Some("axess"));
    assert_eq!(akbank.card_type, Some(CardType::Credit));
    assert_eq!(akbank.business, Some(false));
    assert_eq!(akbank.schema.as_deref(), Some("VISA"));
    assert_eq!(akbank.association(), Some(CardAssociation::Visa));

    let eight = gw.bin_lookup("43550843").await.unwrap();
    assert_eq!(eight.bin, "43550843");
    assert_eq!(eight.bank, akbank.bank);

    let business = gw.bin_lookup(WORLD_BUSINESS).await.unwrap();
    assert_eq!(business.business, Some(true));
    assert_eq!(business.association(), Some(CardAssociation::MasterCard));

    let troy = gw.bin_lookup(TROY_DEBIT).await.unwrap();
    assert_eq!(troy.brand, None, "brand `none` is no installment program");
    assert_eq!(troy.card_type, Some(CardType::Debit));
    assert_eq!(troy.association(), Some(CardAssociation::Troy));

    let err = gw.bin_lookup(UNKNOWN).await.unwrap_err();
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

    let sent = sim.requests().count();
    for bad in ["4355084", "4355084355084358", "43550a"] {
        let err = gw.bin_lookup(bad).await.unwrap_err();
        assert_eq!(err.invalid_field(), Some("bin"), "{bad}");
    }
    assert_eq!(sim.requests().count(), sent, "a bad BIN is never sent");
}

#[tokio::test]
async fn consumer_card_is_capped_at_max_inst_non_bus() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let found = gw
        .installments(&query(Some(WORLD_CONSUMER), dec!(1234.56)))
        .await
        .unwrap();
    assert_eq!(found.amount, try_(dec!(1234.56)));
    assert_eq!(found.banks.len(), 1);
    let bank = &found.banks[0];
    assert_eq!(
        bank.card,
        CardSummary {
            bin: Some(WORLD_CONSUMER.into()),
            last4: None,
            brand: Some("world".into()),
            association: Some(CardAssociation::Visa),
            card_type: Some(CardType::Credit),
            bank: Some("Yapı Kredi".into()),
            commercial: Some(false),
        }
    );
    assert_eq!(counts(&bank.options), (1..=9).collect::<Vec<u8>>());
    assert_eq!(
        amounts(&bank.options[0]),
        (
            1,
            try_(dec!(1234.56)),
            try_(dec!(1234.56)),
            Some(try_(dec!(0)))
        )
    );
    // 1234.56 × 1.0206 = 1259.991936 → 1259.99; / 2 = 629.995 → 630.00 (half up).
    assert_eq!(
        amounts(&bank.options[1]),
        (
            2,
            try_(dec!(1259.99)),
            try_(dec!(630.00)),
            Some(try_(dec!(25.43)))
        )
    );
    assert_eq!(bank.options[1].commission_rate, Some(dec!(2.06)));
    assert_eq!(
        amounts(&bank.options[2]),
        (
            3,
            try_(dec!(1273.08)),
            try_(dec!(424.36)),
            Some(try_(dec!(38.52)))
        )
    );
    assert_eq!(
        amounts(&bank.options[8]),
        (
            9,
            try_(dec!(1348.88)),
            try_(dec!(149.88)),
            Some(try_(dec!(114.32)))
        )
    );
    assert_eq!(sim.requests().count_path("/odeme/api/bin-detail"), 1);
    assert_eq!(sim.requests().count_path("/odeme/taksit-oranlari"), 1);
}

#[tokio::test]
async fn business_card_gets_every_offered_count() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let found = gw
        .installments(&query(Some(WORLD_BUSINESS), dec!(1234.56)))
        .await
        .unwrap();
    let bank = &found.banks[0];
    assert_eq!(bank.card.commercial, Some(true));
    assert_eq!(bank.card.bank.as_deref(), Some("Yapı Kredi"));
    assert_eq!(counts(&bank.options), (1..=12).collect::<Vec<u8>>());
    assert_eq!(
        amounts(&bank.options[11]),
        (
            12,
            try_(dec!(1376.53)),
            try_(dec!(114.71)),
            Some(try_(dec!(141.97)))
        )
    );
}

#[tokio::test]
async fn no_program_or_unknown_bin_pays_once_without_asking_for_rates() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let troy = gw
        .installments(&query(Some(TROY_DEBIT), dec!(99.90)))
        .await
        .unwrap();
    assert_eq!(counts(&troy.banks[0].options), vec![1]);
    assert_eq!(troy.banks[0].options[0].total, try_(dec!(99.90)));
    assert_eq!(troy.banks[0].card.bank.as_deref(), Some("Halkbank"));
    assert_eq!(troy.banks[0].card.card_type, Some(CardType::Debit));
    assert_eq!(troy.banks[0].card.brand, None);

    // A 7-digit BIN is asked about by its first 6.
    let unknown = gw
        .installments(&query(Some("4508031"), dec!(99.90)))
        .await
        .unwrap();
    assert_eq!(counts(&unknown.banks[0].options), vec![1]);
    assert_eq!(
        unknown.banks[0].card,
        CardSummary {
            bin: Some(UNKNOWN.into()),
            ..CardSummary::default()
        }
    );
    assert_eq!(sim.requests().count_path("/odeme/api/bin-detail"), 2);
    assert_eq!(sim.requests().count_path("/odeme/taksit-oranlari"), 0);
}

#[tokio::test]
async fn without_a_bin_every_program_is_listed_capped() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let found = gw.installments(&query(None, dec!(999.99))).await.unwrap();
    let listed: Vec<(String, u8)> = found
        .banks
        .iter()
        .map(|b| {
            (
                b.card.brand.clone().unwrap_or_default(),
                b.options.last().map_or(0, |o| o.count),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("advantage".to_owned(), 7),
            ("axess".to_owned(), 9),
            ("bonus".to_owned(), 9),
            ("cardfinans".to_owned(), 9),
            ("combo".to_owned(), 9),
            ("maximum".to_owned(), 9),
            ("paraf".to_owned(), 9),
            ("saglamkart".to_owned(), 7),
            ("world".to_owned(), 9),
        ]
    );
    let bonus = &found.banks[2].options;
    assert_eq!(
        amounts(&bonus[1]),
        (
            2,
            try_(dec!(1019.89)),
            try_(dec!(509.95)),
            Some(try_(dec!(19.90)))
        )
    );
    assert_eq!(
        amounts(&bonus[8]),
        (
            9,
            try_(dec!(1089.89)),
            try_(dec!(121.10)),
            Some(try_(dec!(89.90)))
        )
    );
    let advantage = &found.banks[0].options;
    assert_eq!(
        amounts(&advantage[6]),
        (
            7,
            try_(dec!(1077.49)),
            try_(dec!(153.93)),
            Some(try_(dec!(77.50)))
        )
    );
    assert_eq!(sim.requests().count_path("/odeme/api/bin-detail"), 0);
}

#[tokio::test]
async fn rates_as_strings_give_the_same_options() {
    let sim = simulator().await;
    let gw = gateway(&sim);
    let numbers = gw
        .installments(&query(Some(WORLD_BUSINESS), dec!(1234.56)))
        .await
        .unwrap();
    sim.set_installment_rates_as_strings(true);
    let strings = gw
        .installments(&query(Some(WORLD_BUSINESS), dec!(1234.56)))
        .await
        .unwrap();
    assert_eq!(numbers, strings);
    assert_eq!(strings.banks[0].options.len(), 12);
}

#[tokio::test]
async fn a_wrong_key_is_an_authentication_error() {
    let sim = simulator().await;
    let c = sim.credentials();
    let gw = PaytrGateway::new(
        PaytrConfig::new(&c.merchant_id, "WrongKey", c.merchant_salt.as_str())
            .with_base_url(sim.base_url()),
    )
    .unwrap();
    let err = gw.bin_lookup("435508").await.unwrap_err();
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    for bin in [None, Some(WORLD_CONSUMER)] {
        let err = gw.installments(&query(bin, dec!(10))).await.unwrap_err();
        assert!(
            matches!(err, Error::Authentication { .. }),
            "{bin:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn reachable_through_a_dynamic_gateway() {
    let sim = simulator().await;
    let gw: Arc<dyn odeme_core::Gateway> = Arc::new(gateway(&sim));
    assert!(gw.supports(odeme_core::Capability::Installments));
    let found = gw
        .require_installments()
        .unwrap()
        .installments(&query(Some("435508"), dec!(100)))
        .await
        .unwrap();
    assert_eq!(found.banks[0].card.brand.as_deref(), Some("axess"));
    assert_eq!(
        counts(&found.banks[0].options),
        (1..=9).collect::<Vec<u8>>()
    );
}
