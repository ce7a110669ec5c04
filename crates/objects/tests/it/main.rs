//! The adapter against real backends: a temp directory, and a bucket on
//! the S3 test server (`scripts/services up`).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::sync::Arc;

use bytes::Bytes;
use ferrochat_domain::AttachmentId;
use ferrochat_objects::{ObjectStoreAttachments, ObjectsConfig, S3Config};
use ferrochat_ports::attachments::{Attachments, AttachmentsError, Part, UploadStream};
use ferrochat_test_support::s3;
use futures::{stream, StreamExt as _, TryStreamExt as _};

/// `n` bytes of a pattern that shows a misplaced chunk, in chunks of
/// `chunk` bytes.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn chunked(data: &[u8], chunk: usize) -> UploadStream<'static> {
    let parts: Vec<_> = data
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(parts).boxed()
}

async fn read_all(store: &dyn Attachments, id: &AttachmentId, part: Part) -> Vec<u8> {
    let got = store.get(id, part, None).await.unwrap();
    let chunks: Vec<Bytes> = got.body.try_collect().await.unwrap();
    chunks.concat()
}

async fn round_trip(store: Arc<dyn Attachments>) {
    // Larger than two multipart parts, so several parts are uploaded.
    let data = pattern(12 * 1024 * 1024 + 17);
    let id = AttachmentId::generate();
    let written = store
        .put(&id, Part::File, chunked(&data, 64 * 1024))
        .await
        .unwrap();
    assert_eq!(written, data.len() as u64);
    assert_eq!(read_all(&*store, &id, Part::File).await, data);

    let range = store
        .get(&id, Part::File, Some(5_000_000..5_000_100))
        .await
        .unwrap();
    assert_eq!(range.size, data.len() as u64, "the whole object's size");
    let bytes: Vec<Bytes> = range.body.try_collect().await.unwrap();
    assert_eq!(bytes.concat(), &data[5_000_000..5_000_100]);

    store
        .put(&id, Part::Thumbnail, chunked(b"thumb", 2))
        .await
        .unwrap();
    assert_eq!(read_all(&*store, &id, Part::Thumbnail).await, b"thumb");

    store.delete(&id).await.unwrap();
    store.delete(&id).await.unwrap();
    for part in [Part::File, Part::Thumbnail] {
        assert!(matches!(
            store.get(&id, part, None).await,
            Err(AttachmentsError::NotFound)
        ));
    }
}

async fn a_broken_upload_leaves_nothing(store: Arc<dyn Attachments>) {
    let id = AttachmentId::generate();
    let good = pattern(6 * 1024 * 1024);
    let body = stream::iter(vec![
        Ok(Bytes::from(good)),
        Err(std::io::Error::other("client went away")),
    ])
    .boxed();
    assert!(matches!(
        store.put(&id, Part::File, body).await,
        Err(AttachmentsError::Interrupted(_))
    ));
    assert!(matches!(
        store.get(&id, Part::File, None).await,
        Err(AttachmentsError::NotFound)
    ));
}

async fn chunks_are_kept_apart_and_deleted_with_or_without_the_file(store: Arc<dyn Attachments>) {
    let id = AttachmentId::generate();
    let other = AttachmentId::generate();
    for (offset, bytes) in [(0u64, &b"first"[..]), (5, b"second")] {
        store
            .put(&id, Part::Chunk(offset), chunked(bytes, 2))
            .await
            .unwrap();
    }
    store
        .put(&other, Part::Chunk(0), chunked(b"another's", 3))
        .await
        .unwrap();
    assert_eq!(read_all(&*store, &id, Part::Chunk(5)).await, b"second");
    store
        .put(&id, Part::File, chunked(b"firstsecond", 4))
        .await
        .unwrap();

    store.delete_chunks(&id).await.unwrap();
    for offset in [0, 5] {
        assert!(matches!(
            store.get(&id, Part::Chunk(offset), None).await,
            Err(AttachmentsError::NotFound)
        ));
    }
    assert_eq!(read_all(&*store, &id, Part::File).await, b"firstsecond");
    assert_eq!(
        read_all(&*store, &other, Part::Chunk(0)).await,
        b"another's"
    );
    // Deleting an upload takes its chunks too.
    store.delete(&other).await.unwrap();
    assert!(matches!(
        store.get(&other, Part::Chunk(0), None).await,
        Err(AttachmentsError::NotFound)
    ));
    store.delete_chunks(&other).await.unwrap();
}

fn local(dir: &tempfile::TempDir) -> Arc<dyn Attachments> {
    Arc::new(
        ObjectStoreAttachments::open(&ObjectsConfig::Local {
            root: dir.path().join("objects"),
        })
        .unwrap(),
    )
}

async fn on_s3() -> Arc<dyn Attachments> {
    let (endpoint, bucket) = s3::fresh_bucket().await;
    let config = ObjectsConfig::S3(S3Config {
        bucket,
        prefix: "node-a".to_owned(),
        endpoint: Some(endpoint),
        region: s3::S3_REGION.to_owned(),
        access_key_id: Some(s3::S3_ACCESS_KEY.to_owned()),
        secret_access_key: Some(s3::S3_SECRET_KEY.to_owned().into()),
        allow_http: true,
    });
    Arc::new(ObjectStoreAttachments::open(&config).unwrap())
}

#[tokio::test]
async fn local_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    round_trip(local(&dir)).await;
}

#[tokio::test]
async fn local_broken_upload_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    a_broken_upload_leaves_nothing(local(&dir)).await;
    // Not even a staging file.
    let left: Vec<_> = walk(dir.path())
        .into_iter()
        .filter(|p| p.is_file())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

#[tokio::test]
async fn local_chunks() {
    let dir = tempfile::tempdir().unwrap();
    chunks_are_kept_apart_and_deleted_with_or_without_the_file(local(&dir)).await;
}

#[tokio::test]
async fn s3_chunks() {
    chunks_are_kept_apart_and_deleted_with_or_without_the_file(on_s3().await).await;
}

#[tokio::test]
async fn s3_round_trip() {
    round_trip(on_s3().await).await;
}

#[tokio::test]
async fn s3_broken_upload_leaves_nothing() {
    a_broken_upload_leaves_nothing(on_s3().await).await;
}

#[test]
fn urls_name_their_backend() {
    let s3 = |bucket: String, prefix: String| S3Config {
        bucket,
        prefix,
        endpoint: None,
        region: "r".to_owned(),
        access_key_id: None,
        secret_access_key: None,
        allow_http: false,
    };
    let default = std::path::PathBuf::from("/data/attachments");
    assert!(matches!(
        ObjectsConfig::parse(None, default.clone(), s3).unwrap(),
        ObjectsConfig::Local { root } if root == default
    ));
    match ObjectsConfig::parse(Some("s3://files/chat/"), default.clone(), s3).unwrap() {
        ObjectsConfig::S3(c) => {
            assert_eq!((c.bucket.as_str(), c.prefix.as_str()), ("files", "chat"))
        }
        other => panic!("{other:?}"),
    }
    assert!(ObjectsConfig::parse(Some("s3://"), default.clone(), s3).is_err());
    assert!(ObjectsConfig::parse(Some("ftp://x"), default.clone(), s3).is_err());
    assert!(ObjectsConfig::parse(Some("file://relative"), default, s3).is_err());
}
