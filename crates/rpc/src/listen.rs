//! How every gRPC service here is served: on a listener already bound (so
//! port 0 works), in plain HTTP/2 or behind internal TLS, no Nagle delay,
//! one debug span per call named by its rpc path (never its fields, which
//! carry passwords, tokens and password hashes; while tracing is on, the
//! exported span of the call, joined to the caller's trace by the
//! `traceparent` of its metadata: `ferrochat_trace::rpc_span`), each call timed
//! (`timed.rs`), until `cancel`: then it stops accepting, finishes the
//! calls in flight and returns.

use std::convert::Infallible;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;
use tower::Service;

use crate::timed::Timed;
use crate::tls::{self, ServerTls};

/// Where a service is served: a bound listener, and whether its callers
/// must pass internal TLS. A `TcpListener` alone is plain.
pub enum Listener {
    Plain(TcpListener),
    /// Only callers whose certificate `ServerTls` accepts get as far as
    /// HTTP/2.
    Tls(TcpListener, ServerTls),
}

impl From<TcpListener> for Listener {
    fn from(listener: TcpListener) -> Self {
        Self::Plain(listener)
    }
}

pub(crate) async fn serve_service<S>(
    listener: Listener,
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
    let router = Server::builder()
        .trace_fn(ferrochat_trace::rpc_span)
        .add_service(Timed::new(service));
    match listener {
        Listener::Plain(listener) => {
            let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
            router
                .serve_with_incoming_shutdown(incoming, cancel.cancelled_owned())
                .await
        }
        Listener::Tls(listener, server_tls) => {
            let incoming = tls::incoming(listener, server_tls, S::NAME, cancel.clone());
            router
                .serve_with_incoming_shutdown(incoming, cancel.cancelled_owned())
                .await
        }
    }
}
