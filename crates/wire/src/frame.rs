//! WebSocket frames: `{"type": "...", "id": "...", "data": {...}}`.

use serde::{Deserialize, Serialize};

/// A frame from a client; `data` is decoded per `type`.
#[derive(Debug, Deserialize)]
pub struct ClientFrame {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<String>,
    #[serde(default)]
    pub data: serde_json::Value,
}

/// A frame to a client.
#[derive(Debug, Serialize)]
pub struct ServerFrame<'a, T> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    pub data: T,
}

impl<T: Serialize> ServerFrame<'_, T> {
    pub fn to_json(&self) -> String {
        // Our frames are plain structs of strings and numbers; serde_json
        // cannot fail on them. Fall back to an error frame regardless.
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"type":"error","data":{"code":1004,"message":"internal error"}}"#.to_owned()
        })
    }
}
