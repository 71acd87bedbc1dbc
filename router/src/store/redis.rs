//! The Redis store: every application instance pointed at the same Redis shares charge
//! keys, routing records, ownership and circuit breakers, so they route as one.
//!
//! # Consistency
//! A claim is `SET NX` and every change of an attempt record is a Lua script that checks
//! the record's holder first, so on one Redis primary two instances can never both hold a
//! key, and a holder whose claim was taken over cannot overwrite the new holder's record.
//! With replication, Redis acknowledges a write before its replicas have it: a failover in
//! that window can lose the most recent claims (run a single primary, or accept that
//! risk for the seconds around a failover). Breaker counters are shared and best-effort:
//! two instances may both count the failure that opens a circuit.
//!
//! # When Redis is unreachable
//! [`RedisStore::connect`] fails, so a router is not built on a store it cannot reach.
//! Later, every operation fails within the configured time-outs (never hangs) with a
//! [`StoreError`] that names no password, and the router fails closed: a charge whose key
//! cannot be claimed is not sent anywhere.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};

use super::{
    Attempt, BreakerCounters, Claim, OpenAttempt, OutcomeWindow, OwnerKind, RouterStore,
    StoreError, StoreResult,
};
use crate::clock::millis;

/// `SET key value NX PX ttl`, answering the record already there when there is one.
const CLAIM: &str = r#"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return false
end
return redis.call('GET', KEYS[1])
"#;

/// Replaces the record only while its holder is ARGV[1]; 1 when replaced.
const REPLACE: &str = r#"
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or record['holder'] ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"#;

/// Deletes the record only while its holder is ARGV[1].
const RELEASE: &str = r#"
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or record['holder'] ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"#;

/// Prepends ARGV[1] (`1` approved, `0` declined) to each window in KEYS, keeps its first
/// ARGV[2] outcomes and lets it expire after ARGV[3] ms: a window is one short string,
/// newest outcome first.
const RECORD: &str = r#"
for _, key in ipairs(KEYS) do
  local window = ARGV[1] .. (redis.call('GET', key) or '')
  redis.call('SET', key, string.sub(window, 1, tonumber(ARGV[2])), 'PX', ARGV[3])
end
return 1
"#;

/// Takes lease KEYS[1] for ARGV[1] (PX ARGV[2]) when free or already ARGV[1]'s; 1 if taken.
const LEASE: &str = r#"
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"#;

/// Deletes lease KEYS[1] only while ARGV[1] holds it.
const UNLEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// Where a [`RedisStore`] connects and how long it waits.
#[derive(Clone)]
pub struct RedisStoreConfig {
    url: String,
    key_prefix: String,
    connection_timeout: Duration,
    response_timeout: Duration,
}

impl fmt::Debug for RedisStoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreConfig")
            .field("url", &redacted_url(&self.url))
            .field("key_prefix", &self.key_prefix)
            .field("connection_timeout", &self.connection_timeout)
            .field("response_timeout", &self.response_timeout)
            .finish()
    }
}

impl RedisStoreConfig {
    /// Redis at `url` (`redis://[:password@]host:port/[db]`), keys under `odeme:router:`,
    /// 2 s time-outs.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            key_prefix: "odeme:router:".to_owned(),
            connection_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(2),
        }
    }

    /// Keys under `prefix` instead (several routers of different merchants, or tests, on
    /// one Redis). Instances that must route as one need the same prefix.
    pub fn with_key_prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.key_prefix);
        self
    }

    /// How long to wait for a connection and for each answer.
    pub fn with_timeouts(mut self, connection: Duration, response: Duration) -> Self {
        self.connection_timeout = connection;
        self.response_timeout = response;
        self
    }
}

