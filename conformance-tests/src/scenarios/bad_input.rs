//! Invalid requests: those the core's constructors refuse, and those the gateway must
//! refuse before anything is sent, proven by the simulator's request log and ledger.

use std::net::IpAddr;

use odeme::{
    CancelPlanRequest, CancelRequest, Capability, CaptureRequest, Card, CardNumber, CardOwner,
    ChargeRequest, Currency, Cvc, DeleteCardRequest, Error, Expiry, GatewayExt, InstallmentQuery,
    ItemRefund, LineItem, ListCardsRequest, Money, PaymentSource, PlanRequest, RecurringPeriod,
    RefundRequest, StatusQuery, StoreCardMode, StoreCardRequest, StoredCardRef, ThreeDs,
};
use rust_decimal::Decimal;

use crate::fixtures::{card, charge, money};
use crate::harness::{fail, Check, Env, Fail};
use crate::{ensure, ensure_eq};

const VISA: &str = "4508034508034509";

/// How many invalid requests the two tables hold together, at the least.
pub const MIN_CASES: usize = 40;

fn construction_cases() -> Vec<(&'static str, &'static str, Result<(), Error>)> {
    let exp = Expiry::new(12, 2030);
    let card_with = |number: &str, cvc: &str, holder: &str| match exp {
        Ok(exp) => Card::new(number, exp, cvc, holder).map(drop),
        Err(ref e) => Err(Error::invalid(
            e.invalid_field().unwrap_or("expiry"),
            "bad test expiry",
        )),
    };
    let try_money = Money::positive;
    vec![
        (
            "bad Luhn",
            "card.number",
            CardNumber::parse("4508034508034508").map(drop),
        ),
        (
            "number too short",
            "card.number",
            CardNumber::parse("45080345080").map(drop),
        ),
        (
            "number too long",
            "card.number",
            CardNumber::parse("45080345080345093333").map(drop),
        ),
        (
            "number with letters",
            "card.number",
            CardNumber::parse("4508a34508034509").map(drop),
        ),
        (
            "empty number",
            "card.number",
            CardNumber::parse("").map(drop),
        ),
        (
            "bad Luhn in a card",
            "card.number",
            card_with("4508034508034501", "000", "Ayse Yilmaz"),
        ),
        (
            "expired card",
            "card.expiry",
            Expiry::new(1, 2020)
                .and_then(|e| Card::new(VISA, e, "000", "Ayse Yilmaz"))
                .map(drop),
        ),
        (
            "expiry month 13",
            "card.expiry.month",
            Expiry::new(13, 2030).map(drop),
        ),
        (
            "expiry month 0",
            "card.expiry.month",
            Expiry::new(0, 2030).map(drop),
        ),
        (
            "expiry year 1999",
            "card.expiry.year",
            Expiry::new(5, 1999).map(drop),
        ),
        (
            "expiry with a three-digit year",
            "card.expiry.year",
            Expiry::parse("12/203").map(drop),
        ),
        (
            "expiry without a separator",
            "card.expiry",
            Expiry::parse("1230305").map(drop),
        ),
        (
            "CVC too short",
            "card.cvc",
            card_with(VISA, "00", "Ayse Yilmaz"),
        ),
        ("CVC too long", "card.cvc", Cvc::parse("00000").map(drop)),
        ("CVC with letters", "card.cvc", Cvc::parse("0a0").map(drop)),
        (
            "empty holder name",
            "card.holder_name",
            card_with(VISA, "000", "  "),
        ),
        (
            "holder name too long",
            "card.holder_name",
            card_with(VISA, "000", &"A".repeat(101)),
        ),
        (
            "zero amount",
            "amount",
            try_money("amount", Decimal::ZERO, Currency::TRY).map(drop),
        ),
        (
            "negative amount",
            "amount",
            try_money("amount", Decimal::new(-100, 2), Currency::TRY).map(drop),
        ),
        (
            "over-precise amount",
            "amount",
            try_money("amount", Decimal::new(10001, 3), Currency::TRY).map(drop),
        ),
        (
            "fractional yen",
            "amount",
            try_money("amount", Decimal::new(15, 1), Currency::JPY).map(drop),
        ),
        (
            "amount text",
            "amount",
            Money::parse("amount", "ten", Currency::TRY).map(drop),
        ),
        (
            "unknown currency",
            "currency",
            "XXX".parse::<Currency>().map(drop),
        ),
        (
            "zero refund amount",
            "refund.amount",
            try_money("refund.amount", Decimal::ZERO, Currency::TRY).map(drop),
        ),
    ]
}

