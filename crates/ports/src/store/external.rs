//! Accounts of users an outside issuer vouches for (`[auth.external]`,
//! OpenID Connect): one account per (issuer, subject), made on first
//! sight.

use async_trait::async_trait;
use ferrochat_domain::external::ExternalSubject;
use ferrochat_domain::{User, UserId};

use super::StoreError;

#[async_trait]
pub trait ExternalIdentityStore: Send + Sync {
    /// The account `who` was linked to, deleted or not.
    async fn external_user(&self, who: &ExternalSubject) -> Result<Option<UserId>, StoreError>;
    /// Inserts `user` as `AccountStore::insert_user` does and links it to
    /// `who`, in one transaction. `Conflict` (and nothing stored) if `who`
    /// is linked already (a first sight raced another) or the username is
    /// taken: the caller looks the link up again to tell which.
    async fn insert_external_user(
        &self,
        user: &User,
        password_hash: &str,
        who: &ExternalSubject,
    ) -> Result<(), StoreError>;
}
