//! `ferrochat_rpc_server_seconds{service, rpc}`: how long each gRPC call
//! took in the serving process, from its request to its answer (for the
//! unary calls here the answer is complete then). With the callers'
//! `*_client_call_seconds` it splits a call's time between the server's
//! work and the way there and back (connection, HTTP/2 queueing).
//!
//! The rpc label is the method's name from the path, and only for
//! methods the service has: a path it does not know (answered
//! UNIMPLEMENTED) is counted as `unknown`, so a caller cannot grow the
//! label set.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tonic::body::Body;
use tonic::server::NamedService;
use tower::Service;

/// gRPC's UNIMPLEMENTED, as tonic writes it in an answer's headers.
const UNIMPLEMENTED: &str = "12";

/// `inner`, timed per call.
#[derive(Clone)]
pub(crate) struct Timed<S> {
    inner: S,
}

impl<S> Timed<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S: NamedService> NamedService for Timed<S> {
    const NAME: &'static str = S::NAME;
}

impl<S> Service<http::Request<Body>> for Timed<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
        + NamedService,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future =
        Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let rpc = method_of(request.uri().path(), S::NAME).map(str::to_owned);
        let started = Instant::now();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let result = answer.await;
            let unknown = result.as_ref().is_ok_and(|response| {
                response
                    .headers()
                    .get("grpc-status")
                    .is_some_and(|s| s == UNIMPLEMENTED)
            });
            let rpc = match rpc {
                Some(rpc) if !unknown => rpc,
                _ => "unknown".to_owned(),
            };
            metrics::histogram!(
                "ferrochat_rpc_server_seconds",
                "service" => S::NAME,
                "rpc" => rpc,
            )
            .record(started.elapsed().as_secs_f64());
            result
        })
    }
}

/// `Method` of `/<service>/Method`.
fn method_of<'a>(path: &'a str, service: &str) -> Option<&'a str> {
    path.strip_prefix('/')?
        .strip_prefix(service)?
        .strip_prefix('/')
        .filter(|m| !m.is_empty() && !m.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::method_of;

    #[test]
    fn the_method_is_read_from_the_service_path_only() {
        let s = "ferrochat.v1.RepoService";
        assert_eq!(
            method_of("/ferrochat.v1.RepoService/CommitMessages", s),
            Some("CommitMessages")
        );
        assert_eq!(method_of("/ferrochat.v1.Other/CommitMessages", s), None);
        assert_eq!(method_of("/ferrochat.v1.RepoService/", s), None);
        assert_eq!(method_of("/ferrochat.v1.RepoService/a/b", s), None);
        assert_eq!(method_of("ferrochat.v1.RepoService/X", s), None);
    }
}
