//! `ObjectStoreAttachments`: the `Attachments` port over `object_store`.

use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_domain::AttachmentId;
use ferrochat_ports::attachments::{Attachments, AttachmentsError, Download, Part, UploadStream};
use futures::{StreamExt as _, TryStreamExt as _};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};
use secrecy::ExposeSecret as _;

use crate::config::{ObjectsConfig, ObjectsConfigError};

/// One part of a multipart upload: S3's smallest part but the last.
const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts being uploaded at once per upload; with the one being filled,
/// an upload holds at most (1 + this) parts in memory.
const PARTS_IN_FLIGHT: usize = 2;

pub struct ObjectStoreAttachments {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

impl ObjectStoreAttachments {
    /// Opens the backend `config` names (a local root is created).
    pub fn open(config: &ObjectsConfig) -> Result<Self, ObjectsConfigError> {
        match config {
            ObjectsConfig::Local { root } => {
                std::fs::create_dir_all(root).map_err(|e| {
                    ObjectsConfigError::Open(format!("creating {}: {e}", root.display()))
                })?;
                let fs = LocalFileSystem::new_with_prefix(root)
                    .map_err(|e| ObjectsConfigError::Open(e.to_string()))?;
                Ok(Self {
                    store: Arc::new(fs),
                    prefix: String::new(),
                })
            }
            ObjectsConfig::S3(s3) => {
                let mut b = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    // Path-style addressing: MinIO, Ceph and test servers
                    // do not serve bucket subdomains.
                    b = b
                        .with_endpoint(endpoint)
                        .with_virtual_hosted_style_request(false);
                }
                if let Some(key) = &s3.access_key_id {
                    b = b.with_access_key_id(key);
                }
                if let Some(secret) = &s3.secret_access_key {
                    b = b.with_secret_access_key(secret.expose_secret());
                }
                let store = b
                    .build()
                    .map_err(|e| ObjectsConfigError::Open(e.to_string()))?;
                Ok(Self {
                    store: Arc::new(store),
                    prefix: s3.prefix.clone(),
                })
            }
        }
    }

    fn path(&self, id: &AttachmentId, part: Part) -> Path {
        match part {
            Part::File => self.named(format!("attachments/{id}")),
            Part::Thumbnail => self.named(format!("attachments/{id}.thumb")),
            // Zero-padded: listed in name order, chunks come in file order.
            Part::Chunk(offset) => self.named(format!("uploads/{id}/{offset:020}")),
        }
    }

    /// Where `id`'s chunks are.
    fn chunks(&self, id: &AttachmentId) -> Path {
        self.named(format!("uploads/{id}"))
    }

    fn named(&self, name: String) -> Path {
        if self.prefix.is_empty() {
            Path::from(name)
        } else {
            Path::from(format!("{}/{name}", self.prefix))
        }
    }
}

impl ObjectStoreAttachments {
    async fn delete_object(&self, path: &Path) -> Result<(), AttachmentsError> {
        match self.store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

fn unavailable(e: object_store::Error) -> AttachmentsError {
    match e {
        object_store::Error::NotFound { .. } => AttachmentsError::NotFound,
        e => AttachmentsError::Unavailable(e.to_string()),
    }
}

#[async_trait]
impl Attachments for ObjectStoreAttachments {
    async fn put<'b>(
        &self,
        id: &AttachmentId,
        part: Part,
        mut body: UploadStream<'b>,
    ) -> Result<u64, AttachmentsError> {
        let path = self.path(id, part);
        let upload = self.store.put_multipart(&path).await.map_err(unavailable)?;
        let mut write = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut written = 0u64;
        loop {
            let chunk = match body.next().await {
                None => break,
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => {
                    // Nothing of a broken upload stays behind.
                    if let Err(abort) = write.abort().await {
                        tracing::warn!(error = %abort, "aborting an upload failed");
                    }
                    return Err(AttachmentsError::Interrupted(e));
                }
            };
            if let Err(e) = write.wait_for_capacity(PARTS_IN_FLIGHT).await {
                return Err(unavailable(e));
            }
            written = written.saturating_add(chunk.len() as u64);
            write.put(chunk);
        }
        write.finish().await.map_err(unavailable)?;
        Ok(written)
    }

    async fn get(
        &self,
        id: &AttachmentId,
        part: Part,
        range: Option<Range<u64>>,
    ) -> Result<Download, AttachmentsError> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let got = self
            .store
            .get_opts(&self.path(id, part), options)
            .await
            .map_err(unavailable)?;
        let size = got.meta.size;
        let body = got
            .into_stream()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .boxed();
        Ok(Download { size, body })
    }

    async fn delete(&self, id: &AttachmentId) -> Result<(), AttachmentsError> {
        for part in [Part::File, Part::Thumbnail] {
            self.delete_object(&self.path(id, part)).await?;
        }
        self.delete_chunks(id).await
    }

    async fn delete_chunks(&self, id: &AttachmentId) -> Result<(), AttachmentsError> {
        // Listed a page at a time by the backend; deleted one by one, so
        // an upload of many chunks costs no more memory than one of few.
        let prefix = self.chunks(id);
        let mut listed = self.store.list(Some(&prefix));
        while let Some(found) = listed.next().await {
            match found {
                Ok(meta) => self.delete_object(&meta.location).await?,
                Err(object_store::Error::NotFound { .. }) => break,
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(())
    }
}
