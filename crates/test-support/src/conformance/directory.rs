//! The user directory: a prefix of a username or a nickname, compared
//! case-folded (Unicode), finds discoverable users in username order,
//! never the viewer nor anyone on either side of a block with them, and
//! pages by the last username.

use std::sync::Arc;

use ferrochat_domain::commands::{SearchUsers, UpdateProfile};
use ferrochat_domain::{Avatar, Nickname, User, UserId, Username};
use ferrochat_ports::Store;

use super::fixtures::T0;

async fn named(store: &dyn Store, username: &str, nickname: &str) -> User {
    let u = User {
        id: UserId::generate(),
        username: Username::parse(username.to_owned()).unwrap(),
        nickname: Nickname::parse(nickname.to_owned()).unwrap(),
        avatar: Avatar::from_stored(String::new()),
        created_at: T0,
        discoverable: true,
        deleted: false,
        email: None,
        status: Default::default(),
        admin: false,
        disabled_until: None,
        sanctions: Default::default(),
    };
    store.insert_user(&u, "argon2-hash").await.unwrap();
    u
}

async fn found(
    store: &dyn Store,
    viewer: &User,
    q: &str,
    after: Option<&str>,
    limit: i64,
) -> Vec<String> {
    let search = SearchUsers::parse(q.to_owned(), after.map(str::to_owned), Some(limit)).unwrap();
    store
        .search_users(&viewer.id, &search)
        .await
        .unwrap()
        .iter()
        .map(|u| u.username.as_str().to_owned())
        .collect()
}

pub async fn the_directory_finds_by_prefix_and_hides_who_it_must(store: Arc<dyn Store>) {
    let s = &*store;
    let viewer = named(s, "alfred", "Alfred").await;
    named(s, "Alice", "Wonderland").await;
    named(s, "alina", "Lina").await;
    named(s, "bob", "ALIson").await;
    named(s, "emile", "ÉMILE Zola").await;
    let hidden = named(s, "alistair", "Al").await;
    let blocked = named(s, "alvin", "Al").await;
    let blocker = named(s, "alma", "Al").await;
    named(s, "carol", "Carol").await;

    assert_eq!(
        found(s, &viewer, "ali", None, 20).await,
        ["Alice", "alina", "alistair", "bob"],
        "username or nickname, any case, in username order"
    );
    assert_eq!(
        found(s, &viewer, "émile", None, 20).await,
        ["emile"],
        "Unicode case"
    );
    assert!(
        found(s, &viewer, "zola", None, 20).await.is_empty(),
        "a prefix, not a substring"
    );
    assert!(
        found(s, &viewer, "alf", None, 20).await.is_empty(),
        "never oneself"
    );

    let off = UpdateProfile {
        discoverable: Some(false),
        ..UpdateProfile::default()
    };
    let updated = s.update_profile(&hidden.id, &off).await.unwrap().unwrap();
    assert!(!updated.discoverable);
    assert!(!s.user(&hidden.id).await.unwrap().unwrap().discoverable);
    s.set_block(&viewer.id, &blocked.id, true, T0)
        .await
        .unwrap();
    s.set_block(&blocker.id, &viewer.id, true, T0)
        .await
        .unwrap();
    assert_eq!(
        found(s, &viewer, "al", None, 20).await,
        ["Alice", "alina", "bob"],
        "not undiscoverable, not blocked either way"
    );
    // A renamed user is found by the new nickname only.
    let rename = UpdateProfile {
        nickname: Some(Nickname::parse("Zed".to_owned()).unwrap()),
        ..UpdateProfile::default()
    };
    let bob = s.credentials("bob").await.unwrap().unwrap().user;
    s.update_profile(&bob.id, &rename).await.unwrap();
    assert!(!found(s, &viewer, "ali", None, 20)
        .await
        .contains(&"bob".to_owned()));
    assert_eq!(found(s, &viewer, "ZE", None, 20).await, ["bob"]);

    // Pages: the last username of one is where the next starts.
    assert_eq!(found(s, &viewer, "a", None, 1).await, ["Alice"]);
    assert_eq!(found(s, &viewer, "a", Some("alice"), 1).await, ["alina"]);
    assert!(found(s, &viewer, "a", Some("alina"), 1).await.is_empty());
}
