//! Attachments through the HTTP API: upload, send in a message, download
//! by the conversation's members only, thumbnails, ranges, the orphan
//! sweep. Bad input is in `attachments_refused.rs`.

use std::io::Cursor;
use std::time::Duration;

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{decode, spawn_app, spawn_app_with, Reply, TestApp, UNKNOWN_ID};

/// A `width` x `height` PNG with a gradient (so it is not all one colour).
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(pixels)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

/// `n` bytes that show a misplaced range.
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// POST /api/v1/attachments with one part `file` named `name`.
pub async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> Reply {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = app
        .client
        .post(format!("{}/api/v1/attachments", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    decode(res).await
}

/// An upload that must succeed; its metadata.
pub async fn upload_ok(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> Value {
    let r = upload(app, token, name, bytes).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.ok().clone()
}

pub async fn get(app: &TestApp, token: &str, path: &str, range: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(r) = range {
        req = req.header(header::RANGE, r);
    }
    req.send().await.unwrap()
}

pub fn file_path(id: &str) -> String {
    format!("/api/v1/attachments/{id}")
}

/// Sends attachment `id` as a message of `message_type` to `to`.
pub async fn send_attachment(
    app: &TestApp,
    token: &str,
    to: &str,
    message_type: &str,
    id: &str,
) -> Reply {
    app.send_http(
        token,
        json!({"to_user_id": to, "client_msg_id": uuid::Uuid::new_v4().to_string(),
               "message_type": message_type, "content": id}),
    )
    .await
}

#[tokio::test]
async fn an_image_is_sent_and_read_by_the_conversations_members_only() {
    let app = spawn_app().await;
    let alice = app.new_user("att_a").await;
    let bob = app.new_user("att_b").await;
    let carol = app.new_user("att_c").await;
    let bytes = png(800, 400);
    let meta = upload_ok(&app, &alice.access, "holiday photo ☀.png", bytes.clone()).await;
    assert_eq!(meta["media_type"], "image/png");
    assert_eq!(meta["name"], "holiday photo ☀.png");
    assert_eq!(meta["size"], bytes.len() as u64);
    assert_eq!(
        (meta["width"].as_u64(), meta["height"].as_u64()),
        (Some(800), Some(400))
    );
    assert_eq!(meta["has_thumbnail"], true);
    assert_eq!(meta["owner_id"], alice.user_id.as_str());
    assert!(meta["conversation_id"].is_null());
    let id = meta["attachment_id"].as_str().unwrap();

    // Before it is sent: the owner's only.
    let info = app
        .request(
            Method::GET,
            &format!("{}/info", file_path(id)),
            Some(&alice.access),
            None,
        )
        .await;
    assert_eq!(info.ok()["attachment_id"], id);
    let r = decode(get(&app, &bob.access, &file_path(id), None).await).await;
    r.err(1005);

    let ack = send_attachment(&app, &alice.access, &bob.user_id, "image", id).await;
    let conversation = ack.ok()["conversation_id"].as_str().unwrap().to_owned();
    let history = app.history_all(&bob.access, &conversation).await;
    let last = history.last().unwrap();
    assert_eq!(
        (last["message_type"].as_str(), last["content"].as_str()),
        (Some("image"), Some(id))
    );

    // Now the conversation's: bob reads it whole, with its name.
    let res = get(&app, &bob.access, &file_path(id), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
    let disposition = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"holiday photo _.png\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''holiday%20photo%20%E2%98%80.png"),
        "{disposition}"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());

    let thumb = get(
        &app,
        &bob.access,
        &format!("{}/thumbnail", file_path(id)),
        None,
    )
    .await;
    assert_eq!(thumb.status(), StatusCode::OK);
    assert_eq!(thumb.headers()[header::CONTENT_TYPE], "image/png");
    let small = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (320, 160));
    let info = app
        .request(
            Method::GET,
            &format!("{}/info", file_path(id)),
            Some(&bob.access),
            None,
        )
        .await;
    assert_eq!(info.ok()["conversation_id"], conversation.as_str());

    // Not carol's: not in that conversation.
    for path in [
        file_path(id),
        format!("{}/thumbnail", file_path(id)),
        format!("{}/info", file_path(id)),
    ] {
        let r = decode(get(&app, &carol.access, &path, None).await).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        r.err(1005);
    }
    // Unknown and malformed ids.
    decode(get(&app, &bob.access, &file_path(UNKNOWN_ID), None).await)
        .await
        .err(1003);
    decode(get(&app, &bob.access, &file_path("x"), None).await)
        .await
        .err(1001);
    // No token: 1002.
    let res = app
        .client
        .get(format!("{}{}", app.base, file_path(id)))
        .send()
        .await
        .unwrap();
    decode(res).await.err(1002);
}

#[tokio::test]
async fn files_are_read_by_range_and_sent_again_only_where_they_were_sent() {
    let app = spawn_app().await;
    let alice = app.new_user("rng_a").await;
    let bob = app.new_user("rng_b").await;
    let carol = app.new_user("rng_c").await;
    let data = pattern(3 * 1024 * 1024 + 5);
    let meta = upload_ok(&app, &alice.access, "data.bin", data.clone()).await;
    assert_eq!(meta["media_type"], "application/octet-stream");
    assert_eq!(meta["has_thumbnail"], false);
    assert!(meta["width"].is_null());
    let id = meta["attachment_id"].as_str().unwrap();
    decode(
        get(
            &app,
            &alice.access,
            &format!("{}/thumbnail", file_path(id)),
            None,
        )
        .await,
    )
    .await
    .err(1003);

    let res = get(
        &app,
        &alice.access,
        &file_path(id),
        Some("bytes=1000000-1000099"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        res.headers()[header::CONTENT_RANGE],
        format!("bytes 1000000-1000099/{}", data.len()).as_str()
    );
    assert_eq!(res.headers()[header::CONTENT_LENGTH], "100");
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        &data[1_000_000..1_000_100]
    );
    let res = get(&app, &alice.access, &file_path(id), Some("bytes=-10")).await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        &data[data.len() - 10..]
    );
    let res = get(
        &app,
        &alice.access,
        &file_path(id),
        Some("bytes=999999999-"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        res.headers()[header::CONTENT_RANGE],
        format!("bytes */{}", data.len()).as_str()
    );
    // 416 as HTTP says, with the contract's code for bad input.
    assert_eq!(decode(res).await.body["code"], 1001);

    // Sent to bob; sent there again, fine; somewhere else, refused.
    send_attachment(&app, &alice.access, &bob.user_id, "file", id)
        .await
        .ok();
    send_attachment(&app, &alice.access, &bob.user_id, "file", id)
        .await
        .ok();
    let r = send_attachment(&app, &alice.access, &carol.user_id, "file", id).await;
    assert!(r.err(1005).contains("another conversation"), "{:?}", r.body);
    // Bob may read it but not send it on as his own.
    let r = send_attachment(&app, &bob.access, &alice.user_id, "file", id).await;
    r.err(1005);
    let res = get(&app, &bob.access, &file_path(id), None).await;
    assert_eq!(res.bytes().await.unwrap().len(), data.len());
}

#[tokio::test]
async fn uploads_never_sent_are_deleted_and_sent_ones_kept() {
    let app = spawn_app_with(|c| {
        c.storage.orphan_after = Duration::from_secs(2);
        c.storage.orphan_sweep_interval = Duration::from_millis(200);
    })
    .await;
    let alice = app.new_user("orph_a").await;
    let bob = app.new_user("orph_b").await;
    let kept = upload_ok(&app, &alice.access, "kept.png", png(40, 40)).await;
    let kept = kept["attachment_id"].as_str().unwrap();
    send_attachment(&app, &alice.access, &bob.user_id, "image", kept)
        .await
        .ok();
    let orphan = upload_ok(&app, &alice.access, "orphan.png", png(40, 40)).await;
    let orphan = orphan["attachment_id"].as_str().unwrap().to_owned();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let res = get(&app, &alice.access, &file_path(&orphan), None).await;
        if res.status() != StatusCode::OK {
            decode(res).await.err(1003);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never swept");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Sending it now finds nothing.
    send_attachment(&app, &alice.access, &bob.user_id, "image", &orphan)
        .await
        .err(1003);
    let res = get(&app, &bob.access, &file_path(kept), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    if !crate::storage_env::s3_wanted() {
        // Only the kept file and its thumbnail are on disk.
        let dir = app.data_dir().join("attachments").join("attachments");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [kept.to_owned(), format!("{kept}.thumb")]);
    }
}

/// Over WebSocket, in a group: the send binds the upload for the group's
/// members, and a refusal is an `error` frame on the open connection.
#[tokio::test]
async fn a_group_shares_a_file_sent_over_websocket() {
    let app = spawn_app().await;
    let owner = app.new_user("wsatt_o").await;
    let member = app.new_user("wsatt_m").await;
    let outsider = app.new_user("wsatt_x").await;
    let (group_id, conversation) = app
        .new_group(
            &owner,
            json!({"name": "files", "member_ids": [member.user_id]}),
        )
        .await;
    let data = pattern(200 * 1024);
    let meta = upload_ok(&app, &owner.access, "notes.bin", data.clone()).await;
    let id = meta["attachment_id"].as_str().unwrap();
    let mut ws = app.ws_connect(&owner.access).await;
    // Not audio: a voice message refuses it, and the socket stays open.
    let refused = ws
        .send_err(
            json!({"group_id": group_id, "client_msg_id": "v-1", "message_type": "voice", "content": id}),
            1001,
        )
        .await;
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("type does not fit"),
        "{refused}"
    );
    let ack = ws
        .send_ok(json!({"group_id": group_id, "client_msg_id": "f-1", "message_type": "file", "content": id}))
        .await;
    assert_eq!(ack["conversation_id"], conversation.as_str());
    let res = get(&app, &member.access, &file_path(id), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), data.as_slice());
    decode(get(&app, &outsider.access, &file_path(id), None).await)
        .await
        .err(1005);
}
