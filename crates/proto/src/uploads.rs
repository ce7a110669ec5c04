//! Chunked uploads' messages, and the owner's attachment list, in both
//! services: the logic role's (`AttachmentsApi`) and the repo's
//! (`UploadStore`, `AttachmentStore::attachments_of`).

use ferrochat_domain::attachments::{Attachment, FileName, Upload};
use ferrochat_domain::{AttachmentId, InvalidField, Timestamp, UserId};

use crate::attachments::attachment_id;
use crate::convert::DecodeError;
use crate::logic::{caller, id};
use crate::pb;

impl From<&Upload> for pb::Upload {
    fn from(u: &Upload) -> Self {
        Self {
            id: u.id.as_str().to_owned(),
            owner_id: u.owner.as_str().to_owned(),
            name: u.name.as_str().to_owned(),
            size: u.size,
            received: u.received,
            created_at_ms: u.created_at.millis(),
        }
    }
}

impl pb::Upload {
    /// Every id and the name checked, as an opening's are.
    pub fn parse(self) -> Result<Upload, InvalidField> {
        if self.received > self.size {
            return Err(InvalidField::new("received", "is more than size"));
        }
        Ok(Upload {
            id: id(&self.id, "id", AttachmentId::parse)?,
            owner: id(&self.owner_id, "owner_id", UserId::parse)?,
            name: FileName::parse(self.name)?,
            size: self.size,
            received: self.received,
            created_at: Timestamp::from_millis(self.created_at_ms),
        })
    }
}

impl TryFrom<pb::Upload> for Upload {
    type Error = DecodeError;
    fn try_from(u: pb::Upload) -> Result<Self, DecodeError> {
        Ok(u.parse()?)
    }
}

impl From<&Vec<Attachment>> for pb::AttachmentList {
    fn from(list: &Vec<Attachment>) -> Self {
        Self {
            attachments: list.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::AttachmentList> for Vec<Attachment> {
    type Error = DecodeError;
    fn try_from(list: pb::AttachmentList) -> Result<Self, DecodeError> {
        list.attachments
            .into_iter()
            .map(Attachment::try_from)
            .collect()
    }
}

fn after_id(after: Option<&AttachmentId>) -> String {
    after.map_or_else(String::new, |a| a.as_str().to_owned())
}

fn parse_after(raw: &str) -> Result<Option<AttachmentId>, InvalidField> {
    (!raw.is_empty())
        .then(|| id(raw, "after_id", AttachmentId::parse))
        .transpose()
}

// --- logic ----------------------------------------------------------------

impl pb::AttachmentsOfRequest {
    pub fn new(who: &UserId, after: Option<&AttachmentId>, limit: u32) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            after_id: after_id(after),
            limit,
        }
    }

    pub fn parse(self) -> Result<(UserId, Option<AttachmentId>, u32), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            parse_after(&self.after_id)?,
            self.limit,
        ))
    }
}

impl pb::AdvanceUploadRequest {
    pub fn new(who: &UserId, upload: &AttachmentId, from: u64, to: u64) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            attachment_id: upload.as_str().to_owned(),
            from,
            to,
        }
    }

    pub fn parse(self) -> Result<(UserId, AttachmentId, u64, u64), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            attachment_id(&self.attachment_id)?,
            self.from,
            self.to,
        ))
    }
}

// --- repo -----------------------------------------------------------------

impl pb::RepoAttachmentsOfRequest {
    pub fn new(owner: &UserId, after: Option<&AttachmentId>, limit: u32) -> Self {
        Self {
            owner_id: owner.as_str().to_owned(),
            after_id: after_id(after),
            limit,
        }
    }

    pub fn parse(self) -> Result<(UserId, Option<AttachmentId>, u32), DecodeError> {
        Ok((
            id(&self.owner_id, "owner_id", UserId::parse)?,
            parse_after(&self.after_id)?,
            self.limit,
        ))
    }
}

impl From<&Option<Upload>> for pb::UploadAnswer {
    fn from(u: &Option<Upload>) -> Self {
        Self {
            upload: u.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::UploadAnswer> for Option<Upload> {
    type Error = DecodeError;
    fn try_from(a: pb::UploadAnswer) -> Result<Self, DecodeError> {
        a.upload.map(Upload::try_from).transpose()
    }
}

impl pb::RepoAdvanceUploadRequest {
    pub fn new(upload: &AttachmentId, from: u64, to: u64) -> Self {
        Self {
            attachment_id: upload.as_str().to_owned(),
            from,
            to,
        }
    }

    pub fn parse(self) -> Result<(AttachmentId, u64, u64), DecodeError> {
        Ok((attachment_id(&self.attachment_id)?, self.from, self.to))
    }
}
