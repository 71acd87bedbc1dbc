//! The sandbox simulators reading whatever a client sends them: the fuzz input picks a
//! simulator's route, a path parameter and a body, posted over loopback (Paytrek with its
//! Basic auth, Craftgate signed as its clients sign, PayTR as it is: its hash is in the
//! body). Never a panic (libFuzzer aborts on one, in any task) and never a 500: a bad
//! request is the client's error, answered as the provider would.
#![no_main]

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use odeme_sandbox::{Sandbox, Simulator};
use sha2::{Digest, Sha256};
use tokio::runtime::Runtime;

/// (simulator, method, path) with `{}` where a path parameter goes.
const ROUTES: &[(u8, &str, &str)] = &[
    (0, "POST", "/api/v2/sale/"),
    (0, "GET", "/api/v2/sale/{}/"),
    (0, "POST", "/api/v2/charge/"),
    (0, "POST", "/api/v2/direct_charge/"),
    (0, "POST", "/api/v2/charge_with_token/"),
    (0, "POST", "/api/v2/vault/"),
    (0, "GET", "/api/v2/vault/{}/"),
    (0, "DELETE", "/api/v2/vault/{}/"),
    (0, "POST", "/api/v2/capture/"),
    (0, "POST", "/api/v2/cancel/"),
    (0, "POST", "/api/v2/refund/"),
    (0, "POST", "/api/v2/subscription_plan/"),
    (0, "GET", "/api/v2/subscription_plan/{}/"),
    (0, "POST", "/api/v2/installments/"),
    (0, "GET", "/bank/3ds/{}"),
    (0, "POST", "/bank/3ds/{}"),
    (1, "POST", "/odeme"),
    (1, "GET", "/odeme/3d/{}"),
    (1, "POST", "/odeme/3d/{}"),
    (1, "POST", "/odeme/capi/list"),
    (1, "POST", "/odeme/capi/delete"),
    (1, "POST", "/odeme/iade"),
    (1, "POST", "/odeme/durum-sorgu"),
    (1, "POST", "/odeme/api/bin-detail"),
    (1, "POST", "/odeme/taksit-oranlari"),
    (2, "POST", "/payment/v1/card-payments"),
    (2, "POST", "/payment/v1/card-payments/3ds-init"),
    (2, "POST", "/payment/v1/card-payments/3ds-complete"),
    (2, "GET", "/payment/v1/card-payments/{}"),
    (2, "POST", "/payment/v1/card-payments/{}/post-auth"),
    (2, "POST", "/payment/v1/refunds"),
    (2, "GET", "/payment/v1/refunds/{}"),
    (2, "POST", "/payment/v1/refund-transactions"),
    (2, "GET", "/payment/v1/refund-transactions/{}"),
    (2, "POST", "/payment/v1/cards"),
    (2, "POST", "/payment/v1/cards/delete"),
    (2, "GET", "/installment/v1/installments?{}"),
    (2, "GET", "/installment/v1/bins/{}"),
    (2, "GET", "/payment-reporting/v1/payments?{}"),
    (2, "GET", "/payment-reporting/v1/payments/{}"),
    (2, "GET", "/payment-reporting/v1/payments/{}/refunds"),
    (2, "GET", "/payment-reporting/v1/payments/{}/transactions"),
    (2, "GET", "/payment-reporting/v1/refund-transactions?{}"),
];

struct World {
    runtime: Runtime,
    sandbox: Sandbox,
    client: reqwest::Client,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let sandbox = runtime.block_on(Sandbox::start()).expect("the sandbox");
        World {
            runtime,
            sandbox,
            client: reqwest::Client::new(),
        }
    })
}

fn sha256_base64(text: &[u8]) -> String {
    STANDARD.encode(Sha256::digest(text))
}

fuzz_target!(|input: (u8, String, Vec<u8>)| {
    let (pick, parameter, body) = input;
    let world = world();
    let (simulator, method, template) = ROUTES[usize::from(pick) % ROUTES.len()];
    let parameter: String = url::form_urlencoded::byte_serialize(parameter.as_bytes()).collect();
    let path = template.replace("{}", &parameter);
    let base = match simulator {
        0 => world.sandbox.paytrek.base_url(),
        1 => world.sandbox.paytr.base_url(),
        _ => world.sandbox.craftgate.base_url(),
    };
    let url = format!("{base}{path}");
    let Ok(method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return;
    };
    let mut request = world.client.request(method, &url);
    match simulator {
        0 => {
            let credentials = world.sandbox.paytrek.credentials();
            request = request
                .basic_auth(&credentials.api_key, Some(&credentials.secret))
                .header("content-type", "application/json");
        }
        1 => request = request.header("content-type", "application/x-www-form-urlencoded"),
        _ => {
            let credentials = world.sandbox.craftgate.credentials();
            let random = "fuzzrandomkey";
            let mut signed = percent_decode(&url).into_bytes();
            signed.extend_from_slice(credentials.api_key.as_bytes());
            signed.extend_from_slice(credentials.secret_key.as_bytes());
            signed.extend_from_slice(random.as_bytes());
            signed.extend_from_slice(&body);
            request = request
                .header("x-api-key", &credentials.api_key)
                .header("x-rnd-key", random)
                .header("x-auth-version", "v1")
                .header("x-signature", sha256_base64(&signed))
                .header("content-type", "application/json");
        }
    }
    let status = world
        .runtime
        .block_on(async move { request.body(body).send().await.map(|r| r.status()) });
    if let Ok(status) = status {
        assert_ne!(status.as_u16(), 500, "{url} answered 500");
    }
});

/// The URL with its percent-escapes decoded, as Craftgate's clients sign it.
fn percent_decode(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
