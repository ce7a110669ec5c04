//! Chunked uploads under way (`UploadStore`).

use async_trait::async_trait;
use ferrochat_domain::attachments::{FileName, Upload};
use ferrochat_domain::{AttachmentId, Timestamp, UserId};
use ferrochat_ports::store::UploadStore;
use ferrochat_ports::StoreError;
use ferrochat_retry::Rerun;

use crate::dialect::Dialect;
use crate::error::{map, Fail};
use crate::query::{Query, Rec};
use crate::retry::run;
use crate::SqlStore;

const COLUMNS: &str = "id, owner_id, name, size, received, created_at";

fn bytes(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn from_row<D: Dialect>(r: &Rec<D>) -> Result<Upload, sqlx::Error> {
    Ok(Upload {
        id: AttachmentId::from_stored(r.col("id")?),
        owner: UserId::from_stored(r.col("owner_id")?),
        name: FileName::from_stored(r.col("name")?),
        size: u64::try_from(r.col::<i64>("size")?).unwrap_or(0),
        received: u64::try_from(r.col::<i64>("received")?).unwrap_or(0),
        created_at: Timestamp::from_millis(r.col("created_at")?),
    })
}

async fn insert<D: Dialect>(store: &SqlStore<D>, u: &Upload) -> Result<(), Fail> {
    let sql = format!("INSERT INTO uploads ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)");
    Query::<D>::new(&sql)
        .bind(u.id.as_str())
        .bind(u.owner.as_str())
        .bind(u.name.as_str())
        .bind(bytes(u.size))
        .bind(bytes(u.received))
        .bind(u.created_at.millis())
        .execute(&store.writer)
        .await
        .map(|_| ())
        .map_err(map)
}

async fn get<D: Dialect>(store: &SqlStore<D>, id: &AttachmentId) -> Result<Option<Upload>, Fail> {
    // The writer: a client resuming asks right after its last chunk, and
    // a replica behind it would name an offset already passed.
    let sql = format!("SELECT {COLUMNS} FROM uploads WHERE id = ?");
    let row = Query::<D>::new(&sql)
        .bind(id.as_str())
        .fetch_optional(&store.writer)
        .await
        .map_err(map)?;
    row.as_ref().map(from_row).transpose().map_err(map)
}

async fn advance<D: Dialect>(
    store: &SqlStore<D>,
    id: &AttachmentId,
    from: u64,
    to: u64,
) -> Result<bool, Fail> {
    Query::<D>::new("UPDATE uploads SET received = ? WHERE id = ? AND received = ?")
        .bind(bytes(to))
        .bind(id.as_str())
        .bind(bytes(from))
        .execute(&store.writer)
        .await
        .map_err(map)?;
    // MySQL counts a row set to its own value as unchanged (from == to
    // never happens: chunks are not empty); read what is there now.
    let now = Query::<D>::new("SELECT received FROM uploads WHERE id = ?")
        .bind(id.as_str())
        .fetch_optional(&store.writer)
        .await
        .map_err(map)?;
    let Some(row) = now else {
        return Ok(false);
    };
    Ok(row.col::<i64>("received").map_err(map)? == bytes(to))
}

#[async_trait]
impl<D: Dialect> UploadStore for SqlStore<D> {
    // A second run would meet its own row (Conflict).
    async fn insert_upload(&self, u: &Upload) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || insert(self, u)).await
    }

    async fn upload(&self, id: &AttachmentId) -> Result<Option<Upload>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || get(self, id)).await
    }

    // Safe: a second run finds `to` already there and answers true, as
    // the first would have.
    async fn advance_upload(
        &self,
        id: &AttachmentId,
        from: u64,
        to: u64,
    ) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            advance(self, id, from, to)
        })
        .await
    }
}
