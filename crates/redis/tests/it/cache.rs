//! `RedisCache`: entries under a key, filled only with a ticket from
//! before any invalidation, forgotten by invalidation and by their
//! time-to-live, and failing as `Unavailable` (not hanging) without Redis.

use std::time::Duration;

use ferrochat_ports::{CacheError, SharedCache};
use ferrochat_redis::RedisCache;

use ferrochat_test_support::PrivateRedis;

use crate::restart::open_impatient;
use crate::support::{open, unique_options};

const HOUR: Duration = Duration::from_secs(3600);

async fn cache() -> RedisCache {
    open(&unique_options()).await.cache()
}

#[tokio::test]
async fn a_filled_entry_is_read_back_with_its_siblings_missing() {
    let cache = cache().await;
    let first = cache.get("conv:1", &["meta", "m:alice"]).await.unwrap();
    assert_eq!(first.values, vec![None, None]);
    let stored = cache
        .fill("conv:1", &first.ticket, &[("meta", "group|open")], HOUR)
        .await
        .unwrap();
    assert!(stored);
    let second = cache
        .get("conv:1", &["meta", "m:alice", "m:bob"])
        .await
        .unwrap();
    assert_eq!(
        second.values,
        vec![Some("group|open".to_owned()), None, None]
    );
    // Another key is another set of entries.
    let other = cache.get("conv:2", &["meta"]).await.unwrap();
    assert_eq!(other.values, vec![None]);
}

#[tokio::test]
async fn invalidation_forgets_every_entry_of_the_key_only() {
    let cache = cache().await;
    for key in ["conv:1", "conv:2"] {
        let t = cache.get(key, &["meta"]).await.unwrap().ticket;
        let entries = [("meta", "x"), ("m:alice", "")];
        assert!(cache.fill(key, &t, &entries, HOUR).await.unwrap());
    }
    cache.invalidate(&["conv:1"]).await.unwrap();
    let gone = cache.get("conv:1", &["meta", "m:alice"]).await.unwrap();
    assert_eq!(gone.values, vec![None, None]);
    let kept = cache.get("conv:2", &["meta", "m:alice"]).await.unwrap();
    assert_eq!(kept.values, vec![Some("x".into()), Some(String::new())]);
}

// Reads made at once share a script run: each still gets its own key's
// entries, in its own field order, and its own key's version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_made_at_once_each_get_their_own_key() {
    let cache = std::sync::Arc::new(cache().await);
    for i in 0..8 {
        let key = format!("k:{i}");
        let t = cache.get(&key, &["a"]).await.unwrap().ticket;
        let (a, b) = (format!("a{i}"), format!("b{i}"));
        assert!(cache
            .fill(&key, &t, &[("a", &a), ("b", &b)], HOUR)
            .await
            .unwrap());
    }
    cache.invalidate(&["k:3"]).await.unwrap();
    let unchanged = cache.get("k:0", &["a"]).await.unwrap().ticket;
    let mut reads = tokio::task::JoinSet::new();
    for round in 0..6 {
        for i in 0..8 {
            let cache = cache.clone();
            reads.spawn(async move {
                let key = format!("k:{i}");
                // Half ask b first, half with a field that is not there.
                let fields: Vec<&str> = if round % 2 == 0 {
                    vec!["b", "a"]
                } else {
                    vec!["a", "none", "b"]
                };
                (i, round, cache.get(&key, &fields).await.unwrap())
            });
        }
    }
    while let Some(read) = reads.join_next().await {
        let (i, round, got) = read.unwrap();
        let expected = match (i, round % 2) {
            (3, 0) => vec![None, None],
            (3, _) => vec![None, None, None],
            (_, 0) => vec![Some(format!("b{i}")), Some(format!("a{i}"))],
            _ => vec![Some(format!("a{i}")), None, Some(format!("b{i}"))],
        };
        assert_eq!(got.values, expected, "k:{i}, round {round}");
        if i == 0 {
            assert_eq!(got.ticket, unchanged, "k:0's version");
        }
    }
}

