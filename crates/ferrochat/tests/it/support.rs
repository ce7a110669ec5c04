//! `spawn_app`: the real `App` on 127.0.0.1:0 with SQLite in a temp dir
//! (or a fresh MySQL/PostgreSQL database, see `store_env`; the Kafka bus,
//! `bus_env`; logic over gRPC, `logic_env`), and helpers
//! named after what a client does.

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
    /// What it was started with (`None`: a server this test did not start),
    /// for the operator's tools (`ferrochat admin`) on the same store.
    pub config: Option<Config>,
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
    c.gateway.http_rate_limit.per_second = 10_000;
    c.gateway.http_rate_limit.burst = 10_000;
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
    crate::store_env::apply(&mut config).await;
    crate::bus_env::apply(&mut config);
    crate::presence_env::apply(&mut config);
    crate::logic_env::apply(&mut config);
    crate::storage_env::apply(&mut config).await;
    tweak(&mut config);
    start(config, crate::logic_env::roles_wanted(), dir).await
}

/// Starts `config` as one `serve` app, or as cluster roles (`roles`);
/// `dir` is its data dir, kept as long as the app.
pub async fn start(config: Config, roles: bool, dir: tempfile::TempDir) -> TestApp {
    let cancel = CancellationToken::new();
    let kept = config.clone();
    let (addr, handle) = if roles {
        crate::logic_env::spawn_roles(config, cancel.clone()).await
    } else {
        let app = App::build(config).await.expect("app builds");
        let addr = app.local_addr();
        (addr, tokio::spawn(app.run(cancel.clone())))
    };
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        cancel,
        handle: Some(handle),
        config: Some(kept),
        _dir: dir,
    }
}

impl TestApp {
    /// The app's data dir (where `serve` keeps attachments by default).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// A server this test did not start (a cluster gateway in a child
    /// process), driven through the same helpers.
    pub fn at(base: String) -> TestApp {
        TestApp {
            base,
            client: reqwest::Client::new(),
            cancel: CancellationToken::new(),
            handle: None,
            config: None,
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Gives (or takes back) the admin role as the operator does, with
    /// `ferrochat admin grant` (the same code, on the app's store).
    pub async fn set_admin(&self, username: &str, admin: bool) {
        let config = self.config.as_ref().expect("an app this test started");
        ferrochat::admin::set_admin(config, username, admin)
            .await
            .expect("role set");
    }

    /// Stops the app and starts it again on the same data dir, store and
    /// config (another port): a restart of the server. Tokens stay valid
    /// where the signing secret does (the data dir's, or a configured one).
    pub async fn restart(mut self) -> TestApp {
        let config = self.config.clone().expect("an app this test started");
        let dir = std::mem::replace(&mut self._dir, tempfile::tempdir().unwrap());
        self.cancel.cancel();
        let handle = self.handle.take().expect("not yet shut down");
        handle
            .await
            .expect("run did not panic")
            .expect("run returns Ok after cancel");
        start(config, crate::logic_env::roles_wanted(), dir).await
    }

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
            1009 => 503,
            _ => panic!("not a contract code: {code}"),
        };
        assert_eq!(self.status.as_u16(), status, "status for {code}");
        assert!(self.body.get("data").is_none(), "errors carry no data");
        self.body["message"].as_str().expect("message is a string")
    }
}

