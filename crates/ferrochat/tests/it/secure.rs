//! A cluster started the secure way (procs.rs: internal TLS from
//! `ferrochat certs`, sealed upstream records, a Redis ACL user): each
//! internal port answers only the role that should call it. A caller
//! without a certificate, with one from another CA, speaking plain
//! HTTP/2, or holding the certificate of a role that may not call that
//! port is refused in the handshake, and the refusal is counted where it
//! happened; the metrics ports serve nothing but metrics and health; and
//! sends still go end to end (roles::, which runs on the same cluster).

use std::time::Duration;

use ferrochat_domain::UserId;
use ferrochat_ports::{AccountStore, AccountsApi, StoreError};
use ferrochat_rpc::tls::pki::Authority;
use ferrochat_rpc::{endpoint, InternalTls, LogicClient, PeerRole, RepoClient, RetryConfig};
use tonic::transport::{Certificate, ClientTlsConfig};

use crate::procs::{Cluster, RoleProcess};

const TIMEOUT: Duration = Duration::from_secs(10);
/// Hang guard for a counter a role bumps after the caller saw the refusal.
const PATIENCE: Duration = Duration::from_secs(30);

/// `host:port` of what a role serves.
fn addr(role: &RoleProcess) -> String {
    role.base.trim_start_matches("http://").to_owned()
}

fn load(dir: &std::path::Path, role: PeerRole) -> InternalTls {
    let read = |name: String| std::fs::read(dir.join(name)).unwrap();
    InternalTls::from_pem(
        role,
        ferrochat_rpc::tls::DEFAULT_TRUST_DOMAIN,
        &read("ca.pem".into()),
        &read(format!("{role}.pem")),
        &read(format!("{role}.key")),
    )
    .unwrap()
}

/// A role's certificate from another CA, for the same trust domain.
fn foreign(role: PeerRole) -> InternalTls {
    let ca = Authority::generate(ferrochat_rpc::tls::DEFAULT_TRUST_DOMAIN, 1).unwrap();
    let issued = ca.issue(role, 1).unwrap();
    InternalTls::from_pem(
        role,
        ferrochat_rpc::tls::DEFAULT_TRUST_DOMAIN,
        ca.cert_pem().as_bytes(),
        issued.cert_pem.as_bytes(),
        issued.key_pem.as_bytes(),
    )
    .unwrap()
}

/// How a caller dials: over TLS as `as_role`, over TLS with the CA but no
/// certificate, or in plain HTTP/2.
enum Caller {
    As(InternalTls),
    NoCertificate,
    Plain,
}

fn channel(
    certs: &std::path::Path,
    addr: &str,
    server: PeerRole,
    caller: &Caller,
) -> tonic::transport::Channel {
    let e = match caller {
        Caller::As(tls) => endpoint(addr, TIMEOUT, Some(&tls.client(server))).unwrap(),
        Caller::NoCertificate => {
            let ca = std::fs::read(certs.join("ca.pem")).unwrap();
            tonic::transport::Endpoint::from_shared(format!("https://{addr}"))
                .unwrap()
                .tls_config(
                    ClientTlsConfig::new()
                        .ca_certificate(Certificate::from_pem(ca))
                        .domain_name(server.identity(ferrochat_rpc::tls::DEFAULT_TRUST_DOMAIN)),
                )
                .unwrap()
        }
        Caller::Plain => endpoint(addr, TIMEOUT, None).unwrap(),
    };
    e.connect_lazy()
}

/// Refusals `role` counted for `reasons` (`a|b`: either).
async fn refused(role: &RoleProcess, service: &str, reasons: &str) -> f64 {
    let text = reqwest::get(format!("{}/metrics", role.metrics))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    reasons
        .split('|')
        .map(|reason| {
            crate::support::sample(
                &text,
                &format!(
                    "ferrochat_rpc_tls_refused_total{{service=\"{service}\",reason=\"{reason}\"}}"
                ),
            )
        })
        .sum()
}

