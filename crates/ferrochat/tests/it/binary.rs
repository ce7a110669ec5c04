//! The built `ferrochat` binary as a child process: startup on port 0,
//! restart on the same data dir, SIGTERM, CLI basics and bad config.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_ferrochat");

/// One HTTP call to a served binary (`base` is `http://127.0.0.1:PORT`):
/// the envelope it answered.
pub(crate) async fn call(
    http: &reqwest::Client,
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Value {
    let mut req = http.request(method, format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap().json().await.unwrap()
}

/// The built binary serving on 127.0.0.1:0, killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    /// `127.0.0.1:PORT`, as the server logged it.
    pub(crate) addr: String,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
}

impl Server {
    /// Starts `ferrochat serve` on port 0 and reads the bound address from
    /// its JSON log.
    pub(crate) fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[])
    }

    /// As `start`, with extra `FERROCHAT_*` settings.
    pub(crate) fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        Self::start_command(Command::new(BIN), data_dir, env)
    }

    /// As `start_with`, under a file limit of `nofile` descriptors (the
    /// shell's `ulimit`, then `exec`: the child is the server itself).
    pub(crate) fn start_with_nofile(data_dir: &Path, env: &[(&str, &str)], nofile: u32) -> Self {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {nofile} && exec \"$0\" \"$@\""))
            .arg(BIN);
        Self::start_command(command, data_dir, env)
    }

    fn start_command(mut command: Command, data_dir: &Path, env: &[(&str, &str)]) -> Self {
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env("FERROCHAT_LOG__FORMAT", "json")
            .env("FERROCHAT_AUTH__PASSWORD_HASH__MEMORY_KIB", "64")
            .env("FERROCHAT_AUTH__PASSWORD_HASH__ITERATIONS", "1")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in crate::bus_env::child_env(data_dir) {
            command.env(k, v);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("server logged before exiting").unwrap();
            let v: Value = serde_json::from_str(&line).expect("log lines are JSON");
            if v["message"] == "listening" {
                break v["addr"].as_str().unwrap().to_owned();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Self {
            child,
            base: format!("http://{addr}"),
            addr,
        }
    }

    pub(crate) fn sigterm(&mut self) -> std::process::ExitStatus {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server did not exit after SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().json().await.unwrap()
}

async fn get(base: &str, path: &str, token: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn restart_keeps_users_and_sessions_and_sigterm_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let reg = post(
        &server.base,
        "/api/v1/users/register",
        None,
        json!({"username": "persist", "password": "persist-pw"}),
    )
    .await;
    assert_eq!(reg["code"], 0);
    let login = post(
        &server.base,
        "/api/v1/auth/login",
        None,
        json!({"username": "persist", "password": "persist-pw"}),
    )
    .await;
    let access = login["data"]["access_token"].as_str().unwrap().to_owned();
    let refresh = login["data"]["refresh_token"].as_str().unwrap().to_owned();
    let status = server.sigterm();
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean exit");

    let server = Server::start(dir.path());
    // The access token issued before the restart still works (same
    // signing secret, same session)...
    let me = get(&server.base, "/api/v1/users/profile", &access).await;
    assert_eq!(me["code"], 0, "{me}");
    assert_eq!(me["data"]["username"], "persist");
    // ...so does the refresh token, and the password.
    let r = post(
        &server.base,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh}),
    )
    .await;
    assert_eq!(r["code"], 0, "{r}");
    let again = post(
        &server.base,
        "/api/v1/auth/login",
        None,
        json!({"username": "persist", "password": "persist-pw"}),
    )
    .await;
    assert_eq!(again["code"], 0);
}

#[test]
fn version_and_help() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ferrochat "));
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("serve"));
}

#[test]
fn config_layers_file_then_env_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ferrochat.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:7001\"\ndata_dir = \"/from/file\"\n[gateway]\nmax_body_bytes = 4096\n").unwrap();
    let out = Command::new(BIN)
        .args(["config", "--config"])
        .arg(&file)
        .env("FERROCHAT_DATA_DIR", "/from/env")
        .env("FERROCHAT_GATEWAY__MAX_BODY_BYTES", "8192")
        .env(
            "FERROCHAT_AUTH__JWT_SECRET",
            "a-secret-that-is-long-enough-0123456789",
        )
        .env(
            "FERROCHAT_PUSH__WEBHOOK_URL",
            "https://user:hook-password@push.example/hook",
        )
        .args(["--listen", "127.0.0.1:7002"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let cfg: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(
        cfg["listen"].as_str(),
        Some("127.0.0.1:7002"),
        "flag beats file"
    );
    assert_eq!(
        cfg["data_dir"].as_str(),
        Some("/from/env"),
        "env beats file"
    );
    assert_eq!(cfg["gateway"]["max_body_bytes"].as_integer(), Some(8192));
    assert_eq!(cfg["auth"]["jwt_secret"].as_str(), Some("[redacted]"));
    assert!(!text.contains("long-enough-0123"));
    assert_eq!(cfg["push"]["webhook_url"].as_str(), Some("[redacted]"));
    assert!(!text.contains("hook-password"));
}

/// The runtime's worker threads, as `ps -L` shows them (tokio names each
/// `tokio-rt-worker`).
fn worker_threads(pid: u32) -> usize {
    threads_named(pid, "tokio-rt-worker")
}

/// `worker_threads(pid)` once it is `expected`, or after 5 s as it is
/// then: a thread the server starts from a worker (the commit stage's)
/// bears the worker's name until it has named itself.
fn settled_worker_threads(pid: u32, expected: usize) -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let n = worker_threads(pid);
        if n == expected || std::time::Instant::now() > deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The process's threads named `name` (Linux keeps 15 bytes of a name).
fn threads_named(pid: u32, name: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim() == name)
        .count()
}

