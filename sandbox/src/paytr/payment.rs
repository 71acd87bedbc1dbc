//! `POST /odeme`: Direct API payments — Non-3D (sync mode JSON or browser redirect),
//! 3-D Secure through the simulated bank page, card storage, stored cards and recurring.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;
use time::OffsetDateTime;

use super::form::Form;
use super::responses::{odeme_refusal, post_to_fail_url, redirect};
use super::settle::settle;
use super::state::{Ack, BankSession, CardSummary, Order, OrderStatus, StoreRequest};
use super::test_cards::{self, Attempt, BankChoice, Verdict};
use super::token::verify_request;
use super::validate::{self, CardSource, PaymentRequest};
use super::Shared;
use crate::util::{random_digits, random_hex};

/// The message every bad or missing `paytr_token` gets.
pub(crate) const BAD_TOKEN: &str = "paytr_token gonderilmedi veya gecersiz";

/// The card as resolved for this attempt.
struct ResolvedCard {
    summary: CardSummary,
    cvv: Option<String>,
    expired: bool,
}

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::from_request(&headers, &body);
    let credentials = &shared.credentials;
    if form.text("merchant_id") != credentials.merchant_id {
        return odeme_refusal("Gecersiz merchant_id veya magaza aktif degil");
    }
    let signed = [
        "merchant_id",
        "user_ip",
        "merchant_oid",
        "email",
        "payment_amount",
        "payment_type",
        "installment_count",
        "currency",
        "test_mode",
        "non_3d",
    ]
    .map(|name| form.text(name));
    if !verify_request(credentials, &signed, form.get("paytr_token")) {
        return odeme_refusal(BAD_TOKEN);
    }
    let request = match validate::payment_request(&form) {
        Ok(request) => request,
        // Without debug_on PayTR hides integration errors behind code 99.
        Err(_) if !form.flag("debug_on") => {
            return odeme_refusal("İşlem başarısız: Teknik entegrasyon hatası (99)")
        }
        Err(reason) => return odeme_refusal(reason),
    };
    let card = match resolve_card(&shared, &request) {
        Ok(card) => card,
        Err(reason) => return odeme_refusal(reason),
    };
    if let Err(reason) = open_order(&shared, &request, &card) {
        return odeme_refusal(reason);
    }
    let attempt = Attempt {
        three_d: None,
        synchronous: request.sync_mode || request.recurring,
        installments: request.installments,
        cvv: card.cvv.as_deref(),
        expired: card.expired,
        stored: matches!(request.card, CardSource::Stored { .. }),
    };
    if !request.non_3d {
        return start_three_d(&shared, &request, &card, attempt);
    }
    let verdict = if request.non3d_test_failed {
        Verdict::Declined {
            decline: test_cards::NON3D_TEST_FAILED,
            soft: false,
        }
    } else {
        approval_verdict(
            &shared,
            &request.merchant_oid,
            &card,
            test_cards::verdict(card.summary.behaviour, attempt),
        )
    };
    let tokens = settle(&shared, &request.merchant_oid, verdict);
    if request.sync_mode || request.recurring {
        return json_answer(&request, verdict, tokens);
    }
    match verdict {
        Verdict::Declined { decline, .. } => post_to_fail_url(&request.fail_url, decline.msg),
        Verdict::Approved | Verdict::Wait => redirect(&request.ok_url, "Ödeme Başarılı."),
    }
}

/// The JSON answer of sync mode and recurring payments.
fn json_answer(
    request: &PaymentRequest,
    verdict: Verdict,
    tokens: Option<(String, String)>,
) -> Response {
    let mut body = match verdict {
        Verdict::Approved => json!({ "status": "success", "msg": "Ödeme Başarılı." }),
        Verdict::Wait => {
            json!({ "status": "wait_callback", "msg": "Ödeme Kontrol Ediliyor, Bildirimi Bekleyin." })
        }
        Verdict::Declined { decline, soft } => {
            let mut body = json!({ "status": "failed", "msg": decline.msg });
            if request.recurring {
                body["try_again"] = json!(soft);
            }
            body
        }
    };
    if let (Some((utoken, ctoken)), false) = (tokens, matches!(verdict, Verdict::Declined { .. })) {
        body["utoken"] = json!(utoken);
        body["ctoken"] = json!(ctoken);
    }
    super::responses::json(body)
}

