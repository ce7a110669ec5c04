//! Attachments on the wire: the metadata an upload answers and
//! `GET /api/v1/attachments/{id}/info` shows, and resumable uploads'
//! opening and state.

use ferrochat_domain::attachments::{Attachment, Upload};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::rfc3339;

/// An uploaded file. Send it with `message_type` `image`, `file`, `voice`
/// or `video` and its `attachment_id` as `content`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub attachment_id: String,
    pub owner_id: String,
    /// The name it was uploaded with.
    pub name: String,
    /// Bytes.
    pub size: u64,
    /// Sniffed from the bytes (`application/octet-stream` when unknown).
    pub media_type: String,
    /// Images only.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// A thumbnail is at `/api/v1/attachments/{id}/thumbnail`.
    pub has_thumbnail: bool,
    pub created_at: String,
    /// The conversation it was sent in; null until then.
    pub conversation_id: Option<String>,
}

impl From<&Attachment> for AttachmentDto {
    fn from(a: &Attachment) -> Self {
        Self {
            attachment_id: a.id.to_string(),
            owner_id: a.owner.to_string(),
            name: a.name.as_str().to_owned(),
            size: a.size,
            media_type: a.media_type.clone(),
            width: a.dimensions.map(|d| d.width),
            height: a.dimensions.map(|d| d.height),
            has_thumbnail: a.has_thumbnail,
            created_at: rfc3339(a.created_at),
            conversation_id: a.conversation.as_ref().map(ToString::to_string),
        }
    }
}

/// `POST /api/v1/uploads`: the file a resumable upload will send.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct OpenUploadBody {
    /// The file's name (as a multipart upload's file name).
    #[schema(value_type = String)]
    pub name: Option<String>,
    /// The whole file, in bytes.
    #[schema(value_type = u64)]
    pub size: Option<u64>,
}

/// A resumable upload: how much of the file the server holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UploadDto {
    /// Also the attachment's id once the upload is finished.
    pub upload_id: String,
    pub name: String,
    /// The whole file, as declared.
    pub size: u64,
    /// Bytes the server holds: the next chunk starts here.
    pub offset: u64,
    /// The largest chunk this server takes.
    pub chunk_bytes: u64,
    /// The smallest chunk it takes, but the last.
    pub min_chunk_bytes: u64,
    pub created_at: String,
    /// The attachment, once the last chunk arrived; null until then.
    pub attachment: Option<AttachmentDto>,
}

impl UploadDto {
    pub fn new(u: &Upload, chunk_bytes: (u64, u64), attachment: Option<&Attachment>) -> Self {
        Self {
            upload_id: u.id.to_string(),
            name: u.name.as_str().to_owned(),
            size: u.size,
            offset: u.received,
            chunk_bytes: chunk_bytes.1,
            min_chunk_bytes: chunk_bytes.0,
            created_at: rfc3339(u.created_at),
            attachment: attachment.map(AttachmentDto::from),
        }
    }
}
