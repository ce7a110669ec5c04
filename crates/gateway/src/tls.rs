//! HTTPS and WSS on the public listener (`[tls] cert`, `key`): rustls,
//! from PEM files, read again on SIGHUP so a renewed certificate is served
//! without a restart. A reload that fails (a missing file, a key that does
//! not match) keeps the certificate being served and logs why: a renewal
//! gone wrong must not take the listener down.
//!
//! The handshake runs in the connection's own task (`edge.rs`), bounded by
//! `gateway.header_read_timeout` like a request head, so a client that
//! never finishes it holds only its own connection slot.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// The listener's certificate chain and key, as PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {why}")]
    File { path: String, why: String },
    #[error("the key does not fit the certificate, or its kind is not supported: {0}")]
    Key(String),
}

/// Whether `files` can be served: read and checked as a start would.
pub fn check_tls(files: &ListenerTls) -> Result<(), TlsError> {
    certified_key(files).map(|_| ())
}

/// What serves the handshakes: the acceptor, and the certificate it
/// hands out, which `reload` replaces.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    current: Arc<Current>,
}

impl Tls {
    /// Reads the files; an error here stops the start (the operator named
    /// files that do not work).
    pub(crate) fn load(files: &ListenerTls) -> Result<Self, TlsError> {
        let current = Arc::new(Current {
            files: files.clone(),
            key: RwLock::new(Arc::new(certified_key(files)?)),
        });
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| TlsError::Key(e.to_string()))?
                .with_no_client_auth()
                .with_cert_resolver(current.clone());
        // HTTP/1.1 only, as over plain TCP (WebSocket upgrades included).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            current,
        })
    }

    /// Reads the files again; on failure the served certificate stays.
    pub(crate) fn reload(&self) -> Result<(), TlsError> {
        let fresh = certified_key(&self.current.files)?;
        if let Ok(mut key) = self.current.key.write() {
            *key = Arc::new(fresh);
        }
        Ok(())
    }

    /// Reloads on every SIGHUP until `stop`.
    pub(crate) async fn reload_on_hangup(self, stop: CancellationToken) {
        let mut hangups = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::hangup(),
        ) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "no SIGHUP handler: the TLS certificate is not reloaded");
                return;
            }
        };
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                got = hangups.recv() => if got.is_none() { return },
            }
            match self.reload() {
                Ok(()) => {
                    tracing::info!("SIGHUP: TLS certificate reloaded");
                    metrics::counter!("ferrochat_tls_reloads_total", "outcome" => "ok")
                        .increment(1);
                }
                Err(e) => {
                    tracing::error!(error = %e, "SIGHUP: TLS certificate not reloaded, the old one is still served");
                    metrics::counter!("ferrochat_tls_reloads_total", "outcome" => "failed")
                        .increment(1);
                }
            }
        }
    }
}

/// The certificate served now, and where it came from.
#[derive(Debug)]
struct Current {
    files: ListenerTls,
    key: RwLock<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for Current {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.key.read().ok().map(|k| Arc::clone(&k))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e: io::Error| TlsError::File {
        path: path.display().to_string(),
        why: e.to_string(),
    })
}

/// The chain and key of `files`, checked to belong together.
fn certified_key(files: &ListenerTls) -> Result<CertifiedKey, TlsError> {
    let cert_pem = read(&files.cert)?;
    let key_pem = read(&files.key)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::File {
            path: files.cert.display().to_string(),
            why: format!("not PEM certificates: {e}"),
        })?;
    if chain.is_empty() {
        return Err(TlsError::File {
            path: files.cert.display().to_string(),
            why: "holds no certificate".to_owned(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::File {
        path: files.key.display().to_string(),
        why: format!("holds no private key: {e}"),
    })?;
    let provider = rustls::crypto::ring::default_provider();
    let certified =
        CertifiedKey::from_der(chain, key, &provider).map_err(|e| TlsError::Key(e.to_string()))?;
    Ok(certified)
}
