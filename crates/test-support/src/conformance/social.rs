//! Friends, friend requests and blocks.

use std::sync::Arc;

use ferrochat_domain::social::{FriendRequest, RequestMessage, RequestStatus};
use ferrochat_domain::{RequestId, UserId};

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
