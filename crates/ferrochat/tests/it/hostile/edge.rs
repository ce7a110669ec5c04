//! The edge: connections that send no request head, drip one, or idle
//! between requests are closed after `gateway.header_read_timeout`; one
//! address may hold `gateway.max_connections_per_ip` connections; under a
//! low file limit the server caps its connections below it, keeps
//! descriptors for its store and still answers a health check; one user
//! may hold
//! `gateway.ws.max_per_user` WebSockets.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};

use super::client::{until_pong, Client};
use crate::binary::Server;

/// How long a test waits for the server to close a connection before
/// failing: far above the timeouts set here, never asserted as a time.
const PATIENCE: Duration = Duration::from_secs(30);

async fn connect_from(local: &str, server: &Server) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
    let addr: SocketAddr = server.addr.parse().unwrap();
    socket.connect(addr).await.unwrap()
}

/// Reads until the server closes the connection (EOF or reset); false if
/// it is still open after `PATIENCE`.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(PATIENCE, read_all).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_dripping_and_idle_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[("FERROCHAT_GATEWAY__HEADER_READ_TIMEOUT", "1s")],
    );

    let mut silent = connect_from("127.0.0.1", &server).await;
    assert!(
        closed_by_server(&mut silent).await,
        "a silent connection is kept"
    );

    // One byte of a request head every 200 ms: never a whole head.
    let mut drip = connect_from("127.0.0.1", &server).await;
    let head = b"GET /health HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut cut = false;
    for b in head {
        if drip.write_all(&[*b]).await.is_err() {
            cut = true;
            break;
        }
        let mut buf = [0u8; 64];
        if let Ok(r) = tokio::time::timeout(Duration::from_millis(200), drip.read(&mut buf)).await {
            assert!(
                matches!(r, Ok(0) | Err(_)),
                "the server answered a partial head"
            );
            cut = true;
            break;
        }
    }
    assert!(
        cut,
        "a dripping head was still read after {} bytes",
        head.len()
    );

    // A keep-alive connection after its request is answered.
    let mut idle = connect_from("127.0.0.1", &server).await;
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    assert!(
        closed_by_server(&mut idle).await,
        "an idle keep-alive connection is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_at_most_its_cap_and_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[("FERROCHAT_GATEWAY__MAX_CONNECTIONS_PER_IP", "4")],
    );
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect_from("127.0.0.1", &server).await);
    }
    let mut fifth = connect_from("127.0.0.1", &server).await;
    fifth
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .ok();
    let mut buf = [0u8; 64];
    let r = tokio::time::timeout(PATIENCE, fifth.read(&mut buf))
        .await
        .expect("the fifth connection is closed, not left waiting");
    assert!(
        matches!(r, Ok(0) | Err(_)),
        "the fifth connection was served"
    );

    // Another address is served meanwhile.
    let mut other = connect_from("127.0.0.2", &server).await;
    other
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    other.read_to_end(&mut answer).await.unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    // A place freed is a place taken again.
    drop(held.pop());
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let mut again = connect_from("127.0.0.1", &server).await;
        again
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .ok();
        let mut answer = Vec::new();
        let _ = again.read_to_end(&mut answer).await;
        if answer.starts_with(b"HTTP/1.1 200") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the freed place never came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One HTTP/1.1 request on a kept-alive socket; the answer's JSON body.
async fn request(s: &mut TcpStream, method: &str, path: &str, token: &str, body: &str) -> Value {
    serde_json::from_slice(&request_raw(s, method, path, token, body).await).unwrap()
}

