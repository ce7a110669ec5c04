//! Issue 27, item 5: a database that can lose acknowledged writes is named,
//! not silently trusted. The built binary, on the test MariaDB (which runs
//! with fsync off) or on SQLite with `synchronous = normal`: it starts and
//! logs a warning naming each setting, or, with `store.require_durable`,
//! refuses to start with exit 78, naming them.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ferrochat");

/// EX_CONFIG: the database is configured so that it can lose acked writes.
const NOT_DURABLE: i32 = 78;

/// `ferrochat <role>` on `store_url` with `env`; not waited for.
fn command(role: &str, dir: &Path, store_url: &str, env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(BIN);
    c.arg(role)
        .env("FERROCHAT_LOG__FORMAT", "json")
        .env("FERROCHAT_DATA_DIR", dir)
        .env("FERROCHAT_STORE__URL", store_url)
        .env("FERROCHAT_LISTEN", "127.0.0.1:0")
        .env("FERROCHAT_METRICS_LISTEN", "127.0.0.1:0")
        .env("FERROCHAT_REPO__GRPC_LISTEN", "127.0.0.1:0")
        .env_remove("RUST_LOG");
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Runs `command` until it logs that it listens; returns the `setting`
/// of each durability warning it logged before, then kills it.
fn warnings_before_listening(mut command: Command) -> Vec<String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut settings = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).expect("log lines are JSON");
        if v["message"] == "listening" {
            break;
        }
        if v["level"] == "WARN" && v["setting"].is_string() {
            settings.push(v["setting"].as_str().unwrap().to_owned());
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    settings
}

/// Runs `command` to its end; its exit code and what it printed on stderr.
fn refused(mut command: Command) -> (Option<i32>, String) {
    let out = command.stdout(Stdio::null()).output().expect("binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_mariadb_that_can_lose_acked_writes_is_named_or_refused() {
    let name = format!("fc_durable_{}", uuid::Uuid::new_v4().simple());
    let url = crate::store_env::fresh_mysql_database(&name).await;
    let dir = tempfile::tempdir().unwrap();

    let settings = warnings_before_listening(command("serve", dir.path(), &url, &[]));
    assert!(
        settings.contains(&"innodb_flush_log_at_trx_commit".to_owned())
            && settings.contains(&"innodb_doublewrite".to_owned()),
        "{settings:?}"
    );

    // The role that owns the store in a cluster refuses the same way.
    let strict = [("FERROCHAT_STORE__REQUIRE_DURABLE", "true")];
    for role in ["serve", "repo"] {
        let (code, stderr) = refused(command(role, dir.path(), &url, &strict));
        assert_eq!(code, Some(NOT_DURABLE), "{role}: {stderr}");
        assert!(
            stderr.contains("innodb_flush_log_at_trx_commit = 2 (needs 1)"),
            "{role}: {stderr}"
        );
        assert!(stderr.contains("store.require_durable"), "{role}: {stderr}");
    }
}

#[tokio::test]
async fn sqlite_with_synchronous_normal_is_named_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ferrochat.db").display());
    let normal = ("FERROCHAT_STORE__SYNCHRONOUS", "normal");

    let settings = warnings_before_listening(command("serve", dir.path(), &url, &[normal]));
    assert_eq!(settings, ["synchronous"]);
    let full = warnings_before_listening(command("serve", dir.path(), &url, &[]));
    assert!(full.is_empty(), "{full:?}");

    let strict = [normal, ("FERROCHAT_STORE__REQUIRE_DURABLE", "true")];
    let (code, stderr) = refused(command("serve", dir.path(), &url, &strict));
    assert_eq!(code, Some(NOT_DURABLE), "{stderr}");
    assert!(stderr.contains("synchronous = normal"), "{stderr}");
}
