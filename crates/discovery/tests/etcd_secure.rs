//! EtcdDiscovery against an etcd of this test's own, secured as a
//! deployment should run it: TLS with client certificates
//! (`--client-cert-auth`) and etcd's auth on, the ferrochat user allowed
//! only its key prefix. Registered and listed as that user, over TLS;
//! refused without the user, with a wrong password, without a client
//! certificate, against another CA, and over plain HTTP.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ferrochat_discovery::{Credentials, EtcdConfig, EtcdDiscovery, EtcdTls};
use ferrochat_ports::discovery::{Discovery, Instance};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair,
};

const PREFIX: &str = "secure/";
const USER: &str = "ferrochat";
const PASSWORD: &str = "etcd-test-password";
const ROOT_PASSWORD: &str = "etcd-root-password";

/// A CA and a certificate with its key, as PEM.
struct Pem {
    cert: String,
    key: String,
}

fn ca() -> (Pem, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let pem = Pem {
        cert: cert.pem(),
        key: key.serialize_pem(),
    };
    (pem, Issuer::new(params, key))
}

fn leaf(issuer: &Issuer<'static, KeyPair>, names: &[&str]) -> Pem {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    // No common name: with auth on, etcd's JSON gateway refuses a client
    // certificate that has one ("CommonName of client sending a request
    // against gateway will be ignored").
    params.distinguished_name = DistinguishedName::new();
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    Pem {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// An etcd with TLS and client certificates, auth on. Killed on drop.
struct SecureEtcd {
    child: Child,
    url: String,
    ca: Pem,
    client: Pem,
    _dir: tempfile::TempDir,
}

impl Drop for SecureEtcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SecureEtcd {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ca, issuer) = ca();
        let server = leaf(&issuer, &["127.0.0.1", "localhost"]);
        let client = leaf(&issuer, &["client.test"]);
        let d = dir.path();
        let (ca_file, cert, key) = (
            write(d, "ca.pem", &ca.cert),
            write(d, "server.pem", &server.cert),
            write(d, "server.key", &server.key),
        );
        let (client_cert, client_key) = (
            write(d, "client.pem", &client.cert),
            write(d, "client.key", &client.key),
        );
        let (port, peer) = (free_port(), free_port());
        let url = format!("https://127.0.0.1:{port}");
        let peer_url = format!("http://127.0.0.1:{peer}");
        let child = Command::new("etcd")
            .args(["--name", "n1", "--data-dir"])
            .arg(d.join("data"))
            .args([
                "--listen-client-urls",
                &url,
                "--advertise-client-urls",
                &url,
            ])
            .args(["--listen-peer-urls", &peer_url])
            .args(["--initial-advertise-peer-urls", &peer_url])
            .args(["--initial-cluster", &format!("n1={peer_url}")])
            .arg("--cert-file")
            .arg(&cert)
            .arg("--key-file")
            .arg(&key)
            .arg("--trusted-ca-file")
            .arg(&ca_file)
            .args(["--client-cert-auth", "--logger=zap", "--unsafe-no-fsync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("etcd starts (Debian's etcd-server)");
        let etcd = Self {
            child,
            url,
            ca,
            client,
            _dir: dir,
        };
        let ctl = |args: &[&str]| -> bool {
            Command::new("etcdctl")
                .env("ETCDCTL_API", "3")
                .arg(format!("--endpoints={}", etcd.url))
                .arg("--cacert")
                .arg(&ca_file)
                .arg("--cert")
                .arg(&client_cert)
                .arg("--key")
                .arg(&client_key)
                .args(["--dial-timeout", "2s"])
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while !ctl(&["endpoint", "health"]) {
            assert!(tokio::time::Instant::now() < deadline, "etcd never came up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let range_end = "secure0"; // the prefix "secure/" with '/' + 1
        for args in [
            vec!["user", "add", &format!("root:{ROOT_PASSWORD}")],
            vec!["user", "add", &format!("{USER}:{PASSWORD}")],
            vec!["role", "add", "ferrochat"],
            vec![
                "role",
                "grant-permission",
                "ferrochat",
                "readwrite",
                PREFIX,
                range_end,
            ],
            vec!["user", "grant-role", USER, "ferrochat"],
            vec!["auth", "enable"],
        ] {
            assert!(ctl(&args), "etcdctl {args:?}");
        }
        etcd
    }

    fn tls(&self) -> EtcdTls {
        EtcdTls {
            ca_pem: Some(self.ca.cert.clone().into_bytes()),
            identity_pem: Some(format!("{}\n{}", self.client.cert, self.client.key).into_bytes()),
        }
    }

    fn config(&self, user: Option<(&str, &str)>, tls: Option<EtcdTls>) -> EtcdConfig {
        EtcdConfig {
            url: self.url.clone(),
            prefix: PREFIX.to_owned(),
            timeout: Duration::from_secs(5),
            user: user.map(|(name, password)| Credentials {
                name: name.to_owned(),
                password: password.to_owned(),
            }),
            tls,
        }
    }
}

fn instance() -> Instance {
    Instance {
        role: "logic".into(),
        id: "logic-1".into(),
        addr: "127.0.0.1:9001".into(),
    }
}

async fn register(config: &EtcdConfig) -> Result<(), String> {
    let d = EtcdDiscovery::new(config).map_err(|e| e.to_string())?;
    d.register(instance(), Duration::from_secs(10))
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_user_over_tls_registers_and_lists_and_nobody_else_does() {
    let etcd = SecureEtcd::start().await;

    let good = etcd.config(Some((USER, PASSWORD)), Some(etcd.tls()));
    let d = EtcdDiscovery::new(&good).unwrap();
    d.register(instance(), Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(d.instances("logic").await.unwrap(), vec![instance()]);

    // The user named in the URL instead, percent-encoded.
    let in_url = EtcdConfig {
        url: etcd.url.replace(
            "https://",
            &format!("https://{USER}:{}@", PASSWORD.replace('-', "%2D")),
        ),
        ..etcd.config(None, Some(etcd.tls()))
    };
    let listed = EtcdDiscovery::new(&in_url)
        .unwrap()
        .instances("logic")
        .await
        .unwrap();
    assert_eq!(listed, vec![instance()]);

    let no_user = etcd.config(None, Some(etcd.tls()));
    assert!(register(&no_user).await.is_err(), "no user");
    let wrong = etcd.config(Some((USER, "not-the-password")), Some(etcd.tls()));
    let refused = register(&wrong).await.unwrap_err();
    assert!(refused.contains("wrong name or password"), "{refused}");
    assert!(!refused.contains("not-the-password"), "{refused}");

    let no_client_cert = EtcdTls {
        identity_pem: None,
        ..etcd.tls()
    };
    let no_cert = etcd.config(Some((USER, PASSWORD)), Some(no_client_cert));
    assert!(register(&no_cert).await.is_err(), "no client certificate");

    let (other_ca, _) = ca();
    let other = EtcdTls {
        ca_pem: Some(other_ca.cert.into_bytes()),
        ..etcd.tls()
    };
    let untrusted = etcd.config(Some((USER, PASSWORD)), Some(other));
    assert!(register(&untrusted).await.is_err(), "etcd's CA not trusted");

    let plain = EtcdConfig {
        url: etcd.url.replace("https://", "http://"),
        ..etcd.config(Some((USER, PASSWORD)), None)
    };
    assert!(register(&plain).await.is_err(), "plain HTTP");

    // The user may not write outside its prefix.
    let elsewhere = EtcdConfig {
        prefix: "other/".to_owned(),
        ..good
    };
    assert!(register(&elsewhere).await.is_err(), "outside its prefix");
}
