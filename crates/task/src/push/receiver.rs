//! A webhook receiver for tests (feature `test-receiver`): a real HTTP
//! server on 127.0.0.1:0 that records every call and answers as told.
//!
//! ```ignore
//! let receiver = Receiver::start().await;
//! receiver.answer([Answer::Status(503), Answer::Status(503)]); // then 200s
//! config.push.webhook_url = Some(receiver.url());
//! ```

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How the receiver answers one call.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// This status, with an empty body.
    Status(u16),
    /// This status and `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// Never answers (the caller's timeout ends the call).
    Hang,
}

/// One call as received.
#[derive(Debug, Clone)]
pub struct Call {
    pub body: serde_json::Value,
    pub idempotency_key: Option<String>,
    /// What it was answered: `None` for a hung call.
    pub status: Option<u16>,
}

impl Call {
    pub fn message_id(&self) -> &str {
        self.body
            .pointer("/message/message_id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    }

    pub fn recipients(&self) -> Vec<String> {
        self.body
            .get("recipients")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Answer>>,
    calls: Mutex<Vec<Call>>,
}

pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    count: watch::Receiver<usize>,
    server: JoinHandle<()>,
}

impl Receiver {
    /// Binds 127.0.0.1:0 and serves `POST /push` until dropped. Answers
    /// 200 unless told otherwise.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the receiver");
        let addr = listener.local_addr().expect("receiver address");
        let shared = Arc::new(Shared::default());
        let (count_tx, count) = watch::channel(0);
        let app = Router::new()
            .route("/push", post(handle))
            .with_state((shared.clone(), Arc::new(count_tx)));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            shared,
            count,
            server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/push", self.addr)
    }

    /// The next calls get these answers, in order; later ones get 200.
    pub fn answer(&self, answers: impl IntoIterator<Item = Answer>) {
        self.shared
            .script
            .lock()
            .expect("receiver lock")
            .extend(answers);
    }

    /// Every call so far, in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().expect("receiver lock").clone()
    }

    /// Waits (at most `limit`, a hang guard) until `n` calls arrived;
    /// panics otherwise. Returns every call so far.
    pub async fn wait_calls(&self, n: usize, limit: Duration) -> Vec<Call> {
        let mut count = self.count.clone();
        let reached = tokio::time::timeout(limit, count.wait_for(|c| *c >= n)).await;
        let calls = self.calls();
        assert!(
            matches!(reached, Ok(Ok(_))),
            "expected {n} push calls, got {}: {calls:#?}",
            calls.len()
        );
        calls
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

type AppState = (Arc<Shared>, Arc<watch::Sender<usize>>);

async fn handle(
    State((shared, count)): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = shared
        .script
        .lock()
        .expect("receiver lock")
        .pop_front()
        .unwrap_or(Answer::Status(200));
    let status = match answer {
        Answer::Status(s) | Answer::RetryAfter(s, _) => Some(s),
        Answer::Hang => None,
    };
    let call = Call {
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        status,
    };
    shared.calls.lock().expect("receiver lock").push(call);
    count.send_modify(|c| *c += 1);
    match answer {
        Answer::Status(s) => code(s).into_response(),
        Answer::RetryAfter(s, secs) => {
            (code(s), [("retry-after", secs.to_string())]).into_response()
        }
        Answer::Hang => std::future::pending().await,
    }
}

fn code(s: u16) -> StatusCode {
    StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
