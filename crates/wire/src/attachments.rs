//! Attachments on the wire: the metadata an upload answers and
//! `GET /api/v1/attachments/{id}/info` shows.

use ferrochat_domain::attachments::Attachment;
use serde::Serialize;
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
