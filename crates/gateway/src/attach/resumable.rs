//! Resumable uploads, after the tus protocol's core in the contract's
//! style: `POST /api/v1/uploads` opens one with the file's name and size
//! (the size limit and the quota checked then, the size held against the
//! quota until it ends); `PATCH /api/v1/uploads/{id}` sends one chunk at
//! the `Upload-Offset` the server holds; `GET` (or `HEAD`) says that
//! offset after a broken connection; `DELETE` abandons it.
//!
//! Each chunk is an object of its own (`Part::Chunk`), stored before the
//! upload's offset moves in the store: a chunk acknowledged survives a
//! crash or a restart of the server. The last one assembles the file
//! (`assemble.rs`).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use ferrochat_domain::attachments::{Attachment, FileName, Upload};
use ferrochat_domain::{AttachmentId, ErrorKind};
use ferrochat_ports::api::upload_offset_mismatch;
use ferrochat_ports::attachments::{AttachmentsError, Part};
use ferrochat_ports::clock;
use ferrochat_wire::attachments::{OpenUploadBody, UploadDto};
use ferrochat_wire::envelope::Empty;
use futures::StreamExt as _;

use super::assemble::finish;
use super::flow::{counted, Fault};
use super::stored::storage_error;
use super::upload::quota_error;
use crate::error::HttpError;
use crate::extract::{Authed, JsonBody, PathId};
use crate::openapi::{E1001Stalled, Envelope, E1001, E1002, E1003, E1004, E1007, E1008, E1009};
use crate::reply::Reply;
use crate::state::AppState;

/// A chunk's route: its deadline is `storage.upload_timeout`, as the
/// one-shot upload's (the last chunk assembles the whole file).
pub(crate) const CHUNK_ROUTE: &str = "/api/v1/uploads/{id}";

/// The smallest chunk but the last (capped by `storage.chunk_bytes`): it
/// bounds how many objects a file is stored as.
const MIN_CHUNK_BYTES: u64 = 64 * 1024;

/// Where a chunk starts, and where the upload is (answers carry it too).
pub(crate) const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");

/// Bytes of a refused chunk read (and dropped) before the answer, so the
/// client, still sending, reads the answer rather than a reset.
const DRAIN_BYTES: usize = 8 * 1024 * 1024;

fn invalid(message: impl Into<String>) -> HttpError {
    HttpError::new(ErrorKind::InvalidParams, message)
}

/// The smallest and largest chunk this server takes.
fn chunk_bounds(state: &AppState) -> (u64, u64) {
    let most = state.config.attachments.chunk_bytes;
    (MIN_CHUNK_BYTES.min(most), most)
}

/// The upload's state, with its offset also as `Upload-Offset`.
fn answer(state: &AppState, upload: &Upload, done: Option<&Attachment>, created: bool) -> Response {
    let dto = UploadDto::new(upload, chunk_bounds(state), done);
    let reply = if created {
        Reply::created(dto)
    } else {
        Reply::ok(dto)
    };
    ([(UPLOAD_OFFSET, HeaderValue::from(upload.received))], reply).into_response()
}

/// An id that does not parse names no upload: 1003, as an unknown one.
fn upload_id(raw: &str) -> Result<AttachmentId, HttpError> {
    AttachmentId::parse(raw).map_err(|_| HttpError::new(ErrorKind::NotFound, "no such upload"))
}

