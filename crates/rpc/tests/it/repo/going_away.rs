//! A repo that shuts down gracefully sends GOAWAY naming the last stream
//! it will process; HTTP/2 guarantees the later ones never ran, so the
//! client sends them again, even a call that may not run twice. Any other
//! HTTP/2 failure under a call may have come after the call ran: such a
//! call is sent again only if it may run twice, and a caller who gets no
//! answer is told the repo is unavailable, not that it failed.
//!
//! The peer here speaks just enough HTTP/2 by hand to say exactly that
//! (a real repo says it only when its shutdown races a call: `restart.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::{Avatar, Nickname, User, UserId, Username};
use ferrochat_ports::{AccountStore, StoreError};
use ferrochat_rpc::{RepoClient, RetryConfig};
use ferrochat_test_support::conformance::fixtures::T0;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ATTEMPT: Duration = Duration::from_millis(500);

/// HTTP/2 frame types and codes used here (RFC 9113, section 6 and 7).
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const GOAWAY: u8 = 0x7;
const ACK: u8 = 0x1;
const NO_ERROR: u32 = 0x0;
const INTERNAL_ERROR: u32 = 0x2;
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// What the peer does with each call's stream.
#[derive(Clone, Copy)]
enum Refusal {
    /// GOAWAY naming the stream before it as the last processed.
    GoAway,
    /// RST_STREAM INTERNAL_ERROR: the call may have run.
    Reset,
}

/// A peer on 127.0.0.1:0 answering every call with `refusal`; counts the
/// calls it was sent.
async fn peer(refusal: Refusal) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(connection(socket, refusal, counted.clone()));
        }
    });
    (addr, calls)
}

async fn connection(mut socket: TcpStream, refusal: Refusal, calls: Arc<AtomicUsize>) {
    let mut preface = [0u8; PREFACE.len()];
    if socket.read_exact(&mut preface).await.is_err() || preface != PREFACE {
        return;
    }
    if frame(&mut socket, SETTINGS, 0, 0, &[]).await.is_err() {
        return;
    }
    loop {
        let mut head = [0u8; 9];
        if socket.read_exact(&mut head).await.is_err() {
            return;
        }
        let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let (kind, flags) = (head[3], head[4]);
        let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
        let mut payload = vec![0u8; len];
        if socket.read_exact(&mut payload).await.is_err() {
            return;
        }
        let answered = match kind {
            SETTINGS if flags & ACK == 0 => frame(&mut socket, SETTINGS, ACK, 0, &[]).await,
            HEADERS => {
                calls.fetch_add(1, Ordering::SeqCst);
                match refusal {
                    Refusal::GoAway => {
                        let mut body = stream.saturating_sub(2).to_be_bytes().to_vec();
                        body.extend(NO_ERROR.to_be_bytes());
                        // As a repo shutting down: the connection stays
                        // open until the client is done with it.
                        frame(&mut socket, GOAWAY, 0, 0, &body).await
                    }
                    Refusal::Reset => {
                        let code = INTERNAL_ERROR.to_be_bytes();
                        frame(&mut socket, RST_STREAM, 0, stream, &code).await
                    }
                }
            }
            _ => Ok(()),
        };
        if answered.is_err() {
            return;
        }
    }
}

async fn frame(
    socket: &mut TcpStream,
    kind: u8,
    flags: u8,
    stream: u32,
    payload: &[u8],
) -> std::io::Result<()> {
    let len = (payload.len() as u32).to_be_bytes();
    let mut out = vec![len[1], len[2], len[3], kind, flags];
    out.extend(stream.to_be_bytes());
    out.extend(payload);
    socket.write_all(&out).await
}

fn client(addr: std::net::SocketAddr) -> RepoClient {
    let retry = RetryConfig {
        deadline: Duration::from_secs(1),
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        ..RetryConfig::default()
    };
    RepoClient::connect_lazy(addr, ATTEMPT, retry).unwrap()
}

fn someone() -> User {
    User {
        id: UserId::generate(),
        username: Username::parse("goaway".to_owned()).unwrap(),
        nickname: Nickname::parse("Go Away".to_owned()).unwrap(),
        avatar: Avatar::from_stored(String::new()),
        created_at: T0,
    }
}

#[tokio::test]
async fn a_call_after_a_graceful_goaway_never_ran_and_is_sent_again() {
    let (addr, calls) = peer(Refusal::GoAway).await;
    // An insert may not run twice: sent again only because it never ran.
    let e = client(addr)
        .insert_user(&someone(), "argon2-hash")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert!(calls.load(Ordering::SeqCst) > 1, "sent once only: {e}");
}

#[tokio::test]
async fn a_call_reset_in_transit_is_unavailable_and_sent_again_only_if_it_may_run_twice() {
    let (addr, calls) = peer(Refusal::Reset).await;
    let client = client(addr);
    let e = client
        .insert_user(&someone(), "argon2-hash")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "may have run: sent once");

    let e = client.user(&UserId::generate()).await.unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert!(calls.load(Ordering::SeqCst) > 2, "a read is sent again");
}
