//! With `tracing` captured at the most verbose level for a whole lifecycle and every
//! error's `Debug` and `Display` collected, no PAN, CVC or secret appears anywhere.

use odeme::{GatewayExt, RefundRequest, StatusQuery};
use odeme_sandbox::Fault;
use rust_decimal::Decimal;

use crate::ensure;
use crate::fixtures::{charge_with, in_installments, money};
use crate::harness::{fail, Check, Env};

/// Whether `needle` (a CVC) occurs in `text` as a value of its own.
///
/// A three-digit CVC also turns up by chance inside other tokens of a long log: the hex
/// order ids in request paths (`…/sale/1b5a739f…`), decimals, longer numbers, and the
/// transport's own `elapsed_ms=` timings. Those are not card data, and counting them made
/// this check fail at random, so an occurrence counts only when no letter, digit or
/// decimal point joins it to its neighbours and it is not a measured duration.
fn contains_number(text: &str, needle: &str) -> bool {
    let bytes = text.as_bytes();
    let joins = |at: Option<usize>, beyond: Option<usize>| {
        let Some(next) = at.and_then(|i| bytes.get(i)) else {
            return false;
        };
        next.is_ascii_alphanumeric()
            || (*next == b'.'
                && beyond
                    .and_then(|i| bytes.get(i))
                    .is_some_and(u8::is_ascii_digit))
    };
    text.match_indices(needle).any(|(at, _)| {
        let end = at + needle.len();
        let before = joins(at.checked_sub(1), at.checked_sub(2));
        let after = joins(Some(end), Some(end + 1));
        let timing = text[..at].ends_with("elapsed_ms=");
        !before && !after && !timing
    })
}

/// Runs a lifecycle with successes, a decline, an invalid request and unknown outcomes,
/// returning every `Debug`/`Display` text it produced.
async fn lifecycle(env: &Env) -> Vec<String> {
    let mut seen = Vec::new();
    let profile = env.profile;
    let Ok(charges) = env.gateway.require_charges() else {
        return seen;
    };
    if let Ok(request) = charge_with(env, profile.any_cvc_card, Decimal::new(10000, 2)) {
        seen.push(format!("{request:?}"));
        match charges.charge(&request).await {
            Ok(payment) => {
                seen.push(format!("{payment:?}"));
                if let (Ok(refunds), Ok(part)) = (
                    env.gateway.require_refunds(),
                    money(env, Decimal::new(1000, 2)),
                ) {
                    let refund = refunds
                        .refund(&RefundRequest::partial(&payment.id, part))
                        .await;
                    seen.push(format!("{refund:?}"));
                }
                if let Ok(status) = env.gateway.require_status_query() {
                    let now = status
                        .status(&StatusQuery::OrderId(payment.order_id.clone()))
                        .await;
                    seen.push(format!("{now:?}"));
                }
            }
            Err(error) => seen.push(format!("{error:?} {error}")),
        }
    }
    for case in profile.declines {
        if let Ok(request) = charge_with(env, case.card, Decimal::new(5000, 2)) {
            let result = charges
                .charge(&in_installments(env, request, case.installments))
                .await;
            seen.push(format!("{result:?}"));
            if let Err(error) = result {
                seen.push(error.to_string());
            }
        }
    }
    if let Ok(mut request) = charge_with(env, profile.any_cvc_card, Decimal::new(10000, 2)) {
        request.customer.email = "not-an-email".into();
        if let Err(error) = charges.charge(&request).await {
            seen.push(format!("{error:?} {error}"));
        }
    }
    for fault in [
        Fault::MalformedJson,
        Fault::TruncatedJson,
        Fault::HtmlServerErrorAfterProcessing(500),
    ] {
        env.sandbox
            .sim()
            .faults()
            .inject_on(profile.charge_path, fault);
        if let Ok(request) = charge_with(env, profile.any_cvc_card, Decimal::new(2000, 2)) {
            if let Err(error) = charges.charge(&request).await {
                seen.push(format!("{error:?} {error}"));
            }
        }
    }
    seen
}

pub(crate) async fn no_secrets(env: &Env) -> Check {
    let log = crate::capture::install()
        .ok_or_else(|| fail("cannot capture tracing: another global subscriber is installed"))?;
    let start = log.len();
    let texts = lifecycle(env).await;
    let during = log.text_from(start);
    let marker = format!("provider={}", env.profile.provider);
    ensure!(
        during.contains(&marker),
        "the lifecycle logged nothing at TRACE level with `{marker}`"
    );
    ensure!(
        texts.len() >= 5,
        "the lifecycle produced too little to inspect: {texts:?}"
    );
    // The whole run's log so far, not only this lifecycle's: a secret must not leak in
    // any scenario.
    let logs = log.text_from(0);
    let profile = env.profile;
    let mut secrets: Vec<(String, String)> = env
        .sandbox
        .secrets()
        .into_iter()
        .map(|s| ("a configured secret".to_owned(), s))
        .collect();
    let mut cards = vec![profile.any_cvc_card, profile.card];
    cards.extend(profile.declines.iter().map(|d| d.card));
    for card in &cards {
        secrets.push(("a PAN".into(), card.number.to_owned()));
        secrets.push(("a PAN without its BIN".into(), card.number[6..].to_owned()));
    }
    let corpus = format!("{logs}\n{}", texts.join("\n"));
    for (what, secret) in &secrets {
        if let Some(at) = corpus.find(secret.as_str()) {
            let start = corpus[..at]
                .char_indices()
                .rev()
                .nth(60)
                .map_or(0, |(i, _)| i);
            return Err(fail(format!("{what} leaked: …{}…", &corpus[start..at])));
        }
    }
    let cvc = profile.any_cvc_card.cvc;
    ensure!(
        !contains_number(&corpus, cvc),
        "the CVC {cvc} appears in the logs or errors"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::contains_number;

    #[test]
    fn a_cvc_written_as_a_value_is_found() {
        for text in [
            "cvc=739 x",
            "739",
            "cvv=739&installment=0",
            r#"{"cvc":"739"}"#,
            r#"Card { cvc: "739" }"#,
            "rejected the CVC 739.",
            "(739)",
        ] {
            assert!(contains_number(text, "739"), "{text}");
        }
    }

    #[test]
    fn a_cvc_inside_another_token_is_not() {
        for text in [
            "port 17390",
            "1739",
            "path=/api/v2/sale/1b5a739f2c/",
            "id=739abc",
            "amount=0.739",
            "version 739.1",
            "provider answered status=200 elapsed_ms=739",
        ] {
            assert!(!contains_number(text, "739"), "{text}");
        }
    }
}
