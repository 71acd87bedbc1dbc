//! The argument groups that charge-like commands share: the card, the amount, the
//! customer, the billing address, the line items and the charge mode.

use std::path::PathBuf;

use clap::Args;

/// Where a new card comes from. The number and CVC are never command-line arguments.
#[derive(Debug, Args)]
pub struct CardSourceArgs {
    /// A file with the card number on its first line and the CVC on its second (otherwise
    /// ODEME_CARD_NUMBER / ODEME_CARD_CVC, otherwise standard input, number then CVC).
    #[arg(long, value_name = "FILE")]
    pub card_file: Option<PathBuf>,
    /// The expiry date, MM/YY or MM/YYYY.
    #[arg(long, value_name = "MM/YY")]
    pub expiry: String,
    /// The card holder's name as printed on the card. It is the card's, not the
    /// customer's: --first-name and --last-name name the customer (and default to it).
    #[arg(long, value_name = "NAME")]
    pub holder: String,
    /// Refused: a card number on the command line shows in the process list.
    #[arg(long, hide = true, value_name = "NUMBER")]
    pub card_number: Option<String>,
    /// Refused: a CVC on the command line shows in the process list.
    #[arg(long, hide = true, value_name = "CVC")]
    pub cvc: Option<String>,
}

/// Where the CVC for a stored-card charge comes from, when the provider wants one.
#[derive(Debug, Args)]
pub struct CvcSourceArgs {
    /// Send the card's CVC with the stored-card charge (PayTR `require_cvv` cards). It is
    /// read from --cvc-file, else ODEME_CARD_CVC, else standard input.
    #[arg(long)]
    pub with_cvc: bool,
    /// A file whose first line is the CVC (implies --with-cvc).
    #[arg(long, value_name = "FILE")]
    pub cvc_file: Option<PathBuf>,
    /// Refused: a CVC on the command line shows in the process list.
    #[arg(long, hide = true, value_name = "CVC")]
    pub cvc: Option<String>,
}

/// A stored card's token pair.
#[derive(Debug, Args)]
pub struct StoredCardArgs {
    /// The customer (card user) token: PayTR `utoken`, Craftgate `cardUserKey`, Paytrek
    /// `card_user_id`.
    #[arg(long)]
    pub customer_token: String,
    /// The card token: PayTR `ctoken`, Craftgate `cardToken`, Paytrek `card_token`.
    #[arg(long)]
    pub card_token: String,
}

/// An optional amount (capture, refund).
#[derive(Debug, Args)]
pub struct AmountArgs {
    /// The amount, e.g. `100.99`; everything when left out.
    #[arg(long, allow_negative_numbers = true)]
    pub amount: Option<String>,
    /// The amount's currency (ISO 4217; `TL` is read as TRY); the payment's own currency
    /// when left out (looked up first, a read).
    #[arg(long)]
    pub currency: Option<String>,
}

/// Sale or pre-authorization, and 3-D Secure.
#[derive(Debug, Args)]
pub struct ChargeModeArgs {
    /// Only authorize now; capture later with `capture`.
    #[arg(long)]
    pub pre_authorize: bool,
    /// Use 3-D Secure, sending the customer back to this URL afterwards.
    #[arg(long, value_name = "URL")]
    pub three_ds_return_url: Option<String>,
    /// Where the customer goes after a failed 3-D Secure (PayTR's fail URL); the return URL
    /// when left out.
    #[arg(long, value_name = "URL", requires = "three_ds_return_url")]
    pub three_ds_fail_url: Option<String>,
    /// Write the 3-D Secure page (the HTML that sends the customer to the bank) to this file.
    #[arg(long, value_name = "FILE")]
    pub save_3ds_page: Option<PathBuf>,
}

