//! Answers the simulator never gives, from a scripted stand-in for Paytrek on loopback:
//! sale lists that never end or link elsewhere, and answers that do not say whether a
//! charge or capture succeeded.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use odeme_core::{
    CaptureRequest, Charge, ChargeStoredCard, Error, PaymentStatus, PaymentStatusQuery,
    RejectionKind, StatusQuery, StoredCardRef,
};
use odeme_paytrek::{PaytrekConfig, PaytrekGateway};

use common::{stored_charge, try_money};

type Script = dyn Fn(&str, &str) -> (u16, String) + Send + Sync;

/// A stand-in answering `script(method, path_and_query)`, and the requests it got.
struct Scripted {
    gateway: PaytrekGateway,
    hits: Arc<AtomicUsize>,
}

async fn scripted(
    script: impl Fn(&str, &str) -> (u16, String) + Send + Sync + 'static,
) -> Scripted {
    let script: Arc<Script> = Arc::new(script);
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(move |method: axum::http::Method, uri: Uri| {
        let script = script.clone();
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let (status, body) = script(method.as_str(), target);
            (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
                .into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let gateway =
        PaytrekGateway::new(PaytrekConfig::new("key", "secret").with_base_url(&base_url)).unwrap();
    Scripted { gateway, hits }
}

fn sale(token: &str, order_id: &str, status: &str, pre_auth: bool) -> String {
    format!(
        r#"{{"sale_token": "{token}", "order_id": "{order_id}", "currency": "TRY",
            "amount": "7.00", "refunded_amount": "0.00", "status": "{status}",
            "pre_auth": {pre_auth}, "transactions": []}}"#
    )
}

fn page(results: &[String], next: Option<&str>) -> String {
    let next = next.map_or("null".to_owned(), |n| format!("\"{n}\""));
    format!(
        r#"{{"count": 1000, "next": {next}, "previous": null, "results": [{}]}}"#,
        results.join(",")
    )
}

fn page_number(target: &str) -> usize {
    target
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

#[tokio::test]
async fn a_list_that_never_ends_is_an_incomplete_lookup_not_a_missing_order() {
    // The filter is ignored: every page holds other orders and links to the next.
    let fake = scripted(|_, target| {
        let n = page_number(target);
        let others = [sale(&format!("t{n}"), &format!("other-{n}"), "Paid", false)];
        let next = format!("/api/v2/sale/?order_id=mine&page={}", n + 1);
        (200, page(&others, Some(&next)))
    })
    .await;
    let err = fake
        .gateway
        .status(&StatusQuery::OrderId("mine".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::Other,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("incomplete"), "{err}");
    assert!(
        !matches!(
            err,
            Error::Provider {
                kind: RejectionKind::NotFound,
                ..
            }
        ),
        "a false not-found invites a double charge"
    );
    assert_eq!(fake.hits.load(Ordering::SeqCst), 10, "the page limit");
}

#[tokio::test]
async fn next_links_on_another_scheme_are_followed_on_the_configured_host() {
    // DRF behind a TLS proxy: `https://` links to the public name of a plain-HTTP server.
    let fake = scripted(|_, target| match page_number(target) {
        1 => (
            200,
            page(
                &[sale("t1", "other", "Paid", false)],
                Some("https://paytrek.example/api/v2/sale/?order_id=mine&page=2"),
            ),
        ),
        _ => (200, page(&[sale("t2", "mine", "Paid", false)], None)),
    })
    .await;
    let found = fake
        .gateway
        .status(&StatusQuery::OrderId("mine".into()))
        .await
        .unwrap();
    assert_eq!(
        (found.id.as_str(), found.status),
        ("t2", PaymentStatus::Succeeded)
    );
    assert_eq!(fake.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_next_link_that_cannot_be_followed_is_an_incomplete_lookup() {
    let fake = scripted(|_, _| {
        (
            200,
            page(
                &[sale("t1", "other", "Paid", false)],
                Some("https://elsewhere.example/api/v2/vault/?page=2"),
            ),
        )
    })
    .await;
    let err = fake
        .gateway
        .status(&StatusQuery::OrderId("mine".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::Other,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(fake.hits.load(Ordering::SeqCst), 1);
    // A list read to its end without the order is a real not-found.
    let fake = scripted(|_, _| (200, page(&[sale("t1", "other", "Paid", false)], None))).await;
    let err = fake
        .gateway
        .status(&StatusQuery::OrderId("mine".into()))
        .await
        .unwrap_err();
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
}

fn card() -> StoredCardRef {
    StoredCardRef::new("user-1", "card-1")
}

/// A stored-card charge whose `charge_with_token` answer has no `succeeded`, and whose
/// sale then reads `read_back` (an HTTP status and body).
async fn stored_charge_without_succeeded(
    read_back: (u16, String),
) -> Result<odeme_core::Payment, Error> {
    let fake = scripted(move |method, target| match (method, target) {
        ("POST", "/api/v2/sale/") => (201, sale("s1", "order-1", "Created", false)),
        ("POST", "/api/v2/charge_with_token/") => (200, r#"{"sale_token": "s1"}"#.to_owned()),
        ("GET", "/api/v2/sale/s1/") => read_back.clone(),
        _ => (404, r#"{"detail": "Not found."}"#.to_owned()),
    })
    .await;
    fake.gateway
        .charge_stored_card(&stored_charge("order-1", "7.00", &card()))
        .await
}

#[tokio::test]
async fn a_charge_answer_without_succeeded_is_not_a_success() {
    // The sale cannot be read back: nothing says the money was taken.
    let err = stored_charge_without_succeeded((503, "<html>busy</html>".into()))
        .await
        .unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    // The sale reads back as not yet charged: still unknown.
    let err = stored_charge_without_succeeded((200, sale("s1", "order-1", "Created", false)))
        .await
        .unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
    // The sale reads back as paid: the document's own test of success.
    let paid = stored_charge_without_succeeded((200, sale("s1", "order-1", "Paid", false)))
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(paid.captured, try_money("7.00"));
}

#[tokio::test]
async fn a_capture_answer_without_succeeded_is_an_unknown_outcome() {
    let fake = scripted(|method, target| match (method, target) {
        ("GET", "/api/v2/sale/s1/") => (200, sale("s1", "order-1", "PreAuthorized", true)),
        ("POST", "/api/v2/capture/") => (200, r#"{"sale_token": "s1", "amount": "7.00"}"#.into()),
        _ => (404, r#"{"detail": "Not found."}"#.to_owned()),
    })
    .await;
    let err = fake
        .gateway
        .capture(&CaptureRequest {
            payment_id: "s1".into(),
            amount: None,
        })
        .await
        .unwrap_err();
    assert!(err.is_unknown_outcome(), "{err:?}");
}

#[tokio::test]
async fn a_failed_sale_on_a_partly_read_list_is_not_the_answer() {
    // The order's failed attempt is on the first page; a paid sale could be on the unread
    // rest, so answering "failed" would invite a second charge.
    let failed = scripted(|_, _| {
        (
            200,
            page(
                &[sale("t1", "mine", "Declined", false)],
                Some("https://elsewhere.example/api/v2/vault/?page=2"),
            ),
        )
    })
    .await;
    let err = failed
        .gateway
        .status(&StatusQuery::OrderId("mine".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                kind: RejectionKind::Other,
                ..
            }
        ),
        "{err:?}"
    );
    // A paid sale is the order's answer even with the rest unread (30120: one sale per order).
    let paid = scripted(|_, _| {
        (
            200,
            page(
                &[sale("t2", "mine", "Paid", false)],
                Some("https://elsewhere.example/api/v2/vault/?page=2"),
            ),
        )
    })
    .await;
    let found = paid
        .gateway
        .status(&StatusQuery::OrderId("mine".into()))
        .await
        .unwrap();
    assert_eq!(found.status, PaymentStatus::Succeeded);
}
