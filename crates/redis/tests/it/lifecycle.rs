//! Opening, and what the key prefix isolates.

use std::time::Duration;

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::UserId;
use ferrochat_ports::{Presence, PresenceError};
use ferrochat_redis::{RedisOptions, RedisPresence};
use redis::AsyncCommands as _;

use crate::support::{open, unique_options};

#[tokio::test]
async fn prefixes_keep_route_tables_apart() {
    let (one, two) = (open(&unique_options()).await, open(&unique_options()).await);
    let user = UserId::generate();
    let route = Route {
        gateway: GatewayId::new("g1"),
        conn: ConnId(1),
    };
    assert!(one.connect(&user, &route).await.unwrap());
    assert!(two
        .routes(std::slice::from_ref(&user))
        .await
        .unwrap()
        .is_empty());
    assert!(two.online_page(None, 10).await.unwrap().is_empty());
    assert!(
        two.connect(&user, &route).await.unwrap(),
        "first in its own table"
    );
    two.forget_gateway(&route.gateway).await.unwrap();
    assert_eq!(one.routes(&[user]).await.unwrap().len(), 1);
}

#[tokio::test]
async fn opening_without_a_server_is_unavailable() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = RedisOptions {
        connection_timeout: Duration::from_millis(200),
        ..unique_options()
    };
    let opened = RedisPresence::open(&format!("redis://127.0.0.1:{port}"), &options).await;
    assert!(
        matches!(opened, Err(PresenceError::Unavailable(_))),
        "{:?}",
        opened.err()
    );
    let bad = RedisPresence::open("not a url", &options).await;
    assert!(matches!(bad, Err(PresenceError::Unavailable(_))));
}

/// Dead routes are not only hidden: the read that meets them removes them,
/// and `forget_gateway` leaves only the record that the gateway is dead
/// (and the table's epoch, which says it never lost its data).
#[tokio::test]
async fn dead_routes_are_removed_not_only_hidden() {
    let options = unique_options();
    let p = open(&options).await;
    let (a, b) = (UserId::generate(), UserId::generate());
    let route = |g: &str, conn| Route {
        gateway: GatewayId::new(g),
        conn: ConnId(conn),
    };
    p.heartbeat(&GatewayId::new("short"), Duration::from_secs(1))
        .await
        .unwrap();
    p.heartbeat(&GatewayId::new("long"), Duration::from_secs(600))
        .await
        .unwrap();
    p.connect(&a, &route("short", 1)).await.unwrap();
    p.connect(&a, &route("long", 1)).await.unwrap();
    p.connect(&b, &route("short", 2)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    assert_eq!(p.routes(&[a.clone(), b.clone()]).await.unwrap().len(), 1);
    let pre = &options.prefix;
    let want = |extra: &[String]| {
        let mut keys: Vec<String> = [
            "epoch",
            "gateways",
            "online",
            "gw:long:alive",
            "gw:long:beat",
            "gw:long:routes",
        ]
        .iter()
        .map(|k| format!("{pre}{k}"))
        .chain(extra.iter().cloned())
        .collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(pre).await, want(&[format!("{pre}user:{a}")]));
    let online: Vec<String> = raw()
        .await
        .zrange(format!("{pre}online"), 0, -1)
        .await
        .unwrap();
    assert_eq!(online, vec![a.to_string()]);

    p.forget_gateway(&GatewayId::new("long")).await.unwrap();
    assert_eq!(
        keys(pre).await,
        vec![format!("{pre}epoch"), format!("{pre}gateways")]
    );
}

async fn raw() -> redis::aio::MultiplexedConnection {
    let url = crate::support::server_url(crate::support::REDIS_ENV);
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Every key under `prefix`, sorted (KEYS is fine on a test server).
async fn keys(prefix: &str) -> Vec<String> {
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut raw().await)
        .await
        .unwrap();
    keys.sort();
    keys
}
