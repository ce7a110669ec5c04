//! Registered push tokens (`DeviceStore`).

use std::sync::Arc;

use ferrochat_domain::push::{AppId, Device, Platform, PushToken};
use ferrochat_domain::{PushDeviceId, SessionId, UserId};
use ferrochat_ports::Store;

use super::accounts::new_session;
use super::fixtures::{at, user};

async fn session(store: &dyn Store, user: &UserId, hash: &str) -> SessionId {
    let s = new_session(user, hash);
    store.insert_session(&s).await.unwrap();
    s.id
}

fn device(user: &UserId, session: &SessionId, platform: Platform, token: &str) -> Device {
    Device {
        id: PushDeviceId::generate(),
        user_id: user.clone(),
        session_id: session.clone(),
        platform,
        token: PushToken::from_stored(token.to_owned()),
        app_id: (platform == Platform::Apns).then(|| AppId::from_stored("com.example".into())),
        created_at: at(1),
    }
}

fn ids(devices: &[Device]) -> Vec<&PushDeviceId> {
    devices.iter().map(|d| &d.id).collect()
}

pub async fn a_session_has_one_device_and_a_token_one_session(store: Arc<dyn Store>) {
    let u = user(&*store, "dev").await;
    let s1 = session(&*store, &u.id, "dev-1").await;
    let s2 = session(&*store, &u.id, "dev-2").await;

    let phone = device(&u.id, &s1, Platform::Apns, "00ff");
    store.put_device(&phone).await.unwrap();
    store.put_device(&phone).await.unwrap(); // a rerun stores it once
    assert_eq!(
        store.devices(&u.id, at(2)).await.unwrap(),
        vec![phone.clone()]
    );

    // The same session registering again replaces its device.
    let renewed = device(&u.id, &s1, Platform::Fcm, "fcm-a");
    store.put_device(&renewed).await.unwrap();
    assert_eq!(
        store.devices(&u.id, at(2)).await.unwrap(),
        vec![renewed.clone()]
    );

    // A token moves to the last session to register it, even another
    // user's (the phone changed hands).
    let other = user(&*store, "dev").await;
    let s3 = session(&*store, &other.id, "dev-3").await;
    let taken = device(&other.id, &s3, Platform::Fcm, "fcm-a");
    store.put_device(&taken).await.unwrap();
    assert!(store.devices(&u.id, at(2)).await.unwrap().is_empty());
    assert_eq!(
        store.devices(&other.id, at(2)).await.unwrap(),
        vec![taken.clone()]
    );
    // One token string on two platforms is two tokens.
    let web = device(&u.id, &s2, Platform::Webhook, "fcm-a");
    store.put_device(&web).await.unwrap();
    assert_eq!(
        ids(&store.devices(&u.id, at(2)).await.unwrap()),
        vec![&web.id]
    );

    // Deleting: only one's own, and only once.
    assert!(!store.delete_device(&u.id, &taken.id).await.unwrap());
    assert!(store.delete_device(&u.id, &web.id).await.unwrap());
    assert!(!store.delete_device(&u.id, &web.id).await.unwrap());
    assert!(store.devices(&u.id, at(2)).await.unwrap().is_empty());
}

pub async fn devices_live_and_die_with_their_sessions(store: Arc<dyn Store>) {
    let u = user(&*store, "dev").await;
    let s1 = session(&*store, &u.id, "live-1").await;
    let s2 = session(&*store, &u.id, "live-2").await;
    let a = device(&u.id, &s1, Platform::Fcm, "tok-a");
    let b = device(&u.id, &s2, Platform::Apns, "0b");
    store.put_device(&a).await.unwrap();
    store.put_device(&b).await.unwrap();
    assert_eq!(
        store.devices(&u.id, at(2)).await.unwrap(),
        vec![a.clone(), b.clone()]
    );

    // Revoked: gone from every read.
    store.revoke_session(&s1, at(3)).await.unwrap();
    assert_eq!(store.devices(&u.id, at(4)).await.unwrap(), vec![b.clone()]);
    let pushed = store
        .push_devices(std::slice::from_ref(&u.id), at(4))
        .await
        .unwrap();
    assert_eq!(pushed, vec![b.clone()]);
    // Expired (`new_session` lives 60 s): gone too.
    assert!(store.devices(&u.id, at(60_000)).await.unwrap().is_empty());
    assert!(store
        .push_devices(std::slice::from_ref(&u.id), at(60_000))
        .await
        .unwrap()
        .is_empty());
}

pub async fn dead_tokens_are_forgotten_and_pushes_find_every_users(store: Arc<dyn Store>) {
    let users = super::fixtures::users(&*store, "push", 3).await;
    let mut all = Vec::new();
    for (i, u) in users.iter().enumerate() {
        let s = session(&*store, &u.id, &format!("push-{i}")).await;
        let d = device(&u.id, &s, Platform::Fcm, &format!("tok-{i}"));
        store.put_device(&d).await.unwrap();
        all.push(d);
    }
    let asked: Vec<UserId> = users.iter().map(|u| u.id.clone()).collect();
    let mut want = all.clone();
    want.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert_eq!(store.push_devices(&asked, at(2)).await.unwrap(), want);
    assert!(store.push_devices(&[], at(2)).await.unwrap().is_empty());
    let stranger = UserId::generate();
    assert!(store
        .push_devices(&[stranger], at(2))
        .await
        .unwrap()
        .is_empty());

    let dead = &all[1];
    assert!(!store
        .forget_token(Platform::Apns, &dead.token)
        .await
        .unwrap());
    assert!(store
        .forget_token(Platform::Fcm, &dead.token)
        .await
        .unwrap());
    assert!(!store
        .forget_token(Platform::Fcm, &dead.token)
        .await
        .unwrap());
    want.retain(|d| d.id != dead.id);
    assert_eq!(store.push_devices(&asked, at(2)).await.unwrap(), want);
}
