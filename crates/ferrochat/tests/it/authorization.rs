//! The refused side of docs/protocol.md's "Authorization" table, one
//! request per row: a caller without a live token on every route the
//! OpenAPI document secures, a user without the admin role on every admin
//! route, an outsider on every route and frame of a group and its
//! conversation, a plain member and an admin on what their role does not
//! allow, and a blocked user on every way to the blocker. Each refusal
//! carries its code, no data, and nothing of what it names.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::administration::admin;
use crate::attachments::{png, upload_ok};
use crate::openapi::get_json;
use crate::support::{rfc3339_from_now, spawn_app, Session, TestApp, PASSWORD, UNKNOWN_ID};
use crate::ws::{assert_error, WsClient};

/// One request of a table.
struct Call {
    method: Method,
    path: String,
    body: Option<Value>,
}

fn call(method: Method, path: impl Into<String>, body: Option<Value>) -> Call {
    Call {
        method,
        path: path.into(),
        body,
    }
}

fn get(path: impl Into<String>) -> Call {
    call(Method::GET, path, None)
}

fn post(path: impl Into<String>, body: Value) -> Call {
    call(Method::POST, path, Some(body))
}

fn put(path: impl Into<String>, body: Value) -> Call {
    call(Method::PUT, path, Some(body))
}

fn delete(path: impl Into<String>) -> Call {
    call(Method::DELETE, path, None)
}

/// The body of a request on the message at `seq` of `conv`: `extra`'s
/// fields with `conversation_id`, `seq` and `client_msg_id`.
fn aimed(conv: &str, seq: u64, client_msg_id: &str, extra: Value) -> Value {
    let mut body = json!({"conversation_id": conv, "seq": seq, "client_msg_id": client_msg_id});
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
    body
}

/// Makes each call as `token`; each must be refused with `code`, without
/// data, and without any of `secrets` in its message. Returns the messages.
async fn refused(
    app: &TestApp,
    token: Option<&str>,
    calls: &[Call],
    code: i64,
    secrets: &[&str],
) -> Vec<String> {
    let mut messages = Vec::with_capacity(calls.len());
    for c in calls {
        let r = app
            .request(c.method.clone(), &c.path, token, c.body.clone())
            .await;
        assert_eq!(r.code(), code, "{} {}: {:?}", c.method, c.path, r.body);
        let message = r.err(code).to_owned();
        for secret in secrets {
            assert!(
                !message.contains(secret),
                "{} {} tells {secret:?}: {message}",
                c.method,
                c.path
            );
        }
        messages.push(message);
    }
    messages
}

/// Sends each frame (`type`, `data`) on `ws`; each must be answered
/// `error` `code`.
async fn frames_refused(ws: &mut WsClient, frames: &[(&str, Value)], code: i64) {
    for (ty, data) in frames {
        let f = ws.request(ty, data.clone()).await;
        assert_eq!(f["data"]["code"], code, "{ty}: {f}");
        assert_error(&f, code);
    }
}

/// Every operation of the served OpenAPI document: method, path, and
/// whether it takes the bearer token.
async fn documented_routes(app: &TestApp) -> Vec<(Method, String, bool)> {
    let doc = get_json(&app.base, "/api/openapi.json", "application/json").await;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let m = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            let secured = op["security"] == json!([{"bearer": []}]);
            out.push((m, path.clone(), secured));
        }
    }
    out
}

/// The routes anyone may call: the operations routes, the documents, and
/// what a user without a token needs to get one.
const OPEN_ROUTES: [&str; 13] = [
    "GET /api/openapi.json",
    "GET /api/v1/auth/oidc",
    "GET /api/v1/auth/oidc/callback",
    "GET /api/v1/auth/oidc/start",
    "GET /api/ws-frames.schema.json",
    "GET /health",
    "GET /live",
    "GET /metrics",
    "GET /ready",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/password/reset",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/users/register",
];

