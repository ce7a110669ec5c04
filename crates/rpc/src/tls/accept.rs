//! The TLS side of a server's listener: accepts TCP connections, runs
//! their handshakes concurrently (a slow or silent peer holds up nobody),
//! and hands the finished ones to tonic. Bounded everywhere: at most
//! `MAX_HANDSHAKES` at once (accepting waits beyond that), each within
//! `HANDSHAKE_TIMEOUT`, at most `READY` finished ones waiting for tonic.
//!
//! A refused caller is counted in
//! `ferrochat_rpc_tls_refused_total{service, reason}` and logged at debug
//! (one line per connection would let anyone who can reach the port fill
//! the logs); `reason` is `no_certificate`, `untrusted` (another CA, a
//! bad signature, or a caller that does not trust this server's CA),
//! `expired`, `wrong_role`, `timeout` or `handshake`
//! (anything else, such as plain HTTP/2 without TLS).

use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use rustls::{AlertDescription, CertificateError, Error as TlsFailure};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_rustls::server::TlsStream;
use tokio_util::sync::CancellationToken;

use super::{ServerTls, HANDSHAKE_TIMEOUT};

/// Handshakes in progress at once.
const MAX_HANDSHAKES: usize = 256;
/// Finished handshakes tonic has not taken yet.
const READY: usize = 64;
/// How long to wait after a failed accept (say, out of file descriptors)
/// before the next, so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

pub(crate) type Accepted = Result<TlsStream<TcpStream>, io::Error>;

/// The TLS connections of `listener`, for `serve_with_incoming`; ends when
/// `cancel` fires.
pub(crate) fn incoming(
    listener: TcpListener,
    tls: ServerTls,
    service: &'static str,
    cancel: CancellationToken,
) -> impl Stream<Item = Accepted> + Send + Unpin + 'static {
    let (tx, mut rx) = mpsc::channel(READY);
    tokio::spawn(accept_loop(listener, tls, service, tx, cancel));
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

async fn accept_loop(
    listener: TcpListener,
    tls: ServerTls,
    service: &'static str,
    ready: mpsc::Sender<Accepted>,
    cancel: CancellationToken,
) {
    let handshakes = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let permit = tokio::select! {
            _ = cancel.cancelled() => return,
            p = handshakes.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return, // never closed
            },
        };
        let accepted = tokio::select! {
            _ = cancel.cancelled() => return,
            a = listener.accept() => a,
        };
        let (tcp, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, service, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // Calls are small and waited on: no Nagle delay.
        let _ = tcp.set_nodelay(true);
        let acceptor = tls.acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let reason = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => {
                    let _ = ready.send(Ok(stream)).await;
                    return;
                }
                Ok(Err(e)) => refusal(&e),
                Err(_) => "timeout",
            };
            metrics::counter!("ferrochat_rpc_tls_refused_total", "service" => service, "reason" => reason)
                .increment(1);
            tracing::debug!(%peer, service, reason, "internal TLS handshake refused");
        });
    }
}

/// The `reason` label for a failed handshake.
fn refusal(e: &io::Error) -> &'static str {
    let Some(failure) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<TlsFailure>())
    else {
        return "handshake";
    };
    match failure {
        TlsFailure::NoCertificatesPresented => "no_certificate",
        TlsFailure::InvalidCertificate(c) => match c {
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "wrong_role"
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => "expired",
            _ => "untrusted",
        },
        // The caller refused this server's certificate: it trusts
        // another CA (in TLS 1.3 the caller checks the server first, so
        // a caller of another cluster is refused here, before it shows
        // its own certificate).
        TlsFailure::AlertReceived(
            AlertDescription::UnknownCA
            | AlertDescription::BadCertificate
            | AlertDescription::CertificateUnknown,
        ) => "untrusted",
        _ => "handshake",
    }
}