/// `serve` on SQLite commits on a thread of its own (one, whatever
/// `worker_threads` is), and stops it with the rest: what it acked is
/// there after SIGTERM (exit 0) and a restart.
#[tokio::test]
async fn serve_on_sqlite_commits_on_a_thread_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let threads = [("FERROCHAT_WORKER_THREADS", "1")];
    let mut server = Server::start_with(dir.path(), &threads);
    let mut tokens = Vec::new();
    for name in ["committer", "reader"] {
        let body = json!({"username": name, "password": "commit-pw"});
        let reg = post(&server.base, "/api/v1/users/register", None, body.clone()).await;
        assert_eq!(reg["code"], 0, "{reg}");
        let login = post(&server.base, "/api/v1/auth/login", None, body).await;
        tokens.push(login["data"]["access_token"].as_str().unwrap().to_owned());
    }
    let reader_id = get(&server.base, "/api/v1/users/profile", &tokens[1]).await["data"]["user_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ack = post(
        &server.base,
        "/api/v1/messages/send",
        Some(&tokens[0]),
        json!({"to_user_id": reader_id, "client_msg_id": "c-1", "content": "kept"}),
    )
    .await;
    assert_eq!(ack["code"], 0, "{ack}");
    let conversation = ack["data"]["conversation_id"].as_str().unwrap().to_owned();
    assert_eq!(threads_named(server.child.id(), "ferrochat-commi"), 1);
    assert_eq!(server.sigterm().code(), Some(0), "SIGTERM is a clean exit");

    let server = Server::start_with(dir.path(), &threads);
    let history = get(
        &server.base,
        &format!("/api/v1/messages/history?conversation_id={conversation}"),
        &tokens[1],
    )
    .await;
    assert_eq!(
        history["data"]["messages"][0]["content"], "kept",
        "{history}"
    );
    assert_eq!(history["data"]["messages"][0]["seq"], ack["data"]["seq"]);
}

/// Roles sharing a machine split its cores: `worker_threads` is how many
/// threads run the process's tasks, and 0 (the default) is one per core.
#[test]
fn worker_threads_sets_the_threads_that_run_tasks() {
    let cores = std::thread::available_parallelism().unwrap().get();
    for (setting, expected) in [("1", 1), ("3", 3), ("0", cores)] {
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start_with(dir.path(), &[("FERROCHAT_WORKER_THREADS", setting)]);
        assert_eq!(
            settled_worker_threads(server.child.id(), expected),
            expected,
            "worker_threads = {setting}"
        );
    }
}