/// The core's constructors refuse these, naming the field.
pub(crate) async fn at_construction(_env: &Env) -> Check {
    for (what, field, result) in construction_cases() {
        match result {
            Err(e) => ensure_eq!(e.invalid_field(), Some(field), "{what}"),
            Ok(()) => return Err(fail(format!("{what}: accepted"))),
        }
    }
    for bad in ["999.1.1.1", "1.2.3", "", "::g"] {
        ensure!(
            bad.parse::<IpAddr>().is_err(),
            "IP {bad:?} parsed; a customer could carry it"
        );
    }
    Ok(())
}

/// One call the gateway must refuse.
enum Call {
    Charge(ChargeRequest),
    StoredCharge(ChargeRequest),
    Refund(RefundRequest),
    Capture(CaptureRequest),
    Cancel(CancelRequest),
    Status(StatusQuery),
    Installments(InstallmentQuery),
    ListCards(ListCardsRequest),
    DeleteCard(DeleteCardRequest),
    StoreCard(Box<StoreCardRequest>),
    Plan(Box<PlanRequest>),
    CancelPlan(CancelPlanRequest),
}

impl Call {
    fn needs(&self) -> Capability {
        match self {
            Call::Charge(_) => Capability::Charge,
            Call::StoredCharge(_) => Capability::ChargeStoredCard,
            Call::Refund(_) => Capability::Refund,
            Call::Capture(_) => Capability::Capture,
            Call::Cancel(_) => Capability::Cancel,
            Call::Status(StatusQuery::OrderId(_)) => Capability::StatusByOrderId,
            Call::Status(StatusQuery::PaymentId(_)) => Capability::StatusByPaymentId,
            Call::Installments(_) => Capability::Installments,
            Call::ListCards(_) => Capability::ListCards,
            Call::DeleteCard(_) => Capability::DeleteCard,
            Call::StoreCard(_) => Capability::StoreCard,
            Call::Plan(_) | Call::CancelPlan(_) => Capability::RecurringPlans,
        }
    }

    async fn perform(&self, env: &Env) -> Result<(), Error> {
        let g = &env.gateway;
        match self {
            Call::Charge(r) => g.require_charges()?.charge(r).await.map(drop),
            Call::StoredCharge(r) => g
                .require_stored_card_charges()?
                .charge_stored_card(r)
                .await
                .map(drop),
            Call::Refund(r) => g.require_refunds()?.refund(r).await.map(drop),
            Call::Capture(r) => g.require_charges()?.capture(r).await.map(drop),
            Call::Cancel(r) => g.require_charges()?.cancel(r).await.map(drop),
            Call::Status(q) => g.require_status_query()?.status(q).await.map(drop),
            Call::Installments(q) => g.require_installments()?.installments(q).await.map(drop),
            Call::ListCards(r) => g.require_cards()?.list_cards(r).await.map(drop),
            Call::DeleteCard(r) => g.require_cards()?.delete_card(r).await,
            Call::StoreCard(r) => g.require_cards()?.store_card(r).await.map(drop),
            Call::Plan(r) => g.require_recurring()?.create_plan(r).await.map(drop),
            Call::CancelPlan(r) => g.require_recurring()?.cancel_plan(r).await.map(drop),
        }
    }
}

