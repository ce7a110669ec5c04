//! Resumable uploads through the HTTP API: a file sent in chunks, resumed
//! after a restart of the server, assembled into an attachment (images
//! measured and thumbnailed as a one-shot upload's), swept when never
//! finished; and what deleting an account and exporting one's data do
//! with attachments. Bad input is in `resumable_refused.rs`.

use std::io::Cursor;
use std::time::Duration;

use ferrochat::config::Config;
use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::attachments::{file_path, get, pattern, send_attachment, upload_ok};
use crate::support::{decode, spawn_app_with, Reply, TestApp, PASSWORD};

pub const KIB: usize = 1024;

/// Chunks of 64 KiB (the smallest a server takes, but the last) keep
/// the files small; a fixed signing secret keeps tokens valid across a
/// restart in every mode.
pub fn small_chunks(c: &mut Config) {
    c.storage.chunk_bytes = 64 * KIB as u64;
    c.auth.jwt_secret = Some("resumable-uploads-test-secret-0123456789".to_owned());
}

/// POST /api/v1/uploads.
pub async fn open(app: &TestApp, token: &str, body: Value) -> Reply {
    app.request(Method::POST, "/api/v1/uploads", Some(token), Some(body))
        .await
}

/// An upload of `name` and `size` that must open; its id.
pub async fn open_ok(app: &TestApp, token: &str, name: &str, size: usize) -> String {
    let r = open(app, token, json!({"name": name, "size": size})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.ok()["offset"], 0);
    r.ok()["upload_id"].as_str().unwrap().to_owned()
}

pub fn upload_path(id: &str) -> String {
    format!("/api/v1/uploads/{id}")
}

/// PATCH one chunk at `offset`.
pub async fn chunk(app: &TestApp, token: &str, id: &str, offset: usize, bytes: &[u8]) -> Reply {
    let res = app
        .client
        .patch(format!("{}{}", app.base, upload_path(id)))
        .bearer_auth(token)
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    decode(res).await
}

