//! Attachments' metadata (`AttachmentStore`).

use async_trait::async_trait;
use ferrochat_domain::attachments::{Attachment, Dimensions, FileName};
use ferrochat_domain::{AttachmentId, ConversationId, Timestamp, UserId};
use ferrochat_ports::store::{AttachmentStore, Bound};
use ferrochat_ports::StoreError;
use ferrochat_retry::Rerun;

use crate::dialect::{Dialect, Kind};
use crate::error::{map, map_begin, Fail};
use crate::query::{Query, Rec};
use crate::retry::run;
use crate::SqlStore;

const COLUMNS: &str = "id, owner_id, size, media_type, name, width, height, has_thumbnail, \
                       created_at, conversation_id";

fn from_row<D: Dialect>(r: &Rec<D>) -> Result<Attachment, sqlx::Error> {
    let width: Option<i64> = r.col("width")?;
    let height: Option<i64> = r.col("height")?;
    let dimensions = match (width, height) {
        (Some(w), Some(h)) => Some(Dimensions {
            width: u32::try_from(w).unwrap_or(u32::MAX),
            height: u32::try_from(h).unwrap_or(u32::MAX),
        }),
        _ => None,
    };
    Ok(Attachment {
        id: AttachmentId::from_stored(r.col("id")?),
        owner: UserId::from_stored(r.col("owner_id")?),
        size: u64::try_from(r.col::<i64>("size")?).unwrap_or(0),
        media_type: r.col("media_type")?,
        name: FileName::from_stored(r.col("name")?),
        dimensions,
        has_thumbnail: r.col("has_thumbnail")?,
        created_at: Timestamp::from_millis(r.col("created_at")?),
        conversation: r
            .col::<Option<String>>("conversation_id")?
            .map(ConversationId::from_stored),
    })
}

async fn insert<D: Dialect>(store: &SqlStore<D>, a: &Attachment) -> Result<(), Fail> {
    // The upload this attachment finishes goes with its insert: never both
    // counted against the quota, never neither.
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    let sql = format!("INSERT INTO attachments ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Query::<D>::new(&sql)
        .bind(a.id.as_str())
        .bind(a.owner.as_str())
        .bind(i64::try_from(a.size).unwrap_or(i64::MAX))
        .bind(a.media_type.as_str())
        .bind(a.name.as_str())
        .bind(a.dimensions.map(|d| i64::from(d.width)))
        .bind(a.dimensions.map(|d| i64::from(d.height)))
        .bind(a.has_thumbnail)
        .bind(a.created_at.millis())
        .bind(a.conversation.as_ref().map(ConversationId::as_str))
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    Query::<D>::new("DELETE FROM uploads WHERE id = ?")
        .bind(a.id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)
}

async fn get<D: Dialect>(
    store: &SqlStore<D>,
    id: &AttachmentId,
) -> Result<Option<Attachment>, Fail> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = ?");
    let row = Query::<D>::new(&sql)
        .bind(id.as_str())
        .fetch_optional(&store.reader)
        .await
        .map_err(map)?;
    row.as_ref().map(from_row).transpose().map_err(map)
}

async fn bind<D: Dialect>(
    store: &SqlStore<D>,
    id: &AttachmentId,
    owner: &UserId,
    conversation: &ConversationId,
) -> Result<Bound, Fail> {
    // One statement: of two sends racing to bind it, one sets the column
    // and the other finds it set to another conversation.
    Query::<D>::new(
        "UPDATE attachments SET conversation_id = ?
         WHERE id = ? AND owner_id = ? AND conversation_id IS NULL",
    )
    .bind(conversation.as_str())
    .bind(id.as_str())
    .bind(owner.as_str())
    .execute(&store.writer)
    .await
    .map_err(map)?;
    // Counting changed rows would not do: MySQL counts a row set to
    // its own value as unchanged. Read what is there now.
    let now =
        Query::<D>::new("SELECT conversation_id FROM attachments WHERE id = ? AND owner_id = ?")
            .bind(id.as_str())
            .bind(owner.as_str())
            .fetch_optional(&store.writer)
            .await
            .map_err(map)?;
    let Some(row) = now else {
        return Ok(Bound::Refused);
    };
    let current: Option<String> = row.col("conversation_id").map_err(map)?;
    Ok(if current.as_deref() == Some(conversation.as_str()) {
        Bound::Bound
    } else {
        Bound::Refused
    })
}

