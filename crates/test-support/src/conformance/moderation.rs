//! Administrators' state: the admin role, disabled accounts, the user
//! list, reports and the audit log.

use std::sync::Arc;

use ferrochat_domain::moderation::{
    Actor, AuditEntry, ListReports, ListUsers, NewestFirst, Note, Report, ReportTarget, Resolution,
};
use ferrochat_domain::{ConversationId, ReportId, Sanction, Sanctions, Seq, Timestamp, UserId};
use ferrochat_ports::store::NewSession;
use ferrochat_ports::{Store, StoreError};

use super::accounts::new_session;
use super::fixtures::{at, user, T0};

fn entry(action: &'static str, target: &UserId, ms: i64) -> AuditEntry {
    AuditEntry::new(Actor::Operator, action, target.as_str(), "", at(ms))
}

pub async fn admins_and_disabled_accounts_are_kept_with_their_log(store: Arc<dyn Store>) {
    let u = user(&*store, "mod").await;
    assert!(!u.admin && u.disabled_until.is_none());
    let grant = entry(AuditEntry::GRANT_ADMIN, &u.id, 1);
    assert!(store.set_admin(&u.id, true, &grant).await.unwrap());
    // A rerun keeps the one entry.
    assert!(store.set_admin(&u.id, true, &grant).await.unwrap());
    assert!(store.user(&u.id).await.unwrap().unwrap().admin);
    let nobody = UserId::generate();
    assert!(!store
        .set_admin(&nobody, true, &entry(AuditEntry::GRANT_ADMIN, &nobody, 2))
        .await
        .unwrap());

    // Disabling revokes every live session and keeps the account from a
    // new one.
    let (s1, s2) = (new_session(&u.id, "mod-1"), new_session(&u.id, "mod-2"));
    store.insert_session(&s1).await.unwrap();
    store.insert_session(&s2).await.unwrap();
    let disable = entry(AuditEntry::DISABLE_USER, &u.id, 3);
    let mut revoked = store
        .set_disabled(&u.id, Some(Timestamp::FOREVER), at(3), &disable)
        .await
        .unwrap()
        .expect("found");
    revoked.sort();
    let mut both = vec![s1.id.clone(), s2.id.clone()];
    both.sort();
    assert_eq!(revoked, both);
    let mut again = store
        .set_disabled(&u.id, Some(Timestamp::FOREVER), at(3), &disable)
        .await
        .unwrap()
        .unwrap();
    again.sort();
    assert_eq!(again, both, "a rerun names them again");
    assert!(store.session(&s1.id).await.unwrap().unwrap().revoked);
    let disabled = store.user(&u.id).await.unwrap().unwrap();
    assert!(disabled.disabled_at(at(1_000_000)) && disabled.admin);
    let late = new_session(&u.id, "mod-3");
    let err = store.insert_session(&late).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    assert_eq!(store.session(&late.id).await.unwrap(), None);
    assert_eq!(
        store
            .set_disabled(
                &nobody,
                Some(Timestamp::FOREVER),
                at(4),
                &entry(AuditEntry::DISABLE_USER, &nobody, 4)
            )
            .await
            .unwrap(),
        None
    );

    let enable = entry(AuditEntry::ENABLE_USER, &u.id, 5);
    assert_eq!(
        store
            .set_disabled(&u.id, None, at(5), &enable)
            .await
            .unwrap(),
        Some(vec![])
    );
    assert_eq!(
        store.user(&u.id).await.unwrap().unwrap().disabled_until,
        None
    );
    store.insert_session(&late).await.unwrap();

    // For a time: a session stored before its end is refused, one after
    // it is not.
    let ban = entry(AuditEntry::DISABLE_USER, &u.id, 6);
    store
        .set_disabled(&u.id, Some(at(100)), at(6), &ban)
        .await
        .unwrap()
        .unwrap();
    let banned = store.user(&u.id).await.unwrap().unwrap();
    assert!(banned.disabled_at(at(99)) && !banned.disabled_at(at(100)));
    let during = NewSession {
        created_at: at(50),
        ..new_session(&u.id, "mod-4")
    };
    let err = store.insert_session(&during).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "got {err:?}");
    let after = NewSession {
        created_at: at(100),
        ..new_session(&u.id, "mod-5")
    };
    store.insert_session(&after).await.unwrap();

    // The log, newest first, a page at a time; an appended entry's rerun
    // keeps one.
    let extra = entry(AuditEntry::ISSUE_PASSWORD_RESET, &u.id, 7);
    store.append_audit(&extra).await.unwrap();
    store.append_audit(&extra).await.unwrap();
    let page = |before, limit| NewestFirst { before, limit };
    let log = store.audit_log(&page(None, 10)).await.unwrap();
    assert_eq!(
        log,
        vec![extra.clone(), ban, enable, disable, grant.clone()]
    );
    let first = store.audit_log(&page(None, 2)).await.unwrap();
    let rest = store
        .audit_log(&page(Some(first[1].id.clone()), 10))
        .await
        .unwrap();
    assert_eq!(rest.len(), 3);
    assert_eq!(rest[2], grant);
}