/// What is paid and by whom: everything a charge shares with the other charge commands.
#[derive(Debug, Args)]
pub struct PaymentDetailsArgs {
    /// The amount, e.g. `100.99` (a dot or a comma as the decimal separator).
    #[arg(long, allow_negative_numbers = true)]
    pub amount: String,
    /// The currency (ISO 4217; `TL` is read as TRY).
    #[arg(long, default_value = "TRY")]
    pub currency: String,
    /// Your unique order id (letters and digits suit every provider); one is made up when
    /// left out.
    #[arg(long)]
    pub order_id: Option<String>,
    /// The number of installments (1 is a single payment); the provider's range is checked
    /// before anything is sent.
    #[arg(long, default_value_t = 1)]
    pub installments: u32,
    /// A key that makes a retried request the same request; derived from the order id when
    /// left out.
    #[arg(long)]
    pub idempotency_key: Option<String>,
    /// A line item: `name=Book,price=50.00[,qty=2][,id=SKU1][,sub-merchant=ID,payout=45.00]`.
    /// The line totals must add up to --amount. Repeat for several.
    #[arg(long = "item", value_name = "SPEC")]
    pub items: Vec<String>,
    /// Free-form data kept with the payment, `KEY=VALUE`. Repeat for several.
    #[arg(long = "metadata", value_name = "KEY=VALUE")]
    pub metadata: Vec<String>,
    /// The customer.
    #[command(flatten)]
    pub customer: CustomerArgs,
    /// The billing address.
    #[command(flatten)]
    pub billing: BillingArgs,
}

/// The paying customer.
#[derive(Debug, Args)]
#[command(next_help_heading = "Customer")]
pub struct CustomerArgs {
    /// The customer's e-mail address.
    #[arg(long)]
    pub email: String,
    /// The customer's given name; when left out, the card holder name (--holder) but its
    /// last word.
    #[arg(long)]
    pub first_name: Option<String>,
    /// The customer's family name; when left out, the last word of the card holder name
    /// (--holder).
    #[arg(long)]
    pub last_name: Option<String>,
    /// Your own id for the customer.
    #[arg(long)]
    pub customer_id: Option<String>,
    /// Phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// The customer's IP address.
    #[arg(long, default_value = "127.0.0.1")]
    pub ip: std::net::IpAddr,
}

/// The billing address; given when --billing-line1 is.
#[derive(Debug, Args)]
#[command(next_help_heading = "Billing address")]
pub struct BillingArgs {
    /// Street address.
    #[arg(long, requires_all = ["billing_city", "billing_country"])]
    pub billing_line1: Option<String>,
    /// More of the street address.
    #[arg(long, requires = "billing_line1")]
    pub billing_line2: Option<String>,
    /// City.
    #[arg(long, requires = "billing_line1")]
    pub billing_city: Option<String>,
    /// State, province or district.
    #[arg(long, requires = "billing_line1")]
    pub billing_state: Option<String>,
    /// Postal code.
    #[arg(long, requires = "billing_line1")]
    pub billing_postal_code: Option<String>,
    /// Country, ISO 3166 alpha-2 (`TR`) or name.
    #[arg(long, requires = "billing_line1")]
    pub billing_country: Option<String>,
}

/// `charge`.
#[derive(Debug, Args)]
pub struct ChargeArgs {
    /// The card.
    #[command(flatten)]
    pub card: CardSourceArgs,
    /// Sale or pre-authorization, 3-D Secure.
    #[command(flatten)]
    pub mode: ChargeModeArgs,
    /// Store the card for a new card user the provider creates.
    #[arg(long, conflicts_with = "store_card_for")]
    pub store_card: bool,
    /// Store the card under this existing customer token.
    #[arg(long, value_name = "CUSTOMER_TOKEN")]
    pub store_card_for: Option<String>,
    /// Amount, order, customer, billing and items.
    #[command(flatten)]
    pub details: PaymentDetailsArgs,
}

/// `charge-stored`.
#[derive(Debug, Args)]
pub struct ChargeStoredArgs {
    /// The stored card.
    #[command(flatten)]
    pub stored: StoredCardArgs,
    /// The CVC, when the provider wants it.
    #[command(flatten)]
    pub cvc: CvcSourceArgs,
    /// Sale or pre-authorization, 3-D Secure.
    #[command(flatten)]
    pub mode: ChargeModeArgs,
    /// Amount, order, customer, billing and items.
    #[command(flatten)]
    pub details: PaymentDetailsArgs,
}

/// `recurring charge`.
#[derive(Debug, Args)]
pub struct RecurringChargeArgs {
    /// The stored card.
    #[command(flatten)]
    pub stored: StoredCardArgs,
    /// The CVC, when the provider wants it.
    #[command(flatten)]
    pub cvc: CvcSourceArgs,
    /// Amount, order, customer, billing and items.
    #[command(flatten)]
    pub details: PaymentDetailsArgs,
}

/// The first payment of a new plan.
#[derive(Debug, Args)]
pub struct PlanChargeArgs {
    /// The card.
    #[command(flatten)]
    pub card: CardSourceArgs,
    /// Amount, order, customer, billing and items.
    #[command(flatten)]
    pub details: PaymentDetailsArgs,
}
