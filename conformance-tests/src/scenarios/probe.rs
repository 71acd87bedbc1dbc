//! Probes every capability the gateway does not declare: each must answer with the typed
//! unsupported error, without sending anything.

use odeme::{
    CancelPlanRequest, CancelRequest, Capability, CaptureRequest, Card, CardOwner, ChargeRequest,
    DeleteCardRequest, Error, GatewayExt, InboundRequest, InstallmentQuery, ItemRefund, LineItem,
    ListCardsRequest, Money, PaymentSource, PlanRequest, RecurringPeriod, RefundRequest,
    StatusQuery, StoreCardMode, StoreCardRequest, StoredCardRef,
};
use rust_decimal::Decimal;

use crate::fixtures::{card, charge, money};
use crate::harness::Env;

/// Valid-looking requests for the probes.
struct Requests {
    sale: ChargeRequest,
    stored: ChargeRequest,
    card: Card,
    ten: Money,
}

async fn attempt(env: &Env, capability: Capability, r: &Requests) -> Result<(), Error> {
    let g = &env.gateway;
    match capability {
        Capability::Charge => g.require_charges()?.charge(&r.sale).await.map(drop),
        Capability::PreAuthorize => g
            .require_charges()?
            .charge(&r.sale.clone().pre_authorize())
            .await
            .map(drop),
        Capability::Capture => g
            .require_charges()?
            .capture(&CaptureRequest {
                payment_id: "P1".into(),
                amount: None,
            })
            .await
            .map(drop),
        Capability::Cancel => g
            .require_charges()?
            .cancel(&CancelRequest {
                payment_id: "P1".into(),
                reason: None,
            })
            .await
            .map(drop),
        Capability::Refund => g
            .require_refunds()?
            .refund(&RefundRequest::full("P1"))
            .await
            .map(drop),
        Capability::PartialRefund => g
            .require_refunds()?
            .refund(&RefundRequest::partial("P1", r.ten))
            .await
            .map(drop),
        Capability::ItemRefund => {
            let mut request = RefundRequest::full("P1");
            request.items = vec![ItemRefund {
                transaction_id: "T1".into(),
                amount: None,
            }];
            g.require_refunds()?.refund(&request).await.map(drop)
        }
        Capability::ThreeDSecure => g
            .require_charges()?
            .charge(&r.sale.clone().with_three_ds(&env.return_url()))
            .await
            .map(drop),
        Capability::StoreCardOnCharge => g
            .require_charges()?
            .charge(&r.sale.clone().with_store_card(StoreCardMode::NewCustomer))
            .await
            .map(drop),
        Capability::StoreCard => {
            let request = StoreCardRequest {
                card: r.card.clone(),
                owner: CardOwner::New {
                    external_id: None,
                    email: None,
                },
                label: None,
            };
            g.require_cards()?.store_card(&request).await.map(drop)
        }
        Capability::ListCards => g
            .require_cards()?
            .list_cards(&ListCardsRequest::new("U1"))
            .await
            .map(drop),
        Capability::DeleteCard => {
            g.require_cards()?
                .delete_card(&DeleteCardRequest {
                    card: StoredCardRef::new("U1", "C1"),
                })
                .await
        }
        Capability::ChargeStoredCard => g
            .require_stored_card_charges()?
            .charge_stored_card(&r.stored)
            .await
            .map(drop),
        Capability::RecurringCharge => g
            .require_recurring()?
            .recurring_charge(&r.stored)
            .await
            .map(drop),
        Capability::RecurringPlans => {
            let request = PlanRequest {
                charge: r.sale.clone(),
                name: "Monthly".into(),
                period: RecurringPeriod::Monthly,
                frequency: 1,
                start_date: None,
            };
            let recurring = g.require_recurring()?;
            recurring.create_plan(&request).await?;
            recurring
                .cancel_plan(&CancelPlanRequest {
                    plan_id: "PL1".into(),
                    subscription_ids: vec![],
                })
                .await
                .map(drop)
        }
        Capability::StatusByOrderId => g
            .require_status_query()?
            .status(&StatusQuery::OrderId("ORDER1".into()))
            .await
            .map(drop),
        Capability::StatusByPaymentId => g
            .require_status_query()?
            .status(&StatusQuery::PaymentId("P1".into()))
            .await
            .map(drop),
        Capability::Installments => g
            .require_installments()?
            .installments(&InstallmentQuery {
                bin: None,
                amount: r.ten,
            })
            .await
            .map(drop),
        Capability::Notifications => g
            .require_notifications()?
            .verify_notification(&InboundRequest::post("a=b"))
            .map(drop),
        Capability::SubMerchantSplits => {
            let request = r.sale.clone().with_items(vec![
                LineItem::new("Item", r.ten, 1).with_split("SM1", r.ten)
            ]);
            let request = ChargeRequest {
                amount: r.ten,
                ..request
            };
            g.require_charges()?.charge(&request).await.map(drop)
        }
        Capability::InstallmentPayments => g
            .require_charges()?
            .charge(&crate::fixtures::in_installments(env, r.sale.clone(), 3))
            .await
            .map(drop),
        other => Err(Error::Configuration(format!(
            "the suite has no probe for `{other}`"
        ))),
    }
}

/// Every undeclared capability must answer unsupported and send nothing; returns what
/// disagrees.
pub async fn undeclared(env: &Env) -> Vec<String> {
    let declared = env.gateway.capabilities();
    let requests = match (
        charge(env, Decimal::new(1000, 2)),
        card(env.profile.card),
        money(env, Decimal::new(1000, 2)),
    ) {
        (Ok(sale), Ok(card), Ok(ten)) => {
            let mut stored = sale.clone();
            stored.order_id.push('S');
            stored.source = PaymentSource::StoredCard {
                card: StoredCardRef::new("U1", "C1"),
                cvc: None,
            };
            Requests {
                sale,
                stored,
                card,
                ten,
            }
        }
        _ => return vec!["cannot build the probe requests".into()],
    };
    let mut problems = Vec::new();
    for capability in Capability::ALL
        .iter()
        .copied()
        .filter(|c| !declared.supports(*c))
    {
        let before = env.requests_seen();
        match attempt(env, capability, &requests).await {
            Err(Error::Unsupported {
                capability: named, ..
            }) if !declared.supports(named) => {}
            other => problems.push(format!(
                "`{capability}` is not declared, but using it gave {other:?}"
            )),
        }
        if env.requests_seen() != before {
            problems.push(format!(
                "`{capability}` is not declared, but using it sent a request"
            ));
        }
    }
    problems
}
