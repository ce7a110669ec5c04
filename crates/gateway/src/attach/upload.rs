//! `POST /api/v1/attachments`: a multipart upload, streamed chunk by chunk
//! to object storage. Its type is sniffed from its first bytes; it is
//! counted as it flows, so the size limit and the quota hold however the
//! client framed it; an image gets its dimensions and a thumbnail. Any
//! failure deletes what was stored: a refused upload leaves nothing.

use std::fmt;
use std::time::Duration;

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use bytes::{Bytes, BytesMut};
use ferrochat_domain::attachments::{Attachment, FileName};
use ferrochat_domain::{AttachmentId, ErrorKind};
use ferrochat_ports::attachments::{AttachmentsError, Part, UploadStream};
use ferrochat_ports::{clock, ApiError};
use ferrochat_wire::attachments::AttachmentDto;
use futures::{stream, StreamExt as _, TryStreamExt as _};
use utoipa::ToSchema;

use super::media::{self, Thumbnail, SNIFF_BYTES};
use crate::error::HttpError;
use crate::extract::Authed;
use crate::openapi::{E1001Stalled, Envelope, E1001, E1002, E1004, E1007, E1008, E1009};
use crate::reply::Reply;
use crate::state::AppState;

/// How much of an oversize upload is read (and dropped) before the
/// answer, so the client, still sending, reads the answer rather than a
/// reset connection.
const DRAIN_BYTES: u64 = 8 * 1024 * 1024;
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// The form: one part named `file`, with a file name.
#[derive(ToSchema)]
#[allow(dead_code)] // Read by utoipa only: the body is streamed.
pub(crate) struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[utoipa::path(
    post,
    path = "/api/v1/attachments",
    tag = "attachments",
    summary = "Upload a file",
    description = "A `multipart/form-data` body with one part, `file`, whose file name is kept \
        (a name, not a path: `/`, `\\\\`, control characters or only dots are 1001). The type \
        is sniffed from the bytes, not taken from the client. At most `storage.max_file_bytes` \
        (100 MiB) and within your quota (`storage.quota_bytes`), else 1008; an empty file, a \
        body cut off before its end, an image over `storage.max_image_pixels` or that does not \
        decode is 1001; nothing of a refused upload is kept. Images get `width`, `height` and a \
        thumbnail. Send it in a message (type `image`, `file`, `voice` or `video`, the id as \
        `content`) within `storage.orphan_after` (24 h), or it is deleted.",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Uploaded", body = Envelope<AttachmentDto>),
        E1001, E1001Stalled, E1002, E1004, E1007, E1008, E1009,
    )
)]
pub(super) async fn upload(
    State(state): State<AppState>,
    Authed(who): Authed,
    Form(mut form): Form,
) -> Result<Reply<AttachmentDto>, HttpError> {
    let config = &state.config.attachments;
    let me = &who.user_id;
    let used = state.deps.attachments.attachment_usage(me).await?;
    let left = config.quota_bytes.saturating_sub(used);
    if left == 0 {
        drain(&mut form).await;
        return Err(quota_error(config.quota_bytes, used));
    }
    let limit = Limit {
        bytes: config.max_file_bytes.min(left),
        quota: left < config.max_file_bytes,
        quota_bytes: config.quota_bytes,
        used,
    };
    let field = form
        .next_field()
        .await
        .map_err(|e| match Fault::from(e) {
            Fault::Cut => invalid("request body: not a well-formed multipart/form-data form"),
            fault => fault_error(&limit, fault),
        })?
        .ok_or_else(|| invalid("file: missing; send a multipart part named `file`"))?;
    if field.name() != Some("file") {
        return Err(invalid("file: the form's one part must be named `file`"));
    }
    let name = FileName::parse(field.file_name().unwrap_or_default().to_owned())?;
    let stall = state.config.body_read_timeout;
    let deadline = config.upload_timeout;
    let stored = tokio::time::timeout(deadline, store(&state, field, &limit, stall)).await;
    let (id, size, media_type) = match stored {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            if matches!(e.fault, Some(Fault::TooLarge)) {
                drain(&mut form).await;
            }
            return Err(e.error);
        }
        Err(_) => return Err(stalled("file: the upload took longer than allowed")),
    };
    let thumbnail = match images(&state, &id, size, media_type).await {
        Ok(t) => t,
        Err(e) => {
            forget(&state, &id).await;
            return Err(e);
        }
    };
    let attachment = Attachment {
        id: id.clone(),
        owner: me.clone(),
        size,
        media_type: media_type.to_owned(),
        name,
        dimensions: thumbnail.as_ref().map(|t| t.dimensions),
        has_thumbnail: thumbnail.is_some(),
        created_at: clock::now(),
        conversation: None,
    };
    if let Err(e) = state
        .deps
        .attachments
        .add_attachment(attachment.clone())
        .await
    {
        forget(&state, &id).await;
        return Err(e.into());
    }
    metrics::counter!("ferrochat_gateway_attachment_bytes_total", "way" => "up").increment(size);
    Ok(Reply::created(AttachmentDto::from(&attachment)))
}

/// The multipart body, or 1001 saying what the form must be.
pub(super) struct Form(Multipart);

impl FromRequest<AppState> for Form {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        Multipart::from_request(req, state)
            .await
            .map(Form)
            .map_err(|_| {
                invalid("request body must be multipart/form-data with a part named `file`")
            })
    }
}

impl std::ops::Deref for Form {
    type Target = Multipart;
    fn deref(&self) -> &Multipart {
        &self.0
    }
}

