//! TLS to Redis (`rediss://`): the server is verified against the
//! system's roots, or only against a CA of the deployer's (a managed
//! Redis with a private CA); a client certificate is shown if Redis asks
//! for one (`tls-auth-clients`).

use redis::{ClientTlsConfig, ConnectionInfo, RedisResult, TlsCertificates};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// What of a [`RedisTls`] is not usable PEM.
#[derive(Debug, thiserror::Error)]
pub enum RedisTlsError {
    #[error("the CA is not PEM certificates: {0}")]
    Ca(String),
    #[error("the client certificate is not PEM certificates: {0}")]
    Cert(String),
    #[error("the client key is not a PEM private key: {0}")]
    Key(String),
}

/// The CA to trust instead of the system's roots, and a client
/// certificate chain with its key; all PEM, checked by [`RedisTls::new`],
/// so a bad file stops the start, never a later reconnect.
#[derive(Clone, Default)]
pub struct RedisTls {
    ca_pem: Option<Vec<u8>>,
    client: Option<(Vec<u8>, Vec<u8>)>,
}

impl RedisTls {
    /// Checks that each part parses: at least one certificate in `ca_pem`
    /// and in the client chain, and a private key.
    pub fn new(
        ca_pem: Option<Vec<u8>>,
        client: Option<(Vec<u8>, Vec<u8>)>,
    ) -> Result<Self, RedisTlsError> {
        if let Some(pem) = &ca_pem {
            certificates(pem).map_err(RedisTlsError::Ca)?;
        }
        if let Some((cert, key)) = &client {
            certificates(cert).map_err(RedisTlsError::Cert)?;
            PrivateKeyDer::from_pem_slice(key).map_err(|e| RedisTlsError::Key(e.to_string()))?;
        }
        Ok(Self { ca_pem, client })
    }
}

/// At least one certificate, and nothing unreadable.
fn certificates(pem: &[u8]) -> Result<(), String> {
    let found = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if found.is_empty() {
        return Err("no CERTIFICATE block".to_owned());
    }
    Ok(())
}

impl std::fmt::Debug for RedisTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTls")
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "[set]"))
            .field("client", &self.client.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// The client for `info`: plain, or `rediss://` with the system's roots,
/// when `tls` is `None`; else `rediss://` with its CA and certificate (a
/// `redis://` URL is then refused, so TLS asked for is never dropped).
pub(crate) fn client(info: ConnectionInfo, tls: Option<&RedisTls>) -> RedisResult<redis::Client> {
    // The redis crate builds its TLS config on rustls' process-wide
    // provider: make that ring, the one the rest of ferrochat uses,
    // whatever else may enable another. Already installed is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(tls) = tls else {
        return redis::Client::open(info);
    };
    let certificates = TlsCertificates {
        client_tls: tls.client.clone().map(|(cert, key)| ClientTlsConfig {
            client_cert: cert,
            client_key: key,
        }),
        root_cert: tls.ca_pem.clone(),
    };
    redis::Client::build_with_tls(info, certificates)
}
