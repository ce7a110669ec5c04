//! What users' friends were last told: each change answered true once,
//! however many callers race, kept apart from the routes, and paged in id
//! order for the sweep.

use std::sync::Arc;

use super::{route, users};
use ferrochat_ports::Presence;

pub async fn each_announcement_is_made_once(p: Arc<dyn Presence>) {
    let u = users(2);
    let (a, b) = (&u[0], &u[1]);
    assert!(!p.set_announced(a, false).await.unwrap(), "never online");
    assert!(p.set_announced(a, true).await.unwrap(), "online: tell them");
    assert!(!p.set_announced(a, true).await.unwrap(), "already told");
    assert_eq!(p.announced(&u).await.unwrap(), vec![a.clone()]);
    assert!(
        p.set_announced(a, false).await.unwrap(),
        "offline: tell them"
    );
    assert!(!p.set_announced(a, false).await.unwrap(), "already told");
    assert!(p.announced(&u).await.unwrap().is_empty());
    // Routes and announcements are separate facts: connecting announces
    // nothing, announcing connects no one.
    p.connect(b, &route("g1", 1)).await.unwrap();
    assert!(p.announced(&u).await.unwrap().is_empty());
    assert!(p.set_announced(a, true).await.unwrap());
    assert!(p.routes(std::slice::from_ref(a)).await.unwrap().is_empty());
    assert!(p.announced(&[]).await.unwrap().is_empty());
}

/// Two logic instances told at once that a user came online (or left):
/// exactly one of them announces it.
pub async fn racing_announcements_have_one_winner(p: Arc<dyn Presence>) {
    let u = users(1);
    for online in [true, false, true, false] {
        let calls = (0..8).map(|_| {
            let p = p.clone();
            let user = u[0].clone();
            tokio::spawn(async move { p.set_announced(&user, online).await.unwrap() })
        });
        let mut winners = 0;
        for call in calls {
            if call.await.unwrap() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "announcing online={online}");
    }
}

pub async fn announced_users_are_paged_in_id_order(p: Arc<dyn Presence>) {
    let u = users(12);
    for user in u.iter().rev() {
        p.set_announced(user, true).await.unwrap();
    }
    p.set_announced(&u[5], false).await.unwrap();
    let want: Vec<_> = u.iter().filter(|x| **x != u[5]).cloned().collect();
    let mut got = Vec::new();
    let mut after = None;
    loop {
        let page = p.announced_page(after.as_ref(), 5).await.unwrap();
        assert!(page.len() <= 5);
        let Some(last) = page.last() else { break };
        after = Some(last.clone());
        got.extend(page);
    }
    assert_eq!(got, want);
    assert!(p.announced_page(None, 0).await.unwrap().is_empty());
    // `announced` answers in the order asked.
    let reversed: Vec<_> = u.iter().rev().cloned().collect();
    let want_reversed: Vec<_> = want.iter().rev().cloned().collect();
    assert_eq!(p.announced(&reversed).await.unwrap(), want_reversed);
}
