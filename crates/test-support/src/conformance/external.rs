//! Accounts an outside issuer vouches for (`ExternalIdentityStore`).

use std::sync::Arc;

use ferrochat_domain::external::ExternalSubject;
use ferrochat_domain::{ConversationId, Username};
use ferrochat_ports::{Store, StoreError};

use super::fixtures::{at, unsaved_user, user};

fn subject(issuer: &str, sub: &str) -> ExternalSubject {
    ExternalSubject::parse(issuer.to_owned(), sub.to_owned()).unwrap()
}

pub async fn a_subject_is_linked_to_one_account_made_once(store: Arc<dyn Store>) {
    let app = subject("https://app.example", "42");
    assert_eq!(store.external_user(&app).await.unwrap(), None);

    let first = unsaved_user("ext");
    store
        .insert_external_user(&first, "argon2-hash", &app)
        .await
        .unwrap();
    assert_eq!(
        store.external_user(&app).await.unwrap(),
        Some(first.id.clone())
    );
    // A full account: readable, in the world room.
    assert_eq!(
        store.user(&first.id).await.unwrap().unwrap().username,
        first.username
    );
    assert!(store
        .member(&ConversationId::world(), &first.id)
        .await
        .unwrap()
        .is_some());

    // A second first sight of the subject stores nothing.
    let racer = unsaved_user("ext");
    assert!(matches!(
        store
            .insert_external_user(&racer, "argon2-hash", &app)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.user(&racer.id).await.unwrap(), None);
    assert_eq!(
        store.external_user(&app).await.unwrap(),
        Some(first.id.clone())
    );

    // The same subject under another issuer, and another subject, are
    // other accounts.
    let elsewhere = subject("https://other.example", "42");
    let theirs = unsaved_user("ext");
    store
        .insert_external_user(&theirs, "argon2-hash", &elsewhere)
        .await
        .unwrap();
    assert_eq!(
        store.external_user(&elsewhere).await.unwrap(),
        Some(theirs.id)
    );
    assert_eq!(
        store
            .external_user(&subject("https://app.example", "43"))
            .await
            .unwrap(),
        None
    );
    // Subjects are compared as given, case and all.
    assert_eq!(
        store
            .external_user(&subject("https://APP.example", "42"))
            .await
            .unwrap(),
        None
    );
}

pub async fn a_taken_username_stores_neither_user_nor_link(store: Arc<dyn Store>) {
    let owner = user(&*store, "taken").await;
    let app = subject("https://app.example", "taken-1");
    let mut clash = unsaved_user("ext");
    clash.username = Username::parse(owner.username.as_str().to_uppercase()).unwrap();
    assert!(matches!(
        store
            .insert_external_user(&clash, "argon2-hash", &app)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.external_user(&app).await.unwrap(), None);
    assert_eq!(store.user(&clash.id).await.unwrap(), None);
}

pub async fn concurrent_first_sights_make_one_account(store: Arc<dyn Store>) {
    let app = subject("https://app.example", "racing");
    let tries: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let app = app.clone();
            tokio::spawn(async move {
                let u = unsaved_user("race");
                store
                    .insert_external_user(&u, "argon2-hash", &app)
                    .await
                    .map(|()| u.id)
            })
        })
        .collect();
    let mut made = Vec::new();
    for t in tries {
        match t.await.unwrap() {
            Ok(id) => made.push(id),
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("a racing first sight failed: {e}"),
        }
    }
    assert_eq!(made.len(), 1, "exactly one insert wins");
    assert_eq!(store.external_user(&app).await.unwrap(), made.pop());
}

pub async fn an_erased_account_keeps_its_link(store: Arc<dyn Store>) {
    let app = subject("https://app.example", "gone");
    let u = unsaved_user("ext");
    store
        .insert_external_user(&u, "argon2-hash", &app)
        .await
        .unwrap();
    store.erase_user(&u.id, at(5)).await.unwrap().unwrap();
    assert_eq!(store.external_user(&app).await.unwrap(), Some(u.id.clone()));
    assert!(store.user(&u.id).await.unwrap().unwrap().deleted);
}
