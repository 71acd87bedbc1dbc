//! A minimal scripted browser: it performs a payment's [`NextAction`], picks an answer on a
//! simulated bank page and follows redirects and self-submitting forms until the customer
//! lands back on the merchant's site. Loopback only.

use std::time::Duration;

use odeme::NextAction;
use reqwest::header::LOCATION;
use url::Url;

/// What the customer does on the bank's 3-D Secure page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankChoice {
    /// Enters the right code.
    Success,
    /// Enters a wrong code.
    Failure,
}

impl BankChoice {
    /// Words a simulated bank page uses to label this choice's form, best first.
    fn keywords(self) -> &'static [&'static str] {
        match self {
            BankChoice::Success => &["success", "approve", "verify"],
            BankChoice::Failure => &["failure", "fail", "decline", "reject"],
        }
    }
}

/// One HTML form: where it goes and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The `action`, as written.
    pub action: String,
    /// `GET` or `POST`.
    pub method: String,
    /// The named inputs with their values.
    pub fields: Vec<(String, String)>,
    /// The form's raw HTML, for choosing between forms.
    pub html: String,
}

/// The forms of an HTML page.
pub fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<form").map(|i| i + at) {
        let end = lower[start..]
            .find("</form>")
            .map_or(html.len(), |i| start + i + "</form>".len());
        let block = &html[start..end];
        let open_end = block.find('>').unwrap_or(block.len());
        let open = &block[..open_end];
        let action = attribute(open, "action").unwrap_or_default();
        let method = attribute(open, "method")
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        let fields = inputs(block);
        out.push(Form {
            action,
            method,
            fields,
            html: block.to_owned(),
        });
        at = end;
    }
    out
}

fn inputs(block: &str) -> Vec<(String, String)> {
    let lower = block.to_ascii_lowercase();
    let mut fields = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<input").map(|i| i + at) {
        let end = block[start..].find('>').map_or(block.len(), |i| start + i);
        let tag = &block[start..end];
        if let Some(name) = attribute(tag, "name") {
            fields.push((name, attribute(tag, "value").unwrap_or_default()));
        }
        at = end;
    }
    fields
}

/// The value of attribute `name` in a start tag, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = lower[at..].find(name).map(|i| i + at) {
        let before_ok = found == 0 || lower.as_bytes()[found - 1].is_ascii_whitespace();
        let rest = tag[found + name.len()..].trim_start();
        if before_ok && rest.starts_with('=') {
            let value = rest[1..].trim_start();
            let (quote, body) = match value.chars().next() {
                Some(q @ ('"' | '\'')) => (Some(q), &value[1..]),
                _ => (None, value),
            };
            let raw = match quote {
                Some(q) => body.split(q).next().unwrap_or_default(),
                None => body
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or_default(),
            };
            return Some(unescape(raw));
        }
        at = found + name.len();
    }
    None
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Where the browser's journey ended.
#[derive(Debug, Clone)]
pub struct Landing {
    /// The last URL requested: the merchant's return or failure URL.
    pub url: String,
    /// Every URL the browser requested, in order.
    pub trail: Vec<String>,
}

/// A browser that stops as soon as it reaches `merchant_base`.
pub struct Browser {
    client: reqwest::Client,
    merchant_base: String,
}

enum Step {
    Get(String),
    Post(String, Vec<(String, String)>),
}

