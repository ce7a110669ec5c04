//! One contract in every mode: the same requests, in the same order, to
//! `serve` on SQLite (the reference), `serve` on MariaDB and on
//! PostgreSQL, and a cluster gateway (logic, task and gateway roles over
//! gRPC, Kafka, Redis and etcd, on MariaDB) must get the same answers:
//! the HTTP status and the envelope's `code` equal, and `data` equal once
//! ids, tokens and times are normalised. Any difference fails the test
//! naming the request and every answer.
//!
//! The corpus is generated, not listed: every route of the table below
//! and every WebSocket frame type is sent valid, then with each field
//! missing, null, of each wrong JSON type, empty, oversize, and naming
//! unknown, malformed and other users' ids; each path id likewise; each
//! route without a token, with a bad, an overlong and a foreign one;
//! each body as bad JSON, bad UTF-8, an array and nothing. The apps build
//! the same state from the same requests, so a request that changes
//! something changes it alike everywhere.

use std::collections::HashMap;

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

use crate::support::{start, test_config, TestApp};
use crate::ws::WsClient;

/// An id nothing has: well-formed, unknown in every app.
const UNKNOWN: &str = "01000000-0000-7000-8000-000000000000";
const PASSWORD: &str = "correct horse battery";

/// One app under test, and the names its setup gave to its ids and
/// tokens (`$alice`, `$t_alice`, `$conv_ab`, ...).
struct Target {
    name: &'static str,
    app: TestApp,
    symbols: HashMap<&'static str, String>,
    ids: Normaliser,
}

async fn spawn(name: &'static str) -> Target {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path().to_path_buf());
    // Limits out of the way: a request refused by a bucket would be
    // refused by timing, not by the contract.
    for limit in [
        &mut config.gateway.send_rate_limit,
        &mut config.gateway.frame_rate_limit,
        &mut config.gateway.sync_rate_limit,
    ] {
        limit.per_second = 1_000_000;
        limit.burst = 1_000_000;
    }
    config.gateway.login_throttle.free_failures = 1_000_000;
    let roles = name == "cluster";
    let store = match name {
        "serve-mariadb" | "cluster" => "mysql",
        "serve-postgres" => "postgres",
        _ => "sqlite",
    };
    if let Some(url) = crate::store_env::fresh_database(store).await {
        config.store.url = Some(url);
        config.store.max_connections = 8;
    }
    if roles {
        let id = uuid::Uuid::new_v4().simple().to_string();
        crate::bus_env::use_kafka(&mut config, &format!("diff{id}"), 2);
        config.presence.redis_url = Some(crate::presence_env::redis_url());
        config.presence.redis_prefix = format!("diff{id}:");
    }
    let app = start(config, roles, dir).await;
    let mut target = Target {
        name,
        app,
        symbols: HashMap::new(),
        ids: Normaliser::default(),
    };
    setup(&mut target).await;
    target
}

