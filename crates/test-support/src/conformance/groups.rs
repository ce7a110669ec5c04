//! Groups: creation, membership, limits, roles, transfer, information,
//! dissolution.

use std::sync::Arc;

use ferrochat_domain::commands::UpdateGroup;
use ferrochat_domain::groups::{GroupAnnouncement, GroupDescription, GroupName, JoinPolicy, Role};
use ferrochat_domain::{Avatar, ConversationKind, GroupId, Seq, UserId};

use super::fixtures::{at, group, new_group, text, user, users, T0};
use ferrochat_ports::{Store, StoreError};

fn is_conflict(e: &StoreError, why: &str) -> bool {
    matches!(e, StoreError::Conflict(m) if m == why)
}

pub async fn groups_membership_and_limits(store: Arc<dyn Store>) {
    let owner = user(&*store, "gown").await;
    let [m1, m2, m3, m4] = <[_; 4]>::try_from(users(&*store, "gm", 4).await).unwrap();
    let new = new_group(&owner.id, 4);
    // The owner listed again as a member counts once.
    let g = store
        .create_group(&new, &[m1.id.clone(), owner.id.clone(), m1.id.clone()])
        .await
        .unwrap();
    assert_eq!(
        (g.id.clone(), g.member_count, g.max_members),
        (new.id.clone(), 2, 4)
    );
    assert_eq!(store.group(&g.id).await.unwrap().as_ref(), Some(&g));
    assert_eq!(g.join_policy, JoinPolicy::Open);
    assert_eq!(g.description.as_str(), "About it");
    assert!(store.group(&GroupId::generate()).await.unwrap().is_none());
    let conv = store
        .conversation(&g.conversation_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conv.kind, ConversationKind::Group);
    assert_eq!(conv.group_id.as_ref(), Some(&g.id));
    assert_eq!((conv.member_count, conv.pair.clone()), (2, None));
    let role = |u: UserId| {
        let store = store.clone();
        let c = g.conversation_id.clone();
        async move { store.member(&c, &u).await.unwrap().map(|m| m.role) }
    };
    assert_eq!(role(owner.id.clone()).await, Some(Role::Owner));
    assert_eq!(role(m1.id.clone()).await, Some(Role::Member));

    // Later members start with nothing unread.
    let batch: Vec<_> = (0..3)
        .map(|_| text(&g.conversation_id, ConversationKind::Group, &owner.id))
        .collect();
    store.commit_messages(&batch).await.unwrap();
    store
        .add_member(&g.id, &m2.id, Role::Admin, at(1))
        .await
        .unwrap();
    let joined = store
        .member(&g.conversation_id, &m2.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((joined.role, joined.read_seq), (Role::Admin, Seq::new(3)));
    let err = store
        .add_member(&g.id, &m2.id, Role::Member, at(2))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "member"), "got {err:?}");
    store
        .add_member(&g.id, &m3.id, Role::Member, at(2))
        .await
        .unwrap();
    let err = store
        .add_member(&g.id, &m4.id, Role::Member, at(3))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "full"), "got {err:?}");
    assert_eq!(store.group(&g.id).await.unwrap().unwrap().member_count, 4);
    let err = store
        .add_member(&GroupId::generate(), &m4.id, Role::Member, at(3))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");

    assert!(store.remove_member(&g.id, &m3.id).await.unwrap());
    assert!(!store.remove_member(&g.id, &m3.id).await.unwrap());
    assert!(!store
        .remove_member(&GroupId::generate(), &m3.id)
        .await
        .unwrap());
    assert_eq!(role(m3.id.clone()).await, None);
    assert_eq!(store.group(&g.id).await.unwrap().unwrap().member_count, 3);
    store
        .add_member(&g.id, &m4.id, Role::Member, at(4))
        .await
        .unwrap();
    assert_eq!(
        store
            .conversation(&g.conversation_id)
            .await
            .unwrap()
            .unwrap()
            .member_count,
        4
    );

    // Creating over the limit stores nothing.
    let too_big = new_group(&owner.id, 2);
    let err = store
        .create_group(&too_big, &[m1.id.clone(), m2.id.clone()])
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "full"), "got {err:?}");
    assert!(store.group(&too_big.id).await.unwrap().is_none());
    assert!(store
        .conversation(&too_big.conversation_id)
        .await
        .unwrap()
        .is_none());
}

