//! `ExternalIdentityStore` over gRPC (repo.proto, "accounts an outside
//! issuer vouches for").

use async_trait::async_trait;
use ferrochat_domain::external::ExternalSubject;
use ferrochat_domain::{User, UserId};
use ferrochat_ports::{ExternalIdentityStore, StoreError};
use ferrochat_proto::pb;
use ferrochat_retry::Rerun;

use super::RepoClient;

#[async_trait]
impl ExternalIdentityStore for RepoClient {
    async fn external_user(&self, who: &ExternalSubject) -> Result<Option<UserId>, StoreError> {
        call!(self, external_user, Safe, pb::ExternalSubject::from(who))
    }

    // A second run would meet its own row (subject linked).
    async fn insert_external_user(
        &self,
        user: &User,
        password_hash: &str,
        who: &ExternalSubject,
    ) -> Result<(), StoreError> {
        call!(
            self,
            insert_external_user,
            IfUndone,
            pb::InsertExternalUserRequest::new(user, password_hash, who)
        )
    }
}
