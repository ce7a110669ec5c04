//! The token file: which server, who, and the current token pair. Written
//! 0600 (the refresh token is a 30-day credential), atomically (a temp file
//! renamed over the old one), so a crash never leaves half a file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{ChatError, Result};

/// What `ferrochat chat login` keeps between runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Profile {
    pub url: String,
    pub user_id: String,
    pub username: String,
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token expires (Unix seconds), from the server's
    /// `expires_in`; absent in a file from before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_expires_at: Option<u64>,
}

/// Now, in Unix seconds.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `$XDG_CONFIG_HOME/ferrochat/chat.json`, else `~/.config/ferrochat/chat.json`.
pub fn default_path() -> Result<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or_else(|| {
            ChatError::Usage("neither XDG_CONFIG_HOME nor HOME is set: pass --profile-file".into())
        })?;
    Ok(config.join("ferrochat").join("chat.json"))
}

impl Profile {
    /// Reads the profile at `path`; a missing file is "not logged in".
    pub fn load(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ChatError::NotLoggedIn(path.to_owned()))
            }
            Err(source) => {
                return Err(ChatError::Profile {
                    path: path.to_owned(),
                    source,
                })
            }
        };
        serde_json::from_str(&text).map_err(|source| ChatError::ProfileFormat {
            path: path.to_owned(),
            source,
        })
    }

    /// Writes the profile to `path` with mode 0600, its folder 0700 if new.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |source| ChatError::Profile {
            path: path.to_owned(),
            source,
        };
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(io)?;
        let text = serde_json::to_vec_pretty(self).map_err(|source| ChatError::ProfileFormat {
            path: path.to_owned(),
            source,
        })?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let written = (|| {
            let mut f = open_private(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(io)
    }

    /// Deletes the profile at `path`; a missing one is fine.
    pub fn remove(path: &Path) -> Result<()> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(ChatError::Profile {
                path: path.to_owned(),
                source: e,
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sample() -> Profile {
        Profile {
            url: "http://127.0.0.1:1".into(),
            user_id: "u".into(),
            username: "alice".into(),
            access_token: "a".into(),
            refresh_token: "r".into(),
            access_expires_at: Some(1),
        }
    }

    #[test]
    fn a_saved_profile_reads_back_and_only_its_owner_can_read_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("chat.json");
        sample().save(&path).unwrap();
        let mut again = sample();
        again.access_token = "b".into();
        again.save(&path).unwrap();
        assert_eq!(Profile::load(&path).unwrap(), again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        Profile::remove(&path).unwrap();
        assert!(matches!(
            Profile::load(&path),
            Err(ChatError::NotLoggedIn(_))
        ));
    }
}