/// `[auth.external]` from the environment: its secret never printed, and
/// a setting that cannot work refused before anything starts.
#[test]
fn an_external_issuer_is_checked_at_start_and_its_secret_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let run = |vars: &[(&str, &str)], args: &[&str]| {
        let mut cmd = Command::new(BIN);
        cmd.args(args).arg("--data-dir").arg(dir.path());
        for (k, v) in vars {
            cmd.env(format!("FERROCHAT_AUTH__EXTERNAL__{k}"), v);
        }
        cmd.output().unwrap()
    };
    let good = [
        ("ISSUER", "https://app.example"),
        ("AUDIENCE", "chat"),
        ("HS256_SECRET", "the-apps-secret-long-enough-0123456789"),
    ];
    let out = run(&good, &["config"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let cfg: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(
        cfg["auth"]["external"]["hs256_secret"].as_str(),
        Some("[redacted]")
    );
    assert!(!text.contains("long-enough-0123"));

    let serve = ["serve", "--listen", "127.0.0.1:0"];
    let refused: [(&[(&str, &str)], &str); 4] = [
        (&good[..1], "auth.external.audience"),
        (&good[..2], "auth.external.hs256_secret"),
        (
            &[good[0], good[1], ("HS256_SECRET", "short")],
            "auth.external.hs256_secret",
        ),
        (
            &[good[0], good[1], ("JWKS_URL", "ftp://app.example/keys")],
            "auth.external.jwks_url",
        ),
    ];
    for (vars, key) in refused {
        let out = run(vars, &serve);
        assert_eq!(out.status.code(), Some(64), "{key}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(key),
            "{key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = run(
        &[
            good[0],
            good[1],
            ("JWKS_URL", "https://app.example/keys"),
            ("ALGORITHMS", "[\"HS256\"]"),
        ],
        &serve,
    );
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("auth.external.algorithms"));
}

#[test]
fn bad_config_exits_64_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[gateway]\nmax_body_byts = 10\n").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_body_byts"));

    // A CORS origin with a path is no origin a browser sends.
    std::fs::write(
        &file,
        "[gateway]\ncors_origins = [\"https://app.example.com/chat\"]\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--config")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gateway.cors_origins"));

    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("FERROCHAT_STORE__SYNCHRONOUS", "sometimes")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("store.synchronous"));

    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("FERROCHAT_CACHE__PROFILE_TTL", "0s")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cache.profile_ttl"));

    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("FERROCHAT_GROUPS__MAX_MEMBERS", "100001")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("groups.max_members"));

    // The operations reserve is taken from the reserved descriptors.
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("FERROCHAT_GATEWAY__OPS_CONNECTIONS", "200")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gateway.ops_connections"));

    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("FERROCHAT_WORKER_THREADS", "100000")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("worker_threads"));

    // A message must fit in one broker record.
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("FERROCHAT_BUS__KIND", "kafka")
        .env("FERROCHAT_MESSAGING__MAX_CONTENT_BYTES", "900000")
        .env("FERROCHAT_GATEWAY__WS__MAX_FRAME_BYTES", "2000000")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("messaging.max_content_bytes"));
}

