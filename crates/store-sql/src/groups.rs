//! Groups and their membership (`GroupStore`).

use async_trait::async_trait;
use ferrochat_domain::commands::UpdateGroup;
use ferrochat_domain::groups::{
    Group, GroupAnnouncement, GroupDescription, GroupName, JoinPolicy, Role,
};
use ferrochat_domain::{Avatar, ConversationId, GroupId, Timestamp, UserId};
use ferrochat_ports::store::{GroupStore, MemberRecord, NewGroup};
use ferrochat_ports::StoreError;
use ferrochat_retry::Rerun;
use sqlx::Transaction;

use crate::dialect::Dialect;
use crate::error::{map, map_begin, Fail};
use crate::query::{count, seq, Query, Rec, Val};
use crate::retry::run;
use crate::SqlStore;

fn group_from_row<D: Dialect>(r: &Rec<D>) -> Result<Group, sqlx::Error> {
    Ok(Group {
        id: GroupId::from_stored(r.col("id")?),
        conversation_id: ConversationId::from_stored(r.col("conversation_id")?),
        name: GroupName::from_stored(r.col("name")?),
        description: GroupDescription::from_stored(r.col("description")?),
        owner_id: UserId::from_stored(r.col("owner_id")?),
        member_count: count(r.col("member_count")?),
        max_members: count(r.col("max_members")?),
        join_policy: JoinPolicy::from_stored(&r.col::<String>("join_policy")?),
        dissolved: r.col::<Option<i64>>("dissolved_at")?.is_some(),
        avatar: Avatar::from_stored(r.col("avatar")?),
        announcement: GroupAnnouncement::from_stored(r.col("announcement")?),
    })
}

const GROUP_SELECT: &str = "SELECT g.id, g.conversation_id, g.name, g.description, g.owner_id,
g.max_members, g.join_policy, g.dissolved_at, g.avatar, g.announcement, c.member_count
FROM chat_groups g JOIN conversations c ON c.id = g.conversation_id
WHERE g.id = ?";

/// What a membership change reads of its group, under lock.
struct Locked {
    conversation_id: String,
    owner_id: String,
    max_members: i64,
    member_count: i64,
    last_seq: i64,
}

/// Locks the group's rows (membership changes are ordered by its
/// conversation row, as commits are) and reads them. With
/// `live_only`, a dissolved group is not found.
async fn lock_group<D: Dialect>(
    tx: &mut Transaction<'_, D::Db>,
    group: &GroupId,
    live_only: bool,
) -> Result<Option<Locked>, Fail> {
    let sql = format!(
        "SELECT g.conversation_id, g.owner_id, g.max_members, c.member_count, c.last_seq
         FROM chat_groups g JOIN conversations c ON c.id = g.conversation_id
         WHERE g.id = ? {} {}",
        if live_only {
            "AND g.dissolved_at IS NULL"
        } else {
            ""
        },
        D::FOR_UPDATE
    );
    let row = Query::<D>::new(&sql)
        .bind(group.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(map)?;
    row.map(|r| {
        Ok(Locked {
            conversation_id: r.col("conversation_id")?,
            owner_id: r.col("owner_id")?,
            max_members: r.col("max_members")?,
            member_count: r.col("member_count")?,
            last_seq: r.col("last_seq")?,
        })
    })
    .transpose()
    .map_err(map)
}

async fn is_member<D: Dialect>(
    tx: &mut Transaction<'_, D::Db>,
    conversation: &str,
    user: &UserId,
) -> Result<bool, Fail> {
    Ok(Query::<D>::new(
        "SELECT 1 FROM conversation_members WHERE conversation_id = ? AND user_id = ?",
    )
    .bind(conversation)
    .bind(user.as_str())
    .fetch_optional(&mut **tx)
    .await
    .map_err(map)?
    .is_some())
}

/// Inserts a member with nothing unread (history stays readable).
async fn insert_member<D: Dialect>(
    tx: &mut Transaction<'_, D::Db>,
    conversation: &str,
    user: &UserId,
    role: Role,
    read_seq: i64,
    now: Timestamp,
) -> Result<(), Fail> {
    Query::<D>::new(
        "INSERT INTO conversation_members (conversation_id, user_id, role, read_seq, joined_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(conversation)
    .bind(user.as_str())
    .bind(role.as_str())
    .bind(read_seq)
    .bind(now.millis())
    .execute(&mut **tx)
    .await
    .map(|_| ())
    .map_err(map)
}

/// Updates one column of a member of `group`; false if `user` is
/// not a member.
async fn update_member<D: Dialect>(
    store: &SqlStore<D>,
    set: &str,
    value: Val<'_>,
    group: &GroupId,
    user: &UserId,
) -> Result<bool, Fail> {
    let sql = format!(
        "UPDATE conversation_members SET {set} = ? WHERE user_id = ?
         AND conversation_id = (SELECT conversation_id FROM chat_groups WHERE id = ?)"
    );
    let done = Query::<D>::new(&sql)
        .bind(value)
        .bind(user.as_str())
        .bind(group.as_str())
        .execute(&store.writer)
        .await
        .map_err(map)?;
    Ok(done > 0)
}

async fn create_group<D: Dialect>(
    store: &SqlStore<D>,
    g: &NewGroup,
    members: &[UserId],
) -> Result<Group, Fail> {
    let mut all: Vec<&UserId> = vec![&g.owner_id];
    for m in members {
        if !all.contains(&m) {
            all.push(m);
        }
    }
    let count = u32::try_from(all.len()).unwrap_or(u32::MAX);
    if count > g.max_members {
        return Err(StoreError::Conflict("full".into()).into());
    }
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    Query::<D>::new(
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
    Query::<D>::new(
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
        Query::<D>::new(
            "INSERT INTO conversation_members (conversation_id, user_id, role, joined_at)
             VALUES (?, ?, ?, ?)",
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
        avatar: Avatar::default(),
        announcement: GroupAnnouncement::default(),
    })
}

async fn group<D: Dialect>(store: &SqlStore<D>, id: &GroupId) -> Result<Option<Group>, Fail> {
    let row = Query::<D>::new(GROUP_SELECT)
        .bind(id.as_str())
        .fetch_optional(&store.reader)
        .await
        .map_err(map)?;
    row.as_ref().map(group_from_row).transpose().map_err(map)
}

async fn add_member<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    user: &UserId,
    role: Role,
    now: Timestamp,
) -> Result<(), Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    let g = lock_group::<D>(&mut tx, group, true)
        .await?
        .ok_or_else(|| StoreError::Conflict("no such group".into()))?;
    let conv = g.conversation_id;
    if is_member::<D>(&mut tx, &conv, user).await? {
        return Err(StoreError::Conflict("member".into()).into());
    }
    if g.member_count >= g.max_members {
        return Err(StoreError::Conflict("full".into()).into());
    }
    insert_member::<D>(&mut tx, &conv, user, role, g.last_seq, now).await?;
    Query::<D>::new("UPDATE conversations SET member_count = member_count + 1 WHERE id = ?")
        .bind(&conv)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)
}

