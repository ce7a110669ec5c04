//! Friends, friend requests and blocks (`SocialStore`).

use async_trait::async_trait;
use ferrochat_domain::social::{FriendRequest, RequestMessage, RequestStatus};
use ferrochat_domain::{RequestId, Timestamp, User, UserId};
use ferrochat_ports::store::{PendingRequests, SocialStore};
use ferrochat_ports::StoreError;
use ferrochat_retry::Rerun;

use crate::accounts::{user_columns, user_from_row};
use crate::dialect::{Dialect, Ex};
use crate::error::{map, map_begin, Fail};
use crate::query::{Query, Rec};
use crate::retry::run;
use crate::SqlStore;

const REQUEST_COLUMNS: &str = "id, from_user_id, to_user_id, message, status, created_at";

fn request_from_row<D: Dialect>(r: &Rec<D>) -> Result<FriendRequest, sqlx::Error> {
    Ok(FriendRequest {
        id: RequestId::from_stored(r.col("id")?),
        from: UserId::from_stored(r.col("from_user_id")?),
        to: UserId::from_stored(r.col("to_user_id")?),
        message: RequestMessage::from_stored(r.col("message")?),
        status: RequestStatus::from_stored(&r.col::<String>("status")?),
        created_at: Timestamp::from_millis(r.col("created_at")?),
    })
}

fn requests<D: Dialect>(rows: &[Rec<D>]) -> Result<Vec<FriendRequest>, Fail> {
    rows.iter()
        .map(request_from_row)
        .collect::<Result<_, _>>()
        .map_err(map)
}

/// Inserts the (user, other, created_at) row of `table` unless
/// it exists (friendships, blocks).
async fn insert_pair<D: Dialect>(
    ex: impl Into<Ex<'_, D>>,
    table_and_columns: &str,
    a: &UserId,
    b: &UserId,
    now: Timestamp,
) -> Result<(), Fail> {
    let sql = format!(
        "INSERT INTO {table_and_columns} VALUES (?, ?, ?) {}",
        D::KEEP_EXISTING
    );
    Query::<D>::new(&sql)
        .bind(a.as_str())
        .bind(b.as_str())
        .bind(now.millis())
        .execute(ex)
        .await
        .map(|_| ())
        .map_err(map)
}

async fn friend_request<D: Dialect>(
    store: &SqlStore<D>,
    id: &RequestId,
) -> Result<Option<FriendRequest>, Fail> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE id = ?");
    let row = Query::<D>::new(&sql)
        .bind(id.as_str())
        .fetch_optional(&store.reader)
        .await
        .map_err(map)?;
    row.as_ref().map(request_from_row).transpose().map_err(map)
}

async fn pending_request<D: Dialect>(
    store: &SqlStore<D>,
    from: &UserId,
    to: &UserId,
) -> Result<Option<FriendRequest>, Fail> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM friend_requests
         WHERE from_user_id = ? AND to_user_id = ? AND status = 'pending'"
    );
    let row = Query::<D>::new(&sql)
        .bind(from.as_str())
        .bind(to.as_str())
        .fetch_optional(&store.reader)
        .await
        .map_err(map)?;
    row.as_ref().map(request_from_row).transpose().map_err(map)
}

async fn insert_friend_request<D: Dialect>(
    store: &SqlStore<D>,
    r: &FriendRequest,
) -> Result<(), Fail> {
    Query::<D>::new(
        "INSERT INTO friend_requests (id, from_user_id, to_user_id, message, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id.as_str())
    .bind(r.from.as_str())
    .bind(r.to.as_str())
    .bind(r.message.as_str())
    .bind(r.status.as_str())
    .bind(r.created_at.millis())
    .bind(r.created_at.millis())
    .execute(&store.writer)
    .await
    .map(|_| ())
    .map_err(map)
}

async fn answer_request<D: Dialect>(
    store: &SqlStore<D>,
    id: &RequestId,
    accept: bool,
    now: Timestamp,
) -> Result<Option<FriendRequest>, Fail> {
    let status = if accept {
        RequestStatus::Accepted
    } else {
        RequestStatus::Rejected
    };
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    // The update locks the row; a concurrent answer waits,
    // then finds it no longer pending.
    let answered = Query::<D>::new(
        "UPDATE friend_requests SET status = ?, updated_at = ?
         WHERE id = ? AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(now.millis())
    .bind(id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    if answered == 0 {
        return Ok(None);
    }
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM friend_requests WHERE id = ?");
    let row = Query::<D>::new(&sql)
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(map)?;
    let request = request_from_row(&row).map_err(map)?;
    if accept {
        for (a, b) in [(&request.from, &request.to), (&request.to, &request.from)] {
            insert_pair::<D>(
                &mut *tx,
                "friendships (user_id, friend_id, created_at)",
                a,
                b,
                now,
            )
            .await?;
        }
    }
    tx.commit().await.map_err(map)?;
    Ok(Some(request))
}

async fn pending_requests<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
) -> Result<PendingRequests, Fail> {
    let fetch = |column: &'static str| {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM friend_requests
             WHERE {column} = ? AND status = 'pending' ORDER BY created_at, id"
        );
        async move {
            Query::<D>::new(&sql)
                .bind(user.as_str())
                .fetch_all(&store.reader)
                .await
                .map_err(map)
        }
    };
    Ok(PendingRequests {
        incoming: requests(&fetch("to_user_id").await?)?,
        outgoing: requests(&fetch("from_user_id").await?)?,
    })
}

