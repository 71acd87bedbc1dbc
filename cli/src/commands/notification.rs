//! `verify-notification` and `complete-3ds`: a raw inbound request from a file or standard
//! input, checked by the provider's adapter.

use odeme::{CompleteThreeDsRequest, GatewayExt, InboundRequest, ProviderId};

use super::Context;
use crate::args::{CompleteThreeDsArgs, NotificationFormat, RawRequestArgs, VerifyArgs};
use crate::exit::{CliError, CliResult};
use crate::output::Outcome;

/// The header Craftgate sends a webhook's signature in.
pub const CRAFTGATE_SIGNATURE_HEADER: &str = "x-cg-signature-v1";

/// Verifies the notification and reports what it says.
pub fn verify(args: &VerifyArgs, ctx: &mut Context<'_>) -> CliResult<Outcome> {
    let request = read_request(&args.raw, ctx)?;
    let notification = ctx
        .gateway
        .require_notifications()?
        .verify_notification(&request)?;
    Ok(Outcome::Notification(Box::new(notification)))
}

/// Verifies the browser's return and settles the 3-D Secure payment.
pub async fn complete_three_ds(
    args: &CompleteThreeDsArgs,
    ctx: &mut Context<'_>,
) -> CliResult<Outcome> {
    let callback = read_request(&args.raw, ctx)?;
    let currency = args
        .currency
        .as_deref()
        .map(crate::requests::currency)
        .transpose()?;
    let request = CompleteThreeDsRequest {
        order_id: args.order_id.clone(),
        payment_id: args.payment_id.clone(),
        callback,
        currency,
    };
    let payment = ctx
        .gateway
        .require_three_ds()?
        .complete_three_ds(&request)
        .await?;
    Ok(Outcome::Payment(Box::new(payment)))
}

/// The raw request from the file or standard input, with its headers.
fn read_request(args: &RawRequestArgs, ctx: &mut Context<'_>) -> CliResult<InboundRequest> {
    let raw = match &args.file {
        Some(path) => std::fs::read(path).map_err(|e| {
            CliError::input(format!("cannot read the file {}: {e}", path.display()))
        })?,
        None => ctx.input.read_all()?,
    };
    let mut request = inbound(&raw, args.format)?;
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .filter(|(name, _)| !name.trim().is_empty())
            .ok_or_else(|| CliError::input(format!("--header `{header}` is not `NAME: VALUE`")))?;
        request = request.with_header(name.trim(), value.trim());
    }
    if let Some(signature) = &args.signature {
        match ctx.gateway.provider() {
            ProviderId::Craftgate => request = request.with_header(CRAFTGATE_SIGNATURE_HEADER, signature.trim()),
            other => {
                return Err(CliError::input(format!(
                    "--signature is for Craftgate webhooks; {other} signs its notifications inside the body"
                )))
            }
        }
    }
    Ok(request)
}

/// The request the provider would have sent, from its raw text.
fn inbound(raw: &[u8], format: NotificationFormat) -> CliResult<InboundRequest> {
    // Files and terminals add a final newline the provider never sent.
    let text = std::str::from_utf8(raw)
        .map_err(|_| CliError::input("the notification is not UTF-8 text"))?
        .trim();
    if text.is_empty() {
        return Err(CliError::input(
            "the notification is empty: give it on standard input or with --file",
        ));
    }
    let format = match format {
        NotificationFormat::Auto if text.starts_with('{') => NotificationFormat::Json,
        NotificationFormat::Auto if text.starts_with('?') => NotificationFormat::Query,
        NotificationFormat::Auto => NotificationFormat::Form,
        chosen => chosen,
    };
    Ok(match format {
        NotificationFormat::Json => {
            serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
                CliError::input(format!("the notification is not valid JSON ({e})"))
            })?;
            InboundRequest::post(text.as_bytes().to_vec())
                .with_header("content-type", "application/json")
        }
        NotificationFormat::Query => InboundRequest::get(text),
        _ => InboundRequest::post(text.as_bytes().to_vec())
            .with_header("content-type", "application/x-www-form-urlencoded"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_detected() {
        let json = inbound(b"{\"eventType\":\"API_AUTH\"}\n", NotificationFormat::Auto).unwrap();
        assert_eq!(json.method, "POST");
        assert_eq!(json.header("content-type"), Some("application/json"));
        let query = inbound(b"?status=SUCCESS&paymentId=5\n", NotificationFormat::Auto).unwrap();
        assert_eq!(query.method, "GET");
        assert_eq!(query.param("paymentId").as_deref(), Some("5"));
        let form = inbound(
            b"merchant_oid=A1&status=success&hash=x%2By\n",
            NotificationFormat::Auto,
        )
        .unwrap();
        assert_eq!(
            form.param("hash").as_deref(),
            Some("x+y"),
            "no trailing newline in the last value"
        );
        let forced = inbound(b"status=SUCCESS", NotificationFormat::Query).unwrap();
        assert_eq!(forced.query.as_deref(), Some("status=SUCCESS"));
    }

    #[test]
    fn bad_input_is_named() {
        assert!(inbound(b"  \n", NotificationFormat::Auto)
            .unwrap_err()
            .to_string()
            .contains("empty"));
        assert!(inbound(b"{not json", NotificationFormat::Auto)
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
        assert!(inbound(&[0xff, 0xfe], NotificationFormat::Form)
            .unwrap_err()
            .to_string()
            .contains("UTF-8"));
    }
}
