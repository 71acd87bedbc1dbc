//! PayTR: the official test cards and the simulator's decline cards
//! (`sandbox/docs/paytr.md`).

use std::net::SocketAddr;
use std::sync::Arc;

use odeme::paytr::{PaytrConfig, PaytrGateway};
use odeme::{Capability, Currency, Gateway, ProviderId, TransportConfig};
use odeme_sandbox::paytr::PaytrSimulator;
use odeme_sandbox::Simulator;

use crate::profile::{
    BoxFuture, DeclineCase, Family, NotificationSpec, Profile, SandboxSim, SignatureAt, TestCard,
};

struct Sim(PaytrSimulator);

impl SandboxSim for Sim {
    fn sim(&self) -> &dyn Simulator {
        &self.0
    }

    fn gateway(&self, transport: TransportConfig) -> odeme::Result<Arc<dyn Gateway>> {
        let c = self.0.credentials();
        // Non-3D charges still need PayTR's return URLs; the browser never goes there.
        let config = PaytrConfig::new(
            &c.merchant_id,
            c.merchant_key.as_str(),
            c.merchant_salt.as_str(),
        )
        .with_base_url(self.0.base_url())
        .with_transport(transport)
        .with_test_mode(true)
        .with_return_urls("http://127.0.0.1:9/ok", "http://127.0.0.1:9/fail");
        Ok(Arc::new(PaytrGateway::new(config)?))
    }

    fn secrets(&self) -> Vec<String> {
        let c = self.0.credentials();
        vec![c.merchant_key.clone(), c.merchant_salt.clone()]
    }

    fn send_notifications_to(&self, url: &str) -> bool {
        self.0.set_notification_url(url).is_ok()
    }
}

fn start() -> BoxFuture<'static, std::io::Result<Box<dyn SandboxSim>>> {
    Box::pin(async {
        let sim = PaytrSimulator::start_with(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            Default::default(),
            Default::default(),
        )
        .await?;
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

/// PayTR's profile.
pub static PROFILE: Profile = Profile {
    provider: ProviderId::Paytr,
    currency: Currency::TRY,
    foreign_currency: Some(Currency::JPY),
    card: TestCard { number: "4355084355084358", cvc: "000" },
    second_card: TestCard { number: "5406675406675403", cvc: "000" },
    any_cvc_card: TestCard { number: "4111111111111111", cvc: "739" },
    installment_bin: "435508",
    // None: the adapter finds the card program (`card_type`) by the BIN itself.
    installment_metadata: &[],
    declines: &[
        decline(Family::InsufficientFunds, "4355080000000013"),
        decline(Family::ExpiredCard, "4355080000000021"),
        decline(Family::InvalidCvc, "4355080000000039"),
        decline(Family::DoNotHonour, "4355080000000047"),
        decline(Family::LostOrStolen, "4355080000000054"),
        decline(Family::Fraud, "4355080000000062"),
        DeclineCase {
            family: Family::ThreeDsFailure,
            card: TestCard { number: "4355080000000070", cvc: "123" },
            installments: 1,
            three_ds_failure: true,
        },
        DeclineCase {
            family: Family::InvalidInstallment,
            card: TestCard { number: "4355080000000088", cvc: "123" },
            installments: 3,
            three_ds_failure: false,
        },
    ],
    charge_path: "/odeme",
    refund_path: "/odeme/iade",
    notifications: Some(NotificationSpec {
        signed_fields: &["merchant_oid", "status", "total_amount"],
        signature: SignatureAt::Field("hash"),
        ack_body: Some("OK"),
    }),
    missing_in_docs: &[
        (Capability::PreAuthorize, "PayTR's documents (Direct API, CAPI, refund, status) describe sales only: neither they nor provider-notes/paytr.md mention a pre-authorization (ön provizyon)."),
        (Capability::Capture, "No pre-authorization, so nothing to capture: PayTR documents no capture call."),
        (Capability::Cancel, "PayTR documents no void/cancel endpoint (provider-notes/paytr.md §0 lists every endpoint); money goes back through the refund API (`/odeme/iade`)."),
        (Capability::StoreCard, "CAPI stores a card only during a payment (`store_card=1`); there is no store-without-payment call."),
        (Capability::RecurringPlans, "PayTR has no provider-side plans; recurring charges are merchant-initiated on a stored card."),
        (Capability::ItemRefund, "The refund API takes an amount for the whole order (`return_amount`), not items."),
        (Capability::SubMerchantSplits, "PayTR's Direct API has no sub-merchant payouts."),
    ],
    known_gaps: &[],
    start,
};
