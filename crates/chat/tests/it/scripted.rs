//! Against a scripted server: each path answers from a queue of replies,
//! and every request is recorded. For what a real server does not do on
//! cue: refuse a send with 1009 or 1007, refuse an access token.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::Json;
use ferrochat_chat::{ChatError, Profile, Session, Target};
use serde_json::{json, Value};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    bearer: Option<String>,
    body: Value,
}

#[derive(Default)]
struct Script {
    replies: HashMap<String, VecDeque<(u16, Value)>>,
    seen: Vec<Seen>,
}

type Shared = Arc<Mutex<Script>>;

/// Serves `replies` (path, status, envelope) on 127.0.0.1:0; returns its
/// URL and the record of requests. A reply for `"<path> <token>"` answers
/// only requests bearing that access token, before those for the path.
async fn scripted(replies: &[(&str, u16, Value)]) -> (String, Shared) {
    let mut script = Script::default();
    for (path, status, body) in replies {
        script
            .replies
            .entry((*path).to_owned())
            .or_default()
            .push_back((*status, body.clone()));
    }
    let shared: Shared = Arc::new(Mutex::new(script));
    let state = shared.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let state = state.clone();
        async move {
            let mut s = state.lock().unwrap();
            let bearer = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim_start_matches("Bearer ").to_owned());
            let by_token = format!("{} {}", uri.path(), bearer.as_deref().unwrap_or(""));
            s.seen.push(Seen {
                path: uri.path().to_owned(),
                bearer,
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            });
            let (status, reply) = s
                .replies
                .get_mut(&by_token)
                .and_then(VecDeque::pop_front)
                .or_else(|| s.replies.get_mut(uri.path()).and_then(VecDeque::pop_front))
                .unwrap_or((404, json!({"code": 1003, "message": "not scripted"})));
            (StatusCode::from_u16(status).unwrap(), Json(reply))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), shared)
}

fn seen(s: &Shared, path: &str) -> Vec<Seen> {
    let s = s.lock().unwrap();
    s.seen.iter().filter(|r| r.path == path).cloned().collect()
}

fn profile(url: &str) -> Profile {
    Profile {
        url: url.to_owned(),
        user_id: "01a2".into(),
        username: "alice".into(),
        access_token: "old-access".into(),
        refresh_token: "old-refresh".into(),
        access_expires_at: None,
    }
}

/// A session saved at a temp path, as `ferrochat chat login` leaves it.
fn session(url: &str, dir: &tempfile::TempDir) -> (Session, std::path::PathBuf) {
    let path = dir.path().join("chat.json");
    profile(url).save(&path).unwrap();
    (Session::open(&path).unwrap(), path)
}

const SEND: &str = "/api/v1/messages/send";

fn ok(data: Value) -> Value {
    json!({"code": 0, "message": "ok", "data": data})
}