/// The same state in every app: four users (dave with a second session to
/// log out), a single conversation of alice and bob with three messages,
/// alice's open group with bob, carol's invite-only group, spare groups
/// for the routes that end one, and friend requests to accept and reject.
async fn setup(t: &mut Target) {
    let app = &t.app;
    let mut sym: Vec<(&'static str, String)> = Vec::new();
    for name in ["alice", "bob", "carol", "dave"] {
        let r = app.register(name, PASSWORD).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.ok()["user_id"].as_str().unwrap().to_owned();
        let login = app.login(name, PASSWORD).await;
        let tokens = login.ok().clone();
        sym.push((name, id));
        sym.push((
            token_name(name),
            tokens["access_token"].as_str().unwrap().to_owned(),
        ));
        if name == "dave" {
            let second = app.login(name, PASSWORD).await;
            sym.push((
                "t_dave2",
                second.ok()["access_token"].as_str().unwrap().to_owned(),
            ));
            sym.push((
                "r_dave",
                tokens["refresh_token"].as_str().unwrap().to_owned(),
            ));
        }
    }
    let get = |sym: &[(&str, String)], k: &str| -> String {
        sym.iter().find(|(n, _)| *n == k).unwrap().1.clone()
    };
    let (ta, tc) = (get(&sym, "t_alice"), get(&sym, "t_carol"));
    let ab = app.open_single(&ta, &get(&sym, "bob")).await;
    for (i, text) in ["one", "two", "three"].iter().enumerate() {
        app.send_http_ok(
            &ta,
            json!({"conversation_id": ab, "client_msg_id": format!("s{i}"), "content": text}),
        )
        .await;
    }
    sym.push(("conv_ab", ab));
    let bob = get(&sym, "bob");
    for (key, owner, body) in [
        ("group", &ta, json!({"name": "g", "member_ids": [bob]})),
        (
            "group_left",
            &ta,
            json!({"name": "g2", "member_ids": [bob]}),
        ),
        (
            "group_moved",
            &ta,
            json!({"name": "g3", "member_ids": [bob]}),
        ),
        (
            "group_ended",
            &ta,
            json!({"name": "g4", "member_ids": [bob]}),
        ),
        ("cgroup", &tc, json!({"name": "c", "join_policy": "invite"})),
    ] {
        let r = app.create_group(owner, body).await;
        let g = r.ok();
        sym.push((key, g["group_id"].as_str().unwrap().to_owned()));
        if key == "group" {
            sym.push((
                "group_conv",
                g["conversation_id"].as_str().unwrap().to_owned(),
            ));
        }
    }
    for (key, from) in [("request", "t_carol"), ("request2", "t_dave")] {
        let r = app
            .friend_request(&get(&sym, from), &get(&sym, "alice"), Some("hi"))
            .await;
        sym.push((key, r.ok()["request_id"].as_str().unwrap().to_owned()));
    }
    // Ids get their placeholders in this order in every app.
    for (k, v) in &sym {
        if !k.starts_with("t_") && !k.starts_with("r_") {
            t.ids.id(v);
        }
    }
    t.symbols = sym.into_iter().collect();
}

fn token_name(user: &str) -> &'static str {
    match user {
        "alice" => "t_alice",
        "bob" => "t_bob",
        "carol" => "t_carol",
        _ => "t_dave",
    }
}

