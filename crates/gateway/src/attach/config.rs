//! Attachments' limits at the gateway, set by the binary from `[storage]`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttachmentsConfig {
    /// Largest file; larger is refused with 1008 and nothing is kept.
    pub max_file_bytes: u64,
    /// What one user's attachments may take in all.
    pub quota_bytes: u64,
    /// An upload never sent in a message is deleted after this.
    #[serde(with = "humantime_serde")]
    pub orphan_after: Duration,
    /// How often the gateway looks for such uploads.
    #[serde(with = "humantime_serde")]
    pub orphan_sweep_interval: Duration,
    /// An upload may take this long in all (the request timeout is for
    /// small requests); between two chunks, `gateway.body_read_timeout`.
    #[serde(with = "humantime_serde")]
    pub upload_timeout: Duration,
    /// Images over this are kept without dimensions or a thumbnail.
    pub max_image_bytes: u64,
    /// Images with more pixels are refused (1001): a small file can claim
    /// a huge canvas (a decompression bomb).
    pub max_image_pixels: u64,
    /// Longest side of a thumbnail, in pixels.
    pub thumbnail_pixels: u32,
    /// Images decoded at once on this gateway; more wait their turn.
    pub image_decoders: usize,
    /// Largest chunk of a resumable upload: what one chunk request may
    /// carry (and what the gateway holds of it at most while storing it).
    pub chunk_bytes: u64,
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        Self {
            max_file_bytes: 100 * 1024 * 1024,
            quota_bytes: 1024 * 1024 * 1024,
            orphan_after: Duration::from_secs(24 * 3600),
            orphan_sweep_interval: Duration::from_secs(600),
            upload_timeout: Duration::from_secs(600),
            max_image_bytes: 25 * 1024 * 1024,
            max_image_pixels: 40_000_000,
            thumbnail_pixels: 320,
            image_decoders: 2,
            chunk_bytes: 8 * 1024 * 1024,
        }
    }
}
