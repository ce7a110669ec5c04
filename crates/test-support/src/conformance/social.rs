//! Friends, friend requests and blocks.

use std::sync::Arc;

use ferrochat_domain::social::{FriendRequest, RequestMessage, RequestStatus};
use ferrochat_domain::{ConversationId, RequestId, SessionId, User, UserId};
use ferrochat_ports::store::NewSession;

use super::fixtures::{at, user, users};
use ferrochat_ports::{Store, StoreError};

fn request(from: &UserId, to: &UserId, note: &str, at_ms: i64) -> FriendRequest {
    FriendRequest {
        id: RequestId::generate(),
        from: from.clone(),
        to: to.clone(),
        message: RequestMessage::parse(note.to_owned()).unwrap(),
        status: RequestStatus::Pending,
        created_at: at(at_ms),
    }
}

pub async fn friend_requests_and_friendships(store: Arc<dyn Store>) {
    let [a, b, c] = <[_; 3]>::try_from(users(&*store, "fr", 3).await).unwrap();
    let ab = request(&a.id, &b.id, "hi, it's a 👋", 1);
    store.insert_friend_request(&ab).await.unwrap();
    let cb = request(&c.id, &b.id, "", 2);
    store.insert_friend_request(&cb).await.unwrap();
    assert_eq!(
        store.friend_request(&ab.id).await.unwrap(),
        Some(ab.clone())
    );
    assert_eq!(
        store.pending_request(&a.id, &b.id).await.unwrap(),
        Some(ab.clone())
    );
    assert_eq!(store.pending_request(&b.id, &a.id).await.unwrap(), None);
    let pending = store.pending_requests(&b.id).await.unwrap();
    assert_eq!(pending.incoming, [ab.clone(), cb.clone()], "oldest first");
    assert!(pending.outgoing.is_empty());
    assert_eq!(
        store.pending_requests(&a.id).await.unwrap().outgoing,
        std::slice::from_ref(&ab)
    );

    assert!(!store.are_friends(&a.id, &b.id).await.unwrap());
    let accepted = store
        .answer_request(&ab.id, true, at(10))
        .await
        .unwrap()
        .expect("was pending");
    assert_eq!(accepted.status, RequestStatus::Accepted);
    assert_eq!(
        (accepted.from.clone(), accepted.created_at),
        (a.id.clone(), at(1))
    );
    assert!(store.are_friends(&a.id, &b.id).await.unwrap());
    assert!(store.are_friends(&b.id, &a.id).await.unwrap());
    // Answered once only.
    assert!(store
        .answer_request(&ab.id, false, at(11))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.friend_request(&ab.id).await.unwrap().unwrap().status,
        RequestStatus::Accepted
    );
    let rejected = store
        .answer_request(&cb.id, false, at(12))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rejected.status, RequestStatus::Rejected);
    assert!(!store.are_friends(&b.id, &c.id).await.unwrap());
    assert!(store
        .pending_requests(&b.id)
        .await
        .unwrap()
        .incoming
        .is_empty());
    assert!(store
        .answer_request(&RequestId::generate(), true, at(13))
        .await
        .unwrap()
        .is_none());

    // After a rejection, a new request may be sent; accepting it again
    // when already friends changes nothing.
    let cb2 = request(&c.id, &b.id, "again", 14);
    store.insert_friend_request(&cb2).await.unwrap();
    store.answer_request(&cb2.id, true, at(15)).await.unwrap();
    let ba = request(&b.id, &a.id, "", 16);
    store.insert_friend_request(&ba).await.unwrap();
    store.answer_request(&ba.id, true, at(17)).await.unwrap();
    let friends: Vec<UserId> = store
        .friends(&b.id)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(friends, [a.id.clone(), c.id.clone()], "by username");
    let a_friends = store.friends(&a.id).await.unwrap();
    assert_eq!(a_friends, std::slice::from_ref(&b));

    assert!(store.remove_friend(&b.id, &a.id).await.unwrap());
    assert!(!store.are_friends(&a.id, &b.id).await.unwrap());
    assert!(!store.are_friends(&b.id, &a.id).await.unwrap());
    assert!(!store.remove_friend(&a.id, &b.id).await.unwrap());
    assert_eq!(store.friends(&b.id).await.unwrap().len(), 1);
}

