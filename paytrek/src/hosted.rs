//! Created sales: the hosted payment page (`POST /api/v2/sale/` then a redirect to
//! `?token=<sale_token>`) and charging a created sale with a card (`POST /api/v2/charge/`).

use std::collections::BTreeMap;

use odeme_core::{
    Address, CaptureMode, Card, ChargeRequest, Currency, Customer, HttpRequest, HttpResponse,
    LineItem, Money, Payment, RequestKind, Result, ThreeDs,
};

use crate::call::{check_token, read_sale};
use crate::client::{PaytrekConfig, PaytrekGateway};
use crate::sale::{self, Context, SaleParts};
use crate::wire::{self, CardFields, ChargeSaleBody};

/// A sale for Paytrek's hosted payment page, where the customer enters the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedSaleRequest {
    /// The merchant's unique order id.
    pub order_id: String,
    /// How much.
    pub amount: Money,
    /// Sale or pre-authorization.
    pub capture: CaptureMode,
    /// Whether the page runs 3-D Secure.
    pub three_ds: bool,
    /// Where Paytrek sends the customer afterwards (with `?token=<sale_token>`); the
    /// merchant account's default when `None`.
    pub return_url: Option<String>,
    /// Number of installments.
    pub installments: u8,
    /// The customer.
    pub customer: Customer,
    /// The billing address (the configuration's default when `None`).
    pub billing: Option<Address>,
    /// The order lines.
    pub items: Vec<LineItem>,
    /// Kept with the sale as `sale_data`.
    pub metadata: BTreeMap<String, String>,
}

impl HostedSaleRequest {
    /// A single-payment sale of `amount` for `order_id`.
    pub fn new(order_id: &str, amount: Money, customer: Customer) -> Self {
        Self {
            order_id: order_id.to_owned(),
            amount,
            capture: CaptureMode::Immediate,
            three_ds: false,
            return_url: None,
            installments: 1,
            customer,
            billing: None,
            items: Vec::new(),
            metadata: BTreeMap::new(),
        }
    }

    /// The sale part of a charge request (its card is not used).
    pub fn from_charge(request: &ChargeRequest) -> Self {
        let (three_ds, return_url) = match &request.three_ds {
            ThreeDs::Off => (false, None),
            ThreeDs::Required { return_url, .. } => (true, Some(return_url.clone())),
        };
        Self {
            order_id: request.order_id.clone(),
            amount: request.amount,
            capture: request.capture,
            three_ds,
            return_url,
            installments: request.installments,
            customer: request.customer.clone(),
            billing: request.billing.clone(),
            items: request.items.clone(),
            metadata: request.metadata.clone(),
        }
    }

    pub(crate) fn three_ds_mode(&self) -> ThreeDs {
        match (&self.return_url, self.three_ds) {
            (Some(url), true) => ThreeDs::Required {
                return_url: url.clone(),
                fail_url: None,
            },
            _ => ThreeDs::Off,
        }
    }

    /// Checks the request before anything is sent.
    pub fn validate(&self, config: &PaytrekConfig) -> Result<()> {
        odeme_core::validate::required("order_id", &self.order_id, 64)?;
        if self.amount.is_zero() {
            return Err(odeme_core::Error::invalid(
                "amount",
                "must be greater than zero",
            ));
        }
        if !(1..=12).contains(&self.installments) {
            return Err(odeme_core::Error::invalid(
                "installments",
                "must be 1 to 12",
            ));
        }
        self.customer.validate()?;
        if let Some(url) = &self.return_url {
            odeme_core::validate::url("return_url", url)?;
        }
        odeme_core::request::validate_items(&self.items, &self.amount)?;
        let three_ds = self.three_ds_mode();
        sale::validate(&self.parts(&three_ds), config)
    }

    pub(crate) fn parts<'a>(&'a self, three_ds: &'a ThreeDs) -> SaleParts<'a> {
        SaleParts {
            order_id: &self.order_id,
            amount: &self.amount,
            installments: self.installments,
            capture: self.capture,
            three_ds,
            return_url: self.return_url.as_deref(),
            customer: &self.customer,
            billing: self.billing.as_ref(),
            items: &self.items,
            metadata: &self.metadata,
        }
    }
}

/// A created sale and where to send the customer to pay it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedSale {
    /// Paytrek's sale token: the payment id for status, capture, cancel and refund.
    pub sale_token: String,
    /// The hosted payment page for this sale (`<host>/?token=<sale_token>`).
    pub redirect_url: String,
    /// The sale as created (status `Created`, pending).
    pub payment: Payment,
}

