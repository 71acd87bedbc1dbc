//! One contract for every `RouterStore`: the in-memory store and the Redis store on a real
//! `redis-server` (started on a free loopback port, skipped and said so when the machine
//! has none; `ODEME_REQUIRE_REDIS=1` makes its absence a failure).

use std::sync::Arc;
use std::time::Duration;

use odeme_router::store::{Attempt, AttemptState, Claim, MemoryStore, OwnerKind, RouterStore};

fn attempt(order: &str, holder: &str) -> Attempt {
    Attempt::claim(order, holder, 1_000)
}

const HOUR: Duration = Duration::from_secs(3600);

async fn contract(store: Arc<dyn RouterStore>) {
    // Claims: the first wins, the second sees the first's record.
    let first = attempt("o1", "h1");
    assert_eq!(
        store.claim("k1", &first, HOUR).await.unwrap(),
        Claim::Claimed
    );
    match store.claim("k1", &attempt("o1", "h2"), HOUR).await.unwrap() {
        Claim::Taken(existing) => assert_eq!(*existing, first),
        other => panic!("second claim: {other:?}"),
    }
    assert_eq!(store.attempt("k1").await.unwrap(), Some(first.clone()));
    assert_eq!(store.attempt("absent").await.unwrap(), None);

    // Replace only by the holder.
    let mut sent = first.clone();
    sent.state = AttemptState::Sending;
    sent.gateway = Some("paytr".into());
    assert!(!store.replace("k1", "h2", &sent, HOUR).await.unwrap());
    assert_eq!(store.attempt("k1").await.unwrap(), Some(first.clone()));
    assert!(store.replace("k1", "h1", &sent, HOUR).await.unwrap());
    assert_eq!(store.attempt("k1").await.unwrap(), Some(sent.clone()));
    assert!(!store.replace("absent", "h1", &sent, HOUR).await.unwrap());

    // Release only by the holder.
    store.release("k1", "h2").await.unwrap();
    assert!(store.attempt("k1").await.unwrap().is_some());
    store.release("k1", "h1").await.unwrap();
    assert_eq!(store.attempt("k1").await.unwrap(), None);
    assert_eq!(
        store.claim("k1", &first, HOUR).await.unwrap(),
        Claim::Claimed
    );

    // A claim expires with its time-to-live (a functional check of expiry, not a speed
    // target).
    let short = Duration::from_millis(200);
    assert_eq!(
        store.claim("k2", &first, short).await.unwrap(),
        Claim::Claimed
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(store.attempt("k2").await.unwrap(), None);
    assert_eq!(
        store.claim("k2", &first, HOUR).await.unwrap(),
        Claim::Claimed
    );

    // Owners per kind are independent.
    store
        .set_owner(OwnerKind::Payment, "p1", "paytr", HOUR)
        .await
        .unwrap();
    store
        .set_owner(OwnerKind::Card, "p1", "craftgate", HOUR)
        .await
        .unwrap();
    assert_eq!(
        store
            .owner(OwnerKind::Payment, "p1")
            .await
            .unwrap()
            .as_deref(),
        Some("paytr")
    );
    assert_eq!(
        store.owner(OwnerKind::Card, "p1").await.unwrap().as_deref(),
        Some("craftgate")
    );
    assert_eq!(store.owner(OwnerKind::Order, "p1").await.unwrap(), None);

    // Breakers: count, open, reset; one probe at a time.
    assert_eq!(store.breaker("g").await.unwrap().consecutive_failures, 0);
    assert_eq!(store.record_failure("g").await.unwrap(), 1);
    assert_eq!(store.record_failure("g").await.unwrap(), 2);
    store.open("g", 12_345).await.unwrap();
    let counters = store.breaker("g").await.unwrap();
    assert_eq!(counters.consecutive_failures, 2);
    assert_eq!(counters.open_until_ms, Some(12_345));
    assert!(store.try_probe("g", 0, HOUR).await.unwrap());
    assert!(!store.try_probe("g", 0, HOUR).await.unwrap());
    store.record_success("g").await.unwrap();
    assert_eq!(store.breaker("g").await.unwrap(), Default::default());
    assert!(
        store.try_probe("g", 0, HOUR).await.unwrap(),
        "success frees the probe"
    );

    // Concurrent claims of one key: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mine = attempt("race", &format!("h{i}"));
            store.claim("race", &mine, HOUR).await.unwrap()
        }));
    }
    let mut won = 0;
    for task in tasks {
        if task.await.unwrap() == Claim::Claimed {
            won += 1;
        }
    }
    assert_eq!(won, 1);

    // Outcome windows: newest first, capped, one per key, empty when absent, expiring.
    let keys = ["a|bin:435508".to_owned(), "a|all".to_owned()];
    for approved in [true, false, true, true] {
        store
            .record_outcome(&keys, approved, 3, HOUR)
            .await
            .unwrap();
    }
    let windows = store
        .outcome_windows(&[keys[0].clone(), "absent|all".to_owned(), keys[1].clone()])
        .await
        .unwrap();
    assert_eq!(windows[0].newest_first, vec![true, true, false]);
    assert_eq!((windows[0].approved(), windows[0].total()), (2, 3));
    assert_eq!(windows[1].total(), 0);
    assert_eq!(windows[2], windows[0]);
    store
        .record_outcome(
            &["short|all".to_owned()],
            true,
            5,
            Duration::from_millis(50),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    let expired = store
        .outcome_windows(&["short|all".to_owned()])
        .await
        .unwrap();
    assert_eq!(expired[0].total(), 0, "a window expires after its ttl");

    // Open attempts: the longest due first, up to the limit, removable.
    store.mark_open("open-b", 200).await.unwrap();
    store.mark_open("open-a", 100).await.unwrap();
    store.mark_open("open-c", 300).await.unwrap();
    let open = store.open_attempts(2).await.unwrap();
    let listed: Vec<(&str, u64)> = open.iter().map(|o| (o.key.as_str(), o.due_ms)).collect();
    assert_eq!(listed, vec![("open-a", 100), ("open-b", 200)]);
    store.clear_open("open-a").await.unwrap();
    let open = store.open_attempts(10).await.unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].key, "open-b");

    // Leases: free or already one's own is taken, another's is not, until released or
    // expired.
    assert!(store.try_lease("l", "s1", HOUR).await.unwrap());
    assert!(
        store.try_lease("l", "s1", HOUR).await.unwrap(),
        "renewed by its holder"
    );
    assert!(!store.try_lease("l", "s2", HOUR).await.unwrap());
    store.release_lease("l", "s2").await.unwrap();
    assert!(
        !store.try_lease("l", "s2", HOUR).await.unwrap(),
        "only the holder releases"
    );
    store.release_lease("l", "s1").await.unwrap();
    assert!(store
        .try_lease("l", "s2", Duration::from_millis(50))
        .await
        .unwrap());
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(
        store.try_lease("l", "s3", HOUR).await.unwrap(),
        "an expired lease is free"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_keeps_the_contract() {
    contract(Arc::new(MemoryStore::new())).await;
}

#[cfg(feature = "redis")]
mod redis {
    use super::*;
    use odeme_router::store::{RedisStore, RedisStoreConfig};
    use odeme_sandbox::redis_server::{self, RedisServer};

    fn server(test: &str) -> Option<RedisServer> {
        match redis_server::start() {
            Ok(Some(server)) => Some(server),
            Ok(None) => {
                redis_server::skip_notice(test);
                None
            }
            Err(e) => panic!("{test}: {e}"),
        }
    }

    async fn store(server: &RedisServer, prefix: &str) -> RedisStore {
        RedisStore::connect(RedisStoreConfig::new(&server.url()).with_key_prefix(prefix))
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_redis_store_keeps_the_contract() {
        let Some(server) = server("the_redis_store_keeps_the_contract") else {
            return;
        };
        contract(Arc::new(store(&server, "contract:").await)).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_see_each_others_claims_and_prefixes_keep_apart() {
        let Some(server) = server("two_instances_see_each_others_claims") else {
            return;
        };
        let one = store(&server, "shared:").await;
        let two = store(&server, "shared:").await;
        let other = store(&server, "other:").await;
        let mine = attempt("o", "one");
        assert_eq!(one.claim("k", &mine, HOUR).await.unwrap(), Claim::Claimed);
        assert!(matches!(
            two.claim("k", &attempt("o", "two"), HOUR).await.unwrap(),
            Claim::Taken(_)
        ));
        assert_eq!(
            other.claim("k", &attempt("o", "x"), HOUR).await.unwrap(),
            Claim::Claimed
        );
        one.set_owner(OwnerKind::Payment, "p", "paytr", HOUR)
            .await
            .unwrap();
        assert_eq!(
            two.owner(OwnerKind::Payment, "p").await.unwrap().as_deref(),
            Some("paytr")
        );
        assert_eq!(two.record_failure("g").await.unwrap(), 1);
        assert_eq!(one.breaker("g").await.unwrap().consecutive_failures, 1);
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_an_error_at_connect_and_after_an_outage() {
        let Some(mut server) = server("an_unreachable_redis_is_an_error") else {
            return;
        };
        let store = store(&server, "outage:").await;
        server.stop();
        let started = std::time::Instant::now();
        let error = store
            .claim("k", &attempt("o", "h"), HOUR)
            .await
            .unwrap_err();
        assert!(error.to_string().contains("Redis"), "{error}");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "an outage must fail, not hang"
        );
        let refused = RedisStore::connect(
            RedisStoreConfig::new(&server.url())
                .with_timeouts(Duration::from_millis(500), Duration::from_millis(500)),
        )
        .await;
        assert!(refused.is_err(), "{refused:?}");
        let secret = RedisStore::connect(RedisStoreConfig::new(&format!(
            "redis://:hunter2secret@127.0.0.1:{}/",
            server.port()
        )))
        .await
        .unwrap_err();
        assert!(!secret.to_string().contains("hunter2secret"), "{secret}");
    }
}
