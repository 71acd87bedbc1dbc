//! The command line: global options and one subcommand per operation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::args_payment::{
    AmountArgs, CardSourceArgs, ChargeArgs, ChargeStoredArgs, PlanChargeArgs, RecurringChargeArgs,
    StoredCardArgs,
};
use crate::exit::EXIT_CODES_HELP;

/// Card payments through Paytrek, PayTR and Craftgate from a terminal: charge a test card,
/// look up an order, refund it, list a customer's stored cards, check a notification's
/// signature.
///
/// Credentials come from flags, then `ODEME_<PROVIDER>_<NAME>` environment variables
/// (`ODEME_PAYTR_MERCHANT_KEY`), then the `[<provider>]` table of a TOML profile
/// (`--profile`). Card numbers and CVCs are never taken from the command line: they come
/// from `--card-file`, `ODEME_CARD_NUMBER` / `ODEME_CARD_CVC`, or standard input.
#[derive(Debug, Parser)]
#[command(name = "odeme", version)]
pub struct Cli {
    /// Options every command shares.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command line definition, with the exit codes after every command's help.
    pub fn definition() -> clap::Command {
        fn with_exit_codes(command: clap::Command) -> clap::Command {
            command
                .after_help(EXIT_CODES_HELP)
                .after_long_help(EXIT_CODES_HELP)
                .mut_subcommands(with_exit_codes)
        }
        with_exit_codes(<Self as clap::CommandFactory>::command())
    }

    /// Parses the process's arguments; prints help or a usage error and exits (code 2) when
    /// they call for it.
    pub fn parse_args() -> Self {
        let parsed = Self::definition()
            .try_get_matches()
            .and_then(|matches| <Self as clap::FromArgMatches>::from_arg_matches(&matches));
        match parsed {
            Ok(cli) => cli,
            Err(error) if !error.use_stderr() => error.exit(),
            Err(error) => {
                // clap quotes unexpected arguments, and a stray one may be a card number.
                eprint!(
                    "{}",
                    odeme::core::redact::mask_card_numbers(&error.render().to_string())
                );
                std::process::exit(i32::from(crate::exit::INVALID_INPUT));
            }
        }
    }
}

/// A payment provider, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// Paytrek v2 (API key and secret key).
    Paytrek,
    /// PayTR Direct API and card storage (merchant id, key and salt).
    Paytr,
    /// Craftgate (API key and secret key; webhook key for webhooks).
    Craftgate,
}

