//! `presence.redis_url` and the TLS files beside it: checked when the
//! config loads (exit 64 naming the key) and read again when Redis is
//! opened, by the same code, so what passed the check is what is used.

use std::path::Path;

use ferrochat_redis::{RedisTls, RedisTlsError};

use crate::config::PresenceConfig;

type Bad = (&'static str, String);

/// The TLS `presence` asks for: `None` for no Redis or a plain
/// `redis://` URL; for `rediss://`, the CA and client certificate named
/// (neither: the system's roots, no client certificate). TLS files with a
/// `redis://` URL are refused rather than ignored: the deployer meant TLS.
pub(crate) fn load(p: &PresenceConfig) -> Result<Option<RedisTls>, Bad> {
    let Some(url) = &p.redis_url else {
        return Ok(None);
    };
    let tls = url.starts_with("rediss://");
    if !tls && !url.starts_with("redis://") {
        return Err((
            "presence.redis_url",
            "must start with redis:// or rediss://".into(),
        ));
    }
    let files = [&p.redis_ca_file, &p.redis_cert_file, &p.redis_key_file];
    if !tls && files.iter().any(|f| f.is_some()) {
        return Err((
            "presence.redis_url",
            "redis_ca_file, redis_cert_file or redis_key_file is set, \
             so it must be a rediss:// (TLS) URL"
                .into(),
        ));
    }
    if !tls {
        return Ok(None);
    }
    let ca = read(p.redis_ca_file.as_deref(), "presence.redis_ca_file")?;
    let client = match (
        read(p.redis_cert_file.as_deref(), "presence.redis_cert_file")?,
        read(p.redis_key_file.as_deref(), "presence.redis_key_file")?,
    ) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => {
            return Err((
                "presence.redis_cert_file",
                "redis_cert_file and redis_key_file go together".into(),
            ))
        }
    };
    RedisTls::new(ca, client).map(Some).map_err(|e| {
        let key = match e {
            RedisTlsError::Ca(_) => "presence.redis_ca_file",
            RedisTlsError::Cert(_) => "presence.redis_cert_file",
            RedisTlsError::Key(_) => "presence.redis_key_file",
        };
        (key, e.to_string())
    })
}

fn read(path: Option<&Path>, key: &'static str) -> Result<Option<Vec<u8>>, Bad> {
    path.map(|p| std::fs::read(p).map_err(|e| (key, format!("reading {}: {e}", p.display()))))
        .transpose()
}
