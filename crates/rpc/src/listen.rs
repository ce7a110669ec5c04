//! How every gRPC service here is served: on a listener already bound (so
//! port 0 works), no Nagle delay, one debug span per call named by its
//! rpc path (never its fields, which carry passwords, tokens and password
//! hashes), each call timed (`timed.rs`), until `cancel`: then it stops
//! accepting, finishes the calls in flight and returns.

use std::convert::Infallible;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;
use tower::Service;

use crate::timed::Timed;

pub(crate) async fn serve_service<S>(
    listener: TcpListener,
    service: S,
    cancel: CancellationToken,
) -> Result<(), tonic::transport::Error>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible>
        + NamedService
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    Server::builder()
        .trace_fn(|req| tracing::debug_span!("rpc", path = %req.uri().path()))
        .add_service(Timed::new(service))
        .serve_with_incoming_shutdown(incoming, cancel.cancelled_owned())
        .await
}
