//! `online_page`: the world room's audience, paged in user-id order.

use std::sync::Arc;

use ferrochat_domain::UserId;

use super::{expect, route, set, users};
use ferrochat_ports::Presence;

/// 30 users, every third with a second route; pages of 7 users.
pub async fn online_page_pages_in_user_id_order(p: Arc<dyn Presence>) {
    let u = users(30);
    let mut want = Vec::new();
    for (i, user) in (0u64..).zip(&u) {
        p.connect(user, &route("g1", i)).await.unwrap();
        want.push((user, "g1", i));
        if i % 3 == 0 {
            p.connect(user, &route("g2", i)).await.unwrap();
            want.push((user, "g2", i));
        }
    }

    let pages = all_pages(&*p, None, 7).await;
    assert_eq!(pages.len(), 5, "30 users in pages of 7");
    let mut seen: Vec<UserId> = Vec::new();
    let mut got = Vec::new();
    for page in &pages {
        let page_users = distinct_users(page);
        assert!(
            page_users.len() <= 7,
            "{} users in a page",
            page_users.len()
        );
        seen.extend(page_users);
        got.extend(page.iter().cloned());
    }
    assert_eq!(seen, u, "every user once, in id order");
    assert_eq!(set(&got), expect(&want));

    // `after` need not be an online user: paging resumes past it.
    let between = UserId::from_stored(format!("{}~", u[10].as_str()));
    let rest = all_pages(&*p, Some(between), 100).await;
    assert_eq!(rest.len(), 1);
    assert_eq!(distinct_users(&rest[0]), u[11..].to_vec());

    assert!(p.online_page(Some(&u[29]), 7).await.unwrap().is_empty());
    assert!(p.online_page(None, 0).await.unwrap().is_empty());
}

pub async fn online_page_skips_users_who_left(p: Arc<dyn Presence>) {
    let u = users(12);
    for (i, user) in (0u64..).zip(&u) {
        p.connect(user, &route("g1", i)).await.unwrap();
        p.connect(user, &route("g1", 100 + i)).await.unwrap();
    }
    // Even users leave entirely; odd users close one of two connections.
    for (i, user) in (0u64..).zip(&u) {
        p.disconnect(user, &route("g1", 100 + i)).await.unwrap();
        if i % 2 == 0 {
            p.disconnect(user, &route("g1", i)).await.unwrap();
        }
    }
    let pages = all_pages(&*p, None, 4).await;
    assert_eq!(pages.len(), 2, "6 users in pages of 4");
    let got: Vec<_> = pages.concat();
    let want: Vec<_> = (0u64..)
        .zip(&u)
        .filter(|(i, _)| i % 2 == 1)
        .map(|(i, user)| (user, "g1", i))
        .collect();
    assert_eq!(got.len(), want.len());
    assert_eq!(set(&got), expect(&want));
}

/// Every page from `after` on, as the task role reads them: each page
/// resumes after the last user of the one before.
async fn all_pages(
    p: &dyn Presence,
    mut after: Option<UserId>,
    limit: usize,
) -> Vec<Vec<(UserId, ferrochat_domain::routing::Route)>> {
    let mut pages = Vec::new();
    loop {
        let page = p.online_page(after.as_ref(), limit).await.unwrap();
        let Some((last, _)) = page.last() else {
            return pages;
        };
        if let Some(prev) = &after {
            assert!(&page[0].0 > prev, "a page starts after `after`");
        }
        after = Some(last.clone());
        pages.push(page);
        assert!(pages.len() <= 1000, "paging does not end");
    }
}

/// The users of a page, in order, checking that each user's routes are
/// together and that users ascend.
fn distinct_users(page: &[(UserId, ferrochat_domain::routing::Route)]) -> Vec<UserId> {
    let mut out: Vec<UserId> = Vec::new();
    for (u, _) in page {
        match out.last() {
            Some(last) if last == u => {}
            Some(last) => {
                assert!(u > last, "users ascend and a user's routes are together");
                out.push(u.clone());
            }
            None => out.push(u.clone()),
        }
    }
    out
}
