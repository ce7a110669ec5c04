//! Attachments' bad input: each is refused with a clear error in the
//! contract's format, and leaves nothing behind (the quota is whole
//! afterwards, and with `serve`'s local storage no file is left on disk).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::attachments::{pattern, png, upload, upload_ok};
use crate::support::{decode, spawn_app, spawn_app_with, TestApp};

const KIB: usize = 1024;

/// The files `serve` keeps (none with S3, which is checked through the
/// quota instead).
fn files_on_disk(app: &TestApp) -> Vec<String> {
    if crate::storage_env::s3_wanted() {
        return Vec::new();
    }
    let dir = app.data_dir().join("attachments").join("attachments");
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn the_size_limit_and_the_quota_refuse_with_1008_and_keep_nothing() {
    let app = spawn_app_with(|c| {
        c.storage.max_file_bytes = 256 * KIB as u64;
        c.storage.quota_bytes = 600 * KIB as u64;
    })
    .await;
    let alice = app.new_user("lim_a").await;
    let r = upload(&app, &alice.access, "big.bin", pattern(300 * KIB)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.body);
    assert!(
        r.err(1008).contains("limit of 262144 bytes"),
        "{:?}",
        r.body
    );
    assert!(files_on_disk(&app).is_empty(), "{:?}", files_on_disk(&app));
    // Nothing was counted: two files fill the quota almost to the byte.
    upload_ok(&app, &alice.access, "one.bin", pattern(250 * KIB)).await;
    upload_ok(&app, &alice.access, "two.bin", pattern(250 * KIB)).await;
    let r = upload(&app, &alice.access, "three.bin", pattern(250 * KIB)).await;
    assert!(
        r.err(1008).contains("quota") || r.err(1008).contains("of your"),
        "{:?}",
        r.body
    );
    assert_eq!(
        files_on_disk(&app).len(),
        if crate::storage_env::s3_wanted() {
            0
        } else {
            2
        }
    );
    // What is left of the quota still takes a small file.
    upload_ok(&app, &alice.access, "small.bin", pattern(50 * KIB)).await;
}

#[tokio::test]
async fn bad_names_forms_and_empty_files_are_refused_with_1001() {
    let app = spawn_app().await;
    let alice = app.new_user("bad_a").await;
    for name in ["../../etc/passwd", "a/b.png", "..\\evil.exe", "..", "..."] {
        let r = upload(&app, &alice.access, name, png(4, 4)).await;
        assert!(
            r.err(1001).starts_with("file_name:"),
            "{name:?}: {:?}",
            r.body
        );
    }
    let r = upload(&app, &alice.access, "empty.txt", Vec::new()).await;
    assert!(r.err(1001).contains("empty"), "{:?}", r.body);
    // A part by another name.
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(png(4, 4)).file_name("x.png"),
    );
    let res = app
        .client
        .post(format!("{}/api/v1/attachments", app.base))
        .bearer_auth(&alice.access)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(decode(res).await.err(1001).contains("`file`"));
    // Not multipart at all.
    let r = app
        .request(
            Method::POST,
            "/api/v1/attachments",
            Some(&alice.access),
            Some(json!({})),
        )
        .await;
    assert!(r.err(1001).contains("multipart/form-data"), "{:?}", r.body);
    // No token.
    let res = app
        .client
        .post(format!("{}/api/v1/attachments", app.base))
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(vec![1]).file_name("a"),
        ))
        .send()
        .await
        .unwrap();
    decode(res).await.err(1002);
    assert!(files_on_disk(&app).is_empty(), "{:?}", files_on_disk(&app));
}

/// A PNG whose header claims `width` x `height` pixels, with almost no
/// data: what a decompression bomb looks like before it is inflated.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // zlib of nothing much: a stored empty block.
    chunk(
        &mut out,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
        ],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[tokio::test]
async fn an_image_claiming_too_many_pixels_is_refused_and_a_broken_one_too() {
    let app = spawn_app().await;
    let alice = app.new_user("bomb_a").await;
    let r = upload(
        &app,
        &alice.access,
        "bomb.png",
        png_claiming(60_000, 60_000),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = r.err(1001);
    assert!(message.contains("60000x60000 pixels"), "{message}");
    let mut broken = png(64, 64);
    broken.truncate(100);
    let r = upload(&app, &alice.access, "broken.png", broken).await;
    assert!(r.err(1001).contains("cannot be decoded"), "{:?}", r.body);
    assert!(files_on_disk(&app).is_empty(), "{:?}", files_on_disk(&app));
}

#[tokio::test]
async fn a_message_must_carry_an_attachment_of_its_type() {
    let app = spawn_app().await;
    let alice = app.new_user("mt_a").await;
    let bob = app.new_user("mt_b").await;
    let pdf = upload_ok(
        &app,
        &alice.access,
        "doc.pdf",
        b"%PDF-1.7\n%%EOF\n".to_vec(),
    )
    .await;
    assert_eq!(pdf["media_type"], "application/pdf");
    let pdf = pdf["attachment_id"].as_str().unwrap();
    let send = |message_type: &'static str, content: String| {
        let app = &app;
        let token = alice.access.clone();
        let to = bob.user_id.clone();
        async move {
            app.send_http(
                &token,
                json!({"to_user_id": to, "client_msg_id": uuid::Uuid::new_v4().to_string(),
                       "message_type": message_type, "content": content}),
            )
            .await
        }
    };
    let r = send("image", "look at this".to_owned()).await;
    assert!(r.err(1001).starts_with("content:"), "{:?}", r.body);
    let r = send("image", pdf.to_owned()).await;
    assert!(r.err(1001).contains("type does not fit"), "{:?}", r.body);
    send("voice", pdf.to_owned()).await.err(1001);
    send("image", crate::support::UNKNOWN_ID.to_owned())
        .await
        .err(1003);
    // A file it may be; the other message types are untouched.
    send("file", pdf.to_owned()).await.ok();
    send("text", pdf.to_owned()).await.ok();
}

/// A client that goes away mid-upload: nothing of it is kept.
#[tokio::test]
async fn an_upload_cut_off_keeps_nothing() {
    let app = spawn_app_with(|c| c.storage.quota_bytes = 1024 * 1024).await;
    let alice = app.new_user("cut_a").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/attachments HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 900000\r\n\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        alice.access
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    tcp.write_all(&pattern(300 * KIB)).await.unwrap();
    tcp.shutdown().await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    // Whatever the server could still say, it is no success.
    assert!(!answer.contains("201 Created"), "{answer}");
    // Nothing was kept: the whole quota takes a file, and no file is left
    // beside it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !files_on_disk(&app).is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            files_on_disk(&app)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let full = upload_ok(&app, &alice.access, "whole.bin", pattern(1024 * KIB)).await;
    assert_eq!(
        files_on_disk(&app),
        if crate::storage_env::s3_wanted() {
            Vec::<String>::new()
        } else {
            vec![full["attachment_id"].as_str().unwrap().to_owned()]
        }
    );
}
