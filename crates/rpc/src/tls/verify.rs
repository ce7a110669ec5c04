//! A server's check of its caller: the CA's (webpki: chain, validity,
//! client use), then the role. A certificate from the right CA for
//! another role is refused in the handshake like one from another CA, so
//! a gateway cannot even open a connection to the repo.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// Whether `cert` names `identity` among its DNS subject alternative
/// names (webpki's own name matching; the common name is ignored).
pub(crate) fn names(cert: &CertificateDer<'_>, identity: &ServerName<'_>) -> bool {
    webpki::EndEntityCert::try_from(cert)
        .is_ok_and(|c| c.verify_is_valid_for_subject_name(identity).is_ok())
}

#[derive(Debug)]
pub(crate) struct RoleVerifier {
    ca: Arc<dyn ClientCertVerifier>,
    allowed: Vec<ServerName<'static>>,
}

impl RoleVerifier {
    pub(crate) fn new(ca: Arc<dyn ClientCertVerifier>, allowed: Vec<ServerName<'static>>) -> Self {
        Self { ca, allowed }
    }
}

impl ClientCertVerifier for RoleVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.ca.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        self.ca.verify_client_cert(end_entity, intermediates, now)?;
        if self.allowed.iter().any(|name| names(end_entity, name)) {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(Error::InvalidCertificate(CertificateError::NotValidForName))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.ca.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.ca.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.ca.supported_verify_schemes()
    }
}
