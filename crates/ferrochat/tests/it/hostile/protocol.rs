//! WebSocket protocol violations are closed with RFC 6455's codes: 1007
//! for a text frame that is not UTF-8, 1002 for an unmasked frame or a
//! reserved opcode. Frames are written by hand: no client library sends
//! them wrong.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::client::Client;
use crate::binary::Server;

/// Upgrades a raw socket to a WebSocket.
async fn upgraded(server: &Server, token: &str) -> TcpStream {
    let mut s = TcpStream::connect(server.addr.as_str()).await.unwrap();
    let req = format!(
        "GET /ws?token={token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut b = [0u8; 1];
        s.read_exact(&mut b).await.unwrap();
        head.push(b[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    s
}

/// One final frame of `opcode`, masked or not (payload under 126 bytes).
fn frame(opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let key = [7u8, 1, 9, 3];
    let len = u8::try_from(payload.len()).unwrap();
    let mut f = vec![0x80 | opcode, if masked { 0x80 | len } else { len }];
    if masked {
        f.extend_from_slice(&key);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        f.extend_from_slice(payload);
    }
    f
}

/// Reads the server's frames up to its close frame; its code.
async fn close_code(s: &mut TcpStream) -> u16 {
    loop {
        let mut h = [0u8; 2];
        s.read_exact(&mut h)
            .await
            .expect("a close frame before the end");
        let len = match h[1] & 0x7f {
            126 => usize::from(s.read_u16().await.unwrap()),
            127 => usize::try_from(s.read_u64().await.unwrap()).unwrap(),
            n => usize::from(n),
        };
        let mut payload = vec![0u8; len];
        s.read_exact(&mut payload).await.unwrap();
        if h[0] & 0x0f == 0x8 {
            return u16::from_be_bytes([payload[0], payload[1]]);
        }
    }
}

#[tokio::test]
async fn invalid_utf8_is_1007_and_unmasked_or_reserved_frames_are_1002() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = Client::new(&server);
    let (_, token) = c.user("violator").await;

    let mut s = upgraded(&server, &token).await;
    s.write_all(&frame(0x1, &[0x7b, 0xff, 0xfe, 0x7d], true))
        .await
        .unwrap();
    assert_eq!(close_code(&mut s).await, 1007, "text that is not UTF-8");

    let mut s = upgraded(&server, &token).await;
    s.write_all(&frame(0x1, b"{\"type\":\"ping\"}", false))
        .await
        .unwrap();
    assert_eq!(close_code(&mut s).await, 1002, "an unmasked frame");

    let mut s = upgraded(&server, &token).await;
    s.write_all(&frame(0x3, b"x", true)).await.unwrap();
    assert_eq!(close_code(&mut s).await, 1002, "a reserved opcode");
}