#[derive(Clone)]
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

    /// GET /metrics, as text. The recorder is the process's: every app of
    /// the test binary adds to it.
    pub async fn metrics_text(&self) -> String {
        let res = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "GET /metrics");
        res.text().await.unwrap()
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

    /// GET /api/v1/messages/unread; returns the data, keeping only the
    /// contract's fields (`total`, `conversations: [{conversation_id,
    /// unread}]`) so it compares whole.
    pub async fn unread(&self, token: &str) -> Value {
        let r = self
            .request(Method::GET, "/api/v1/messages/unread", Some(token), None)
            .await;
        let d = r.ok();
        let convs: Vec<Value> = d["conversations"]
            .as_array()
            .expect("conversations is a list")
            .iter()
            .map(|c| json!({"conversation_id": c["conversation_id"], "unread": c["unread"]}))
            .collect();
        json!({"total": d["total"], "conversations": convs})
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

/// Friends, blocks and group management (issue 5).
impl TestApp {
    /// POST /api/v1/friends/requests.
    pub async fn friend_request(
        &self,
        token: &str,
        to_user_id: &str,
        message: Option<&str>,
    ) -> Reply {
        let mut body = json!({"to_user_id": to_user_id});
        if let Some(m) = message {
            body["message"] = json!(m);
        }
        self.request(
            Method::POST,
            "/api/v1/friends/requests",
            Some(token),
            Some(body),
        )
        .await
    }

    /// GET /api/v1/friends/requests; returns the data.
    pub async fn friend_requests(&self, token: &str) -> Value {
        let r = self
            .request(Method::GET, "/api/v1/friends/requests", Some(token), None)
            .await;
        r.ok().clone()
    }

    /// POST /api/v1/friends/requests/{id}/{action} (accept, reject).
    pub async fn answer_request(&self, token: &str, request_id: &str, action: &str) -> Reply {
        self.request(
            Method::POST,
            &format!("/api/v1/friends/requests/{request_id}/{action}"),
            Some(token),
            None,
        )
        .await
    }

    /// GET /api/v1/friends; returns the list.
    pub async fn friends(&self, token: &str) -> Vec<Value> {
        let r = self
            .request(Method::GET, "/api/v1/friends", Some(token), None)
            .await;
        r.ok()["friends"].as_array().unwrap().clone()
    }

    /// The user ids in GET /api/v1/friends, sorted.
    pub async fn friend_ids(&self, token: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .friends(token)
            .await
            .iter()
            .map(|f| f["user_id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    }

    /// DELETE /api/v1/friends/{user_id}.
    pub async fn unfriend(&self, token: &str, user_id: &str) -> Reply {
        self.request(
            Method::DELETE,
            &format!("/api/v1/friends/{user_id}"),
            Some(token),
            None,
        )
        .await
    }

    /// `a` asks, `b` accepts: they are friends.
    pub async fn make_friends(&self, a: &Session, b: &Session) {
        let r = self.friend_request(&a.access, &b.user_id, None).await;
        let id = r.ok()["request_id"].as_str().unwrap().to_owned();
        let acc = self.answer_request(&b.access, &id, "accept").await;
        assert_eq!(acc.ok()["status"], "accepted");
    }

    /// POST /api/v1/blocks/{user_id}.
    pub async fn block(&self, token: &str, user_id: &str) -> Reply {
        self.request(
            Method::POST,
            &format!("/api/v1/blocks/{user_id}"),
            Some(token),
            None,
        )
        .await
    }

    /// DELETE /api/v1/blocks/{user_id}.
    pub async fn unblock(&self, token: &str, user_id: &str) -> Reply {
        self.request(
            Method::DELETE,
            &format!("/api/v1/blocks/{user_id}"),
            Some(token),
            None,
        )
        .await
    }

    /// GET /api/v1/groups/{id}/members.
    pub async fn members(&self, token: &str, group_id: &str) -> Reply {
        self.request(
            Method::GET,
            &format!("/api/v1/groups/{group_id}/members"),
            Some(token),
            None,
        )
        .await
    }

    /// One member object out of GET /api/v1/groups/{id}/members (`None` if
    /// not listed).
    pub async fn member(&self, token: &str, group_id: &str, user_id: &str) -> Option<Value> {
        let r = self.members(token, group_id).await;
        r.ok()["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["user_id"] == user_id)
            .cloned()
    }

    /// POST /api/v1/groups/{id}/members.
    pub async fn add_members(&self, token: &str, group_id: &str, user_ids: &[&str]) -> Reply {
        self.request(
            Method::POST,
            &format!("/api/v1/groups/{group_id}/members"),
            Some(token),
            Some(json!({"user_ids": user_ids})),
        )
        .await
    }

    /// DELETE /api/v1/groups/{id}/members/{user_id}.
    pub async fn kick(&self, token: &str, group_id: &str, user_id: &str) -> Reply {
        self.request(
            Method::DELETE,
            &format!("/api/v1/groups/{group_id}/members/{user_id}"),
            Some(token),
            None,
        )
        .await
    }

    /// PUT /api/v1/groups/{id}/members/{user_id}.
    pub async fn update_member(
        &self,
        token: &str,
        group_id: &str,
        user_id: &str,
        body: Value,
    ) -> Reply {
        self.request(
            Method::PUT,
            &format!("/api/v1/groups/{group_id}/members/{user_id}"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// POST /api/v1/groups/{id}/transfer.
    pub async fn transfer(&self, token: &str, group_id: &str, user_id: &str) -> Reply {
        self.request(
            Method::POST,
            &format!("/api/v1/groups/{group_id}/transfer"),
            Some(token),
            Some(json!({"user_id": user_id})),
        )
        .await
    }

    /// DELETE /api/v1/groups/{id}.
    pub async fn update_group(&self, token: &str, group_id: &str, body: Value) -> Reply {
        self.request(
            Method::PUT,
            &format!("/api/v1/groups/{group_id}"),
            Some(token),
            Some(body),
        )
        .await
    }

    pub async fn dissolve(&self, token: &str, group_id: &str) -> Reply {
        self.request(
            Method::DELETE,
            &format!("/api/v1/groups/{group_id}"),
            Some(token),
            None,
        )
        .await
    }

    /// Creates a group (201) and returns (group_id, conversation_id).
    pub async fn new_group(&self, owner: &Session, body: Value) -> (String, String) {
        let r = self.create_group(&owner.access, body).await;
        assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
        let g = r.ok();
        (
            g["group_id"].as_str().unwrap().to_owned(),
            g["conversation_id"].as_str().unwrap().to_owned(),
        )
    }
}

/// An RFC 3339 UTC time (whole seconds, `Z`) `secs` from now; negative is
/// the past.
pub fn rfc3339_from_now(secs: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    rfc3339_at(now + secs)
}

/// Unix seconds as RFC 3339 UTC (whole seconds, `Z`).
pub fn rfc3339_at(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let rem = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The value of `series` (a name with its labels, as printed) in a
/// `/metrics` text; 0 if absent.
pub fn sample(metrics_text: &str, series: &str) -> f64 {
    metrics_text
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}
