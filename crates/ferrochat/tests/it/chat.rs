//! `ferrochat chat`'s script commands as a person or a script runs them:
//! the built binary as a child process against a real server, checking
//! what it prints, its exit code and the token file it keeps.

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use ferrochat_logic::DmPolicy;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, Command};

use crate::support::{spawn_app, spawn_app_with, TestApp, PASSWORD};

const BIN: &str = env!("CARGO_BIN_EXE_ferrochat");
/// How long one command may take.
const WAIT: Duration = Duration::from_secs(30);

struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// `ferrochat chat [--profile-file <profile>] <args>`, with `stdin` as its
/// standard input; bounded by [`WAIT`].
async fn chat(profile: &Path, args: &[&str], stdin: &str) -> Run {
    let mut command = Command::new(BIN);
    command
        .arg("chat")
        .arg("--profile-file")
        .arg(profile)
        .args(args);
    finish(command, stdin).await
}

/// Runs `command` to its end with `stdin` as its input.
async fn finish(mut command: Command, stdin: &str) -> Run {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{command:?} did not finish in time"))
        .unwrap();
    Run {
        status: out.status,
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The permission bits of `path`.
#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Like [`chat`], expecting success; returns standard output.
async fn chat_ok(profile: &Path, args: &[&str]) -> String {
    let run = chat(profile, args, "").await;
    assert!(
        run.status.success(),
        "ferrochat chat {args:?}: {}\n{}",
        run.status,
        run.stderr
    );
    run.stdout
}

/// Starts `ferrochat chat tail <args>` and returns once it says it is
/// connected: whatever is sent from then on is printed.
async fn tail(profile: &Path, args: &[&str]) -> Child {
    let mut tail = Command::new(BIN)
        .args(["chat", "--profile-file"])
        .arg(profile)
        .arg("tail")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut errors = BufReader::new(tail.stderr.take().unwrap()).lines();
    let ready = tokio::time::timeout(WAIT, async {
        while let Some(line) = errors.next_line().await.unwrap() {
            if line == "tail: connected" {
                return;
            }
        }
        panic!("tail ended before it connected");
    });
    ready.await.expect("tail did not connect in time");
    // Read on, so a later line (a reconnect) never meets a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = errors.next_line().await {} });
    tail
}

/// What a `tail --count` printed, once it exited by itself.
async fn finished(tail: Child) -> String {
    let out = tokio::time::timeout(WAIT, tail.wait_with_output())
        .await
        .expect("tail --count did not exit")
        .unwrap();
    assert!(out.status.success(), "tail: {}", out.status);
    String::from_utf8(out.stdout).unwrap()
}

/// Logs `username` in with `--password-stdin`.
async fn login(app: &TestApp, profile: &Path, username: &str) {
    let run = chat(
        profile,
        &[
            "login",
            "--url",
            &app.base,
            "--username",
            username,
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    )
    .await;
    assert!(run.status.success(), "login: {}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!("logged in as {username}")),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn chat_commands_log_in_send_tail_list_and_read_history() {
    let app = spawn_app().await;
    let alice = app.new_user("alice").await;
    let bob = app.new_user("bob").await;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("alice").join("chat.json");
    let b = dir.path().join("bob.json");
    login(&app, &a, &alice.username).await;
    login(&app, &b, &bob.username).await;
    #[cfg(unix)]
    assert_eq!(mode(&a), 0o600, "the token file is its owner's only");

    // Bob tails, as JSON and as text.
    let json_tail = tail(&b, &["--json", "--count", "2"]).await;
    let text_tail = tail(&b, &["--count", "2"]).await;

    let seq = chat_ok(&a, &["send", "--to", &bob.username, "hi bob"]).await;
    assert_eq!(seq, "1\n", "the first message of a new conversation");
    let world_seq: u64 = chat_ok(&a, &["send", "--world", "hello world"])
        .await
        .trim()
        .parse()
        .unwrap();
    assert!(world_seq >= 1);

    let out = finished(json_tail).await;
    let mut lines: Vec<(String, String)> = out
        .lines()
        .map(|l| {
            let m: Value = serde_json::from_str(l).unwrap();
            assert_eq!(m["from_user_id"], alice.user_id.as_str());
            (
                m["conversation_type"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            ("single".to_owned(), "hi bob".to_owned()),
            ("world".to_owned(), "hello world".to_owned())
        ]
    );
    let out = finished(text_tail).await;
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            format!("[@{0} #1] {0}: hi bob", alice.username),
            format!("[world #{world_seq}] {}: hello world", alice.username)
        ]
    );

    let list = chat_ok(&b, &["list"]).await;
    let with_alice = list
        .lines()
        .find(|l| l.starts_with(&format!("@{} ", alice.username)))
        .unwrap_or_else(|| panic!("alice is not listed:\n{list}"));
    assert!(with_alice.contains(" 1 unread"), "{with_alice}");
    assert!(list.lines().any(|l| l.starts_with("world ")), "{list}");

    let history = chat_ok(&b, &["history", &alice.username]).await;
    assert_eq!(
        history,
        format!("[@{0} #1] {0}: hi bob\n", alice.username),
        "bob's history with alice"
    );
    let world = chat_ok(&b, &["history", "world", "--limit", "1"]).await;
    assert_eq!(
        world,
        format!("[world #{world_seq}] {}: hello world\n", alice.username)
    );

    // A group, by its id.
    let members = json!({"name": "crew", "member_ids": [bob.user_id]});
    let (group_id, _) = app.new_group(&alice, members).await;
    let seq = chat_ok(&a, &["send", "--group", &group_id, "to the crew"]).await;
    let history = chat_ok(&b, &["history", &group_id, "--limit", "1"]).await;
    assert_eq!(
        history,
        format!("[#crew #{}] {}: to the crew\n", seq.trim(), alice.username)
    );
    let list = chat_ok(&b, &["list"]).await;
    assert!(
        list.lines()
            .any(|l| l.starts_with("#crew ") && l.ends_with(&group_id)),
        "{list}"
    );
}

#[tokio::test]
async fn chat_commands_fail_with_the_contracts_code_and_message() {
    let app = spawn_app_with(|c| c.messaging.dm_policy = DmPolicy::Friends).await;
    let alice = app.new_user("alice").await;
    let bob = app.new_user("bob").await;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("alice.json");

    let run = chat(&a, &["list"], "").await;
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stderr.contains("not logged in"), "{}", run.stderr);

    let run = chat(
        &a,
        &[
            "login",
            "--url",
            &app.base,
            "--username",
            &alice.username,
            "--password-stdin",
        ],
        "wrong password\n",
    )
    .await;
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        "ferrochat chat: error 1002: invalid username or password\n"
    );
    assert!(!a.exists(), "no token file without a login");

    login(&app, &a, &alice.username).await;
    let run = chat(&a, &["send", "--to", "nobody_here", "hi"], "").await;
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        "ferrochat chat: no user named \"nobody_here\"\n"
    );

    // A name only some users start with is nobody's.
    let prefix = &bob.username[..bob.username.len() - 1];
    let run = chat(&a, &["send", "--to", prefix, "hi"], "").await;
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        format!("ferrochat chat: no user named {prefix:?}\n")
    );

    let run = chat(&a, &["send", "--to", &bob.username, "hi"], "").await;
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr,
        "ferrochat chat: error 1005: you can only message your friends\n"
    );
    assert_eq!(run.stdout, "", "nothing acknowledged");

    let run = chat(&a, &["send", "hi"], "").await;
    assert_eq!(run.status.code(), Some(2), "a send needs a destination");

    // Logging out ends the session on the server and forgets the tokens.
    let token: Value = serde_json::from_str(&std::fs::read_to_string(&a).unwrap()).unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    assert_eq!(chat_ok(&a, &["logout"]).await, "logged out\n");
    assert!(!a.exists());
    app.profile(&token).await.err(1002);
    let run = chat(&a, &["history", "world"], "").await;
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stderr.contains("not logged in"), "{}", run.stderr);
}

#[tokio::test]
async fn chat_login_keeps_its_tokens_under_the_config_dir() {
    let app = spawn_app().await;
    let alice = app.new_user("alice").await;
    let home = tempfile::tempdir().unwrap();
    let mut login = Command::new(BIN);
    login
        .args(["chat", "login", "--url", &app.base, "--username"])
        .args([&alice.username, "--password-stdin"])
        .env("XDG_CONFIG_HOME", home.path())
        .env_remove("FERROCHAT_CHAT_PROFILE");
    let run = finish(login, &format!("{PASSWORD}\n")).await;
    assert!(run.status.success(), "{}", run.stderr);
    let file = home.path().join("ferrochat").join("chat.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["username"], alice.username.as_str());
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
}
