//! One call to the webhook, and what its answer means: done, never (a
//! permanent refusal), or again later.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::StatusCode;

use super::sent::{describe, retry_after};

/// Why the webhook client could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PushSetupError {
    #[error("push.webhook_url is not a URL")]
    NotAUrl,
    #[error("push client: {0}")]
    Client(#[source] reqwest::Error),
    /// A provider's file (`key` names it) cannot be read.
    #[error("push.{key}: cannot read {}", path.display())]
    File {
        key: &'static str,
        path: std::path::PathBuf,
        #[source]
        error: std::io::Error,
    },
    /// A provider's key or service account is unusable (never the key).
    #[error("push.{0} credentials: {1}")]
    Credentials(&'static str, String),
}

/// The outcome of one call.
#[derive(Debug)]
pub(crate) enum Attempt {
    /// 2xx.
    Delivered,
    /// A 4xx other than 408 and 429 (or a 1xx/3xx): calling again would
    /// get the same answer.
    Refused(StatusCode),
    /// 5xx, 408, 429, a timeout or a connection error. `after` is the
    /// receiver's `Retry-After`, when it gave one in seconds.
    Retry {
        why: String,
        after: Option<Duration>,
    },
}

pub(crate) struct Webhook {
    http: reqwest::Client,
    url: reqwest::Url,
}

impl Webhook {
    pub(crate) fn new(url: &str, timeout: Duration) -> Result<Self, PushSetupError> {
        let url = reqwest::Url::parse(url).map_err(|_| PushSetupError::NotAUrl)?;
        // No redirects (`client_builder`): a 3xx counts as a refusal.
        let http = super::client_builder(timeout)
            .build()
            .map_err(PushSetupError::Client)?;
        Ok(Self { http, url })
    }

    pub(crate) async fn call(&self, body: Bytes, idempotency_key: &str) -> Attempt {
        let mut request = self
            .http
            .post(self.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body);
        if let Ok(key) = HeaderValue::from_str(idempotency_key) {
            request = request.header("Idempotency-Key", key);
        }
        match request.send().await {
            Ok(response) => classify(response.status(), retry_after(response.headers())),
            // Never the error's URL: it may hold credentials.
            Err(e) => Attempt::Retry {
                why: describe(e),
                after: None,
            },
        }
    }
}

fn classify(status: StatusCode, after: Option<Duration>) -> Attempt {
    if status.is_success() {
        Attempt::Delivered
    } else if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        Attempt::Retry {
            why: format!("status {}", status.as_u16()),
            after,
        }
    } else {
        Attempt::Refused(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::RETRY_AFTER;

    fn kind(code: u16) -> &'static str {
        let status = StatusCode::from_u16(code).expect("a status");
        match classify(status, None) {
            Attempt::Delivered => "done",
            Attempt::Refused(_) => "refused",
            Attempt::Retry { .. } => "retry",
        }
    }

    #[test]
    fn statuses_are_classified() {
        for (code, expected) in [
            (200, "done"),
            (202, "done"),
            (204, "done"),
            (301, "refused"),
            (400, "refused"),
            (401, "refused"),
            (404, "refused"),
            (408, "retry"),
            (413, "refused"),
            (429, "retry"),
            (500, "retry"),
            (502, "retry"),
            (503, "retry"),
        ] {
            assert_eq!(kind(code), expected, "{code}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }
}
