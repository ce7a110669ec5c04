//! Gateway liveness: heartbeats with a TTL, a dead gateway's routes hidden,
//! restore after a reset, forget on a clean shutdown.

use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::routing::ConnId;

use super::{expect, gw, route, set, users, LAPSE, LONG_TTL, SHORT_TTL};
use ferrochat_ports::{Heartbeat, Presence};

pub async fn heartbeat_reports_renewed_or_reset(p: Arc<dyn Presence>) {
    let g = gw("g1");
    assert_eq!(p.heartbeat(&g, LONG_TTL).await.unwrap(), Heartbeat::Reset);
    assert_eq!(p.heartbeat(&g, LONG_TTL).await.unwrap(), Heartbeat::Renewed);
    p.forget_gateway(&g).await.unwrap();
    assert_eq!(p.heartbeat(&g, LONG_TTL).await.unwrap(), Heartbeat::Reset);
    assert_eq!(p.heartbeat(&g, LONG_TTL).await.unwrap(), Heartbeat::Renewed);
    // Another gateway's liveness is its own.
    assert_eq!(
        p.heartbeat(&gw("g2"), LONG_TTL).await.unwrap(),
        Heartbeat::Reset
    );
    // A TTL too long for any clock is taken as "for a very long time".
    let forever = gw("forever");
    assert_eq!(
        p.heartbeat(&forever, Duration::MAX).await.unwrap(),
        Heartbeat::Reset
    );
    assert_eq!(
        p.heartbeat(&forever, Duration::MAX).await.unwrap(),
        Heartbeat::Renewed
    );
}

pub async fn expired_gateway_routes_disappear(p: Arc<dyn Presence>) {
    let u = users(3);
    let (a, b, c) = (&u[0], &u[1], &u[2]);
    p.heartbeat(&gw("short"), SHORT_TTL).await.unwrap();
    p.heartbeat(&gw("long"), LONG_TTL).await.unwrap();
    p.connect(a, &route("short", 1)).await.unwrap();
    p.connect(a, &route("long", 1)).await.unwrap();
    p.connect(b, &route("short", 2)).await.unwrap();
    // A gateway that never heartbeats (embedded mode) never lapses.
    p.connect(c, &route("embedded", 1)).await.unwrap();
    assert_eq!(p.routes(&u).await.unwrap().len(), 4, "all alive at first");

    tokio::time::sleep(LAPSE).await;
    let live = expect(&[(a, "long", 1), (c, "embedded", 1)]);
    assert_eq!(set(&p.routes(&u).await.unwrap()), live);
    assert_eq!(set(&p.online_page(None, 10).await.unwrap()), live);
    let page = p.online_page(Some(a), 1).await.unwrap();
    assert_eq!(set(&page), expect(&[(c, "embedded", 1)]), "b is skipped");

    // The dead gateway's routes make no one online.
    assert!(p.connect(b, &route("long", 2)).await.unwrap(), "b's first");
    assert!(
        p.disconnect(a, &route("long", 1)).await.unwrap(),
        "a's last"
    );
    assert_eq!(
        set(&p.routes(&u).await.unwrap()),
        expect(&[(b, "long", 2), (c, "embedded", 1)])
    );
}

pub async fn lapsed_gateway_restores_its_routes(p: Arc<dyn Presence>) {
    let u = users(2);
    let (a, b) = (&u[0], &u[1]);
    let g = gw("g1");
    p.heartbeat(&g, SHORT_TTL).await.unwrap();
    p.connect(a, &route("g1", 1)).await.unwrap();
    p.connect(b, &route("g1", 2)).await.unwrap();
    tokio::time::sleep(LAPSE).await;
    assert!(p.routes(&u).await.unwrap().is_empty(), "hidden once lapsed");

    assert_eq!(p.heartbeat(&g, LONG_TTL).await.unwrap(), Heartbeat::Reset);
    assert!(
        p.routes(&u).await.unwrap().is_empty(),
        "a reset keeps nothing from before the lapse"
    );
    let conns = [(a.clone(), ConnId(1)), (b.clone(), ConnId(2))];
    p.restore(&g, &conns).await.unwrap();
    let want = expect(&[(a, "g1", 1), (b, "g1", 2)]);
    assert_eq!(set(&p.routes(&u).await.unwrap()), want);
    assert_eq!(set(&p.online_page(None, 10).await.unwrap()), want);

    p.restore(&g, &conns).await.unwrap();
    assert_eq!(
        p.routes(&u).await.unwrap().len(),
        2,
        "restore is idempotent"
    );
    assert_eq!(p.heartbeat(&g, LONG_TTL).await.unwrap(), Heartbeat::Renewed);
    p.restore(&g, &[]).await.unwrap();
    assert!(p.disconnect(a, &route("g1", 1)).await.unwrap(), "a's last");
}

