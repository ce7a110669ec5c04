//! The token-signing secret: from config, or generated once and kept in
//! the data dir so a restart keeps every session valid.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

const FILE: &str = "jwt.secret";

/// The secret if there is one (configured, or in the data dir), without
/// making one: for the tools that sign beside a running server.
pub fn existing(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    if let Some(s) = configured {
        return Ok(Some(s.as_bytes().to_vec()));
    }
    let path = data_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => Ok(Some(s.trim().as_bytes().to_vec())),
        Ok(_) => anyhow::bail!("{} is too short; delete it to regenerate", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

pub fn resolve(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = existing(configured, data_dir)? {
        return Ok(secret);
    }
    let path = data_dir.join(FILE);
    let bytes: [u8; 32] = rand::random();
    let secret = hex::encode(bytes);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(secret.as_bytes())?;
    f.sync_all()?;
    Ok(secret.into_bytes())
}