/// More users join at once than there are seats: exactly the free seats
/// are taken (the count is checked and moved under one lock).
pub async fn concurrent_joins_respect_max_members(store: Arc<dyn Store>) {
    let owner = user(&*store, "cjo").await;
    let g = group(&*store, &owner.id, &[], 5).await;
    let joiners = users(&*store, "cj", 10).await;
    let tasks: Vec<_> = joiners
        .into_iter()
        .map(|u| {
            let store = store.clone();
            let id = g.id.clone();
            tokio::spawn(async move { store.add_member(&id, &u.id, Role::Member, T0).await })
        })
        .collect();
    let mut joined = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => joined += 1,
            Err(e) => assert!(is_conflict(&e, "full"), "got {e:?}"),
        }
    }
    assert_eq!(joined, 4);
    let members = store
        .member_ids(&g.conversation_id, None, 100)
        .await
        .unwrap();
    assert_eq!(members.len(), 5);
    assert_eq!(store.group(&g.id).await.unwrap().unwrap().member_count, 5);
}

pub async fn add_members_is_all_or_none(store: Arc<dyn Store>) {
    let owner = user(&*store, "amo").await;
    let us = users(&*store, "am", 5).await;
    let id = |i: usize| us[i].id.clone();
    let g = group(&*store, &owner.id, &[id(0)], 4).await;
    let batch: Vec<_> = (0..2)
        .map(|_| text(&g.conversation_id, ConversationKind::Group, &owner.id))
        .collect();
    store.commit_messages(&batch).await.unwrap();

    // Members already in and repeats are skipped; who was added comes back.
    let added = store
        .add_members(&g.id, &[id(0), id(1), id(1), owner.id.clone()], at(1))
        .await
        .unwrap();
    assert_eq!(added, [id(1)]);
    let m = store
        .member(&g.conversation_id, &id(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((m.role, m.read_seq), (Role::Member, Seq::new(2)));

    // Two more do not fit in the one free seat: neither is added.
    let err = store
        .add_members(&g.id, &[id(2), id(3)], at(2))
        .await
        .unwrap_err();
    assert!(is_conflict(&err, "full"), "got {err:?}");
    assert!(store
        .member(&g.conversation_id, &id(2))
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.group(&g.id).await.unwrap().unwrap().member_count, 3);
    let added = store.add_members(&g.id, &[id(3)], at(3)).await.unwrap();
    assert_eq!(added, [id(3)]);
    let err = store
        .add_members(&GroupId::generate(), &[id(4)], at(4))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    let members = store.members(&g.id, None, 0).await.unwrap();
    let ids: Vec<&UserId> = members.iter().map(|(u, _)| u).collect();
    let mut want = vec![&owner.id, &us[0].id, &us[1].id, &us[3].id];
    want.sort();
    assert_eq!(ids, want, "in user id order");
    // In pages: `limit` at most, after the cursor, none past the end.
    let ids_of = |page: Vec<(UserId, _)>| page.into_iter().map(|(u, _)| u).collect::<Vec<_>>();
    let first = ids_of(store.members(&g.id, None, 3).await.unwrap());
    assert_eq!(
        first,
        want[..3].iter().copied().cloned().collect::<Vec<_>>()
    );
    let rest = ids_of(store.members(&g.id, first.last(), 3).await.unwrap());
    assert_eq!(rest, [want[3].clone()]);
    let none = store.members(&g.id, Some(want[3]), 3).await.unwrap();
    assert!(none.is_empty());
}

/// A change sets what it names and keeps the rest; running it again
/// changes nothing more.
pub async fn update_group_sets_only_what_it_names(store: Arc<dyn Store>) {
    let owner = user(&*store, "uown").await;
    let g = group(&*store, &owner.id, &[], 10).await;
    let rename = UpdateGroup {
        name: Some(GroupName::parse("Renamed".to_owned()).unwrap()),
        ..UpdateGroup::default()
    };
    store.update_group(&g.id, &rename).await.unwrap();
    store.update_group(&g.id, &rename).await.unwrap();
    let now = store.group(&g.id).await.unwrap().unwrap();
    assert_eq!(now.name.as_str(), "Renamed");
    assert_eq!(
        (&now.description, now.join_policy),
        (&g.description, g.join_policy)
    );

    assert_eq!((now.avatar.as_str(), now.announcement.as_str()), ("", ""));
    let rest = UpdateGroup {
        name: None,
        description: Some(GroupDescription::parse(String::new()).unwrap()),
        join_policy: Some(JoinPolicy::Invite),
        avatar: Some(Avatar::parse("https://example.com/g.png".to_owned()).unwrap()),
        announcement: Some(GroupAnnouncement::parse("é".repeat(2048)).unwrap()),
    };
    store.update_group(&g.id, &rest).await.unwrap();
    let now = store.group(&g.id).await.unwrap().unwrap();
    assert_eq!(
        (now.name.as_str(), now.description.as_str(), now.join_policy),
        ("Renamed", "", JoinPolicy::Invite)
    );
    assert_eq!(now.avatar.as_str(), "https://example.com/g.png");
    // The longest announcement, in characters that take two bytes each.
    assert_eq!(now.announcement.as_str(), "é".repeat(2048));
    assert_eq!(
        (&now.owner_id, now.member_count),
        (&owner.id, g.member_count)
    );
    // Another group is not touched; a missing one is no error.
    let other = group(&*store, &owner.id, &[], 10).await;
    assert_eq!(store.group(&other.id).await.unwrap().unwrap(), other);
    store
        .update_group(&GroupId::generate(), &rest)
        .await
        .unwrap();
}

pub async fn roles_mutes_transfer_and_dissolve(store: Arc<dyn Store>) {
    let owner = user(&*store, "rown").await;
    let [a, b] = <[_; 2]>::try_from(users(&*store, "r", 2).await).unwrap();
    let outsider = user(&*store, "rout").await;
    let g = group(&*store, &owner.id, &[a.id.clone(), b.id.clone()], 10).await;
    let member = |u: UserId| {
        let store = store.clone();
        let c = g.conversation_id.clone();
        async move { store.member(&c, &u).await.unwrap().unwrap() }
    };

    assert!(store.set_role(&g.id, &a.id, Role::Admin).await.unwrap());
    assert!(
        store.set_role(&g.id, &a.id, Role::Admin).await.unwrap(),
        "setting the same role again is still a member"
    );
    assert_eq!(member(a.id.clone()).await.role, Role::Admin);
    assert!(!store
        .set_role(&g.id, &outsider.id, Role::Admin)
        .await
        .unwrap());

    assert!(store
        .set_muted_until(&g.id, &b.id, Some(at(60_000)))
        .await
        .unwrap());
    assert_eq!(member(b.id.clone()).await.muted_until, Some(at(60_000)));
    let listed = store.members(&g.id, None, 0).await.unwrap();
    let (_, rec) = listed.iter().find(|(u, _)| u == &b.id).expect("listed");
    assert_eq!(rec.muted_until, Some(at(60_000)));
    assert!(store.set_muted_until(&g.id, &b.id, None).await.unwrap());
    assert_eq!(member(b.id.clone()).await.muted_until, None);
    assert!(!store
        .set_muted_until(&g.id, &outsider.id, Some(at(1)))
        .await
        .unwrap());

    // Transfer: the new owner is promoted, the old one becomes an admin.
    assert!(!store.transfer(&g.id, &outsider.id).await.unwrap());
    assert_eq!(member(owner.id.clone()).await.role, Role::Owner);
    assert!(store.transfer(&g.id, &b.id).await.unwrap());
    assert_eq!(member(b.id.clone()).await.role, Role::Owner);
    assert_eq!(member(owner.id.clone()).await.role, Role::Admin);
    assert_eq!(store.group(&g.id).await.unwrap().unwrap().owner_id, b.id);
    let err = store
        .transfer(&GroupId::generate(), &b.id)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");

    // Dissolved: marked so, its conversation closed but readable.
    store
        .commit_messages(&[text(&g.conversation_id, ConversationKind::Group, &a.id)])
        .await
        .unwrap();
    store.dissolve(&g.id, at(5)).await.unwrap();
    store.dissolve(&g.id, at(6)).await.unwrap();
    let gone = store.group(&g.id).await.unwrap().expect("still found");
    assert!(gone.dissolved);
    let conv = store
        .conversation(&g.conversation_id)
        .await
        .unwrap()
        .unwrap();
    assert!(conv.closed);
    assert_eq!(conv.last_seq.get(), 1);
    let err = store
        .add_member(&g.id, &outsider.id, Role::Member, at(7))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    let err = store
        .add_members(&g.id, std::slice::from_ref(&outsider.id), at(7))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    let other = group(&*store, &owner.id, &[], 10).await;
    let still = store
        .conversation(&other.conversation_id)
        .await
        .unwrap()
        .unwrap();
    assert!(!still.closed, "only the dissolved group's conversation");
    assert!(!store.group(&other.id).await.unwrap().unwrap().dissolved);
}
