//! `POST /api/v1/attachments`: a multipart upload, streamed chunk by chunk
//! to object storage. Its type is sniffed from its first bytes; it is
//! counted as it flows, so the size limit and the quota hold however the
//! client framed it; an image gets its dimensions and a thumbnail. Any
//! failure deletes what was stored: a refused upload leaves nothing.

use std::time::Duration;

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use ferrochat_domain::attachments::FileName;
use ferrochat_domain::{AttachmentId, ErrorKind};
use ferrochat_ports::attachments::AttachmentsError;
use ferrochat_wire::attachments::AttachmentDto;
use utoipa::ToSchema;

use super::flow::{counted, Fault};
use super::stored::{forget, put_sniffed, record, storage_error, Unstored};
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
        .map_err(|e| match multipart_fault(e) {
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
    match record(&state, &id, me, name, (size, media_type)).await {
        Ok(attachment) => Ok(Reply::created(AttachmentDto::from(&attachment))),
        Err(e) => {
            forget(&state, &id).await;
            Err(e)
        }
    }
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

fn multipart_fault(e: MultipartError) -> Fault {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Fault::TooLarge
    } else {
        Fault::Cut
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

pub(super) fn quota_error(quota: u64, used: u64) -> HttpError {
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
    field: Field<'_>,
    limit: &Limit,
    stall: Duration,
) -> Result<(AttachmentId, u64, &'static str), Failed> {
    let id = AttachmentId::generate();
    let body = counted(field, limit.bytes, stall, multipart_fault);
    match put_sniffed(state, &id, body).await {
        Ok((size, media_type)) => Ok((id, size, media_type)),
        Err(Unstored::Empty) => Err(invalid("file: is empty").into()),
        Err(Unstored::Failed(AttachmentsError::Interrupted(e))) => {
            let fault = Fault::of(&e);
            Err(Failed {
                error: fault_error(limit, fault),
                fault: Some(fault),
            })
        }
        Err(Unstored::Failed(e)) => Err(storage_error(&e).into()),
    }
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
