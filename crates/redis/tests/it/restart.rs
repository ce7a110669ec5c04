//! Issue 8: "restart Redis (routes are rebuilt)". A private redis-server on
//! a free port is killed (SIGKILL, so it keeps nothing) and started again;
//! the gateway's next heartbeat answers `Reset` and `restore` rebuilds its
//! routes.

use std::time::Duration;

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::UserId;
use ferrochat_ports::presence::Settled;
use ferrochat_ports::{Heartbeat, Presence};
use ferrochat_redis::{RedisOptions, RedisPresence};
use ferrochat_test_support::PrivateRedis;

/// Attempts, 100 ms apart, before a step is declared hung (not a speed
/// check: a healthy run needs a few).
const ATTEMPTS: usize = 100;
const PAUSE: Duration = Duration::from_millis(100);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_are_rebuilt_after_a_redis_restart() {
    let mut server = PrivateRedis::start().await;
    let options = RedisOptions::default();
    let p = RedisPresence::open(&server.url(), &options).await.unwrap();
    let g = GatewayId::new("g1");
    let ttl = Duration::from_secs(600);
    let (a, b) = (UserId::generate(), UserId::generate());
    let route = |conn| Route {
        gateway: g.clone(),
        conn: ConnId(conn),
    };
    assert_eq!(p.heartbeat(&g, ttl).await.unwrap(), Heartbeat::Reset);
    assert!(p.connect(&a, &route(1)).await.unwrap());
    assert!(p.connect(&b, &route(2)).await.unwrap());
    assert_eq!(p.heartbeat(&g, ttl).await.unwrap(), Heartbeat::Renewed);

    server.restart().await;

    // The connection manager reconnects on its own; calls fail (as
    // Unavailable) until it has, the way a gateway's heartbeat loop sees it.
    let mut beat = None;
    for _ in 0..ATTEMPTS {
        match p.heartbeat(&g, ttl).await {
            Ok(h) => {
                beat = Some(h);
                break;
            }
            Err(_) => tokio::time::sleep(PAUSE).await,
        }
    }
    assert_eq!(
        beat,
        Some(Heartbeat::Reset),
        "the restart lost the liveness key"
    );
    let users = [a.clone(), b.clone()];
    assert!(
        p.routes(&users).await.unwrap().is_empty(),
        "and every route"
    );

    p.restore(&g, &[(a.clone(), ConnId(1)), (b.clone(), ConnId(2))])
        .await
        .unwrap();
    assert_eq!(p.routes(&users).await.unwrap().len(), 2);
    assert_eq!(p.online_page(None, 10).await.unwrap().len(), 2);
    assert!(!p.connect(&a, &route(3)).await.unwrap(), "a was restored");
    assert!(p.disconnect(&b, &route(2)).await.unwrap(), "b's last");
    assert_eq!(p.heartbeat(&g, ttl).await.unwrap(), Heartbeat::Renewed);
}

/// After Redis lost its data, routes read are not trusted (`settled` says
/// wait) until a gateway has beaten, every live gateway has restored, and
/// the settle time has passed since the loss was found; a table that never
/// lost anything is settled from its first beat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_are_unsettled_from_a_restart_until_gateways_restored() {
    let mut server = PrivateRedis::start().await;
    let settle = Duration::from_millis(1500);
    let options = RedisOptions {
        settle,
        ..RedisOptions::default()
    };
    let p = RedisPresence::open(&server.url(), &options).await.unwrap();
    let (g1, g2) = (GatewayId::new("g1"), GatewayId::new("g2"));
    let ttl = Duration::from_secs(600);
    let a = UserId::generate();
    // A fresh table: no epoch until a gateway beats.
    assert!(matches!(p.settled().await.unwrap(), Settled::Wait(_)));
    for g in [&g1, &g2] {
        assert_eq!(p.heartbeat(g, ttl).await.unwrap(), Heartbeat::Reset);
        p.restore(g, &[]).await.unwrap();
    }
    assert_eq!(p.settled().await.unwrap(), Settled::Yes, "nothing was lost");
    let route = Route {
        gateway: g1.clone(),
        conn: ConnId(1),
    };
    p.connect(&a, &route).await.unwrap();

    server.restart().await;
    let mut after = None;
    for _ in 0..ATTEMPTS {
        match p.settled().await {
            Ok(s) => {
                after = Some(s);
                break;
            }
            Err(_) => tokio::time::sleep(PAUSE).await,
        }
    }
    assert!(
        matches!(after, Some(Settled::Wait(_))),
        "the table lost its epoch: {after:?}"
    );
    // g1 beats first and finds itself forgotten: the loss is dated now.
    assert_eq!(p.heartbeat(&g1, ttl).await.unwrap(), Heartbeat::Reset);
    let lost_at = std::time::Instant::now();
    assert!(matches!(p.settled().await.unwrap(), Settled::Wait(_)));
    p.restore(&g1, &[(a.clone(), ConnId(1))]).await.unwrap();
    tokio::time::sleep(settle).await;
    // Past the settle time since the loss, but g2 has just beaten and not
    // restored yet.
    assert_eq!(p.heartbeat(&g2, ttl).await.unwrap(), Heartbeat::Reset);
    assert!(
        matches!(p.settled().await.unwrap(), Settled::Wait(_)),
        "g2 is still restoring"
    );
    p.restore(&g2, &[]).await.unwrap();
    let mut settled = false;
    for _ in 0..ATTEMPTS {
        match p.settled().await.unwrap() {
            Settled::Yes => {
                settled = true;
                break;
            }
            Settled::Wait(d) => {
                assert!(d <= settle);
                tokio::time::sleep(d).await;
            }
        }
    }
    assert!(settled && lost_at.elapsed() >= settle);
    assert_eq!(p.routes(std::slice::from_ref(&a)).await.unwrap().len(), 1);
}

/// A route table on `server` that gives up on a dead one quickly.
pub(crate) async fn open_impatient(server: &PrivateRedis) -> RedisPresence {
    let options = RedisOptions {
        response_timeout: Duration::from_millis(500),
        connection_timeout: Duration::from_millis(500),
        ..RedisOptions::default()
    };
    RedisPresence::open(&server.url(), &options).await.unwrap()
}
