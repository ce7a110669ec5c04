//! Chunked uploads under way (`UploadStore`): who opened them, the file
//! they declared, and how many of its bytes the server holds. The chunks
//! themselves are in object storage; an upload's row goes when its
//! attachment is recorded (`AttachmentStore::insert_attachment`) or when
//! it is abandoned (`AttachmentStore::delete_unsent_attachment`).

use async_trait::async_trait;
use ferrochat_domain::attachments::Upload;
use ferrochat_domain::AttachmentId;

use super::StoreError;

#[async_trait]
pub trait UploadStore: Send + Sync {
    /// `Conflict` if the id exists.
    async fn insert_upload(&self, upload: &Upload) -> Result<(), StoreError>;
    async fn upload(&self, id: &AttachmentId) -> Result<Option<Upload>, StoreError>;
    /// Sets `received` to `to` if it is `from`, in one statement, so two
    /// chunks sent at the same offset cannot both move the upload on;
    /// answers whether `received` is `to` now (false: it was not `from`,
    /// or the upload is gone).
    async fn advance_upload(
        &self,
        id: &AttachmentId,
        from: u64,
        to: u64,
    ) -> Result<bool, StoreError>;
}
