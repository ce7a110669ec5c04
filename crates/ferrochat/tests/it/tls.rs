//! HTTPS and WSS on the listener (`[tls] cert`, `key`), with a CA made
//! here: the built binary serves its certificate to clients that trust
//! only that CA, refuses plain HTTP on the same port, serves a renewed
//! certificate after SIGHUP, keeps the old one when the new files are
//! broken, and refuses to start on a half or a bad `[tls]` (exit 64
//! naming the key).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::Message;

use crate::binary::Server;
use ferrochat_test_support::TestCa;

const BIN: &str = env!("CARGO_BIN_EXE_ferrochat");

/// A CA: its certificate (PEM) and what signs with its key.
fn authority() -> (String, TestCa) {
    let ca = TestCa::new("ferrochat test CA");
    (ca.cert_pem.clone(), ca)
}

/// A server certificate for 127.0.0.1 and localhost, and its key (PEM).
fn leaf(ca: &TestCa, name: &str) -> (String, String) {
    let leaf = ca.leaf(name, &["127.0.0.1", "localhost"]);
    (leaf.cert_pem, leaf.key_pem)
}

fn write_pair(dir: &Path, (cert, key): &(String, String)) {
    std::fs::write(dir.join("cert.pem"), cert).unwrap();
    std::fs::write(dir.join("key.pem"), key).unwrap();
}

fn client_config(ca_pem: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    Arc::new(config)
}

/// A TLS connection to `addr` that trusts only `ca_pem`.
async fn connect(addr: &str, ca_pem: &str) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    TlsConnector::from(client_config(ca_pem))
        .connect(name, tcp)
        .await
        .expect("TLS handshake with the server")
}

/// The certificate the server hands out now (DER).
async fn served(addr: &str, ca_pem: &str) -> Vec<u8> {
    let tls = connect(addr, ca_pem).await;
    tls.get_ref().1.peer_certificates().unwrap()[0].to_vec()
}

fn der(cert_pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(cert_pem.as_bytes())
        .unwrap()
        .to_vec()
}

fn hangup(server: &Server) {
    let ok = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[tokio::test]
async fn the_listener_speaks_https_and_wss_and_takes_a_renewed_certificate_on_sighup() {
    let data = tempfile::tempdir().unwrap();
    let certs = tempfile::tempdir().unwrap();
    let (ca_pem, ca) = authority();
    let first = leaf(&ca, "first");
    write_pair(certs.path(), &first);
    let cert = certs.path().join("cert.pem");
    let key = certs.path().join("key.pem");
    let server = Server::start_with(
        data.path(),
        &[
            ("FERROCHAT_TLS__CERT", cert.to_str().unwrap()),
            ("FERROCHAT_TLS__KEY", key.to_str().unwrap()),
        ],
    );
    let base = format!("https://{}", server.addr);
    let https = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();

    // HTTPS: the API as over plain HTTP.
    let r: Value = https
        .post(format!("{base}/api/v1/users/register"))
        .json(&json!({"username": "tls_user", "password": "correct horse battery"}))
        .send()
        .await
        .expect("an HTTPS request")
        .json()
        .await
        .unwrap();
    assert_eq!(r["code"], 0, "{r}");
    let login: Value = https
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "tls_user", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["access_token"].as_str().unwrap().to_owned();
    // Plain HTTP on the same port gets no answer.
    let plain = reqwest::Client::new()
        .get(format!("http://{}/health", server.addr))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(
        plain.is_err() || !plain.unwrap().status().is_success(),
        "plain HTTP answered on a TLS listener"
    );
    // A client that does not trust the CA is refused at the handshake.
    let (other_ca, _) = authority();
    let tcp = TcpStream::connect(&server.addr).await.unwrap();
    let refused = TlsConnector::from(client_config(&other_ca))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await;
    assert!(
        refused.is_err(),
        "a certificate from an untrusted CA was accepted"
    );

    // WSS: a socket over TLS, frames as usual.
    let tls = connect(&server.addr, &ca_pem).await;
    let url = format!("wss://{}/ws?token={token}", server.addr);
    let (mut ws, _) = tokio_tungstenite::client_async(url, tls)
        .await
        .expect("a WebSocket over TLS");
    ws.send(Message::text(
        json!({"type": "ping", "id": "p1"}).to_string(),
    ))
    .await
    .unwrap();
    let pong = loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame in time")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = m {
            let f: Value = serde_json::from_str(t.as_str()).unwrap();
            if f["id"] == "p1" {
                break f;
            }
        }
    };
    assert_eq!(pong["type"], "pong");

    // A renewed certificate is served after SIGHUP, the socket stays.
    assert_eq!(served(&server.addr, &ca_pem).await, der(&first.0));
    let second = leaf(&ca, "second");
    write_pair(certs.path(), &second);
    hangup(&server);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while served(&server.addr, &ca_pem).await != der(&second.0) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the renewed certificate was not served after SIGHUP"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ws.send(Message::text(
        json!({"type": "ping", "id": "p2"}).to_string(),
    ))
    .await
    .expect("the socket outlives the reload");

    // Broken files: the reload fails, the last good certificate stays.
    std::fs::write(&key, "not a key").unwrap();
    hangup(&server);
    let metrics = loop {
        let text = https
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("still served over TLS")
            .text()
            .await
            .unwrap();
        if text.contains("ferrochat_tls_reloads_total{outcome=\"failed\"}") {
            break text;
        }
        assert!(
            tokio::time::Instant::now() < deadline + Duration::from_secs(10),
            "the failed reload was never counted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(metrics.contains("ferrochat_tls_reloads_total{outcome=\"ok\"} 1"));
    assert_eq!(served(&server.addr, &ca_pem).await, der(&second.0));
}

#[test]
fn half_or_bad_tls_settings_exit_64_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let run = |env: &[(&str, &str)]| {
        let mut c = Command::new(BIN);
        c.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path());
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&[("FERROCHAT_TLS__CERT", "/nonexistent/cert.pem")]);
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("tls.key"), "{err}");
    let (code, err) = run(&[
        ("FERROCHAT_TLS__CERT", "/nonexistent/cert.pem"),
        ("FERROCHAT_TLS__KEY", "/nonexistent/key.pem"),
    ]);
    assert_eq!(code, Some(64), "{err}");
    assert!(
        err.contains("tls") && err.contains("/nonexistent/cert.pem"),
        "{err}"
    );
    // A key that is not the certificate's.
    let (ca_pem, ca) = authority();
    let (cert, _) = leaf(&ca, "a");
    let (_, other_key) = leaf(&ca, "b");
    std::fs::write(dir.path().join("c.pem"), cert).unwrap();
    std::fs::write(dir.path().join("k.pem"), other_key).unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca_pem).unwrap();
    let c = dir.path().join("c.pem");
    let k = dir.path().join("k.pem");
    let (code, err) = run(&[
        ("FERROCHAT_TLS__CERT", c.to_str().unwrap()),
        ("FERROCHAT_TLS__KEY", k.to_str().unwrap()),
    ]);
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("tls"), "{err}");
}
