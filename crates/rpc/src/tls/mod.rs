//! Mutual TLS between the cluster's roles: every role has a certificate
//! from the cluster's CA naming its role, and each server accepts only the
//! roles that may call it.
//!
//! A role's identity is the DNS name `<role>.<trust domain>` among its
//! certificate's subject alternative names (`logic.ferrochat.internal`).
//! Names, not addresses: instances come and go at addresses discovery
//! hands out, so a client checks that its peer is a logic (or a repo),
//! whatever its address, and a server that its caller is a gateway (or
//! logic, or task). A cluster's own trust domain keeps another cluster's
//! roles out even when both have certificates from one CA.
//!
//! - [`InternalTls`]: this process's CA, certificate and key, checked at
//!   load (its certificate must chain to the CA and name its role);
//! - [`ServerTls`] (from [`InternalTls::server`]): the rustls config a
//!   server accepts with; `verify.rs` refuses a caller of another role in
//!   the handshake, `accept.rs` runs the handshakes and counts refusals;
//! - [`ClientTls`] (from [`InternalTls::client`]): what a client dials
//!   with (tonic's rustls connector), expecting a peer of one role;
//! - `pki.rs`: a CA and role certificates for a local or test cluster
//!   (`ferrochat certs`).

mod accept;
pub mod pki;
mod verify;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::ServerCertVerifier as _;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::server::danger::ClientCertVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio_rustls::TlsAcceptor;
use tonic::transport::{Certificate, ClientTlsConfig, Identity};

pub(crate) use accept::incoming;

/// The trust domain when none is configured.
pub const DEFAULT_TRUST_DOMAIN: &str = "ferrochat.internal";

/// How long a peer may take to finish a handshake, each way.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `trust_domain` can name roles: a DNS name such as
/// `ferrochat.internal` (no trailing dot, no wildcard, not an address).
pub fn check_trust_domain(trust_domain: &str) -> Result<(), TlsError> {
    let bad = || TlsError::TrustDomain(trust_domain.to_owned());
    if trust_domain.is_empty() || trust_domain.ends_with('.') || trust_domain.contains('*') {
        return Err(bad());
    }
    match ServerName::try_from(PeerRole::Logic.identity(trust_domain)) {
        Ok(ServerName::DnsName(_)) => Ok(()),
        _ => Err(bad()),
    }
}

/// A cluster role, as its certificate names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerRole {
    Gateway,
    Logic,
    Repo,
    Task,
}

impl PeerRole {
    pub const ALL: [PeerRole; 4] = [Self::Gateway, Self::Logic, Self::Repo, Self::Task];

    pub fn name(self) -> &'static str {
        match self {
            Self::Gateway => "gateway",
            Self::Logic => "logic",
            Self::Repo => "repo",
            Self::Task => "task",
        }
    }

    /// The role named `name` (`gateway`, `logic`, `repo`, `task`).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Whether the role calls others (its certificate is a client's).
    pub fn calls(self) -> bool {
        matches!(self, Self::Gateway | Self::Logic | Self::Task)
    }

    /// Whether others call the role (its certificate is a server's).
    pub fn serves(self) -> bool {
        matches!(self, Self::Logic | Self::Repo)
    }

    /// The DNS name that identifies this role in `trust_domain`.
    pub fn identity(self, trust_domain: &str) -> String {
        format!("{}.{trust_domain}", self.name())
    }
}

impl fmt::Display for PeerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why internal TLS cannot be set up. Messages name what is wrong, never
/// a key's bytes.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("the CA file holds no PEM certificate")]
    NoCa,
    #[error("the certificate file holds no PEM certificate")]
    NoCertificate,
    #[error("the key file holds no PEM private key")]
    NoKey,
    #[error("{0:?} is not a valid trust domain (a DNS name such as ferrochat.internal)")]
    TrustDomain(String),
    #[error("the certificate is not signed by the CA, or is not valid now: {0}")]
    Untrusted(String),
    #[error("the certificate does not name the {role} role: it has no DNS name {identity}")]
    WrongRole { role: PeerRole, identity: String },
    #[error("the certificate and key do not go together, or are not usable: {0}")]
    Unusable(String),
    #[error("generating certificates: {0}")]
    Generate(String),
}

/// This process's part in internal TLS: the CA it trusts, its certificate
/// (which names `role`) and key. Cheap to clone.
#[derive(Clone)]
pub struct InternalTls {
    inner: Arc<Loaded>,
}

struct Loaded {
    role: PeerRole,
    trust_domain: String,
    roots: Arc<RootCertStore>,
    ca_pem: Vec<u8>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl fmt::Debug for InternalTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InternalTls")
            .field("role", &self.inner.role)
            .field("trust_domain", &self.inner.trust_domain)
            .finish_non_exhaustive()
    }
}

