//! Groups and their membership.

use async_trait::async_trait;
use ferrochat_domain::groups::{Group, GroupDescription, GroupName, JoinPolicy, Role};
use ferrochat_domain::{ConversationId, GroupId, Seq, Timestamp, UserId};
use ferrochat_ports::store::{GroupStore, MemberRecord, NewGroup};
use ferrochat_ports::StoreError;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use crate::error::map;
use crate::SqliteStore;

fn group_from_row(r: &SqliteRow) -> Result<Group, sqlx::Error> {
    Ok(Group {
        id: GroupId::from_stored(r.try_get("id")?),
        conversation_id: ConversationId::from_stored(r.try_get("conversation_id")?),
        name: GroupName::from_stored(r.try_get("name")?),
        description: GroupDescription::from_stored(r.try_get("description")?),
        owner_id: UserId::from_stored(r.try_get("owner_id")?),
        member_count: u32::try_from(r.try_get::<i64, _>("member_count")?).unwrap_or(0),
        max_members: u32::try_from(r.try_get::<i64, _>("max_members")?).unwrap_or(0),
        join_policy: JoinPolicy::from_stored(r.try_get("join_policy")?),
        dissolved: r.try_get::<Option<i64>, _>("dissolved_at")?.is_some(),
    })
}

const GROUP_SELECT: &str = "SELECT g.id, g.conversation_id, g.name, g.description, g.owner_id,
       g.max_members, g.join_policy, g.dissolved_at, c.member_count
FROM chat_groups g JOIN conversations c ON c.id = g.conversation_id
WHERE g.id = ?";

/// A live group's conversation, size cap, member count and last seq, read
/// inside the transaction that is about to add members.
struct Capacity {
    conv: String,
    max: i64,
    count: i64,
    last_seq: i64,
}

async fn capacity(
    tx: &mut Transaction<'_, Sqlite>,
    group: &GroupId,
) -> Result<Capacity, StoreError> {
    let row = sqlx::query(
        "SELECT g.conversation_id, g.max_members, c.member_count, c.last_seq
         FROM chat_groups g JOIN conversations c ON c.id = g.conversation_id
         WHERE g.id = ? AND g.dissolved_at IS NULL",
    )
    .bind(group.as_str())
    .fetch_optional(&mut **tx)
    .await
    .map_err(map)?
    .ok_or_else(|| StoreError::Conflict("no such group".into()))?;
    Ok(Capacity {
        conv: row.try_get("conversation_id").map_err(map)?,
        max: row.try_get("max_members").map_err(map)?,
        count: row.try_get("member_count").map_err(map)?,
        last_seq: row.try_get("last_seq").map_err(map)?,
    })
}

