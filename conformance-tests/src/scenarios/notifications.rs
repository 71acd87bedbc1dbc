//! Notifications and webhooks: a genuine one verifies and is answered as the provider
//! wants; every tampered copy fails verification.

use std::time::Duration;

use odeme::{Error, GatewayExt, InboundRequest, PaymentStatus};
use rust_decimal::Decimal;

use crate::harness::{fail, Check, Env, Fail};
use crate::profile::SignatureAt;
use crate::receiver::NOTIFY_PATH;
use crate::scenarios::lifecycle::paid;
use crate::{ensure, ensure_eq};

pub(crate) async fn verify(env: &Env) -> Check {
    let verifier = env.gateway.require_notifications()?;
    let spec = env.profile.notifications.ok_or_else(|| {
        fail("the gateway verifies notifications but the profile knows none its simulator sends")
    })?;
    ensure!(
        env.sandbox
            .send_notifications_to(&env.receiver.url(NOTIFY_PATH)),
        "the simulator cannot send notifications"
    );
    let payment = paid(env, Decimal::new(7500, 2)).await?;
    let got = env
        .receiver
        .wait_for(NOTIFY_PATH, 0, Duration::from_secs(10), |_| true)
        .await
        .ok_or_else(|| fail("no notification arrived within 10 s of the payment"))?;

    let notification = verifier.verify_notification(&got.request)?;
    ensure_eq!(
        notification.provider,
        env.profile.provider,
        "notification provider"
    );
    ensure!(
        notification.order_id.as_deref() == Some(payment.order_id.as_str())
            || notification.payment_id.as_deref() == Some(payment.id.as_str()),
        "the notification names neither the order nor the payment: {notification:?}"
    );
    ensure_eq!(
        notification.status,
        PaymentStatus::Succeeded,
        "notified status"
    );
    ensure!(!notification.event_key.is_empty(), "no event key");
    let again = verifier.verify_notification(&got.request)?;
    ensure_eq!(
        again.event_key,
        notification.event_key,
        "event key of a repeated notification"
    );
    if let Some(body) = spec.ack_body {
        let ack = notification
            .acknowledgement
            .as_ref()
            .ok_or_else(|| fail("no acknowledgement to answer with"))?;
        ensure_eq!(ack.body.as_str(), body, "acknowledgement body");
        ensure_eq!(ack.status, 200, "acknowledgement status");
    }
    ensure_eq!(
        got.answered,
        200,
        "the merchant's answer to the genuine notification"
    );

    let mut tampered = Vec::new();
    for field in spec.signed_fields {
        tampered.push((
            format!("field `{field}` changed"),
            tamper_field(&got.request, field)?,
        ));
    }
    let forged = match spec.signature {
        SignatureAt::Field(name) => tamper_field(&got.request, name)?,
        SignatureAt::Header(name) => tamper_header(&got.request, name)?,
    };
    tampered.push(("signature forged".into(), forged));
    let mut stripped = got.request.clone();
    if let SignatureAt::Header(name) = spec.signature {
        stripped
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    } else if let SignatureAt::Field(name) = spec.signature {
        stripped = remove_field(&stripped, name);
    }
    tampered.push(("signature removed".into(), stripped));
    for (what, request) in tampered {
        match verifier.verify_notification(&request) {
            Err(Error::SignatureMismatch(_)) => {}
            other => {
                return Err(fail(format!(
                    "{what}: expected a signature mismatch, got {other:?}"
                )))
            }
        }
    }
    Ok(())
}

fn altered(value: &str) -> String {
    match value {
        "success" => "failed".into(),
        "failed" => "success".into(),
        "SUCCESS" => "FAILURE".into(),
        "FAILURE" => "SUCCESS".into(),
        v if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u128 = v.parse().unwrap_or(0);
            (n + 1).to_string()
        }
        v => format!("{v}X"),
    }
}