/// A chunk that must be taken; the upload after it.
pub async fn chunk_ok(app: &TestApp, token: &str, id: &str, offset: usize, bytes: &[u8]) -> Value {
    let r = chunk(app, token, id, offset, bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.ok().clone()
}

/// Sends `data` from `from` on in chunks of `size`; answers the last reply.
pub async fn send_rest(
    app: &TestApp,
    token: &str,
    id: &str,
    data: &[u8],
    from: usize,
    size: usize,
) -> Value {
    let mut offset = from;
    let mut last = Value::Null;
    while offset < data.len() {
        let end = (offset + size).min(data.len());
        last = chunk_ok(app, token, id, offset, &data[offset..end]).await;
        assert_eq!(last["offset"], end);
        offset = end;
    }
    last
}

pub async fn status(app: &TestApp, token: &str, id: &str) -> Reply {
    app.request(Method::GET, &upload_path(id), Some(token), None)
        .await
}

/// Every object the app keeps: files under its data dir's attachments,
/// or keys in its S3 bucket (listed as any S3 client would).
pub async fn stored_objects(app: &TestApp) -> Vec<String> {
    let storage = &app.config.as_ref().expect("started here").storage;
    if let Some(bucket) = storage.url.as_deref().and_then(|u| u.strip_prefix("s3://")) {
        let endpoint = storage.endpoint.as_deref().expect("an S3 endpoint");
        let listing = app
            .client
            .get(format!("{endpoint}/{bucket}?list-type=2"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        return listing
            .split("<Key>")
            .skip(1)
            .filter_map(|k| k.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect();
    }
    let mut found = Vec::new();
    let mut dirs = vec![app.data_dir().join("attachments")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

/// The objects of upload (or attachment) `id`.
pub async fn objects_of(app: &TestApp, id: &str) -> Vec<String> {
    stored_objects(app)
        .await
        .into_iter()
        .filter(|k| k.contains(id))
        .collect()
}

/// A PNG of noise: it does not compress, so it spans several chunks.
fn noisy_png(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let pixels = RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [r, g, b, _] = state.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(pixels)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn a_large_file_goes_in_chunks_and_resumes_after_a_restart() {
    let app = spawn_app_with(small_chunks).await;
    let alice = app.new_user("res_a").await;
    let data = pattern(200 * KIB + 123);
    let id = open_ok(&app, &alice.access, "backup ☂.tar", data.len()).await;

    let first = chunk_ok(&app, &alice.access, &id, 0, &data[..64 * KIB]).await;
    assert_eq!(first["offset"], 64 * KIB);
    assert_eq!(first["size"], data.len());
    assert_eq!(first["chunk_bytes"], 64 * KIB);
    assert!(first["attachment"].is_null());
    // The same chunk again (its answer lost, say): 1001 naming the offset.
    let again = chunk(&app, &alice.access, &id, 0, &data[..64 * KIB]).await;
    assert!(
        again.err(1001).contains(&format!("at {}", 64 * KIB)),
        "{:?}",
        again.body
    );

    // The server restarts between two chunks: what it acknowledged stays.
    let app = app.restart().await;
    let here = status(&app, &alice.access, &id).await;
    assert_eq!(here.ok()["offset"], 64 * KIB, "{:?}", here.body);
    let head = app
        .client
        .head(format!("{}{}", app.base, upload_path(&id)))
        .bearer_auth(&alice.access)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["upload-offset"], (64 * KIB).to_string());

    let done = send_rest(&app, &alice.access, &id, &data, 64 * KIB, 64 * KIB).await;
    let attachment = &done["attachment"];
    assert_eq!(attachment["attachment_id"], id.as_str());
    assert_eq!(attachment["size"], data.len());
    assert_eq!(attachment["name"], "backup ☂.tar");
    assert_eq!(attachment["media_type"], "application/octet-stream");
    assert_eq!(attachment["owner_id"], alice.user_id.as_str());

    let res = get(&app, &alice.access, &file_path(&id), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), data.as_slice());
    // Finished: no longer an upload, and its chunks are gone.
    status(&app, &alice.access, &id).await.err(1003);
    let left = objects_of(&app, &id).await;
    assert_eq!(left.len(), 1, "the file alone: {left:?}");
}

#[tokio::test]
async fn an_image_in_chunks_gets_its_dimensions_and_thumbnail() {
    let app = spawn_app_with(small_chunks).await;
    let alice = app.new_user("res_img").await;
    let bytes = noisy_png(400, 300);
    assert!(bytes.len() > 64 * KIB, "{} bytes: one chunk", bytes.len());
    let id = open_ok(&app, &alice.access, "noise.png", bytes.len()).await;
    let done = send_rest(&app, &alice.access, &id, &bytes, 0, 64 * KIB).await;
    let attachment = &done["attachment"];
    assert_eq!(attachment["media_type"], "image/png");
    assert_eq!(
        (attachment["width"].as_u64(), attachment["height"].as_u64()),
        (Some(400), Some(300))
    );
    assert_eq!(attachment["has_thumbnail"], true);
    let thumb = get(
        &app,
        &alice.access,
        &format!("{}/thumbnail", file_path(&id)),
        None,
    )
    .await;
    assert_eq!(thumb.status(), StatusCode::OK);
    let small = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (320, 240));
}

#[tokio::test]
async fn unfinished_uploads_are_swept_with_their_chunks() {
    let app = spawn_app_with(|c| {
        small_chunks(c);
        c.storage.orphan_after = Duration::from_secs(1);
        c.storage.orphan_sweep_interval = Duration::from_millis(200);
        c.storage.quota_bytes = 300 * KIB as u64;
    })
    .await;
    let alice = app.new_user("res_sw").await;
    let id = open_ok(&app, &alice.access, "never.bin", 250 * KIB).await;
    chunk_ok(&app, &alice.access, &id, 0, &pattern(64 * KIB)).await;
    assert_eq!(objects_of(&app, &id).await.len(), 1);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while status(&app, &alice.access, &id).await.status == StatusCode::OK {
        assert!(tokio::time::Instant::now() < deadline, "never swept");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(objects_of(&app, &id).await, Vec::<String>::new());
    // Its declared size no longer counts against the quota.
    open_ok(&app, &alice.access, "again.bin", 250 * KIB).await;
}

#[tokio::test]
async fn deleting_an_account_deletes_its_unsent_files_and_keeps_sent_ones() {
    let app = spawn_app_with(small_chunks).await;
    let alice = app.new_user("res_del_a").await;
    let bob = app.new_user("res_del_b").await;
    let sent = upload_ok(&app, &alice.access, "sent.bin", pattern(3 * KIB)).await;
    let sent = sent["attachment_id"].as_str().unwrap().to_owned();
    send_attachment(&app, &alice.access, &bob.user_id, "file", &sent)
        .await
        .ok();
    let unsent = upload_ok(&app, &alice.access, "unsent.bin", pattern(2 * KIB)).await;
    let unsent = unsent["attachment_id"].as_str().unwrap().to_owned();
    let open = open_ok(&app, &alice.access, "half.bin", 100 * KIB).await;
    chunk_ok(&app, &alice.access, &open, 0, &pattern(64 * KIB)).await;
    assert_eq!(objects_of(&app, &unsent).await.len(), 1);
    assert_eq!(objects_of(&app, &open).await.len(), 1);

    let r = app
        .request(
            Method::POST,
            "/api/v1/users/delete",
            Some(&alice.access),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    r.ok();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (a, b) = (
            objects_of(&app, &unsent).await,
            objects_of(&app, &open).await,
        );
        if a.is_empty() && b.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still stored: {a:?} {b:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The sent one stays for bob, as alice's messages do.
    let res = get(&app, &bob.access, &file_path(&sent), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        pattern(3 * KIB).as_slice()
    );
}

#[tokio::test]
async fn the_export_lists_ones_attachments_with_where_to_download_them() {
    let app = spawn_app_with(small_chunks).await;
    let alice = app.new_user("res_exp_a").await;
    let bob = app.new_user("res_exp_b").await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let meta = upload_ok(&app, &alice.access, &format!("f{n}.bin"), pattern(n * KIB)).await;
        ids.push(meta["attachment_id"].as_str().unwrap().to_owned());
    }
    let sent = ids[0].clone();
    send_attachment(&app, &alice.access, &bob.user_id, "file", &sent)
        .await
        .ok();
    upload_ok(&app, &bob.access, "bobs.bin", pattern(KIB)).await;

    let export = app
        .request(
            Method::GET,
            "/api/v1/users/export",
            Some(&alice.access),
            None,
        )
        .await;
    let listed = export.ok()["attachments"].as_array().unwrap().clone();
    let mut got: Vec<String> = listed
        .iter()
        .map(|a| a["attachment_id"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    ids.sort();
    assert_eq!(got, ids, "alice's three, sent or not, not bob's");
    for entry in &listed {
        let id = entry["attachment_id"].as_str().unwrap();
        assert_eq!(entry["download"], file_path(id));
        assert!(entry["thumbnail"].is_null());
        assert!(entry.get("bytes").is_none());
        let res = get(
            &app,
            &alice.access,
            entry["download"].as_str().unwrap(),
            None,
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.bytes().await.unwrap().len() as u64,
            entry["size"].as_u64().unwrap()
        );
    }
    let with_conversation: Vec<&str> = listed
        .iter()
        .filter(|a| a["conversation_id"].is_string())
        .map(|a| a["attachment_id"].as_str().unwrap())
        .collect();
    assert_eq!(with_conversation, [sent.as_str()]);
}