#[async_trait]
impl GroupStore for SqliteStore {
    async fn create_group(&self, g: &NewGroup, members: &[UserId]) -> Result<Group, StoreError> {
        let mut all: Vec<&UserId> = vec![&g.owner_id];
        for m in members {
            if !all.contains(&m) {
                all.push(m);
            }
        }
        let count = u32::try_from(all.len()).unwrap_or(u32::MAX);
        if count > g.max_members {
            return Err(StoreError::Conflict("full".into()));
        }
        let mut tx = self.writer.begin().await.map_err(map)?;
        sqlx::query(
            "INSERT INTO conversations (id, kind, group_id, member_count, created_at, updated_at)
             VALUES (?, 'group', ?, ?, ?, ?)",
        )
        .bind(g.conversation_id.as_str())
        .bind(g.id.as_str())
        .bind(i64::from(count))
        .bind(g.created_at.millis())
        .bind(g.created_at.millis())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        sqlx::query(
            "INSERT INTO chat_groups (id, conversation_id, name, description, owner_id, max_members, join_policy, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(g.id.as_str())
        .bind(g.conversation_id.as_str())
        .bind(g.name.as_str())
        .bind(g.description.as_str())
        .bind(g.owner_id.as_str())
        .bind(i64::from(g.max_members))
        .bind(g.join_policy.as_str())
        .bind(g.created_at.millis())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        for u in &all {
            let role = if *u == &g.owner_id {
                Role::Owner
            } else {
                Role::Member
            };
            sqlx::query(
                "INSERT INTO conversation_members (conversation_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
            )
            .bind(g.conversation_id.as_str())
            .bind(u.as_str())
            .bind(role.as_str())
            .bind(g.created_at.millis())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        tx.commit().await.map_err(map)?;
        Ok(Group {
            id: g.id.clone(),
            conversation_id: g.conversation_id.clone(),
            name: g.name.clone(),
            description: g.description.clone(),
            owner_id: g.owner_id.clone(),
            member_count: count,
            max_members: g.max_members,
            join_policy: g.join_policy,
            dissolved: false,
        })
    }

    async fn group(&self, id: &GroupId) -> Result<Option<Group>, StoreError> {
        let row = sqlx::query(GROUP_SELECT)
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(map)?;
        row.as_ref().map(group_from_row).transpose().map_err(map)
    }

    async fn add_member(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await.map_err(map)?;
        let Capacity {
            conv,
            max,
            count,
            last_seq,
        } = capacity(&mut tx, group).await?;
        let exists = sqlx::query(
            "SELECT 1 FROM conversation_members WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(&conv)
        .bind(user.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map)?;
        if exists.is_some() {
            return Err(StoreError::Conflict("member".into()));
        }
        if count >= max {
            return Err(StoreError::Conflict("full".into()));
        }
        // A new member starts with nothing unread; history stays readable.
        sqlx::query(
            "INSERT INTO conversation_members (conversation_id, user_id, role, read_seq, joined_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&conv)
        .bind(user.as_str())
        .bind(role.as_str())
        .bind(last_seq)
        .bind(now.millis())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        sqlx::query("UPDATE conversations SET member_count = member_count + 1 WHERE id = ?")
            .bind(&conv)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        tx.commit().await.map_err(map)
    }

    async fn remove_member(&self, group: &GroupId, user: &UserId) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map)?;
        let done = sqlx::query(
            "DELETE FROM conversation_members WHERE user_id = ?
             AND conversation_id = (SELECT conversation_id FROM chat_groups WHERE id = ?)",
        )
        .bind(user.as_str())
        .bind(group.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?
        .rows_affected()
            > 0;
        if done {
            sqlx::query(
                "UPDATE conversations SET member_count = member_count - 1
                 WHERE id = (SELECT conversation_id FROM chat_groups WHERE id = ?)",
            )
            .bind(group.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        tx.commit().await.map_err(map)?;
        Ok(done)
    }

    async fn members(&self, group: &GroupId) -> Result<Vec<(UserId, MemberRecord)>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.user_id, m.role, m.read_seq, m.muted_until FROM conversation_members m
             JOIN chat_groups g ON g.conversation_id = m.conversation_id
             WHERE g.id = ? ORDER BY m.user_id",
        )
        .bind(group.as_str())
        .fetch_all(&self.reader)
        .await
        .map_err(map)?;
        rows.iter()
            .map(|r| {
                Ok((
                    UserId::from_stored(r.try_get("user_id")?),
                    MemberRecord {
                        role: Role::from_stored(r.try_get("role")?),
                        read_seq: Seq::new(
                            u64::try_from(r.try_get::<i64, _>("read_seq")?).unwrap_or(0),
                        ),
                        muted_until: r
                            .try_get::<Option<i64>, _>("muted_until")?
                            .map(Timestamp::from_millis),
                    },
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(map)
    }

    async fn add_members(
        &self,
        group: &GroupId,
        users: &[UserId],
        now: Timestamp,
    ) -> Result<Vec<UserId>, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map)?;
        let Capacity {
            conv,
            max,
            count,
            last_seq,
        } = capacity(&mut tx, group).await?;
        let mut added: Vec<UserId> = Vec::new();
        for u in users {
            if added.contains(u) {
                continue;
            }
            let inserted = sqlx::query(
                "INSERT OR IGNORE INTO conversation_members (conversation_id, user_id, role, read_seq, joined_at)
                 VALUES (?, ?, 'member', ?, ?)",
            )
            .bind(&conv)
            .bind(u.as_str())
            .bind(last_seq)
            .bind(now.millis())
            .execute(&mut *tx)
            .await
            .map_err(map)?
            .rows_affected();
            if inserted > 0 {
                added.push(u.clone());
            }
        }
        let new_count = count + i64::try_from(added.len()).unwrap_or(i64::MAX);
        if new_count > max {
            // Dropping the transaction rolls every insert back.
            return Err(StoreError::Conflict("full".into()));
        }
        sqlx::query("UPDATE conversations SET member_count = ? WHERE id = ?")
            .bind(new_count)
            .bind(&conv)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        tx.commit().await.map_err(map)?;
        Ok(added)
    }

    async fn set_role(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE conversation_members SET role = ? WHERE user_id = ?
             AND conversation_id = (SELECT conversation_id FROM chat_groups WHERE id = ?)",
        )
        .bind(role.as_str())
        .bind(user.as_str())
        .bind(group.as_str())
        .execute(&self.writer)
        .await
        .map_err(map)?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_muted_until(
        &self,
        group: &GroupId,
        user: &UserId,
        until: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE conversation_members SET muted_until = ? WHERE user_id = ?
             AND conversation_id = (SELECT conversation_id FROM chat_groups WHERE id = ?)",
        )
        .bind(until.map(Timestamp::millis))
        .bind(user.as_str())
        .bind(group.as_str())
        .execute(&self.writer)
        .await
        .map_err(map)?;
        Ok(done.rows_affected() > 0)
    }

    async fn transfer(&self, group: &GroupId, to: &UserId) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await.map_err(map)?;
        let row = sqlx::query("SELECT conversation_id, owner_id FROM chat_groups WHERE id = ?")
            .bind(group.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?
            .ok_or_else(|| StoreError::Conflict("no such group".into()))?;
        let conv: String = row.try_get("conversation_id").map_err(map)?;
        let old: String = row.try_get("owner_id").map_err(map)?;
        let promoted = sqlx::query(
            "UPDATE conversation_members SET role = 'owner' WHERE conversation_id = ? AND user_id = ?",
        )
        .bind(&conv)
        .bind(to.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?
        .rows_affected();
        if promoted == 0 {
            return Ok(false);
        }
        if old != to.as_str() {
            sqlx::query(
                "UPDATE conversation_members SET role = 'admin' WHERE conversation_id = ? AND user_id = ?",
            )
            .bind(&conv)
            .bind(&old)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        }
        sqlx::query("UPDATE chat_groups SET owner_id = ? WHERE id = ?")
            .bind(to.as_str())
            .bind(group.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map)?;
        tx.commit().await.map_err(map)?;
        Ok(true)
    }

    async fn dissolve(&self, group: &GroupId, now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await.map_err(map)?;
        sqlx::query(
            "UPDATE chat_groups SET dissolved_at = ? WHERE id = ? AND dissolved_at IS NULL",
        )
        .bind(now.millis())
        .bind(group.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        sqlx::query(
            "UPDATE conversations SET closed = 1
             WHERE id = (SELECT conversation_id FROM chat_groups WHERE id = ?)",
        )
        .bind(group.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
        tx.commit().await.map_err(map)
    }
}
