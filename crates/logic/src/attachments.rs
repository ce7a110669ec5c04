//! `Uploads`, the logic role's implementation of `AttachmentsApi`:
//! attachments' metadata and who may read them. The bytes are the
//! gateway's to move (docs/ARCHITECTURE.md, "Attachments").

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_domain::attachments::{
    bind_refusal, Attachment, AttachmentKind, BindRefusal, Upload,
};
use ferrochat_domain::{AttachmentId, ConversationId, Timestamp, UserId};
use ferrochat_ports::api::upload_offset_mismatch;
use ferrochat_ports::store::Bound;
use ferrochat_ports::{ApiError, AttachmentsApi, StoreError};

use crate::deps::LogicDeps;
use crate::error::store as store_err;
use crate::messaging::{member_of, AccessCache};

/// The most ids `unsent_attachments` answers at once.
const MAX_UNSENT_PAGE: u32 = 1000;
/// The most attachments `attachments_of` answers at once.
const MAX_OWNED_PAGE: u32 = 500;

pub struct Uploads {
    pub(crate) deps: LogicDeps,
    /// For the membership check of a download (the world room's bans).
    pub(crate) access: Arc<AccessCache>,
}

impl Uploads {
    async fn stored(&self, id: &AttachmentId) -> Result<Attachment, ApiError> {
        self.deps
            .store
            .attachment(id)
            .await
            .map_err(|e| store_err("reading an attachment", e))?
            .ok_or_else(|| ApiError::not_found("no such attachment"))
    }
}

impl Uploads {
    /// `who`'s upload `id`, or 1003 as if there were none.
    async fn own_upload(&self, who: &UserId, id: &AttachmentId) -> Result<Upload, ApiError> {
        self.deps
            .store
            .upload(id)
            .await
            .map_err(|e| store_err("reading an upload", e))?
            .filter(|u| &u.owner == who)
            .ok_or_else(|| ApiError::not_found("no such upload"))
    }
}

fn refusal(why: BindRefusal) -> ApiError {
    match why {
        BindRefusal::NotOwner => ApiError::forbidden("this attachment is not yours to send"),
        BindRefusal::SentElsewhere => {
            ApiError::forbidden("this attachment was sent in another conversation")
        }
        BindRefusal::WrongType => ApiError::new(
            ferrochat_domain::ErrorKind::InvalidParams,
            "content: the attachment's type does not fit the message_type",
        ),
    }
}

#[async_trait]
impl AttachmentsApi for Uploads {
    async fn attachment_usage(&self, who: &UserId) -> Result<u64, ApiError> {
        self.deps
            .store
            .attachment_usage(who)
            .await
            .map_err(|e| store_err("summing attachments", e))
    }

    async fn add_attachment(&self, attachment: Attachment) -> Result<(), ApiError> {
        match self.deps.store.insert_attachment(&attachment).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(ApiError::conflict("attachment id taken")),
            Err(e) => Err(store_err("recording an attachment", e)),
        }
    }

    async fn attachment(&self, who: &UserId, id: &AttachmentId) -> Result<Attachment, ApiError> {
        let attachment = self.stored(id).await?;
        match &attachment.conversation {
            None if &attachment.owner == who => Ok(attachment),
            None => Err(ApiError::forbidden("this attachment is not yours")),
            Some(conversation) => {
                member_of(&*self.deps.store, &self.access, who, conversation)
                    .await
                    .map_err(|e| match e.kind {
                        // A conversation gone is no reason to say more.
                        ferrochat_domain::ErrorKind::NotFound => {
                            ApiError::forbidden("this attachment is not yours")
                        }
                        _ => e,
                    })?;
                Ok(attachment)
            }
        }
    }

    async fn bind_attachment(
        &self,
        who: &UserId,
        id: &AttachmentId,
        conversation: &ConversationId,
        kind: AttachmentKind,
    ) -> Result<Attachment, ApiError> {
        let attachment = self.stored(id).await?;
        if let Some(why) = bind_refusal(&attachment, who, conversation, kind) {
            return Err(refusal(why));
        }
        // The store decides a race between two conversations.
        match self
            .deps
            .store
            .bind_attachment(id, who, conversation)
            .await
            .map_err(|e| store_err("binding an attachment", e))?
        {
            Bound::Bound => Ok(Attachment {
                conversation: Some(conversation.clone()),
                ..attachment
            }),
            Bound::Refused => Err(refusal(BindRefusal::SentElsewhere)),
        }
    }

    async fn unsent_attachments(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AttachmentId>, ApiError> {
        self.deps
            .store
            .unsent_attachments(before, limit.min(MAX_UNSENT_PAGE))
            .await
            .map_err(|e| store_err("listing unsent attachments", e))
    }

    async fn forget_unsent_attachment(&self, id: &AttachmentId) -> Result<bool, ApiError> {
        self.deps
            .store
            .delete_unsent_attachment(id)
            .await
            .map_err(|e| store_err("deleting an attachment", e))
    }

    async fn attachments_of(
        &self,
        who: &UserId,
        after: Option<&AttachmentId>,
        limit: u32,
    ) -> Result<Vec<Attachment>, ApiError> {
        self.deps
            .store
            .attachments_of(who, after, limit.min(MAX_OWNED_PAGE))
            .await
            .map_err(|e| store_err("listing attachments", e))
    }

    async fn open_upload(&self, upload: Upload) -> Result<(), ApiError> {
        match self.deps.store.insert_upload(&upload).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(ApiError::conflict("upload id taken")),
            Err(e) => Err(store_err("recording an upload", e)),
        }
    }

    async fn upload(&self, who: &UserId, id: &AttachmentId) -> Result<Upload, ApiError> {
        self.own_upload(who, id).await
    }

    async fn advance_upload(
        &self,
        who: &UserId,
        id: &AttachmentId,
        from: u64,
        to: u64,
    ) -> Result<Upload, ApiError> {
        let upload = self.own_upload(who, id).await?;
        let moved = from == upload.received
            && self
                .deps
                .store
                .advance_upload(id, from, to)
                .await
                .map_err(|e| store_err("advancing an upload", e))?;
        if moved {
            return Ok(Upload {
                received: to,
                ..upload
            });
        }
        // Another chunk got there first: say where the upload is now.
        let now = self.own_upload(who, id).await?;
        Err(upload_offset_mismatch(from, now.received))
    }
}