/// The anonymous column of the table, for every route the server documents
/// (a route added later is checked too): no token, a token that is none, a
/// logged-out session's and a disabled account's are all 1002, and the
/// disabled account's open socket is closed.
#[tokio::test]
async fn every_secured_route_refuses_a_caller_without_a_live_token() {
    let app = spawn_app().await;
    let boss = admin(&app).await;
    let gone = app.new_user("gone").await;
    app.logout(&gone.access).await.ok();
    let banned = app.new_user("banned").await;
    let mut banned_ws = app.ws_connect(&banned.access).await;
    let disable = format!("/api/v1/admin/users/{}/disable", banned.user_id);
    app.request(Method::POST, &disable, Some(&boss.access), Some(json!({})))
        .await
        .ok();
    assert_eq!(banned_ws.close_code().await, Some(4001));

    let routes = documented_routes(&app).await;
    let mut open: Vec<String> = routes
        .iter()
        .filter(|(_, _, secured)| !secured)
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    open.sort();
    assert_eq!(open, OPEN_ROUTES, "the routes that take no token");

    let tokens = [
        ("no", None),
        ("a malformed", Some("not-a-token")),
        ("a logged-out session's", Some(gone.access.as_str())),
        ("a disabled account's", Some(banned.access.as_str())),
    ];
    let mut checked = 0;
    for (method, path, _) in routes.iter().filter(|(_, _, secured)| *secured) {
        let concrete = path
            .replace("{id}", UNKNOWN_ID)
            .replace("{user_id}", UNKNOWN_ID);
        let body = (*method == Method::POST || *method == Method::PUT).then(|| json!({}));
        for (what, token) in tokens {
            let r = app
                .request(method.clone(), &concrete, token, body.clone())
                .await;
            assert_eq!(
                r.code(),
                1002,
                "{what} token, {method} {path}: {:?}",
                r.body
            );
            r.err(1002);
        }
        checked += 1;
    }
    assert!(checked > 60, "{checked}");
    // Nor may the disabled account open a socket or refresh its way back.
    assert_eq!(app.ws_refused_status(Some(&banned.access)).await, 401);
    app.refresh(&banned.refresh).await.err(1002);
}

/// A body each admin route takes, so what refuses it is the role.
fn admin_body(method: &Method, path: &str, conversation: &str) -> Option<Value> {
    match (method.as_str(), path) {
        (_, "/api/v1/admin/messages/remove") => {
            Some(json!({"conversation_id": conversation, "seq": 1}))
        }
        // Every admin PUT sets something for a time: mutes and bans.
        ("PUT", _) => Some(json!({"minutes": 5})),
        ("POST", _) => Some(json!({})),
        _ => None,
    }
}

/// The administrator column: every `/api/v1/admin/` route the server
/// documents is 1005 to a user without the role, whether what it names
/// exists or not, and nothing is done.
#[tokio::test]
async fn a_user_without_the_admin_role_reaches_no_admin_route() {
    let app = spawn_app().await;
    let user = app.new_user("plain").await;
    let target = app.new_user("target").await;
    let (gid, conv) = app
        .new_group(
            &target,
            json!({"name": "kept", "member_ids": [user.user_id]}),
        )
        .await;
    app.send_http_ok(
        &target.access,
        json!({"conversation_id": conv, "client_msg_id": "t1", "content": "stays"}),
    )
    .await;
    let report = app
        .request(
            Method::POST,
            "/api/v1/reports",
            Some(&user.access),
            Some(json!({"user_id": target.user_id, "reason": "test"})),
        )
        .await;
    let report_id = report.ok()["report_id"].as_str().unwrap().to_owned();

    let routes: Vec<(Method, String)> = documented_routes(&app)
        .await
        .into_iter()
        .filter(|(_, p, _)| p.starts_with("/api/v1/admin/"))
        .map(|(m, p, _)| (m, p))
        .collect();
    assert!(routes.len() >= 11, "{routes:?}");
    for real in [true, false] {
        let calls: Vec<Call> = routes
            .iter()
            .map(|(method, path)| {
                let id = match (real, path.as_str()) {
                    (false, _) => UNKNOWN_ID,
                    (true, p) if p.starts_with("/api/v1/admin/groups/") => gid.as_str(),
                    (true, p) if p.starts_with("/api/v1/admin/reports/") => report_id.as_str(),
                    (true, _) => target.user_id.as_str(),
                };
                let conversation = if real { conv.as_str() } else { UNKNOWN_ID };
                call(
                    method.clone(),
                    path.replace("{id}", id),
                    admin_body(method, path, conversation),
                )
            })
            .collect();
        for message in refused(&app, Some(&user.access), &calls, 1005, &[]).await {
            assert_eq!(message, "only an administrator can do this");
        }
    }
    // Nothing was done: the target logs in, the group and message stand.
    app.login(&target.username, PASSWORD).await.ok();
    app.group(&target.access, &gid).await.ok();
    let history = app.history_all(&user.access, &conv).await;
    assert!(
        history.iter().any(|m| m["content"] == "stays"),
        "{history:?}"
    );
}

