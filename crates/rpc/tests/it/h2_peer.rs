//! A peer that speaks just enough HTTP/2 by hand to refuse every call in
//! one exact way, for the clients' reading of such refusals: a server
//! shutting down gracefully (GOAWAY naming the stream before the call as
//! the last it processed: the call never ran), or a stream reset in
//! transit (RST_STREAM INTERNAL_ERROR: the call may have run). A real
//! server says the first only when its shutdown races a call
//! (`repo/restart.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
pub enum Refusal {
    /// GOAWAY naming the stream before it as the last processed.
    GoAway,
    /// RST_STREAM INTERNAL_ERROR: the call may have run.
    Reset,
}

/// A peer on 127.0.0.1:0 answering every call with `refusal`; counts the
/// calls it was sent.
pub async fn peer(refusal: Refusal) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
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
