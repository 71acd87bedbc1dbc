//! Routing across several providers: the `--route SPEC` flag (or `ODEME_ROUTE`) and the
//! profile's `[router]` table, read into a [`RouteSpec`], and the router built from it.
//!
//! ```text
//! failover:paytr,craftgate                 PayTR first, Craftgate when PayTR cannot take it
//! weighted:paytr=70,craftgate=30           7 of every 10 charges to PayTR, by round-robin
//! weighted-random:paytr=70,craftgate=30@7  the same at random; `@7` seeds it (optional)
//! approval-rate:paytr,craftgate@7          the one most likely to approve the card now
//! ```
//!
//! A route's memory (charge keys, ownership, breakers, approval statistics, open
//! attempts) is in the process unless `--route-store redis://...` shares it: `odeme
//! reconcile` and learning across runs need that.
//!
//! Every mistake is an input error naming it; nothing here panics.

use std::sync::Arc;

use odeme::router::store::{RedisStore, RedisStoreConfig};
use odeme::router::{ApprovalRouting, Router, RouterStore, Strategy};
use odeme::{Gateway, ProviderId};

use crate::exit::{CliError, CliResult};
use crate::profile::RouterSection;

/// How the router orders the providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteStrategy {
    /// In the order listed.
    Failover,
    /// Smooth weighted round-robin.
    Weighted,
    /// Weighted at random, optionally seeded.
    WeightedRandom {
        /// The seed, for a reproducible sequence.
        seed: Option<u64>,
    },
    /// To the provider most likely to approve the card now, learned from the route's own
    /// outcomes (kept in the route's store: see `--route-store`).
    ApprovalRate {
        /// The seed of the sampling, for a reproducible sequence.
        seed: Option<u64>,
    },
}

impl RouteStrategy {
    /// The name used in a spec and in the profile.
    pub fn name(self) -> &'static str {
        match self {
            RouteStrategy::Failover => "failover",
            RouteStrategy::Weighted => "weighted",
            RouteStrategy::WeightedRandom { .. } => "weighted-random",
            RouteStrategy::ApprovalRate { .. } => "approval-rate",
        }
    }

    fn weighted(self) -> bool {
        matches!(
            self,
            RouteStrategy::Weighted | RouteStrategy::WeightedRandom { .. }
        )
    }

    fn parse(name: &str, source: &str) -> CliResult<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "failover" => Ok(RouteStrategy::Failover),
            "weighted" => Ok(RouteStrategy::Weighted),
            "weighted-random" | "weighted_random" => {
                Ok(RouteStrategy::WeightedRandom { seed: None })
            }
            "approval-rate" | "approval_rate" => Ok(RouteStrategy::ApprovalRate { seed: None }),
            "" => Err(CliError::input(format!(
                "{source} names no routing strategy (failover, weighted, weighted-random or approval-rate)"
            ))),
            other => Err(CliError::input(format!(
                "{source} names an unknown routing strategy `{other}` (failover, weighted, \
                 weighted-random or approval-rate)"
            ))),
        }
    }
}

/// A route: a strategy and the providers it routes across, each with its weight (1 for
/// failover).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// The strategy.
    pub strategy: RouteStrategy,
    /// The providers, in the order given, with their weights.
    pub providers: Vec<(ProviderId, u32)>,
    /// Where the route came from, for error messages (`--route`, `ODEME_ROUTE`, the
    /// profile's `[router]` table).
    pub source: String,
}