/// Options every command shares.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The provider to talk to [env: ODEME_PROVIDER; profile: `provider`].
    // Any case, as ODEME_PROVIDER and the profile are read (`-p PayTR`).
    #[arg(long, short = 'p', global = true, value_enum, ignore_case = true)]
    pub provider: Option<ProviderArg>,
    /// Route across several providers instead of one: `failover:paytr,craftgate` (in that
    /// order, moving on only when nothing was charged), `weighted:paytr=70,craftgate=30`
    /// (load-balancing), or `weighted-random:paytr=70,craftgate=30@SEED` [env: ODEME_ROUTE;
    /// profile: a `[router]` table]. Each provider's settings come from its own
    /// `ODEME_<PROVIDER>_*` variables or profile table; the payment names the gateway that
    /// took it (`router_gateway`).
    #[arg(long, global = true, value_name = "SPEC")]
    pub route: Option<String>,
    /// Where a route keeps its memory (charge keys, ownership, circuit breakers, approval
    /// statistics, open attempts): `redis://host:port/db`, shared with every application
    /// instance pointed at it; without it the route remembers only within this run
    /// [env: ODEME_ROUTE_STORE].
    #[arg(long, global = true, value_name = "URL")]
    pub route_store: Option<String>,
    /// With a route: print on standard error why each charge went where it went (the
    /// providers considered and their scores, those skipped and why, each one tried and
    /// what it answered).
    #[arg(long, global = true)]
    pub explain: bool,
    /// A TOML profile with a `[paytrek]`, `[paytr]` or `[craftgate]` table of credentials and
    /// `base_url` [env: ODEME_PROFILE].
    #[arg(long, global = true, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The provider's base URL (the sandbox, a proxy, a test server) instead of its own host;
    /// without one, a note on standard error says which host is used [env:
    /// ODEME_PAYTREK_BASE_URL, ODEME_PAYTR_BASE_URL, ODEME_CRAFTGATE_BASE_URL; profile:
    /// `base_url`].
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print the normalized result as JSON instead of a summary.
    #[arg(long, global = true)]
    pub json: bool,
    /// How many seconds a request to the provider may take in all.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
    /// Paytrek or Craftgate API key [env: ODEME_PAYTREK_API_KEY, ODEME_CRAFTGATE_API_KEY;
    /// profile: `api_key`].
    #[arg(long, global = true, value_name = "KEY", help_heading = "Credentials")]
    pub api_key: Option<String>,
    /// Paytrek or Craftgate secret key [env: ODEME_PAYTREK_SECRET_KEY,
    /// ODEME_CRAFTGATE_SECRET_KEY; profile: `secret_key`].
    #[arg(long, global = true, value_name = "KEY", help_heading = "Credentials")]
    pub secret_key: Option<String>,
    /// PayTR merchant id ("Mağaza No") [env: ODEME_PAYTR_MERCHANT_ID; profile: `merchant_id`].
    #[arg(long, global = true, value_name = "ID", help_heading = "Credentials")]
    pub merchant_id: Option<String>,
    /// PayTR merchant key [env: ODEME_PAYTR_MERCHANT_KEY; profile: `merchant_key`].
    #[arg(long, global = true, value_name = "KEY", help_heading = "Credentials")]
    pub merchant_key: Option<String>,
    /// PayTR merchant salt [env: ODEME_PAYTR_MERCHANT_SALT; profile: `merchant_salt`].
    #[arg(long, global = true, value_name = "SALT", help_heading = "Credentials")]
    pub merchant_salt: Option<String>,
    /// PayTR `merchant_ok_url` for charges without 3-D Secure [env: ODEME_PAYTR_OK_URL;
    /// profile: `ok_url`].
    #[arg(long, global = true, value_name = "URL", help_heading = "Credentials")]
    pub ok_url: Option<String>,
    /// PayTR `merchant_fail_url` for charges without 3-D Secure; the OK URL when left out [env:
    /// ODEME_PAYTR_FAIL_URL; profile: `fail_url`].
    #[arg(long, global = true, value_name = "URL", help_heading = "Credentials")]
    pub fail_url: Option<String>,
    /// Craftgate webhook key, to verify webhooks [env: ODEME_CRAFTGATE_WEBHOOK_KEY; profile:
    /// `webhook_key`].
    #[arg(long, global = true, value_name = "KEY", help_heading = "Credentials")]
    pub webhook_key: Option<String>,
    /// Craftgate 3-D Secure callback key, to verify 3-D callbacks [env:
    /// ODEME_CRAFTGATE_THREE_DS_CALLBACK_KEY; profile: `three_ds_callback_key`].
    #[arg(long, global = true, value_name = "KEY", help_heading = "Credentials")]
    pub three_ds_callback_key: Option<String>,
}

/// One operation.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Charge (or pre-authorize) a new card.
    Charge(ChargeArgs),
    /// Capture a pre-authorized payment, in full or in part.
    Capture(CaptureArgs),
    /// Cancel (void) a payment.
    Cancel(CancelArgs),
    /// Refund a payment, in full or in part.
    Refund(RefundArgs),
    /// Look a payment up by the merchant's order id or the provider's reference.
    Status(StatusArgs),
    /// Store, list and delete a customer's cards.
    #[command(subcommand)]
    Card(CardCommand),
    /// Charge a stored card with the customer present.
    ChargeStored(ChargeStoredArgs),
    /// Recurring payments: merchant-initiated charges and provider-side plans.
    #[command(subcommand)]
    Recurring(RecurringCommand),
    /// Installment options for a card's BIN and an amount.
    Installments(InstallmentsArgs),
    /// Check a raw notification, 3-D Secure callback or webhook: is it authentic, and what
    /// does it report?
    VerifyNotification(VerifyArgs),
    /// Finish a 3-D Secure payment from the customer's browser return (callback query or
    /// posted form, from a file or standard input).
    #[command(name = "complete-3ds")]
    CompleteThreeDs(CompleteThreeDsArgs),
    /// What the provider's gateway declares it can do.
    Capabilities,
    /// Settle a route's open attempts (unknown outcomes, unfinished 3-D Secure payments):
    /// ask each owning provider for the order's status (reads only) and record the verdict.
    /// Needs `--route` and `--route-store`, where the open attempts are.
    Reconcile(ReconcileArgs),
    /// Start the local simulators of all three providers and print how to point the other
    /// commands at them. Runs until interrupted (Ctrl-C).
    Sandbox(SandboxArgs),
}