pub async fn the_user_list_pages_every_account_by_name(store: Arc<dyn Store>) {
    let mut made = Vec::new();
    for n in ["zed", "Zoe", "zara", "amy"] {
        made.push(user(&*store, n).await);
    }
    // Hidden from the directory, not from administrators.
    let hidden = ferrochat_domain::commands::UpdateProfile {
        discoverable: Some(false),
        ..Default::default()
    };
    store.update_profile(&made[0].id, &hidden).await.unwrap();
    let list = |q: Option<&str>, after: Option<&str>, limit| {
        ListUsers::parse(q.map(str::to_owned), after.map(str::to_owned), Some(limit)).unwrap()
    };
    let names = |us: Vec<ferrochat_domain::User>| {
        us.into_iter()
            .map(|u| u.username.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    let z = store.list_users(&list(Some("Z"), None, 10)).await.unwrap();
    let mut want: Vec<_> = made[..3]
        .iter()
        .map(|u| u.username.as_str().to_owned())
        .collect();
    want.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names(z), want);
    let page = store.list_users(&list(Some("z"), None, 2)).await.unwrap();
    let last = page[1].username.key();
    let next = store
        .list_users(&list(Some("z"), Some(&last), 2))
        .await
        .unwrap();
    assert_eq!(names(next), want[2..].to_vec());

    // A deleted account is not listed.
    store.erase_user(&made[3].id, at(1)).await.unwrap();
    let all = names(store.list_users(&list(None, None, 100)).await.unwrap());
    assert!(
        !all.contains(&made[3].username.as_str().to_owned()),
        "{all:?}"
    );
    assert!(all.contains(&made[0].username.as_str().to_owned()));
}

pub async fn reports_are_kept_listed_and_resolved_once(store: Arc<dyn Store>) {
    let (reporter, bad, admin) = (
        user(&*store, "rep").await,
        user(&*store, "bad").await,
        user(&*store, "adm").await,
    );
    let report = |target, ms| Report {
        id: ReportId::generate(),
        reporter: reporter.id.clone(),
        target,
        reported: bad.id.clone(),
        reason: Note::parse("spam".into(), "reason", true).unwrap(),
        created_at: at(ms),
        resolution: None,
    };
    let about_user = report(ReportTarget::User(bad.id.clone()), 1);
    let about_message = report(
        ReportTarget::Message {
            conversation_id: ConversationId::world(),
            seq: Seq::new(7),
        },
        2,
    );
    store.insert_report(&about_user).await.unwrap();
    store.insert_report(&about_user).await.unwrap();
    store.insert_report(&about_message).await.unwrap();
    assert_eq!(
        store.report(&about_message.id).await.unwrap(),
        Some(about_message.clone())
    );
    assert_eq!(store.report(&ReportId::generate()).await.unwrap(), None);
    assert_eq!(store.reports_since(&reporter.id, T0).await.unwrap(), 2);
    assert_eq!(store.reports_since(&reporter.id, at(2)).await.unwrap(), 1);
    assert_eq!(store.reports_since(&bad.id, T0).await.unwrap(), 0);

    let list = |open_only, before, limit| ListReports {
        open_only,
        page: NewestFirst { before, limit },
    };
    assert_eq!(
        store.reports(&list(true, None, 10)).await.unwrap(),
        vec![about_message.clone(), about_user.clone()]
    );
    let resolution = Resolution {
        by: admin.id.clone(),
        at: at(3),
        note: Note::parse("warned".into(), "note", false).unwrap(),
    };
    let audit = AuditEntry::new(
        Actor::Admin(admin.id.clone()),
        AuditEntry::RESOLVE_REPORT,
        about_user.id.as_str(),
        "warned",
        at(3),
    );
    let resolved = store
        .resolve_report(&about_user.id, &resolution, &audit)
        .await
        .unwrap()
        .expect("found");
    assert_eq!(resolved.resolution, Some(resolution.clone()));
    // Resolved once: a second resolution keeps the first.
    let later = Resolution {
        at: at(9),
        ..resolution.clone()
    };
    let again = store
        .resolve_report(&about_user.id, &later, &audit)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.resolution, Some(resolution));
    assert_eq!(
        store.reports(&list(true, None, 10)).await.unwrap(),
        vec![about_message.clone()]
    );
    let all = store.reports(&list(false, None, 10)).await.unwrap();
    assert_eq!(all, vec![about_message.clone(), resolved]);
    let older = store
        .reports(&list(false, Some(about_message.id.clone()), 10))
        .await
        .unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(
        store
            .resolve_report(&ReportId::generate(), &later, &audit)
            .await
            .unwrap(),
        None
    );
    let log = store
        .audit_log(&NewestFirst {
            before: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(log, vec![audit], "one entry for the one resolution");
}

pub async fn world_mutes_are_set_with_their_log(store: Arc<dyn Store>) {
    let u = user(&*store, "loud").await;
    let world = ConversationId::world();
    let mute = entry(AuditEntry::WORLD_MUTE, &u.id, 1);
    assert!(store
        .mute_in_world(&u.id, Some(at(60_000)), &mute)
        .await
        .unwrap());
    assert!(store
        .mute_in_world(&u.id, Some(at(60_000)), &mute)
        .await
        .unwrap());
    let m = store.member(&world, &u.id).await.unwrap().unwrap();
    assert_eq!(m.muted_until, Some(at(60_000)));
    let unmute = entry(AuditEntry::WORLD_UNMUTE, &u.id, 2);
    assert!(store.mute_in_world(&u.id, None, &unmute).await.unwrap());
    assert_eq!(
        store
            .member(&world, &u.id)
            .await
            .unwrap()
            .unwrap()
            .muted_until,
        None
    );
    let nobody = UserId::generate();
    assert!(!store
        .mute_in_world(&nobody, None, &entry(AuditEntry::WORLD_UNMUTE, &nobody, 3))
        .await
        .unwrap());
    let log = store
        .audit_log(&NewestFirst {
            before: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(log, vec![unmute, mute]);
}

pub async fn sanctions_are_set_lifted_and_the_world_bans_listed(store: Arc<dyn Store>) {
    let (u, other) = (user(&*store, "rowdy").await, user(&*store, "calm").await);
    assert_eq!(u.sanctions, Sanctions::default());
    let mute = entry(AuditEntry::MUTE_USER, &u.id, 1);
    assert!(store
        .set_sanction(&u.id, Sanction::Mute, Some(at(60_000)), &mute)
        .await
        .unwrap());
    // A rerun keeps the one entry.
    assert!(store
        .set_sanction(&u.id, Sanction::Mute, Some(at(60_000)), &mute)
        .await
        .unwrap());
    let ban = entry(AuditEntry::WORLD_BAN, &u.id, 2);
    assert!(store
        .set_sanction(&u.id, Sanction::WorldBan, Some(Timestamp::FOREVER), &ban)
        .await
        .unwrap());
    let read = store.user(&u.id).await.unwrap().unwrap();
    assert_eq!(read.sanctions.muted_until, Some(at(60_000)));
    assert_eq!(read.sanctions.world_banned_until, Some(Timestamp::FOREVER));
    assert_eq!(
        store.user(&other.id).await.unwrap().unwrap().sanctions,
        Sanctions::default()
    );

    // Banned now, and only while the ban lasts.
    let banned = store.banned_from_world(at(10), 100).await.unwrap();
    assert!(banned.contains(&u.id) && !banned.contains(&other.id));
    let short = entry(AuditEntry::WORLD_BAN, &other.id, 3);
    assert!(store
        .set_sanction(&other.id, Sanction::WorldBan, Some(at(50)), &short)
        .await
        .unwrap());
    let banned = store.banned_from_world(at(10), 100).await.unwrap();
    assert!(banned.contains(&u.id) && banned.contains(&other.id));
    assert_eq!(store.banned_from_world(at(10), 1).await.unwrap().len(), 1);
    let later = store.banned_from_world(at(50), 100).await.unwrap();
    assert!(later.contains(&u.id) && !later.contains(&other.id));

    let unban = entry(AuditEntry::WORLD_UNBAN, &u.id, 4);
    assert!(store
        .set_sanction(&u.id, Sanction::WorldBan, None, &unban)
        .await
        .unwrap());
    let read = store.user(&u.id).await.unwrap().unwrap();
    assert_eq!(read.sanctions.world_banned_until, None);
    assert_eq!(read.sanctions.muted_until, Some(at(60_000)), "kept");
    assert!(!store
        .banned_from_world(at(10), 100)
        .await
        .unwrap()
        .contains(&u.id));

    let nobody = UserId::generate();
    assert!(!store
        .set_sanction(
            &nobody,
            Sanction::Mute,
            None,
            &entry(AuditEntry::UNMUTE_USER, &nobody, 5)
        )
        .await
        .unwrap());
    let log = store
        .audit_log(&NewestFirst {
            before: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(log, vec![unban, short, ban, mute]);
}