async fn are_friends<D: Dialect>(
    store: &SqlStore<D>,
    a: &UserId,
    b: &UserId,
) -> Result<bool, Fail> {
    Ok(
        Query::<D>::new("SELECT 1 FROM friendships WHERE user_id = ? AND friend_id = ?")
            .bind(a.as_str())
            .bind(b.as_str())
            .fetch_optional(&store.reader)
            .await
            .map_err(map)?
            .is_some(),
    )
}

async fn friends<D: Dialect>(store: &SqlStore<D>, user: &UserId) -> Result<Vec<User>, Fail> {
    let sql = format!(
        "SELECT {} FROM friendships f JOIN users u ON u.id = f.friend_id
         WHERE f.user_id = ? ORDER BY u.username_key",
        user_columns("u")
    );
    let rows = Query::<D>::new(&sql)
        .bind(user.as_str())
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    rows.iter()
        .map(user_from_row)
        .collect::<Result<_, sqlx::Error>>()
        .map_err(map)
}

async fn remove_friend<D: Dialect>(
    store: &SqlStore<D>,
    a: &UserId,
    b: &UserId,
) -> Result<bool, Fail> {
    let done = Query::<D>::new(
        "DELETE FROM friendships
         WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)",
    )
    .bind(a.as_str())
    .bind(b.as_str())
    .bind(b.as_str())
    .bind(a.as_str())
    .execute(&store.writer)
    .await
    .map_err(map)?;
    Ok(done > 0)
}

async fn set_block<D: Dialect>(
    store: &SqlStore<D>,
    blocker: &UserId,
    blocked: &UserId,
    on: bool,
    now: Timestamp,
) -> Result<(), Fail> {
    if on {
        return insert_pair::<D>(
            &store.writer,
            "blocks (blocker_id, blocked_id, created_at)",
            blocker,
            blocked,
            now,
        )
        .await;
    }
    Query::<D>::new("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?")
        .bind(blocker.as_str())
        .bind(blocked.as_str())
        .execute(&store.writer)
        .await
        .map(|_| ())
        .map_err(map)
}

async fn is_blocked<D: Dialect>(
    store: &SqlStore<D>,
    blocker: &UserId,
    blocked: &UserId,
) -> Result<bool, Fail> {
    Ok(
        Query::<D>::new("SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?")
            .bind(blocker.as_str())
            .bind(blocked.as_str())
            .fetch_optional(&store.reader)
            .await
            .map_err(map)?
            .is_some(),
    )
}

#[async_trait]
impl<D: Dialect> SocialStore for SqlStore<D> {
    async fn friend_request(&self, id: &RequestId) -> Result<Option<FriendRequest>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            friend_request(self, id)
        })
        .await
    }

    async fn pending_request(
        &self,
        from: &UserId,
        to: &UserId,
    ) -> Result<Option<FriendRequest>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            pending_request(self, from, to)
        })
        .await
    }

    // A second run would meet its own row.
    async fn insert_friend_request(&self, r: &FriendRequest) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            insert_friend_request(self, r)
        })
        .await
    }

    // A second run would find the request answered and answer
    // `None`.
    async fn answer_request(
        &self,
        id: &RequestId,
        accept: bool,
        now: Timestamp,
    ) -> Result<Option<FriendRequest>, StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            answer_request(self, id, accept, now)
        })
        .await
    }

    async fn pending_requests(&self, user: &UserId) -> Result<PendingRequests, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            pending_requests(self, user)
        })
        .await
    }

    async fn are_friends(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || are_friends(self, a, b)).await
    }

    async fn friends(&self, user: &UserId) -> Result<Vec<User>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || friends(self, user)).await
    }

    // A second run would answer false: not friends.
    async fn remove_friend(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            remove_friend(self, a, b)
        })
        .await
    }

    // Inserts unless present, or deletes: a second run changes
    // nothing.
    async fn set_block(
        &self,
        blocker: &UserId,
        blocked: &UserId,
        on: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            set_block(self, blocker, blocked, on, now)
        })
        .await
    }

    async fn is_blocked(&self, blocker: &UserId, blocked: &UserId) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            is_blocked(self, blocker, blocked)
        })
        .await
    }
}