#[tokio::test]
async fn a_refused_send_is_retried_with_the_same_client_msg_id() {
    let ack = json!({"message_id": "m", "conversation_id": "c", "seq": 7,
                     "client_msg_id": "whatever", "created_at": "t"});
    let (url, record) = scripted(&[
        (
            SEND,
            503,
            json!({"code": 1009, "message": "server busy", "retry_after_ms": 1}),
        ),
        (
            SEND,
            429,
            json!({"code": 1007, "message": "slow down", "retry_after_ms": 1}),
        ),
        (SEND, 200, ok(ack)),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = session(&url, &dir);
    let got = s.send(&Target::User("bob".into()), "hi").await.unwrap();
    assert_eq!(got.seq, 7);
    let sends = seen(&record, SEND);
    assert_eq!(sends.len(), 3);
    let first = &sends[0].body;
    assert_eq!(first["to_user_id"], "bob");
    assert_eq!(first["content"], "hi");
    assert!(first["client_msg_id"]
        .as_str()
        .is_some_and(|c| !c.is_empty()));
    for again in &sends[1..] {
        assert_eq!(again.body, *first, "a retry is the same send");
    }
}

#[tokio::test]
async fn a_send_refused_for_good_is_not_retried() {
    let (url, record) = scripted(&[(
        SEND,
        403,
        json!({"code": 1005, "message": "you can only message your friends"}),
    )])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = session(&url, &dir);
    let err = s.send(&Target::User("bob".into()), "hi").await.unwrap_err();
    assert_eq!(err.code(), Some(1005));
    assert_eq!(
        err.to_string(),
        "error 1005: you can only message your friends"
    );
    assert_eq!(seen(&record, SEND).len(), 1);
}

const LIST: &str = "/api/v1/conversations";
const REFRESH: &str = "/api/v1/auth/refresh";

fn refused() -> Value {
    json!({"code": 1002, "message": "invalid or expired token"})
}

#[tokio::test]
async fn a_refused_access_token_is_refreshed_once_and_saved() {
    let (url, record) = scripted(&[
        (LIST, 401, refused()),
        (LIST, 200, ok(json!({"conversations": []}))),
        (
            REFRESH,
            200,
            ok(
                json!({"access_token": "new-access", "refresh_token": "new-refresh",
                      "token_type": "Bearer", "expires_in": 900}),
            ),
        ),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (s, path) = session(&url, &dir);
    assert!(s.conversations().await.unwrap().is_empty());
    let refreshes = seen(&record, REFRESH);
    assert_eq!(refreshes.len(), 1);
    assert_eq!(refreshes[0].body["refresh_token"], "old-refresh");
    let lists = seen(&record, LIST);
    assert_eq!(lists[0].bearer.as_deref(), Some("old-access"));
    assert_eq!(lists[1].bearer.as_deref(), Some("new-access"));
    let saved = Profile::load(&path).unwrap();
    assert_eq!(
        (saved.access_token.as_str(), saved.refresh_token.as_str()),
        ("new-access", "new-refresh")
    );
}

#[tokio::test]
async fn calls_refused_at_once_refresh_once() {
    let old = "/api/v1/conversations old-access";
    let new = "/api/v1/conversations new-access";
    let list = ok(json!({"conversations": []}));
    let (url, record) = scripted(&[
        (old, 401, refused()),
        (old, 401, refused()),
        (new, 200, list.clone()),
        (new, 200, list),
        (
            REFRESH,
            200,
            ok(json!({"access_token": "new-access", "refresh_token": "new-refresh"})),
        ),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = session(&url, &dir);
    let (a, b) = tokio::join!(s.conversations(), s.conversations());
    a.unwrap();
    b.unwrap();
    assert_eq!(
        seen(&record, REFRESH).len(),
        1,
        "the second waits for the first"
    );
}

#[tokio::test]
async fn tokens_another_process_refreshed_are_used_not_refreshed_again() {
    // Presenting a rotated refresh token would revoke the whole session.
    let (url, record) = scripted(&[
        (LIST, 401, refused()),
        (LIST, 200, ok(json!({"conversations": []}))),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (s, path) = session(&url, &dir);
    let mut theirs = profile(&url);
    theirs.access_token = "their-access".into();
    theirs.refresh_token = "their-refresh".into();
    theirs.save(&path).unwrap();
    assert!(s.conversations().await.unwrap().is_empty());
    assert!(seen(&record, REFRESH).is_empty(), "no refresh");
    assert_eq!(
        seen(&record, LIST)[1].bearer.as_deref(),
        Some("their-access")
    );
}

#[tokio::test]
async fn a_session_the_server_ended_is_an_error_not_a_retry_loop() {
    let (url, record) = scripted(&[(LIST, 401, refused()), (REFRESH, 401, refused())]).await;
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = session(&url, &dir);
    let err = s.conversations().await.unwrap_err();
    assert!(matches!(err, ChatError::Api { code: 1002, .. }), "{err}");
    assert_eq!(seen(&record, LIST).len(), 1);
    assert_eq!(seen(&record, REFRESH).len(), 1);
}
