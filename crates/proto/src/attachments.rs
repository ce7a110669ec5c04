//! Attachments' messages, in both services: the logic role's
//! (`AttachmentsApi`) and the repo's (`AttachmentStore`). The metadata
//! message is one, `Attachment`, shared by both.

use ferrochat_domain::attachments::{Attachment, AttachmentKind, Dimensions, FileName};
use ferrochat_domain::{AttachmentId, ConversationId, InvalidField, Timestamp, UserId};

use crate::convert::DecodeError;
use crate::logic::{caller, id};
use crate::pb;

pub(crate) fn attachment_id(raw: &str) -> Result<AttachmentId, InvalidField> {
    id(raw, "attachment_id", AttachmentId::parse)
}

fn kind_name(kind: AttachmentKind) -> &'static str {
    match kind {
        AttachmentKind::Image => "image",
        AttachmentKind::File => "file",
        AttachmentKind::Voice => "voice",
        AttachmentKind::Video => "video",
    }
}

impl From<&Attachment> for pb::Attachment {
    fn from(a: &Attachment) -> Self {
        Self {
            id: a.id.as_str().to_owned(),
            owner_id: a.owner.as_str().to_owned(),
            size: a.size,
            media_type: a.media_type.clone(),
            name: a.name.as_str().to_owned(),
            width: a.dimensions.map(|d| d.width),
            height: a.dimensions.map(|d| d.height),
            has_thumbnail: a.has_thumbnail,
            created_at_ms: a.created_at.millis(),
            conversation_id: a.conversation.as_ref().map(|c| c.as_str().to_owned()),
        }
    }
}

impl pb::Attachment {
    /// Every id and the name checked, as an upload's are.
    pub fn parse(self) -> Result<Attachment, InvalidField> {
        let dimensions = match (self.width, self.height) {
            (Some(width), Some(height)) => Some(Dimensions { width, height }),
            (None, None) => None,
            _ => return Err(InvalidField::new("width", "comes with height")),
        };
        Ok(Attachment {
            id: id(&self.id, "id", AttachmentId::parse)?,
            owner: id(&self.owner_id, "owner_id", UserId::parse)?,
            size: self.size,
            media_type: self.media_type,
            name: FileName::parse(self.name)?,
            dimensions,
            has_thumbnail: self.has_thumbnail,
            created_at: Timestamp::from_millis(self.created_at_ms),
            conversation: self
                .conversation_id
                .map(|c| id(&c, "conversation_id", ConversationId::parse))
                .transpose()?,
        })
    }
}

impl TryFrom<pb::Attachment> for Attachment {
    type Error = DecodeError;
    fn try_from(a: pb::Attachment) -> Result<Self, DecodeError> {
        Ok(a.parse()?)
    }
}

// --- logic ----------------------------------------------------------------

impl pb::AttachmentRequest {
    pub fn new(who: &UserId, attachment: &AttachmentId) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            attachment_id: attachment.as_str().to_owned(),
        }
    }

    /// For the sweep's calls, which name no caller.
    pub fn anonymous(attachment: &AttachmentId) -> Self {
        Self {
            caller_id: String::new(),
            attachment_id: attachment.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, AttachmentId), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            attachment_id(&self.attachment_id)?,
        ))
    }

    pub fn parse_id(self) -> Result<AttachmentId, InvalidField> {
        attachment_id(&self.attachment_id)
    }
}

impl pb::BindAttachmentRequest {
    pub fn new(
        who: &UserId,
        attachment: &AttachmentId,
        conversation: &ConversationId,
        kind: AttachmentKind,
    ) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            attachment_id: attachment.as_str().to_owned(),
            conversation_id: conversation.as_str().to_owned(),
            kind: kind_name(kind).to_owned(),
        }
    }

    pub fn parse(
        self,
    ) -> Result<(UserId, AttachmentId, ConversationId, AttachmentKind), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            attachment_id(&self.attachment_id)?,
            id(
                &self.conversation_id,
                "conversation_id",
                ConversationId::parse,
            )?,
            AttachmentKind::of_message_type(&self.kind)
                .ok_or_else(|| InvalidField::new("kind", "is not image, file, voice or video"))?,
        ))
    }
}

impl pb::UnsentAttachmentsRequest {
    pub fn new(before: Timestamp, limit: u32) -> Self {
        Self {
            before_ms: before.millis(),
            limit,
        }
    }

    pub fn parse(self) -> (Timestamp, u32) {
        (Timestamp::from_millis(self.before_ms), self.limit)
    }
}

impl From<&u64> for pb::AttachmentUsageAnswer {
    fn from(bytes: &u64) -> Self {
        Self { bytes: *bytes }
    }
}

impl From<pb::AttachmentUsageAnswer> for u64 {
    fn from(a: pb::AttachmentUsageAnswer) -> Self {
        a.bytes
    }
}

impl From<&Vec<AttachmentId>> for pb::AttachmentIds {
    fn from(ids: &Vec<AttachmentId>) -> Self {
        Self {
            attachment_ids: ids.iter().map(|i| i.as_str().to_owned()).collect(),
        }
    }
}

impl TryFrom<pb::AttachmentIds> for Vec<AttachmentId> {
    type Error = DecodeError;
    fn try_from(a: pb::AttachmentIds) -> Result<Self, DecodeError> {
        Ok(crate::logic::ids(
            &a.attachment_ids,
            "attachment_ids",
            AttachmentId::parse,
        )?)
    }
}

impl From<&bool> for pb::AttachmentForgotten {
    fn from(forgotten: &bool) -> Self {
        Self {
            forgotten: *forgotten,
        }
    }
}

impl From<pb::AttachmentForgotten> for bool {
    fn from(a: pb::AttachmentForgotten) -> Self {
        a.forgotten
    }
}

// --- repo -----------------------------------------------------------------

impl pb::AttachmentIdRequest {
    pub fn new(attachment: &AttachmentId) -> Self {
        Self {
            attachment_id: attachment.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<AttachmentId, DecodeError> {
        Ok(attachment_id(&self.attachment_id)?)
    }
}

impl From<&Option<Attachment>> for pb::AttachmentAnswer {
    fn from(a: &Option<Attachment>) -> Self {
        Self {
            attachment: a.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::AttachmentAnswer> for Option<Attachment> {
    type Error = DecodeError;
    fn try_from(a: pb::AttachmentAnswer) -> Result<Self, DecodeError> {
        a.attachment.map(Attachment::try_from).transpose()
    }
}

impl pb::RepoBindAttachmentRequest {
    pub fn new(attachment: &AttachmentId, owner: &UserId, conversation: &ConversationId) -> Self {
        Self {
            attachment_id: attachment.as_str().to_owned(),
            owner_id: owner.as_str().to_owned(),
            conversation_id: conversation.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(AttachmentId, UserId, ConversationId), DecodeError> {
        Ok((
            attachment_id(&self.attachment_id)?,
            id(&self.owner_id, "owner_id", UserId::parse)?,
            id(
                &self.conversation_id,
                "conversation_id",
                ConversationId::parse,
            )?,
        ))
    }
}
