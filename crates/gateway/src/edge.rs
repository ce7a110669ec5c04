//! Accepting TCP connections: how many there may be, from one address and
//! in all, and how long one may take to send a request head.
//!
//! hyper's HTTP/1 `header_read_timeout` closes a connection whose request
//! head has not arrived whole in time: one that never sends, one that
//! drips a byte at a time, and a keep-alive connection idle between
//! requests (hyper starts the same timer while it waits for the next
//! head). The caps are counted on the socket itself, so a connection
//! upgraded to a WebSocket counts until its socket closes. The total is
//! kept under the process's file limit, so the store and the bus always
//! have descriptors left. Past the total, a small reserve of connections
//! (`gateway.ops_connections`) is served the operations routes only, one
//! request each; when all are held the oldest makes room for the newest,
//! so silent connections cannot keep a health check out.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::{Service as _, ServiceExt as _};

use crate::config::GatewayConfig;
use crate::tls::Tls;

/// How long to wait after an accept fails (out of descriptors, say)
/// before accepting again, rather than spinning.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

/// The most connections this process may hold: `configured`, or fewer
/// when the file limit leaves less than `reserved` descriptors beside it.
pub(crate) fn connection_cap(configured: usize, reserved: usize) -> usize {
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE)
        .map(|(soft, _)| usize::try_from(soft).unwrap_or(usize::MAX))
        .unwrap_or(usize::MAX);
    configured.min(soft.saturating_sub(reserved)).max(1)
}

/// Open connections, in all and per client address, and the operations
/// reserve past the total.
pub(crate) struct Caps {
    total: usize,
    per_ip: usize,
    ops: usize,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
    /// The reserve's connections, oldest first, each with the token that
    /// closes it when a newer one needs its place.
    ops: VecDeque<(u64, CancellationToken)>,
    next_ops: u64,
}

/// Why a connection was refused at accept.
#[derive(Debug, Clone, Copy)]
enum Refused {
    Total,
    PerIp,
}

impl Caps {
    pub(crate) fn new(total: usize, per_ip: usize, ops: usize) -> Self {
        Self {
            total: total.max(1),
            per_ip: per_ip.max(1),
            ops,
            open: Mutex::new(Open::default()),
        }
    }

    fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refused> {
        let mut open = self.open.lock().map_err(|_| Refused::Total)?;
        if open.per_ip.get(&ip).copied().unwrap_or(0) >= self.per_ip {
            return Err(Refused::PerIp);
        }
        let ops = if open.total < self.total {
            open.total += 1;
            None
        } else if self.ops == 0 {
            return Err(Refused::Total);
        } else {
            if open.ops.len() >= self.ops {
                if let Some((_, oldest)) = open.ops.pop_front() {
                    oldest.cancel();
                    metrics::counter!("ferrochat_gateway_ops_connections_evicted_total")
                        .increment(1);
                }
            }
            let id = open.next_ops;
            open.next_ops += 1;
            let evicted = CancellationToken::new();
            open.ops.push_back((id, evicted.clone()));
            Some((id, evicted))
        };
        *open.per_ip.entry(ip).or_insert(0) += 1;
        metrics::gauge!("ferrochat_gateway_tcp_connections").set(open.total as f64);
        Ok(Slot {
            caps: self.clone(),
            ip,
            ops,
        })
    }

    fn release(&self, ip: IpAddr, ops: Option<u64>) {
        if let Ok(mut open) = self.open.lock() {
            match ops {
                Some(id) => open.ops.retain(|(held, _)| *held != id),
                None => open.total = open.total.saturating_sub(1),
            }
            if let Some(n) = open.per_ip.get_mut(&ip) {
                *n -= 1;
                if *n == 0 {
                    open.per_ip.remove(&ip);
                }
            }
            metrics::gauge!("ferrochat_gateway_tcp_connections").set(open.total as f64);
        }
    }
}

/// One admitted connection's place, given back when its socket closes.
struct Slot {
    caps: Arc<Caps>,
    ip: IpAddr,
    /// In the operations reserve: its id there, and the token that closes
    /// it when a newer connection takes its place.
    ops: Option<(u64, CancellationToken)>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.caps
            .release(self.ip, self.ops.as_ref().map(|(id, _)| *id));
    }
}

/// A socket (TCP, or TLS over it) holding its place: the place goes with
/// the socket, into a WebSocket session when the connection is upgraded.
struct Counted<S> {
    stream: S,
    _slot: Slot,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// One accepted connection's HTTP, once its socket is ready (TLS done).
struct Conn<S> {
    builder: http1::Builder,
    svc: TowerToHyperService<S>,
    stop: CancellationToken,
    /// Fires when a newer connection needs this one's reserve place.
    evicted: CancellationToken,
}

impl<S> Conn<S>
where
    S: tower::Service<Request<Incoming>, Response = axum::response::Response>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: std::error::Error + Send + Sync + 'static,
{
    async fn serve<T>(self, stream: T, slot: Slot)
    where
        T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let io = TokioIo::new(Counted {
            stream,
            _slot: slot,
        });
        let conn = self.builder.serve_connection(io, self.svc).with_upgrades();
        tokio::pin!(conn);
        let ended = tokio::select! {
            r = conn.as_mut() => r,
            // A newer connection needs its place in the reserve.
            _ = self.evicted.cancelled() => return,
            _ = self.stop.cancelled() => {
                conn.as_mut().graceful_shutdown();
                conn.await
            }
        };
        if let Err(e) = ended {
            tracing::trace!(error = %e, "connection ended");
        }
    }
}