/// Replaces `$name` strings (whole, or `{name}` in a path) with the app's
/// own value.
fn resolve(v: &Value, symbols: &HashMap<&'static str, String>) -> Value {
    match v {
        Value::String(s) => match s.strip_prefix('$') {
            Some("unknown") => Value::String(UNKNOWN.to_owned()),
            Some(name) => Value::String(
                symbols
                    .get(name)
                    .unwrap_or_else(|| panic!("no symbol {name}"))
                    .clone(),
            ),
            None => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(|x| resolve(x, symbols)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), resolve(x, symbols)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn resolve_path(path: &str, symbols: &HashMap<&'static str, String>) -> String {
    let mut out = path.to_owned();
    for (k, v) in symbols {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out.replace("{unknown}", UNKNOWN)
}

/// What a request carries as its body.
#[derive(Clone, Debug)]
enum Body {
    None,
    Json(Value),
    Raw(Vec<u8>),
}

/// One request of the corpus.
#[derive(Clone, Debug)]
struct Case {
    method: Method,
    path: String,
    /// `$t_alice`-style symbol, a literal `Authorization` value, or none.
    auth: Option<String>,
    body: Body,
}

/// A route of the API, with a request that is valid for it.
struct Route {
    method: Method,
    path: &'static str,
    /// Who sends it (a token symbol); `None` for routes without a token.
    by: Option<&'static str>,
    body: Option<Value>,
}

fn route(
    method: Method,
    path: &'static str,
    by: Option<&'static str>,
    body: Option<Value>,
) -> Route {
    Route {
        method,
        path,
        by,
        body,
    }
}

/// Every HTTP route, each with a valid request. Destructive ones act on
/// spare state (a second session, spare groups), so later requests still
/// find what they name.
fn routes() -> Vec<Route> {
    use Method as M;
    let a = Some("t_alice");
    let msg = |extra: Value| {
        let mut b = json!({"conversation_id": "$conv_ab", "client_msg_id": "d1"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        Some(b)
    };
    vec![
        route(
            M::POST,
            "/api/v1/users/register",
            None,
            Some(json!({"username": "newbie", "password": PASSWORD, "nickname": "Newbie"})),
        ),
        route(
            M::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "alice", "password": PASSWORD, "device_id": "d-1"})),
        ),
        route(
            M::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": "$r_dave"})),
        ),
        route(M::GET, "/api/v1/users/profile", a, None),
        route(
            M::PUT,
            "/api/v1/users/profile",
            a,
            Some(
                json!({"nickname": "Alice A", "avatar": "https://example.com/a.png",
                "email": "alice@example.com", "status_text": "here"}),
            ),
        ),
        route(M::GET, "/api/v1/users/{bob}", a, None),
        route(M::GET, "/api/v1/users/search?q=b&limit=5", a, None),
        route(M::GET, "/api/v1/users/search?q=&limit=500", a, None),
        route(
            M::POST,
            "/api/v1/conversations/create",
            a,
            Some(json!({"peer_user_id": "$carol"})),
        ),
        route(M::GET, "/api/v1/conversations", a, None),
        route(
            M::PUT,
            "/api/v1/conversations/{conv_ab}",
            a,
            Some(json!({"read_seq": 2, "muted": true, "pinned": true})),
        ),
        route(M::GET, "/api/v1/conversations/{conv_ab}/pins", a, None),
        route(
            M::POST,
            "/api/v1/messages/send",
            a,
            msg(
                json!({"content": "hi", "message_type": "text", "reply_to": 1, "mentions": ["$bob"]}),
            ),
        ),
        route(
            M::POST,
            "/api/v1/messages/edit",
            a,
            msg(json!({"client_msg_id": "d2", "seq": 1, "content": "one!"})),
        ),
        route(
            M::POST,
            "/api/v1/messages/react",
            a,
            msg(json!({"client_msg_id": "d3", "seq": 1, "emoji": "👍"})),
        ),
        route(
            M::POST,
            "/api/v1/messages/unreact",
            a,
            msg(json!({"client_msg_id": "d4", "seq": 1, "emoji": "👍"})),
        ),
        route(
            M::POST,
            "/api/v1/messages/pin",
            a,
            msg(json!({"client_msg_id": "d5", "seq": 1})),
        ),
        route(
            M::POST,
            "/api/v1/messages/unpin",
            a,
            msg(json!({"client_msg_id": "d6", "seq": 1})),
        ),
        route(
            M::POST,
            "/api/v1/messages/forward",
            a,
            msg(json!({"client_msg_id": "d7", "seqs": [1], "to_group_id": "$group"})),
        ),
        route(
            M::POST,
            "/api/v1/messages/delete",
            a,
            Some(json!({"conversation_id": "$conv_ab", "seqs": [3]})),
        ),
        route(
            M::POST,
            "/api/v1/messages/recall",
            a,
            msg(json!({"client_msg_id": "d8", "seq": 2})),
        ),
        route(
            M::GET,
            "/api/v1/messages/history?conversation_id={conv_ab}&after_seq=0&limit=10",
            a,
            None,
        ),
        route(
            M::GET,
            "/api/v1/messages/history?conversation_id={group_conv}&before_seq=5&limit=2",
            a,
            None,
        ),
        route(M::GET, "/api/v1/messages/search?q=TWO", a, None),
        route(
            M::GET,
            "/api/v1/messages/search?q=three&conversation_id={conv_ab}&limit=50",
            a,
            None,
        ),
        route(M::GET, "/api/v1/messages/search?q=%3F%21", a, None),
        route(M::GET, "/api/v1/messages/search?q=x&before=abc", a, None),
        route(
            M::GET,
            "/api/v1/messages/search?q=x&conversation_id={group_conv}&from={bob}",
            Some("t_carol"),
            None,
        ),
        route(M::GET, "/api/v1/messages/unread", a, None),
        route(
            M::POST,
            "/api/v1/friends/requests",
            Some("t_bob"),
            Some(json!({"to_user_id": "$carol", "message": "hello"})),
        ),
        route(M::GET, "/api/v1/friends/requests", a, None),
        route(
            M::POST,
            "/api/v1/friends/requests/{request}/accept",
            a,
            None,
        ),
        route(
            M::POST,
            "/api/v1/friends/requests/{request2}/reject",
            a,
            None,
        ),
        route(M::GET, "/api/v1/friends", a, None),
        route(M::DELETE, "/api/v1/friends/{carol}", a, None),
        route(M::POST, "/api/v1/blocks/{dave}", a, None),
        route(M::DELETE, "/api/v1/blocks/{dave}", a, None),
        route(
            M::POST,
            "/api/v1/groups/create",
            a,
            Some(
                json!({"name": "new", "description": "d", "member_ids": ["$bob"], "join_policy": "open", "max_members": 10}),
            ),
        ),
        route(M::GET, "/api/v1/groups/{group}", a, None),
        route(
            M::PUT,
            "/api/v1/groups/{group}",
            a,
            Some(
                json!({"name": "renamed", "description": "dd", "join_policy": "open", "avatar": "https://example.com/g.png", "announcement": "news"}),
            ),
        ),
        route(M::POST, "/api/v1/groups/{cgroup}/join", a, None),
        route(
            M::POST,
            "/api/v1/groups/{group_left}/leave",
            Some("t_bob"),
            None,
        ),
        route(M::GET, "/api/v1/groups/{group}/members?limit=10", a, None),
        route(
            M::POST,
            "/api/v1/groups/{group}/members",
            a,
            Some(json!({"user_ids": ["$carol"]})),
        ),
        route(
            M::PUT,
            "/api/v1/groups/{group}/members/{bob}",
            a,
            Some(json!({"role": "admin", "muted_until": null})),
        ),
        route(M::DELETE, "/api/v1/groups/{group}/members/{carol}", a, None),
        route(
            M::POST,
            "/api/v1/groups/{group_moved}/transfer",
            a,
            Some(json!({"user_id": "$bob"})),
        ),
        route(M::DELETE, "/api/v1/groups/{group_ended}", a, None),
        route(M::GET, "/api/v1/auth/sessions", Some("t_dave"), None),
        route(
            M::POST,
            "/api/v1/devices",
            Some("t_dave"),
            Some(json!({"platform": "apns", "token": "00ff", "app_id": "com.example"})),
        ),
        route(M::GET, "/api/v1/devices", Some("t_dave"), None),
        route(
            M::DELETE,
            "/api/v1/devices/01000000-0000-7000-8000-000000000000",
            a,
            None,
        ),
        route(M::GET, "/api/v1/users/export", a, None),
        route(
            M::DELETE,
            "/api/v1/auth/sessions/01000000-0000-7000-8000-000000000000",
            a,
            None,
        ),
        // A wrong current password: refused alike, and nothing changes
        // for the requests after it.
        route(
            M::POST,
            "/api/v1/auth/password",
            Some("t_carol"),
            Some(
                json!({"current_password": "not the password", "new_password": "a new passphrase"}),
            ),
        ),
        route(M::POST, "/api/v1/auth/logout/others", Some("t_carol"), None),
        route(
            M::POST,
            "/api/v1/auth/password/reset",
            None,
            Some(json!({"token": "not-a-reset-token", "new_password": "a new passphrase"})),
        ),
        route(
            M::POST,
            "/api/v1/users/delete",
            Some("t_carol"),
            Some(json!({"password": "not the password"})),
        ),
        route(M::POST, "/api/v1/auth/logout", Some("t_dave2"), None),
    ]
}

/// What a field is set to, besides its valid value.
fn field_variants() -> Vec<Option<Value>> {
    vec![
        None,
        Some(Value::Null),
        Some(json!(true)),
        Some(json!(0)),
        Some(json!(-1)),
        Some(json!(1.5)),
        Some(json!(1e20)),
        Some(json!("")),
        Some(json!("x")),
        Some(json!("x".repeat(70))),
        Some(json!("x".repeat(20_000))),
        Some(json!([])),
        Some(json!({})),
        Some(json!("$unknown")),
        Some(json!("not-an-id")),
        Some(json!("$carol")),
        Some(json!(["$unknown"])),
        Some(json!(["not-an-id"])),
    ]
}

/// `fields` with each field in turn missing or set to each variant.
fn varied(fields: &Map<String, Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for key in fields.keys() {
        for v in field_variants() {
            let mut b = fields.clone();
            match v {
                None => b.remove(key),
                Some(v) => b.insert(key.clone(), v),
            };
            out.push(Value::Object(b));
        }
    }
    out
}

/// What a path id is set to, besides its valid value.
const PATH_VARIANTS: [&str; 4] = ["$unknown", "not-an-id", "$carol", "%FF"];

/// What the `Authorization` header is, besides the route's own token.
fn auth_variants() -> Vec<Option<String>> {
    vec![
        None,
        Some("Bearer garbage".to_owned()),
        Some(format!("Bearer {}", "a".repeat(1_500))),
        Some("Basic YWxpY2U6cHc=".to_owned()),
        Some("Bearer".to_owned()),
        Some("$t_carol".to_owned()),
    ]
}

fn raw_bodies() -> Vec<Body> {
    vec![
        Body::Raw(Vec::new()),
        Body::Raw(b"{".to_vec()),
        Body::Raw(b"[1]".to_vec()),
        Body::Raw(b"null".to_vec()),
        Body::Raw(b"{\"name\": \"\xff\xfe\"}".to_vec()),
    ]
}

/// The corpus: each route valid, then each of its variations.
fn corpus() -> Vec<Case> {
    let mut out = Vec::new();
    for r in routes() {
        let auth = r.by.map(|t| format!("${t}"));
        let base = Case {
            method: r.method.clone(),
            path: r.path.to_owned(),
            auth: auth.clone(),
            body: r.body.clone().map_or(Body::None, Body::Json),
        };
        out.push(base.clone());
        if let Some(Value::Object(fields)) = &r.body {
            for b in varied(fields) {
                out.push(Case {
                    body: Body::Json(b),
                    ..base.clone()
                });
            }
            let mut extra = fields.clone();
            extra.insert("unexpected".into(), json!(1));
            out.push(Case {
                body: Body::Json(Value::Object(extra)),
                ..base.clone()
            });
            for raw in raw_bodies() {
                out.push(Case {
                    body: raw,
                    ..base.clone()
                });
            }
        }
        // Each `{id}` of the path.
        let mut rest = r.path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let placeholder = &rest[open..open + close + 1];
            for v in PATH_VARIANTS {
                let replacement = match v.strip_prefix('$') {
                    Some(name) => format!("{{{name}}}"),
                    None => v.to_owned(),
                };
                out.push(Case {
                    path: base.path.replacen(placeholder, &replacement, 1),
                    ..base.clone()
                });
            }
            rest = &rest[open + close + 1..];
        }
        if r.by.is_some() {
            for a in auth_variants() {
                out.push(Case {
                    auth: a,
                    ..base.clone()
                });
            }
        }
    }
    out
}

/// Ids and times replaced by what every app can agree on: an id by the
/// order it was first seen in, a time by `<time>`, a token by `<token>`.
#[derive(Default)]
struct Normaliser {
    seen: HashMap<String, usize>,
}

impl Normaliser {
    fn id(&mut self, raw: &str) -> String {
        let n = self.seen.len();
        format!("<id {}>", self.seen.entry(raw.to_owned()).or_insert(n))
    }

    fn value(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) if is_time(s) => Value::String("<time>".into()),
            Value::String(s) => Value::String(self.ids_in(s)),
            Value::Array(a) => {
                let mut items: Vec<Value> = a.iter().map(|x| self.value(x)).collect();
                // Lists in user-id order (members, friends) follow ids that
                // differ by app: compare them as sets.
                if a.iter().all(|x| x.get("user_id").is_some()) && !a.is_empty() {
                    items.sort_by_key(ToString::to_string);
                }
                Value::Array(items)
            }
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| {
                        let x = match k.as_str() {
                            "access_token" | "refresh_token" => json!("<token>"),
                            "expires_in" | "refresh_expires_in" => json!("<seconds>"),
                            _ => self.value(x),
                        };
                        (k.clone(), x)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

impl Normaliser {
    /// `s` with every id in it replaced (a client's `client_msg_id` may
    /// hold one, a forward's copies add `/n` to it).
    fn ids_in(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            match s.get(i..i + 36).filter(|w| is_uuid(w)) {
                Some(w) => {
                    out.push_str(&self.id(w));
                    i += 36;
                }
                None => {
                    let c = s[i..].chars().next().unwrap_or(' ');
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
        out
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20 && b.get(4) == Some(&b'-') && b.get(10) == Some(&b'T') && s.ends_with('Z')
}

/// What is compared of an answer: status, code, normalised data.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    code: Option<i64>,
    data: Value,
}

async fn send(t: &mut Target, case: &Case) -> (Answer, Value) {
    let path = resolve_path(&case.path, &t.symbols);
    let url = format!("{}{path}", t.app.base);
    let mut req = t.app.client.request(case.method.clone(), &url);
    if let Some(a) = &case.auth {
        let header = match a.strip_prefix('$') {
            Some(name) => format!("Bearer {}", t.symbols[name]),
            None => a.clone(),
        };
        req = req.header("authorization", header);
    }
    req = match &case.body {
        Body::None => req,
        Body::Json(v) => req.json(&resolve(v, &t.symbols)),
        Body::Raw(bytes) => req
            .header("content-type", "application/json")
            .body(bytes.clone()),
    };
    let resp = req.send().await.expect("request sent");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    let raw: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    let answer = Answer {
        status,
        code: raw.get("code").and_then(Value::as_i64),
        data: t.ids.value(raw.get("data").unwrap_or(&Value::Null)),
    };
    (answer, raw)
}

/// Sends every case to every target in turn and collects the differences
/// from the first target's answer.
async fn differences(targets: &mut [Target], cases: &[Case]) -> Vec<String> {
    let mut found = Vec::new();
    for case in cases {
        let answers = join_all(targets.iter_mut().map(|t| async move {
            let (a, raw) = send(t, case).await;
            (t.name, a, raw)
        }))
        .await;
        let (_, reference, _) = &answers[0];
        if answers.iter().any(|(_, a, _)| a != reference) {
            let each: Vec<String> = answers
                .iter()
                .map(|(name, a, raw)| format!("  {name}: {a:?}\n    raw {raw}"))
                .collect();
            found.push(format!("{case:?}\n{}", each.join("\n")));
        }
    }
    found
}

/// The frames of the WebSocket API, each with valid data.
fn frames() -> Vec<(&'static str, Value)> {
    let c = |extra: Value| {
        let mut b = json!({"conversation_id": "$conv_ab", "client_msg_id": "w1"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    vec![
        ("send-message", c(json!({"content": "hi", "reply_to": 1}))),
        (
            "edit-message",
            c(json!({"client_msg_id": "w2", "seq": 1, "content": "one?"})),
        ),
        (
            "react-message",
            c(json!({"client_msg_id": "w3", "seq": 1, "emoji": "🎉"})),
        ),
        (
            "unreact-message",
            c(json!({"client_msg_id": "w4", "seq": 1, "emoji": "🎉"})),
        ),
        ("pin-message", c(json!({"client_msg_id": "w5", "seq": 1}))),
        ("unpin-message", c(json!({"client_msg_id": "w6", "seq": 1}))),
        (
            "forward-messages",
            c(json!({"client_msg_id": "w7", "seqs": [1], "to_conversation_id": "$group_conv"})),
        ),
        (
            "delete-messages",
            json!({"conversation_id": "$conv_ab", "seqs": [4]}),
        ),
        (
            "recall-message",
            c(json!({"client_msg_id": "w8", "seq": 5})),
        ),
        ("read", json!({"conversation_id": "$conv_ab", "seq": 3})),
        ("typing", json!({"conversation_id": "$conv_ab"})),
        ("sync", json!({"cursors": {"world": 0}, "limit": 5})),
        ("ping", json!({})),
        ("nonsense", json!({})),
    ]
}

/// Sends a frame and waits for its reply. `read` and `typing` answer
/// only when refused: a ping after them says when nothing came (the
/// gateway handles a connection's frames in order). Other frames
/// (deliveries, receipts) are dropped.
async fn exchange(ws: &mut WsClient, ty: &str, data: Value) -> Value {
    let id = ws.fresh_id();
    ws.send_json(ty, &id, data).await;
    let reply = if matches!(ty, "read" | "typing") {
        let ping = ws.fresh_id();
        ws.send_json("ping", &ping, json!({})).await;
        let first = ws
            .recv_until(|f| f["id"] == id.as_str() || f["id"] == ping.as_str())
            .await;
        if first["id"] == ping.as_str() {
            json!({"type": "none"})
        } else {
            ws.recv_until(|f| f["id"] == ping.as_str()).await;
            first
        }
    } else {
        ws.recv_until(|f| f["id"] == id.as_str()).await
    };
    ws.take_pending();
    reply
}

/// What a frame's reply is, normalised: its type, its error code, its data.
fn frame_answer(ids: &mut Normaliser, f: &Value) -> Answer {
    // An error's message is not compared (as over HTTP): only its code.
    let error = f["type"] == "error";
    Answer {
        status: 0,
        code: f["data"].get("code").and_then(Value::as_i64),
        data: json!({
            "type": f["type"],
            "data": if error { Value::Null } else { ids.value(&f["data"]) },
        }),
    }
}

/// Every frame, valid then with each field varied, over one socket per
/// target; replies are matched by their id.
async fn frame_differences(targets: &mut [Target]) -> (usize, Vec<String>) {
    let mut sockets: Vec<WsClient> = Vec::new();
    for t in targets.iter() {
        sockets.push(t.app.ws_connect(&t.symbols["t_alice"]).await);
    }
    let mut cases: Vec<(&'static str, Value)> = Vec::new();
    for (ty, data) in frames() {
        cases.push((ty, data.clone()));
        if let Value::Object(fields) = &data {
            cases.extend(varied(fields).into_iter().map(|b| (ty, b)));
        }
    }
    let mut found = Vec::new();
    for (ty, data) in &cases {
        let mut answers = Vec::new();
        for (t, ws) in targets.iter_mut().zip(sockets.iter_mut()) {
            let reply = exchange(ws, ty, resolve(data, &t.symbols)).await;
            answers.push((t.name, frame_answer(&mut t.ids, &reply), reply));
        }
        let (_, reference, _) = &answers[0];
        if answers.iter().any(|(_, a, _)| a != reference) {
            let each: Vec<String> = answers
                .iter()
                .map(|(name, a, raw)| format!("  {name}: {a:?}\n    raw {raw}"))
                .collect();
            found.push(format!("frame {ty} {data}\n{}", each.join("\n")));
        }
    }
    (cases.len(), found)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn serve_on_every_store_and_a_cluster_gateway_answer_alike() {
    let names = ["serve-sqlite", "serve-mariadb", "serve-postgres", "cluster"];
    let mut targets = Vec::new();
    for name in names {
        targets.push(spawn(name).await);
    }
    let cases = corpus();
    let mut found = differences(&mut targets, &cases).await;
    let (frames, frame_found) = frame_differences(&mut targets).await;
    found.extend(frame_found);
    let total = cases.len() + frames;
    assert!(total >= 2_000, "only {total} requests generated");
    assert!(
        found.is_empty(),
        "{} of {total} requests answered differently:\n{}",
        found.len(),
        found.join("\n\n")
    );
    for t in targets {
        t.app.shutdown().await.unwrap();
    }
}
