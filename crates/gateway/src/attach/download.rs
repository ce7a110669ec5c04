//! Reading attachments: the file (whole, or one HTTP byte range), its
//! thumbnail, its metadata. Logic says who may (the owner before it is
//! sent, the conversation's members after); the bytes stream from object
//! storage as they come.

use std::ops::Range;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ferrochat_domain::attachments::{Attachment, FileName};
use ferrochat_domain::{AttachmentId, ErrorKind};
use ferrochat_wire::attachments::AttachmentDto;

use super::stored::storage_error;
use crate::error::{error_response, HttpError};
use crate::extract::{Authed, PathId};
use crate::openapi::{Envelope, E1001, E1002, E1003, E1004, E1005, E1007, E1009};
use crate::reply::Reply;
use crate::state::AppState;

use ferrochat_ports::attachments::Part;

#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}",
    tag = "attachments",
    summary = "Download a file",
    description = "The file's bytes, with its sniffed `Content-Type` and \
        `Content-Disposition: attachment` with its name. Yours before it is sent; after, the \
        members' of the conversation it was sent in (1005 for anyone else). `Range: \
        bytes=a-b` (one range) answers 206 with `Content-Range`; a range past the end is 416 \
        (code 1001).",
    params(("id" = String, Path, description = "attachment_id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream", body = String),
        (status = 206, description = "The range asked for", content_type = "application/octet-stream", body = String),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
pub(super) async fn download(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(raw): PathId,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let attachment = readable(&state, &who.user_id, &raw).await?;
    let range = match ranged(&headers, attachment.size) {
        Ok(r) => r,
        Err(Unsatisfiable) => return Ok(unsatisfiable(attachment.size)),
    };
    let download = state
        .deps
        .objects
        .get(&attachment.id, Part::File, range.clone())
        .await
        .map_err(|e| storage_error(&e))?;
    let mut response = Response::new(Body::from_stream(download.body));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, value(&attachment.media_type));
    h.insert(header::CONTENT_DISPOSITION, disposition(&attachment.name));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let length = match &range {
        Some(r) => {
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let content_range = format!("bytes {}-{}/{}", r.start, r.end - 1, attachment.size);
            response
                .headers_mut()
                .insert(header::CONTENT_RANGE, value(&content_range));
            r.end - r.start
        }
        None => attachment.size,
    };
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    metrics::counter!("ferrochat_gateway_attachment_bytes_total", "way" => "down")
        .increment(length);
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}/thumbnail",
    tag = "attachments",
    summary = "An image's thumbnail",
    description = "A PNG of at most `storage.thumbnail_pixels` (320) on its longer side, for \
        whoever may download the file; 1003 if it has none (not an image, or too large to \
        decode).",
    params(("id" = String, Path, description = "attachment_id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The thumbnail", content_type = "image/png", body = String),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
pub(super) async fn thumbnail(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(raw): PathId,
) -> Result<Response, HttpError> {
    let attachment = readable(&state, &who.user_id, &raw).await?;
    if !attachment.has_thumbnail {
        return Err(HttpError::new(
            ErrorKind::NotFound,
            "this attachment has no thumbnail",
        ));
    }
    let download = state
        .deps
        .objects
        .get(&attachment.id, Part::Thumbnail, None)
        .await
        .map_err(|e| storage_error(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::CONTENT_LENGTH, HeaderValue::from(download.size)),
        ],
        Body::from_stream(download.body),
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/attachments/{id}/info",
    tag = "attachments",
    summary = "A file's metadata",
    description = "Its name, size, type, image size, whether it has a thumbnail, and the \
        conversation it was sent in; for whoever may download it.",
    params(("id" = String, Path, description = "attachment_id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The metadata", body = Envelope<AttachmentDto>),
        E1001, E1002, E1003, E1004, E1005, E1007, E1009,
    )
)]
pub(super) async fn info(
    State(state): State<AppState>,
    Authed(who): Authed,
    PathId(raw): PathId,
) -> Result<Reply<AttachmentDto>, HttpError> {
    let attachment = readable(&state, &who.user_id, &raw).await?;
    Ok(Reply::ok(AttachmentDto::from(&attachment)))
}

