//! Internal TLS on real loopback sockets: the repo answers logic and task
//! and refuses, in the handshake, a gateway, a caller with no
//! certificate, one from another CA and one speaking plain HTTP/2; logic
//! answers gateways only; a client refuses a server that cannot prove the
//! role it dialled (a fake logic registered in discovery); and each
//! refusal is counted by its reason where it happened.

use std::time::Duration;

use ferrochat_domain::{ErrorKind, UserId};
use ferrochat_ports::{AccountStore, AccountsApi, StoreError};
use ferrochat_rpc::tls::pki::Authority;
use ferrochat_rpc::{
    endpoint, ClientTls, InternalTls, Listener, LogicClient, PeerRole, RepoClient, RetryConfig,
};
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint};

use crate::balance::{config, logic, Listed};
use crate::fake::{serve_on, Fake};
use crate::repo::Repo;
use crate::scrape::{recorder, value};

const DOMAIN: &str = "test.internal";
const TIMEOUT: Duration = Duration::from_secs(10);
/// Hang guard for a counter the server bumps after the client saw the
/// refusal.
const PATIENCE: Duration = Duration::from_secs(20);

/// One cluster's CA, and another cluster's.
struct Pki {
    ca: Authority,
    other: Authority,
}

impl Pki {
    fn new() -> Self {
        Self {
            ca: Authority::generate(DOMAIN, 1).unwrap(),
            other: Authority::generate(DOMAIN, 1).unwrap(),
        }
    }

    fn role(&self, role: PeerRole) -> InternalTls {
        load(&self.ca, role)
    }

    /// A role of another cluster: same trust domain, another CA.
    fn foreign(&self, role: PeerRole) -> InternalTls {
        load(&self.other, role)
    }
}

fn load(ca: &Authority, role: PeerRole) -> InternalTls {
    let issued = ca.issue(role, 1).unwrap();
    InternalTls::from_pem(
        role,
        DOMAIN,
        ca.cert_pem().as_bytes(),
        issued.cert_pem.as_bytes(),
        issued.key_pem.as_bytes(),
    )
    .unwrap()
}

/// Refusals counted for `reasons` (`a|b`: either).
fn refused(service: &str, reasons: &str) -> f64 {
    reasons
        .split('|')
        .map(|reason| {
            value(
                "ferrochat_rpc_tls_refused_total",
                &[("service", service), ("reason", reason)],
            )
            .unwrap_or(0.0)
        })
        .sum()
}

/// Waits until the server has counted one more refusal for `reason`.
async fn counted(service: &str, reason: &str, before: f64) {
    tokio::time::timeout(PATIENCE, async {
        while refused(service, reason) < before + 1.0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| {
        let counted: Vec<String> = crate::scrape::recorder()
            .render()
            .lines()
            .filter(|l| l.starts_with("ferrochat_rpc_tls_refused_total"))
            .map(str::to_owned)
            .collect();
        panic!("{service} never counted a {reason} refusal; counted: {counted:#?}")
    });
}

/// A caller of another CA: in TLS 1.3 it checks the server's certificate
/// first, refuses it and hangs up; the server counts `untrusted` when the
/// caller's alert arrives, `handshake` when the connection closed first.
const UNTRUSTED: &str = "untrusted|handshake";

const REPO: &str = "ferrochat.v1.RepoService";
const LOGIC: &str = "ferrochat.v1.LogicService";

fn repo_client(repo: &Repo, tls: Option<&ClientTls>) -> RepoClient {
    let channel = endpoint(&repo.addr.to_string(), TIMEOUT, tls)
        .unwrap()
        .connect_lazy();
    RepoClient::new(channel, TIMEOUT, brief())
}

/// A refused caller is not an outage worth waiting out here: one attempt
/// or two, then the error.
fn brief() -> RetryConfig {
    RetryConfig {
        deadline: Duration::from_millis(500),
        ..RetryConfig::default()
    }
}

/// TLS with the cluster's CA but no certificate of its own.
fn anonymous(pki: &Pki, server: PeerRole) -> ClientTlsConfig {
    ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(pki.ca.cert_pem()))
        .domain_name(server.identity(DOMAIN))
}