/// One HTTP/1.1 request on a kept-alive socket; the answer's body.
async fn request_raw(
    s: &mut TcpStream,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Vec<u8> {
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let body_at = loop {
        let mut b = [0u8; 1];
        s.read_exact(&mut b)
            .await
            .expect("an answer on the kept socket");
        got.push(b[0]);
        if got.ends_with(b"\r\n\r\n") {
            break got.len();
        }
    };
    let head = String::from_utf8_lossy(&got[..body_at]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap())
        .expect("content-length");
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.unwrap();
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_low_file_limit_a_connection_flood_leaves_the_store_its_descriptors() {
    let dir = tempfile::tempdir().unwrap();
    // 400 descriptors, 256 reserved: at most 144 connections.
    let server = Server::start_with_nofile(dir.path(), &[], 400);
    let c = Client::new(&server);
    let (_, token) = c.user("survivor").await;
    // A socket opened before the flood, kept alive through it.
    let mut kept = connect_from("127.0.0.1", &server).await;

    let mut flood = Vec::new();
    for i in 0..450u32 {
        let local = format!("127.0.{}.{}", 1 + i / 200, 1 + i % 200);
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
        if let Ok(s) = socket.connect(server.addr.parse().unwrap()).await {
            flood.push(s);
        }
    }
    // The server refused what is over its cap, and still writes: the
    // store, its files and the bus have their descriptors.
    let metrics = request_raw(&mut kept, "GET", "/metrics", &token, "").await;
    assert!(
        String::from_utf8_lossy(&metrics)
            .contains("ferrochat_gateway_connections_refused_total{why=\"total\"}"),
        "no connection was refused over the cap"
    );
    let sent = request(
        &mut kept,
        "POST",
        "/api/v1/messages/send",
        &token,
        r#"{"conversation_id":"world","client_msg_id":"during-flood","content":"still here"}"#,
    )
    .await;
    assert_eq!(sent["code"], 0, "{sent}");
    let r = request(
        &mut kept,
        "GET",
        "/api/v1/messages/history?conversation_id=world",
        &token,
        "",
    )
    .await;
    assert_eq!(r["code"], 0, "{r}");
    assert_eq!(r["data"]["messages"][0]["content"], "still here");

    // The flood holds every connection and the operations reserve, yet
    // a health check gets in (the oldest silent one makes room), once.
    let mut monitor = connect_from("127.0.0.1", &server).await;
    let health = request(&mut monitor, "GET", "/health", "", "").await;
    assert_eq!(health["status"], "ok", "{health}");
    assert!(closed_by_server(&mut monitor).await, "one request each");
    // Anything else past the cap is told to come back later.
    let mut late = connect_from("127.0.0.1", &server).await;
    let refused = request(&mut late, "GET", "/api/v1/users/profile", &token, "").await;
    assert_eq!(refused["code"], 1009, "{refused}");
    drop(flood);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_user_holds_at_most_max_per_user_sockets_and_the_next_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("FERROCHAT_GATEWAY__WS__MAX_PER_USER", "3")]);
    let c = Client::new(&server);
    let (_, token) = c.user("many-tabs").await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(c.ws(&token).await);
    }
    let url = format!("ws://{}/ws?token={token}", server.addr);
    let refused = tokio_tungstenite::connect_async(url.as_str()).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            assert_eq!(r.status(), 429);
            let body: serde_json::Value =
                serde_json::from_slice(r.body().as_deref().unwrap_or_default()).unwrap();
            assert_eq!(body["code"], 1007, "{body}");
        }
        other => panic!("a fourth socket was not refused: {:?}", other.map(|_| ())),
    }
    // The open ones still work; closing one makes room.
    for (i, ws) in open.iter_mut().enumerate() {
        until_pong(ws, &format!("p{i}")).await;
    }
    drop(open.pop());
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if tokio_tungstenite::connect_async(url.as_str()).await.is_ok() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the freed place never came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_body_is_answered_408() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[("FERROCHAT_GATEWAY__BODY_READ_TIMEOUT", "1s")],
    );
    let mut stream = connect_from("127.0.0.1", &server).await;
    // The head promises 100 bytes; 10 come, then nothing.
    stream
        .write_all(
            b"POST /api/v1/users/register HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(PATIENCE, read)
        .await
        .expect("a stalled body is answered, not left waiting");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["code"], 1001, "{body}");
    assert_eq!(body["message"], "request body did not arrive in time");
}
