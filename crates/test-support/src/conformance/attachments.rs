//! Attachments' metadata.

use std::sync::Arc;

use ferrochat_domain::attachments::{Attachment, Dimensions, FileName};
use ferrochat_domain::{AttachmentId, ConversationId, UserId};
use ferrochat_ports::store::Bound;
use ferrochat_ports::{Store, StoreError};

use super::fixtures::{at, users};

pub(super) fn attachment(owner: &UserId, size: u64, at_ms: i64) -> Attachment {
    Attachment {
        id: AttachmentId::generate(),
        owner: owner.clone(),
        size,
        media_type: "image/png".to_owned(),
        name: FileName::parse("ünïcode shot.png".to_owned()).unwrap(),
        dimensions: Some(Dimensions {
            width: 640,
            height: 480,
        }),
        has_thumbnail: true,
        created_at: at(at_ms),
        conversation: None,
    }
}

pub async fn attachments_are_kept_bound_once_and_counted(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "att", 2).await).unwrap();
    let one = attachment(&a.id, 5_000_000_000, 1);
    store.insert_attachment(&one).await.unwrap();
    assert!(matches!(
        store.insert_attachment(&one).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.attachment(&one.id).await.unwrap(), Some(one.clone()));
    assert_eq!(
        store.attachment(&AttachmentId::generate()).await.unwrap(),
        None
    );
    let mut two = attachment(&a.id, 7, 2);
    two.media_type = "application/pdf".to_owned();
    two.dimensions = None;
    two.has_thumbnail = false;
    store.insert_attachment(&two).await.unwrap();
    assert_eq!(store.attachment(&two.id).await.unwrap(), Some(two.clone()));
    assert_eq!(store.attachment_usage(&a.id).await.unwrap(), 5_000_000_007);
    assert_eq!(store.attachment_usage(&b.id).await.unwrap(), 0);

    let here = ConversationId::generate();
    let there = ConversationId::generate();
    assert_eq!(
        store.bind_attachment(&one.id, &b.id, &here).await.unwrap(),
        Bound::Refused,
        "someone else's"
    );
    assert_eq!(
        store.bind_attachment(&one.id, &a.id, &here).await.unwrap(),
        Bound::Bound
    );
    assert_eq!(
        store.bind_attachment(&one.id, &a.id, &here).await.unwrap(),
        Bound::Bound,
        "sent again in the same conversation"
    );
    assert_eq!(
        store.bind_attachment(&one.id, &a.id, &there).await.unwrap(),
        Bound::Refused,
        "sent elsewhere"
    );
    assert_eq!(
        store
            .attachment(&one.id)
            .await
            .unwrap()
            .unwrap()
            .conversation,
        Some(here)
    );
    assert_eq!(
        store
            .bind_attachment(&AttachmentId::generate(), &a.id, &there)
            .await
            .unwrap(),
        Bound::Refused
    );
}

pub async fn unsent_attachments_are_found_and_deleted(store: Arc<dyn Store>) {
    let [a] = <[_; 1]>::try_from(users(&*store, "orph", 1).await).unwrap();
    let old = attachment(&a.id, 1, 10);
    let older = attachment(&a.id, 1, 5);
    let sent = attachment(&a.id, 1, 1);
    let new = attachment(&a.id, 1, 100);
    for x in [&old, &older, &sent, &new] {
        store.insert_attachment(x).await.unwrap();
    }
    store
        .bind_attachment(&sent.id, &a.id, &ConversationId::generate())
        .await
        .unwrap();
    assert_eq!(
        store.unsent_attachments(at(50), 10).await.unwrap(),
        [older.id.clone(), old.id.clone()],
        "oldest first, neither the sent one nor the new one"
    );
    assert_eq!(
        store.unsent_attachments(at(50), 1).await.unwrap(),
        std::slice::from_ref(&older.id)
    );
    assert!(store.delete_unsent_attachment(&older.id).await.unwrap());
    assert!(!store.delete_unsent_attachment(&older.id).await.unwrap());
    assert!(!store.delete_unsent_attachment(&sent.id).await.unwrap());
    assert_eq!(store.attachment(&older.id).await.unwrap(), None);
    assert!(store.attachment(&sent.id).await.unwrap().is_some());
    assert_eq!(store.attachment_usage(&a.id).await.unwrap(), 3);
}
