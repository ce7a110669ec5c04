//! `[bus.kafka.security]`: how clients prove themselves to the brokers
//! and protect the traffic, as librdkafka does it: TLS (`ssl`), SASL
//! (`SCRAM-SHA-512`, `SCRAM-SHA-256`, or `PLAIN` over TLS only), or both.
//! [`apply`] sets them on a librdkafka `ClientConfig`; call it on every
//! config a client is created from (producer, consumers, admin).
//!
//! The password comes from the config (`sasl_password`, say from
//! `FERROCHAT_BUS__KAFKA__SECURITY__SASL_PASSWORD`) or from a file
//! (`sasl_password_file`, a mounted secret; one trailing newline is
//! ignored), never both; it prints redacted.

use std::path::PathBuf;

use ferrochat_ports::bus::BusError;
use rdkafka::ClientConfig;
use serde::{Deserialize, Serialize};

/// librdkafka's `security.protocol`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// Neither TLS nor SASL: for a broker only this cluster can reach.
    #[default]
    Plaintext,
    /// TLS (a client certificate too if `cert_file` is set).
    Ssl,
    /// SASL without TLS: SCRAM keeps the password off the wire, not the
    /// records.
    SaslPlaintext,
    /// SASL over TLS.
    SaslSsl,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Self::Plaintext => "plaintext",
            Self::Ssl => "ssl",
            Self::SaslPlaintext => "sasl_plaintext",
            Self::SaslSsl => "sasl_ssl",
        }
    }

    fn sasl(self) -> bool {
        matches!(self, Self::SaslPlaintext | Self::SaslSsl)
    }

    fn tls(self) -> bool {
        matches!(self, Self::Ssl | Self::SaslSsl)
    }
}

/// librdkafka's `sasl.mechanisms` (the ones it supports without
/// Kerberos or OAuth).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mechanism {
    #[default]
    #[serde(rename = "SCRAM-SHA-512")]
    ScramSha512,
    #[serde(rename = "SCRAM-SHA-256")]
    ScramSha256,
    /// The password itself goes to the broker: TLS only.
    #[serde(rename = "PLAIN")]
    Plain,
}

impl Mechanism {
    fn name(self) -> &'static str {
        match self {
            Self::ScramSha512 => "SCRAM-SHA-512",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::Plain => "PLAIN",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaSecurity {
    pub protocol: Protocol,
    pub sasl_mechanism: Mechanism,
    pub sasl_username: Option<String>,
    #[serde(serialize_with = "redacted")]
    pub sasl_password: Option<String>,
    pub sasl_password_file: Option<PathBuf>,
    /// The CA the brokers' certificates chain to (PEM). Unset: the
    /// system's trust store.
    pub ca_file: Option<PathBuf>,
    /// A client certificate and key (PEM), for brokers that authenticate
    /// clients by certificate.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

fn redacted<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_some("[redacted]"),
        None => s.serialize_none(),
    }
}

impl KafkaSecurity {
    /// Rules serde cannot express: `Err((key, why))`, the key relative to
    /// `[bus.kafka.security]`. A role refuses to start on any of them.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        let sasl = self.protocol.sasl();
        let named = self.sasl_username.is_some()
            || self.sasl_password.is_some()
            || self.sasl_password_file.is_some();
        if sasl {
            if self.sasl_username.as_deref().is_none_or(str::is_empty) {
                return Err(("sasl_username", "is needed with a sasl_* protocol"));
            }
            match (&self.sasl_password, &self.sasl_password_file) {
                (None, None) => {
                    return Err((
                        "sasl_password",
                        "a sasl_* protocol needs sasl_password or sasl_password_file",
                    ))
                }
                (Some(_), Some(_)) => {
                    return Err((
                        "sasl_password_file",
                        "set sasl_password or sasl_password_file, not both",
                    ))
                }
                _ => {}
            }
            if self.sasl_mechanism == Mechanism::Plain && !self.protocol.tls() {
                return Err((
                    "sasl_mechanism",
                    "PLAIN sends the password itself: use it with protocol = \"sasl_ssl\" only",
                ));
            }
        } else if named {
            return Err((
                "protocol",
                "SASL credentials are set but the protocol is not sasl_plaintext or sasl_ssl",
            ));
        }
        if !self.protocol.tls()
            && (self.ca_file.is_some() || self.cert_file.is_some() || self.key_file.is_some())
        {
            return Err((
                "protocol",
                "TLS files are set but the protocol is not ssl or sasl_ssl",
            ));
        }
        if self.cert_file.is_some() != self.key_file.is_some() {
            return Err(("cert_file", "cert_file and key_file go together"));
        }
        Ok(())
    }

    /// Whether clients prove who they are (SASL, or a TLS client
    /// certificate).
    pub fn authenticates(&self) -> bool {
        self.protocol.sasl() || (self.protocol.tls() && self.cert_file.is_some())
    }