/// A case: what it is, the field the error must name, what else must be declared for the
/// case to apply, and the call.
type Case = (String, &'static str, Option<Capability>, Call);

fn gateway_cases(env: &Env) -> Result<Vec<Case>, Fail> {
    let base = || charge(env, Decimal::new(10000, 2));
    let hundred = money(env, Decimal::new(10000, 2))?;
    let mut cases: Vec<Case> = Vec::new();
    let mut add = |what: &str, field: &'static str, extra: Option<Capability>, call: Call| {
        cases.push((what.to_owned(), field, extra, call));
    };
    let with = |f: &dyn Fn(&mut ChargeRequest)| -> Result<Call, Fail> {
        let mut request = base()?;
        f(&mut request);
        Ok(Call::Charge(request))
    };
    add(
        "empty order id",
        "order_id",
        None,
        with(&|r| r.order_id.clear())?,
    );
    add(
        "blank order id",
        "order_id",
        None,
        with(&|r| r.order_id = "   ".into())?,
    );
    add(
        "order id too long",
        "order_id",
        None,
        with(&|r| r.order_id = "A".repeat(65))?,
    );
    add(
        "zero amount",
        "amount",
        None,
        with(&|r| {
            r.amount = Money::zero(r.amount.currency());
            r.items.clear();
        })?,
    );
    // A card that was valid when it was built (say, when the customer typed it in) and has
    // expired since: the gateway must look at the expiry again.
    let expired = Expiry::new(1, 2025)
        .and_then(|e| {
            Card::new_at(
                env.profile.card.number,
                e,
                env.profile.card.cvc,
                "Ayse Yilmaz",
                2024,
                12,
            )
        })
        .map_err(|e| fail(format!("cannot build the expired test card: {e}")))?;
    add(
        "card expired since it was built",
        "card.expiry",
        None,
        with(&|r| r.source = PaymentSource::NewCard(expired.clone()))?,
    );
    add(
        "zero installments",
        "installments",
        None,
        with(&|r| r.installments = 0)?,
    );
    add(
        "13 installments",
        "installments",
        None,
        with(&|r| r.installments = 13)?,
    );
    add(
        "e-mail without @",
        "customer.email",
        None,
        with(&|r| r.customer.email = "ayse.example.com".into())?,
    );
    add(
        "e-mail with a space",
        "customer.email",
        None,
        with(&|r| r.customer.email = "ayse yilmaz@example.com".into())?,
    );
    add(
        "e-mail without a dotted domain",
        "customer.email",
        None,
        with(&|r| r.customer.email = "ayse@example".into())?,
    );
    add(
        "e-mail too long",
        "customer.email",
        None,
        with(&|r| r.customer.email = format!("{}@example.com", "a".repeat(250)))?,
    );
    add(
        "empty first name",
        "customer.first_name",
        None,
        with(&|r| r.customer.first_name.clear())?,
    );
    // A customer may have one name (PayTR takes the full name in one field, Craftgate
    // sends none); only Paytrek sends a family name of its own and requires it.
    if env.profile.provider == odeme::ProviderId::Paytrek {
        add(
            "empty last name",
            "customer.last_name",
            None,
            with(&|r| r.customer.last_name = " ".into())?,
        );
    }
    add(
        "phone too short",
        "customer.phone",
        None,
        with(&|r| r.customer.phone = Some("12".into()))?,
    );
    add(
        "phone with letters",
        "customer.phone",
        None,
        with(&|r| r.customer.phone = Some("+90 555 ABC 4567".into()))?,
    );
    let ninety = money(env, Decimal::new(9000, 2))?;
    add(
        "items not summing",
        "items",
        None,
        with(&|r| r.items = vec![LineItem::new("Item", ninety, 1)])?,
    );
    add(
        "items summing over",
        "items",
        None,
        with(&|r| r.items = vec![LineItem::new("Item", hundred, 2)])?,
    );
    add(
        "item quantity zero",
        "items[0].quantity",
        None,
        with(&|r| r.items[0].quantity = 0)?,
    );
    add(
        "item without a name",
        "items[0].name",
        None,
        with(&|r| r.items[0].name.clear())?,
    );
    add(
        "item name too long",
        "items[0].name",
        None,
        with(&|r| r.items[0].name = "N".repeat(201))?,
    );
    let other = if env.profile.currency == Currency::USD {
        Currency::EUR
    } else {
        Currency::USD
    };
    let foreign_hundred = Money::positive("amount", Decimal::new(10000, 2), other)
        .map_err(|e| fail(e.to_string()))?;
    add(
        "item in another currency",
        "items[0].unit_price",
        None,
        with(&|r| r.items[0].unit_price = foreign_hundred)?,
    );
    let zero = Money::zero(env.profile.currency);
    add(
        "item priced zero",
        "items[0].unit_price",
        None,
        with(&|r| {
            r.items = vec![
                LineItem::new("Free", zero, 1),
                LineItem::new("Paid", hundred, 1),
            ];
        })?,
    );
    add(
        "split without a sub-merchant",
        "items[0].split.sub_merchant_id",
        Some(Capability::SubMerchantSplits),
        with(&|r| {
            r.items[0].split = Some(odeme::SubMerchantSplit {
                sub_merchant_id: String::new(),
                payout: ninety,
            });
        })?,
    );
    let too_much = money(env, Decimal::new(10001, 2))?;
    add(
        "split payout above the line",
        "items[0].split.payout",
        Some(Capability::SubMerchantSplits),
        with(&|r| {
            r.items[0].split = Some(odeme::SubMerchantSplit {
                sub_merchant_id: "SM1".into(),
                payout: too_much,
            });
        })?,
    );
    add(
        "relative 3-D return URL",
        "three_ds.return_url",
        Some(Capability::ThreeDSecure),
        with(&|r| {
            r.three_ds = ThreeDs::Required {
                return_url: "/return".into(),
                fail_url: None,
            };
        })?,
    );
    add(
        "ftp 3-D return URL",
        "three_ds.return_url",
        Some(Capability::ThreeDSecure),
        with(&|r| {
            r.three_ds = ThreeDs::Required {
                return_url: "ftp://127.0.0.1/x".into(),
                fail_url: None,
            };
        })?,
    );
    add(
        "bad 3-D failure URL",
        "three_ds.fail_url",
        Some(Capability::ThreeDSecure),
        with(&|r| {
            r.three_ds = ThreeDs::Required {
                return_url: "http://127.0.0.1/ok".into(),
                fail_url: Some("nope".into()),
            };
        })?,
    );
    add(
        "store under an empty customer",
        "store_card.customer_token",
        Some(Capability::StoreCardOnCharge),
        with(&|r| {
            r.store_card = StoreCardMode::ExistingCustomer(String::new());
        })?,
    );
    if let Some(currency) = env.profile.foreign_currency {
        let amount = Money::positive("amount", Decimal::new(10000, 2), currency)
            .map_err(|e| fail(e.to_string()))?;
        add(
            "currency the provider does not take",
            "currency",
            None,
            with(&|r| {
                r.amount = amount;
                r.items = vec![LineItem::new("Item", amount, 1)];
            })?,
        );
    }
    let stored = |customer: &str, card: &str| -> Result<ChargeRequest, Fail> {
        let mut request = base()?;
        request.source = PaymentSource::StoredCard {
            card: StoredCardRef::new(customer, card),
            cvc: None,
        };
        Ok(request)
    };
    add(
        "stored-card charge without tokens",
        "stored_card.customer_token",
        None,
        Call::StoredCharge(stored("", "")?),
    );
    add(
        "stored-card charge without a card token",
        "stored_card.card_token",
        None,
        Call::StoredCharge(stored("U1", " ")?),
    );
    let mut restore = stored("U1", "C1")?;
    restore.store_card = StoreCardMode::NewCustomer;
    add(
        "storing a stored card",
        "store_card",
        None,
        Call::StoredCharge(restore),
    );
    add(
        "stored-card charge with an empty order id",
        "order_id",
        None,
        Call::StoredCharge({
            let mut r = stored("U1", "C1")?;
            r.order_id.clear();
            r
        }),
    );

    add(
        "refund of zero",
        "amount",
        None,
        Call::Refund(RefundRequest::partial("P1", zero)),
    );
    add(
        "refund without a payment id",
        "payment_id",
        None,
        Call::Refund(RefundRequest::full("")),
    );
    let mut both = RefundRequest::partial("P1", hundred);
    both.items = vec![ItemRefund {
        transaction_id: "T1".into(),
        amount: None,
    }];
    add(
        "refund by amount and items",
        "items",
        None,
        Call::Refund(both),
    );
    add(
        "capture without a payment id",
        "payment_id",
        None,
        Call::Capture(CaptureRequest {
            payment_id: String::new(),
            amount: None,
        }),
    );
    add(
        "cancel without a payment id",
        "payment_id",
        None,
        Call::Cancel(CancelRequest {
            payment_id: " ".into(),
            reason: None,
        }),
    );
    add(
        "status without an order id",
        "order_id",
        None,
        Call::Status(StatusQuery::OrderId(String::new())),
    );
    add(
        "status without a payment id",
        "payment_id",
        None,
        Call::Status(StatusQuery::PaymentId(String::new())),
    );
    add(
        "installments for a BIN with letters",
        "bin",
        None,
        Call::Installments(InstallmentQuery {
            bin: Some("45ab03".into()),
            amount: hundred,
        }),
    );
    add(
        "installments for a short BIN",
        "bin",
        None,
        Call::Installments(InstallmentQuery {
            bin: Some("4508".into()),
            amount: hundred,
        }),
    );
    add(
        "installments for zero",
        "amount",
        None,
        Call::Installments(InstallmentQuery {
            bin: None,
            amount: zero,
        }),
    );
    add(
        "list cards without a customer",
        "customer_token",
        None,
        Call::ListCards(ListCardsRequest::new("")),
    );
    add(
        "delete a card without tokens",
        "stored_card",
        None,
        Call::DeleteCard(DeleteCardRequest {
            card: StoredCardRef::new("", ""),
        }),
    );
    add(
        "delete a card without a card token",
        "card_token",
        None,
        Call::DeleteCard(DeleteCardRequest {
            card: StoredCardRef::new("U1", ""),
        }),
    );
    add(
        "store a card for an empty customer",
        "owner",
        None,
        Call::StoreCard(Box::new(StoreCardRequest {
            card: card(env.profile.card)?,
            owner: CardOwner::Existing(String::new()),
            label: None,
        })),
    );
    let plan = |f: &dyn Fn(&mut PlanRequest)| -> Result<Call, Fail> {
        let mut request = PlanRequest {
            charge: base()?,
            name: "Monthly".into(),
            period: RecurringPeriod::Monthly,
            frequency: 1,
            start_date: None,
        };
        f(&mut request);
        Ok(Call::Plan(Box::new(request)))
    };
    add(
        "plan without a name",
        "name",
        None,
        plan(&|p| p.name.clear())?,
    );
    add(
        "plan with frequency 0",
        "frequency",
        None,
        plan(&|p| p.frequency = 0)?,
    );
    add(
        "plan with a bad start date",
        "start_date",
        None,
        plan(&|p| p.start_date = Some("01/02/2030".into()))?,
    );
    add(
        "plan whose charge has no order id",
        "order_id",
        None,
        plan(&|p| p.charge.order_id.clear())?,
    );
    add(
        "cancel a plan without an id",
        "plan_id",
        None,
        Call::CancelPlan(CancelPlanRequest {
            plan_id: String::new(),
            subscription_ids: vec![],
        }),
    );
    Ok(cases)
}

