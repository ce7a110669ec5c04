//! Resumable uploads' bad input: each refusal is a clear error in the
//! contract's format, and leaves nothing behind (no object stored, the
//! upload's offset unmoved, the quota whole).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::attachments::{file_path, get, pattern, png};
use crate::resumable_uploads::{
    chunk, chunk_ok, objects_of, open, open_ok, small_chunks, status, stored_objects, upload_path,
    KIB,
};
use crate::support::{spawn_app_with, TestApp, UNKNOWN_ID};

/// The upload is where it was, and nothing of it is stored beyond
/// `chunks` chunks.
async fn unmoved(app: &TestApp, token: &str, id: &str, offset: usize, chunks: usize) {
    let here = status(app, token, id).await;
    assert_eq!(here.ok()["offset"], offset, "{:?}", here.body);
    let stored = objects_of(app, id).await;
    assert_eq!(stored.len(), chunks, "{stored:?}");
}

#[tokio::test]
async fn openings_past_the_limits_or_malformed_are_refused() {
    let app = spawn_app_with(|c| {
        small_chunks(c);
        c.storage.max_file_bytes = 256 * KIB as u64;
        c.storage.quota_bytes = 400 * KIB as u64;
    })
    .await;
    let alice = app.new_user("rr_open").await;
    let t = &alice.access;
    let r = open(&app, t, json!({"name": "big.bin", "size": 300 * KIB})).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.err(1008).contains("limit of 262144"), "{:?}", r.body);
    for (body, field) in [
        (json!({"name": "x.bin", "size": 0}), "size"),
        (json!({"name": "x.bin"}), "size"),
        (json!({"size": 10}), "name"),
        (json!({"name": "../etc/passwd", "size": 10}), "file_name"),
        (json!({"name": "x.bin", "size": -1}), "size"),
        (json!({"name": "x.bin", "size": "ten"}), "size"),
    ] {
        let r = open(&app, t, body.clone()).await;
        assert!(r.err(1001).starts_with(field), "{body}: {:?}", r.body);
    }
    // A declared size holds its place in the quota.
    let first = open_ok(&app, t, "a.bin", 200 * KIB).await;
    let r = open(&app, t, json!({"name": "b.bin", "size": 250 * KIB})).await;
    assert!(r.err(1008).contains("of your"), "{:?}", r.body);
    // Abandoned, it frees it; its chunks go.
    chunk_ok(&app, t, &first, 0, &pattern(64 * KIB)).await;
    let r = app
        .request(Method::DELETE, &upload_path(&first), Some(t), None)
        .await;
    r.ok();
    status(&app, t, &first).await.err(1003);
    assert_eq!(objects_of(&app, &first).await, Vec::<String>::new());
    open_ok(&app, t, "b.bin", 250 * KIB).await;
    assert_eq!(stored_objects(&app).await, Vec::<String>::new());
}

#[tokio::test]
async fn chunks_at_the_wrong_offset_too_large_or_too_small_keep_nothing() {
    let app = spawn_app_with(small_chunks).await;
    let alice = app.new_user("rr_chunk").await;
    let t = &alice.access;
    let size = 100 * KIB;
    let data = pattern(size);
    let id = open_ok(&app, t, "x.bin", size).await;

    let r = chunk(&app, t, &id, 5, &data[5..5 + 64 * KIB]).await;
    assert!(r.err(1001).contains("at 0, not 5"), "{:?}", r.body);
    unmoved(&app, t, &id, 0, 0).await;
    let r = chunk(&app, t, &id, 0, &data[..64 * KIB + 1]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.err(1008).contains("more than the 65536"), "{:?}", r.body);
    unmoved(&app, t, &id, 0, 0).await;
    let r = chunk(&app, t, &id, 0, &data[..KIB]).await;
    assert!(r.err(1001).contains("at least 65536"), "{:?}", r.body);
    unmoved(&app, t, &id, 0, 0).await;
    let r = chunk(&app, t, &id, 0, &[]).await;
    assert!(r.err(1001).contains("empty"), "{:?}", r.body);
    unmoved(&app, t, &id, 0, 0).await;
    let res = app
        .client
        .patch(format!("{}{}", app.base, upload_path(&id)))
        .bearer_auth(t)
        .body(data[..64 * KIB].to_vec())
        .send()
        .await
        .unwrap();
    let r = crate::support::decode(res).await;
    assert!(
        r.err(1001).starts_with("Upload-Offset: missing"),
        "{:?}",
        r.body
    );
    unmoved(&app, t, &id, 0, 0).await;

    chunk_ok(&app, t, &id, 0, &data[..64 * KIB]).await;
    // Past the declared size: 36 KiB are left.
    let r = chunk(&app, t, &id, 64 * KIB, &pattern(40 * KIB)).await;
    assert!(
        r.err(1008).contains("past the declared size"),
        "{:?}",
        r.body
    );
    unmoved(&app, t, &id, 64 * KIB, 1).await;
    // The last chunk may be short.
    let done = chunk_ok(&app, t, &id, 64 * KIB, &data[64 * KIB..]).await;
    assert_eq!(done["attachment"]["size"], size);
}

#[tokio::test]
async fn someone_elses_upload_is_as_if_absent() {
    let app = spawn_app_with(small_chunks).await;
    let alice = app.new_user("rr_own_a").await;
    let bob = app.new_user("rr_own_b").await;
    let id = open_ok(&app, &alice.access, "mine.bin", 100 * KIB).await;
    for target in [id.as_str(), UNKNOWN_ID, "not-an-id"] {
        let r = chunk(&app, &bob.access, target, 0, &pattern(64 * KIB)).await;
        assert_eq!(r.err(1003), "no such upload", "{target}");
        status(&app, &bob.access, target).await.err(1003);
        let r = app
            .request(
                Method::DELETE,
                &upload_path(target),
                Some(&bob.access),
                None,
            )
            .await;
        r.err(1003);
    }
    unmoved(&app, &alice.access, &id, 0, 0).await;
}

#[tokio::test]
async fn an_image_that_does_not_decode_ends_its_upload_and_keeps_nothing() {
    let app = spawn_app_with(small_chunks).await;
    let alice = app.new_user("rr_img").await;
    let t = &alice.access;
    // A PNG's signature and header, then noise: sniffed as an image.
    let mut bytes = png(64, 64);
    bytes.truncate(40);
    bytes.extend(pattern(100 * KIB));
    let id = open_ok(&app, t, "broken.png", bytes.len()).await;
    chunk_ok(&app, t, &id, 0, &bytes[..64 * KIB]).await;
    let r = chunk(&app, t, &id, 64 * KIB, &bytes[64 * KIB..]).await;
    assert!(r.err(1001).contains("image"), "{:?}", r.body);
    status(&app, t, &id).await.err(1003);
    let res = get(&app, t, &file_path(&id), None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(stored_objects(&app).await, Vec::<String>::new());
}
