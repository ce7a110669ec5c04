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
use ferrochat_domain::groups::Group;
use ferrochat_domain::{ConversationKind, Password, Principal, SessionId, User, UserId};
use ferrochat_ports::ApiError;
use ferrochat_ports::GroupsApi;

use super::service::{hash_failed, Accounts};
use crate::clock;
use crate::error::store;

const NOT_YET_EVERYWHERE: &str = "logged out here, but not yet everywhere: retry the logout";
const PASSWORD_SET_NOT_YET_EVERYWHERE: &str = "the password is changed, but the other sessions \
     are not yet ended everywhere: end them with POST /api/v1/auth/logout/others";
const NO_SUCH_SESSION: &str = "no such session";
const WRONG_PASSWORD: &str = "the current password is wrong";

/// Counts fit: a user's sessions number far fewer than four billion.
pub(super) fn count(ids: &[SessionId]) -> u32 {
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

    /// After a login: the user's sessions past `auth.max_sessions` end,
    /// the least recently seen first (the new one is the most recent).
    /// Best effort: a failure is logged, the login stands.
    pub(super) async fn trim_sessions(&self, user: &UserId) {
        let max = usize::try_from(self.max_sessions).unwrap_or(usize::MAX);
        // A few past the cap: a lowered cap is caught up a few per login.
        let live = match self
            .store
            .live_sessions(user, clock::now(), self.max_sessions.saturating_add(8))
            .await
        {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot count a user's sessions");
                return;
            }
        };
        let excess: Vec<SessionId> = live.into_iter().skip(max).map(|s| s.id).collect();
        for id in &excess {
            if let Err(e) = self.store.revoke_session(id, clock::now()).await {
                tracing::warn!(error = %e, "cannot end a session past the cap");
                return;
            }
        }
        if let Err(e) = self.ended(user, &excess).await {
            tracing::warn!(error = %e.message, "sessions past the cap ended, not yet everywhere");
        }
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

    /// Forbidden unless `password` is `who`'s, compared as login compares
    /// it (a hash checked in constant time): a stolen access token alone
    /// does not change or delete an account.
    async fn confirm(&self, who: &Principal, password: &Password) -> Result<User, ApiError> {
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
            .verify(password.expose().to_owned(), stored)
            .await
            .map_err(hash_failed)?;
        if !ok {
            return Err(ApiError::forbidden(WRONG_PASSWORD));
        }
        Ok(user)
    }

    /// Sets the new password and ends every other session in the same
    /// store transaction.
    pub(super) async fn set_password(
        &self,
        who: &Principal,
        cmd: ChangePassword,
    ) -> Result<u32, ApiError> {
        self.confirm(who, &cmd.current).await?;
        let hash = self
            .hasher
            .hash(cmd.new.expose().to_owned())
            .await
            .map_err(hash_failed)?;
        let ended = self
            .store
            .set_password(&who.user_id, &hash, Some(&who.session_id), clock::now())
            .await
            .map_err(|e| store("setting a password", e))?;
        metrics::counter!("ferrochat_logic_password_changes_total").increment(1);
        self.ended_or(&who.user_id, &ended, PASSWORD_SET_NOT_YET_EVERYWHERE)
            .await?;
        Ok(count(&ended))
    }
}

impl Accounts {
    /// Deletes `who`'s account: out of every group first (each leave told
    /// to its members as a system message, as a leave by hand is), then
    /// the store erases the rest in one transaction; then every cache that
    /// held a fact about it forgets, and its sessions end.
    ///
    /// An owner must hand a group on or dissolve it first: taking a group
    /// from its members, or choosing its next owner for them, is not this
    /// request's to do.
    pub(super) async fn erase(&self, who: &Principal, password: Password) -> Result<(), ApiError> {
        let me = &who.user_id;
        self.confirm(who, &password).await?;
        let groups = self.groups_of(me).await?;
        let owned: Vec<&str> = groups
            .iter()
            .filter(|g| &g.owner_id == me)
            .map(|g| g.name.as_str())
            .collect();
        if !owned.is_empty() {
            return Err(ApiError::conflict(format!(
                "you own groups ({}): transfer or dissolve them first",
                owned.join(", ")
            )));
        }
        for g in &groups {
            match self.groups.leave_group(me, &g.id).await {
                // Left by another request meanwhile: as good.
                Ok(()) => {}
                Err(e) if e.kind == ferrochat_domain::ErrorKind::Forbidden => {}
                Err(e) => return Err(e),
            }
        }
        let erased = self
            .store
            .erase_user(me, clock::now())
            .await
            .map_err(|e| store("deleting an account", e))?
            .ok_or_else(|| ApiError::not_found("no such user"))?;
        self.profiles.changed(me).await;
        for peer in &erased.peers {
            self.access.forget_pair(me, peer).await;
        }
        for c in &erased.closed {
            self.access.forget_conversation(c).await;
        }
        metrics::counter!("ferrochat_logic_accounts_deleted_total").increment(1);
        self.ended(me, &erased.sessions).await
    }

    /// The groups `user` is in that are not dissolved.
    async fn groups_of(&self, user: &UserId) -> Result<Vec<Group>, ApiError> {
        let conversations = self
            .store
            .conversations_of(user)
            .await
            .map_err(|e| store("listing conversations", e))?;
        let mut groups = Vec::new();
        for c in conversations {
            let Some(id) = c.group_id.filter(|_| c.kind == ConversationKind::Group) else {
                continue;
            };
            let found = self
                .store
                .group(&id)
                .await
                .map_err(|e| store("reading a group", e))?;
            if let Some(g) = found.filter(|g| !g.dissolved) {
                groups.push(g);
            }
        }
        Ok(groups)
    }
}
