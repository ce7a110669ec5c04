//! Accounts of users an outside issuer vouches for
//! (`ExternalIdentityStore`, migration 0017): the link (issuer, subject)
//! to a user is the table's key, so of two first sights of one subject
//! racing each other, one inserts and the other meets `Conflict`.

use async_trait::async_trait;
use ferrochat_domain::external::ExternalSubject;
use ferrochat_domain::{User, UserId};
use ferrochat_ports::{ExternalIdentityStore, StoreError};
use ferrochat_retry::Rerun;

use crate::accounts::insert_user_in;
use crate::dialect::Dialect;
use crate::error::{map, map_begin, Fail};
use crate::query::Query;
use crate::retry::run;
use crate::SqlStore;

async fn external_user<D: Dialect>(
    store: &SqlStore<D>,
    who: &ExternalSubject,
) -> Result<Option<UserId>, Fail> {
    let row =
        Query::<D>::new("SELECT user_id FROM external_identities WHERE issuer = ? AND subject = ?")
            .bind(who.issuer())
            .bind(who.subject())
            .fetch_optional(&store.reader)
            .await
            .map_err(map)?;
    row.map(|r| r.col::<String>("user_id").map(UserId::from_stored))
        .transpose()
        .map_err(map)
}

async fn insert_external_user<D: Dialect>(
    store: &SqlStore<D>,
    user: &User,
    password_hash: &str,
    who: &ExternalSubject,
) -> Result<(), Fail> {
    let mut tx = store.writer.begin().await.map_err(map_begin)?;
    insert_user_in::<D>(&mut tx, user, password_hash).await?;
    Query::<D>::new(
        "INSERT INTO external_identities (issuer, subject, user_id, created_at)
         VALUES (?, ?, ?, ?)",
    )
    .bind(who.issuer())
    .bind(who.subject())
    .bind(user.id.as_str())
    .bind(user.created_at.millis())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    tx.commit().await.map_err(map)
}

#[async_trait]
impl<D: Dialect> ExternalIdentityStore for SqlStore<D> {
    async fn external_user(&self, who: &ExternalSubject) -> Result<Option<UserId>, StoreError> {
        run(self.retry.as_ref(), Rerun::Safe, || {
            external_user(self, who)
        })
        .await
    }

    // A second run would meet its own row (subject linked).
    async fn insert_external_user(
        &self,
        user: &User,
        password_hash: &str,
        who: &ExternalSubject,
    ) -> Result<(), StoreError> {
        run(self.retry.as_ref(), Rerun::IfUndone, || {
            insert_external_user(self, user, password_hash, who)
        })
        .await
    }
}
