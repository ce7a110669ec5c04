//! Issue 27, item 4: a brief repo outage is ridden out. A `ferrochat
//! repo` process (SQLite behind it) is SIGKILLed while clients send
//! through a server whose store is that repo, and started again on the
//! same port 2 s later: every send is acked (late), none is refused, and
//! history holds each once. A repo that stays down past the calls'
//! deadline makes requests fail with 1009 "retry later", not 1004.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{spawn_app_with, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_ferrochat");
/// Connections sending at once.
const SENDERS: usize = 3;
/// How long the repo stays down: with its start, a 2-3 s restart.
const DOWN: Duration = Duration::from_secs(2);

/// `ferrochat repo` on a fixed port with SQLite in `dir`, SIGKILLed when
/// dropped.
struct RepoProcess {
    child: Child,
}

impl RepoProcess {
    /// Starts it and waits until it logged that it listens.
    fn start(dir: &Path, port: u16) -> Self {
        let mut child = Command::new(BIN)
            .arg("repo")
            .env("FERROCHAT_LOG__FORMAT", "json")
            .env("FERROCHAT_DATA_DIR", dir)
            .env(
                "FERROCHAT_STORE__URL",
                format!("sqlite://{}", dir.join("repo.db").display()),
            )
            .env("FERROCHAT_REPO__GRPC_LISTEN", format!("127.0.0.1:{port}"))
            .env("FERROCHAT_METRICS_LISTEN", "127.0.0.1:0")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        loop {
            let line = lines.next().expect("repo logged before exiting").unwrap();
            let v: Value = serde_json::from_str(&line).expect("log lines are JSON");
            if v["message"] == "listening" {
                break;
            }
        }
        std::thread::spawn(move || for _ in lines.by_ref() {});
        Self { child }
    }

    fn kill9(&mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
    }
}

impl Drop for RepoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server whose store is the repo on `port`, with `tweak` applied.
async fn server_on_repo(port: u16, tweak: impl FnOnce(&mut ferrochat::config::Config)) -> TestApp {
    spawn_app_with(|c| {
        c.store.url = Some(format!("repo://127.0.0.1:{port}"));
        c.gateway.send_rate_limit.per_second = 10_000;
        c.gateway.send_rate_limit.burst = 10_000;
        tweak(c);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_during_a_repo_restart_are_acked_late_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let repo_dir: PathBuf = dir.path().to_path_buf();
    let port = free_port();
    let mut repo = RepoProcess::start(&repo_dir, port);
    // The default retry settings (a 10-s deadline).
    let app = server_on_repo(port, |_| {}).await;
    let a = app.new_user("ride_a").await;
    let b = app.new_user("ride_b").await;

    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut senders = Vec::new();
    for s in 0..SENDERS {
        let mut ws = app.ws_connect(&a.access).await;
        let (acked, stop, to) = (acked.clone(), stop.clone(), b.user_id.clone());
        senders.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for n in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let id = format!("ride-{s}-{n}");
                let reply = ws
                    .send_message(json!({"to_user_id": to, "client_msg_id": id, "content": id}))
                    .await;
                assert_eq!(reply["type"], "send-ack", "a send was refused: {reply}");
                // The sender's other connections get it too: drop those.
                ws.take_pending();
                sent.push(id);
                acked.fetch_add(1, Ordering::SeqCst);
            }
            sent
        }));
    }
    let failed = |senders: &[tokio::task::JoinHandle<_>]| senders.iter().any(|s| s.is_finished());
    until(|| acked.load(Ordering::SeqCst) >= SENDERS * 5 || failed(&senders)).await;

    repo.kill9();
    tokio::time::sleep(DOWN).await;
    let repo = RepoProcess::start(&repo_dir, port);
    let after = acked.load(Ordering::SeqCst) + SENDERS * 5;
    until(|| acked.load(Ordering::SeqCst) >= after || failed(&senders)).await;
    stop.store(true, Ordering::SeqCst);
    let mut sent = Vec::new();
    for s in senders {
        sent.extend(s.await.expect("no send was refused"));
    }

    let dm = app.open_single(&a.access, &b.user_id).await;
    let conv = app.history_all(&a.access, &dm).await;
    let mut stored: Vec<String> = conv
        .iter()
        .map(|m| m["client_msg_id"].as_str().unwrap().to_owned())
        .collect();
    let seqs: Vec<u64> = conv.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=conv.len() as u64).collect::<Vec<_>>(),
        "gap-free"
    );
    stored.sort();
    sent.sort();
    assert_eq!(stored, sent, "every acked send stored once");
    drop(repo);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repo_down_past_the_deadline_is_retry_later_not_internal_error() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut repo = RepoProcess::start(dir.path(), port);
    let app = server_on_repo(port, |c| {
        c.repo.retry.deadline = Duration::from_secs(1);
        c.repo.grpc_timeout = Duration::from_millis(500);
    })
    .await;
    let a = app.new_user("down").await;
    app.profile(&a.access).await.ok();

    repo.kill9();
    // The session (and the profile) are cached in memory; the
    // conversation list is read from the store.
    let reply = app
        .request(
            reqwest::Method::GET,
            "/api/v1/conversations",
            Some(&a.access),
            None,
        )
        .await;
    let message = reply.err(1009).to_owned();
    assert_eq!(message, "server busy, retry later");
    app.register("down_new", "correct horse battery")
        .await
        .err(1009);
}

/// Polls `done` every 50 ms; a hang guard, not a speed check.
async fn until(mut done: impl FnMut() -> bool) {
    for _ in 0..1200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting");
}

/// `/ready` names the store while it is down, and only it, and is 200
/// again once the repo is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_names_the_store_while_the_repo_is_down() {
    use crate::ready::{all_ok, check, down, ready_at, ready_until};

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut repo = RepoProcess::start(dir.path(), port);
    let app = server_on_repo(port, |_| {}).await;
    let (status, body) = ready_at(&app.base).await;
    assert!(all_ok(status, &body), "{status} {body}");

    repo.kill9();
    let (_, body) = ready_until(&app.base, "the store unavailable", |s, b| {
        down(s, b, "store")
    })
    .await;
    assert_eq!(check(&body, "bus")["status"], "ok", "{body}");

    let _repo = RepoProcess::start(dir.path(), port);
    ready_until(&app.base, "every check ok again", all_ok).await;
}