impl RouteSpec {
    /// Parses `failover:paytr,craftgate`, `weighted:paytr=70,craftgate=30` or
    /// `weighted-random:paytr=70,craftgate=30[@SEED]`; `source` names where it came from.
    pub fn parse(spec: &str, source: &str) -> CliResult<Self> {
        let Some((strategy, list)) = spec.split_once(':') else {
            return Err(CliError::input(format!(
                "{source} `{spec}` has no strategy: write failover:paytr,craftgate or \
                 weighted:paytr=70,craftgate=30"
            )));
        };
        let mut strategy = RouteStrategy::parse(strategy, source)?;
        let mut list = list.trim();
        if let RouteStrategy::WeightedRandom { seed } | RouteStrategy::ApprovalRate { seed } =
            &mut strategy
        {
            if let Some((rest, text)) = list.rsplit_once('@') {
                *seed = Some(text.trim().parse::<u64>().map_err(|_| {
                    CliError::input(format!(
                        "{source}: the seed `{}` is not a whole number",
                        text.trim()
                    ))
                })?);
                list = rest.trim();
            }
        } else if list.contains('@') {
            return Err(CliError::input(format!(
                "{source}: only weighted-random and approval-rate take a `@SEED`"
            )));
        }
        if list.is_empty() {
            return Err(CliError::input(format!(
                "{source} lists no provider: give at least one of paytrek, paytr, craftgate"
            )));
        }
        let mut entries = Vec::new();
        for item in list.split(',') {
            let item = item.trim();
            if item.is_empty() {
                return Err(CliError::input(format!(
                    "{source} has an empty entry in its provider list `{list}`"
                )));
            }
            let (name, weight) = match item.split_once('=') {
                Some((name, weight)) => (name.trim(), Some(weight.trim())),
                None => (item, None),
            };
            let weight = match (strategy.weighted(), weight) {
                (false, None) => 1,
                (false, Some(_)) => {
                    return Err(CliError::input(format!(
                        "{source}: failover takes provider names without weights (`{item}`); \
                         use weighted:{item} for load-balancing"
                    )))
                }
                (true, None) => {
                    return Err(CliError::input(format!(
                        "{source}: {} needs a weight for every provider, like `{name}=50`",
                        strategy.name()
                    )))
                }
                (true, Some(text)) => parse_weight(name, text, source)?,
            };
            entries.push((name.to_owned(), weight));
        }
        Self::from_entries(strategy, entries, source)
    }

    /// The route of a profile's `[router]` table.
    pub fn from_profile(section: &RouterSection) -> CliResult<Self> {
        let source = "the profile's [router] table";
        let strategy = match &section.strategy {
            Some(name) => RouteStrategy::parse(name, &format!("{source}'s `strategy`"))?,
            None if section.weights.is_some() => RouteStrategy::Weighted,
            None => RouteStrategy::Failover,
        };
        let strategy = match (strategy, &section.seed) {
            (RouteStrategy::WeightedRandom { .. }, Some(seed)) => RouteStrategy::WeightedRandom {
                seed: Some(
                    seed.as_integer()
                        .and_then(|s| u64::try_from(s).ok())
                        .ok_or_else(|| {
                            CliError::input(format!(
                                "{source}'s `seed` must be a whole number from 0"
                            ))
                        })?,
                ),
            },
            (_, Some(_)) => {
                return Err(CliError::input(format!(
                    "{source}: `seed` is only for strategy = \"weighted-random\""
                )))
            }
            (strategy, None) => strategy,
        };
        let entries = if strategy.weighted() {
            if section.gateways.is_some() {
                return Err(CliError::input(format!(
                    "{source}: strategy \"{}\" takes `weights = {{ paytr = 70, craftgate = 30 }}`, \
                     not `gateways`",
                    strategy.name()
                )));
            }
            let Some(weights) = &section.weights else {
                return Err(CliError::input(format!(
                    "{source}: strategy \"{}\" needs `weights = {{ paytr = 70, craftgate = 30 }}`",
                    strategy.name()
                )));
            };
            let Some(table) = weights.as_table() else {
                return Err(CliError::input(format!(
                    "{source}: `weights` must be a table like {{ paytr = 70, craftgate = 30 }}"
                )));
            };
            table
                .iter()
                .map(|(name, value)| {
                    let weight = match value {
                        toml::Value::Integer(w) => parse_weight(name, &w.to_string(), source)?,
                        _ => {
                            return Err(CliError::input(format!(
                                "{source}: the weight of `{name}` must be a whole number from 1"
                            )))
                        }
                    };
                    Ok((name.clone(), weight))
                })
                .collect::<CliResult<Vec<_>>>()?
        } else {
            if section.weights.is_some() {
                return Err(CliError::input(format!(
                    "{source}: strategy \"failover\" takes `gateways = [\"paytr\", \"craftgate\"]`, \
                     not `weights`"
                )));
            }
            let Some(gateways) = &section.gateways else {
                return Err(CliError::input(format!(
                    "{source}: strategy \"failover\" needs `gateways = [\"paytr\", \"craftgate\"]`"
                )));
            };
            let Some(list) = gateways.as_array() else {
                return Err(CliError::input(format!(
                    "{source}: `gateways` must be a list like [\"paytr\", \"craftgate\"]"
                )));
            };
            list.iter()
                .map(|v| match v.as_str() {
                    Some(name) => Ok((name.trim().to_owned(), 1)),
                    None => Err(CliError::input(format!(
                        "{source}: every entry of `gateways` must be a quoted provider name"
                    ))),
                })
                .collect::<CliResult<Vec<_>>>()?
        };
        if entries.is_empty() {
            return Err(CliError::input(format!(
                "{source} lists no provider: give at least one of paytrek, paytr, craftgate"
            )));
        }
        Self::from_entries(strategy, entries, source)
    }