    fn password(&self) -> Result<Option<String>, BusError> {
        if let Some(p) = &self.sasl_password {
            return Ok(Some(p.clone()));
        }
        let Some(path) = &self.sasl_password_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            BusError::Unavailable(format!(
                "bus.kafka.security.sasl_password_file {}: {e}",
                path.display()
            ))
        })?;
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Ok(Some(text.strip_suffix('\r').unwrap_or(text).to_owned()))
    }
}

/// Sets `security` on `config`: what every client the bus creates is
/// built from. Fails if the settings are inconsistent or the password
/// file cannot be read.
pub fn apply(security: &KafkaSecurity, config: &mut ClientConfig) -> Result<(), BusError> {
    security
        .check()
        .map_err(|(key, why)| BusError::Unavailable(format!("bus.kafka.security.{key}: {why}")))?;
    config.set("security.protocol", security.protocol.name());
    if security.protocol.sasl() {
        config.set("sasl.mechanisms", security.sasl_mechanism.name());
        if let Some(user) = &security.sasl_username {
            config.set("sasl.username", user);
        }
        if let Some(password) = security.password()? {
            config.set("sasl.password", password);
        }
    }
    if security.protocol.tls() {
        // The broker's name is checked against its certificate (the
        // default since librdkafka 1.9; said here so it stays so).
        config.set("ssl.endpoint.identification.algorithm", "https");
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        if let Some(ca) = &security.ca_file {
            config.set("ssl.ca.location", path(ca));
        }
        if let (Some(cert), Some(key)) = (&security.cert_file, &security.key_file) {
            config.set("ssl.certificate.location", path(cert));
            config.set("ssl.key.location", path(key));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sasl() -> KafkaSecurity {
        KafkaSecurity {
            protocol: Protocol::SaslPlaintext,
            sasl_username: Some("gateway".into()),
            sasl_password: Some("secret".into()),
            ..KafkaSecurity::default()
        }
    }

    #[test]
    fn incomplete_or_contradictory_settings_are_refused_by_key() {
        assert_eq!(KafkaSecurity::default().check(), Ok(()));
        assert_eq!(sasl().check(), Ok(()));
        let no_user = KafkaSecurity {
            sasl_username: None,
            ..sasl()
        };
        assert_eq!(no_user.check().unwrap_err().0, "sasl_username");
        let no_password = KafkaSecurity {
            sasl_password: None,
            ..sasl()
        };
        assert_eq!(no_password.check().unwrap_err().0, "sasl_password");
        let both = KafkaSecurity {
            sasl_password_file: Some("/run/secrets/kafka".into()),
            ..sasl()
        };
        assert_eq!(both.check().unwrap_err().0, "sasl_password_file");
        let plain_in_clear = KafkaSecurity {
            sasl_mechanism: Mechanism::Plain,
            ..sasl()
        };
        assert_eq!(plain_in_clear.check().unwrap_err().0, "sasl_mechanism");
        let forgotten_protocol = KafkaSecurity {
            protocol: Protocol::Plaintext,
            ..sasl()
        };
        assert_eq!(forgotten_protocol.check().unwrap_err().0, "protocol");
        let half_identity = KafkaSecurity {
            protocol: Protocol::Ssl,
            cert_file: Some("c.pem".into()),
            ..KafkaSecurity::default()
        };
        assert_eq!(half_identity.check().unwrap_err().0, "cert_file");
    }

    #[test]
    fn the_settings_reach_the_client_config() {
        let dir = std::env::temp_dir().join(format!("fc-kafka-sec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("password");
        std::fs::write(&file, "from-a-file\n").unwrap();
        let security = KafkaSecurity {
            protocol: Protocol::SaslSsl,
            sasl_mechanism: Mechanism::ScramSha256,
            sasl_username: Some("logic".into()),
            sasl_password: None,
            sasl_password_file: Some(file),
            ca_file: Some("/etc/ca.pem".into()),
            cert_file: None,
            key_file: None,
        };
        let mut config = ClientConfig::new();
        apply(&security, &mut config).unwrap();
        assert_eq!(config.get("security.protocol"), Some("sasl_ssl"));
        assert_eq!(config.get("sasl.mechanisms"), Some("SCRAM-SHA-256"));
        assert_eq!(config.get("sasl.username"), Some("logic"));
        assert_eq!(config.get("sasl.password"), Some("from-a-file"));
        assert_eq!(config.get("ssl.ca.location"), Some("/etc/ca.pem"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_password_prints_redacted() {
        let printed = serde_json::to_string(&sasl()).unwrap();
        assert!(!printed.contains("secret"), "{printed}");
        assert!(printed.contains("[redacted]"), "{printed}");
    }
}
