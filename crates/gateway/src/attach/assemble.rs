//! A resumable upload's last chunk arrived: its chunks, read back in
//! order, become the file (the type sniffed and the image measured as a
//! one-shot upload's are, `stored.rs`), then the chunks are deleted. Only
//! one chunk is read at a time, streamed, so no file is held whole.

use std::sync::Arc;

use ferrochat_domain::attachments::{Attachment, Upload};
use ferrochat_domain::ErrorKind;
use ferrochat_ports::attachments::{Attachments, Part, UploadStream};
use ferrochat_ports::ApiError;
use futures::{stream, StreamExt as _, TryStreamExt as _};

use super::stored::{forget, put_sniffed, record, Unstored};
use crate::error::HttpError;
use crate::state::AppState;

/// Assembles `upload`'s chunks into its attachment and records it.
///
/// Bad bytes (an image that does not decode) delete the upload, chunks
/// and all: they would be as bad sent again. Anything else (storage down)
/// keeps the chunks and the upload at its last offset, so the client can
/// send the last chunk again.
pub(super) async fn finish(state: &AppState, upload: &Upload) -> Result<Attachment, HttpError> {
    let id = &upload.id;
    let body = chunks(state.deps.objects.clone(), upload);
    let stored = match put_sniffed(state, id, body).await {
        Ok(stored) if stored.0 == upload.size => stored,
        Ok((size, _)) => {
            tracing::error!(attachment.id = %id, size, declared = upload.size,
                "an upload's chunks do not add up to its size");
            return Err(ApiError::internal().into());
        }
        Err(Unstored::Empty) => return Err(ApiError::internal().into()),
        Err(Unstored::Failed(e)) => {
            tracing::warn!(error = %e, attachment.id = %id, "assembling an upload failed");
            return Err(ApiError::unavailable(
                "file storage unavailable, send the last chunk again",
            )
            .into());
        }
    };
    let attachment = match record(state, id, &upload.owner, upload.name.clone(), stored).await {
        Ok(attachment) => attachment,
        // Finished meanwhile by the same last chunk sent twice.
        Err(e) if e.kind() == ErrorKind::Conflict => {
            state.deps.attachments.attachment(&upload.owner, id).await?
        }
        Err(e) if e.kind() == ErrorKind::InvalidParams => {
            forget(state, id).await;
            if let Err(why) = state.deps.attachments.forget_unsent_attachment(id).await {
                // The sweep finds it later (its row is still there).
                tracing::warn!(error = %why.message, "forgetting a refused upload failed");
            }
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    if let Err(e) = state.deps.objects.delete_chunks(id).await {
        // Its row is gone, so the sweep cannot find these: say so loudly.
        tracing::error!(error = %e, attachment.id = %id, "deleting an upload's chunks failed");
    }
    Ok(attachment)
}

/// The upload's chunks in file order: each starts where the one before
/// ended, the first at 0.
fn chunks(objects: Arc<dyn Attachments>, upload: &Upload) -> UploadStream<'static> {
    let (id, size) = (upload.id.clone(), upload.size);
    stream::try_unfold(0u64, move |offset| {
        let (objects, id) = (objects.clone(), id.clone());
        async move {
            if offset >= size {
                return Ok(None);
            }
            let chunk = objects
                .get(&id, Part::Chunk(offset), None)
                .await
                .map_err(std::io::Error::other)?;
            if chunk.size == 0 {
                return Err(std::io::Error::other(format!("empty chunk at {offset}")));
            }
            Ok(Some((chunk.body, offset.saturating_add(chunk.size))))
        }
    })
    .try_flatten()
    .boxed()
}
