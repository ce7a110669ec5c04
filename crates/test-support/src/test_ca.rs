//! A throwaway CA for tests of TLS: servers get a certificate for
//! 127.0.0.1 and localhost, clients one of their own, and a test that
//! wants a refusal makes a second CA nobody trusts.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A CA: its certificate (PEM) and what signs with its key.
pub struct TestCa {
    pub cert_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate and its key, as PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A certificate, its key and the CA, written as files.
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCa {
    pub fn new(name: &str) -> Self {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        p.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = p.self_signed(&key).unwrap();
        Self {
            cert_pem: cert.pem(),
            issuer: Issuer::new(p, key),
        }
    }

    /// A certificate for `names` (DNS names or IP addresses), good for a
    /// server and a client.
    pub fn leaf(&self, common_name: &str, names: &[&str]) -> Leaf {
        let names = names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let mut p = CertificateParams::new(names).unwrap();
        p.distinguished_name.push(DnType::CommonName, common_name);
        p.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let key = KeyPair::generate().unwrap();
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A server certificate for 127.0.0.1 and localhost, written with
    /// this CA into `dir` as `{stem}.crt`, `{stem}.key` and `ca.crt`.
    pub fn write_server(&self, dir: &Path, stem: &str) -> TlsFiles {
        let leaf = self.leaf(stem, &["127.0.0.1", "localhost"]);
        self.write(dir, stem, &leaf)
    }

    /// `leaf` written with this CA into `dir`, as `write_server` does.
    pub fn write(&self, dir: &Path, stem: &str, leaf: &Leaf) -> TlsFiles {
        let files = TlsFiles {
            ca: dir.join("ca.crt"),
            cert: dir.join(format!("{stem}.crt")),
            key: dir.join(format!("{stem}.key")),
        };
        std::fs::write(&files.ca, &self.cert_pem).unwrap();
        std::fs::write(&files.cert, &leaf.cert_pem).unwrap();
        std::fs::write(&files.key, &leaf.key_pem).unwrap();
        files
    }
}
