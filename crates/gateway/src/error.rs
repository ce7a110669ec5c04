//! The HTTP face of `ApiError`: status and envelope from the one mapping in
//! `ferrochat-wire`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ferrochat_domain::{ErrorKind, InvalidField};
use ferrochat_ports::ApiError;
use ferrochat_wire::ErrorBody;

/// Every handler's error type.
#[derive(Debug)]
pub(crate) struct HttpError(pub(crate) ApiError);

impl HttpError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(ApiError::new(kind, message))
    }
}

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<InvalidField> for HttpError {
    fn from(e: InvalidField) -> Self {
        Self(e.into())
    }
}

pub(crate) fn error_response(kind: ErrorKind, message: String) -> Response {
    let (code, status) = ferrochat_wire::code(kind);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(ErrorBody { code, message })).into_response()
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        error_response(self.0.kind, self.0.message)
    }
}
