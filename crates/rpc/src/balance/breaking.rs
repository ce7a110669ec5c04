//! `Breaking`: one logic instance behind its circuit breaker, as the
//! balancer sees it.
//!
//! While the breaker is open, `poll_ready` is pending (with a timer for
//! the end of the cool-down), so the balancer leaves the instance in its
//! not-ready set and sends nothing there; it never reports an error, which
//! would make the balancer drop the instance for good. Its load is the
//! inner load, ranked after every instance that has not failed lately.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use tokio::time::{Instant, Sleep};
use tonic::{Code, Status};
use tower::load::Load;
use tower::{BoxError, Service};

use super::breaker::{Admission, Breaker, BreakerState, Outcome};
use super::metrics::InstanceMetrics;

/// An instance's breaker, shared by its service, the calls in flight and
/// the registry that `LogicClient::breakers` reads.
pub(crate) struct Shared {
    id: String,
    metrics: InstanceMetrics,
    cell: Mutex<Cell>,
}

struct Cell {
    breaker: Breaker,
    /// The balancer's task, waiting for a probe to end.
    waiting: Option<Waker>,
}

impl Shared {
    pub(crate) fn new(id: &str, breaker: Breaker) -> Self {
        Self {
            id: id.to_owned(),
            metrics: InstanceMetrics::new(id),
            cell: Mutex::new(Cell {
                breaker,
                waiting: None,
            }),
        }
    }

    pub(crate) fn state(&self) -> BreakerState {
        self.lock().breaker.state()
    }

    // A panic while holding the lock leaves a consistent state machine
    // (every method changes it in one assignment), so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, Cell> {
        self.cell.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn admit(&self, now: Instant, waker: &Waker) -> Admission {
        let mut cell = self.lock();
        let (admission, moved) = cell.breaker.admit(now);
        if admission == Admission::WaitForProbe {
            cell.waiting = Some(waker.clone());
        }
        drop(cell);
        self.record(moved);
        admission
    }

    fn on_call(&self) -> bool {
        self.metrics.requests.increment(1);
        self.lock().breaker.on_call()
    }

    fn on_outcome(&self, probe: bool, outcome: Outcome) {
        if outcome == Outcome::Failure {
            self.metrics.failures.increment(1);
        }
        let mut cell = self.lock();
        let moved = cell.breaker.on_outcome(probe, outcome, Instant::now());
        let waiting = if moved.is_some() {
            cell.waiting.take()
        } else {
            None
        };
        drop(cell);
        self.record(moved);
        if let Some(waker) = waiting {
            waker.wake();
        }
    }

    pub(crate) fn refusing(&self) -> bool {
        self.lock().breaker.refusing(Instant::now())
    }

    fn penalised(&self) -> bool {
        self.lock().breaker.penalised(Instant::now())
    }

    fn record(&self, moved: Option<BreakerState>) {
        if let Some(to) = moved {
            match to {
                BreakerState::Open => {
                    tracing::warn!(instance = %self.id, "logic instance failing: breaker open")
                }
                _ => {
                    tracing::info!(instance = %self.id, to = to.as_str(), "logic instance breaker")
                }
            }
            self.metrics.transition(to);
        }
    }
}

pub(crate) struct Breaking<S> {
    inner: S,
    shared: Arc<Shared>,
    /// The end of the current cool-down, while open.
    cool_down: Option<Pin<Box<Sleep>>>,
}

impl<S> Breaking<S> {
    pub(crate) fn new(inner: S, shared: Arc<Shared>) -> Self {
        Self {
            inner,
            shared,
            cool_down: None,
        }
    }
}

impl<S, B> Service<http::Request<B>> for Breaking<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let mut now = Instant::now();
        loop {
            match self.shared.admit(now, cx.waker()) {
                Admission::Admit => {
                    self.cool_down = None;
                    return self.inner.poll_ready(cx).map_err(Into::into);
                }
                Admission::WaitForProbe => return Poll::Pending,
                Admission::WaitUntil(until) => {
                    let sleep = self
                        .cool_down
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(until)));
                    if sleep.deadline() != until {
                        sleep.as_mut().reset(until);
                    }
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    // The cool-down is over: ask again, now half-open (at
                    // `until` at least, whatever the clock's rounding).
                    now = now.max(until);
                }
            }
        }
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let probe = self.shared.on_call();
        let answer = self.inner.call(request);
        let mut call = InFlight {
            shared: self.shared.clone(),
            probe,
            ended: false,
        };
        Box::pin(async move {
            let result = answer.await.map_err(Into::into);
            call.end(outcome(&result));
            result
        })
    }
}

impl<S: Load> Load for Breaking<S> {
    /// `false` before `true`: an instance that failed lately loses every
    /// comparison with one that did not, whatever their latencies.
    type Metric = (bool, S::Metric);

    fn load(&self) -> Self::Metric {
        (self.shared.penalised(), self.inner.load())
    }
}

/// A call in flight; dropped unended, its caller gave up on it.
struct InFlight {
    shared: Arc<Shared>,
    probe: bool,
    ended: bool,
}

