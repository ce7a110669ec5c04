//! A cluster role's internal TLS (`[internal_tls]`): its certificate,
//! loaded and checked at start, and the rule that a role reachable from
//! the network does not run without it. A role whose every listener
//! (its service port, its metrics port) is on a loopback address may run
//! without, as a cluster on one machine does; otherwise it refuses to
//! start unless `insecure_internal = true` says so in so many words, and
//! then it warns at every start. The same rule holds for the seal on
//! upstream records (`bus.kafka.upstream_key_file`) of gateways and logic
//! over Kafka; shared services reached without credentials are warned
//! about.

use std::net::SocketAddr;

use anyhow::Context as _;
use ferrochat_rpc::{InternalTls, PeerRole};

use crate::config::{default_metrics_listen, BusKind, Config, ConfigError};
use crate::roles::Role;

impl Role {
    /// The role as internal TLS names it.
    pub fn peer(self) -> PeerRole {
        match self {
            Self::Gateway => PeerRole::Gateway,
            Self::Logic => PeerRole::Logic,
            Self::Repo => PeerRole::Repo,
            Self::Task => PeerRole::Task,
        }
    }
}

/// Every address `role` listens on, by its config key.
fn listeners(config: &Config, role: Role) -> Vec<(&'static str, SocketAddr)> {
    let metrics = config
        .metrics_listen
        .unwrap_or_else(|| default_metrics_listen(role.name()));
    let mut all = vec![("metrics_listen", metrics)];
    match role {
        Role::Gateway => all.push(("listen", config.listen)),
        Role::Logic => all.push(("logic.grpc_listen", config.logic.grpc_listen)),
        Role::Repo => all.push(("repo.grpc_listen", config.repo.grpc_listen)),
        Role::Task => {}
    }
    all
}

/// The first address `role` listens on that is not loopback.
fn exposed(config: &Config, role: Role) -> Option<(&'static str, SocketAddr)> {
    listeners(config, role)
        .into_iter()
        .find(|(_, addr)| !addr.ip().is_loopback())
}

/// Whether `role` publishes or consumes `upstream`.
fn on_upstream(config: &Config, role: Role) -> bool {
    config.bus.kind == BusKind::Kafka && matches!(role, Role::Gateway | Role::Logic)
}

/// Refuses a role that listens beyond loopback without internal TLS (or,
/// for gateways and logic over Kafka, without the upstream key), unless
/// `insecure_internal = true`. Checked before anything binds.
pub fn check(config: &Config, role: Role) -> Result<(), ConfigError> {
    if config.insecure_internal {
        return Ok(());
    }
    let Some((key, addr)) = exposed(config, role) else {
        return Ok(());
    };
    let role_name = role.name();
    if config.internal_tls.ca_file.is_none() {
        return Err(ConfigError::new(format!(
            "{key} = {addr} is not a loopback address, and [internal_tls] is not set: \
             any process that reaches this {role_name} could call it, or answer its calls, as \
             any role. Set internal_tls.ca_file, cert_file and key_file (`ferrochat certs` makes \
             a CA and role certificates for a test cluster), or insecure_internal = true to run \
             so anyway"
        )));
    }
    if on_upstream(config, role) && config.bus.kafka.upstream_key_file.is_none() {
        return Err(ConfigError::new(format!(
            "{key} = {addr} is not a loopback address, and bus.kafka.upstream_key_file is not \
             set: logic would take any record on upstream as a user's send, so anyone who can \
             write to the broker could send as anyone. Give every gateway and logic the same key \
             file (32 random bytes or more), or set insecure_internal = true to run so anyway"
        )));
    }
    Ok(())
}

/// Warns about each shared service this role reaches without proving who
/// it is, when the role is exposed.
fn warn_unauthenticated(config: &Config, role: Role) {
    if exposed(config, role).is_none() {
        return;
    }
    let role_name = role.name();
    if config.bus.kind == BusKind::Kafka && !config.bus.kafka.security.authenticates() {
        tracing::warn!(
            role = role_name,
            "the broker is reached without SASL or a client certificate \
             ([bus.kafka.security]): anyone who reaches it can read and write every topic"
        );
    }
    let p = &config.presence;
    if let Some(url) = &p.redis_url {
        let in_url = url.split_once('@').is_some();
        let proven = p.redis_password.is_some()
            || p.redis_password_file.is_some()
            || p.redis_cert_file.is_some();
        if !in_url && !proven {
            tracing::warn!(
                role = role_name,
                "Redis is reached without a password or client certificate \
                 (presence.redis_username, redis_password_file, redis_cert_file): anyone who reaches it can rewrite routes, rate limits \
                 and the shared cache"
            );
        }
    }
    let d = &config.discovery;
    if let Some(url) = &d.etcd_url {
        let in_url = url.split_once('@').is_some();
        if !in_url && d.etcd_username.is_none() && d.etcd_cert_file.is_none() {
            tracing::warn!(
                role = role_name,
                "etcd is reached without a user or client certificate \
                 (discovery.etcd_username, etcd_cert_file): anyone who reaches it can register \
                 instances (internal TLS still keeps impostors from being called)"
            );
        }
    }
}

/// This role's internal TLS, if configured: read and checked (the
/// certificate chains to the CA and names this role). Without it, warns
/// when `insecure_internal` is what let the role start.
pub fn load(config: &Config, role: Role) -> anyhow::Result<Option<InternalTls>> {
    check(config, role)?;
    warn_unauthenticated(config, role);
    let c = &config.internal_tls;
    let Some([ca, cert, key]) = c
        .files()
        .map_err(|why| anyhow::anyhow!("internal_tls: {why}"))?
    else {
        if config.insecure_internal {
            tracing::warn!(
                role = role.name(),
                "insecure_internal = true and no [internal_tls]: this role's internal ports \
                 answer any caller, and it cannot tell a real peer from an impostor"
            );
        }
        return Ok(None);
    };
    let read = |path: &std::path::PathBuf, key: &str| {
        std::fs::read(path)
            .with_context(|| format!("internal_tls.{key}: reading {}", path.display()))
    };
    let tls = InternalTls::from_pem(
        role.peer(),
        &c.trust_domain,
        &read(ca, "ca_file")?,
        &read(cert, "cert_file")?,
        &read(key, "key_file")?,
    )
    .with_context(|| format!("internal_tls: {}", cert.display()))?;
    tracing::info!(
        role = role.name(),
        identity = %role.peer().identity(&c.trust_domain),
        "internal TLS on"
    );
    Ok(Some(tls))
}
