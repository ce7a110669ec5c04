//! TLS to the dependencies, through the built binary: PostgreSQL, MariaDB
//! and Redis servers of the test's own that take only TLS (certificates
//! of a CA made here; `PrivateServer::start_tls`, `PrivateRedis::start_tls`), a `ferrochat serve` whose store URL or
//! `presence.redis_*` keys ask for a verified connection, and a message
//! that goes through them. Refused: a server whose certificate is of
//! another CA, and a server without TLS when TLS is asked for (no silent
//! downgrade); the process exits non-zero naming the dependency. Bad
//! Redis TLS config exits 64 naming the key.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ferrochat_test_support::private_sql::{Kind, PrivateServer};
use ferrochat_test_support::{service, PrivateRedis, TestCa, MYSQL_URL, POSTGRES_URL};
use serde_json::json;

use crate::binary::Server;
use crate::served::{next_json, ping};

const BIN: &str = env!("CARGO_BIN_EXE_ferrochat");

/// Hang guard for a start that should fail within seconds.
const EXITS: Duration = Duration::from_secs(60);

/// Two users of `server`, a message from one to the other: it arrives on
/// the other's WebSocket and is in the history.
async fn a_message_goes_through(server: &Server, tag: &str) {
    let (_, a_tok) = server.user(&format!("{tag}_a")).await;
    let (b_id, b_tok) = server.user(&format!("{tag}_b")).await;
    let conv = server.conversation(&a_tok, &b_id).await;
    let mut b_ws = server.ws(&b_tok).await;
    ping(&mut b_ws).await;
    let content = format!("{tag} over TLS");
    server
        .ok(
            reqwest::Method::POST,
            "/api/v1/messages/send",
            Some(&a_tok),
            Some(json!({"conversation_id": conv, "client_msg_id": "m1", "content": content})),
        )
        .await;
    let f = next_json(&mut b_ws).await;
    assert_eq!(f["type"], "new-message", "{f}");
    assert_eq!(f["data"]["content"], content.as_str(), "{f}");
    let history = server.history_all(&b_tok, &conv).await;
    assert!(
        history.iter().any(|m| m["content"] == content.as_str()),
        "not in the history: {history:?}"
    );
}

/// `ferrochat serve` with `env`, expected to stop on its own: its exit
/// code and what it wrote to stderr.
fn failed_start(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let stderr = dir.path().join("stderr");
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env_remove("RUST_LOG")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + EXITS;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ferrochat still runs after {EXITS:?} with {env:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status.code(), std::fs::read_to_string(&stderr).unwrap())
}