async fn remove_member<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    user: &UserId,
) -> Result<bool, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    let Some(Locked {
        conversation_id: conv,
        ..
    }) = lock_group::<D>(&mut tx, group, false).await?
    else {
        return Ok(false);
    };
    let done = Query::<D>::new(
        "DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?",
    )
    .bind(&conv)
    .bind(user.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?
        > 0;
    if done {
        Query::<D>::new("UPDATE conversations SET member_count = member_count - 1 WHERE id = ?")
            .bind(&conv)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
    }
    tx.commit().await.map_err(map)?;
    Ok(done)
}

/// One page of members through the primary key (conversation_id, user_id):
/// ids compare as bytes on every database (binary collations, `COLLATE
/// "C"`), as Rust's `str` does, so `after` is a cursor the caller can
/// trust.
async fn members<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    after: Option<&UserId>,
    limit: u32,
) -> Result<Vec<(UserId, MemberRecord)>, Fail> {
    let mut q = Query::<D>::new(
        "SELECT m.user_id, m.role, m.read_seq, m.muted_until FROM conversation_members m
         JOIN chat_groups g ON g.conversation_id = m.conversation_id
         WHERE g.id = ",
    );
    q.push_bind(group.as_str());
    if let Some(after) = after {
        q.push(" AND m.user_id > ").push_bind(after.as_str());
    }
    q.push(" ORDER BY m.user_id");
    if limit > 0 {
        q.push(" LIMIT ").push_bind(i64::from(limit));
    }
    let rows = q.fetch_all(&store.reader).await.map_err(map)?;
    rows.iter()
        .map(|r| {
            Ok((
                UserId::from_stored(r.col("user_id")?),
                MemberRecord {
                    role: Role::from_stored(&r.col::<String>("role")?),
                    read_seq: seq(r.col("read_seq")?),
                    muted_until: r
                        .col::<Option<i64>>("muted_until")?
                        .map(Timestamp::from_millis),
                },
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(map)
}

async fn add_members<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    users: &[UserId],
    now: Timestamp,
) -> Result<Vec<UserId>, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    let g = lock_group::<D>(&mut tx, group, true)
        .await?
        .ok_or_else(|| StoreError::Conflict("no such group".into()))?;
    let conv = g.conversation_id;
    let mut added: Vec<UserId> = Vec::new();
    for u in users {
        // Membership cannot change under the group lock.
        if added.contains(u) || is_member::<D>(&mut tx, &conv, u).await? {
            continue;
        }
        insert_member::<D>(&mut tx, &conv, u, Role::Member, g.last_seq, now).await?;
        added.push(u.clone());
    }
    let new_count = g.member_count + i64::try_from(added.len()).unwrap_or(i64::MAX);
    if new_count > g.max_members {
        // Dropping the transaction rolls every insert back.
        return Err(StoreError::Conflict("full".into()).into());
    }
    Query::<D>::new("UPDATE conversations SET member_count = ? WHERE id = ?")
        .bind(new_count)
        .bind(&conv)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(added)
}

async fn set_role<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    user: &UserId,
    role: Role,
) -> Result<bool, Fail> {
    update_member(store, "role", role.as_str().into(), group, user).await
}

async fn set_muted_until<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    user: &UserId,
    until: Option<Timestamp>,
) -> Result<bool, Fail> {
    update_member(
        store,
        "muted_until",
        until.map(Timestamp::millis).into(),
        group,
        user,
    )
    .await
}