/// `reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Open attempts to look at in this run.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// How long after an attempt was opened a provider that does not know its order proves
    /// the charge never arrived (longer than the charge's time-out).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub not_found_after: u64,
}

/// `capture`.
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The provider's payment reference (as `charge` printed it).
    #[arg(long)]
    pub payment_id: String,
    /// How much to capture; the whole authorization when left out.
    #[command(flatten)]
    pub amount: AmountArgs,
}

/// `cancel`.
#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The provider's payment reference (as `charge` printed it).
    #[arg(long)]
    pub payment_id: String,
    /// A note for the provider's records.
    #[arg(long)]
    pub reason: Option<String>,
}

/// `refund`.
#[derive(Debug, Args)]
#[group(id = "refund_target", required = true, multiple = false, args = ["payment_id", "order_id"])]
pub struct RefundArgs {
    /// The provider's payment reference (as `charge` printed it).
    #[arg(long)]
    pub payment_id: Option<String>,
    /// The merchant's order id: the payment is looked up first (a read), as `status` does.
    #[arg(long)]
    pub order_id: Option<String>,
    /// How much to refund; everything that is left when neither this nor --item is given.
    #[command(flatten)]
    pub amount: AmountArgs,
    /// Refund one item (provider transaction id) instead of an amount, optionally only part
    /// of it: `TRANSACTION_ID` or `TRANSACTION_ID=AMOUNT`. Repeat for several items.
    #[arg(long = "item", value_name = "TX[=AMOUNT]", conflicts_with = "amount")]
    pub items: Vec<String>,
    /// Your reference for this refund, so that a retried refund is the same refund.
    #[arg(long)]
    pub reference: Option<String>,
    /// A note for the provider's records.
    #[arg(long)]
    pub reason: Option<String>,
}

/// `status`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct StatusArgs {
    /// Look up by the merchant's order id (how an unknown outcome is reconciled).
    #[arg(long)]
    pub order_id: Option<String>,
    /// Look up by the provider's payment reference.
    #[arg(long)]
    pub payment_id: Option<String>,
}

/// `card ...`.
#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// Store a card without a payment (card data from --card-file, ODEME_CARD_NUMBER /
    /// ODEME_CARD_CVC or standard input).
    Store(CardStoreArgs),
    /// List a customer's stored cards.
    List(CardListArgs),
    /// Delete a stored card.
    Delete(StoredCardArgs),
}

/// `card store`.
#[derive(Debug, Args)]
pub struct CardStoreArgs {
    /// Where the card number and CVC come from.
    #[command(flatten)]
    pub card: CardSourceArgs,
    /// Store under this existing customer token; a new card user is created when left out.
    #[arg(long)]
    pub customer_token: Option<String>,
    /// Your own id for a new card user.
    #[arg(long, conflicts_with = "customer_token")]
    pub customer_id: Option<String>,
    /// The e-mail address of a new card user.
    #[arg(long, conflicts_with = "customer_token")]
    pub email: Option<String>,
    /// A label for the card ("work card").
    #[arg(long)]
    pub label: Option<String>,
}

/// `card list`.
#[derive(Debug, Args)]
pub struct CardListArgs {
    /// The customer (card user) token.
    #[arg(long)]
    pub customer_token: String,
    /// Only cards with this label, where the provider filters by label.
    #[arg(long)]
    pub label: Option<String>,
    /// The page to fetch, from 1, where the provider pages.
    #[arg(long)]
    pub page: Option<u32>,
    /// Cards per page, where the provider pages.
    #[arg(long)]
    pub page_size: Option<u32>,
}

/// `recurring ...`.
#[derive(Debug, Subcommand)]
pub enum RecurringCommand {
    /// A merchant-initiated charge on a stored card (no customer present, no 3-D Secure).
    Charge(RecurringChargeArgs),
    /// Provider-side plans, where the provider has them.
    #[command(subcommand)]
    Plan(PlanCommand),
}

/// `recurring plan ...`.
// Parsed once per process, so the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Create a plan paid by a new card that the provider stores; the first payment is made
    /// now.
    Create(PlanCreateArgs),
    /// Fetch a plan.
    Get(PlanIdArgs),
    /// Cancel a plan's scheduled charges (all of them, or the given subscriptions).
    Cancel(PlanCancelArgs),
}

/// A plan's period unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    /// Every N days.
    Daily,
    /// Every N weeks.
    Weekly,
    /// Every N months.
    Monthly,
    /// Every N years.
    Yearly,
}