/// The group routes for whoever is not in the group (open or not).
fn group_calls(gid: &str, member: &str, outsider: &str) -> Vec<Call> {
    let g = format!("/api/v1/groups/{gid}");
    vec![
        post(format!("{g}/leave"), json!({})),
        get(format!("{g}/members")),
        post(format!("{g}/members"), json!({"user_ids": [outsider]})),
        delete(format!("{g}/members/{member}")),
        put(format!("{g}/members/{member}"), json!({"role": "admin"})),
        put(
            format!("{g}/members/{member}"),
            json!({"muted_until": rfc3339_from_now(600)}),
        ),
        post(format!("{g}/transfer"), json!({"user_id": outsider})),
        put(g.clone(), json!({"name": "taken over"})),
        delete(g),
    ]
}

/// The conversation's routes, as anyone might call them: every one is for
/// its members only.
fn conversation_calls(conv: &str, gid: &str, seq: u64, own_conv: &str) -> Vec<Call> {
    let target = |extra: Value| aimed(conv, seq, "x", extra);
    let m = "/api/v1/messages";
    vec![
        put(
            format!("/api/v1/conversations/{conv}"),
            json!({"read_seq": seq}),
        ),
        get(format!("/api/v1/conversations/{conv}/pins")),
        get(format!("{m}/history?conversation_id={conv}")),
        get(format!("{m}/search?q=plan&conversation_id={conv}")),
        post(
            format!("{m}/send"),
            json!({"conversation_id": conv, "client_msg_id": "s1", "content": "hi"}),
        ),
        post(
            format!("{m}/send"),
            json!({"group_id": gid, "client_msg_id": "s2", "content": "hi"}),
        ),
        post(format!("{m}/edit"), target(json!({"content": "mine now"}))),
        post(format!("{m}/recall"), target(json!({}))),
        post(format!("{m}/react"), target(json!({"emoji": "🎉"}))),
        post(format!("{m}/unreact"), target(json!({"emoji": "🎉"}))),
        post(format!("{m}/pin"), target(json!({}))),
        post(format!("{m}/unpin"), target(json!({}))),
        // Out of the conversation, and into it from one's own.
        post(
            format!("{m}/forward"),
            json!({"conversation_id": conv, "seqs": [seq], "to_conversation_id": own_conv,
                   "client_msg_id": "f1"}),
        ),
        post(
            format!("{m}/forward"),
            json!({"conversation_id": own_conv, "seqs": [1], "to_conversation_id": conv,
                   "client_msg_id": "f2"}),
        ),
        post(
            format!("{m}/delete"),
            json!({"conversation_id": conv, "seqs": [seq]}),
        ),
    ]
}

/// The same as frames.
fn conversation_frames(conv: &str, seq: u64, own_conv: &str) -> Vec<(&'static str, Value)> {
    let with = |extra: Value| aimed(conv, seq, "w", extra);
    let target = with(json!({}));
    vec![
        (
            "send-message",
            json!({"conversation_id": conv, "client_msg_id": "w1", "content": "hi"}),
        ),
        ("edit-message", with(json!({"content": "mine now"}))),
        ("recall-message", target.clone()),
        ("react-message", with(json!({"emoji": "🎉"}))),
        ("unreact-message", with(json!({"emoji": "🎉"}))),
        ("pin-message", target.clone()),
        ("unpin-message", target.clone()),
        (
            "forward-messages",
            json!({"conversation_id": conv, "seqs": [seq], "to_conversation_id": own_conv,
                   "client_msg_id": "w2"}),
        ),
        (
            "forward-messages",
            json!({"conversation_id": own_conv, "seqs": [1], "to_conversation_id": conv,
                   "client_msg_id": "w3"}),
        ),
        (
            "delete-messages",
            json!({"conversation_id": conv, "seqs": [seq]}),
        ),
        ("read", json!({"conversation_id": conv, "seq": seq})),
        ("typing", json!({"conversation_id": conv})),
    ]
}

