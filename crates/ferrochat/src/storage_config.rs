//! `[storage]`: where attachments' bytes live and the limits on them.
//! `serve` keeps them under the data dir with no other service; a cluster
//! points every gateway at one S3-compatible bucket (docs/deploy.md,
//! "Attachments").

use std::path::Path;
use std::time::Duration;

use ferrochat_gateway::AttachmentsConfig;
use ferrochat_objects::{ObjectsConfig, S3Config};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// `s3://bucket[/prefix]` for an S3-compatible store, or
    /// `file:///path`; unset: `<data_dir>/attachments`.
    pub url: Option<String>,
    /// S3: the store's URL when it is not AWS (MinIO, Ceph, ...).
    pub endpoint: Option<String>,
    /// S3: the bucket's region.
    pub region: String,
    /// S3: credentials; unset, none are sent.
    pub access_key_id: Option<String>,
    #[serde(serialize_with = "crate::config::redacted_opt")]
    pub secret_access_key: Option<String>,
    /// S3: allow an `http://` endpoint (a private network or a test).
    pub allow_http: bool,
    /// Largest file, in bytes (100 MiB).
    pub max_file_bytes: u64,
    /// What one user's attachments may take in all, in bytes (1 GiB).
    pub quota_bytes: u64,
    /// Uploads not sent in a message within this are deleted.
    #[serde(with = "humantime_serde")]
    pub orphan_after: Duration,
    #[serde(with = "humantime_serde")]
    pub orphan_sweep_interval: Duration,
    /// How long one upload may take in all.
    #[serde(with = "humantime_serde")]
    pub upload_timeout: Duration,
    /// Images up to this size get dimensions and a thumbnail.
    pub max_image_bytes: u64,
    /// Images with more pixels are refused.
    pub max_image_pixels: u64,
    /// A thumbnail's longer side.
    pub thumbnail_pixels: u32,
    /// Images decoded at once per gateway.
    pub image_decoders: usize,
    /// Largest chunk of a resumable upload, in bytes (8 MiB).
    pub chunk_bytes: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        let limits = AttachmentsConfig::default();
        Self {
            url: None,
            endpoint: None,
            region: "us-east-1".to_owned(),
            access_key_id: None,
            secret_access_key: None,
            allow_http: false,
            max_file_bytes: limits.max_file_bytes,
            quota_bytes: limits.quota_bytes,
            orphan_after: limits.orphan_after,
            orphan_sweep_interval: limits.orphan_sweep_interval,
            upload_timeout: limits.upload_timeout,
            max_image_bytes: limits.max_image_bytes,
            max_image_pixels: limits.max_image_pixels,
            thumbnail_pixels: limits.thumbnail_pixels,
            image_decoders: limits.image_decoders,
            chunk_bytes: limits.chunk_bytes,
        }
    }
}

impl StorageConfig {
    /// The gateway's limits.
    pub fn limits(&self) -> AttachmentsConfig {
        AttachmentsConfig {
            max_file_bytes: self.max_file_bytes,
            quota_bytes: self.quota_bytes,
            orphan_after: self.orphan_after,
            orphan_sweep_interval: self.orphan_sweep_interval,
            upload_timeout: self.upload_timeout,
            max_image_bytes: self.max_image_bytes,
            max_image_pixels: self.max_image_pixels,
            thumbnail_pixels: self.thumbnail_pixels,
            image_decoders: self.image_decoders,
            chunk_bytes: self.chunk_bytes,
        }
    }

    /// Where the bytes go; `data_dir` holds them when no URL is set.
    pub fn objects(&self, data_dir: &Path) -> Result<ObjectsConfig, String> {
        ObjectsConfig::parse(
            self.url.as_deref(),
            data_dir.join("attachments"),
            |bucket, prefix| S3Config {
                bucket,
                prefix,
                endpoint: self.endpoint.clone(),
                region: self.region.clone(),
                access_key_id: self.access_key_id.clone(),
                secret_access_key: self.secret_access_key.clone().map(Into::into),
                allow_http: self.allow_http,
            },
        )
        .map_err(|e| e.to_string())
    }

    /// Rules serde cannot express (`Config::check`).
    pub(crate) fn check(&self, data_dir: &Path) -> Result<(), String> {
        self.objects(data_dir)?;
        let positive = [
            ("storage.max_file_bytes", self.max_file_bytes),
            ("storage.quota_bytes", self.quota_bytes),
            ("storage.max_image_pixels", self.max_image_pixels),
            ("storage.thumbnail_pixels", u64::from(self.thumbnail_pixels)),
            ("storage.image_decoders", self.image_decoders as u64),
            ("storage.chunk_bytes", self.chunk_bytes),
        ];
        for (key, v) in positive {
            if v == 0 {
                return Err(format!("{key}: must be at least 1"));
            }
        }
        for (key, d) in [
            ("storage.orphan_after", self.orphan_after),
            ("storage.orphan_sweep_interval", self.orphan_sweep_interval),
            ("storage.upload_timeout", self.upload_timeout),
        ] {
            if d.is_zero() {
                return Err(format!("{key}: must be above 0"));
            }
        }
        Ok(())
    }
}