#[utoipa::path(
    post,
    path = "/api/v1/uploads",
    tag = "attachments",
    summary = "Open a resumable upload",
    description = "For a large file, sent in chunks that survive a broken connection. `name` \
        (as a file upload's, 1001 if not a plain name) and `size` (the whole file, at least 1 \
        byte; over `storage.max_file_bytes` or your quota left is 1008: the size counts \
        against your quota from now until the upload ends). Answers the upload at offset 0, \
        with the chunk sizes this server takes. Send the chunks within `storage.orphan_after` \
        (24 h), or the upload is deleted with them.",
    request_body = OpenUploadBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Opened", body = Envelope<UploadDto>),
        E1001, E1001Stalled, E1002, E1004, E1007, E1008, E1009,
    )
)]
pub(super) async fn open(
    State(state): State<AppState>,
    Authed(who): Authed,
    JsonBody(body): JsonBody<OpenUploadBody>,
) -> Result<Response, HttpError> {
    let config = &state.config.attachments;
    let name = FileName::parse(body.name.ok_or_else(|| invalid("name: missing"))?)?;
    let size = body.size.ok_or_else(|| invalid("size: missing"))?;
    if size == 0 {
        return Err(invalid("size: must be at least 1 byte"));
    }
    if size > config.max_file_bytes {
        return Err(HttpError::new(
            ErrorKind::TooLarge,
            format!(
                "size: larger than the limit of {} bytes",
                config.max_file_bytes
            ),
        ));
    }
    let me = &who.user_id;
    let used = state.deps.attachments.attachment_usage(me).await?;
    if used.saturating_add(size) > config.quota_bytes {
        return Err(quota_error(config.quota_bytes, used));
    }
    let upload = Upload {
        id: AttachmentId::generate(),
        owner: me.clone(),
        name,
        size,
        received: 0,
        created_at: clock::now(),
    };
    state.deps.attachments.open_upload(upload.clone()).await?;
    Ok(answer(&state, &upload, None, true))
}

#[utoipa::path(
    get,
    path = "/api/v1/uploads/{id}",
    tag = "attachments",
    summary = "Where a resumable upload is",
    description = "Its state; `offset` (also the `Upload-Offset` header, which `HEAD` answers \
        alone) is where the next chunk starts: ask after a broken connection. Someone else's \
        upload, or one finished or abandoned, is 1003 (a finished one's attachment has the \
        same id).",
    params(("id" = String, Path, description = "upload_id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The upload", body = Envelope<UploadDto>),
        E1002, E1003, E1004, E1007, E1009,
    )
)]
pub(super) async fn status(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(raw): PathId,
) -> Result<Response, HttpError> {
    let id = upload_id(&raw)?;
    let upload = state.deps.attachments.upload(&who.user_id, &id).await?;
    Ok(answer(&state, &upload, None, false))
}