/// Nothing of `who` reached `ws`: no message, receipt or typing of theirs.
async fn heard_nothing_from(ws: &mut WsClient, who: &Session) {
    let frames = ws.settle(Duration::from_millis(300)).await;
    let theirs = |f: &Value| {
        f["data"]["from_user_id"] == who.user_id.as_str()
            || f["data"]["user_id"] == who.user_id.as_str()
            || f["data"]["by_user_id"] == who.user_id.as_str()
    };
    assert!(!frames.iter().any(theirs), "{frames:?}");
}

/// A member-only column: an outsider of a group, invite-only or open,
/// reaches none of its routes, its conversation's or its files, over HTTP
/// or the socket, and learns nothing of it (an invite-only group's name
/// is not even told).
#[tokio::test]
async fn an_outsider_reaches_nothing_of_a_group_or_its_conversation() {
    let app = spawn_app().await;
    let owner = app.new_user("owner").await;
    let member = app.new_user("member").await;
    let outsider = app.new_user("outsider").await;
    let friend = app.new_user("friend").await;
    let own_conv = app.open_single(&outsider.access, &friend.user_id).await;
    app.send_http_ok(
        &outsider.access,
        json!({"conversation_id": own_conv, "client_msg_id": "o1", "content": "mine"}),
    )
    .await;
    let mut owner_ws = app.ws_connect(&owner.access).await;
    let mut outsider_ws = app.ws_connect(&outsider.access).await;

    for policy in ["invite", "open"] {
        let name = format!("Secret {policy} club");
        let (gid, conv) = app
            .new_group(
                &owner,
                json!({"name": name, "join_policy": policy, "member_ids": [member.user_id]}),
            )
            .await;
        let ack = app
            .send_http_ok(
                &owner.access,
                json!({"conversation_id": conv, "client_msg_id": policy, "content": "the plan"}),
            )
            .await;
        let seq = ack["seq"].as_u64().unwrap();
        let file = upload_ok(&app, &owner.access, "plan.png", png(8, 8)).await;
        let file_id = file["attachment_id"].as_str().unwrap().to_owned();
        app.send_http_ok(
            &owner.access,
            json!({"conversation_id": conv, "client_msg_id": format!("{policy}-f"),
                   "message_type": "image", "content": file_id}),
        )
        .await;
        owner_ws.settle(Duration::from_millis(100)).await;

        let mut calls = group_calls(&gid, &member.user_id, &outsider.user_id);
        if policy == "invite" {
            calls.push(get(format!("/api/v1/groups/{gid}")));
            calls.push(post(format!("/api/v1/groups/{gid}/join"), json!({})));
        }
        calls.extend(conversation_calls(&conv, &gid, seq, &own_conv));
        let a = "/api/v1/attachments";
        calls.extend([
            get(format!("{a}/{file_id}")),
            get(format!("{a}/{file_id}/thumbnail")),
            get(format!("{a}/{file_id}/info")),
        ]);
        let secrets = [name.as_str(), "the plan", "plan.png"];
        refused(&app, Some(&outsider.access), &calls, 1005, &secrets).await;
        // A report of one of its messages: as if there were none.
        let report = post(
            "/api/v1/reports",
            json!({"conversation_id": conv, "seq": seq, "reason": "curious"}),
        );
        refused(&app, Some(&outsider.access), &[report], 1003, &secrets).await;
        let frames = conversation_frames(&conv, seq, &own_conv);
        frames_refused(&mut outsider_ws, &frames, 1005).await;
        // Its sync and lists leave it out, the search finds nothing of it.
        let sync = outsider_ws
            .request("sync", json!({"cursors": {}}))
            .await
            .to_string();
        assert!(!sync.contains(&conv), "{sync}");
        let list = json!(app.conversations(&outsider.access).await).to_string();
        assert!(!list.contains(&conv), "{list}");
        let found = app
            .request(
                Method::GET,
                "/api/v1/messages/search?q=plan",
                Some(&outsider.access),
                None,
            )
            .await;
        assert_eq!(found.ok()["results"], json!([]));

        heard_nothing_from(&mut owner_ws, &outsider).await;
        // All stands as it was.
        let group = app.group(&owner.access, &gid).await;
        assert_eq!(group.ok()["name"], name.as_str());
        assert_eq!(group.ok()["member_count"], 2);
        let history = app.history_all(&member.access, &conv).await;
        assert!(history
            .iter()
            .all(|m| m["from_user_id"] != outsider.user_id.as_str()));
        assert!(history.iter().any(|m| m["content"] == "the plan"));
    }
}