#[tokio::test]
async fn the_repo_answers_logic_and_task_and_refuses_anyone_else() {
    recorder();
    let pki = Pki::new();
    let server = pki
        .role(PeerRole::Repo)
        .server(&[PeerRole::Logic, PeerRole::Task])
        .unwrap();
    let repo = Repo::start_on(|l| Listener::Tls(l, server)).await;
    for role in [PeerRole::Logic, PeerRole::Task] {
        let client = repo_client(&repo, Some(&pki.role(role).client(PeerRole::Repo)));
        assert_eq!(
            client.user(&UserId::generate()).await.unwrap(),
            None,
            "{role} is served"
        );
    }

    // The issue's attack: the password hash of a user, asked by a caller
    // that is not logic.
    let cases: Vec<(&str, RepoClient)> = vec![
        ("handshake", repo_client(&repo, None)),
        (
            "no_certificate",
            RepoClient::new(
                Endpoint::from_shared(format!("https://{}", repo.addr))
                    .unwrap()
                    .tls_config(anonymous(&pki, PeerRole::Repo))
                    .unwrap()
                    .connect_lazy(),
                TIMEOUT,
                brief(),
            ),
        ),
        (
            UNTRUSTED,
            repo_client(
                &repo,
                Some(&pki.foreign(PeerRole::Logic).client(PeerRole::Repo)),
            ),
        ),
        (
            "wrong_role",
            repo_client(
                &repo,
                Some(&pki.role(PeerRole::Gateway).client(PeerRole::Repo)),
            ),
        ),
    ];
    for (reason, client) in cases {
        let before = refused(REPO, reason);
        // Refused in the handshake: no answer, only a transport error
        // (unavailable, or an h2 protocol error when plain HTTP/2 met
        // the server's TLS alert).
        match client.credentials("victim").await {
            Err(StoreError::Unavailable(_) | StoreError::Other(_)) => {}
            other => panic!("{reason}: the repo answered: {other:?}"),
        }
        counted(REPO, reason, before).await;
    }
    repo.stop().await;
}

#[tokio::test]
async fn logic_answers_gateways_only() {
    recorder();
    let pki = Pki::new();
    let server = pki
        .role(PeerRole::Logic)
        .server(&[PeerRole::Gateway])
        .unwrap();
    let fake = Fake::new();
    let served = serve_on(fake.clone(), |l| Listener::Tls(l, server)).await;
    let client_as = |tls: &InternalTls| {
        let channel = endpoint(
            &served.addr.to_string(),
            TIMEOUT,
            Some(&tls.client(PeerRole::Logic)),
        )
        .unwrap()
        .connect_lazy();
        LogicClient::new(channel, TIMEOUT)
    };
    // The fake answers every call with NotFound: the call got through.
    let gateway = client_as(&pki.role(PeerRole::Gateway));
    let err = gateway.user(&UserId::generate()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(fake.calls(), 1);

    for role in [PeerRole::Logic, PeerRole::Repo, PeerRole::Task] {
        let before = refused(LOGIC, "wrong_role");
        let err = client_as(&pki.role(role))
            .user(&UserId::generate())
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Internal, "{role}: {err:?}");
        counted(LOGIC, "wrong_role", before).await;
    }
    let before = refused(LOGIC, UNTRUSTED);
    let err = client_as(&pki.foreign(PeerRole::Gateway))
        .user(&UserId::generate())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal, "{err:?}");
    counted(LOGIC, UNTRUSTED, before).await;
    assert_eq!(fake.calls(), 1, "no refused call reached logic");
}

#[tokio::test]
async fn a_balanced_gateway_calls_logic_over_tls_and_never_a_server_of_another_role() {
    let pki = Pki::new();
    let real = Fake::new();
    let real_tls = pki
        .role(PeerRole::Logic)
        .server(&[PeerRole::Gateway])
        .unwrap();
    let real_served = serve_on(real.clone(), |l| Listener::Tls(l, real_tls)).await;
    // Registered in discovery as a logic, but holding a task's
    // certificate (or another cluster's logic certificate).
    let impostor = Fake::new();
    let impostor_tls = pki
        .role(PeerRole::Task)
        .server(&[PeerRole::Gateway])
        .unwrap();
    let impostor_served = serve_on(impostor.clone(), |l| Listener::Tls(l, impostor_tls)).await;
    let foreign = Fake::new();
    let foreign_tls = pki
        .foreign(PeerRole::Logic)
        .server(&[PeerRole::Gateway])
        .unwrap();
    let foreign_served = serve_on(foreign.clone(), |l| Listener::Tls(l, foreign_tls)).await;

    let listed = Listed::new(vec![
        logic("real", real_served.addr),
        logic("impostor", impostor_served.addr),
        logic("foreign", foreign_served.addr),
    ]);
    let client = LogicClient::balanced_with(
        listed,
        config(),
        Some(pki.role(PeerRole::Gateway).client(PeerRole::Logic)),
    )
    .unwrap();
    // `user` is idempotent: a call that meets an impostor is retried
    // elsewhere, and the impostors' breakers open; a call whose every
    // attempt met one fails as unreachable (internal).
    let mut answered = 0;
    tokio::time::timeout(PATIENCE, async {
        while answered < 20 {
            let err = client.user(&UserId::generate()).await.unwrap_err();
            match err.kind {
                ErrorKind::NotFound => answered += 1,
                ErrorKind::Internal => {}
                other => panic!("unexpected {other:?}: {err:?}"),
            }
        }
    })
    .await
    .expect("the real logic kept answering");
    assert_eq!(real.calls(), 20);
    assert_eq!(impostor.calls(), 0, "a task posing as logic got a call");
    assert_eq!(foreign.calls(), 0, "another cluster's logic got a call");
}
