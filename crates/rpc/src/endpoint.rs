//! How every gRPC client here dials a peer: HTTP/2 to `host:port`, plain
//! or over internal TLS (`https`, this process's certificate, the peer
//! checked for its role), a bounded connect, no Nagle delay (calls are
//! small and latency-bound).

use std::time::Duration;

use tonic::transport::Endpoint;

use crate::tls::ClientTls;

/// The endpoint of the peer at `addr` (`host:port`); `connect_lazy()` on
/// it dials nothing until the first call.
pub fn endpoint(
    addr: &str,
    connect_timeout: Duration,
    tls: Option<&ClientTls>,
) -> Result<Endpoint, tonic::transport::Error> {
    let scheme = if tls.is_some() { "https" } else { "http" };
    let endpoint = Endpoint::from_shared(format!("{scheme}://{addr}"))?
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true);
    match tls {
        Some(tls) => endpoint.tls_config(tls.config.clone()),
        None => Ok(endpoint),
    }
}
