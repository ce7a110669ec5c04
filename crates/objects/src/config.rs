//! Where attachments live: `[storage] url` parsed into a backend.

use std::path::PathBuf;

use secrecy::SecretString;

/// An S3-compatible bucket and how to reach it.
#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    /// Key prefix inside the bucket (`s3://bucket/prefix`), may be empty.
    pub prefix: String,
    /// `None`: AWS itself; otherwise the store's URL (MinIO, Ceph, ...).
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
    /// Allow an `http://` endpoint (a test server, or a store on a
    /// private network).
    pub allow_http: bool,
}

#[derive(Debug, Clone)]
pub enum ObjectsConfig {
    /// A directory of this machine (`ferrochat serve`).
    Local {
        root: PathBuf,
    },
    S3(S3Config),
}

#[derive(Debug, thiserror::Error)]
pub enum ObjectsConfigError {
    #[error("storage.url: {0}")]
    Url(String),
    #[error("opening object storage: {0}")]
    Open(String),
}

impl ObjectsConfig {
    /// `s3://bucket[/prefix]` is S3 (with `s3`'s other settings);
    /// `file:///path` (or no URL: `default_root`) a local directory.
    pub fn parse(
        url: Option<&str>,
        default_root: PathBuf,
        s3: impl FnOnce(String, String) -> S3Config,
    ) -> Result<Self, ObjectsConfigError> {
        let Some(url) = url.filter(|u| !u.is_empty()) else {
            return Ok(Self::Local { root: default_root });
        };
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(ObjectsConfigError::Url(
                    "s3://bucket names no bucket".to_owned(),
                ));
            }
            return Ok(Self::S3(s3(
                bucket.to_owned(),
                prefix.trim_matches('/').to_owned(),
            )));
        }
        if let Some(path) = url.strip_prefix("file://") {
            if !path.starts_with('/') {
                return Err(ObjectsConfigError::Url(
                    "file:// takes an absolute path".to_owned(),
                ));
            }
            return Ok(Self::Local { root: path.into() });
        }
        Err(ObjectsConfigError::Url(format!(
            "{url:?} is neither s3://bucket nor file:///path"
        )))
    }
}
