//! What the examples share: gateways pointed at the embedded sandbox, a sample customer,
//! and a scripted "customer's browser" that clicks through the simulated 3-D Secure bank
//! page where a real customer would. None of this talks to anything but 127.0.0.1.

#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use odeme::craftgate::{CraftgateConfig, CraftgateGateway};
use odeme::paytr::{PaytrConfig, PaytrGateway};
use odeme::paytrek::{PaytrekConfig, PaytrekGateway};
use odeme::{Address, Customer, Gateway, RefundStatus};
use odeme_sandbox::{Sandbox, Simulator};

/// A Paytrek gateway on the sandbox's Paytrek simulator.
pub fn paytrek(sandbox: &Sandbox) -> odeme::Result<Arc<dyn Gateway>> {
    let c = sandbox.paytrek.credentials();
    let config =
        PaytrekConfig::new(&c.api_key, &c.secret).with_base_url(sandbox.paytrek.base_url());
    Ok(Arc::new(PaytrekGateway::new(config)?))
}

/// A PayTR gateway on the sandbox's PayTR simulator. PayTR wants return URLs on every
/// payment, even ones that never send a browser anywhere.
pub fn paytr(sandbox: &Sandbox) -> odeme::Result<Arc<dyn Gateway>> {
    let c = sandbox.paytr.credentials();
    let config = PaytrConfig::new(
        &c.merchant_id,
        c.merchant_key.as_str(),
        c.merchant_salt.as_str(),
    )
    .with_base_url(sandbox.paytr.base_url())
    .with_test_mode(true)
    .with_return_urls("http://127.0.0.1:8080/paid", "http://127.0.0.1:8080/failed");
    Ok(Arc::new(PaytrGateway::new(config)?))
}

/// A Craftgate gateway on the sandbox's Craftgate simulator.
pub fn craftgate(sandbox: &Sandbox) -> odeme::Result<Arc<dyn Gateway>> {
    let c = sandbox.craftgate.credentials();
    let config = CraftgateConfig::new(&c.api_key, &c.secret_key)
        .with_base_url(sandbox.craftgate.base_url())
        .with_three_ds_callback_key(&c.three_ds_callback_key)
        .with_webhook_key(&c.webhook_key);
    Ok(Arc::new(CraftgateGateway::new(config)?))
}

/// A test card each simulator approves: (number, CVC).
pub fn test_card(gateway: &dyn Gateway) -> (&'static str, &'static str) {
    match gateway.provider().as_str() {
        // Akbank: one of the two document cards enrolled in 3-D Secure.
        "paytrek" => ("4355084355084358", "000"),
        "paytr" => ("4355084355084358", "000"),
        _ => ("5258640000000001", "123"),
    }
}

/// The customer of every example.
pub fn customer() -> Customer {
    Customer::new(
        "Ayse",
        "Yilmaz",
        "ayse.yilmaz@example.com",
        IpAddr::V4(Ipv4Addr::new(85, 34, 78, 112)),
    )
    .with_phone("+905350000000")
}

/// A billing address (PayTR and Paytrek require one).
pub fn billing() -> Address {
    Address {
        line1: "Bagdat Caddesi 1".into(),
        line2: None,
        city: "Istanbul".into(),
        state: None,
        postal_code: Some("34710".into()),
        country: "TR".into(),
    }
}

/// A unique, alphanumeric order id (PayTR accepts nothing else).
pub fn order_id(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 10_000_000_000)
        .unwrap_or(0);
    format!("{prefix}{nanos}")
}

/// A refund's state in words (`RefundStatus` has no `Display`; its `Debug` is for
/// developers, not for output).
pub fn refund_status(status: RefundStatus) -> &'static str {
    match status {
        RefundStatus::Succeeded => "succeeded",
        RefundStatus::Pending => "pending",
        RefundStatus::Failed => "failed",
        _ => "in an unknown state",
    }
}

/// The customer's browser, scripted: it loads a page, submits self-submitting forms,
/// follows redirects and, on the simulated bank page, presses the button labelled
/// `choice` ("success" or "failure"). It stops at the first URL under `stop_at` and
/// returns that page's body.
pub async fn browse(start_url: &str, choice: &str, stop_at: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let mut request = client.get(start_url);
    let mut url = url::Url::parse(start_url).map_err(|e| e.to_string())?;
    for _ in 0..12 {
        if url.host_str() != Some("127.0.0.1") {
            return Err(format!("refusing to leave the loopback: {url}"));
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        if let Some(location) = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
        {
            url = url.join(location).map_err(|e| e.to_string())?;
            request = client.get(url.clone());
            continue;
        }
        let body = response.text().await.map_err(|e| e.to_string())?;
        if url.as_str().starts_with(stop_at) {
            return Ok(body);
        }
        let forms = forms(&body);
        let form = if forms.len() == 1 {
            forms.into_iter().next()
        } else {
            forms.into_iter().find(|f| f.2.contains(choice))
        };
        if let Some((action, fields, _)) = form {
            url = if action.is_empty() {
                url.clone()
            } else {
                url.join(&action).map_err(|e| e.to_string())?
            };
            request = client.post(url.clone()).form(&fields);
        } else if let Some(target) = meta_refresh(&body) {
            url = url.join(&target).map_err(|e| e.to_string())?;
            request = client.get(url.clone());
        } else {
            return Err(format!("nothing to click on {url}"));
        }
    }
    Err("the browser went round in circles".into())
}

/// One form of a page: its action, its fields and its HTML.
type Form = (String, Vec<(String, String)>, String);

/// The forms of a page.
fn forms(html: &str) -> Vec<Form> {
    html.split("<form")
        .skip(1)
        .map(|rest| {
            let block = rest.split("</form>").next().unwrap_or(rest);
            let open = block.split('>').next().unwrap_or("");
            let fields = block
                .split("<input")
                .skip(1)
                .filter_map(|tag| {
                    let tag = tag.split('>').next().unwrap_or("");
                    Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()))
                })
                .collect();
            (
                attr(open, "action").unwrap_or_default(),
                fields,
                block.to_owned(),
            )
        })
        .collect()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let value = tag[start..].split('"').next()?;
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

fn meta_refresh(html: &str) -> Option<String> {
    let at = html.find("http-equiv=\"refresh\"")?;
    let rest = &html[at..];
    let url_at = rest.find("url=")? + 4;
    Some(rest[url_at..].split('"').next()?.to_owned())
}
