//! One HTTP call to the API and its envelope (`{"code","message","data"}`).

use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ChatError, Result};

/// A server's HTTP API, without credentials.
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct Envelope {
    code: u64,
    #[serde(default)]
    message: String,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    retry_after_ms: Option<u64>,
}

/// The largest answer read: a page of history or search is at most 512
/// KiB of messages; anything far past that is not a ferrochat server.
const MAX_ANSWER: usize = 8 << 20;

/// Longer than the server's own wait for a send (27 s by default), so a
/// slow send is answered 1009 by the server rather than cut by us.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(35);

impl Api {
    /// `base` is the server's URL, `http://host:port` (a trailing slash is
    /// dropped).
    pub fn new(base: &str) -> Result<Self> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ChatError::Usage(format!(
                "server URL {base:?} must start with http:// or https://"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self { base, http })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The WebSocket URL (`ws://` for `http://`, `wss://` for `https://`).
    pub fn ws_url(&self) -> String {
        let rest = self
            .base
            .strip_prefix("https://")
            .map(|r| format!("wss://{r}"))
            .or_else(|| {
                self.base
                    .strip_prefix("http://")
                    .map(|r| format!("ws://{r}"))
            });
        format!("{}/ws", rest.unwrap_or_default())
    }

    /// Calls `method path` and returns the envelope's `data`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<T> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .query(query);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let mut resp = req.send().await?;
        let status = resp.status();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(ChatError::Protocol(format!(
                    "{path}: an answer over {MAX_ANSWER} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let env: Envelope = serde_json::from_slice(&body).map_err(|e| {
            ChatError::Protocol(format!("{path}: HTTP {status}, not an envelope ({e})"))
        })?;
        if env.code != 0 {
            return Err(ChatError::Api {
                code: env.code,
                message: env.message,
                retry_after_ms: env.retry_after_ms,
            });
        }
        serde_json::from_value(env.data)
            .map_err(|e| ChatError::Protocol(format!("{path}: unexpected data ({e})")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_websocket_is_on_the_same_server_and_as_secure() {
        let api = Api::new("http://127.0.0.1:8080/").unwrap();
        assert_eq!(api.base(), "http://127.0.0.1:8080");
        assert_eq!(api.ws_url(), "ws://127.0.0.1:8080/ws");
        let api = Api::new("https://chat.example/prefix").unwrap();
        assert_eq!(api.ws_url(), "wss://chat.example/prefix/ws");
        assert!(matches!(
            Api::new("127.0.0.1:8080"),
            Err(ChatError::Usage(_))
        ));
    }
}