/// `recurring plan create`.
#[derive(Debug, Args)]
pub struct PlanCreateArgs {
    /// The plan's name.
    #[arg(long)]
    pub name: String,
    /// The period unit.
    #[arg(long, value_enum, default_value = "monthly")]
    pub period: PeriodArg,
    /// How many periods between charges.
    #[arg(long, default_value_t = 1)]
    pub frequency: u32,
    /// The first charge date, YYYY-MM-DD; the provider's default when left out.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub start_date: Option<String>,
    /// The first payment: new card, amount, customer and items.
    #[command(flatten)]
    pub charge: PlanChargeArgs,
}

/// A plan id.
#[derive(Debug, Args)]
pub struct PlanIdArgs {
    /// The plan's id.
    #[arg(long)]
    pub plan_id: String,
}

/// `recurring plan cancel`.
#[derive(Debug, Args)]
pub struct PlanCancelArgs {
    /// The plan's id.
    #[arg(long)]
    pub plan_id: String,
    /// A subscription to cancel; every scheduled one when left out. Repeat for several.
    #[arg(long = "subscription", value_name = "ID")]
    pub subscriptions: Vec<String>,
}

/// `installments`.
#[derive(Debug, Args)]
pub struct InstallmentsArgs {
    /// The card's first 6 to 8 digits; every bank's options when left out.
    #[arg(long)]
    pub bin: Option<String>,
    /// The amount to pay.
    #[arg(long, allow_negative_numbers = true)]
    pub amount: String,
    /// The currency (ISO 4217; `TL` is read as TRY).
    #[arg(long, default_value = "TRY")]
    pub currency: String,
}

/// How the raw notification is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotificationFormat {
    /// A JSON body starting with `{` is a webhook, a text starting with `?` a query
    /// string, anything else a form body.
    Auto,
    /// A form-encoded POST body (PayTR's notification, a posted 3-D callback).
    Form,
    /// A query string, with or without the leading `?` (a 3-D callback redirect).
    Query,
    /// A JSON POST body (Craftgate webhook).
    Json,
}

/// A raw inbound request: where to read it and how.
#[derive(Debug, Args)]
pub struct RawRequestArgs {
    /// Read the raw request from this file instead of standard input.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// How to read it.
    #[arg(long, value_enum, default_value = "auto")]
    pub format: NotificationFormat,
    /// The webhook's signature header value (Craftgate: `x-cg-signature-v1`).
    #[arg(long)]
    pub signature: Option<String>,
    /// Another request header, `NAME: VALUE`. Repeat for several.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
}

/// `verify-notification`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The raw notification.
    #[command(flatten)]
    pub raw: RawRequestArgs,
}

/// `complete-3ds`.
#[derive(Debug, Args)]
pub struct CompleteThreeDsArgs {
    /// The provider's payment reference, when you kept it.
    #[arg(long)]
    pub payment_id: Option<String>,
    /// The merchant's order id, when the callback carries none.
    #[arg(long)]
    pub order_id: Option<String>,
    /// The payment's currency, to read amounts in the callback.
    #[arg(long)]
    pub currency: Option<String>,
    /// The customer's browser return (callback query or posted form).
    #[command(flatten)]
    pub raw: RawRequestArgs,
}

/// `sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The loopback address to bind every simulator to.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Base port: Paytrek listens here, PayTR on the next port and Craftgate on the one after
    /// (0 picks free ports for all three).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Also write a TOML profile for the simulators to this file (use it with --profile).
    #[arg(long, value_name = "FILE")]
    pub write_profile: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(command: &clap::Command, path: &str) {
        let path = format!("{path} {}", command.get_name());
        assert!(
            command.get_about().is_some() || path == " odeme",
            "{path} has no description"
        );
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if arg.is_hide_set() || id == "help" || id == "version" {
                continue;
            }
            assert!(arg.get_help().is_some(), "{path}: --{id} is not documented");
        }
        for sub in command.get_subcommands() {
            check(sub, &path);
        }
    }

    #[test]
    fn every_command_and_option_is_documented() {
        let command = Cli::definition();
        command.clone().debug_assert();
        check(&command, "");
    }

    #[test]
    fn exit_codes_follow_the_help() {
        let help = Cli::definition()
            .find_subcommand_mut("refund")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(help.contains("Exit codes:"), "{help}");
        assert!(help.contains("3  declined"), "{help}");
    }
}