    fn from_entries(
        strategy: RouteStrategy,
        entries: Vec<(String, u32)>,
        source: &str,
    ) -> CliResult<Self> {
        let mut providers: Vec<(ProviderId, u32)> = Vec::new();
        for (name, weight) in entries {
            let provider = parse_provider(&name, source)?;
            if providers.iter().any(|(p, _)| *p == provider) {
                return Err(CliError::input(format!(
                    "{source} lists `{provider}` twice; each provider may appear once"
                )));
            }
            providers.push((provider, weight));
        }
        Ok(Self {
            strategy,
            providers,
            source: source.to_owned(),
        })
    }

    /// The spec as `--route` takes it (`weighted:paytr=70,craftgate=30`).
    pub fn label(&self) -> String {
        let list: Vec<String> = self
            .providers
            .iter()
            .map(|(p, w)| {
                if self.strategy.weighted() {
                    format!("{p}={w}")
                } else {
                    p.to_string()
                }
            })
            .collect();
        let seed = match self.strategy {
            RouteStrategy::WeightedRandom { seed: Some(seed) } => format!("@{seed}"),
            _ => String::new(),
        };
        format!("{}:{}{seed}", self.strategy.name(), list.join(","))
    }

    /// The router over `gateways` (one per provider of the route, in its order).
    pub fn build(
        &self,
        gateways: Vec<(ProviderId, Arc<dyn Gateway>)>,
        store: Option<Arc<dyn RouterStore>>,
    ) -> CliResult<Router> {
        let strategy = match self.strategy {
            RouteStrategy::Failover => Strategy::Failover,
            RouteStrategy::Weighted => Strategy::Weighted,
            RouteStrategy::WeightedRandom { seed } => Strategy::WeightedRandom { seed },
            RouteStrategy::ApprovalRate { seed } => Strategy::ApprovalRate(ApprovalRouting {
                seed,
                ..ApprovalRouting::default()
            }),
        };
        let builder =
            gateways
                .into_iter()
                .fold(Router::builder(), |builder, (provider, gateway)| {
                    let weight = self
                        .providers
                        .iter()
                        .find(|(p, _)| *p == provider)
                        .map_or(1, |(_, w)| *w);
                    builder.weighted(provider.as_str(), gateway, weight)
                });
        let builder = match store {
            Some(store) => builder.store(store),
            None => builder,
        };
        Ok(builder.strategy(strategy).build()?)
    }
}

/// The Redis store at `url` (`redis://[:password@]host:port/db`), checked to answer.
pub async fn connect_store(url: &str) -> CliResult<Arc<dyn RouterStore>> {
    let store = RedisStore::connect(RedisStoreConfig::new(url))
        .await
        .map_err(|e| CliError::input(format!("--route-store: {e}")))?;
    Ok(Arc::new(store))
}

fn parse_provider(name: &str, source: &str) -> CliResult<ProviderId> {
    name.parse::<ProviderId>().map_err(|_| {
        CliError::input(format!(
            "{source} names an unknown provider `{name}` (paytrek, paytr or craftgate)"
        ))
    })
}

