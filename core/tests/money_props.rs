//! Money and charge validation hold for any amount: validation answers Ok or an error naming
//! the field and never panics, money keeps its currency's scale and survives a round trip
//! through text, and only plain decimal notation is read.

use std::net::{IpAddr, Ipv4Addr};

use odeme_core::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn customer() -> Customer {
    Customer::new(
        "Jane",
        "Doe",
        "jane@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
}

fn card() -> Card {
    Card::new(
        "4508034508034509",
        Expiry::new(12, 2099).unwrap(),
        "987",
        "Jane Doe",
    )
    .unwrap()
}

fn charge(amount: Money, items: Vec<LineItem>) -> ChargeRequest {
    ChargeRequest::new(
        "order-1",
        amount,
        PaymentSource::NewCard(card()),
        customer(),
    )
    .with_items(items)
}

fn currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(Currency::ALL.to_vec())
}

/// Any `Decimal`, up to `Decimal::MAX`, at every scale, of either sign.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<bool>(),
        0u32..=28,
    )
        .prop_map(|(lo, mid, hi, negative, scale)| {
            Decimal::from_parts(lo, mid, hi, negative, scale)
        })
}

/// Amounts clustered where trouble lives (zero, the bound, `Decimal::MAX`) and anywhere.
fn interesting_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        any_decimal(),
        Just(Decimal::MAX),
        Just(Decimal::ZERO),
        Just(dec!(50000000000000000000000000000)),
        Just(dec!(9999999999.99)),
        Just(dec!(999999999.999)),
        Just(dec!(999999999999)),
        (0i64..=Money::MAX_MINOR_UNITS, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s)),
    ]
}

fn money_in(currency: Currency) -> impl Strategy<Value = Money> {
    (0i64..=Money::MAX_MINOR_UNITS)
        .prop_map(move |minor| Money::from_minor(minor, currency).unwrap())
}

fn assert_scale(money: &Money) {
    assert_eq!(
        money.amount().scale(),
        money.currency().exponent(),
        "{money} is not at its currency's scale"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_amount_is_money_at_scale_or_an_error_naming_the_field(
        amount in interesting_decimal(),
        currency in currency(),
    ) {
        match Money::checked("charge.amount", amount, currency) {
            Ok(money) => {
                assert_scale(&money);
                prop_assert_eq!(money.amount(), amount);
                prop_assert!(money.minor_units().is_some_and(|m| m <= Money::MAX_MINOR_UNITS));
            }
            Err(err) => prop_assert_eq!(err.invalid_field(), Some("charge.amount")),
        }
    }

    #[test]
    fn charge_validation_never_panics(
        amount in interesting_decimal(),
        currency in currency(),
        prices in proptest::collection::vec((interesting_decimal(), any::<u32>()), 0..6),
    ) {
        let Ok(amount) = Money::new(amount, currency) else { return Ok(()) };
        let items: Vec<LineItem> = prices
            .into_iter()
            .filter_map(|(price, quantity)| {
                Money::new(price, currency).ok().map(|p| LineItem::new("thing", p, quantity))
            })
            .collect();
        if let Err(err) = charge(amount, items).validate() {
            let field = err.invalid_field();
            prop_assert!(field.is_some(), "{err} names no field");
        }
    }

    #[test]
    fn maximal_lines_fail_as_errors(
        currency in currency(),
        quantities in proptest::collection::vec(1u32..=u32::MAX, 1..8),
    ) {
        let max = Money::from_minor(Money::MAX_MINOR_UNITS, currency).unwrap();
        let items: Vec<LineItem> = quantities.iter().map(|q| LineItem::new("thing", max, *q)).collect();
        let result = charge(max, items).validate();
        if quantities == [1] {
            prop_assert!(result.is_ok(), "{result:?}");
        } else {
            let err = result.unwrap_err();
            prop_assert!(err.invalid_field().is_some_and(|f| f.starts_with("items")), "{err}");
        }
    }

    #[test]
    fn formatted_money_parses_back_equal(money in currency().prop_flat_map(money_in)) {
        assert_scale(&money);
        let text = money.to_decimal_string();
        prop_assert_eq!(Money::parse("amount", &text, money.currency()).unwrap(), money);
        let json = serde_json::to_string(&money).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
    }

    #[test]
    fn non_plain_notation_is_refused(
        whole in "[1-9][0-9]{1,8}",
        at in 1usize..9,
        currency in currency(),
        kind in 0usize..8,
    ) {
        let at = at.min(whole.len() - 1);
        let (left, right) = whole.split_at(at);
        let text = match kind {
            0 => format!("{whole}e{at}"),
            1 => format!("{whole}E-{at}"),
            2 => format!("{left}_{right}"),
            3 => format!("{left} {right}"),
            4 => format!("0x{whole}"),
            5 => format!("{left}'{right}"),
            6 => format!("{left},{right}000.00"),
            _ => format!("{left}.{right}.000"),
        };
        let err = Money::parse("refund.amount", &text, currency).unwrap_err();
        prop_assert_eq!(err.invalid_field(), Some("refund.amount"), "{}", text);
    }

    #[test]
    fn over_long_digit_strings_are_too_large(digits in "[1-9][0-9]{12,60}", currency in currency()) {
        let err = Money::parse("amount", &digits, currency).unwrap_err();
        prop_assert_eq!(err.invalid_field(), Some("amount"));
        prop_assert!(err.to_string().contains("too large"), "{}", err);
    }
}

#[test]
fn two_items_at_five_times_ten_to_the_28_are_an_error_not_a_panic() {
    let huge = dec!(50000000000000000000000000000);
    let err = Money::checked("items[0].unit_price", huge, Currency::TRY).unwrap_err();
    assert_eq!(err.invalid_field(), Some("items[0].unit_price"));
    assert!(err.to_string().contains("too large"), "{err}");

    // The largest prices Money admits, twice, with a quantity that would once overflow.
    let max = Money::from_minor(Money::MAX_MINOR_UNITS, Currency::TRY).unwrap();
    let items = vec![
        LineItem::new("a", max, u32::MAX),
        LineItem::new("b", max, u32::MAX),
    ];
    let err = charge(max, items).validate().unwrap_err();
    assert_eq!(err.invalid_field(), Some("items[0].quantity"), "{err}");

    let items = vec![LineItem::new("a", max, 1), LineItem::new("b", max, 1)];
    let err = charge(max, items).validate().unwrap_err();
    assert_eq!(err.invalid_field(), Some("items"), "{err}");
}

#[test]
fn ten_to_the_27_is_too_large_not_scale_one() {
    let err = Money::parse("amount", "1000000000000000000000000000", Currency::TRY).unwrap_err();
    assert_eq!(err.invalid_field(), Some("amount"));
    assert!(err.to_string().contains("too large"), "{err}");
}

#[test]
fn exponent_notation_is_refused() {
    let err = Money::parse("amount", "10e2", Currency::TRY).unwrap_err();
    assert_eq!(err.invalid_field(), Some("amount"));
}