impl Browser {
    /// A browser that stops when a request goes to `merchant_base` (`http://127.0.0.1:port`).
    pub fn new(merchant_base: &str) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .map_err(|e| format!("cannot build the browser: {e}"))?;
        Ok(Self {
            client,
            merchant_base: merchant_base.trim_end_matches('/').to_owned(),
        })
    }

    /// Performs `action`, answers the bank page with `choice`, and follows the browser back
    /// to the merchant.
    pub async fn complete(
        &self,
        action: &NextAction,
        choice: BankChoice,
    ) -> Result<Landing, String> {
        let mut trail = Vec::new();
        let mut base: Option<Url> = None;
        let mut step = match action {
            NextAction::Redirect { url } => Step::Get(url.clone()),
            NextAction::PostForm { url, fields } => Step::Post(
                url.clone(),
                fields
                    .iter()
                    .map(|f| (f.name.clone(), f.value.clone()))
                    .collect(),
            ),
            NextAction::Html { html } => self.choose(None, html, choice)?,
            other => return Err(format!("unknown next action {other:?}")),
        };
        for _ in 0..12 {
            let (url, request) = match step {
                Step::Get(url) => {
                    let url = resolve(base.as_ref(), &url)?;
                    (url.clone(), self.client.get(url))
                }
                Step::Post(url, fields) => {
                    let url = resolve(base.as_ref(), &url)?;
                    (url.clone(), self.client.post(url).form(&fields))
                }
            };
            if !is_loopback(&url) {
                return Err(format!("refusing to leave the loopback: {url}"));
            }
            trail.push(url.to_string());
            let response = request
                .send()
                .await
                .map_err(|e| format!("browser request failed: {e}"))?;
            if url.as_str().starts_with(&self.merchant_base) {
                return Ok(Landing {
                    url: url.to_string(),
                    trail,
                });
            }
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| format!("redirect without Location from {url}"))?
                    .to_owned();
                base = Some(url);
                step = Step::Get(location);
                continue;
            }
            let body = response
                .text()
                .await
                .map_err(|e| format!("cannot read {url}: {e}"))?;
            if !status.is_success() {
                return Err(format!(
                    "HTTP {status} from {url}: {}",
                    body.chars().take(200).collect::<String>()
                ));
            }
            step = self.choose(Some(&url), &body, choice)?;
            base = Some(url);
        }
        Err(format!(
            "the browser never came back to the merchant; trail: {trail:?}"
        ))
    }

    /// The next step on a page: the form labelled with the bank choice when there are
    /// several, else the page's only form (a self-submitting one).
    fn choose(&self, page: Option<&Url>, html: &str, choice: BankChoice) -> Result<Step, String> {
        let forms = forms(html);
        let form = if forms.len() == 1 {
            forms.into_iter().next()
        } else {
            choice.keywords().iter().find_map(|word| {
                forms
                    .iter()
                    .find(|f| f.html.to_ascii_lowercase().contains(word))
                    .cloned()
            })
        };
        let Some(form) = form else {
            if let Some(url) = meta_refresh(html) {
                return Ok(Step::Get(url));
            }
            let from = page.map(Url::to_string).unwrap_or_default();
            return Err(format!(
                "no form to submit on the page {from}: {}",
                html.chars().take(300).collect::<String>()
            ));
        };
        let action = if form.action.is_empty() {
            page.map(Url::to_string).unwrap_or_default()
        } else {
            form.action
        };
        Ok(if form.method == "POST" {
            Step::Post(action, form.fields)
        } else {
            Step::Get(with_query(&action, &form.fields))
        })
    }
}

fn meta_refresh(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let at = lower.find("http-equiv=\"refresh\"")?;
    let tag_start = lower[..at].rfind('<')?;
    let tag_end = lower[at..].find('>')? + at;
    let content = attribute(&html[tag_start..tag_end], "content")?;
    let url = content
        .split_once("url=")
        .or_else(|| content.split_once("URL="))?
        .1;
    Some(url.trim().to_owned())
}

fn with_query(action: &str, fields: &[(String, String)]) -> String {
    if fields.is_empty() {
        return action.to_owned();
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let joiner = if action.contains('?') { '&' } else { '?' };
    format!("{action}{joiner}{query}")
}

fn resolve(base: Option<&Url>, target: &str) -> Result<Url, String> {
    match base {
        Some(base) => base.join(target),
        None => Url::parse(target),
    }
    .map_err(|e| format!("bad URL {target}: {e}"))
}

fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_forms_and_picks_by_choice() {
        let html = r#"<form id="success" method="post" action="/odeme/3d/ab"><input type="hidden" name="result" value="success"></form>
<FORM id='failure' method=POST action="/odeme/3d/ab?x=1&amp;y=2"><input name="result" value="failure"/></FORM>"#;
        let found = forms(html);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].method, "POST");
        assert_eq!(
            found[0].fields,
            vec![("result".to_owned(), "success".to_owned())]
        );
        assert_eq!(found[1].action, "/odeme/3d/ab?x=1&y=2");
        let browser = Browser::new("http://127.0.0.1:1").unwrap();
        match browser.choose(None, html, BankChoice::Failure).unwrap() {
            Step::Post(action, fields) => {
                assert_eq!(action, "/odeme/3d/ab?x=1&y=2");
                assert_eq!(fields[0].1, "failure");
            }
            Step::Get(url) => panic!("expected a POST, got GET {url}"),
        }
    }

    #[test]
    fn follows_meta_refresh_and_refuses_other_hosts() {
        let html = r#"<html><head><meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/x"></head></html>"#;
        assert_eq!(meta_refresh(html).as_deref(), Some("http://127.0.0.1:9/x"));
        assert!(!is_loopback(
            &Url::parse("https://www.paytr.com/odeme").unwrap()
        ));
        assert!(is_loopback(&Url::parse("http://127.0.0.1:5/").unwrap()));
    }
}
