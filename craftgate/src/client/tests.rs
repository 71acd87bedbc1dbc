//! Tests of the configuration, the calls and the client's attempts and keys.

use super::*;
use odeme_core::RequestKind;

#[test]
fn environments_and_base_url_override() {
    let c = CraftgateConfig::new("k", "s");
    assert_eq!(c.base_url(), "https://sandbox-api.craftgate.io");
    let c = c.with_environment(Environment::Production);
    assert_eq!(c.base_url(), "https://api.craftgate.io");
    let c = c.with_base_url("http://127.0.0.1:9999/");
    assert_eq!(c.base_url(), "http://127.0.0.1:9999");
    assert!(c.validate().is_ok());
}

#[test]
fn invalid_configuration_is_refused() {
    assert!(matches!(
        CraftgateConfig::new("", "s").validate(),
        Err(Error::Configuration(_))
    ));
    assert!(matches!(
        CraftgateConfig::new("k", " ").validate(),
        Err(Error::Configuration(_))
    ));
    assert!(matches!(
        CraftgateConfig::new("k", "s")
            .with_base_url("not a url")
            .validate(),
        Err(Error::Configuration(_))
    ));
    assert!(matches!(
        CraftgateConfig::new("k", "s")
            .with_base_url("ftp://x")
            .validate(),
        Err(Error::Configuration(_))
    ));
}