/// The owner and owner-or-admin columns: a plain member reaches nothing a
/// group leaves to its owner and admins, an admin nothing it leaves to
/// its owner, and the owner cannot drop its own role.
#[tokio::test]
async fn each_group_role_is_refused_what_the_roles_above_it_may_do() {
    let app = spawn_app().await;
    let owner = app.new_user("owner").await;
    let boss = app.new_user("admin").await;
    let member = app.new_user("member").await;
    let other = app.new_user("other").await;
    let stranger = app.new_user("stranger").await;
    let ids = [&boss.user_id, &member.user_id, &other.user_id];
    let (gid, conv) = app
        .new_group(&owner, json!({"name": "Ranks", "member_ids": ids}))
        .await;
    app.update_member(&owner.access, &gid, &boss.user_id, json!({"role": "admin"}))
        .await
        .ok();
    let ack = app
        .send_http_ok(
            &other.access,
            json!({"conversation_id": conv, "client_msg_id": "o1", "content": "other's"}),
        )
        .await;
    let seq = ack["seq"].as_u64().unwrap();
    let g = format!("/api/v1/groups/{gid}");
    let m = "/api/v1/messages";
    let on = |extra: Value| aimed(&conv, seq, "c", extra);
    let mute = json!({"muted_until": rfc3339_from_now(600)});

    // A plain member.
    let member_calls = [
        post(
            format!("{g}/members"),
            json!({"user_ids": [stranger.user_id]}),
        ),
        delete(format!("{g}/members/{}", other.user_id)),
        put(
            format!("{g}/members/{}", other.user_id),
            json!({"role": "admin"}),
        ),
        put(format!("{g}/members/{}", other.user_id), mute.clone()),
        put(
            format!("{g}/members/{}", member.user_id),
            json!({"role": "admin"}),
        ),
        post(format!("{g}/transfer"), json!({"user_id": member.user_id})),
        put(g.clone(), json!({"announcement": "mine"})),
        delete(g.clone()),
        post(format!("{m}/recall"), on(json!({}))),
        post(format!("{m}/edit"), on(json!({"content": "changed"}))),
        post(format!("{m}/pin"), on(json!({}))),
        post(format!("{m}/unpin"), on(json!({}))),
        post(
            format!("{m}/send"),
            json!({"conversation_id": conv, "client_msg_id": "all", "content": "hey",
                   "mention_all": true}),
        ),
    ];
    refused(&app, Some(&member.access), &member_calls, 1005, &[]).await;
    let mut member_ws = app.ws_connect(&member.access).await;
    let frames = [
        ("recall-message", on(json!({}))),
        ("edit-message", on(json!({"content": "changed"}))),
        ("pin-message", on(json!({}))),
    ];
    frames_refused(&mut member_ws, &frames, 1005).await;

    // An admin: not the owner's, nor another admin's, nor roles at all.
    let admin_calls = [
        delete(format!("{g}/members/{}", owner.user_id)),
        put(format!("{g}/members/{}", owner.user_id), mute.clone()),
        put(
            format!("{g}/members/{}", member.user_id),
            json!({"role": "admin"}),
        ),
        post(format!("{g}/transfer"), json!({"user_id": boss.user_id})),
        delete(g.clone()),
        post(format!("{m}/edit"), on(json!({"content": "changed"}))),
    ];
    refused(&app, Some(&boss.access), &admin_calls, 1005, &[]).await;

    // The owner: not its own role, its own removal, nor leaving as owner.
    let owner_calls = [
        put(
            format!("{g}/members/{}", owner.user_id),
            json!({"role": "member"}),
        ),
        delete(format!("{g}/members/{}", owner.user_id)),
        post(format!("{g}/leave"), json!({})),
    ];
    refused(&app, Some(&owner.access), &owner_calls, 1005, &[]).await;

    // All stands: the roles, the name, the message.
    let roles: Vec<(String, String)> = app.members(&owner.access, &gid).await.ok()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
            (s("user_id"), s("role"))
        })
        .collect();
    assert_eq!(roles.len(), 4, "{roles:?}");
    for (user, role) in &roles {
        let expected = match user {
            u if *u == owner.user_id => "owner",
            u if *u == boss.user_id => "admin",
            _ => "member",
        };
        assert_eq!(role, expected, "{roles:?}");
    }
    let group = app.group(&owner.access, &gid).await;
    assert_eq!(group.ok()["announcement"], "");
    let history = app.history_all(&owner.access, &conv).await;
    let kept = history.iter().find(|m| m["seq"] == seq).unwrap();
    assert_eq!(kept["content"], "other's");
    assert!(kept.get("recalled_at").is_none(), "{kept}");
}