fn resolve_card(shared: &Shared, request: &PaymentRequest) -> Result<ResolvedCard, String> {
    let now = OffsetDateTime::now_utc();
    let store = shared.store();
    if let Some(Some(utoken)) = &request.store_card {
        if !store.users.contains_key(utoken) {
            return Err("Gecersiz utoken: bu kullanici icin kayitli kart bulunamadi".into());
        }
    }
    match &request.card {
        CardSource::Entered(card) => {
            let summary = CardSummary {
                bin: card.number.chars().take(6).collect(),
                last4: card
                    .number
                    .chars()
                    .skip(card.number.len().saturating_sub(4))
                    .collect(),
                month: card.month.clone(),
                year: card.year.clone(),
                owner: card.owner.clone(),
                behaviour: test_cards::behaviour(&card.number),
            };
            Ok(ResolvedCard {
                expired: validate::expired(&card.month, &card.year, now),
                summary,
                cvv: Some(card.cvv.clone()),
            })
        }
        CardSource::Stored {
            utoken,
            ctoken,
            cvv,
        } => {
            let stored = store
                .users
                .get(utoken)
                .and_then(|cards| cards.iter().find(|c| &c.ctoken == ctoken))
                .ok_or("Kayitli kart bulunamadi (utoken veya ctoken gecersiz)")?;
            // A recurring charge is Non3D and asks nothing of the customer, and `cvv` is not
            // among the CAPI document's recurring fields: require_cvv binds only the
            // customer-present stored-card payment.
            if stored.require_cvv && cvv.is_none() && !request.recurring {
                return Err(
                    "Bu kayitli kart ile odeme icin cvv gonderilmelidir (require_cvv=1)".into(),
                );
            }
            Ok(ResolvedCard {
                expired: validate::expired(&stored.card.month, &stored.card.year, now),
                summary: stored.card.clone(),
                cvv: cvv.clone(),
            })
        }
    }
}

fn open_order(
    shared: &Shared,
    request: &PaymentRequest,
    card: &ResolvedCard,
) -> Result<(), String> {
    let mut store = shared.store();
    if store.orders.contains_key(&request.merchant_oid) {
        return Err(format!(
            "Bu siparis numarasi (merchant_oid) daha once kullanilmis: {}",
            request.merchant_oid
        ));
    }
    // A stored card is not stored again.
    let store_request = match (&request.store_card, &request.card) {
        (Some(utoken), CardSource::Entered(_)) => Some(StoreRequest {
            utoken: utoken.clone(),
        }),
        _ => None,
    };
    store.orders.insert(
        request.merchant_oid.clone(),
        Order {
            merchant_oid: request.merchant_oid.clone(),
            reference: random_digits(10),
            amount: request.amount,
            currency: request.currency.clone(),
            installments: request.installments,
            test_mode: request.test_mode,
            payment_type: request.payment_type.clone(),
            status: OrderStatus::Pending,
            failure: None,
            card: card.summary.clone(),
            store: store_request,
            stored: None,
            refunds: Vec::new(),
            ack: Ack::NotYet,
            created: OffsetDateTime::now_utc(),
            ok_url: request.ok_url.clone(),
            fail_url: request.fail_url.clone(),
        },
    );
    Ok(())
}

/// The card's verdict, unless an approval rule of the simulator declines this charge: then
/// the bank's "insufficient funds" (a soft decline).
fn approval_verdict(
    shared: &Shared,
    merchant_oid: &str,
    card: &ResolvedCard,
    verdict: Verdict,
) -> Verdict {
    match shared
        .controls
        .approval
        .declines(merchant_oid, &card.summary.bin)
    {
        Some(true) => Verdict::Declined {
            decline: test_cards::INSUFFICIENT_FUNDS,
            soft: true,
        },
        _ => verdict,
    }
}

fn start_three_d(
    shared: &Shared,
    request: &PaymentRequest,
    card: &ResolvedCard,
    attempt: Attempt<'_>,
) -> Response {
    let verified = Attempt {
        three_d: Some(BankChoice::Success),
        synchronous: false,
        ..attempt
    };
    let session = BankSession {
        merchant_oid: request.merchant_oid.clone(),
        verdict_if_verified: approval_verdict(
            shared,
            &request.merchant_oid,
            card,
            test_cards::verdict(card.summary.behaviour, verified),
        ),
    };
    let id = random_hex(32);
    shared.store().bank_sessions.insert(id.clone(), session);
    redirect(
        &format!("/odeme/3d/{id}"),
        "3D Secure dogrulama sayfasina yonlendiriliyorsunuz",
    )
}
