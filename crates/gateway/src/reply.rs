//! Successful replies, wrapped in the contract's envelope.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ferrochat_wire::Envelope;
use serde::Serialize;

pub(crate) struct Reply<T>(pub(crate) StatusCode, pub(crate) T);

impl<T> Reply<T> {
    pub(crate) fn ok(data: T) -> Self {
        Self(StatusCode::OK, data)
    }

    pub(crate) fn created(data: T) -> Self {
        Self(StatusCode::CREATED, data)
    }
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        (self.0, Json(Envelope::ok(self.1))).into_response()
    }
}