impl std::ops::DerefMut for Form {
    fn deref_mut(&mut self) -> &mut Multipart {
        &mut self.0
    }
}

/// The most this upload may be, and why.
struct Limit {
    bytes: u64,
    /// The quota, not the size limit, is the smaller.
    quota: bool,
    quota_bytes: u64,
    used: u64,
}

/// Why an upload's stream ended early. It travels inside the
/// `io::Error` the stream yields, through the port, back to here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    TooLarge,
    Stalled,
    Cut,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::TooLarge => "too large",
            Fault::Stalled => "stalled",
            Fault::Cut => "cut off",
        })
    }
}

impl std::error::Error for Fault {}

impl From<MultipartError> for Fault {
    fn from(e: MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Fault::TooLarge
        } else {
            Fault::Cut
        }
    }
}

/// A failed store: the answer, and the fault if the stream had one.
struct Failed {
    error: HttpError,
    fault: Option<Fault>,
}

impl From<HttpError> for Failed {
    fn from(error: HttpError) -> Self {
        Self { error, fault: None }
    }
}

fn invalid(message: &str) -> HttpError {
    HttpError::new(ErrorKind::InvalidParams, message)
}

fn stalled(message: &str) -> HttpError {
    HttpError::new(ErrorKind::RequestTimeout, message)
}

fn quota_error(quota: u64, used: u64) -> HttpError {
    HttpError::new(
        ErrorKind::TooLarge,
        format!("file: your attachments take {used} of your {quota} bytes; this one does not fit"),
    )
}

fn fault_error(limit: &Limit, fault: Fault) -> HttpError {
    match fault {
        Fault::TooLarge if limit.quota => quota_error(limit.quota_bytes, limit.used),
        Fault::TooLarge => HttpError::new(
            ErrorKind::TooLarge,
            format!("file: larger than the limit of {} bytes", limit.bytes),
        ),
        Fault::Stalled => stalled("file: the upload stalled"),
        Fault::Cut => invalid("file: the upload was cut off before its end"),
    }
}

/// Streams the field to object storage; answers its id, size and type.
async fn store(
    state: &AppState,
    mut field: Field<'_>,
    limit: &Limit,
    stall: Duration,
) -> Result<(AttachmentId, u64, &'static str), Failed> {
    // The first bytes decide the type; they go first into the stream.
    let mut head = BytesMut::new();
    while head.len() < SNIFF_BYTES {
        match next_chunk(&mut field, stall).await {
            Ok(Some(chunk)) => head.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(fault) => {
                return Err(Failed {
                    error: fault_error(limit, fault),
                    fault: Some(fault),
                })
            }
        }
    }
    if head.is_empty() {
        return Err(invalid("file: is empty").into());
    }
    let media_type = media::sniff(&head);
    let id = AttachmentId::generate();
    let body = counted(head.freeze(), field, limit.bytes, stall);
    match state.deps.objects.put(&id, Part::File, body).await {
        Ok(size) => Ok((id, size, media_type)),
        Err(AttachmentsError::Interrupted(e)) => {
            let fault = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<Fault>())
                .copied()
                .unwrap_or(Fault::Cut);
            Err(Failed {
                error: fault_error(limit, fault),
                fault: Some(fault),
            })
        }
        Err(e) => Err(storage_error(&e).into()),
    }
}

async fn next_chunk(field: &mut Field<'_>, stall: Duration) -> Result<Option<Bytes>, Fault> {
    match tokio::time::timeout(stall, field.chunk()).await {
        Err(_) => Err(Fault::Stalled),
        Ok(Err(e)) => Err(Fault::from(e)),
        Ok(Ok(chunk)) => Ok(chunk),
    }
}

/// `head`, then the rest of `field`, failing with `Fault::TooLarge` past
/// `limit` bytes and `Fault::Stalled` when a chunk is late.
fn counted<'a>(head: Bytes, field: Field<'a>, limit: u64, stall: Duration) -> UploadStream<'a> {
    struct Reading<'a> {
        head: Option<Bytes>,
        field: Field<'a>,
        seen: u64,
        over: bool,
    }
    let start = Reading {
        head: Some(head),
        field,
        seen: 0,
        over: false,
    };
    stream::unfold(start, move |mut r| async move {
        if r.over {
            return None;
        }
        let chunk = match r.head.take() {
            Some(head) => Ok(Some(head)),
            None => next_chunk(&mut r.field, stall).await,
        };
        let item = match chunk {
            Ok(None) => return None,
            Ok(Some(chunk)) => {
                r.seen = r.seen.saturating_add(chunk.len() as u64);
                if r.seen > limit {
                    Err(Fault::TooLarge)
                } else {
                    Ok(chunk)
                }
            }
            Err(fault) => Err(fault),
        };
        r.over = item.is_err();
        Some((item.map_err(std::io::Error::other), r))
    })
    .boxed()
}

/// Reads and drops what is left of an oversize upload, up to a bound.
async fn drain(form: &mut Multipart) {
    let work = async {
        let mut dropped = 0u64;
        while let Ok(Some(mut field)) = form.next_field().await {
            while let Ok(Some(chunk)) = field.chunk().await {
                dropped = dropped.saturating_add(chunk.len() as u64);
                if dropped > DRAIN_BYTES {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, work).await;
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
        .map_err(|e| invalid(&e.to_string()))?;
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

/// Deletes what an upload stored, when it is refused after storing.
async fn forget(state: &AppState, id: &AttachmentId) {
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
