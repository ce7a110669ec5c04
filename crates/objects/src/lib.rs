//! The attachments adapter: `ObjectStoreAttachments` keeps attachments'
//! bytes in object storage through the `object_store` crate, in a local
//! directory (`ferrochat serve`: the data dir, no other service) or in any
//! S3-compatible store (a cluster: AWS S3, MinIO, Ceph, ...).
//!
//! Uploads are multipart uploads of bounded parts (`PART_BYTES`, at most
//! `PARTS_IN_FLIGHT` at once), so a file is never held whole in memory;
//! an upload whose stream fails is aborted and leaves nothing.

mod config;
mod store;

pub use config::{ObjectsConfig, ObjectsConfigError, S3Config};
pub use store::ObjectStoreAttachments;