pub async fn one_pending_request_per_direction(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "pd", 2).await).unwrap();
    let first = request(&a.id, &b.id, "", 1);
    store.insert_friend_request(&first).await.unwrap();
    let err = store
        .insert_friend_request(&request(&a.id, &b.id, "again", 2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    // The other direction is another request.
    store
        .insert_friend_request(&request(&b.id, &a.id, "", 3))
        .await
        .unwrap();
    // Once answered, the direction is free again.
    store.answer_request(&first.id, false, at(4)).await.unwrap();
    store
        .insert_friend_request(&request(&a.id, &b.id, "", 5))
        .await
        .unwrap();
    let pending = store.pending_requests(&a.id).await.unwrap();
    assert_eq!((pending.incoming.len(), pending.outgoing.len()), (1, 1));
}

pub async fn blocks_are_idempotent(store: Arc<dyn Store>) {
    let a = user(&*store, "bl").await;
    let b = user(&*store, "bd").await;
    assert!(!store.is_blocked(&a.id, &b.id).await.unwrap());
    store.set_block(&a.id, &b.id, true, at(1)).await.unwrap();
    store.set_block(&a.id, &b.id, true, at(2)).await.unwrap();
    assert!(store.is_blocked(&a.id, &b.id).await.unwrap());
    assert!(!store.is_blocked(&b.id, &a.id).await.unwrap(), "one way");
    store.set_block(&a.id, &b.id, false, at(3)).await.unwrap();
    store.set_block(&a.id, &b.id, false, at(4)).await.unwrap();
    assert!(!store.is_blocked(&a.id, &b.id).await.unwrap());
    store.set_block(&b.id, &a.id, true, at(5)).await.unwrap();
    assert!(store.is_blocked(&b.id, &a.id).await.unwrap());
}

pub async fn an_erased_account_keeps_its_row_and_loses_every_tie(store: Arc<dyn Store>) {
    let [gone, friend, blocker, asker, stranger] =
        <[_; 5]>::try_from(users(&*store, "er", 5).await).unwrap();
    let world = ConversationId::world();
    let members_before = store
        .conversation(&world)
        .await
        .unwrap()
        .unwrap()
        .member_count;
    let fr = request(&gone.id, &friend.id, "", 1);
    store.insert_friend_request(&fr).await.unwrap();
    store.answer_request(&fr.id, true, at(2)).await.unwrap();
    store
        .set_block(&blocker.id, &gone.id, true, at(3))
        .await
        .unwrap();
    let pending = request(&asker.id, &gone.id, "", 4);
    store.insert_friend_request(&pending).await.unwrap();
    let chat = store
        .open_single(&gone.id, &friend.id, at(5))
        .await
        .unwrap();
    let other_chat = store
        .open_single(&friend.id, &stranger.id, at(6))
        .await
        .unwrap();
    let session = NewSession {
        id: SessionId::generate(),
        user_id: gone.id.clone(),
        device_id: None,
        created_at: at(0),
        expires_at: at(60_000),
        refresh_hash: format!("erase-{}", gone.id),
    };
    store.insert_session(&session).await.unwrap();

    let erased = store.erase_user(&gone.id, at(10)).await.unwrap().unwrap();
    assert_eq!(erased.sessions, vec![session.id.clone()]);
    let mut peers = vec![friend.id.clone(), blocker.id.clone()];
    peers.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(erased.peers, peers, "friends and blocks, not requests");
    assert_eq!(erased.closed, vec![chat.clone()]);

    // The row stays, erased; the name is free; no login finds it.
    let row = store.user(&gone.id).await.unwrap().unwrap();
    assert!(row.deleted && !row.discoverable);
    assert_ne!(row.username, gone.username);
    assert_eq!(row.avatar.as_str(), "");
    assert!(store
        .credentials(&gone.username.key())
        .await
        .unwrap()
        .is_none());
    let namesake = User {
        id: UserId::generate(),
        ..gone.clone()
    };
    store.insert_user(&namesake, "h").await.unwrap();
    assert!(!store.user(&friend.id).await.unwrap().unwrap().deleted);

    // Every tie gone, either way; sessions revoked.
    assert!(!store.are_friends(&friend.id, &gone.id).await.unwrap());
    assert!(store.friends(&friend.id).await.unwrap().is_empty());
    assert!(!store.is_blocked(&blocker.id, &gone.id).await.unwrap());
    assert!(store.friend_request(&pending.id).await.unwrap().is_none());
    assert!(store.session(&session.id).await.unwrap().unwrap().revoked);
    // Out of the world room (the namesake joined it meanwhile); its chat
    // closed, nobody else's.
    let members = store
        .conversation(&world)
        .await
        .unwrap()
        .unwrap()
        .member_count;
    assert_eq!(members, members_before);
    assert!(store.member(&world, &gone.id).await.unwrap().is_none());
    assert!(store.conversation(&chat).await.unwrap().unwrap().closed);
    assert!(
        !store
            .conversation(&other_chat)
            .await
            .unwrap()
            .unwrap()
            .closed
    );

    // Erased once: a second call, or one for nobody, finds nothing to do.
    assert_eq!(store.erase_user(&gone.id, at(11)).await.unwrap(), None);
    assert_eq!(
        store.erase_user(&UserId::generate(), at(11)).await.unwrap(),
        None
    );
    let after = store
        .conversation(&world)
        .await
        .unwrap()
        .unwrap()
        .member_count;
    assert_eq!(after, members_before);
}