#[test]
fn debug_hides_every_key() {
    let c = CraftgateConfig::new("api-key-1", "secret-key-1")
        .with_three_ds_callback_key("callback-key-1")
        .with_webhook_key("webhook-key-1");
    let shown = format!("{c:?}");
    assert!(shown.contains("api-key-1"));
    for secret in ["secret-key-1", "callback-key-1", "webhook-key-1"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[test]
fn signed_request_matches_the_official_algorithm() {
    let config =
        CraftgateConfig::new("api-key", "secret-key").with_base_url("http://localhost:8000");
    let call = Call {
        method: "POST",
        path: "/payment/v1/cards".into(),
        body: Some(br#"{"cardUserKey":"de050909-39a9-473c-a81a-f186dd55cfef"}"#.to_vec()),
        operation: "store_card",
        kind: RequestKind::Write,
        reference: Some("r".into()),
        idempotency_key: Some("idem-1".into()),
        key_per_body: false,
    };
    let request = build_request(&config, &call, "1234");
    // Vector #10 of the notes: the idempotency key is not part of the signature.
    assert_eq!(
        request.header_value("x-signature"),
        Some("kQm62AfjXCw6rS6QBCLXta9tV1GqD/SXsAlYP+cEhG8=")
    );
    assert_eq!(request.header_value("x-idempotency-key"), Some("idem-1"));
    assert_eq!(request.header_value("x-auth-version"), Some("v1"));
    assert_eq!(request.reference.as_deref(), Some("r"));
    let get = Call::get("/installment/v1/installments".into(), "installments");
    let request = build_request(&config, &get, "1234");
    assert_eq!(
        request.header_value("x-signature"),
        Some("uK7LkWOEzVH+Px/YOiMuSXvPkHLR4KoA7PuykXcYovQ=")
    );
    assert_eq!(request.header_value("content-type"), None);
    assert!(request.body.is_none());
}

#[test]
fn per_body_keys_follow_the_body_and_the_secret() {
    let config = CraftgateConfig::new("api-key", "secret-key");
    let call =
        |body: &str| Call::write("/x".into(), &body, "charge", "o", "odeme-o:x".into()).unwrap();
    let exact = call("a");
    assert_eq!(
        idempotency_key(&config, &exact).as_deref(),
        Some("odeme-o:x")
    );
    let a = idempotency_key(&config, &call("a").keyed_per_body()).unwrap();
    assert!(
        a.starts_with("odeme-o:x:") && a.len() == "odeme-o:x:".len() + 16,
        "{a}"
    );
    assert_eq!(
        idempotency_key(&config, &call("a").keyed_per_body()).unwrap(),
        a
    );
    assert_ne!(
        idempotency_key(&config, &call("b").keyed_per_body()).unwrap(),
        a
    );
    let other_secret = CraftgateConfig::new("api-key", "other-secret");
    assert_ne!(
        idempotency_key(&other_secret, &call("a").keyed_per_body()).unwrap(),
        a
    );
}

#[test]
fn a_refused_key_moves_on_and_an_unknown_one_stays() {
    let config = CraftgateConfig::new("api-key", "secret-key");
    let call = Call::write("/x".into(), &"a", "charge", "o", "odeme-o:x".into()).unwrap();
    let attempts = Attempts::default();
    let key = idempotency_key(&config, &call).unwrap();
    assert_eq!(attempts.current(&key), 0);
    assert_eq!(
        attempt_key(&config, &call, attempts.current(&key)).as_deref(),
        Some("odeme-o:x")
    );
    attempts.refused(&key, 0);
    assert_eq!(
        attempt_key(&config, &call, attempts.current(&key)).as_deref(),
        Some("odeme-o:x:2")
    );
    // A late refusal of attempt 0 (a replay arriving after attempt 1 went out) must not
    // skip attempt 1, whose outcome may still be unknown.
    attempts.refused(&key, 0);
    assert_eq!(attempts.current(&key), 1);
    attempts.refused(&key, 1);
    let request = build_attempt(&config, &call, "r", attempts.current(&key));
    assert_eq!(
        request.header_value("x-idempotency-key"),
        Some("odeme-o:x:3")
    );
    // Other keys are untouched.
    assert_eq!(attempts.current("odeme-p:x"), 0);
}

#[test]
fn only_answers_that_prove_no_effect_move_a_key_on() {
    let duplicate = Error::Provider {
        provider: ProviderId::Craftgate,
        kind: RejectionKind::Duplicate,
        code: Some("1007".into()),
        message: "idempotency key reused with another request".into(),
        http_status: Some(422),
    };
    assert!(
        !moves_key_on(&duplicate),
        "the key's first use may have gone through"
    );
    let unknown = Error::UnknownOutcome {
        provider: ProviderId::Craftgate,
        operation: "charge".into(),
        reference: None,
        reason: "timed out".into(),
    };
    assert!(!moves_key_on(&unknown));
    let decline = Error::declined(odeme_core::Decline::new(
        ProviderId::Craftgate,
        odeme_core::DeclineReason::InsufficientFunds,
    ));
    assert!(moves_key_on(&decline));
    assert!(moves_key_on(&Error::invalid("card.number", "bad")));
}

/// A one-route server that answers each request with the next of `statuses` (a
/// Craftgate error envelope) and records the `x-idempotency-key` of each.
async fn refusing_server(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let keys = Arc::new(Mutex::new(Vec::new()));
    let seen = keys.clone();
    tokio::spawn(async move {
        for status in statuses {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 16 * 1024];
            let mut len = 0;
            loop {
                let n = socket.read(&mut buf[len..]).await.unwrap();
                len = len.saturating_add(n);
                let text = String::from_utf8_lossy(&buf[..len]).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let head = text[..end].to_ascii_lowercase();
                    let body_len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map(|v| v.trim().parse().unwrap())
                        .unwrap_or(0);
                    if len >= end.saturating_add(4).saturating_add(body_len) || n == 0 {
                        let key = head
                            .lines()
                            .find_map(|l| l.strip_prefix("x-idempotency-key:"))
                            .map(|v| v.trim().to_owned())
                            .unwrap_or_default();
                        seen.lock().unwrap().push(key);
                        break;
                    }
                }
            }
            let body = r#"{"errors":{"errorCode":"5101","errorDescription":"refused"}}"#;
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
        }
    });
    (base, keys)
}

#[tokio::test]
async fn refused_post_auth_and_whole_refund_keys_move_on_unknown_ones_stay() {
    // 422 (refused), 500 (unknown), then more refusals.
    let (base, keys) = refusing_server(vec![422, 500, 422, 422, 422]).await;
    let client =
        Client::new(CraftgateConfig::new("api-key", "secret-key").with_base_url(&base)).unwrap();
    let context = ErrorContext::payment("7", true);
    let capture = crate::card_payment::post_auth_call(
        7,
        &odeme_core::Money::new(rust_decimal::Decimal::ONE, odeme_core::Currency::TRY).unwrap(),
    )
    .unwrap();
    let refused = client
        .call::<serde_json::Value>(&capture, &context)
        .await
        .unwrap_err();
    assert!(!refused.is_unknown_outcome(), "{refused:?}");
    let unknown = client
        .call::<serde_json::Value>(&capture, &context)
        .await
        .unwrap_err();
    assert!(unknown.is_unknown_outcome(), "{unknown:?}");
    client
        .call::<serde_json::Value>(&capture, &context)
        .await
        .unwrap_err();
    let whole = crate::refund::whole_call(7, None).unwrap();
    for _ in 0..2 {
        client
            .call::<serde_json::Value>(&whole, &context)
            .await
            .unwrap_err();
    }
    assert_eq!(
        *keys.lock().unwrap(),
        [
            "post-auth:7",
            // After the refusal: a new key; after the unknown outcome: the same one.
            "post-auth:7:2",
            "post-auth:7:2",
            "refund:7:whole",
            "refund:7:whole:2"
        ]
    );
}

#[test]
fn query_strings_use_percent_twenty() {
    assert_eq!(
        query(&[("name", "Zeytinyağı Üretim".into()), ("a", "b&c".into())]),
        "name=Zeytinya%C4%9F%C4%B1%20%C3%9Cretim&a=b%26c"
    );
    let config =
        CraftgateConfig::new("api-key", "secret-key").with_base_url("http://localhost:8000");
    let call = Call::get(
        format!(
            "/onboarding/v1/members?{}",
            query(&[("name", "Zeytinyağı Üretim".into())])
        ),
        "x",
    );
    // Vector #11 of the notes: the decoded UTF-8 URL is what is signed.
    assert_eq!(
        build_request(&config, &call, "1234").header_value("x-signature"),
        Some("vxYA+5LH3F4m8tHQA2LpVBwzVgCqGRHue4XAgcVjjYQ=")
    );
}
