//! A CA and role certificates for a local or test cluster (`ferrochat
//! certs`, and the tests). A production cluster can bring its own CA
//! instead (docs/deploy.md): what matters is that each role's certificate
//! names `<role>.<trust domain>` as a DNS name and is fit for both client
//! and server use.
//!
//! ECDSA P-256 keys (rcgen's default). The CA made here may issue names
//! under its trust domain only (a name constraint), so its key cannot
//! mint certificates for anything else.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints,
};
use time::{Duration, OffsetDateTime};

use super::{PeerRole, TlsError};

/// A role's certificate and key, as PEM.
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A certificate authority that signs role certificates.
pub struct Authority {
    cert_pem: String,
    key_pem: String,
    issuer: Issuer<'static, KeyPair>,
    trust_domain: String,
}

fn generating(e: rcgen::Error) -> TlsError {
    TlsError::Generate(e.to_string())
}

/// Valid from an hour ago (clocks differ a little) for `days`.
fn validity(params: &mut CertificateParams, days: u32) {
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(i64::from(days));
}

impl Authority {
    /// A new CA for `trust_domain`, valid for `days`.
    pub fn generate(trust_domain: &str, days: u32) -> Result<Self, TlsError> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(generating)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "ferrochat");
        dn.push(
            DnType::CommonName,
            format!("ferrochat internal CA ({trust_domain})"),
        );
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.name_constraints = Some(NameConstraints {
            permitted_subtrees: vec![GeneralSubtree::DnsName(trust_domain.to_owned())],
            excluded_subtrees: Vec::new(),
        });
        validity(&mut params, days);
        let key = KeyPair::generate().map_err(generating)?;
        let cert = params.self_signed(&key).map_err(generating)?;
        let key_pem = key.serialize_pem();
        Ok(Self {
            cert_pem: cert.pem(),
            key_pem,
            issuer: Issuer::new(params, key),
            trust_domain: trust_domain.to_owned(),
        })
    }

    /// An existing CA, from its certificate and key (PEM, PKCS#8).
    pub fn from_pem(cert_pem: &str, key_pem: &str, trust_domain: &str) -> Result<Self, TlsError> {
        let key = KeyPair::from_pem(key_pem).map_err(generating)?;
        let issuer = Issuer::from_ca_cert_pem(cert_pem, key).map_err(generating)?;
        Ok(Self {
            cert_pem: cert_pem.to_owned(),
            key_pem: key_pem.to_owned(),
            issuer,
            trust_domain: trust_domain.to_owned(),
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA's private key: keep it off the machines the roles run on.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// A certificate for `role`, valid for `days`, for client and server
    /// use, naming `<role>.<trust domain>`.
    pub fn issue(&self, role: PeerRole, days: u32) -> Result<Issued, TlsError> {
        let identity = role.identity(&self.trust_domain);
        let mut params = CertificateParams::new(vec![identity.clone()]).map_err(generating)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "ferrochat");
        dn.push(DnType::CommonName, identity);
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.use_authority_key_identifier_extension = true;
        validity(&mut params, days);
        let key = KeyPair::generate().map_err(generating)?;
        let cert = params.signed_by(&key, &self.issuer).map_err(generating)?;
        Ok(Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::InternalTls;

    fn load(ca: &Authority, issued: &Issued, role: PeerRole, domain: &str) -> Result<(), TlsError> {
        InternalTls::from_pem(
            role,
            domain,
            ca.cert_pem().as_bytes(),
            issued.cert_pem.as_bytes(),
            issued.key_pem.as_bytes(),
        )
        .map(|_| ())
    }

    #[test]
    fn issued_certificates_load_for_their_role_only() {
        let ca = Authority::generate("t.internal", 1).unwrap();
        for role in PeerRole::ALL {
            let issued = ca.issue(role, 1).unwrap();
            load(&ca, &issued, role, "t.internal").unwrap();
            let other = PeerRole::ALL.into_iter().find(|r| *r != role).unwrap();
            assert!(matches!(
                load(&ca, &issued, other, "t.internal"),
                Err(TlsError::WrongRole { .. })
            ));
        }
    }

    #[test]
    fn a_certificate_of_another_ca_or_trust_domain_does_not_load() {
        let ca = Authority::generate("t.internal", 1).unwrap();
        let other = Authority::generate("t.internal", 1).unwrap();
        let issued = other.issue(PeerRole::Logic, 1).unwrap();
        assert!(matches!(
            load(&ca, &issued, PeerRole::Logic, "t.internal"),
            Err(TlsError::Untrusted(_))
        ));
        let issued = ca.issue(PeerRole::Logic, 1).unwrap();
        assert!(load(&ca, &issued, PeerRole::Logic, "u.internal").is_err());
    }

    #[test]
    fn an_existing_ca_issues_certificates_its_own_would() {
        let ca = Authority::generate("t.internal", 1).unwrap();
        let again = Authority::from_pem(ca.cert_pem(), ca.key_pem(), "t.internal").unwrap();
        let issued = again.issue(PeerRole::Repo, 1).unwrap();
        load(&ca, &issued, PeerRole::Repo, "t.internal").unwrap();
    }

    #[test]
    fn a_key_of_another_certificate_does_not_load() {
        let ca = Authority::generate("t.internal", 1).unwrap();
        let a = ca.issue(PeerRole::Logic, 1).unwrap();
        let b = ca.issue(PeerRole::Logic, 1).unwrap();
        let mixed = Issued {
            cert_pem: a.cert_pem,
            key_pem: b.key_pem,
        };
        assert!(matches!(
            load(&ca, &mixed, PeerRole::Logic, "t.internal"),
            Err(TlsError::Unusable(_))
        ));
    }
}
