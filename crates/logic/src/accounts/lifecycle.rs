//! A user's hold on their own account: ending one of their sessions or all
//! the others, changing the password.
//!
//! Every path that ends sessions ends them the same way (`ended`): revoked
//! in the store first, then forgotten by every session cache, then their
//! sockets closed (4001), and only then answered. The answer is 1009 when
//! a cache could not be told: another instance may still take a token for
//! live until `[cache] session_ttl`, so the client is told to retry rather
//! than told it is done.

use ferrochat_domain::commands::ChangePassword;
use ferrochat_domain::{Principal, SessionId, UserId};
use ferrochat_ports::ApiError;

use super::service::{hash_failed, Accounts};
use crate::clock;
use crate::error::store;

const NOT_YET_EVERYWHERE: &str = "logged out here, but not yet everywhere: retry the logout";
const PASSWORD_SET_NOT_YET_EVERYWHERE: &str = "the password is changed, but the other sessions \
     are not yet ended everywhere: end them with POST /api/v1/auth/logout/others";
const NO_SUCH_SESSION: &str = "no such session";
const WRONG_PASSWORD: &str = "the current password is wrong";

/// Counts fit: a user's sessions number far fewer than four billion.
fn count(ids: &[SessionId]) -> u32 {
    u32::try_from(ids.len()).unwrap_or(u32::MAX)
}

impl Accounts {
    /// After `sessions` of `user` were revoked in the store: forgotten
    /// everywhere, their sockets closed. `unseen` is the 1009's message.
    async fn ended_or(
        &self,
        user: &UserId,
        sessions: &[SessionId],
        unseen: &str,
    ) -> Result<(), ApiError> {
        let mut forgotten = true;
        for s in sessions {
            forgotten &= self.sessions.forget(s).await;
        }
        self.close_sockets(user, sessions).await;
        if !forgotten {
            return Err(ApiError::unavailable(unseen));
        }
        Ok(())
    }

    pub(super) async fn ended(
        &self,
        user: &UserId,
        sessions: &[SessionId],
    ) -> Result<(), ApiError> {
        self.ended_or(user, sessions, NOT_YET_EVERYWHERE).await
    }

    /// One of `who`'s sessions, as logout ends its own. A session of
    /// someone else's is answered as one that does not exist.
    pub(super) async fn end_one(&self, who: &Principal, id: &SessionId) -> Result<(), ApiError> {
        let found = self
            .store
            .session(id)
            .await
            .map_err(|e| store("reading a session", e))?;
        match found {
            Some(s) if s.user_id == who.user_id => {}
            _ => return Err(ApiError::not_found(NO_SUCH_SESSION)),
        }
        self.store
            .revoke_session(id, clock::now())
            .await
            .map_err(|e| store("revoking a session", e))?;
        self.ended(&who.user_id, std::slice::from_ref(id)).await
    }

    pub(super) async fn end_others(&self, who: &Principal) -> Result<u32, ApiError> {
        let ended = self
            .store
            .revoke_sessions(&who.user_id, Some(&who.session_id), clock::now())
            .await
            .map_err(|e| store("revoking sessions", e))?;
        self.ended(&who.user_id, &ended).await?;
        Ok(count(&ended))
    }

    /// Checks the current password (as login does: a hash compared in
    /// constant time), then sets the new one and ends every other session
    /// in the same store transaction.
    pub(super) async fn set_password(
        &self,
        who: &Principal,
        cmd: ChangePassword,
    ) -> Result<u32, ApiError> {
        let user = self
            .profiles
            .get(&who.user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("no such user"))?;
        let stored = self
            .store
            .credentials(&user.username.key())
            .await
            .map_err(|e| store("looking up credentials", e))?
            .map(|c| c.password_hash);
        let ok = self
            .hasher
            .verify(cmd.current.expose().to_owned(), stored)
            .await
            .map_err(hash_failed)?;
        if !ok {
            return Err(ApiError::forbidden(WRONG_PASSWORD));
        }
        let hash = self
            .hasher
            .hash(cmd.new.expose().to_owned())
            .await
            .map_err(hash_failed)?;
        let ended = self
            .store
            .set_password(&who.user_id, &hash, &who.session_id, clock::now())
            .await
            .map_err(|e| store("setting a password", e))?;
        metrics::counter!("ferrochat_logic_password_changes_total").increment(1);
        self.ended_or(&who.user_id, &ended, PASSWORD_SET_NOT_YET_EVERYWHERE)
            .await?;
        Ok(count(&ended))
    }
}
