//! One logic instance's stack: a lazily dialled tonic `Channel` that
//! keeps the call's deadline, peak-EWMA latency for the balancer, and the
//! circuit breaker outermost.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use ferrochat_ports::discovery::Instance;
use tokio::time::Instant;
use tonic::body::Body;
use tonic::transport::Channel;

use crate::endpoint::endpoint;
use crate::tls::ClientTls;
use tonic::Status;
use tower::load::{CompleteOnResponse, PeakEwma};
use tower::{BoxError, Service};

use super::breaker::Breaker;
use super::breaking::{Breaking, Shared};
use super::config::BalanceConfig;
use super::CallDeadline;

/// The latency a new instance is assumed to have until it answers. Above
/// a logic call's usual few milliseconds, so a new instance is tried when
/// the others have calls queued (peak-EWMA cost is latency times calls in
/// flight), not all at once.
const DEFAULT_RTT: Duration = Duration::from_millis(30);
/// How fast a latency peak is forgotten.
const DECAY: Duration = Duration::from_secs(10);

pub(crate) type InstanceService = Breaking<PeakEwma<Deadlined>>;

/// The balancer's service for `instance`, and its breaker.
pub(crate) fn connect(
    instance: &Instance,
    config: &BalanceConfig,
    tls: Option<&ClientTls>,
) -> Result<(InstanceService, Arc<Shared>), tonic::transport::Error> {
    let channel = endpoint(&instance.addr, config.connect_timeout, tls)?.connect_lazy();
    let deadlined = Deadlined {
        channel,
        id: instance.id.clone().into(),
        call_timeout: config.call_timeout,
    };
    let ewma = PeakEwma::new(
        deadlined,
        DEFAULT_RTT,
        DECAY.as_nanos() as f64,
        CompleteOnResponse::default(),
    );
    let shared = Arc::new(Shared::new(
        &instance.id,
        Breaker::new(config.failure_threshold, config.open_for),
    ));
    Ok((Breaking::new(ewma, shared.clone()), shared))
}

/// A channel to one instance that gives up at the call's deadline (the
/// `CallDeadline` the client put in the request), so the breaker sees a
/// silent instance fail rather than its caller drop the call. Every
/// failure becomes a `Status` the client can classify: UNAVAILABLE when
/// the instance could not be reached (the transport's error kept as its
/// source, which tells a call that never ran from one that may have:
/// `in_transit.rs`), DEADLINE_EXCEEDED when it did not answer in time.
#[derive(Clone)]
pub(crate) struct Deadlined {
    channel: Channel,
    id: Arc<str>,
    call_timeout: Duration,
}

impl Service<http::Request<Body>> for Deadlined {
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<http::Response<Body>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.channel.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let deadline = request
            .extensions()
            .get::<CallDeadline>()
            .map_or_else(|| Instant::now() + self.call_timeout, |d| d.0);
        let answer = self.channel.call(request);
        let id = self.id.clone();
        Box::pin(async move {
            match tokio::time::timeout_at(deadline, answer).await {
                Ok(Ok(response)) => Ok(response),
                Ok(Err(e)) => {
                    let why = chain(&e);
                    tracing::debug!(instance = %id, error = %why, "logic instance unreachable");
                    let mut status =
                        Status::unavailable(format!("logic instance {id} unreachable: {why}"));
                    status.set_source(Arc::new(e));
                    Err(status.into())
                }
                Err(_) => Err(Status::deadline_exceeded(format!(
                    "logic instance {id} did not answer in time"
                ))
                .into()),
            }
        })
    }
}

/// An error with its causes: a transport error alone says only
/// "transport error".
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let causes = std::iter::successors(Some(e), |e| e.source());
    causes
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}