async fn transfer<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    to: &UserId,
) -> Result<bool, Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    let g = lock_group::<D>(&mut tx, group, false)
        .await?
        .ok_or_else(|| StoreError::Conflict("no such group".into()))?;
    let conv = g.conversation_id;
    let set_role =
        "UPDATE conversation_members SET role = ? WHERE conversation_id = ? AND user_id = ?";
    let promoted = Query::<D>::new(set_role)
        .bind(Role::Owner.as_str())
        .bind(&conv)
        .bind(to.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    if promoted == 0 {
        return Ok(false);
    }
    if g.owner_id != to.as_str() {
        Query::<D>::new(set_role)
            .bind(Role::Admin.as_str())
            .bind(&conv)
            .bind(&g.owner_id)
            .execute(&mut *tx)
            .await
            .map_err(map)?;
    }
    Query::<D>::new("UPDATE chat_groups SET owner_id = ? WHERE id = ?")
        .bind(to.as_str())
        .bind(group.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(true)
}

async fn update_group<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    change: &UpdateGroup,
) -> Result<(), Fail> {
    let mut sets: Vec<(&str, String)> = Vec::new();
    if let Some(name) = &change.name {
        sets.push(("name", name.as_str().to_owned()));
    }
    if let Some(description) = &change.description {
        sets.push(("description", description.as_str().to_owned()));
    }
    if let Some(policy) = change.join_policy {
        sets.push(("join_policy", policy.as_str().to_owned()));
    }
    if let Some(avatar) = &change.avatar {
        sets.push(("avatar", avatar.as_str().to_owned()));
    }
    if let Some(announcement) = &change.announcement {
        sets.push(("announcement", announcement.as_str().to_owned()));
    }
    if sets.is_empty() {
        return Ok(());
    }
    let mut q = Query::<D>::new("UPDATE chat_groups SET ");
    q.push_list(sets, ", ", |q, (column, value)| {
        q.push(column).push(" = ").push_bind(value);
    });
    q.push(" WHERE id = ").push_bind(group.as_str());
    q.execute(&store.writer).await.map_err(map)?;
    Ok(())
}

async fn dissolve<D: Dialect>(
    store: &SqlStore<D>,
    group: &GroupId,
    now: Timestamp,
) -> Result<(), Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    Query::<D>::new(
        "UPDATE chat_groups SET dissolved_at = ? WHERE id = ? AND dissolved_at IS NULL",
    )
    .bind(now.millis())
    .bind(group.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    Query::<D>::new(
        "UPDATE conversations SET closed = TRUE
         WHERE id = (SELECT conversation_id FROM chat_groups WHERE id = ?)",
    )
    .bind(group.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    tx.commit().await.map_err(map)
}

#[async_trait]
impl<D: Dialect> GroupStore for SqlStore<D> {
    // A second run would meet its own rows.
    async fn create_group(&self, g: &NewGroup, members: &[UserId]) -> Result<Group, StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            create_group(self, g, members)
        })
        .await
    }

    async fn group(&self, id: &GroupId) -> Result<Option<Group>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || group(self, id)).await
    }

    // A second run would find the user a member
    // (`Conflict("member")`).
    async fn add_member(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            add_member(self, group, user, role, now)
        })
        .await
    }

    // A second run would answer false: not a member.
    async fn remove_member(&self, group: &GroupId, user: &UserId) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            remove_member(self, group, user)
        })
        .await
    }

    async fn members(
        &self,
        group: &GroupId,
        after: Option<&UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, MemberRecord)>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            members(self, group, after, limit)
        })
        .await
    }

    // A second run would answer that nobody was added.
    async fn add_members(
        &self,
        group: &GroupId,
        users: &[UserId],
        now: Timestamp,
    ) -> Result<Vec<UserId>, StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            add_members(self, group, users, now)
        })
        .await
    }

    // Sets a value; a second run answers the same.
    async fn set_role(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
    ) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            set_role(self, group, user, role)
        })
        .await
    }

    // Sets a value; a second run answers the same.
    async fn set_muted_until(
        &self,
        group: &GroupId,
        user: &UserId,
        until: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            set_muted_until(self, group, user, until)
        })
        .await
    }

    // Sets the owner and the two roles; a second run sets the
    // same and answers true again.
    async fn transfer(&self, group: &GroupId, to: &UserId) -> Result<bool, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            transfer(self, group, to)
        })
        .await
    }

    // Sets values: a second run sets the same.
    async fn update_group(&self, group: &GroupId, change: &UpdateGroup) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            update_group(self, group, change)
        })
        .await
    }

    // Sets `dissolved_at` only while unset, and closes the
    // conversation: a second run changes nothing.
    async fn dissolve(&self, group: &GroupId, now: Timestamp) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            dissolve(self, group, now)
        })
        .await
    }
}