/// The URL without its password, for messages.
fn redacted_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://[REDACTED]@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// The shared store on Redis (feature `redis`). Cheap to clone: clones share one
/// multiplexed connection that reconnects by itself.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    where_: String,
    response_timeout: Duration,
    claim: Script,
    replace: Script,
    release: Script,
    lease: Script,
    unlease: Script,
    record: Script,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("at", &self.where_)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects and checks the connection with a `PING`: an unreachable Redis is an error
    /// here, before any router is built on it.
    pub async fn connect(config: RedisStoreConfig) -> StoreResult<Self> {
        let where_ = redacted_url(&config.url);
        let fail = |what: &str, e: &dyn fmt::Display| {
            // The crate's errors may quote the URL; only the redacted form is shown.
            let text = e.to_string().replace(&config.url, &where_);
            StoreError(format!("{what} Redis at {where_}: {text}"))
        };
        let client = redis::Client::open(config.url.as_str())
            .map_err(|e| fail("cannot use the URL of", &e))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(config.connection_timeout)
            .set_response_timeout(config.response_timeout)
            .set_number_of_retries(1);
        let wait = config
            .connection_timeout
            .saturating_mul(3)
            .saturating_add(config.response_timeout);
        let connection = tokio::time::timeout(
            wait,
            ConnectionManager::new_with_config(client, manager_config),
        )
        .await
        .map_err(|_| StoreError(format!("cannot connect to Redis at {where_}: timed out")))?
        .map_err(|e| fail("cannot connect to", &e))?;
        let store = Self {
            connection,
            prefix: config.key_prefix,
            where_,
            response_timeout: config.response_timeout,
            claim: Script::new(CLAIM),
            replace: Script::new(REPLACE),
            release: Script::new(RELEASE),
            lease: Script::new(LEASE),
            unlease: Script::new(UNLEASE),
            record: Script::new(RECORD),
        };
        let mut connection = store.connection.clone();
        let pong: String = store
            .bounded(async move { redis::cmd("PING").query_async(&mut connection).await })
            .await?;
        if pong != "PONG" {
            return Err(StoreError(format!(
                "Redis at {} answered PING with {pong:?}",
                store.where_
            )));
        }
        Ok(store)
    }

    /// Runs one Redis round trip within the response time-out, so that a Redis that went
    /// away is an error, not a hang.
    async fn bounded<T>(
        &self,
        call: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> StoreResult<T> {
        match tokio::time::timeout(self.response_timeout.saturating_mul(2), call).await {
            Ok(Ok(value)) => Ok(value),
            // Errors of a running connection are I/O and protocol errors; they do not
            // quote the URL (the only place a password could be).
            Ok(Err(e)) => Err(StoreError(format!("Redis at {}: {e}", self.where_))),
            Err(_) => Err(StoreError(format!("Redis at {}: timed out", self.where_))),
        }
    }

    fn attempt_key(&self, key: &str) -> String {
        format!("{}attempt:{key}", self.prefix)
    }

    fn owner_key(&self, kind: OwnerKind, id: &str) -> String {
        format!("{}owner:{}:{id}", self.prefix, kind.as_str())
    }

    fn breaker_key(&self, gateway: &str) -> String {
        format!("{}breaker:{gateway}", self.prefix)
    }

    fn probe_key(&self, gateway: &str) -> String {
        format!("{}probe:{gateway}", self.prefix)
    }

    fn window_key(&self, key: &str) -> String {
        format!("{}outcomes:{key}", self.prefix)
    }

    fn open_key(&self) -> String {
        format!("{}open", self.prefix)
    }

    fn lease_key(&self, name: &str) -> String {
        format!("{}lease:{name}", self.prefix)
    }
}

fn encode(attempt: &Attempt) -> StoreResult<String> {
    serde_json::to_string(attempt).map_err(|e| StoreError(format!("cannot encode a record: {e}")))
}

fn decode(text: &str) -> StoreResult<Attempt> {
    serde_json::from_str(text).map_err(|e| StoreError(format!("unreadable record in Redis: {e}")))
}

/// A time-to-live in milliseconds, at least 1 (Redis refuses `PX 0`).
fn ttl_ms(ttl: Duration) -> u64 {
    millis(ttl).max(1)
}

#[async_trait]
impl RouterStore for RedisStore {
    async fn claim(&self, key: &str, attempt: &Attempt, ttl: Duration) -> StoreResult<Claim> {
        let record = encode(attempt)?;
        let mut connection = self.connection.clone();
        let mut invocation = self.claim.key(self.attempt_key(key));
        invocation.arg(record).arg(ttl_ms(ttl));
        let existing: Option<String> = self
            .bounded(invocation.invoke_async(&mut connection))
            .await?;
        match existing {
            None => Ok(Claim::Claimed),
            Some(text) => Ok(Claim::Taken(Box::new(decode(&text)?))),
        }
    }

    async fn replace(
        &self,
        key: &str,
        holder: &str,
        attempt: &Attempt,
        ttl: Duration,
    ) -> StoreResult<bool> {
        let record = encode(attempt)?;
        let mut connection = self.connection.clone();
        let mut invocation = self.replace.key(self.attempt_key(key));
        invocation.arg(holder).arg(record).arg(ttl_ms(ttl));
        let replaced: i64 = self
            .bounded(invocation.invoke_async(&mut connection))
            .await?;
        Ok(replaced == 1)
    }

    async fn attempt(&self, key: &str) -> StoreResult<Option<Attempt>> {
        let mut connection = self.connection.clone();
        let key = self.attempt_key(key);
        let text: Option<String> = self
            .bounded(async move { connection.get(key).await })
            .await?;
        text.as_deref().map(decode).transpose()
    }