/// The start with `env` fails, and stderr names `what`.
fn refused(env: &[(&str, &str)], what: &str) -> String {
    let (code, stderr) = failed_start(env);
    assert!(code.is_some_and(|c| c != 0), "exit {code:?}: {stderr}");
    assert!(stderr.contains(what), "{what} not named: {stderr}");
    stderr
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The start with `env` fails over the server's certificate.
fn untrusted(env: &[(&str, &str)], what: &str) {
    let why = refused(env, what);
    assert!(why.to_lowercase().contains("certificate"), "{why}");
}

/// A CA nobody's servers use, written into `dir`.
fn other_ca(dir: &Path) -> String {
    let file = dir.join("other-ca.crt");
    std::fs::write(&file, TestCa::new("another CA").cert_pem).unwrap();
    file.to_str().unwrap().to_owned()
}

/// How a SQL server's store URL asks for TLS, and what it is called.
struct SqlTls {
    kind: Kind,
    /// The query that verifies the chain and the name against a CA file.
    verify: fn(&str) -> String,
    /// The query that asks for no TLS.
    plain: &'static str,
    /// The shared test server's URL (no TLS), from `scripts/services env`.
    shared: &'static str,
    /// What the start failure names.
    named: &'static str,
}

/// A message goes through `serve` on a TLS-only server of `sql.kind`
/// whose CA the URL names; refused: no TLS to it (so what got through
/// spoke TLS), a certificate of another CA, and TLS asked of a server
/// without it (no plain fallback).
async fn store_over_tls(sql: SqlTls) {
    let ca = TestCa::new("ferrochat database test CA");
    let db = PrivateServer::start_tls(sql.kind, &ca).await;
    let ca_file = path(&db.tls_files().unwrap().ca);
    let data = tempfile::tempdir().unwrap();
    let url = db.url_with(&(sql.verify)(ca_file));
    let server = Server::start_with(data.path(), &[("FERROCHAT_STORE__URL", &url)]);
    a_message_goes_through(&server, &format!("{:?}", sql.kind).to_lowercase()).await;
    drop(server);

    // PostgreSQL's pg_hba.conf has hostssl alone, MariaDB's user REQUIRE SSL.
    refused(
        &[("FERROCHAT_STORE__URL", &db.url_with(sql.plain))],
        sql.named,
    );
    let other = db.url_with(&(sql.verify)(&other_ca(data.path())));
    untrusted(&[("FERROCHAT_STORE__URL", &other)], sql.named);
    let plain = format!("{}?{}", service(sql.shared), (sql.verify)(ca_file));
    let why = refused(&[("FERROCHAT_STORE__URL", &plain)], sql.named);
    assert!(why.contains("TLS"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_over_verified_tls_and_refused_without_it() {
    store_over_tls(SqlTls {
        kind: Kind::Postgres,
        verify: |ca| format!("sslmode=verify-full&sslrootcert={ca}"),
        plain: "sslmode=disable",
        shared: POSTGRES_URL,
        named: "opening the PostgreSQL store (store.url)",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_over_verified_tls_and_refused_without_it() {
    store_over_tls(SqlTls {
        kind: Kind::Mariadb,
        verify: |ca| format!("ssl-mode=verify_identity&ssl-ca={ca}"),
        plain: "ssl-mode=disabled",
        shared: MYSQL_URL,
        named: "opening the MySQL store (store.url)",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_over_tls_with_a_private_ca_and_a_client_certificate() {
    let ca = TestCa::new("ferrochat Redis test CA");
    let redis = PrivateRedis::start_tls(&ca).await;
    let url = redis.url();
    let client = redis.client_files().unwrap();
    let (ca_file, cert, key) = (
        path(&redis.tls_files().unwrap().ca),
        path(&client.cert),
        path(&client.key),
    );
    let tls = [
        ("FERROCHAT_PRESENCE__REDIS_URL", url.as_str()),
        ("FERROCHAT_PRESENCE__REDIS_CA_FILE", ca_file),
        ("FERROCHAT_PRESENCE__REDIS_CERT_FILE", cert),
        ("FERROCHAT_PRESENCE__REDIS_KEY_FILE", key),
    ];
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &tls);
    // The route table is in Redis: the message reaches the socket
    // through it, and /ready asks it.
    a_message_goes_through(&server, "redis").await;
    let (status, body) = crate::ready::ready_at(&server.base).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.to_string().contains("redis"), "{body}");
    drop(server);

    const NAMED: &str = "presence.redis_url";
    // Another CA: the server's certificate is not trusted.
    let other = other_ca(data.path());
    let mut other_ca_env = tls;
    other_ca_env[1].1 = &other;
    untrusted(&other_ca_env, NAMED);
    // No client certificate: the server refuses us.
    untrusted(&tls[..2], NAMED);
}

#[test]
fn bad_redis_tls_config_exits_64_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("config test CA");
    let leaf = ca.leaf("client", &["client.test"]);
    let files = ca.write(dir.path(), "client", &leaf);
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let missing = dir.path().join("missing.pem");
    let (ca_file, cert, key) = (path(&files.ca), path(&files.cert), path(&files.key));
    let url = ("FERROCHAT_PRESENCE__REDIS_URL", "rediss://127.0.0.1:1");
    let cases: &[(&[(&str, &str)], &str)] = &[
        // TLS files with a plain URL: the deployer meant TLS.
        (
            &[
                ("FERROCHAT_PRESENCE__REDIS_URL", "redis://127.0.0.1:1"),
                ("FERROCHAT_PRESENCE__REDIS_CA_FILE", ca_file),
            ],
            "presence.redis_url",
        ),
        (
            &[("FERROCHAT_PRESENCE__REDIS_URL", "http://127.0.0.1:1")],
            "presence.redis_url",
        ),
        (
            &[url, ("FERROCHAT_PRESENCE__REDIS_CA_FILE", path(&missing))],
            "presence.redis_ca_file",
        ),
        (
            &[url, ("FERROCHAT_PRESENCE__REDIS_CA_FILE", path(&not_pem))],
            "presence.redis_ca_file",
        ),
        (
            &[url, ("FERROCHAT_PRESENCE__REDIS_CERT_FILE", cert)],
            "presence.redis_cert_file",
        ),
        (
            &[
                url,
                ("FERROCHAT_PRESENCE__REDIS_CERT_FILE", cert),
                ("FERROCHAT_PRESENCE__REDIS_KEY_FILE", path(&not_pem)),
            ],
            "presence.redis_key_file",
        ),
        (
            &[
                url,
                ("FERROCHAT_PRESENCE__REDIS_CERT_FILE", path(&not_pem)),
                ("FERROCHAT_PRESENCE__REDIS_KEY_FILE", key),
            ],
            "presence.redis_cert_file",
        ),
    ];
    for (env, key) in cases {
        let (code, stderr) = failed_start(env);
        assert_eq!(code, Some(64), "{env:?}: {stderr}");
        assert!(
            stderr.contains(key),
            "{key} not named for {env:?}: {stderr}"
        );
    }
}