/// `ferrochat reindex` on a store whose messages predate its search index
/// (the index emptied while the server is stopped): before it, nothing is
/// found; after it, what users wrote, as it is now (an edit by its new
/// words, a recall not at all), newest first.
#[tokio::test]
async fn reindex_rebuilds_search_from_the_stored_messages() {
    use sqlx::{Connection as _, Executor as _};

    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let http = reqwest::Client::new();
    let base = server.base.clone();
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for name in ["reidxa", "reidxb"] {
        let body = json!({"username": name, "password": "reindex-pw"});
        let reg = post(&base, "/api/v1/users/register", None, body.clone()).await;
        ids.push(reg["data"]["user_id"].as_str().unwrap().to_owned());
        let login = post(&base, "/api/v1/auth/login", None, body).await;
        tokens.push(login["data"]["access_token"].as_str().unwrap().to_owned());
    }
    let conv = post(
        &base,
        "/api/v1/conversations/create",
        Some(&tokens[0]),
        json!({"peer_user_id": ids[1]}),
    )
    .await["data"]["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (i, text) in ["budget draft", "budget final", "budget old"]
        .iter()
        .enumerate()
    {
        let body =
            json!({"conversation_id": conv, "client_msg_id": format!("m{i}"), "content": text});
        assert_eq!(
            post(&base, "/api/v1/messages/send", Some(&tokens[0]), body).await["code"],
            0
        );
    }
    let edit = json!({"conversation_id": conv, "seq": 1, "client_msg_id": "e", "content": "budget revised"});
    assert_eq!(
        post(&base, "/api/v1/messages/edit", Some(&tokens[0]), edit).await["code"],
        0
    );
    let recall = json!({"conversation_id": conv, "seq": 3, "client_msg_id": "r"});
    assert_eq!(
        post(&base, "/api/v1/messages/recall", Some(&tokens[0]), recall).await["code"],
        0
    );
    let found = |base: String, token: String| {
        let http = http.clone();
        async move {
            let r = call(
                &http,
                &base,
                reqwest::Method::GET,
                "/api/v1/messages/search?q=budget",
                Some(&token),
                None,
            )
            .await;
            assert_eq!(r["code"], 0, "{r}");
            r["data"]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["message"]["content"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let live = found(base.clone(), tokens[1].clone()).await;
    assert_eq!(live, ["budget final", "budget revised"]);
    assert_eq!(server.sigterm().code(), Some(0));

    // The index's own file, emptied behind the server's back.
    let index = dir.path().join("ferrochat.db.search");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", index.display()))
        .await
        .unwrap();
    conn.execute("DELETE FROM message_search").await.unwrap();
    conn.close().await.unwrap();
    let server = Server::start(dir.path());
    assert!(found(server.base.clone(), tokens[1].clone())
        .await
        .is_empty());
    drop(server);

    let out = Command::new(BIN)
        .args(["reindex", "--data-dir"])
        .arg(dir.path())
        .env("FERROCHAT_LOG__FORMAT", "json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "indexed 2 messages"
    );
    let server = Server::start(dir.path());
    assert_eq!(found(server.base.clone(), tokens[1].clone()).await, live);
}

#[tokio::test]
async fn an_operators_reset_token_sets_a_new_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let base = server.base.clone();
    let old = json!({"username": "forgetful", "password": "the old one"});
    post(&base, "/api/v1/users/register", None, old.clone()).await;
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let login = post(&base, "/api/v1/auth/login", None, old.clone()).await;
        sessions.push(login["data"]["access_token"].as_str().unwrap().to_owned());
    }
    let issue = |name: &str| {
        Command::new(BIN)
            .args([
                "admin",
                "reset-password",
                name,
                "--valid-for",
                "10m",
                "--data-dir",
            ])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = issue("nobody_here");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user named nobody_here"));
    let out = issue("forgetful");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(String::from_utf8_lossy(&out.stderr).contains("/api/v1/auth/password/reset"));

    let reset = |token: &str, password: &str| {
        let base = base.clone();
        let body = json!({"token": token, "new_password": password});
        async move { post(&base, "/api/v1/auth/password/reset", None, body).await }
    };
    // Not a reset token (an access token, garbage), or no new password.
    assert_eq!(reset(&sessions[0], "a brand new one").await["code"], 1002);
    assert_eq!(reset("garbage", "a brand new one").await["code"], 1002);
    let r = reset(&token, "short").await;
    assert_eq!(r["code"], 1001);
    assert!(
        r["message"].as_str().unwrap().contains("new_password"),
        "{r}"
    );

    let r = reset(&token, "a brand new one").await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(r["data"]["revoked"], 2, "every session ends");
    for access in &sessions {
        let r = call(
            &reqwest::Client::new(),
            &base,
            reqwest::Method::GET,
            "/api/v1/users/profile",
            Some(access),
            None,
        )
        .await;
        assert_eq!(r["code"], 1002);
    }
    let login = post(&base, "/api/v1/auth/login", None, old.clone()).await;
    assert_eq!(login["code"], 1002);
    let new = json!({"username": "forgetful", "password": "a brand new one"});
    assert_eq!(
        post(&base, "/api/v1/auth/login", None, new).await["code"],
        0
    );
    // Once: the password it was issued against is gone.
    assert_eq!(reset(&token, "yet another one").await["code"], 1002);
}

#[tokio::test]
async fn the_operator_grants_and_revokes_the_admin_role_and_it_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let base = server.base.clone();
    let who = json!({"username": "chief", "password": "chief's password"});
    post(&base, "/api/v1/users/register", None, who.clone()).await;
    let login = post(&base, "/api/v1/auth/login", None, who).await;
    let token = login["data"]["access_token"].as_str().unwrap().to_owned();
    let admin = |verb: &str, name: &str| {
        Command::new(BIN)
            .args(["admin", verb, name, "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    assert_eq!(
        get(&base, "/api/v1/admin/audit", &token).await["code"],
        1005
    );

    let out = admin("grant", "nobody_here");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user named nobody_here"));
    let out = admin("grant", "Chief");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Chief now holds the admin role"
    );
    let log = get(&base, "/api/v1/admin/audit", &token).await;
    assert_eq!(log["code"], 0, "{log}");
    let entry = &log["data"]["entries"][0];
    assert_eq!(entry["actor"], "operator");
    assert_eq!(entry["action"], "admin.grant");
    assert_eq!(entry["target"], login["data"]["user"]["user_id"]);

    // The operator's reset tokens are logged too.
    let out = Command::new(BIN)
        .args(["admin", "reset-password", "chief", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = get(&base, "/api/v1/admin/audit", &token).await;
    assert_eq!(log["data"]["entries"][0]["action"], "user.password_reset");
    assert_eq!(log["data"]["entries"][0]["detail"], "valid for 1h");

    assert!(admin("revoke", "chief").status.success());
    assert_eq!(
        get(&base, "/api/v1/admin/audit", &token).await["code"],
        1005
    );
}

/// Push credentials that cannot be used stop the start, naming the key,
/// rather than a server running whose task role died.
#[test]
fn unusable_push_credentials_stop_the_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let start = |var: &str, value: &std::path::Path| {
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path())
            .env(var, value)
            .output()
            .unwrap()
    };
    let missing = dir.path().join("missing.json");
    let out = start("FERROCHAT_PUSH__FCM__SERVICE_ACCOUNT_FILE", &missing);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("push.fcm.service_account_file"), "{err}");

    let not_an_account = dir.path().join("account.json");
    std::fs::write(&not_an_account, "{}").unwrap();
    let out = start("FERROCHAT_PUSH__FCM__SERVICE_ACCOUNT_FILE", &not_an_account);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("push.fcm"), "{err}");
}
