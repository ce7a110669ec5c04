//! Registered push tokens (`DeviceStore`, migration 0014). A device counts
//! only while its session is live: every read joins `sessions`, so a
//! logout or revocation stops pushes with no write here.

use async_trait::async_trait;
use ferrochat_domain::push::{AppId, Device, Platform, PushToken};
use ferrochat_domain::{PushDeviceId, SessionId, Timestamp, UserId};
use ferrochat_ports::store::MAX_PUSH_DEVICES;
use ferrochat_ports::{DeviceStore, StoreError};
use ferrochat_retry::Rerun;

use crate::dialect::Dialect;
use crate::error::{map, map_begin, Fail};
use crate::query::{Query, Rec};
use crate::retry::run;
use crate::SqlStore;

const DEVICE_COLUMNS: &str = "d.id, d.user_id, d.session_id, d.platform, d.token, d.app_id, \
                              d.created_at";

/// Live devices: `d` joined with its session `s`, which must be live at
/// the statement's first bound value.
const LIVE_FROM: &str = "FROM push_devices d JOIN sessions s ON s.id = d.session_id \
                         WHERE s.expires_at > ? AND s.revoked_at IS NULL";

fn device_from_row<D: Dialect>(row: &Rec<D>) -> Result<Device, sqlx::Error> {
    let platform: String = row.col("platform")?;
    let platform = Platform::parse(&platform).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Device {
        id: PushDeviceId::from_stored(row.col("id")?),
        user_id: UserId::from_stored(row.col("user_id")?),
        session_id: SessionId::from_stored(row.col("session_id")?),
        platform,
        token: PushToken::from_stored(row.col("token")?),
        app_id: row.col::<Option<String>>("app_id")?.map(AppId::from_stored),
        created_at: Timestamp::from_millis(row.col("created_at")?),
    })
}

async fn put_device_once<D: Dialect>(store: &SqlStore<D>, d: &Device) -> Result<(), Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    Query::<D>::new(
        "DELETE FROM push_devices WHERE session_id = ? OR (platform = ? AND token = ?)",
    )
    .bind(d.session_id.as_str())
    .bind(d.platform.as_str())
    .bind(d.token.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    // Housekeeping: the user's devices of ended sessions are never read
    // again.
    Query::<D>::new(
        "DELETE FROM push_devices WHERE user_id = ? AND session_id IN
         (SELECT id FROM sessions WHERE user_id = ? AND (revoked_at IS NOT NULL OR expires_at <= ?))",
    )
    .bind(d.user_id.as_str())
    .bind(d.user_id.as_str())
    .bind(d.created_at.millis())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    Query::<D>::new(
        "INSERT INTO push_devices (id, user_id, session_id, platform, token, app_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(d.id.as_str())
    .bind(d.user_id.as_str())
    .bind(d.session_id.as_str())
    .bind(d.platform.as_str())
    .bind(d.token.as_str())
    .bind(d.app_id.as_ref().map(AppId::as_str))
    .bind(d.created_at.millis())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    tx.commit().await.map_err(map)
}

/// Two sessions registering one token at once: the later insert meets
/// the earlier's committed row and runs again, taking the token over.
async fn put_device<D: Dialect>(store: &SqlStore<D>, d: &Device) -> Result<(), Fail> {
    match put_device_once(store, d).await {
        Err(Fail {
            error: StoreError::Conflict(_),
            ..
        }) => put_device_once(store, d).await,
        other => other,
    }
}

async fn devices<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    now: Timestamp,
) -> Result<Vec<Device>, Fail> {
    let sql = format!(
        "SELECT {DEVICE_COLUMNS} {LIVE_FROM} AND d.user_id = ? ORDER BY d.created_at, d.id LIMIT ?"
    );
    let rows = Query::<D>::new(&sql)
        .bind(now.millis())
        .bind(user.as_str())
        .bind(i64::from(MAX_PUSH_DEVICES))
        .fetch_all(&store.reader)
        .await
        .map_err(map)?;
    rows.iter()
        .map(device_from_row)
        .collect::<Result<_, _>>()
        .map_err(map)
}

async fn delete_device<D: Dialect>(
    store: &SqlStore<D>,
    user: &UserId,
    id: &PushDeviceId,
) -> Result<bool, Fail> {
    Query::<D>::new("DELETE FROM push_devices WHERE id = ? AND user_id = ?")
        .bind(id.as_str())
        .bind(user.as_str())
        .execute(&store.writer)
        .await
        .map(|n| n > 0)
        .map_err(map)
}

async fn forget_token<D: Dialect>(
    store: &SqlStore<D>,
    platform: Platform,
    token: &PushToken,
) -> Result<bool, Fail> {
    Query::<D>::new("DELETE FROM push_devices WHERE platform = ? AND token = ?")
        .bind(platform.as_str())
        .bind(token.as_str())
        .execute(&store.writer)
        .await
        .map(|n| n > 0)
        .map_err(map)
}

async fn push_devices<D: Dialect>(
    store: &SqlStore<D>,
    users: &[UserId],
    now: Timestamp,
) -> Result<Vec<Device>, Fail> {
    let mut out = Vec::new();
    for chunk in users.chunks(D::CHUNK) {
        let left = u64::from(MAX_PUSH_DEVICES).saturating_sub(out.len() as u64);
        if left == 0 {
            break;
        }
        let mut q = Query::<D>::new(&format!(
            "SELECT {DEVICE_COLUMNS} {LIVE_FROM} AND d.user_id IN ("
        ));
        q.arg(now.millis());
        q.push_list(chunk, ", ", |q, u| {
            q.push_bind(u.as_str());
        });
        q.push(") ORDER BY d.user_id, d.created_at, d.id LIMIT ?");
        q.arg(i64::try_from(left).unwrap_or(i64::MAX));
        for r in q.fetch_all(&store.reader).await.map_err(map)? {
            out.push(device_from_row(&r).map_err(map)?);
        }
    }
    out.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    Ok(out)
}

#[async_trait]
impl<D: Dialect> DeviceStore for SqlStore<D> {
    // Deletes the session's row and inserts the same one again.
    async fn put_device(&self, device: &Device) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            put_device(self, device)
        })
        .await
    }

    async fn devices(&self, user: &UserId, now: Timestamp) -> Result<Vec<Device>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            devices(self, user, now)
        })
        .await
    }

    // A second run would find nothing to delete and answer false.
    async fn delete_device(&self, user: &UserId, id: &PushDeviceId) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            delete_device(self, user, id)
        })
        .await
    }

    // Whether it was there only informs metrics: a second run is harmless.
    async fn forget_token(
        &self,
        platform: Platform,
        token: &PushToken,
    ) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            forget_token(self, platform, token)
        })
        .await
    }

    async fn push_devices(
        &self,
        users: &[UserId],
        now: Timestamp,
    ) -> Result<Vec<Device>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            push_devices(self, users, now)
        })
        .await
    }
}