/// The race the tickets exist for: a reader misses, reads the store, a
/// writer changes the store and invalidates, then the reader fills with
/// what it read before the change. That value must not be cached.
#[tokio::test]
async fn a_fill_with_a_ticket_from_before_an_invalidation_is_refused() {
    let cache = cache().await;
    let before = cache.get("pair:a:b", &["blocked"]).await.unwrap().ticket;
    cache.invalidate(&["pair:a:b"]).await.unwrap();
    let stored = cache
        .fill("pair:a:b", &before, &[("blocked", "0")], HOUR)
        .await
        .unwrap();
    assert!(!stored);
    let now = cache.get("pair:a:b", &["blocked"]).await.unwrap();
    assert_eq!(now.values, vec![None]);
    // A ticket taken after it fills.
    assert!(cache
        .fill("pair:a:b", &now.ticket, &[("blocked", "1")], HOUR)
        .await
        .unwrap());
    let hit = cache.get("pair:a:b", &["blocked"]).await.unwrap();
    assert_eq!(hit.values, vec![Some("1".into())]);
}

#[tokio::test]
async fn several_keys_are_invalidated_in_one_call() {
    let cache = cache().await;
    let keys = ["user:a", "user:b", "user:c"];
    for key in keys {
        let t = cache.get(key, &["profile"]).await.unwrap().ticket;
        assert!(cache
            .fill(key, &t, &[("profile", key)], HOUR)
            .await
            .unwrap());
    }
    cache.invalidate(&keys[..2]).await.unwrap();
    for (key, expected) in [
        ("user:a", None),
        ("user:b", None),
        ("user:c", Some("user:c")),
    ] {
        let got = cache.get(key, &["profile"]).await.unwrap();
        assert_eq!(got.values, vec![expected.map(str::to_owned)], "{key}");
    }
    cache.invalidate(&[]).await.unwrap();
}

/// Two caches on one prefix are one cache (two logic instances): what one
/// invalidates, the other no longer reads, and its old ticket is stale.
#[tokio::test]
async fn instances_on_one_prefix_share_entries_and_invalidations() {
    let options = unique_options();
    let one = open(&options).await.cache();
    let two = open(&options).await.cache();
    let t = one.get("conv:9", &["meta"]).await.unwrap().ticket;
    assert!(one
        .fill("conv:9", &t, &[("meta", "v1")], HOUR)
        .await
        .unwrap());
    let seen = two.get("conv:9", &["meta"]).await.unwrap();
    assert_eq!(seen.values, vec![Some("v1".into())]);
    two.invalidate(&["conv:9"]).await.unwrap();
    assert_eq!(
        one.get("conv:9", &["meta"]).await.unwrap().values,
        vec![None]
    );
    assert!(!one
        .fill("conv:9", &t, &[("meta", "v0")], HOUR)
        .await
        .unwrap());
}

#[tokio::test]
async fn entries_expire_with_the_time_to_live_of_the_first_fill() {
    let cache = cache().await;
    let t = cache.get("user:x", &["profile"]).await.unwrap().ticket;
    let ttl = Duration::from_millis(200);
    assert!(cache
        .fill("user:x", &t, &[("profile", "p")], ttl)
        .await
        .unwrap());
    // A later fill under the same key does not extend it.
    assert!(cache
        .fill("user:x", &t, &[("other", "q")], HOUR)
        .await
        .unwrap());
    // Polled, not timed: the entry must go, however slow the machine.
    for _ in 0..200 {
        let got = cache.get("user:x", &["profile", "other"]).await.unwrap();
        if got.values == vec![None, None] {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the entries never expired");
}

#[tokio::test]
async fn without_redis_every_call_fails_as_unavailable() {
    let mut server = PrivateRedis::start().await;
    let cache = open_impatient(&server).await.cache();
    let t = cache.get("k", &["f"]).await.unwrap().ticket;
    server.stop();
    let get = cache.get("k", &["f"]).await;
    assert!(matches!(get, Err(CacheError::Unavailable(_))), "{get:?}");
    let fill = cache.fill("k", &t, &[("f", "v")], HOUR).await;
    assert!(matches!(fill, Err(CacheError::Unavailable(_))), "{fill:?}");
    let inv = cache.invalidate(&["k"]).await;
    assert!(matches!(inv, Err(CacheError::Unavailable(_))), "{inv:?}");
}