/// The attachment, if `who` may read it.
async fn readable(
    state: &AppState,
    who: &ferrochat_domain::UserId,
    raw: &str,
) -> Result<Attachment, HttpError> {
    let id = AttachmentId::parse(raw)?;
    Ok(state.deps.attachments.attachment(who, &id).await?)
}

/// A `Range` past the file's end.
struct Unsatisfiable;

/// The byte range a `Range` header asks for within `size` bytes: `None`
/// for the whole file (no header, or one this server does not serve
/// ranges for: several ranges, another unit), as RFC 9110 lets a server
/// answer.
fn ranged(headers: &HeaderMap, size: u64) -> Result<Option<Range<u64>>, Unsatisfiable> {
    let Some(raw) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let Some(spec) = raw.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (first, last) = (first.trim(), last.trim());
    let range = match (first.parse::<u64>(), last.parse::<u64>()) {
        // `bytes=a-b`
        (Ok(a), Ok(b)) if a <= b => {
            if a >= size {
                return Err(Unsatisfiable);
            }
            a..b.saturating_add(1).min(size)
        }
        // `bytes=a-`
        (Ok(a), Err(_)) if last.is_empty() => {
            if a >= size {
                return Err(Unsatisfiable);
            }
            a..size
        }
        // `bytes=-n`: the last n bytes.
        (Err(_), Ok(n)) if first.is_empty() => {
            if n == 0 || size == 0 {
                return Err(Unsatisfiable);
            }
            size.saturating_sub(n)..size
        }
        _ => return Ok(None),
    };
    Ok(Some(range))
}

/// 416, with the contract's envelope (1001) and the size it may ask in.
fn unsatisfiable(size: u64) -> Response {
    let mut response = error_response(
        ErrorKind::InvalidParams,
        format!("range: outside the file's {size} bytes"),
    );
    *response.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
    response
        .headers_mut()
        .insert(header::CONTENT_RANGE, value(&format!("bytes */{size}")));
    response
}

/// `attachment` with the name twice: plain (printable ASCII only) for old
/// clients, and `filename*` (RFC 8187, UTF-8 percent-encoded) in full.
fn disposition(name: &FileName) -> HeaderValue {
    let encoded: String = name
        .as_str()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    value(&format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{encoded}",
        name.ascii_fallback()
    ))
}

/// A header value from text this module built (ASCII without control
/// characters); anything else becomes an empty value rather than a panic.
fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(raw: &str, size: u64) -> Result<Option<Range<u64>>, ()> {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(raw).unwrap());
        ranged(&h, size).map_err(|_| ())
    }

    #[test]
    fn ranges() {
        assert_eq!(range("bytes=0-9", 100), Ok(Some(0..10)));
        assert_eq!(range("bytes=90-200", 100), Ok(Some(90..100)));
        assert_eq!(range("bytes=95-", 100), Ok(Some(95..100)));
        assert_eq!(range("bytes=-10", 100), Ok(Some(90..100)));
        assert_eq!(range("bytes=-500", 100), Ok(Some(0..100)));
        assert_eq!(range("bytes=100-", 100), Err(()));
        assert_eq!(range("bytes=100-200", 100), Err(()));
        assert_eq!(range("bytes=0-1,5-6", 100), Ok(None));
        assert_eq!(range("items=0-1", 100), Ok(None));
        assert_eq!(range("bytes=5-1", 100), Ok(None));
    }

    #[test]
    fn dispositions_are_safe_headers() {
        let name = FileName::parse("rapport \"final\" ünï.pdf".to_owned()).unwrap();
        assert_eq!(
            disposition(&name).to_str().unwrap(),
            "attachment; filename=\"rapport _final_ _n_.pdf\"; \
             filename*=UTF-8''rapport%20%22final%22%20%C3%BCn%C3%AF.pdf"
        );
    }
}
