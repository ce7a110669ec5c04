//! Accounts, sessions and refresh tokens.

use std::sync::Arc;

use ferrochat_domain::commands::UpdateProfile;
use ferrochat_domain::{
    Avatar, ConversationId, ConversationKind, DeviceId, Email, Nickname, SessionId, StatusText,
    User, UserId, Username,
};

use super::fixtures::{at, text, user, T0};
use ferrochat_ports::store::{NewSession, RotateOutcome, Rotation};
use ferrochat_ports::{Store, StoreError};

pub async fn accounts_roundtrip(store: Arc<dyn Store>) {
    let u = user(&*store, "Alice").await;
    assert_eq!(store.user(&u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(store.user(&UserId::generate()).await.unwrap(), None);

    let creds = store
        .credentials(&u.username.key())
        .await
        .unwrap()
        .expect("found by the lower-cased key");
    assert_eq!(creds.user, u);
    assert_eq!(creds.password_hash, "argon2-hash");
    assert!(store
        .credentials(u.username.as_str())
        .await
        .unwrap()
        .is_none());

    // Only what is given changes.
    let nick = Nickname::parse("Ålice 🦀".to_owned()).unwrap();
    let updated = store
        .update_profile(
            &u.id,
            &UpdateProfile {
                discoverable: None,
                email: None,
                status: None,
                nickname: Some(nick.clone()),
                avatar: None,
            },
        )
        .await
        .unwrap()
        .expect("user exists");
    assert_eq!(updated.nickname, nick);
    assert_eq!(updated.avatar, u.avatar);
    let avatar = Avatar::parse("https://example.com/a.png".to_owned()).unwrap();
    let updated = store
        .update_profile(
            &u.id,
            &UpdateProfile {
                discoverable: None,
                email: None,
                status: None,
                nickname: None,
                avatar: Some(avatar.clone()),
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!((updated.nickname, updated.avatar), (nick, avatar));
    assert_eq!(
        store.user(&u.id).await.unwrap().unwrap().username,
        u.username
    );
    let none = store
        .update_profile(&UserId::generate(), &UpdateProfile::default())
        .await
        .unwrap();
    assert!(none.is_none(), "unknown user: {none:?}");
}

pub async fn username_conflict_ignores_case(store: Arc<dyn Store>) {
    let first = user(&*store, "Bob").await;
    let shouty = User {
        id: UserId::generate(),
        username: Username::parse(first.username.as_str().to_uppercase()).unwrap(),
        ..first.clone()
    };
    let err = store.insert_user(&shouty, "h").await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    assert_eq!(store.user(&shouty.id).await.unwrap(), None);
    let creds = store.credentials(&first.username.key()).await.unwrap();
    assert_eq!(creds.unwrap().user.id, first.id, "the first one keeps it");
    // A failed registration leaves the world room as it was.
    let world = store
        .conversation(&ConversationId::world())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(world.member_count, 1);
}

pub async fn new_users_join_world_with_nothing_unread(store: Arc<dyn Store>) {
    let world = ConversationId::world();
    let before = store.conversation(&world).await.unwrap().expect("world");
    assert_eq!(before.kind, ConversationKind::World);
    assert_eq!(before.member_count, 0);
    let a = user(&*store, "early").await;
    let batch: Vec<_> = (0..3)
        .map(|_| text(&world, ConversationKind::World, &a.id))
        .collect();
    store.commit_messages(&batch).await.unwrap();
    let b = user(&*store, "late").await;
    let record = store.conversation(&world).await.unwrap().unwrap();
    assert_eq!(record.member_count, 2);
    assert_eq!(record.last_seq.get(), 3);
    let late = store.member(&world, &b.id).await.unwrap().expect("member");
    assert_eq!(late.read_seq.get(), 3, "joins with nothing unread");
    let view = store
        .conversation_view(&b.id, &world)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.unread(), 0);
    assert_eq!(view.name, "World");
}

pub(super) fn new_session(user: &UserId, hash: &str) -> NewSession {
    NewSession {
        id: SessionId::generate(),
        user_id: user.clone(),
        device_id: None,
        created_at: T0,
        expires_at: at(60_000),
        refresh_hash: hash.to_owned(),
    }
}

pub async fn sessions_and_revocation(store: Arc<dyn Store>) {
    let u = user(&*store, "sess").await;
    let s = new_session(&u.id, "hash-s1");
    store.insert_session(&s).await.unwrap();
    let rec = store.session(&s.id).await.unwrap().expect("stored");
    assert_eq!(
        (rec.user_id.clone(), rec.expires_at),
        (u.id.clone(), s.expires_at)
    );
    assert!(rec.is_live(T0));
    assert!(!rec.is_live(at(60_000)), "expired at expires_at");
    assert_eq!(store.session(&SessionId::generate()).await.unwrap(), None);

    store.revoke_session(&s.id, at(1)).await.unwrap();
    store.revoke_session(&s.id, at(2)).await.unwrap();
    assert!(store.session(&s.id).await.unwrap().unwrap().revoked);

    // A second session of the same user is unaffected.
    let s2 = new_session(&u.id, "hash-s2");
    store.insert_session(&s2).await.unwrap();
    assert!(!store.session(&s2.id).await.unwrap().unwrap().revoked);
    // Refresh hashes are unique.
    let dup = new_session(&u.id, "hash-s2");
    let err = store.insert_session(&dup).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    assert_eq!(store.session(&dup.id).await.unwrap(), None, "all or none");
}

fn rotation(presented: &str, new: &str, now_ms: i64) -> Rotation {
    Rotation {
        presented_hash: presented.to_owned(),
        new_hash: new.to_owned(),
        now: at(now_ms),
        new_expires_at: at(now_ms + 60_000),
    }
}

pub async fn refresh_rotation_and_reuse(store: Arc<dyn Store>) {
    let u = user(&*store, "rot").await;
    let s = new_session(&u.id, "r1");
    store.insert_session(&s).await.unwrap();

    let out = store
        .rotate_refresh(&rotation("r1", "r2", 10))
        .await
        .unwrap();
    let RotateOutcome::Rotated(rec) = out else {
        panic!("expected Rotated, got {out:?}");
    };
    assert_eq!((rec.id.clone(), rec.expires_at), (s.id.clone(), at(60_010)));
    assert_eq!(
        store.session(&s.id).await.unwrap().unwrap().expires_at,
        at(60_010)
    );

    let out = store
        .rotate_refresh(&rotation("r2", "r3", 20))
        .await
        .unwrap();
    assert!(matches!(out, RotateOutcome::Rotated(_)), "got {out:?}");

    // Presenting a rotated token again: reuse, and the session is revoked.
    let out = store
        .rotate_refresh(&rotation("r1", "x", 30))
        .await
        .unwrap();
    assert_eq!(
        out,
        RotateOutcome::Reused {
            session: s.id.clone(),
            user: u.id.clone()
        }
    );
    assert!(store.session(&s.id).await.unwrap().unwrap().revoked);
    // The current token is dead with its session.
    let out = store
        .rotate_refresh(&rotation("r3", "r4", 40))
        .await
        .unwrap();
    assert_eq!(out, RotateOutcome::Invalid);
    let out = store
        .rotate_refresh(&rotation("nope", "r5", 40))
        .await
        .unwrap();
    assert_eq!(out, RotateOutcome::Invalid);

    // An expired session cannot be refreshed.
    let s2 = new_session(&u.id, "e1");
    store.insert_session(&s2).await.unwrap();
    let out = store
        .rotate_refresh(&rotation("e1", "e2", 60_000))
        .await
        .unwrap();
    assert_eq!(out, RotateOutcome::Invalid);
}

pub async fn concurrent_refreshes_rotate_once(store: Arc<dyn Store>) {
    let u = user(&*store, "race").await;
    let s = new_session(&u.id, "c0");
    store.insert_session(&s).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .rotate_refresh(&rotation("c0", &format!("c1-{i}"), 10))
                    .await
            })
        })
        .collect();
    let mut rotated = 0;
    for t in tasks {
        match t.await.unwrap().expect("no store error") {
            RotateOutcome::Rotated(_) => rotated += 1,
            RotateOutcome::Reused { .. } | RotateOutcome::Invalid => {}
        }
    }
    assert_eq!(rotated, 1, "a refresh token is single-use");
    // Every loser saw the token rotated away: the session is revoked.
    assert!(store.session(&s.id).await.unwrap().unwrap().revoked);
}