/// The blocked column: once A blocks B, B reaches A by no route: no
/// message, change or reaction in their chat, no new chat, no friend
/// request, no group that would hold A; and A's socket hears nothing of B.
#[tokio::test]
async fn a_blocked_user_reaches_the_blocker_by_no_route() {
    let app = spawn_app().await;
    let a = app.new_user("blocker").await;
    let b = app.new_user("blocked").await;
    let c = app.new_user("stranger").await;
    let conv = app.open_single(&b.access, &a.user_id).await;
    let theirs = app
        .send_http_ok(
            &a.access,
            json!({"conversation_id": conv, "client_msg_id": "a1", "content": "hello"}),
        )
        .await["seq"]
        .as_u64()
        .unwrap();
    let own = app
        .send_http_ok(
            &b.access,
            json!({"conversation_id": conv, "client_msg_id": "b1", "content": "hi"}),
        )
        .await["seq"]
        .as_u64()
        .unwrap();
    let (gid, group_conv) = app.new_group(&b, json!({"name": "B's"})).await;
    app.send_http_ok(
        &b.access,
        json!({"conversation_id": group_conv, "client_msg_id": "g1", "content": "fwd me"}),
    )
    .await;
    // C blocks B before they ever talked; A after.
    app.block(&c.access, &b.user_id).await.ok();
    app.block(&a.access, &b.user_id).await.ok();
    let mut a_ws = app.ws_connect(&a.access).await;
    let mut c_ws = app.ws_connect(&c.access).await;
    let mut b_ws = app.ws_connect(&b.access).await;

    let m = "/api/v1/messages";
    let on = |seq: u64, extra: Value| aimed(&conv, seq, &format!("b-{seq}"), extra);
    let mut calls = Vec::new();
    for blocker in [&a, &c] {
        let id = &blocker.user_id;
        calls.extend([
            post(
                "/api/v1/conversations/create",
                json!({ "peer_user_id": id }),
            ),
            post(
                format!("{m}/send"),
                json!({"to_user_id": id, "client_msg_id": format!("to-{id}"), "content": "x"}),
            ),
            post(
                format!("{m}/forward"),
                json!({"conversation_id": group_conv, "seqs": [2], "to_user_id": id,
                       "client_msg_id": format!("fw-{id}")}),
            ),
            post(
                "/api/v1/friends/requests",
                json!({"to_user_id": id, "message": "let me in"}),
            ),
            post(
                format!("/api/v1/groups/{gid}/members"),
                json!({ "user_ids": [id] }),
            ),
            post(
                "/api/v1/groups/create",
                json!({"name": "trap", "member_ids": [id]}),
            ),
        ]);
    }
    calls.extend([
        post(
            format!("{m}/send"),
            json!({"conversation_id": conv, "client_msg_id": "b2", "content": "x"}),
        ),
        post(format!("{m}/edit"), on(own, json!({"content": "edited"}))),
        post(format!("{m}/recall"), on(own, json!({}))),
        post(format!("{m}/react"), on(theirs, json!({"emoji": "👎"}))),
        post(format!("{m}/unreact"), on(theirs, json!({"emoji": "👎"}))),
        post(format!("{m}/pin"), on(theirs, json!({}))),
        post(format!("{m}/unpin"), on(theirs, json!({}))),
        post(
            format!("{m}/forward"),
            json!({"conversation_id": group_conv, "seqs": [2], "to_conversation_id": conv,
                   "client_msg_id": "fw-conv"}),
        ),
    ]);
    refused(&app, Some(&b.access), &calls, 1005, &[]).await;
    let frames = [
        (
            "send-message",
            json!({"conversation_id": conv, "client_msg_id": "w1", "content": "x"}),
        ),
        (
            "send-message",
            json!({"to_user_id": c.user_id, "client_msg_id": "w2", "content": "x"}),
        ),
        ("edit-message", on(own, json!({"content": "edited"}))),
        ("react-message", on(theirs, json!({"emoji": "👎"}))),
        ("pin-message", on(theirs, json!({}))),
    ];
    frames_refused(&mut b_ws, &frames, 1005).await;
    // Typing is answered nothing, and told to nobody.
    b_ws.send_json("typing", "t1", json!({"conversation_id": conv}))
        .await;

    heard_nothing_from(&mut a_ws, &b).await;
    heard_nothing_from(&mut c_ws, &b).await;
    // C has no chat with B, nor A or C a group of B's; A's chat is as it was.
    for blocker in [&a, &c] {
        let list = app.conversations(&blocker.access).await;
        let kinds: Vec<&Value> = list.iter().map(|v| &v["type"]).collect();
        let expected = if blocker.user_id == a.user_id { 1 } else { 0 };
        let singles = kinds.iter().filter(|k| **k == "single").count();
        assert_eq!(singles, expected, "{list:?}");
        assert!(kinds.iter().all(|k| *k != "group"), "{list:?}");
        let pending = app.friend_requests(&blocker.access).await;
        assert_eq!(pending["incoming"], json!([]));
    }
    let history = app.history_all(&a.access, &conv).await;
    let contents: Vec<&Value> = history.iter().map(|m| &m["content"]).collect();
    assert_eq!(contents, [&json!("hello"), &json!("hi")], "{history:?}");

    // The blocker still reaches the blocked, and unblocking opens the way.
    app.send_http_ok(
        &a.access,
        json!({"conversation_id": conv, "client_msg_id": "a2", "content": "still"}),
    )
    .await;
    app.unblock(&c.access, &b.user_id).await.ok();
    app.open_single(&b.access, &c.user_id).await;
    app.add_members(&b.access, &gid, &[&c.user_id]).await.ok();
}

