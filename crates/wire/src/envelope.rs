//! The HTTP response envelope: `{"code":0,"message":"ok","data":{...}}` on
//! success, `{"code":N,"message":"..."}` on error.

use serde::Serialize;

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
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    pub code: u32,
    pub message: String,
}

/// `data` for endpoints that return nothing.
#[derive(Debug, Serialize)]
pub struct Empty {}
