//! `spawn_app`: the real `App` on 127.0.0.1:0 with SQLite in a temp dir,
//! and helpers named after what a client does.

use std::path::PathBuf;

use ferrochat::config::Config;
use ferrochat::App;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub cancel: CancellationToken,
    pub handle: Option<JoinHandle<anyhow::Result<()>>>,
    /// Kept so the data dir lives as long as the app.
    _dir: tempfile::TempDir,
}

/// A config for tests: port 0, a fresh data dir, cheap password hashing
/// (the real cost is a deployment choice, not a behaviour), and auth rate
/// limits high enough for suites that register many users.
pub fn test_config(data_dir: PathBuf) -> Config {
    let mut c = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir,
        ..Config::default()
    };
    c.auth.password_hash.memory_kib = 64;
    c.auth.password_hash.iterations = 1;
    c.gateway.auth_rate_limit.per_second = 10_000;
    c.gateway.auth_rate_limit.burst = 10_000;
    c
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        ferrochat::telemetry::init_logs(&ferrochat::config::LogConfig::default());
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path().to_path_buf());
    tweak(&mut config);
    let app = App::build(config).await.expect("app builds");
    let addr = app.local_addr();
    let cancel = CancellationToken::new();
    let handle = tokio::spawn(app.run(cancel.clone()));
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        cancel,
        handle: Some(handle),
        _dir: dir,
    }
}

impl TestApp {
    /// Cancels the app and waits for `run` to return its result.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.cancel.cancel();
        self.handle
            .take()
            .expect("not yet shut down")
            .await
            .expect("run did not panic")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A decoded reply: HTTP status plus the envelope.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> i64 {
        self.body["code"]
            .as_i64()
            .expect("every reply has a numeric code")
    }

    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// Asserts success and returns `data`.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.code(), 0, "expected success, got {:?}", self.body);
        assert!(self.status.is_success());
        self.data()
    }

    /// Asserts the contract's error shape: code, matching status, message.
    #[track_caller]
    pub fn err(&self, code: i64) -> &str {
        assert_eq!(self.code(), code, "unexpected reply {:?}", self.body);
        let status = match code {
            1001 => 400,
            1002 => 401,
            1003 => 404,
            1004 => 500,
            1005 => 403,
            1006 => 409,
            1007 => 429,
            1008 => 413,
            _ => panic!("not a contract code: {code}"),
        };
        assert_eq!(self.status.as_u16(), status, "status for {code}");
        assert!(self.body.get("data").is_none(), "errors carry no data");
        self.body["message"].as_str().expect("message is a string")
    }
}

pub struct Session {
    pub user_id: String,
    pub username: String,
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request sent");
        decode(res).await
    }

    /// POSTs raw bytes, for malformed-input tests.
    pub async fn post_raw(&self, path: &str, body: impl Into<reqwest::Body>) -> Reply {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request sent");
        decode(res).await
    }

    pub async fn register(&self, username: &str, password: &str) -> Reply {
        self.request(
            Method::POST,
            "/api/v1/users/register",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    /// Registers and logs in a new user with a unique name.
    pub async fn new_user(&self, prefix: &str) -> Session {
        let username = format!("{prefix}_{}", &uuid_suffix());
        let password = "correct horse battery";
        self.register(&username, password).await.ok();
        let login = self.login(&username, password).await;
        let d = login.ok();
        Session {
            user_id: d["user"]["user_id"].as_str().unwrap().to_owned(),
            username,
            access: d["access_token"].as_str().unwrap().to_owned(),
            refresh: d["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn profile(&self, token: &str) -> Reply {
        self.request(Method::GET, "/api/v1/users/profile", Some(token), None)
            .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.request(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh_token})),
        )
        .await
    }

    pub async fn logout(&self, token: &str) -> Reply {
        self.request(Method::POST, "/api/v1/auth/logout", Some(token), None)
            .await
    }
}

pub async fn decode(res: reqwest::Response) -> Reply {
    let status = res.status();
    let text = res.text().await.expect("body read");
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("status {status}: body is not JSON: {text:?}"));
    Reply { status, body }
}

fn uuid_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The password `new_user` registers with.
pub const PASSWORD: &str = "correct horse battery";