/// docs/protocol.md's "Authorization" table: its rows' first cells (each
/// item of a `, `-separated list) and the tests its last cells name.
fn authorization_table() -> (Vec<String>, Vec<String>) {
    let contract = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/protocol.md"
    ));
    let section = contract
        .split("\n## Authorization\n")
        .nth(1)
        .expect("docs/protocol.md has an Authorization section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let (mut subjects, mut tests) = (Vec::new(), Vec::new());
    for row in section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| route"))
    {
        let cells: Vec<&str> = row.split(" | ").collect();
        let first = cells[0].trim_start_matches("| ");
        subjects.extend(first.split(", ").map(str::to_owned));
        let last = cells.last().unwrap().trim_end_matches(" |");
        tests.extend(
            last.split(", ")
                .filter(|t| *t != "-")
                .map(|t| t.trim_matches('`').to_owned()),
        );
    }
    (subjects, tests)
}

/// The table covers what the server serves: every documented route and
/// every client frame type has a row, and each test it names exists.
#[tokio::test]
async fn every_route_and_frame_has_a_row_naming_a_real_test() {
    let app = spawn_app().await;
    let (subjects, tests) = authorization_table();
    for (method, path, _) in documented_routes(&app).await {
        let route = format!("{method} {path}");
        assert!(
            subjects.contains(&route),
            "no Authorization row for {route}"
        );
    }
    let schema = get_json(
        &app.base,
        "/api/ws-frames.schema.json",
        "application/schema+json",
    )
    .await;
    let branches = schema["$defs"]["ClientFrame"]["oneOf"].as_array().unwrap();
    for branch in branches {
        let t = &branch["properties"]["type"];
        let name = t.get("const").unwrap_or(&t["enum"][0]).as_str().unwrap();
        let row = format!("`{name}` frame");
        assert!(subjects.contains(&row), "no Authorization row for {row}");
    }
    assert!(tests.len() > 40, "{tests:?}");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it");
    for test in &tests {
        let (module, name) = test.rsplit_once("::").expect("file::name");
        let path = module.replace("::", "/");
        // A module is `name.rs` or `name/mod.rs`.
        let file = [format!("{dir}/{path}.rs"), format!("{dir}/{path}/mod.rs")]
            .into_iter()
            .find(|f| std::path::Path::new(f).exists())
            .unwrap_or_else(|| panic!("{test}: no file for module {module}"));
        let source = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("{test}: cannot read {file}: {e}"));
        assert!(
            source.contains(&format!("async fn {name}()")),
            "{test}: no such test in {file}"
        );
    }
}
