//! Many connections of one user opening and closing at once: exactly one
//! is the first and exactly one is the last, which is what presence
//! announcements to friends rely on.

use std::sync::Arc;

use super::{gw, route, users, LONG_TTL};
use ferrochat_ports::Presence;

const TASKS: u64 = 32;
const ROUNDS: usize = 5;

pub async fn concurrent_connects_see_one_first_and_one_last(p: Arc<dyn Presence>) {
    p.heartbeat(&gw("g1"), LONG_TTL).await.unwrap();
    for _ in 0..ROUNDS {
        let user = users(1).remove(0);
        let firsts = race(&p, &user, true).await;
        assert_eq!(firsts, 1, "exactly one connection is the first");
        assert_eq!(
            p.routes(std::slice::from_ref(&user)).await.unwrap().len(),
            usize::try_from(TASKS).unwrap()
        );
        let lasts = race(&p, &user, false).await;
        assert_eq!(lasts, 1, "exactly one connection is the last");
        assert!(p
            .routes(std::slice::from_ref(&user))
            .await
            .unwrap()
            .is_empty());
    }
}

/// Connects (or disconnects) `TASKS` routes of `user` at once, on two
/// gateways; returns how many answered true.
async fn race(p: &Arc<dyn Presence>, user: &ferrochat_domain::UserId, connect: bool) -> usize {
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let (p, user) = (p.clone(), user.clone());
            let r = route(if i % 2 == 0 { "g1" } else { "g2" }, i);
            tokio::spawn(async move {
                if connect {
                    p.connect(&user, &r).await.unwrap()
                } else {
                    p.disconnect(&user, &r).await.unwrap()
                }
            })
        })
        .collect();
    let mut yes = 0;
    for t in tasks {
        if t.await.unwrap() {
            yes += 1;
        }
    }
    yes
}