async fn counted(role: &RoleProcess, service: &str, reason: &str, before: f64) {
    tokio::time::timeout(PATIENCE, async {
        while refused(role, service, reason).await < before + 1.0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{service} never counted a {reason} refusal"));
}

/// A caller of another CA: in TLS 1.3 it checks the server's certificate
/// first, refuses it and hangs up; the server counts `untrusted` when the
/// caller's alert arrives, `handshake` when the connection closed first.
const UNTRUSTED: &str = "untrusted|handshake";

const REPO: &str = "ferrochat.v1.RepoService";
const LOGIC: &str = "ferrochat.v1.LogicService";

#[tokio::test]
async fn each_internal_port_answers_only_the_role_that_should_call_it() {
    let cluster = Cluster::new(&[]).await;
    let repo = cluster.start("repo", "repo-1").await;
    let logic = cluster.start("logic", "logic-1").await;
    let certs = cluster.certs();
    let (repo_addr, logic_addr) = (addr(&repo), addr(&logic));

    // The roles that may call get answers.
    for role in [PeerRole::Logic, PeerRole::Task] {
        let client = RepoClient::new(
            channel(
                &certs,
                &repo_addr,
                PeerRole::Repo,
                &Caller::As(load(&certs, role)),
            ),
            TIMEOUT,
            RetryConfig::default(),
        );
        assert_eq!(
            client.user(&UserId::generate()).await.unwrap(),
            None,
            "{role}"
        );
    }
    let gateway = LogicClient::new(
        channel(
            &certs,
            &logic_addr,
            PeerRole::Logic,
            &Caller::As(load(&certs, PeerRole::Gateway)),
        ),
        TIMEOUT,
    );
    let err = gateway.user(&UserId::generate()).await.unwrap_err();
    assert_eq!(err.kind, ferrochat_domain::ErrorKind::NotFound, "{err:?}");

    // The issue's attacks: a user's password hash from the repo, and a
    // call to logic, by callers that are not the role.
    let repo_cases = [
        ("handshake", Caller::Plain),
        ("no_certificate", Caller::NoCertificate),
        (UNTRUSTED, Caller::As(foreign(PeerRole::Logic))),
        ("wrong_role", Caller::As(load(&certs, PeerRole::Gateway))),
    ];
    for (reason, caller) in &repo_cases {
        let before = refused(&repo, REPO, reason).await;
        // A refused caller is no outage to wait out: one attempt or two.
        let brief = RetryConfig {
            deadline: Duration::from_millis(500),
            ..RetryConfig::default()
        };
        let client = RepoClient::new(
            channel(&certs, &repo_addr, PeerRole::Repo, caller),
            TIMEOUT,
            brief,
        );
        // Refused in the handshake: no answer, only a transport error
        // (unavailable, or an h2 protocol error when plain HTTP/2 met
        // the server's TLS alert).
        match client.credentials("victim").await {
            Err(StoreError::Unavailable(_) | StoreError::Other(_)) => {}
            other => panic!("{reason}: the repo answered: {other:?}"),
        }
        counted(&repo, REPO, reason, before).await;
    }
    let logic_cases = [
        ("handshake", Caller::Plain),
        ("no_certificate", Caller::NoCertificate),
        (UNTRUSTED, Caller::As(foreign(PeerRole::Gateway))),
        ("wrong_role", Caller::As(load(&certs, PeerRole::Task))),
        ("wrong_role", Caller::As(load(&certs, PeerRole::Repo))),
    ];
    for (reason, caller) in &logic_cases {
        let before = refused(&logic, LOGIC, reason).await;
        let client = LogicClient::new(
            channel(&certs, &logic_addr, PeerRole::Logic, caller),
            TIMEOUT,
        );
        let err = client.user(&UserId::generate()).await.unwrap_err();
        assert_eq!(
            err.kind,
            ferrochat_domain::ErrorKind::Internal,
            "{reason}: {err:?}"
        );
        counted(&logic, LOGIC, reason, before).await;
    }
}

#[tokio::test]
async fn the_metrics_ports_serve_only_metrics_and_health() {
    let cluster = Cluster::new(&[]).await;
    let repo = cluster.start("repo", "repo-1").await;
    let http = reqwest::Client::new();
    for path in ["/metrics", "/live", "/ready", "/health"] {
        let r = http
            .get(format!("{}{path}", repo.metrics))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }
    for path in ["/", "/v1/users", "/ws", "/debug/pprof", "/admin"] {
        let r = http
            .get(format!("{}{path}", repo.metrics))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = http
        .post(format!("{}/metrics", repo.metrics))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405, "POST /metrics");
}

/// `ferrochat repo` on `grpc_listen` with `extra` settings: the child,
/// its stdout lines (JSON logs) and stderr.
fn repo_on(
    grpc_listen: &str,
    dir: &std::path::Path,
    extra: &[(&str, &str)],
) -> std::process::Child {
    let mut command = std::process::Command::new(crate::procs::BIN);
    command
        .arg("repo")
        .env("FERROCHAT_REPO__GRPC_LISTEN", grpc_listen)
        .env("FERROCHAT_METRICS_LISTEN", "127.0.0.1:0")
        .env("FERROCHAT_DATA_DIR", dir)
        .env("FERROCHAT_LOG__FORMAT", "json")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in extra {
        command.env(format!("FERROCHAT_{k}"), v);
    }
    command.spawn().expect("the binary starts")
}

#[test]
fn an_exposed_role_without_internal_tls_refuses_to_start_unless_told_so_in_so_many_words() {
    use std::io::{BufRead as _, BufReader};

    let dir = tempfile::tempdir().unwrap();
    let out = repo_on("0.0.0.0:0", dir.path(), &[])
        .wait_with_output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(
        stderr.contains("repo.grpc_listen") && stderr.contains("internal_tls"),
        "{stderr}"
    );

    // Said in so many words: it starts, and warns.
    let mut child = repo_on("0.0.0.0:0", dir.path(), &[("INSECURE_INTERNAL", "true")]);
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut warned = false;
    for line in lines {
        let line = line.unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).expect("log lines are JSON");
        if v["level"] == "WARN" && line.contains("insecure_internal") {
            warned = true;
        }
        if v["message"] == "listening" {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned, "no warning before listening");

    // On loopback only, no TLS is needed (a cluster on one machine).
    let mut child = repo_on("127.0.0.1:0", dir.path(), &[]);
    let listening = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("\"listening\""));
    let _ = child.kill();
    let _ = child.wait();
    assert!(listening, "a loopback repo did not start");
}
