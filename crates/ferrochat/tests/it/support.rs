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