impl InFlight {
    fn end(&mut self, outcome: Outcome) {
        self.ended = true;
        self.shared.on_outcome(self.probe, outcome);
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if !self.ended {
            self.shared.on_outcome(self.probe, Outcome::Abandoned);
        }
    }
}

/// Whether a call's end says the instance is unwell. A `LogicServer`
/// answers errors with the status in the headers; application errors
/// (NOT_FOUND, INVALID_ARGUMENT, ALREADY_EXISTS...) mean it is fine.
fn outcome<B>(result: &Result<http::Response<B>, BoxError>) -> Outcome {
    let response = match result {
        Ok(response) => response,
        Err(_) => return Outcome::Failure,
    };
    if response.status() != http::StatusCode::OK {
        return Outcome::Failure;
    }
    match Status::from_header_map(response.headers()) {
        // With details, logic itself answered (its own 1009 "busy", say):
        // the instance is up.
        Some(s) if !s.details().is_empty() => Outcome::Success,
        Some(s) if matches!(s.code(), Code::Unavailable | Code::DeadlineExceeded) => {
            Outcome::Failure
        }
        _ => Outcome::Success,
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use futures::FutureExt as _;

    use super::*;

    const OPEN_FOR: Duration = Duration::from_secs(5);

    /// An instance that fails while `down` is set.
    #[derive(Clone)]
    struct Flaky(Arc<AtomicBool>);

    impl Service<http::Request<()>> for Flaky {
        type Response = http::Response<tonic::body::Body>;
        type Error = BoxError;
        type Future = std::future::Ready<Result<Self::Response, BoxError>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<()>) -> Self::Future {
            std::future::ready(if self.0.load(Ordering::SeqCst) {
                Err("connection refused".into())
            } else {
                Ok(http::Response::new(tonic::body::Body::default()))
            })
        }
    }

    fn instance(down: Arc<AtomicBool>) -> (Breaking<Flaky>, Arc<Shared>) {
        let shared = Arc::new(Shared::new("test", Breaker::new(1, OPEN_FOR)));
        (Breaking::new(Flaky(down), shared.clone()), shared)
    }

    /// Whether the service is ready now, without waiting.
    fn ready<S: Service<http::Request<()>>>(svc: &mut S) -> bool {
        poll_fn(|cx| svc.poll_ready(cx)).now_or_never().is_some()
    }

    #[tokio::test(start_paused = true)]
    async fn not_ready_while_open_then_one_probe_whose_success_closes() {
        let down = Arc::new(AtomicBool::new(true));
        let (mut svc, shared) = instance(down.clone());
        assert!(ready(&mut svc));
        svc.call(http::Request::new(())).await.unwrap_err();
        assert_eq!(shared.state(), BreakerState::Open);
        assert!(!ready(&mut svc), "open: the balancer must skip it");
        tokio::time::advance(OPEN_FOR - Duration::from_millis(1)).await;
        assert!(!ready(&mut svc));

        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(ready(&mut svc), "cool-down over: half-open");
        assert_eq!(shared.state(), BreakerState::HalfOpen);
        down.store(false, Ordering::SeqCst);
        let probe = svc.call(http::Request::new(()));
        assert!(!ready(&mut svc), "one probe at a time");
        probe.await.unwrap();
        assert_eq!(shared.state(), BreakerState::Closed);
        assert!(ready(&mut svc));
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_given_up_on_opens_it_again() {
        let (mut svc, shared) = instance(Arc::new(AtomicBool::new(true)));
        svc.call(http::Request::new(())).await.unwrap_err();
        tokio::time::advance(OPEN_FOR).await;
        assert!(ready(&mut svc));
        drop(svc.call(http::Request::new(())));
        assert_eq!(shared.state(), BreakerState::Open);
        assert!(!ready(&mut svc));
    }

    fn answer(status: Option<Status>) -> Result<http::Response<()>, BoxError> {
        let mut response = http::Response::new(());
        if let Some(status) = status {
            status.add_header(response.headers_mut()).unwrap();
        }
        Ok(response)
    }

    #[test]
    fn answers_and_application_errors_are_successes() {
        assert_eq!(outcome(&answer(None)), Outcome::Success);
        for status in [
            Status::not_found("x"),
            Status::invalid_argument("x"),
            Status::already_exists("x"),
            Status::internal("x"),
            Status::unauthenticated("x"),
        ] {
            assert_eq!(outcome(&answer(Some(status))), Outcome::Success);
        }
    }

    #[test]
    fn unavailable_deadline_and_transport_errors_are_failures() {
        assert_eq!(
            outcome(&answer(Some(Status::unavailable("x")))),
            Outcome::Failure
        );
        assert_eq!(
            outcome(&answer(Some(Status::deadline_exceeded("x")))),
            Outcome::Failure
        );
        let refused: Result<http::Response<()>, BoxError> = Err("connection refused".into());
        assert_eq!(outcome(&refused), Outcome::Failure);
        let mut bad_gateway = http::Response::new(());
        *bad_gateway.status_mut() = http::StatusCode::BAD_GATEWAY;
        assert_eq!(outcome(&Ok(bad_gateway)), Outcome::Failure);
    }
}
