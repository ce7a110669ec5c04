//! The HTTP response envelope: `{"code":0,"message":"ok","data":{...}}` on
//! success, `{"code":N,"message":"..."}` on error.

use std::time::Duration;

use ferrochat_domain::ErrorKind;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    pub code: u32,
    pub message: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

impl<T: Serialize> Envelope<T> {
    pub fn ok(data: T) -> Self {
        Self {
            code: 0,
            message: "ok",
            data: Some(data),
        }
    }
}

/// An error envelope (also the `data` of a WebSocket `error` frame).
/// `retry_after_ms`: how long to wait before trying again, on a refusal
/// that knows it (absent otherwise).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub code: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl ErrorBody {
    pub fn new(kind: ErrorKind, message: String, retry_after: Option<Duration>) -> Self {
        Self {
            code: crate::code(kind).0,
            message,
            retry_after_ms: retry_after.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        }
    }
}

/// `data` for endpoints that return nothing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Empty {}