    async fn release(&self, key: &str, holder: &str) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let mut invocation = self.release.key(self.attempt_key(key));
        invocation.arg(holder);
        let _: i64 = self
            .bounded(invocation.invoke_async(&mut connection))
            .await?;
        Ok(())
    }

    async fn set_owner(
        &self,
        kind: OwnerKind,
        id: &str,
        gateway: &str,
        ttl: Duration,
    ) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let key = self.owner_key(kind, id);
        let gateway = gateway.to_owned();
        let ttl = ttl_ms(ttl);
        self.bounded(async move { connection.pset_ex::<_, _, ()>(key, gateway, ttl).await })
            .await
    }

    async fn owner(&self, kind: OwnerKind, id: &str) -> StoreResult<Option<String>> {
        let mut connection = self.connection.clone();
        let key = self.owner_key(kind, id);
        self.bounded(async move { connection.get(key).await }).await
    }

    async fn breaker(&self, gateway: &str) -> StoreResult<BreakerCounters> {
        let mut connection = self.connection.clone();
        let key = self.breaker_key(gateway);
        let fields: std::collections::HashMap<String, u64> = self
            .bounded(async move { connection.hgetall(key).await })
            .await?;
        Ok(BreakerCounters {
            consecutive_failures: fields
                .get("failures")
                .map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX)),
            open_until_ms: fields.get("open_until").copied(),
        })
    }

    async fn record_failure(&self, gateway: &str) -> StoreResult<u32> {
        let mut connection = self.connection.clone();
        let key = self.breaker_key(gateway);
        let count: i64 = self
            .bounded(async move { connection.hincr(key, "failures", 1).await })
            .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn record_success(&self, gateway: &str) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let keys = [self.breaker_key(gateway), self.probe_key(gateway)];
        self.bounded(async move { connection.del::<_, ()>(&keys).await })
            .await
    }

    async fn open(&self, gateway: &str, until_ms: u64) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let breaker = self.breaker_key(gateway);
        let probe = self.probe_key(gateway);
        self.bounded(async move {
            redis::pipe()
                .atomic()
                .hset(&breaker, "open_until", until_ms)
                .ignore()
                .del(&probe)
                .ignore()
                .query_async::<()>(&mut connection)
                .await
        })
        .await
    }

    async fn try_probe(&self, gateway: &str, _now_ms: u64, lease: Duration) -> StoreResult<bool> {
        let mut connection = self.connection.clone();
        let key = self.probe_key(gateway);
        let lease = ttl_ms(lease);
        let set: Option<String> = self
            .bounded(async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(lease)
                    .query_async(&mut connection)
                    .await
            })
            .await?;
        Ok(set.is_some())
    }

    async fn record_outcome(
        &self,
        keys: &[String],
        approved: bool,
        size: u32,
        ttl: Duration,
    ) -> StoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut connection = self.connection.clone();
        let mut invocation = self.record.prepare_invoke();
        for key in keys {
            invocation.key(self.window_key(key));
        }
        invocation
            .arg(if approved { "1" } else { "0" })
            .arg(size.max(1))
            .arg(ttl_ms(ttl));
        let _: i64 = self
            .bounded(invocation.invoke_async(&mut connection))
            .await?;
        Ok(())
    }

    async fn outcome_windows(&self, keys: &[String]) -> StoreResult<Vec<OutcomeWindow>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut connection = self.connection.clone();
        let keys: Vec<String> = keys.iter().map(|k| self.window_key(k)).collect();
        // One MGET of short strings: a list per window would be one reply element per
        // outcome, and parsing those cost ~20 µs a window.
        let windows: Vec<Option<Vec<u8>>> = self
            .bounded(async move {
                redis::cmd("MGET")
                    .arg(&keys)
                    .query_async(&mut connection)
                    .await
            })
            .await?;
        Ok(windows
            .into_iter()
            .map(|w| {
                w.unwrap_or_default()
                    .into_iter()
                    .map(|o| o == b'1')
                    .collect()
            })
            .collect())
    }

    async fn mark_open(&self, key: &str, due_ms: u64) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let open = self.open_key();
        let key = key.to_owned();
        self.bounded(async move { connection.zadd::<_, _, _, ()>(open, key, due_ms).await })
            .await
    }

    async fn clear_open(&self, key: &str) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let open = self.open_key();
        let key = key.to_owned();
        self.bounded(async move { connection.zrem::<_, _, ()>(open, key).await })
            .await
    }

    async fn open_attempts(&self, limit: usize) -> StoreResult<Vec<OpenAttempt>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut connection = self.connection.clone();
        let open = self.open_key();
        let stop = isize::try_from(limit)
            .unwrap_or(isize::MAX)
            .saturating_sub(1);
        let entries: Vec<(String, u64)> = self
            .bounded(async move { connection.zrange_withscores(open, 0, stop).await })
            .await?;
        Ok(entries
            .into_iter()
            .map(|(key, due_ms)| OpenAttempt { key, due_ms })
            .collect())
    }

    async fn try_lease(&self, name: &str, holder: &str, ttl: Duration) -> StoreResult<bool> {
        let mut connection = self.connection.clone();
        let mut invocation = self.lease.key(self.lease_key(name));
        invocation.arg(holder).arg(ttl_ms(ttl));
        let taken: i64 = self
            .bounded(invocation.invoke_async(&mut connection))
            .await?;
        Ok(taken == 1)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let mut invocation = self.unlease.key(self.lease_key(name));
        invocation.arg(holder);
        let _: i64 = self
            .bounded(invocation.invoke_async(&mut connection))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_url;

    #[test]
    fn the_password_never_shows() {
        assert_eq!(
            redacted_url("redis://:hunter2@127.0.0.1:6379/0"),
            "redis://[REDACTED]@127.0.0.1:6379/0"
        );
        assert_eq!(
            redacted_url("redis://127.0.0.1:6379/"),
            "redis://127.0.0.1:6379/"
        );
    }
}