/// What a connection is served: everything, or (past the cap) the
/// operations routes only.
pub(crate) struct Apps {
    pub(crate) full: Router,
    pub(crate) ops_only: Router,
}

/// Serves `apps` on `listener` until `cancel` fires, then stops accepting
/// and waits for the connections' requests to finish (upgraded sockets
/// are the sessions', closed by the gateway's shutdown).
pub(crate) async fn serve(
    listener: TcpListener,
    apps: Apps,
    config: &GatewayConfig,
    tls: Option<Tls>,
    cancel: CancellationToken,
) -> io::Result<()> {
    let caps = Arc::new(Caps::new(
        connection_cap(config.max_connections, config.reserved_fds),
        config.max_connections_per_ip,
        config.ops_connections,
    ));
    // HTTP/1 only: hyper's version detection would wait for a first byte
    // before any timer runs. Clients speak HTTP/1.1 (WebSocket upgrades
    // included); a proxy in front may speak HTTP/2 to them.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    // One request per reserve connection, so its place comes back soon.
    let mut ops_builder = builder.clone();
    ops_builder.keep_alive(false);
    let connections = TaskTracker::new();
    let mut full = apps
        .full
        .into_make_service_with_connect_info::<SocketAddr>();
    let mut ops_only = apps
        .ops_only
        .into_make_service_with_connect_info::<SocketAddr>();
    let mut failing = false;
    loop {
        let (stream, addr) = tokio::select! {
            _ = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => {
                    failing = false;
                    a
                }
                Err(e) => {
                    // Logged once per run of failures, not per attempt.
                    if !failing {
                        tracing::warn!(error = %e, "accept failed");
                        failing = true;
                    }
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
        };
        let slot = match caps.admit(addr.ip()) {
            Ok(s) => s,
            Err(why) => {
                let why = match why {
                    Refused::Total => "total",
                    Refused::PerIp => "per_ip",
                };
                metrics::counter!("ferrochat_gateway_connections_refused_total", "why" => why)
                    .increment(1);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let evicted = slot.ops.as_ref().map(|(_, token)| token.clone());
        let (make, builder) = match evicted {
            None => (&mut full, &builder),
            Some(_) => {
                metrics::counter!("ferrochat_gateway_connections_refused_total", "why" => "total")
                    .increment(1);
                (&mut ops_only, &ops_builder)
            }
        };
        let Ok(svc) = make.call(addr).await;
        let svc = svc.map_request(|req: Request<Incoming>| req.map(axum::body::Body::new));
        let conn = Conn {
            builder: builder.clone(),
            svc: TowerToHyperService::new(svc),
            stop: cancel.clone(),
            evicted: evicted.unwrap_or_default(),
        };
        let tls = tls.clone();
        let handshake_timeout = config.header_read_timeout;
        connections.spawn(async move {
            let Some(tls) = tls else {
                return conn.serve(stream, slot).await;
            };
            // Bounded like a request head: a client that never finishes
            // its handshake holds only its own slot, and not for long.
            match tokio::time::timeout(handshake_timeout, tls.acceptor.accept(stream)).await {
                Ok(Ok(stream)) => conn.serve(stream, slot).await,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "TLS handshake failed");
                    metrics::counter!("ferrochat_tls_handshakes_failed_total").increment(1);
                }
                Err(_) => {
                    metrics::counter!("ferrochat_tls_handshakes_failed_total").increment(1);
                }
            }
        });
    }
    drop(listener);
    connections.close();
    connections.wait().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_per_address_and_in_all_and_free_on_drop() {
        let caps = Arc::new(Caps::new(3, 2, 0));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = caps.admit(a).unwrap();
        let _a2 = caps.admit(a).unwrap();
        assert!(matches!(caps.admit(a), Err(Refused::PerIp)));
        let _b1 = caps.admit(b).unwrap();
        assert!(matches!(caps.admit(b), Err(Refused::Total)));
        drop(a1);
        assert!(caps.admit(b).is_ok());
    }

    #[test]
    fn past_the_total_the_reserve_takes_the_newest_and_closes_the_oldest() {
        let caps = Arc::new(Caps::new(1, 10, 2));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let full = caps.admit(ip).unwrap();
        assert!(full.ops.is_none());
        let first = caps.admit(ip).unwrap();
        let second = caps.admit(ip).unwrap();
        let token = |s: &Slot| s.ops.as_ref().unwrap().1.clone();
        let (first_closed, second_closed) = (token(&first), token(&second));
        let third = caps.admit(ip).unwrap();
        assert!(first_closed.is_cancelled(), "the oldest makes room");
        assert!(!second_closed.is_cancelled());
        assert!(!token(&third).is_cancelled());
        // Reserve places come back to the reserve, not to the total.
        drop((first, second, third));
        assert!(caps.admit(ip).unwrap().ops.is_some());
        drop(full);
        assert!(caps.admit(ip).unwrap().ops.is_none());
    }

    #[test]
    fn the_cap_leaves_the_reserved_descriptors() {
        let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
        let soft = usize::try_from(soft).unwrap_or(usize::MAX);
        assert_eq!(
            connection_cap(usize::MAX, 100),
            soft.saturating_sub(100).max(1)
        );
        assert_eq!(
            connection_cap(5, 100),
            5.min(soft.saturating_sub(100)).max(1)
        );
    }
}