/// `POST /api/v2/sale/` for a sale built from `parts`.
pub(crate) fn create_sale_request(
    config: &PaytrekConfig,
    parts: &SaleParts<'_>,
    hosted: bool,
    secure_without_return: bool,
) -> Result<HttpRequest> {
    let mut body = sale::sale_body(parts, config)?;
    if hosted {
        body.hosted_payment = Some(true);
    }
    if secure_without_return {
        // A hosted 3-D Secure sale may rely on the account's default return URL.
        body.secure_option = true;
        body.half_secure = Some(config.half_secure);
    }
    // Creating a sale moves no money, but it takes the order id: a lost answer must be
    // reconciled, not blindly resent.
    Ok(config
        .request("POST", "/api/v2/sale/", "create_sale", RequestKind::Write)
        .body(sale::to_bytes(&body)?)
        .reference(parts.order_id.to_owned()))
}

/// `POST /api/v2/charge/`: a new card for a created sale. Paytrek's `save_card` defaults
/// to true here, so it is always sent.
pub(crate) fn charge_sale_request(
    config: &PaytrekConfig,
    sale_token: &str,
    card: &Card,
    save_card: bool,
) -> Result<HttpRequest> {
    check_token("sale_token", sale_token)?;
    let body = ChargeSaleBody {
        sale_token,
        card: CardFields {
            number: card.number().expose(),
            expiration: sale::expiration(card),
            cvc: card.cvc().expose(),
            card_holder_name: card.holder_name(),
        },
        save_card,
    };
    Ok(config
        .request("POST", "/api/v2/charge/", "charge", RequestKind::Write)
        .body(sale::to_bytes(&body)?)
        .reference(sale_token.to_owned()))
}

/// The answer of a sale's creation: the sale with a documented status word, the refusal
/// a 4xx carries, an unknown outcome otherwise (the order id may now be taken).
pub(crate) fn read_created_sale(
    response: &HttpResponse,
    currency: Currency,
    order_id: &str,
) -> Result<Payment> {
    let created: wire::Sale = read_sale(response)?;
    crate::charge::check_sale_status(&created, response)?;
    let ctx = Context {
        response,
        currency: Some(currency),
        order_id: Some(order_id),
    };
    response.accept_payment(sale::to_payment(&created, &ctx)?)
}

/// The hosted payment page URL for `sale_token` in the configured environment.
pub(crate) fn redirect_url(config: &PaytrekConfig, sale_token: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", sale_token)
        .finish();
    format!("{}/?{query}", config.base_url())
}

impl PaytrekGateway {
    /// Creates a sale for the hosted payment page and returns where to send the customer.
    /// After paying, the customer comes back to `return_url` with `?token=<sale_token>`;
    /// finish with [`odeme_core::ThreeDsCompletion::complete_three_ds`] or a status query.
    pub async fn create_hosted_sale(&self, request: &HostedSaleRequest) -> Result<HostedSale> {
        request.validate(&self.config)?;
        let three_ds = request.three_ds_mode();
        let parts = request.parts(&three_ds);
        let secure_without_return = request.three_ds && request.return_url.is_none();
        let http = create_sale_request(&self.config, &parts, true, secure_without_return)?;
        let payment = self.create_sale(http, &parts).await?;
        Ok(HostedSale {
            redirect_url: redirect_url(&self.config, &payment.id),
            sale_token: payment.id.clone(),
            payment,
        })
    }

    /// Sends a built create-sale request and reads the created sale.
    pub(crate) async fn create_sale(
        &self,
        http: HttpRequest,
        parts: &SaleParts<'_>,
    ) -> Result<Payment> {
        let response = self.send(http).await?;
        read_created_sale(&response, parts.amount.currency(), parts.order_id)
    }

    /// Pays a created sale with a new card (`POST /api/v2/charge/`), storing the card when
    /// `save_card` is true. A 3-D Secure sale answers with a redirect to the bank.
    pub async fn charge_sale(
        &self,
        sale_token: &str,
        card: &Card,
        save_card: bool,
    ) -> Result<Payment> {
        let http = charge_sale_request(&self.config, sale_token, card, save_card)?;
        let (before, pre_auth) = self
            .fetch_payment_with(sale_token, None, |sale, _| sale.pre_auth == Some(true))
            .await?;
        let response = self.send(http).await?;
        let answer: wire::Sale = read_sale(&response)?;
        self.finish_sale_charge(before, pre_auth, &answer, &response)
            .await
    }
}