/// A copy of `request` with `field` changed in the form body, the JSON body or the query.
pub(crate) fn tamper_field(request: &InboundRequest, field: &str) -> Result<InboundRequest, Fail> {
    let mut copy = request.clone();
    if let Ok(serde_json::Value::Object(mut map)) =
        serde_json::from_slice::<serde_json::Value>(&request.body)
    {
        if let Some(value) = map.get_mut(field) {
            *value = match value {
                serde_json::Value::String(s) => serde_json::Value::String(altered(s)),
                serde_json::Value::Number(n) => n
                    .as_i64()
                    .map_or(serde_json::Value::from(0), |i| (i + 1).into()),
                _ => serde_json::Value::String("tampered".into()),
            };
            copy.body = serde_json::to_vec(&map)
                .map_err(|e| fail(format!("cannot re-encode JSON: {e}")))?;
            return Ok(copy);
        }
    }
    let form = request.form_pairs();
    if form.iter().any(|(k, _)| k == field) {
        copy.body = encode(
            form.iter()
                .map(|(k, v)| (k.clone(), if k == field { altered(v) } else { v.clone() })),
        )
        .into_bytes();
        return Ok(copy);
    }
    let query = request.query_pairs();
    if query.iter().any(|(k, _)| k == field) {
        copy.query = Some(encode(query.iter().map(|(k, v)| {
            (k.clone(), if k == field { altered(v) } else { v.clone() })
        })));
        return Ok(copy);
    }
    Err(fail(format!("the notification has no field `{field}`")))
}

fn remove_field(request: &InboundRequest, field: &str) -> InboundRequest {
    let mut copy = request.clone();
    if let Ok(serde_json::Value::Object(mut map)) =
        serde_json::from_slice::<serde_json::Value>(&request.body)
    {
        map.remove(field);
        copy.body = serde_json::to_vec(&map).unwrap_or_default();
        return copy;
    }
    copy.body = encode(request.form_pairs().into_iter().filter(|(k, _)| k != field)).into_bytes();
    copy.query = request.query.as_ref().map(|_| {
        encode(
            request
                .query_pairs()
                .into_iter()
                .filter(|(k, _)| k != field),
        )
    });
    copy
}

fn tamper_header(request: &InboundRequest, name: &str) -> Result<InboundRequest, Fail> {
    let mut copy = request.clone();
    let header = copy
        .headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .ok_or_else(|| fail(format!("the notification has no header `{name}`")))?;
    header.1 = altered(&header.1);
    Ok(copy)
}

fn encode(pairs: impl Iterator<Item = (String, String)>) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tampers_form_json_query_and_headers() {
        let form =
            InboundRequest::post("merchant_oid=A1&status=success&total_amount=3456&hash=abc");
        let changed = tamper_field(&form, "status").unwrap();
        assert!(changed
            .form_pairs()
            .contains(&("status".into(), "failed".into())));
        let changed = tamper_field(&form, "total_amount").unwrap();
        assert!(changed
            .form_pairs()
            .contains(&("total_amount".into(), "3457".into())));
        assert!(tamper_field(&form, "missing").is_err());

        let json = InboundRequest::post(
            r#"{"eventType":"API_AUTH","eventTimestamp":17,"status":"SUCCESS"}"#,
        )
        .with_header("x-cg-signature-v1", "sig");
        let changed = tamper_field(&json, "eventTimestamp").unwrap();
        let value: serde_json::Value = serde_json::from_slice(&changed.body).unwrap();
        assert_eq!(value["eventTimestamp"], 18);
        assert_eq!(value["status"], "SUCCESS");
        let forged = tamper_header(&json, "X-CG-Signature-V1").unwrap();
        assert_eq!(forged.header("x-cg-signature-v1"), Some("sigX"));

        let query = InboundRequest::get("token=abc&status=1");
        let changed = tamper_field(&query, "token").unwrap();
        assert!(changed
            .query_pairs()
            .contains(&("token".into(), "abcX".into())));
        let stripped = remove_field(&form, "hash");
        assert!(stripped.form_pairs().iter().all(|(k, _)| k != "hash"));
    }
}
