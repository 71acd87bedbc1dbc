//! Craftgate: its documented sandbox error cards and the simulator's additions.

use std::net::SocketAddr;
use std::sync::Arc;

use odeme::craftgate::{CraftgateConfig, CraftgateGateway};
use odeme::{Capability, Currency, Gateway, ProviderId, TransportConfig};
use odeme_sandbox::craftgate::CraftgateSimulator;
use odeme_sandbox::Simulator;

use crate::profile::{
    BoxFuture, DeclineCase, Family, NotificationSpec, Profile, SandboxSim, SignatureAt, TestCard,
};

struct Sim(CraftgateSimulator);

impl SandboxSim for Sim {
    fn sim(&self) -> &dyn Simulator {
        &self.0
    }

    fn gateway(&self, transport: TransportConfig) -> odeme::Result<Arc<dyn Gateway>> {
        let c = self.0.credentials();
        let config = CraftgateConfig::new(&c.api_key, &c.secret_key)
            .with_base_url(self.0.base_url())
            .with_transport(transport)
            .with_three_ds_callback_key(&c.three_ds_callback_key)
            .with_webhook_key(&c.webhook_key);
        Ok(Arc::new(CraftgateGateway::new(config)?))
    }

    fn secrets(&self) -> Vec<String> {
        let c = self.0.credentials();
        vec![
            c.secret_key.clone(),
            c.webhook_key.clone(),
            c.three_ds_callback_key.clone(),
        ]
    }

    fn send_notifications_to(&self, url: &str) -> bool {
        self.0.set_webhook_url(Some(url.to_owned()));
        true
    }
}

fn start() -> BoxFuture<'static, std::io::Result<Box<dyn SandboxSim>>> {
    Box::pin(async {
        let sim = CraftgateSimulator::start(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        Ok(Box::new(Sim(sim)) as Box<dyn SandboxSim>)
    })
}

const fn decline(family: Family, number: &'static str) -> DeclineCase {
    DeclineCase {
        family,
        card: TestCard { number, cvc: "123" },
        installments: 1,
        three_ds_failure: false,
    }
}

/// Craftgate's profile.
pub static PROFILE: Profile = Profile {
    provider: ProviderId::Craftgate,
    currency: Currency::TRY,
    foreign_currency: None,
    card: TestCard { number: "5258640000000001", cvc: "123" },
    second_card: TestCard { number: "4546710000000007", cvc: "123" },
    any_cvc_card: TestCard { number: "5258640000000001", cvc: "739" },
    installment_bin: "525864",
    installment_metadata: &[],
    declines: &[
        decline(Family::InsufficientFunds, "5100050000006661"),
        decline(Family::ExpiredCard, "5163080000006662"),
        decline(Family::InvalidCvc, "5164580000006660"),
        decline(Family::DoNotHonour, "5100560000006669"),
        decline(Family::LostOrStolen, "5136620000006669"),
        decline(Family::Fraud, "5192610000006661"),
        DeclineCase {
            family: Family::ThreeDsFailure,
            card: TestCard { number: "5200350000006664", cvc: "123" },
            installments: 1,
            three_ds_failure: true,
        },
        DeclineCase {
            family: Family::InvalidInstallment,
            card: TestCard { number: "5200330000006666", cvc: "123" },
            installments: 3,
            three_ds_failure: false,
        },
    ],
    charge_path: "/payment/v1/card-payments",
    refund_path: "/payment/v1/refund",
    notifications: Some(NotificationSpec {
        signed_fields: &["eventType", "eventTimestamp", "status", "payloadId"],
        signature: SignatureAt::Header("x-cg-signature-v1"),
        ack_body: None,
    }),
    missing_in_docs: &[(
        Capability::RecurringPlans,
        "Craftgate's card-payment documents and official clients describe no provider-side plan; recurring is a charge on a stored card.",
    )],
    known_gaps: &[],
    start,
};
