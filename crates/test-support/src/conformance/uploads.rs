//! Chunked uploads under way, and how they end: finished into an
//! attachment, abandoned, or swept.

use std::sync::Arc;

use ferrochat_domain::attachments::{Attachment, FileName, Upload};
use ferrochat_domain::{AttachmentId, ConversationId, UserId};
use ferrochat_ports::{Store, StoreError};

use super::attachments::attachment;
use super::fixtures::{at, users};

fn upload(owner: &UserId, size: u64, at_ms: i64) -> Upload {
    Upload {
        id: AttachmentId::generate(),
        owner: owner.clone(),
        name: FileName::parse("grand film.mkv".to_owned()).unwrap(),
        size,
        received: 0,
        created_at: at(at_ms),
    }
}

/// The attachment `u` becomes once its last chunk arrives.
fn finished(u: &Upload) -> Attachment {
    Attachment {
        id: u.id.clone(),
        name: u.name.clone(),
        ..attachment(&u.owner, u.size, 500)
    }
}

pub async fn uploads_advance_once_per_offset_and_finish_into_attachments(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "upl", 2).await).unwrap();
    let big = upload(&a.id, 6_000_000_000, 1);
    store.insert_upload(&big).await.unwrap();
    assert!(matches!(
        store.insert_upload(&big).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.upload(&big.id).await.unwrap(), Some(big.clone()));
    assert_eq!(store.upload(&AttachmentId::generate()).await.unwrap(), None);
    assert_eq!(
        store.attachment_usage(&a.id).await.unwrap(),
        6_000_000_000,
        "an upload under way holds its declared size"
    );
    assert_eq!(store.attachment_usage(&b.id).await.unwrap(), 0);

    assert!(
        !store.advance_upload(&big.id, 10, 20).await.unwrap(),
        "not the upload's offset"
    );
    assert!(store
        .advance_upload(&big.id, 0, 5_000_000_000)
        .await
        .unwrap());
    assert!(
        !store.advance_upload(&big.id, 0, 7).await.unwrap(),
        "a second chunk at the same offset moves nothing"
    );
    assert_eq!(
        store.upload(&big.id).await.unwrap().unwrap().received,
        5_000_000_000
    );
    assert!(!store
        .advance_upload(&AttachmentId::generate(), 0, 1)
        .await
        .unwrap());

    // Its attachment replaces it in one step: counted once.
    store.insert_attachment(&finished(&big)).await.unwrap();
    assert_eq!(store.upload(&big.id).await.unwrap(), None);
    assert_eq!(store.attachment_usage(&a.id).await.unwrap(), 6_000_000_000);
}

pub async fn unfinished_uploads_are_swept_with_unsent_attachments(store: Arc<dyn Store>) {
    let [a] = <[_; 1]>::try_from(users(&*store, "uplsw", 1).await).unwrap();
    let old = upload(&a.id, 3, 10);
    let new = upload(&a.id, 3, 100);
    for u in [&old, &new] {
        store.insert_upload(u).await.unwrap();
    }
    let unsent = finished(&upload(&a.id, 4, 0));
    let unsent = Attachment {
        created_at: at(5),
        ..unsent
    };
    store.insert_attachment(&unsent).await.unwrap();
    assert_eq!(
        store.unsent_attachments(at(50), 10).await.unwrap(),
        [unsent.id.clone(), old.id.clone()],
        "oldest first, uploads among attachments"
    );
    assert!(store.delete_unsent_attachment(&old.id).await.unwrap());
    assert!(!store.delete_unsent_attachment(&old.id).await.unwrap());
    assert_eq!(store.upload(&old.id).await.unwrap(), None);
    assert_eq!(store.attachment_usage(&a.id).await.unwrap(), 3 + 4);
}

pub async fn an_owners_attachments_are_listed_in_pages(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "uplls", 2).await).unwrap();
    let mut mine = Vec::new();
    for n in 0..3 {
        let x = finished(&upload(&a.id, n + 1, 0));
        store.insert_attachment(&x).await.unwrap();
        mine.push(x);
    }
    store
        .insert_attachment(&finished(&upload(&b.id, 9, 0)))
        .await
        .unwrap();
    store
        .bind_attachment(&mine[1].id, &a.id, &ConversationId::generate())
        .await
        .unwrap();
    mine.sort_by(|x, y| x.id.as_str().cmp(y.id.as_str()));
    let first = store.attachments_of(&a.id, None, 2).await.unwrap();
    let ids = |v: &[Attachment]| v.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&mine[..2]), "sent or not, in id order");
    let rest = store
        .attachments_of(&a.id, Some(&first[1].id), 2)
        .await
        .unwrap();
    assert_eq!(ids(&rest), ids(&mine[2..]));
    assert_eq!(
        store
            .attachments_of(&a.id, Some(&mine[2].id), 2)
            .await
            .unwrap(),
        Vec::<Attachment>::new()
    );
}

pub async fn an_erased_accounts_unsent_files_are_swept_at_once(store: Arc<dyn Store>) {
    let [a] = <[_; 1]>::try_from(users(&*store, "uplerase", 1).await).unwrap();
    let open = upload(&a.id, 3, 100);
    store.insert_upload(&open).await.unwrap();
    let unsent = finished(&upload(&a.id, 4, 0));
    let sent = finished(&upload(&a.id, 5, 0));
    for x in [&unsent, &sent] {
        store.insert_attachment(x).await.unwrap();
    }
    store
        .bind_attachment(&sent.id, &a.id, &ConversationId::generate())
        .await
        .unwrap();
    assert_eq!(
        store.unsent_attachments(at(1), 10).await.unwrap(),
        Vec::<AttachmentId>::new()
    );
    store.erase_user(&a.id, at(1000)).await.unwrap().unwrap();
    let mut due = store.unsent_attachments(at(1), 10).await.unwrap();
    due.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    let mut expected = vec![open.id.clone(), unsent.id.clone()];
    expected.sort_by(|x, y| x.as_str().cmp(y.as_str()));
    assert_eq!(due, expected, "the sent one stays");
}
