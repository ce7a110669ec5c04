//! The attachments port: where uploaded files' bytes live (object
//! storage). Objects are named by attachment id; the metadata is the
//! store's (`store::AttachmentStore`), the rules logic's.
//!
//! Bytes flow as bounded streams of chunks both ways, so no file is ever
//! held whole in memory.

use std::ops::Range;

use async_trait::async_trait;
use bytes::Bytes;
use ferrochat_domain::AttachmentId;
use futures::stream::BoxStream;

/// A stream of a file's bytes, as read back.
pub type ByteStream = BoxStream<'static, Result<Bytes, std::io::Error>>;

/// A stream of a file's bytes being uploaded (it may borrow the request
/// it is read from). An `Err` item ends the upload and leaves nothing
/// stored.
pub type UploadStream<'a> = BoxStream<'a, Result<Bytes, std::io::Error>>;

/// Which object of an attachment: the file itself, its thumbnail, or a
/// chunk of a resumable upload (named by the offset it starts at) that
/// the file will be assembled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    File,
    Thumbnail,
    Chunk(u64),
}

/// An object being read: its whole size and the bytes asked for.
pub struct Download {
    pub size: u64,
    pub body: ByteStream,
}

/// What a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum AttachmentsError {
    /// No such object.
    #[error("no such object")]
    NotFound,
    /// The body stream failed (the client's upload broke off, or a limit
    /// the caller put on the stream was hit): nothing was stored.
    #[error("upload interrupted: {0}")]
    Interrupted(std::io::Error),
    /// The object storage cannot be reached or refused the call.
    #[error("object storage: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Attachments: Send + Sync + 'static {
    /// Stores `body` as `id`'s `part`, chunk by chunk (a multipart upload
    /// where the backend has them); answers the bytes written. On any
    /// error nothing is left under that name.
    async fn put<'b>(
        &self,
        id: &AttachmentId,
        part: Part,
        body: UploadStream<'b>,
    ) -> Result<u64, AttachmentsError>;
    /// Reads `id`'s `part`, all of it or the byte `range` (which the
    /// caller has checked against the size it knows).
    async fn get(
        &self,
        id: &AttachmentId,
        part: Part,
        range: Option<Range<u64>>,
    ) -> Result<Download, AttachmentsError>;
    /// Deletes every part of `id` (its chunks too); deleting what is not
    /// there is no error.
    async fn delete(&self, id: &AttachmentId) -> Result<(), AttachmentsError>;
    /// Deletes the chunks of `id` only (its file assembled from them).
    async fn delete_chunks(&self, id: &AttachmentId) -> Result<(), AttachmentsError>;
}
