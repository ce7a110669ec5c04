//! Group management: members list, adding, kicking, roles, transfer, the
//! group's own information and size limits, each allowed and refused.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, spawn_app_with, Reply, Session, TestApp, UNKNOWN_ID};

/// The (user_id, role) pairs of GET /members, sorted.
async fn roles(app: &TestApp, token: &str, gid: &str) -> Vec<(String, String)> {
    let r = app.members(token, gid).await;
    let mut v: Vec<(String, String)> = r.ok()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user_id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn pairs(list: &[(&Session, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(s, r)| (s.user_id.clone(), (*r).to_owned()))
        .collect();
    v.sort();
    v
}

async fn member_count(app: &TestApp, token: &str, gid: &str) -> u64 {
    app.group(token, gid).await.ok()["member_count"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn members_are_listed_with_roles_to_members_only() {
    let app = spawn_app().await;
    let o = app.new_user("lo").await;
    let m = app.new_user("lm").await;
    let x = app.new_user("lx").await;
    let (gid, _) = app
        .new_group(&o, json!({"name": "list", "member_ids": [m.user_id]}))
        .await;
    let r = app.members(&m.access, &gid).await;
    let list = r.ok()["members"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    for e in &list {
        assert!(e["muted_until"].is_null(), "{e}");
        let want = if e["user_id"] == o.user_id.as_str() {
            "owner"
        } else {
            assert_eq!(e["user_id"], m.user_id.as_str());
            "member"
        };
        assert_eq!(e["role"], want, "{e}");
    }
    app.members(&x.access, &gid).await.err(1005);
}

async fn members_page(app: &TestApp, token: &str, gid: &str, query: &str) -> Reply {
    let path = format!("/api/v1/groups/{gid}/members{query}");
    app.request(Method::GET, &path, Some(token), None).await
}

#[tokio::test]
async fn the_members_list_comes_in_pages_in_user_id_order() {
    let app = spawn_app().await;
    let o = app.new_user("po").await;
    let mut ids = vec![o.user_id.clone()];
    let mut others = Vec::new();
    for i in 0..4 {
        let u = app.new_user(&format!("pm{i}")).await;
        ids.push(u.user_id.clone());
        others.push(u.user_id);
    }
    ids.sort();
    let (gid, _) = app
        .new_group(&o, json!({"name": "paged", "member_ids": others}))
        .await;
    let page = |r: Reply| {
        let data = r.ok().clone();
        let got: Vec<String> = data["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["user_id"].as_str().unwrap().to_owned())
            .collect();
        (got, data["has_more"].as_bool().unwrap())
    };

    // Without a limit: the whole group (up to 1,000), and no more.
    assert_eq!(
        page(app.members(&o.access, &gid).await),
        (ids.clone(), false)
    );
    // Two at a time, each page after the last member of the one before.
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let query = if after.is_empty() {
            "?limit=2".to_owned()
        } else {
            format!("?limit=2&after={after}")
        };
        let (got, more) = page(members_page(&app, &o.access, &gid, &query).await);
        assert!(got.len() <= 2, "{got:?}");
        seen.extend(got);
        after = seen.last().unwrap().clone();
        if !more {
            break;
        }
    }
    assert_eq!(seen, ids, "every member once, in order");
    // After the last member: an empty page.
    let (got, more) =
        page(members_page(&app, &o.access, &gid, &format!("?after={}", ids[4])).await);
    assert_eq!((got.len(), more), (0, false));

    for bad in ["?limit=0", "?limit=1001", "?limit=two", "?after=someone"] {
        let r = members_page(&app, &o.access, &gid, bad).await;
        let field = if bad.starts_with("?limit") {
            "limit"
        } else {
            "after"
        };
        assert!(r.err(1001).starts_with(field), "{bad}: {:?}", r.body);
    }
}

#[tokio::test]
async fn owners_and_admins_add_members_and_members_cannot() {
    let app = spawn_app().await;
    let o = app.new_user("ao").await;
    let adm = app.new_user("aa").await;
    let m = app.new_user("am").await;
    let x = app.new_user("ax").await;
    let y = app.new_user("ay").await;
    let z = app.new_user("az").await;
    let (gid, _) = app
        .new_group(
            &o,
            json!({"name": "add", "member_ids": [adm.user_id, m.user_id]}),
        )
        .await;
    app.update_member(&o.access, &gid, &adm.user_id, json!({"role": "admin"}))
        .await
        .ok();

    // A member or an outsider may not add.
    app.add_members(&m.access, &gid, &[&x.user_id])
        .await
        .err(1005);
    app.add_members(&x.access, &gid, &[&y.user_id])
        .await
        .err(1005);
    // An unknown user is not found.
    app.add_members(&o.access, &gid, &[UNKNOWN_ID])
        .await
        .err(1003);
    assert_eq!(member_count(&app, &o.access, &gid).await, 3);

    let r = app.add_members(&o.access, &gid, &[&x.user_id]).await;
    assert_eq!(
        r.ok(),
        &json!({"members": [{"user_id": x.user_id, "role": "member", "muted_until": null}]})
    );
    // Those already in are skipped.
    let r = app
        .add_members(&adm.access, &gid, &[&x.user_id, &y.user_id, &o.user_id])
        .await;
    assert_eq!(
        r.ok(),
        &json!({"members": [{"user_id": y.user_id, "role": "member", "muted_until": null}]})
    );
    assert_eq!(member_count(&app, &o.access, &gid).await, 5);
    // Invite-only groups are joined this way.
    let (inv, _) = app
        .new_group(&o, json!({"name": "inv", "join_policy": "invite"}))
        .await;
    app.group_action(&z.access, &inv, "join").await.err(1005);
    app.add_members(&o.access, &inv, &[&z.user_id]).await.ok();
    assert_eq!(app.group(&z.access, &inv).await.ok()["my_role"], "member");
    // The added can read and send.
    app.send_http_ok(
        &y.access,
        json!({"group_id": gid, "client_msg_id": "y1", "content": "added"}),
    )
    .await;
    assert_eq!(app.group(&y.access, &gid).await.ok()["my_role"], "member");
    assert_eq!(
        roles(&app, &x.access, &gid).await,
        pairs(&[
            (&o, "owner"),
            (&adm, "admin"),
            (&m, "member"),
            (&x, "member"),
            (&y, "member")
        ])
    );
    app.members(&z.access, &gid).await.err(1005);
}

#[tokio::test]
async fn kicking_follows_the_role_rules() {
    let app = spawn_app().await;
    let o = app.new_user("ko").await;
    let a1 = app.new_user("ka1").await;
    let a2 = app.new_user("ka2").await;
    let m1 = app.new_user("km1").await;
    let m2 = app.new_user("km2").await;
    let x = app.new_user("kx").await;
    let ids: Vec<&str> = [&a1, &a2, &m1, &m2]
        .iter()
        .map(|s| s.user_id.as_str())
        .collect();
    let (gid, _) = app
        .new_group(&o, json!({"name": "kick", "member_ids": ids}))
        .await;
    for a in [&a1, &a2] {
        let r = app
            .update_member(&o.access, &gid, &a.user_id, json!({"role": "admin"}))
            .await;
        assert_eq!(r.ok()["role"], "admin");
    }

    // An admin cannot kick an admin or the owner; a member kicks nobody.
    app.kick(&a1.access, &gid, &a2.user_id).await.err(1005);
    app.kick(&a1.access, &gid, &o.user_id).await.err(1005);
    app.kick(&m1.access, &gid, &m2.user_id).await.err(1005);
    app.kick(&m1.access, &gid, &a1.user_id).await.err(1005);
    app.kick(&m1.access, &gid, &o.user_id).await.err(1005);
    app.kick(&x.access, &gid, &m1.user_id).await.err(1005);
    assert_eq!(member_count(&app, &o.access, &gid).await, 5);

    // An admin kicks a member; the owner kicks an admin.
    assert_eq!(
        app.kick(&a1.access, &gid, &m1.user_id).await.ok(),
        &json!({})
    );
    assert_eq!(
        app.kick(&o.access, &gid, &a2.user_id).await.ok(),
        &json!({})
    );
    assert_eq!(
        roles(&app, &o.access, &gid).await,
        pairs(&[(&o, "owner"), (&a1, "admin"), (&m2, "member")])
    );
    // Not (or no longer) a member: not found.
    app.kick(&o.access, &gid, &m1.user_id).await.err(1003);
    app.kick(&o.access, &gid, &x.user_id).await.err(1003);
    // The kicked can neither send nor read, nor see the members.
    app.send_http(
        &m1.access,
        json!({"group_id": gid, "client_msg_id": "k", "content": "?"}),
    )
    .await
    .err(1005);
    app.members(&a2.access, &gid).await.err(1005);
    // The owner kicks the other admin too.
    app.kick(&o.access, &gid, &a1.user_id).await.ok();
    assert_eq!(member_count(&app, &o.access, &gid).await, 2);
}

#[tokio::test]
async fn only_the_owner_changes_roles_and_never_its_own() {
    let app = spawn_app().await;
    let o = app.new_user("ro").await;
    let a = app.new_user("ra").await;
    let m = app.new_user("rm").await;
    let (gid, _) = app
        .new_group(
            &o,
            json!({"name": "roles", "member_ids": [a.user_id, m.user_id]}),
        )
        .await;
    let r = app
        .update_member(&o.access, &gid, &a.user_id, json!({"role": "admin"}))
        .await;
    assert_eq!(
        r.ok(),
        &json!({"user_id": a.user_id, "role": "admin", "muted_until": null})
    );
    assert_eq!(app.group(&a.access, &gid).await.ok()["my_role"], "admin");

    // Admins and members may not change roles.
    app.update_member(&a.access, &gid, &m.user_id, json!({"role": "admin"}))
        .await
        .err(1005);
    app.update_member(&m.access, &gid, &m.user_id, json!({"role": "admin"}))
        .await
        .err(1005);
    app.update_member(&a.access, &gid, &a.user_id, json!({"role": "member"}))
        .await
        .err(1005);
    // Nobody changes the owner's role; "owner" is for transfer.
    app.update_member(&o.access, &gid, &o.user_id, json!({"role": "member"}))
        .await
        .err(1005);
    app.update_member(&a.access, &gid, &o.user_id, json!({"role": "member"}))
        .await
        .err(1005);
    app.update_member(&o.access, &gid, &m.user_id, json!({"role": "owner"}))
        .await
        .err(1001);
    app.update_member(&o.access, &gid, &m.user_id, json!({"role": "king"}))
        .await
        .err(1001);
    assert_eq!(
        roles(&app, &o.access, &gid).await,
        pairs(&[(&o, "owner"), (&a, "admin"), (&m, "member")])
    );

    // The owner demotes.
    let r = app
        .update_member(&o.access, &gid, &a.user_id, json!({"role": "member"}))
        .await;
    assert_eq!(r.ok()["role"], "member");
    assert_eq!(app.group(&a.access, &gid).await.ok()["my_role"], "member");
}

#[tokio::test]
async fn transfer_makes_a_new_owner_and_the_old_one_an_admin() {
    let app = spawn_app().await;
    let o = app.new_user("to").await;
    let m = app.new_user("tm").await;
    let n = app.new_user("tn").await;
    let x = app.new_user("tx").await;
    let (gid, _) = app
        .new_group(
            &o,
            json!({"name": "crown", "member_ids": [m.user_id, n.user_id]}),
        )
        .await;
    // The owner cannot leave without handing over first.
    app.group_action(&o.access, &gid, "leave").await.err(1005);
    app.transfer(&m.access, &gid, &m.user_id).await.err(1005);
    app.transfer(&x.access, &gid, &x.user_id).await.err(1005);
    app.transfer(&o.access, &gid, &x.user_id).await.err(1003);
    app.transfer(&o.access, &gid, UNKNOWN_ID).await.err(1003);

    let r = app.transfer(&o.access, &gid, &m.user_id).await;
    let g = r.ok();
    assert_eq!(g["group_id"], gid.as_str());
    assert_eq!(g["owner_id"], m.user_id.as_str());
    assert_eq!(g["member_count"], 3);
    assert_eq!(
        roles(&app, &n.access, &gid).await,
        pairs(&[(&o, "admin"), (&m, "owner"), (&n, "member")])
    );
    assert_eq!(app.group(&m.access, &gid).await.ok()["my_role"], "owner");
    assert_eq!(app.group(&o.access, &gid).await.ok()["my_role"], "admin");
    assert_eq!(
        app.group(&n.access, &gid).await.ok()["owner_id"],
        m.user_id.as_str()
    );

    // The old owner has lost the owner's powers.
    app.transfer(&o.access, &gid, &n.user_id).await.err(1005);
    app.update_member(&o.access, &gid, &n.user_id, json!({"role": "admin"}))
        .await
        .err(1005);
    app.dissolve(&o.access, &gid).await.err(1005);
    // The new owner cannot leave; the old one can.
    app.group_action(&m.access, &gid, "leave").await.err(1005);
    app.group_action(&o.access, &gid, "leave").await.ok();
    assert_eq!(
        roles(&app, &m.access, &gid).await,
        pairs(&[(&m, "owner"), (&n, "member")])
    );
}

/// The `group_updated` events of a conversation's history, in order.
async fn updates(app: &TestApp, token: &str, conv: &str) -> Vec<Value> {
    app.history_all(token, conv)
        .await
        .iter()
        .filter(|m| m["message_type"] == "system")
        .map(|m| serde_json::from_str::<Value>(m["content"].as_str().unwrap()).unwrap())
        .filter(|e| e["event"] == "group_updated")
        .collect()
}

#[tokio::test]
async fn owners_and_admins_change_the_groups_information_and_each_change_is_told() {
    let app = spawn_app().await;
    let o = app.new_user("io").await;
    let a = app.new_user("ia").await;
    let m = app.new_user("im").await;
    let x = app.new_user("ix").await;
    let (gid, conv) = app
        .new_group(
            &o,
            json!({"name": "before", "description": "old", "member_ids": [a.user_id, m.user_id]}),
        )
        .await;
    app.update_member(&o.access, &gid, &a.user_id, json!({"role": "admin"}))
        .await
        .ok();

    // Refused: plain members, outsiders, unknown groups, bad or empty
    // changes; nothing changed or told.
    let rename = json!({"name": "mine"});
    app.update_group(&m.access, &gid, rename.clone())
        .await
        .err(1005);
    app.update_group(&x.access, &gid, rename.clone())
        .await
        .err(1005);
    app.update_group(&o.access, UNKNOWN_ID, rename.clone())
        .await
        .err(1003);
    app.update_group(&o.access, "not-an-id", rename)
        .await
        .err(1001);
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "n".repeat(65)}),
        json!({"description": "d".repeat(513)}),
        json!({"join_policy": "closed"}),
        json!({"avatar": "a".repeat(513)}),
        json!({"announcement": "a".repeat(2049)}),
        json!({"avatar": "bad\u{7}url"}),
    ] {
        app.update_group(&o.access, &gid, bad.clone())
            .await
            .err(1001);
    }
    assert_eq!(updates(&app, &m.access, &conv).await, Vec::<Value>::new());

    let g = app
        .update_group(&o.access, &gid, json!({"name": "after"}))
        .await
        .ok()
        .clone();
    assert_eq!(
        (
            &g["name"],
            &g["description"],
            &g["join_policy"],
            &g["my_role"]
        ),
        (
            &json!("after"),
            &json!("old"),
            &json!("open"),
            &json!("owner")
        )
    );
    let g = app
        .update_group(
            &a.access,
            &gid,
            json!({"description": "new", "join_policy": "invite"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(
        (&g["name"], &g["description"], &g["join_policy"]),
        (&json!("after"), &json!("new"), &json!("invite"))
    );
    // Every member reads it, and the join policy holds at once.
    let seen = app.group(&m.access, &gid).await.ok().clone();
    assert_eq!(
        (&seen["name"], &seen["description"], &seen["join_policy"]),
        (&json!("after"), &json!("new"), &json!("invite"))
    );
    app.group_action(&x.access, &gid, "join").await.err(1005);
    // An avatar and an announcement, set and cleared; new groups have none.
    assert_eq!(
        (&seen["avatar"], &seen["announcement"]),
        (&json!(""), &json!(""))
    );
    let note = "Meeting at 10, bring ideas";
    let g = app
        .update_group(
            &o.access,
            &gid,
            json!({"avatar": "https://example.com/g.png", "announcement": note}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(
        (&g["avatar"], &g["announcement"], &g["name"]),
        (
            &json!("https://example.com/g.png"),
            &json!(note),
            &json!("after")
        )
    );
    let g = app
        .update_group(&a.access, &gid, json!({"announcement": ""}))
        .await
        .ok()
        .clone();
    assert_eq!(
        (&g["avatar"], &g["announcement"]),
        (&json!("https://example.com/g.png"), &json!(""))
    );
    // Each change is a system message in the conversation: what changed
    // and who changed it.
    assert_eq!(
        updates(&app, &m.access, &conv).await,
        vec![
            json!({"event": "group_updated", "name": "after", "actor_id": o.user_id}),
            json!({"event": "group_updated", "description": "new",
                   "join_policy": "invite", "actor_id": a.user_id}),
            json!({"event": "group_updated", "avatar": "https://example.com/g.png",
                   "announcement": note, "actor_id": o.user_id}),
            json!({"event": "group_updated", "announcement": "", "actor_id": a.user_id}),
        ]
    );
    // A dissolved group is gone.
    app.dissolve(&o.access, &gid).await.ok();
    app.update_group(&o.access, &gid, json!({"name": "ghost"}))
        .await
        .err(1003);
}

#[tokio::test]
async fn a_full_group_refuses_joins_and_additions() {
    let app = spawn_app().await;
    let o = app.new_user("so").await;
    let u: Vec<Session> = {
        let mut v = Vec::new();
        for i in 0..4 {
            v.push(app.new_user(&format!("su{i}")).await);
        }
        v
    };
    // max_members is 2..=the server's maximum (10,000 by default).
    for bad in [json!(0), json!(1), json!(10_001), json!(-1)] {
        app.create_group(&o.access, json!({"name": "bad", "max_members": bad}))
            .await
            .err(1001);
    }
    let r = app
        .create_group(&o.access, json!({"name": "max", "max_members": 10_000}))
        .await;
    assert_eq!(r.ok()["max_members"], 10_000);
    let r = app
        .create_group(&o.access, json!({"name": "pair", "max_members": 2}))
        .await;
    assert_eq!(r.ok()["max_members"], 2);

    let r = app
        .create_group(
            &o.access,
            json!({"name": "three", "max_members": 3, "member_ids": [u[0].user_id]}),
        )
        .await;
    let g: Value = r.ok().clone();
    assert_eq!(g["max_members"], 3);
    let gid = g["group_id"].as_str().unwrap();
    // Two more do not fit in the one free place: nobody is added.
    app.add_members(&o.access, gid, &[&u[1].user_id, &u[2].user_id])
        .await
        .err(1006);
    assert_eq!(member_count(&app, &o.access, gid).await, 2);
    app.members(&u[1].access, gid).await.err(1005);
    // One does.
    app.add_members(&o.access, gid, &[&u[1].user_id]).await.ok();
    assert_eq!(member_count(&app, &o.access, gid).await, 3);
    // Now full: joins and additions are conflicts.
    app.group_action(&u[2].access, gid, "join").await.err(1006);
    app.add_members(&o.access, gid, &[&u[3].user_id])
        .await
        .err(1006);
    // Re-adding someone already in takes no place.
    let r = app.add_members(&o.access, gid, &[&u[0].user_id]).await;
    assert_eq!(r.ok(), &json!({"members": []}));
    // A place freed is a place to take.
    app.group_action(&u[1].access, gid, "leave").await.ok();
    app.group_action(&u[2].access, gid, "join").await.ok();
    assert_eq!(member_count(&app, &o.access, gid).await, 3);
}

#[tokio::test]
async fn max_members_is_capped_by_the_server_setting() {
    let app = spawn_app_with(|c| c.groups.max_members = 5).await;
    let o = app.new_user("co").await;
    app.create_group(&o.access, json!({"name": "big", "max_members": 6}))
        .await
        .err(1001);
    let r = app
        .create_group(&o.access, json!({"name": "ok", "max_members": 5}))
        .await;
    assert_eq!(r.ok()["max_members"], 5);
    let r = app.create_group(&o.access, json!({"name": "dflt"})).await;
    assert_eq!(r.ok()["max_members"], 5);
}
