//! `RedisRateLimiter`: one token bucket per user, shared by every limiter
//! (gateway) on the same prefix, gone from Redis once full again; and the
//! gateway's `FallbackRateLimiter` answering from its local bucket while
//! Redis is down.

use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::UserId;
use ferrochat_gateway::{FallbackRateLimiter, RateLimitConfig};
use ferrochat_ports::RateLimiter;

use ferrochat_test_support::PrivateRedis;

use crate::restart::open_impatient;
use crate::support::{open, server_url, unique_options, REDIS_ENV};

/// Calls before a refill is declared hung (not a speed check).
const ATTEMPTS: usize = 2_000;
const PAUSE: Duration = Duration::from_millis(2);

/// How many of `n` calls are allowed.
async fn allowed(limiter: &dyn RateLimiter, user: &UserId, n: usize) -> usize {
    let mut ok = 0;
    for _ in 0..n {
        if limiter.allow(user).await.unwrap() {
            ok += 1;
        }
    }
    ok
}

#[tokio::test]
async fn allows_exactly_the_burst_then_refuses() {
    // One token a second: none refills between these calls.
    let limiter = open(&unique_options()).await.rate_limiter(1, 5);
    let user = UserId::generate();
    for i in 0..5 {
        assert!(limiter.allow(&user).await.unwrap(), "send {i} of the burst");
    }
    assert!(!limiter.allow(&user).await.unwrap(), "the sixth");
    assert!(!limiter.allow(&user).await.unwrap(), "and the seventh");
}

#[tokio::test]
async fn refills_over_time() {
    let limiter = open(&unique_options()).await.rate_limiter(1_000, 5);
    let user = UserId::generate();
    // Drain it (it refills while we do, so until the first refusal).
    let mut drained = false;
    for _ in 0..ATTEMPTS {
        if !limiter.allow(&user).await.unwrap() {
            drained = true;
            break;
        }
    }
    assert!(drained, "never refused");
    let mut refilled = false;
    for _ in 0..ATTEMPTS {
        tokio::time::sleep(PAUSE).await;
        if limiter.allow(&user).await.unwrap() {
            refilled = true;
            break;
        }
    }
    assert!(refilled, "never refilled");
}

#[tokio::test]
async fn gateways_on_one_prefix_share_a_bucket() {
    let options = unique_options();
    let a = open(&options).await.rate_limiter(1, 5);
    let b = open(&options).await.rate_limiter(1, 5);
    let user = UserId::generate();
    let mut ok = 0;
    for _ in 0..6 {
        ok += usize::from(a.allow(&user).await.unwrap());
        ok += usize::from(b.allow(&user).await.unwrap());
    }
    assert_eq!(ok, 5, "one budget over both gateways");
}

#[tokio::test]
async fn users_do_not_share() {
    let limiter = open(&unique_options()).await.rate_limiter(1, 5);
    let (a, b) = (UserId::generate(), UserId::generate());
    assert_eq!(allowed(&limiter, &a, 6).await, 5);
    assert_eq!(
        allowed(&limiter, &b, 6).await,
        5,
        "b has a bucket of its own"
    );
}

// Asks made at once are answered by one script run for all of them (a
// user named several times in it takes a token each): the budgets are
// exactly what they are for asks one at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asks_made_at_once_take_exactly_each_users_burst() {
    let limiter = Arc::new(open(&unique_options()).await.rate_limiter(1, 5));
    let users: Vec<UserId> = (0..4).map(|_| UserId::generate()).collect();
    let mut asks = tokio::task::JoinSet::new();
    for round in 0..12 {
        for (i, user) in users.iter().enumerate() {
            let (limiter, user) = (limiter.clone(), user.clone());
            asks.spawn(async move { (i, round, limiter.allow(&user).await.unwrap()) });
        }
    }
    let mut allowed = [0usize; 4];
    while let Some(answer) = asks.join_next().await {
        let (i, _, ok) = answer.unwrap();
        allowed[i] += usize::from(ok);
    }
    assert_eq!(allowed, [5; 4], "each user's burst, no more, no less");
}

#[tokio::test]
async fn the_bucket_expires_once_full_again() {
    let options = unique_options();
    let user = UserId::generate();
    let key = format!("{}rl:send:{}", options.prefix, user.as_str());
    let mut con = redis::Client::open(server_url(REDIS_ENV))
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let presence = open(&options).await;

    // Slow refill: one token taken needs up to a second back.
    let slow = presence.rate_limiter(1, 5);
    assert!(slow.allow(&user).await.unwrap());
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut con)
        .await
        .unwrap();
    assert!(ttl > 0, "a TTL is set ({ttl})");

    // Fast refill: the key is gone soon after.
    let fast = presence.rate_limiter(1_000, 5);
    assert!(fast.allow(&user).await.unwrap());
    let mut gone = false;
    for _ in 0..ATTEMPTS {
        let exists: i64 = redis::cmd("EXISTS")
            .arg(&key)
            .query_async(&mut con)
            .await
            .unwrap();
        if exists == 0 {
            gone = true;
            break;
        }
        tokio::time::sleep(PAUSE).await;
    }
    assert!(gone, "the full bucket's key never expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_redis_falls_back_to_the_local_bucket() {
    let mut server = PrivateRedis::start().await;
    let p = open_impatient(&server).await;
    let limiter = FallbackRateLimiter::new(
        Arc::new(p.rate_limiter(1, 3)),
        RateLimitConfig {
            per_second: 1,
            burst: 3,
        },
    );
    let user = UserId::generate();
    assert_eq!(allowed(&limiter, &user, 1).await, 1, "through Redis");

    server.stop();
    // Redis is gone, so every answer now is the local bucket's: full
    // (Redis had the first token), it allows its burst and no more. (Not
    // refusing everything, not allowing everything.)
    assert_eq!(allowed(&limiter, &user, 5).await, 3);
}
