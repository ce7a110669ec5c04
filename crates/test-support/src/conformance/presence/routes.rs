//! Connections and routes: first/last answers, several connections and
//! gateways per user, lookups for many users, idempotence.

use std::sync::Arc;

use super::{expect, route, set, users};
use ferrochat_ports::Presence;

pub async fn first_and_last_connection(p: Arc<dyn Presence>) {
    let u = users(1);
    let a = &u[0];
    assert!(p.connect(a, &route("g1", 1)).await.unwrap(), "first");
    assert!(!p.connect(a, &route("g1", 2)).await.unwrap(), "second");
    assert!(!p.disconnect(a, &route("g1", 1)).await.unwrap(), "one left");
    assert_eq!(set(&p.routes(&u).await.unwrap()), expect(&[(a, "g1", 2)]));
    assert!(p.disconnect(a, &route("g1", 2)).await.unwrap(), "last");
    assert!(p.routes(&u).await.unwrap().is_empty());
    assert!(p.online_page(None, 10).await.unwrap().is_empty());
    // Online again: first again.
    assert!(p.connect(a, &route("g1", 3)).await.unwrap());
}

pub async fn connections_across_gateways(p: Arc<dyn Presence>) {
    let u = users(3);
    let (a, b, offline) = (&u[0], &u[1], &u[2]);
    assert!(p.connect(a, &route("g1", 1)).await.unwrap());
    assert!(!p.connect(a, &route("g1", 2)).await.unwrap());
    assert!(!p.connect(a, &route("g2", 1)).await.unwrap());
    // The same connection id on another gateway is another route.
    assert!(p.connect(b, &route("g2", 2)).await.unwrap());

    let got = p.routes(std::slice::from_ref(a)).await.unwrap();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        set(&got),
        expect(&[(a, "g1", 1), (a, "g1", 2), (a, "g2", 1)])
    );
    let got = p.routes(&u).await.unwrap();
    assert_eq!(
        set(&got),
        expect(&[(a, "g1", 1), (a, "g1", 2), (a, "g2", 1), (b, "g2", 2)])
    );
    assert!(p
        .routes(std::slice::from_ref(offline))
        .await
        .unwrap()
        .is_empty());
    assert!(p.routes(&[]).await.unwrap().is_empty());

    // Leaving one gateway keeps the user online through the other.
    assert!(!p.disconnect(a, &route("g1", 1)).await.unwrap());
    assert!(!p.disconnect(a, &route("g1", 2)).await.unwrap());
    assert_eq!(
        set(&p.routes(std::slice::from_ref(a)).await.unwrap()),
        expect(&[(a, "g2", 1)])
    );
    assert!(p.disconnect(a, &route("g2", 1)).await.unwrap());
}

/// More users than an adapter looks up in one round trip.
pub async fn routes_for_many_users(p: Arc<dyn Presence>) {
    let online = users(700);
    let mut want = Vec::new();
    for (i, u) in (0u64..).zip(&online) {
        p.connect(u, &route("g1", i)).await.unwrap();
        want.push((u, "g1", i));
        if i % 5 == 0 {
            p.connect(u, &route("g2", i)).await.unwrap();
            want.push((u, "g2", i));
        }
    }
    let mut asked = online.clone();
    asked.extend(users(50));
    let got = p.routes(&asked).await.unwrap();
    assert_eq!(got.len(), want.len());
    assert_eq!(set(&got), expect(&want));
}

pub async fn connect_and_disconnect_are_idempotent(p: Arc<dyn Presence>) {
    let u = users(2);
    let (a, b) = (&u[0], &u[1]);
    assert!(p.connect(a, &route("g1", 1)).await.unwrap());
    assert!(!p.connect(a, &route("g1", 1)).await.unwrap(), "again");
    assert_eq!(p.routes(&u).await.unwrap().len(), 1, "recorded once");

    // Forgetting a connection that was never recorded changes nothing.
    assert!(!p.disconnect(a, &route("g1", 9)).await.unwrap());
    assert!(!p.disconnect(b, &route("g1", 1)).await.unwrap());
    assert_eq!(set(&p.routes(&u).await.unwrap()), expect(&[(a, "g1", 1)]));

    assert!(p.disconnect(a, &route("g1", 1)).await.unwrap(), "last");
    assert!(!p.disconnect(a, &route("g1", 1)).await.unwrap(), "again");
    assert!(p.routes(&u).await.unwrap().is_empty());
}
