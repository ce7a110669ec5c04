//! What every upload does once its bytes flow, however they arrived (one
//! multipart request, or chunks assembled): the type sniffed from the
//! first bytes as they go to object storage, then for images their
//! dimensions and a thumbnail, then the metadata recorded.

use bytes::{Bytes, BytesMut};
use ferrochat_domain::attachments::{Attachment, FileName};
use ferrochat_domain::{AttachmentId, ErrorKind, UserId};
use ferrochat_ports::attachments::{AttachmentsError, Part, UploadStream};
use ferrochat_ports::{clock, ApiError};
use futures::{stream, StreamExt as _, TryStreamExt as _};

use super::media::{self, Thumbnail, SNIFF_BYTES};
use crate::error::HttpError;
use crate::state::AppState;

/// Why `put_sniffed` stored nothing.
pub(super) enum Unstored {
    /// The body had no bytes.
    Empty,
    Failed(AttachmentsError),
}

/// Stores `body` as `id`'s file; answers its size and sniffed type.
pub(super) async fn put_sniffed(
    state: &AppState,
    id: &AttachmentId,
    body: UploadStream<'_>,
) -> Result<(u64, &'static str), Unstored> {
    // Fused: the head may read it to its end, and the rest then is none.
    let mut body = body.fuse();
    // The first bytes decide the type; they go first into the stream.
    let mut head = BytesMut::new();
    while head.len() < SNIFF_BYTES {
        match body.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(e)) => return Err(Unstored::Failed(AttachmentsError::Interrupted(e))),
            None => break,
        }
    }
    if head.is_empty() {
        return Err(Unstored::Empty);
    }
    let media_type = media::sniff(&head);
    let whole = stream::iter([Ok(head.freeze())]).chain(body).boxed();
    let size = state
        .deps
        .objects
        .put(id, Part::File, whole)
        .await
        .map_err(Unstored::Failed)?;
    Ok((size, media_type))
}

/// A stored file's metadata, once its image (if it is one) is measured
/// and thumbnailed, recorded as `owner`'s. On error the caller decides
/// what of the stored bytes to delete.
pub(super) async fn record(
    state: &AppState,
    id: &AttachmentId,
    owner: &UserId,
    name: FileName,
    stored: (u64, &'static str),
) -> Result<Attachment, HttpError> {
    let (size, media_type) = stored;
    let thumbnail = images(state, id, size, media_type).await?;
    let attachment = Attachment {
        id: id.clone(),
        owner: owner.clone(),
        size,
        media_type: media_type.to_owned(),
        name,
        dimensions: thumbnail.as_ref().map(|t| t.dimensions),
        has_thumbnail: thumbnail.is_some(),
        created_at: clock::now(),
        conversation: None,
    };
    state
        .deps
        .attachments
        .add_attachment(attachment.clone())
        .await?;
    metrics::counter!("ferrochat_gateway_attachment_bytes_total", "way" => "up").increment(size);
    Ok(attachment)
}

/// An image's dimensions and thumbnail (stored beside it); `None` for
/// anything else and for images too large to decode here.
async fn images(
    state: &AppState,
    id: &AttachmentId,
    size: u64,
    media_type: &str,
) -> Result<Option<Thumbnail>, HttpError> {
    let config = &state.config.attachments;
    if !media::decodable(media_type) || size > config.max_image_bytes {
        return Ok(None);
    }
    // Decodes at once are few: each holds the file and its pixels.
    let _permit = state
        .image_permits
        .acquire()
        .await
        .map_err(|_| HttpError::from(ApiError::unavailable("shutting down")))?;
    let download = state
        .deps
        .objects
        .get(id, Part::File, None)
        .await
        .map_err(|e| storage_error(&e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut body = download.body;
    while let Some(chunk) = body
        .try_next()
        .await
        .map_err(|e| storage_error(&AttachmentsError::Unavailable(e.to_string())))?
    {
        bytes.extend_from_slice(&chunk);
    }
    let (max_pixels, side) = (config.max_image_pixels, config.thumbnail_pixels);
    let made = tokio::task::spawn_blocking(move || media::thumbnail(&bytes, max_pixels, side))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "thumbnail task failed");
            HttpError::from(ApiError::internal())
        })?
        .map_err(|e| HttpError::new(ErrorKind::InvalidParams, e.to_string()))?;
    let png = Bytes::from(made.png.clone());
    let body = stream::iter([Ok(png)]).boxed();
    state
        .deps
        .objects
        .put(id, Part::Thumbnail, body)
        .await
        .map_err(|e| storage_error(&e))?;
    Ok(Some(made))
}

/// Deletes every object of `id`, when an upload is refused after storing.
pub(super) async fn forget(state: &AppState, id: &AttachmentId) {
    if let Err(e) = state.deps.objects.delete(id).await {
        // The sweep cannot find it (no metadata): say so loudly.
        tracing::error!(error = %e, attachment.id = %id, "deleting a refused upload failed");
    }
}

pub(super) fn storage_error(e: &AttachmentsError) -> HttpError {
    match e {
        AttachmentsError::NotFound => {
            HttpError::new(ErrorKind::NotFound, "the attachment's bytes are missing")
        }
        e => {
            tracing::warn!(error = %e, "object storage failed");
            ApiError::unavailable("file storage unavailable, retry later").into()
        }
    }
}