fn parse_weight(name: &str, text: &str, source: &str) -> CliResult<u32> {
    match text.parse::<i64>() {
        Ok(w) if w >= 1 => u32::try_from(w).map_err(|_| {
            CliError::input(format!(
                "{source}: the weight of `{name}` ({w}) is too large (at most {})",
                u32::MAX
            ))
        }),
        Ok(w) => Err(CliError::input(format!(
            "{source}: the weight of `{name}` is {w}; weights start at 1"
        ))),
        Err(_) => Err(CliError::input(format!(
            "{source}: the weight of `{name}` is `{text}`, not a whole number from 1"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(spec: &str) -> String {
        RouteSpec::parse(spec, "--route").unwrap_err().to_string()
    }

    #[test]
    fn parses_every_strategy() {
        let failover = RouteSpec::parse("failover:paytr, craftgate", "--route").unwrap();
        assert_eq!(failover.strategy, RouteStrategy::Failover);
        assert_eq!(
            failover.providers,
            vec![(ProviderId::Paytr, 1), (ProviderId::Craftgate, 1)]
        );
        assert_eq!(failover.label(), "failover:paytr,craftgate");
        let weighted = RouteSpec::parse("weighted:paytr=70,craftgate=30", "--route").unwrap();
        assert_eq!(
            weighted.providers,
            vec![(ProviderId::Paytr, 70), (ProviderId::Craftgate, 30)]
        );
        assert_eq!(weighted.label(), "weighted:paytr=70,craftgate=30");
        let random = RouteSpec::parse("weighted-random:paytr=1,paytrek=2@42", "--route").unwrap();
        assert_eq!(
            random.strategy,
            RouteStrategy::WeightedRandom { seed: Some(42) }
        );
        assert_eq!(random.label(), "weighted-random:paytr=1,paytrek=2@42");
        let unseeded = RouteSpec::parse("weighted_random:paytr=1", "--route").unwrap();
        assert_eq!(
            unseeded.strategy,
            RouteStrategy::WeightedRandom { seed: None }
        );
    }

    #[test]
    fn every_mistake_is_named() {
        assert!(err("failover:paytr,iyzico").contains("unknown provider `iyzico`"));
        assert!(err("failover:").contains("lists no provider"));
        assert!(err("failover:paytr,,craftgate").contains("empty entry"));
        assert!(err("failover:paytr,PayTR").contains("`paytr` twice"));
        assert!(err("weighted:paytr=0,craftgate=1").contains("weight of `paytr` is 0"));
        assert!(err("weighted:paytr=-5").contains("weight of `paytr` is -5"));
        assert!(err("weighted:paytr=lots").contains("`lots`, not a whole number"));
        assert!(err("weighted:paytr=99999999999").contains("too large"));
        assert!(err("weighted:paytr").contains("needs a weight"));
        assert!(err("failover:paytr=3").contains("without weights"));
        assert!(err("roundrobin:paytr").contains("unknown routing strategy `roundrobin`"));
        assert!(err("paytr,craftgate").contains("has no strategy"));
        assert!(err("weighted-random:paytr=1@x").contains("seed `x`"));
        assert!(err("failover:paytr@1").contains("only weighted-random"));
    }

    fn section(text: &str) -> RouterSection {
        crate::profile::Profile::parse(text)
            .unwrap()
            .router
            .unwrap()
    }

    #[test]
    fn reads_the_profile_table() {
        let spec = RouteSpec::from_profile(&section(
            "[router]\nstrategy = \"failover\"\ngateways = [\"craftgate\", \"paytr\"]\n",
        ))
        .unwrap();
        assert_eq!(spec.label(), "failover:craftgate,paytr");
        let spec = RouteSpec::from_profile(&section(
            "[router]\nstrategy = \"weighted\"\nweights = { paytr = 70, craftgate = 30 }\n",
        ))
        .unwrap();
        assert_eq!(spec.strategy, RouteStrategy::Weighted);
        assert!(spec.providers.contains(&(ProviderId::Paytr, 70)));
        let spec = RouteSpec::from_profile(&section(
            "[router]\nstrategy = \"weighted-random\"\nseed = 3\nweights = { paytr = 1 }\n",
        ))
        .unwrap();
        assert_eq!(
            spec.strategy,
            RouteStrategy::WeightedRandom { seed: Some(3) }
        );
        let bad = |text: &str| {
            RouteSpec::from_profile(&section(text))
                .unwrap_err()
                .to_string()
        };
        assert!(bad("[router]\nweights = { paytr = 0 }\n").contains("weights start at 1"));
        assert!(bad("[router]\nweights = { paytr = \"7\" }\n").contains("whole number"));
        assert!(bad("[router]\ngateways = []\n").contains("lists no provider"));
        assert!(
            bad("[router]\nstrategy = \"fast\"\ngateways = [\"paytr\"]\n")
                .contains("unknown routing strategy `fast`")
        );
        assert!(
            bad("[router]\nstrategy = \"weighted\"\ngateways = [\"paytr\"]\n")
                .contains("not `gateways`")
        );
        assert!(bad("[router]\ngateways = [\"paytr\", \"paytr\"]\n").contains("twice"));
    }
}