async fn usage<D: Dialect>(store: &SqlStore<D>, owner: &UserId) -> Result<u64, Fail> {
    // An upload under way holds its declared size: the quota is checked
    // when it opens, not when its last chunk arrives.
    let both = "SELECT size FROM attachments WHERE owner_id = ? \
                UNION ALL SELECT size FROM uploads WHERE owner_id = ?";
    // SUM of a BIGINT is a NUMERIC/DECIMAL on the servers: cast it back.
    let sql = match D::KIND {
        Kind::Sqlite => format!("SELECT COALESCE(SUM(size), 0) AS n FROM ({both}) AS t"),
        Kind::Postgres => {
            format!("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM ({both}) AS t")
        }
        Kind::Mysql => {
            format!("SELECT CAST(COALESCE(SUM(size), 0) AS SIGNED) AS n FROM ({both}) AS t")
        }
    };
    let row = Query::<D>::new(&sql)
        .bind(owner.as_str())
        .bind(owner.as_str())
        .fetch_one(&store.reader)
        .await
        .map_err(map)?;
    let n: i64 = row.col("n").map_err(map)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

async fn unsent<D: Dialect>(
    store: &SqlStore<D>,
    before: Timestamp,
    limit: u32,
) -> Result<Vec<AttachmentId>, Fail> {
    // Uploads never finished are as orphaned as files never sent.
    let rows = Query::<D>::new(
        "SELECT id, created_at FROM attachments WHERE conversation_id IS NULL AND created_at < ?
         UNION ALL SELECT id, created_at FROM uploads WHERE created_at < ?
         ORDER BY created_at, id LIMIT ?",
    )
    .bind(before.millis())
    .bind(before.millis())
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await
    .map_err(map)?;
    rows.iter()
        .map(|r| r.col("id").map(AttachmentId::from_stored))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(map)
}

async fn delete_unsent<D: Dialect>(store: &SqlStore<D>, id: &AttachmentId) -> Result<bool, Fail> {
    let sent = Query::<D>::new("DELETE FROM attachments WHERE id = ? AND conversation_id IS NULL")
        .bind(id.as_str())
        .execute(&store.writer)
        .await
        .map_err(map)?;
    let open = Query::<D>::new("DELETE FROM uploads WHERE id = ?")
        .bind(id.as_str())
        .execute(&store.writer)
        .await
        .map_err(map)?;
    Ok(sent + open > 0)
}

async fn of_owner<D: Dialect>(
    store: &SqlStore<D>,
    owner: &UserId,
    after: Option<&AttachmentId>,
    limit: u32,
) -> Result<Vec<Attachment>, Fail> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments WHERE owner_id = ? AND id > ? ORDER BY id LIMIT ?"
    );
    let rows = Query::<D>::new(&sql)
        .bind(owner.as_str())
        .bind(after.map_or("", AttachmentId::as_str))
        .bind(i64::from(limit))
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    rows.iter()
        .map(from_row)
        .collect::<Result<_, _>>()
        .map_err(map)
}

#[async_trait]
impl<D: Dialect> AttachmentStore for SqlStore<D> {
    // A second run would meet its own row (Conflict).
    async fn insert_attachment(&self, a: &Attachment) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || insert(self, a)).await
    }

    async fn attachment(&self, id: &AttachmentId) -> Result<Option<Attachment>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || get(self, id)).await
    }

    // Safe: binding to the conversation it is bound to answers the same.
    async fn bind_attachment(
        &self,
        id: &AttachmentId,
        owner: &UserId,
        conversation: &ConversationId,
    ) -> Result<Bound, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            bind(self, id, owner, conversation)
        })
        .await
    }

    async fn attachment_usage(&self, owner: &UserId) -> Result<u64, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || usage(self, owner)).await
    }

    async fn unsent_attachments(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<AttachmentId>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            unsent(self, before, limit)
        })
        .await
    }

    // Safe: a second run finds nothing and answers false, which only
    // means the sweep does not count it.
    async fn delete_unsent_attachment(&self, id: &AttachmentId) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || delete_unsent(self, id)).await
    }

    async fn attachments_of(
        &self,
        owner: &UserId,
        after: Option<&AttachmentId>,
        limit: u32,
    ) -> Result<Vec<Attachment>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            of_owner(self, owner, after, limit)
        })
        .await
    }
}