impl InternalTls {
    /// Loads PEM material for `role`, and checks it: the certificate chains
    /// to the CA, is valid now, names `role` in `trust_domain`, and goes
    /// with the key. A misconfigured role fails here, at start, rather
    /// than at its first handshake.
    pub fn from_pem(
        role: PeerRole,
        trust_domain: &str,
        ca_pem: &[u8],
        cert_pem: &[u8],
        key_pem: &[u8],
    ) -> Result<Self, TlsError> {
        check_trust_domain(trust_domain)?;
        let identity = ServerName::try_from(role.identity(trust_domain))
            .map_err(|_| TlsError::TrustDomain(trust_domain.to_owned()))?;
        let cas: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(ca_pem)
            .collect::<Result<_, _>>()
            .map_err(|_| TlsError::NoCa)?;
        if cas.is_empty() {
            return Err(TlsError::NoCa);
        }
        let mut roots = RootCertStore::empty();
        for ca in cas {
            roots
                .add(ca)
                .map_err(|e| TlsError::Untrusted(format!("the CA certificate: {e}")))?;
        }
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<_, _>>()
            .map_err(|_| TlsError::NoCertificate)?;
        let leaf = chain.first().ok_or(TlsError::NoCertificate)?;
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| TlsError::NoKey)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = Arc::new(roots);
        // A certificate for another role is the likeliest mix-up: say so
        // before the checks below would call it only "not valid".
        if !verify::names(leaf, &identity) {
            return Err(TlsError::WrongRole {
                role,
                identity: role.identity(trust_domain),
            });
        }
        // The checks its peers will make: chained to the CA, valid now,
        // fit for how the role uses it (client, server or both), and
        // naming the role.
        let intermediates = chain.get(1..).unwrap_or_default();
        let now = UnixTime::now();
        if role.calls() {
            WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone())
                .build()
                .map_err(|e| TlsError::Untrusted(e.to_string()))?
                .verify_client_cert(leaf, intermediates, now)
                .map_err(|e| TlsError::Untrusted(format!("as a client: {e}")))?;
        }
        if role.serves() {
            WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
                .build()
                .map_err(|e| TlsError::Untrusted(e.to_string()))?
                .verify_server_cert(leaf, intermediates, &identity, &[], now)
                .map_err(|e| TlsError::Untrusted(format!("as a server: {e}")))?;
        }
        let loaded = Loaded {
            role,
            trust_domain: trust_domain.to_owned(),
            roots,
            ca_pem: ca_pem.to_vec(),
            chain,
            key,
            cert_pem: cert_pem.to_vec(),
            key_pem: key_pem.to_vec(),
            provider,
        };
        // The key must sign for the certificate: build a config once.
        let tls = Self {
            inner: Arc::new(loaded),
        };
        tls.server(&[])?;
        Ok(tls)
    }

    /// The role this process's certificate names.
    pub fn role(&self) -> PeerRole {
        self.inner.role
    }

    /// What a server accepts with: only callers whose certificate names
    /// one of `callers` (in this trust domain, from this CA).
    pub fn server(&self, callers: &[PeerRole]) -> Result<ServerTls, TlsError> {
        let l = &self.inner;
        let webpki =
            WebPkiClientVerifier::builder_with_provider(l.roots.clone(), l.provider.clone())
                .build()
                .map_err(|e| TlsError::Untrusted(e.to_string()))?;
        let allowed = callers
            .iter()
            .filter_map(|r| ServerName::try_from(r.identity(&l.trust_domain)).ok())
            .collect();
        let verifier: Arc<dyn ClientCertVerifier> =
            Arc::new(verify::RoleVerifier::new(webpki, allowed));
        let mut config = ServerConfig::builder_with_provider(l.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Unusable(e.to_string()))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(l.chain.clone(), l.key.clone_key())
            .map_err(|e| TlsError::Unusable(e.to_string()))?;
        // gRPC is HTTP/2; tonic's client insists on negotiating it.
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(ServerTls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// What a client dials with: this process's certificate, and a peer
    /// that must prove it is a `server` of this trust domain.
    pub fn client(&self, server: PeerRole) -> ClientTls {
        let l = &self.inner;
        let config = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&l.ca_pem))
            .identity(Identity::from_pem(&l.cert_pem, &l.key_pem))
            .domain_name(server.identity(&l.trust_domain))
            .timeout(HANDSHAKE_TIMEOUT);
        ClientTls { config, server }
    }
}

/// A server's side of internal TLS.
#[derive(Clone)]
pub struct ServerTls {
    acceptor: TlsAcceptor,
}

impl fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTls").finish_non_exhaustive()
    }
}

/// A client's side of internal TLS, for peers of one role.
#[derive(Debug, Clone)]
pub struct ClientTls {
    pub(crate) config: ClientTlsConfig,
    server: PeerRole,
}

impl ClientTls {
    /// The role the peer must prove.
    pub fn server(&self) -> PeerRole {
        self.server
    }
}