/// The gateway refuses these with the invalid-request error naming the field, and nothing
/// reaches the simulator.
pub(crate) async fn at_gateway(env: &Env) -> Check {
    let cases = gateway_cases(env)?;
    ensure!(
        cases.len() + construction_cases().len() >= MIN_CASES,
        "only {} invalid requests",
        cases.len() + construction_cases().len()
    );
    let mut ran = 0;
    let mut problems = Vec::new();
    for (what, field, extra, call) in &cases {
        let declared = env.gateway.capabilities();
        if !declared.supports(call.needs()) || extra.is_some_and(|c| !declared.supports(c)) {
            continue;
        }
        ran += 1;
        let (requests, ledger) = (env.requests_seen(), env.ledger_len());
        let result = call.perform(env).await;
        match &result {
            // The field itself, one of its parts (`card.expiry` for `card.expiry.month`) or
            // the same field under its parent (`currency` for `amount.currency`), never a
            // neighbour that merely contains the name (`items` is not `items[0].name`).
            Err(Error::InvalidRequest { field: named, .. })
                if named == field
                    || named.starts_with(&format!("{field}."))
                    || named.ends_with(&format!(".{field}")) => {}
            other => problems.push(format!("{what}: expected invalid `{field}`, got {other:?}")),
        }
        if env.requests_seen() != requests || env.ledger_len() != ledger {
            problems.push(format!("{what}: the request reached the simulator"));
        }
    }
    ensure!(
        problems.is_empty(),
        "{} problems in {ran} cases:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    ensure!(
        ran + construction_cases().len() >= MIN_CASES,
        "only {ran} gateway cases apply"
    );
    Ok(())
}