/// A well-formed id no row has.
pub const UNKNOWN_ID: &str = "00000000-0000-7000-8000-000000000000";

impl TestApp {
    /// Logs the same user in again: a second device, a second session.
    pub async fn second_session(&self, s: &Session) -> String {
        let login = self.login(&s.username, PASSWORD).await;
        login.ok()["access_token"].as_str().unwrap().to_owned()
    }

    /// POST /api/v1/messages/send.
    pub async fn send_http(&self, token: &str, body: Value) -> Reply {
        self.request(
            Method::POST,
            "/api/v1/messages/send",
            Some(token),
            Some(body),
        )
        .await
    }

    /// POST /api/v1/messages/send that must succeed; returns the ack.
    pub async fn send_http_ok(&self, token: &str, body: Value) -> Value {
        let r = self.send_http(token, body).await;
        r.ok().clone()
    }

    /// POST /api/v1/conversations/create; returns the conversation id.
    pub async fn open_single(&self, token: &str, peer_user_id: &str) -> String {
        let r = self
            .request(
                Method::POST,
                "/api/v1/conversations/create",
                Some(token),
                Some(json!({"peer_user_id": peer_user_id})),
            )
            .await;
        r.ok()["conversation_id"].as_str().unwrap().to_owned()
    }

    /// GET /api/v1/conversations; returns the list.
    pub async fn conversations(&self, token: &str) -> Vec<Value> {
        let r = self
            .request(Method::GET, "/api/v1/conversations", Some(token), None)
            .await;
        r.ok()["conversations"].as_array().unwrap().clone()
    }

    /// One conversation out of GET /api/v1/conversations.
    pub async fn conversation(&self, token: &str, id: &str) -> Value {
        self.conversations(token)
            .await
            .into_iter()
            .find(|c| c["conversation_id"] == id)
            .unwrap_or_else(|| panic!("conversation {id} not listed"))
    }

    /// PUT /api/v1/conversations/{id}.
    pub async fn update_conversation(&self, token: &str, id: &str, body: Value) -> Reply {
        self.request(
            Method::PUT,
            &format!("/api/v1/conversations/{id}"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// GET /api/v1/messages/history?{query}.
    pub async fn history(&self, token: &str, query: &str) -> Reply {
        self.request(
            Method::GET,
            &format!("/api/v1/messages/history?{query}"),
            Some(token),
            None,
        )
        .await
    }

    /// Every message of a conversation, paging with after_seq.
    pub async fn history_all(&self, token: &str, conversation_id: &str) -> Vec<Value> {
        let mut all: Vec<Value> = Vec::new();
        let mut after = 0;
        loop {
            let q = format!("conversation_id={conversation_id}&after_seq={after}&limit=200");
            let r = self.history(token, &q).await;
            let d = r.ok();
            let page = d["messages"].as_array().unwrap();
            all.extend(page.iter().cloned());
            if !d["has_more"].as_bool().unwrap() {
                return all;
            }
            assert!(!page.is_empty(), "has_more with an empty page: {d}");
            after = page.last().unwrap()["seq"].as_u64().unwrap();
        }
    }

    /// GET /api/v1/messages/unread; returns the data.
    pub async fn unread(&self, token: &str) -> Value {
        let r = self
            .request(Method::GET, "/api/v1/messages/unread", Some(token), None)
            .await;
        r.ok().clone()
    }

    /// POST /api/v1/groups/create.
    pub async fn create_group(&self, token: &str, body: Value) -> Reply {
        self.request(
            Method::POST,
            "/api/v1/groups/create",
            Some(token),
            Some(body),
        )
        .await
    }

    /// GET /api/v1/groups/{id}.
    pub async fn group(&self, token: &str, id: &str) -> Reply {
        self.request(
            Method::GET,
            &format!("/api/v1/groups/{id}"),
            Some(token),
            None,
        )
        .await
    }

    /// POST /api/v1/groups/{id}/{action} (join, leave).
    pub async fn group_action(&self, token: &str, id: &str, action: &str) -> Reply {
        self.request(
            Method::POST,
            &format!("/api/v1/groups/{id}/{action}"),
            Some(token),
            None,
        )
        .await
    }
}