pub async fn forget_gateway_drops_its_routes(p: Arc<dyn Presence>) {
    let u = users(3);
    let (a, b, c) = (&u[0], &u[1], &u[2]);
    p.heartbeat(&gw("g1"), LONG_TTL).await.unwrap();
    p.heartbeat(&gw("g2"), LONG_TTL).await.unwrap();
    p.connect(a, &route("g1", 1)).await.unwrap();
    p.connect(a, &route("g2", 1)).await.unwrap();
    p.connect(b, &route("g1", 2)).await.unwrap();
    p.connect(c, &route("g3", 1)).await.unwrap();

    p.forget_gateway(&gw("g1")).await.unwrap();
    let live = expect(&[(a, "g2", 1), (c, "g3", 1)]);
    assert_eq!(set(&p.routes(&u).await.unwrap()), live);
    assert_eq!(set(&p.online_page(None, 10).await.unwrap()), live);
    assert!(p.disconnect(a, &route("g2", 1)).await.unwrap(), "a's last");

    // A forgotten gateway that comes back starts empty.
    assert_eq!(
        p.heartbeat(&gw("g1"), LONG_TTL).await.unwrap(),
        Heartbeat::Reset
    );
    assert!(p.connect(b, &route("g1", 3)).await.unwrap(), "b's first");

    // Forgetting a gateway that never heartbeated removes its routes too.
    p.forget_gateway(&gw("g3")).await.unwrap();
    assert!(p.routes(std::slice::from_ref(c)).await.unwrap().is_empty());
    p.forget_gateway(&gw("nobody")).await.unwrap();
}

/// Discovery can call a gateway gone while it still beats (its lease
/// lapsed while etcd was away): it keeps its routes until it is silent.
pub async fn a_gateway_still_beating_is_forgotten_only_once_silent(p: Arc<dyn Presence>) {
    let u = users(2);
    let (a, b) = (&u[0], &u[1]);
    p.heartbeat(&gw("g1"), LONG_TTL).await.unwrap();
    p.connect(a, &route("g1", 1)).await.unwrap();
    let minute = Duration::from_secs(60);
    assert!(
        !p.forget_if_silent(&gw("g1"), minute).await.unwrap(),
        "it beat just now"
    );
    assert_eq!(set(&p.routes(&u).await.unwrap()), expect(&[(a, "g1", 1)]));
    assert_eq!(
        p.heartbeat(&gw("g1"), LONG_TTL).await.unwrap(),
        Heartbeat::Renewed,
        "still alive, nothing to restore"
    );
    // Silent for longer than asked: dead, its routes gone.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(p
        .forget_if_silent(&gw("g1"), Duration::from_millis(10))
        .await
        .unwrap());
    assert!(p.routes(&u).await.unwrap().is_empty());
    assert_eq!(
        p.heartbeat(&gw("g1"), LONG_TTL).await.unwrap(),
        Heartbeat::Reset
    );
    // One that never beat (an older build's) is forgotten at once.
    p.connect(b, &route("g2", 1)).await.unwrap();
    assert!(p.forget_if_silent(&gw("g2"), minute).await.unwrap());
    assert!(p.routes(std::slice::from_ref(b)).await.unwrap().is_empty());
}
