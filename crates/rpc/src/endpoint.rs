//! How every gRPC client here dials a peer: plain HTTP/2 to `host:port`,
//! a bounded connect, no Nagle delay (calls are small and latency-bound).

use std::time::Duration;

use tonic::transport::Endpoint;

/// The endpoint of the peer at `addr` (`host:port`); `connect_lazy()` on
/// it dials nothing until the first call.
pub fn endpoint(
    addr: &str,
    connect_timeout: Duration,
) -> Result<Endpoint, tonic::transport::Error> {
    Ok(Endpoint::from_shared(format!("http://{addr}"))?
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true))
}
