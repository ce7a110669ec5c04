//! The HTTP face of `ApiError`: status and envelope from the one mapping in
//! `ferrochat-wire`, and `Retry-After` on a refusal that knows its wait.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ferrochat_domain::{ErrorKind, InvalidField};
use ferrochat_ports::ApiError;
use ferrochat_wire::json::MalformedJson;
use ferrochat_wire::ErrorBody;

/// Every handler's error type: an `ApiError`, whose `retry_after` (the
/// gateway's own throttles', or logic's) becomes `Retry-After`.
#[derive(Debug)]
pub(crate) struct HttpError(ApiError);

impl HttpError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError::new(kind, message).into()
    }

    pub(crate) fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    pub(crate) fn message(&self) -> &str {
        &self.0.message
    }

    /// 1007 with `Retry-After`: whole seconds, rounded up, at least 1.
    pub(crate) fn retry_after(wait: Duration) -> Self {
        let secs = retry_after_secs(wait);
        let message = format!("too many requests, retry in {secs} s");
        Self(ApiError::new(ErrorKind::RateLimited, message).with_retry_after(wait))
    }
}

fn retry_after_secs(wait: Duration) -> u64 {
    let rounded_up = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    rounded_up.max(1)
}

impl From<ApiError> for HttpError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<InvalidField> for HttpError {
    fn from(e: InvalidField) -> Self {
        ApiError::from(e).into()
    }
}

/// A body or a frame's `data` that is not the JSON it should be: 1001.
pub(crate) fn malformed(e: MalformedJson) -> ApiError {
    ApiError::new(ErrorKind::InvalidParams, e.to_string())
}

impl From<MalformedJson> for HttpError {
    fn from(e: MalformedJson) -> Self {
        malformed(e).into()
    }
}

pub(crate) fn error_response(kind: ErrorKind, message: String) -> Response {
    body_response(ErrorBody::new(kind, message, None), kind)
}

fn body_response(body: ErrorBody, kind: ErrorKind) -> Response {
    let (_, status) = ferrochat_wire::code(kind);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let ApiError {
            kind,
            message,
            retry_after,
        } = self.0;
        let mut response = body_response(ErrorBody::new(kind, message, retry_after), kind);
        if let Some(wait) = retry_after {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs(wait)),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_whole_seconds_rounded_up_and_never_zero() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(300)), 300);
    }
}
