//! Paytrek: the document's test cards and the simulator's decline cards
//! (`sandbox/docs/paytrek.md`).

use std::net::SocketAddr;
use std::sync::Arc;

use odeme::paytrek::{PaytrekConfig, PaytrekGateway};
use odeme::{Capability, Currency, Gateway, ProviderId, TransportConfig};
use odeme_sandbox::paytrek::PaytrekSimulator;
use odeme_sandbox::Simulator;

use crate::profile::{BoxFuture, DeclineCase, Family, Profile, SandboxSim, TestCard};

struct Sim(PaytrekSimulator);

impl SandboxSim for Sim {
    fn sim(&self) -> &dyn Simulator {
        &self.0
    }

    fn gateway(&self, transport: TransportConfig) -> odeme::Result<Arc<dyn Gateway>> {
        let c = self.0.credentials();
        let config = PaytrekConfig::new(&c.api_key, &c.secret)
            .with_base_url(self.0.base_url())
            .with_transport(transport);
        Ok(Arc::new(PaytrekGateway::new(config)?))
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.0.credentials().secret.clone()]
    }

    fn send_notifications_to(&self, _url: &str) -> bool {
        false
    }
}

fn start() -> BoxFuture<'static, std::io::Result<Box<dyn SandboxSim>>> {
    Box::pin(async {
        let sim = PaytrekSimulator::start(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
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

/// Paytrek's profile.
pub static PROFILE: Profile = Profile {
    provider: ProviderId::Paytrek,
    currency: Currency::TRY,
    foreign_currency: Some(Currency::JPY),
    // The document's Akbank card: of its four test cards only Akbank and Finansbank have a
    // 3-D password, and the suite's 3-D Secure scenarios charge `card`.
    card: TestCard { number: "4355084355084358", cvc: "000" },
    second_card: TestCard { number: "5456165456165454", cvc: "000" },
    any_cvc_card: TestCard { number: "4111111111111111", cvc: "739" },
    installment_bin: "450803",
    installment_metadata: &[],
    declines: &[
        decline(Family::InsufficientFunds, "4000000000009995"),
        decline(Family::ExpiredCard, "4000000000000069"),
        decline(Family::InvalidCvc, "4000000000000127"),
        decline(Family::DoNotHonour, "4000000000000002"),
        decline(Family::LostOrStolen, "4000000000009987"),
        decline(Family::Fraud, "4100000000000019"),
        DeclineCase {
            family: Family::ThreeDsFailure,
            card: TestCard { number: "4355084355084358", cvc: "000" },
            installments: 1,
            three_ds_failure: true,
        },
        DeclineCase {
            family: Family::InvalidInstallment,
            card: TestCard { number: "4000566555665555", cvc: "123" },
            installments: 3,
            three_ds_failure: false,
        },
    ],
    charge_path: "/api/v2/direct_charge/",
    refund_path: "/api/v2/refund/",
    notifications: None,
    missing_in_docs: &[
        (Capability::Notifications, "The Paytrek v2 document describes no webhook or signed callback; `callback_url` is always null."),
        (Capability::ItemRefund, "Paytrek v2 refunds a sale by amount only; there is no item-level refund endpoint."),
        (Capability::SubMerchantSplits, "Paytrek v2 has no sub-merchants or payout splits."),
    ],
    known_gaps: &[],
    start,
};