pub async fn a_users_sessions_are_listed_and_ended_together(store: Arc<dyn Store>) {
    let u = user(&*store, "many").await;
    let other = user(&*store, "else").await;
    let tag = u.id.as_str();
    let mut ids = Vec::new();
    for (i, device) in ["phone", "laptop", "tablet"].into_iter().enumerate() {
        let s = NewSession {
            device_id: Some(DeviceId::parse(device.to_owned()).unwrap()),
            created_at: at(i as i64),
            ..new_session(&u.id, &format!("{tag}-{i}"))
        };
        store.insert_session(&s).await.unwrap();
        ids.push(s.id);
    }
    let theirs = new_session(&other.id, &format!("{tag}-other"));
    store.insert_session(&theirs).await.unwrap();
    let expired = NewSession {
        expires_at: at(5),
        ..new_session(&u.id, &format!("{tag}-expired"))
    };
    store.insert_session(&expired).await.unwrap();

    // Most recently seen first; a login is a sighting; not the expired one,
    // nor anyone else's.
    let listed = store.live_sessions(&u.id, at(10), 10).await.unwrap();
    let order: Vec<_> = listed.iter().map(|s| s.id.clone()).collect();
    assert_eq!(order, vec![ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    assert_eq!(listed[0].device_id.as_ref().unwrap().as_str(), "tablet");
    assert_eq!((listed[2].created_at, listed[2].last_seen_at), (T0, T0));
    assert_eq!(listed[2].expires_at, at(60_000));
    assert_eq!(
        store.live_sessions(&u.id, at(10), 2).await.unwrap().len(),
        2
    );

    // A refresh is a sighting: the phone comes first.
    let out = store
        .rotate_refresh(&rotation(&format!("{tag}-0"), &format!("{tag}-0b"), 20))
        .await
        .unwrap();
    assert!(matches!(out, RotateOutcome::Rotated(_)), "{out:?}");
    let listed = store.live_sessions(&u.id, at(30), 10).await.unwrap();
    assert_eq!(listed[0].id, ids[0]);
    assert_eq!((listed[0].created_at, listed[0].last_seen_at), (T0, at(20)));

    // All but the laptop; run again with the same time (a retry after a
    // lost answer): the same sessions named, nothing more revoked.
    let ended = store
        .revoke_sessions(&u.id, Some(&ids[1]), at(40))
        .await
        .unwrap();
    let mut want = vec![ids[0].clone(), ids[2].clone()];
    want.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(ended, want);
    let again = store
        .revoke_sessions(&u.id, Some(&ids[1]), at(40))
        .await
        .unwrap();
    assert_eq!(again, want, "a rerun names the same sessions");
    let later = store.revoke_sessions(&u.id, Some(&ids[1]), at(41)).await;
    assert!(later.unwrap().is_empty(), "nothing left to end");
    let listed = store.live_sessions(&u.id, at(50), 10).await.unwrap();
    assert_eq!(
        listed.iter().map(|s| &s.id).collect::<Vec<_>>(),
        vec![&ids[1]]
    );
    assert!(store.session(&ids[0]).await.unwrap().unwrap().revoked);
    assert!(!store.session(&theirs.id).await.unwrap().unwrap().revoked);

    // A new password ends the rest but the one asking, in one go.
    let fourth = new_session(&u.id, &format!("{tag}-3"));
    store.insert_session(&fourth).await.unwrap();
    let ended = store
        .set_password(&u.id, "new-argon2-hash", Some(&ids[1]), at(60))
        .await
        .unwrap();
    assert_eq!(ended, vec![fourth.id.clone()]);
    let creds = store.credentials(&u.username.key()).await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "new-argon2-hash");
    assert!(!store.session(&ids[1]).await.unwrap().unwrap().revoked);
    let untouched = store.credentials(&other.username.key()).await.unwrap();
    assert_eq!(untouched.unwrap().password_hash, "argon2-hash");
    // Keeping none: every live one ends.
    let ended = store
        .revoke_sessions(&other.id, None, at(70))
        .await
        .unwrap();
    assert_eq!(ended, vec![theirs.id.clone()]);
}

pub async fn an_email_is_one_accounts_and_a_status_anyones(store: Arc<dyn Store>) {
    let a = user(&*store, "mail").await;
    let b = user(&*store, "mail").await;
    let set = |email: Option<Option<&str>>, status: Option<&str>| UpdateProfile {
        email: email.map(|e| e.map(|e| Email::parse(e.to_owned()).unwrap())),
        status: status.map(|s| StatusText::parse(s.to_owned()).unwrap()),
        ..UpdateProfile::default()
    };
    assert_eq!((a.email.as_ref(), a.status.as_str()), (None, ""));
    let tag = a.id.as_str();
    let address = format!("Ana.{tag}@Example.org");
    let u = store
        .update_profile(&a.id, &set(Some(Some(&address)), Some("away")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.email.as_ref().map(Email::as_str), Some(address.as_str()));
    assert_eq!(u.status.as_str(), "away");
    assert_eq!(store.user(&a.id).await.unwrap().unwrap(), u);

    // Another account, the same address in other case: a conflict, and
    // nothing of that update is kept.
    let err = store
        .update_profile(
            &b.id,
            &set(Some(Some(&address.to_uppercase())), Some("here")),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    let b_now = store.user(&b.id).await.unwrap().unwrap();
    assert_eq!((b_now.email, b_now.status.as_str()), (None, ""));

    // Absent keeps; `Some(None)` removes, freeing the address.
    let kept = store
        .update_profile(&a.id, &set(None, None))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.email, u.email);
    let removed = store
        .update_profile(&a.id, &set(Some(None), Some("")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((removed.email, removed.status.as_str()), (None, ""));
    let b_now = store
        .update_profile(&b.id, &set(Some(Some(&address)), None))
        .await
        .unwrap()
        .unwrap();
    assert!(b_now.email.is_some());
    // Two accounts without an address do not collide.
    let c = user(&*store, "mail").await;
    store
        .update_profile(&c.id, &set(Some(None), None))
        .await
        .unwrap();
    store
        .update_profile(&a.id, &set(Some(None), None))
        .await
        .unwrap();
}
