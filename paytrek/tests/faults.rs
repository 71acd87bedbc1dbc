//! Failures: unknown outcomes reconciled by order id, bad credentials, invalid input that
//! never leaves the process, and redaction.

mod common;

use std::time::Duration;

use common::*;
use odeme_core::{
    Charge, Currency, Error, Money, PaymentStatus, PaymentStatusQuery, Refund, RefundRequest,
    StatusQuery, TransportConfig,
};
use odeme_paytrek::{PaytrekConfig, PaytrekGateway};
use odeme_sandbox::{Fault, FaultRule, LedgerKind, Simulator};

#[tokio::test]
async fn dropped_answer_to_a_charge_is_reconciled_by_order_id() {
    let env = env().await;
    env.sim
        .faults()
        .inject_on("/api/v2/direct_charge/", Fault::DropAfterProcessing);
    let err = env
        .gateway
        .charge(&charge("order-drop", "24.00", VISA, "000"))
        .await
        .unwrap_err();
    match &err {
        Error::UnknownOutcome {
            reference,
            operation,
            ..
        } => {
            assert_eq!(reference.as_deref(), Some("order-drop"));
            assert_eq!(operation, "charge");
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    assert!(!err.is_safe_to_retry());
    let found = env
        .gateway
        .status(&StatusQuery::OrderId("order-drop".into()))
        .await
        .unwrap();
    assert_eq!(found.status, PaymentStatus::Succeeded);
    assert_eq!(env.sim.ledger().charges_for_order("order-drop"), 1);
}

#[tokio::test]
async fn server_errors_malformed_and_truncated_answers_to_writes_are_unknown_outcomes() {
    let env = env().await;
    for (i, fault) in [
        Fault::HtmlServerErrorAfterProcessing(502),
        Fault::MalformedJson,
        Fault::TruncatedJson,
    ]
    .into_iter()
    .enumerate()
    {
        let order = format!("order-fault-{i}");
        env.sim
            .faults()
            .inject_on("/api/v2/direct_charge/", fault.clone());
        let err = env
            .gateway
            .charge(&charge(&order, "11.00", VISA, "000"))
            .await
            .unwrap_err();
        assert!(err.is_unknown_outcome(), "{fault:?}: {err:?}");
        let found = env
            .gateway
            .status(&StatusQuery::OrderId(order.clone()))
            .await
            .unwrap();
        assert_eq!(found.status, PaymentStatus::Succeeded, "{fault:?}");
        assert_eq!(env.sim.ledger().charges_for_order(&order), 1);
    }
    // A 5xx before processing is still unknown to the client: it cannot tell.
    env.sim
        .faults()
        .inject_on("/api/v2/direct_charge/", Fault::HtmlServerError(503));
    let err = env
        .gateway
        .charge(&charge("order-fault-503", "11.00", VISA, "000"))
        .await
        .unwrap_err();
    assert!(err.is_unknown_outcome());
    let missing = env
        .gateway
        .status(&StatusQuery::OrderId("order-fault-503".into()))
        .await
        .unwrap_err();
    assert!(matches!(
        missing,
        Error::Provider {
            kind: odeme_core::RejectionKind::NotFound,
            ..
        }
    ));
}

#[tokio::test]
async fn a_time_out_after_a_refund_is_an_unknown_outcome() {
    let env = env().await;
    let paid = env
        .gateway
        .charge(&charge("order-slow-refund", "20.00", VISA, "000"))
        .await
        .unwrap();
    let credentials = env.sim.credentials().clone();
    let impatient = PaytrekGateway::new(
        PaytrekConfig::new(&credentials.api_key, &credentials.secret)
            .with_base_url(env.sim.base_url())
            .with_transport(TransportConfig {
                timeout: Duration::from_millis(500),
                ..TransportConfig::default()
            }),
    )
    .unwrap();
    env.sim.faults().add(FaultRule {
        path_prefix: Some("/api/v2/refund/".into()),
        method: None,
        fault: Fault::DelayAfterProcessing(Duration::from_secs(3)),
        times: 1,
    });
    let err = impatient
        .refund(&RefundRequest::partial(&paid.id, try_money("5.00")))
        .await
        .unwrap_err();
    match &err {
        Error::UnknownOutcome { reference, .. } => {
            assert_eq!(reference.as_deref(), Some(paid.id.as_str()))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        env.sim
            .ledger()
            .for_order("order-slow-refund", LedgerKind::Refund)
            .len(),
        1
    );
    let status = env
        .gateway
        .status(&StatusQuery::PaymentId(paid.id.clone()))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::PartiallyRefunded);
}

#[tokio::test]
async fn bad_credentials() {
    let env = env().await;
    let credentials = env.sim.credentials().clone();
    let wrong = PaytrekGateway::new(
        PaytrekConfig::new(&credentials.api_key, "not-the-secret")
            .with_base_url(env.sim.base_url()),
    )
    .unwrap();
    let err = wrong
        .charge(&charge("order-auth", "10.00", VISA, "000"))
        .await
        .unwrap_err();
    match &err {
        Error::Authentication { message, .. } => assert!(!message.contains("not-the-secret")),
        other => panic!("{other:?}"),
    }
    assert_eq!(env.sim.ledger().charges_for_order("order-auth"), 0);
    assert!(PaytrekGateway::new(PaytrekConfig::new("", "s")).is_err());
    assert!(PaytrekGateway::new(PaytrekConfig::new("k", "")).is_err());
    assert!(PaytrekGateway::new(PaytrekConfig::new("k", "s").with_base_url("not a url")).is_err());
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let env = env().await;
    let mut no_billing = charge("order-invalid-1", "10.00", VISA, "000");
    no_billing.billing = None;
    let mut yen = charge("order-invalid-2", "10.00", VISA, "000");
    yen.amount = Money::new(rust_decimal::Decimal::from(10), Currency::JPY).unwrap();
    let cases = [
        (no_billing, "billing"),
        (yen, "amount.currency"),
        (charge("", "10.00", VISA, "000"), "order_id"),
        (
            charge("order-invalid-3", "10.00", VISA, "000").with_installments(13),
            "installments",
        ),
        (
            charge("order-invalid-4", "10.00", VISA, "000").with_three_ds("not a url"),
            "three_ds.return_url",
        ),
    ];
    for (request, field) in cases {
        let err = env.gateway.charge(&request).await.unwrap_err();
        assert_eq!(err.invalid_field(), Some(field), "{err:?}");
    }
    let err = env
        .gateway
        .refund(&RefundRequest::full("../../etc"))
        .await
        .unwrap_err();
    assert_eq!(err.invalid_field(), Some("payment_id"));
    assert_eq!(
        env.sim.requests().count(),
        0,
        "no request may leave for invalid input"
    );

    // With a default billing address configured the same request goes through.
    let credentials = env.sim.credentials().clone();
    let with_default = PaytrekGateway::new(
        PaytrekConfig::new(&credentials.api_key, &credentials.secret)
            .with_base_url(env.sim.base_url())
            .with_default_billing(billing()),
    )
    .unwrap();
    let mut no_billing = charge("order-default-billing", "10.00", VISA, "000");
    no_billing.billing = None;
    assert_eq!(
        with_default.charge(&no_billing).await.unwrap().status,
        PaymentStatus::Succeeded
    );
}

#[tokio::test]
async fn nothing_secret_is_shown() {
    let env = env().await;
    let credentials = env.sim.credentials().clone();
    let secret = credentials.secret.clone();
    let request = charge("order-redact", "10.00", VISA, "987");
    let payment = env
        .gateway
        .charge(&charge("order-redact-ok", "10.00", VISA, "000"))
        .await
        .unwrap();
    let declined = env.gateway.charge(&request).await.unwrap_err();
    let wrong = PaytrekGateway::new(
        PaytrekConfig::new(&credentials.api_key, &secret).with_base_url("http://127.0.0.1:1"),
    )
    .unwrap();
    let transport = wrong
        .charge(&charge("order-redact-2", "10.00", VISA, "987"))
        .await
        .unwrap_err();
    let texts = [
        format!("{:?}", env.gateway.config()),
        format!("{:?}", env.gateway),
        format!("{request:?}"),
        format!("{payment:?}"),
        serde_json::to_string(&payment).unwrap(),
        format!("{declined:?}"),
        format!("{declined}"),
        format!("{transport:?}"),
        format!("{transport}"),
    ];
    for text in texts {
        assert!(!text.contains(VISA), "PAN in {text}");
        // Random sale tokens and reference ids are hex: a CVC inside one is not a CVC.
        assert!(!without_long_tokens(&text).contains("987"), "CVC in {text}");
        assert!(!text.contains(&secret), "secret in {text}");
        assert!(!text.contains(&credentials.api_key), "API key in {text}");
    }
}

#[tokio::test]
async fn a_stored_card_charge_survives_a_failed_read_back() {
    use odeme_core::{CardOwner, ChargeStoredCard, StoreCard, StoreCardRequest};
    let env = env().await;
    let stored = env
        .gateway
        .store_card(&StoreCardRequest {
            card: card(VISA, "000"),
            owner: CardOwner::New {
                external_id: None,
                email: None,
            },
            label: None,
        })
        .await
        .unwrap();

    // The charge succeeds but reading the sale back fails: the answer "succeeded" stands.
    env.sim.faults().add(FaultRule {
        path_prefix: Some("/api/v2/sale/".into()),
        method: Some("GET".into()),
        fault: Fault::HtmlServerError(503),
        times: 1,
    });
    let paid = env
        .gateway
        .charge_stored_card(&stored_charge("order-readback", "7.00", &stored.reference))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(paid.captured, try_money("7.00"));
    assert_eq!(env.sim.ledger().charges_for_order("order-readback"), 1);

    // A lost answer to charge_with_token names the sale token to reconcile with.
    env.sim
        .faults()
        .inject_on("/api/v2/charge_with_token/", Fault::DropAfterProcessing);
    let err = env
        .gateway
        .charge_stored_card(&stored_charge(
            "order-token-drop",
            "7.00",
            &stored.reference,
        ))
        .await
        .unwrap_err();
    let Error::UnknownOutcome {
        reference: Some(sale_token),
        ..
    } = &err
    else {
        panic!("expected an unknown outcome with a reference, got {err:?}");
    };
    let found = env
        .gateway
        .status(&StatusQuery::PaymentId(sale_token.clone()))
        .await
        .unwrap();
    assert_eq!(found.status, PaymentStatus::Succeeded);
    let by_order = env
        .gateway
        .status(&StatusQuery::OrderId("order-token-drop".into()))
        .await
        .unwrap();
    assert_eq!(&by_order.id, sale_token);
    assert_eq!(env.sim.ledger().charges_for_order("order-token-drop"), 1);
}

/// `text` without runs of 16 or more hex digits and dashes (tokens, UUIDs, reference ids).
fn without_long_tokens(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() || c == '-' {
            run.push(c);
        } else {
            if run.len() < 16 {
                out.push_str(&run);
            }
            run.clear();
            out.push(c);
        }
    }
    out
}

/// Creates a sale for `order_id` straight at the simulator, as a charge whose
/// `charge_with_token` was never sent leaves it.
async fn create_sale(env: &Env, order_id: &str, amount: &str) -> String {
    let credentials = env.sim.credentials().clone();
    let body = serde_json::json!({
        "currency": "TRY", "order_id": order_id, "amount": amount, "installment": 1,
        "customer_first_name": "John", "customer_last_name": "Doe",
        "customer_email": "johndoe@example.com", "customer_ip_address": "212.57.9.204",
        "billing_address": "123 Market St.", "billing_city": "San Francisco",
        "billing_country": "US", "items": [], "secure_option": false, "pre_auth": false,
    });
    let answer: serde_json::Value = browser()
        .post(format!("{}/api/v2/sale/", env.sim.base_url()))
        .basic_auth(&credentials.api_key, Some(&credentials.secret))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["sale_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_retried_stored_card_charge_reuses_the_sale_it_created() {
    use odeme_core::{CardOwner, ChargeStoredCard, RejectionKind, StoreCard, StoreCardRequest};
    let env = env().await;
    let stored = env
        .gateway
        .store_card(&StoreCardRequest {
            card: card(VISA, "000"),
            owner: CardOwner::New {
                external_id: None,
                email: None,
            },
            label: None,
        })
        .await
        .unwrap();
    let left_over = create_sale(&env, "order-retry", "7.00").await;
    let paid = env
        .gateway
        .charge_stored_card(&stored_charge("order-retry", "7.00", &stored.reference))
        .await
        .unwrap();
    assert_eq!(paid.id, left_over);
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(env.sim.ledger().charges_for_order("order-retry"), 1);

    // A charged sale, or one for another amount, is another payment: the order id is in use.
    for (order, amount) in [("order-retry", "7.00"), ("order-other", "8.00")] {
        if order == "order-other" {
            create_sale(&env, order, "7.00").await;
        }
        let err = env
            .gateway
            .charge_stored_card(&stored_charge(order, amount, &stored.reference))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Provider {
                    kind: RejectionKind::Duplicate,
                    ..
                }
            ),
            "{order}: {err:?}"
        );
    }
    assert_eq!(env.sim.ledger().charges_for_order("order-retry"), 1);
    assert_eq!(env.sim.ledger().charges_for_order("order-other"), 0);
}