#[utoipa::path(
    patch,
    path = "/api/v1/uploads/{id}",
    tag = "attachments",
    summary = "Send a chunk of a resumable upload",
    description = "The body is the chunk's bytes (`Content-Type: application/offset+octet-stream` \
        or any), `Upload-Offset` the byte of the file it starts at and `Content-Length` its \
        length (both required, 1001). An offset that is not the upload's is 1001 naming the \
        offset to send from. A chunk is at most `chunk_bytes` and at least `min_chunk_bytes` \
        (but the last), and never past the declared size: else 1008 (too large) or 1001 (too \
        small, empty). A chunk cut off before its end is 1001 and not kept: ask where the \
        upload is and send again. The answer is the upload at its new offset; the chunk that \
        completes the file also makes its attachment (its type sniffed from the bytes, images \
        with dimensions and a thumbnail, 1001 for an image that does not decode, which ends \
        the upload) and answers it as `attachment`. Someone else's upload is 1003.",
    params(
        ("id" = String, Path, description = "upload_id"),
        ("Upload-Offset" = u64, Header, description = "where this chunk starts in the file"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored", body = Envelope<UploadDto>),
        E1001, E1001Stalled, E1002, E1003, E1004, E1007, E1008, E1009,
    )
)]
pub(super) async fn chunk(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(raw): PathId,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, HttpError> {
    let id = upload_id(&raw)?;
    let offset = number(&headers, &UPLOAD_OFFSET, "Upload-Offset")?;
    let length = chunk_length(&headers)?;
    let upload = state.deps.attachments.upload(&who.user_id, &id).await?;
    let (least, most) = chunk_bounds(&state);
    let left = upload.size.saturating_sub(upload.received);
    let refusal = if offset != upload.received {
        Some(HttpError::from(upload_offset_mismatch(
            offset,
            upload.received,
        )))
    } else if length == 0 {
        Some(invalid(
            "chunk: is empty; send the bytes from Upload-Offset",
        ))
    } else if length > left {
        Some(HttpError::new(
            ErrorKind::TooLarge,
            format!("chunk: {length} bytes, past the declared size: {left} are left"),
        ))
    } else if length > most {
        Some(HttpError::new(
            ErrorKind::TooLarge,
            format!("chunk: {length} bytes, more than the {most} a chunk may be"),
        ))
    } else if length < least && length < left {
        Some(invalid(format!(
            "chunk: {length} bytes; every chunk but the last is at least {least}"
        )))
    } else {
        None
    };
    if let Some(refused) = refusal {
        drain(body).await;
        return Err(refused);
    }
    let deadline = state.config.attachments.upload_timeout;
    match tokio::time::timeout(deadline, store(&state, &upload, length, body)).await {
        Ok(done) => done,
        Err(_) => Err(HttpError::new(
            ErrorKind::RequestTimeout,
            "chunk: took longer than allowed; ask where the upload is and send again",
        )),
    }
}

/// Stores the chunk (exactly `length` bytes) at the upload's offset, then
/// moves the upload on, or, for the last one, finishes it.
async fn store(
    state: &AppState,
    upload: &Upload,
    length: u64,
    body: Body,
) -> Result<Response, HttpError> {
    let stall = state.config.body_read_timeout;
    let bytes = counted(body.into_data_stream(), length, stall, |_| Fault::Cut);
    let offset = upload.received;
    let id = &upload.id;
    let written = match state.deps.objects.put(id, Part::Chunk(offset), bytes).await {
        Ok(n) => n,
        Err(AttachmentsError::Interrupted(e)) => {
            return Err(match Fault::of(&e) {
                Fault::Stalled => HttpError::new(
                    ErrorKind::RequestTimeout,
                    "chunk: stalled; ask where the upload is and send again",
                ),
                _ => {
                    invalid("chunk: cut off before its end; ask where the upload is and send again")
                }
            })
        }
        Err(e) => return Err(storage_error(&e)),
    };
    if written != length {
        return Err(invalid(
            "chunk: cut off before its end; ask where the upload is and send again",
        ));
    }
    let end = offset.saturating_add(length);
    if end < upload.size {
        let moved = state
            .deps
            .attachments
            .advance_upload(&upload.owner, id, offset, end)
            .await?;
        return Ok(answer(state, &moved, None, false));
    }
    let attachment = finish(state, upload).await?;
    let done = Upload {
        received: upload.size,
        ..upload.clone()
    };
    Ok(answer(state, &done, Some(&attachment), false))
}

/// The chunk's length: its `Content-Length`, or none at all for a
/// request with no body (some clients send no header for an empty one).
fn chunk_length(headers: &HeaderMap) -> Result<u64, HttpError> {
    use axum::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
    if headers.contains_key(CONTENT_LENGTH) || headers.contains_key(TRANSFER_ENCODING) {
        number(headers, &CONTENT_LENGTH, "Content-Length")
    } else {
        Ok(0)
    }
}

/// A required header's unsigned number, or 1001 naming it.
fn number(headers: &HeaderMap, header: &HeaderName, name: &str) -> Result<u64, HttpError> {
    let raw = headers
        .get(header)
        .ok_or_else(|| invalid(format!("{name}: missing")))?;
    raw.to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| invalid(format!("{name}: not a number of bytes")))
}

/// Reads and drops a refused chunk, up to a bound.
async fn drain(body: Body) {
    let mut data = body.into_data_stream();
    let work = async {
        let mut dropped = 0usize;
        while let Some(Ok(chunk)) = data.next().await {
            dropped = dropped.saturating_add(chunk.len());
            if dropped > DRAIN_BYTES {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), work).await;
}

#[utoipa::path(
    delete,
    path = "/api/v1/uploads/{id}",
    tag = "attachments",
    summary = "Abandon a resumable upload",
    description = "Deletes its chunks and frees its size from your quota. Someone else's \
        upload, or one finished or abandoned, is 1003.",
    params(("id" = String, Path, description = "upload_id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Abandoned", body = Envelope<Empty>),
        E1002, E1003, E1004, E1007, E1009,
    )
)]
pub(super) async fn abort(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(raw): PathId,
) -> Result<Reply<Empty>, HttpError> {
    let id = upload_id(&raw)?;
    state.deps.attachments.upload(&who.user_id, &id).await?;
    // Bytes first: a row left behind is swept later, bytes would not be.
    state
        .deps
        .objects
        .delete(&id)
        .await
        .map_err(|e| storage_error(&e))?;
    state.deps.attachments.forget_unsent_attachment(&id).await?;
    Ok(Reply::ok(Empty {}))
}
