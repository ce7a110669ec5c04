//! Access tokens signed by the deployment's own app (`[auth.external]`):
//! accepted wherever ferrochat's own are, and mapped to one account per
//! (issuer, subject), made on first sight.
//!
//! Each distinct token gets a session of its own, whose id is a digest of
//! the token: the first check of a token stores it (expiring with the
//! token), later ones find it through the session cache as they would a
//! login's. So an external token is revoked the way a ferrochat one is
//! (logout, ending the session, disabling the account, the session cap),
//! and everything keyed by a session (sockets, push devices) works
//! unchanged. The app stays the authority on who may log in: its next
//! token opens a new session, unless the account is disabled or deleted.

mod config;
pub(super) mod jwks;
mod verify;

use ferrochat_domain::external::ExternalSubject;
use ferrochat_domain::{Authenticated, Principal, SessionId, UserId, Username};
use ferrochat_ports::store::NewSession;
use ferrochat_ports::{ApiError, StoreError};
use sha2::{Digest, Sha256};

pub(super) use config::PUBLISHED_KEY_ALGORITHMS;
pub use config::{BadExternalConfig, ExternalAuthConfig};
pub(crate) use verify::ExternalTokens;

use super::service::{deleted, disabled, hash_failed, new_account, Accounts, BAD_TOKEN};
use super::tokens::{hash_refresh_token, new_refresh_token};
use crate::clock;
use crate::error::store;

/// Generated usernames tried after the token's own, when it is taken or
/// not a valid username.
const GENERATED_TRIES: usize = 3;

/// The session an external token opens: the same for every check of the
/// same token, on every logic instance.
fn session_of(token: &str) -> SessionId {
    let digest = Sha256::digest(format!("ferrochat external token\n{token}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    SessionId::derived(bytes)
}

/// `u-` and 16 hex digits: a valid username no one chose.
fn generated_username() -> Username {
    let bits: [u8; 8] = rand::random();
    Username::parse(format!("u-{}", hex::encode(bits)))
        .unwrap_or_else(|_| unreachable!("u- and 16 hex digits is a valid username"))
}

impl Accounts {
    /// `token` claims to be from the external issuer: checks it as
    /// `verify.rs` says, then opens or finds its session.
    pub(super) async fn authenticate_external(
        &self,
        external: &ExternalTokens,
        token: &str,
    ) -> Result<Authenticated, ApiError> {
        let vouched = external.verify(token).await.map_err(|e| {
            tracing::debug!(error = %e, "external token refused");
            ApiError::unauthorized(BAD_TOKEN)
        })?;
        let id = session_of(token);
        let now = clock::now();
        let authenticated = |user_id: UserId| Authenticated {
            who: Principal {
                user_id,
                session_id: id.clone(),
            },
            expires_at: vouched.expires_at,
        };
        let found = self
            .sessions
            .get(&id)
            .await
            .map_err(|e| store("checking a session", e))?;
        if let Some(s) = found {
            // Ended (logout, disabled) or expired: this token is done.
            return if s.is_live(now) {
                Ok(authenticated(s.user_id))
            } else {
                Err(ApiError::unauthorized(BAD_TOKEN))
            };
        }
        let user = self
            .external_account(&vouched.who, vouched.username.as_deref())
            .await?;
        let inserted = self
            .store
            .insert_session(&NewSession {
                id: id.clone(),
                user_id: user.clone(),
                device_id: None,
                created_at: now,
                expires_at: vouched.passes_until,
                // Never handed out: an external session is not refreshed.
                refresh_hash: hash_refresh_token(&new_refresh_token()),
            })
            .await;
        // The check above may have cached its absence.
        self.sessions.forget(&id).await;
        match inserted {
            Ok(()) => {
                self.trim_sessions(&user).await;
                Ok(authenticated(user))
            }
            // The same token checked at once elsewhere, or the account is
            // disabled or deleted.
            Err(StoreError::Conflict(_)) => {
                self.opened_elsewhere(&id, &user).await.map(authenticated)
            }
            Err(e) => Err(store("creating a session", e)),
        }
    }

    /// After a session insert met a conflict: the session a racing check
    /// of the same token stored, else why the account takes none.
    async fn opened_elsewhere(&self, id: &SessionId, user: &UserId) -> Result<UserId, ApiError> {
        let found = self
            .sessions
            .get(id)
            .await
            .map_err(|e| store("checking a session", e))?;
        if let Some(s) = found.filter(|s| s.is_live(clock::now()) && &s.user_id == user) {
            return Ok(s.user_id);
        }
        let account = self
            .store
            .user(user)
            .await
            .map_err(|e| store("reading an account", e))?;
        match account {
            Some(u) if !u.deleted => Err(disabled()),
            _ => Err(deleted()),
        }
    }

    /// The account linked to an issuer's subject, made now if it has
    /// none, named `username` if that is a valid username no one has.
    pub(super) async fn external_account(
        &self,
        who: &ExternalSubject,
        username: Option<&str>,
    ) -> Result<UserId, ApiError> {
        if let Some(id) = self.linked(who).await? {
            return Ok(id);
        }
        // A password no one knows: the account logs in through its issuer
        // only, and a username login meets an ordinary wrong password.
        let unknown: [u8; 32] = rand::random();
        let hash = self
            .hasher
            .hash(hex::encode(unknown))
            .await
            .map_err(hash_failed)?;
        let proposed = username.and_then(|u| Username::parse(u.to_owned()).ok());
        let names = proposed
            .into_iter()
            .chain(std::iter::repeat_with(generated_username).take(GENERATED_TRIES));
        for username in names {
            let user = new_account(username, None);
            match self.store.insert_external_user(&user, &hash, who).await {
                Ok(()) => {
                    metrics::counter!("ferrochat_logic_registrations_total").increment(1);
                    return Ok(user.id);
                }
                // Made by a racing first sight, or the name is taken.
                Err(StoreError::Conflict(_)) => {
                    if let Some(id) = self.linked(who).await? {
                        return Ok(id);
                    }
                }
                Err(e) => return Err(store("creating an account", e)),
            }
        }
        Err(ApiError::conflict(
            "no free username for this account, retry",
        ))
    }

    async fn linked(&self, who: &ExternalSubject) -> Result<Option<UserId>, ApiError> {
        self.store
            .external_user(who)
            .await
            .map_err(|e| store("looking up an external account", e))
    }
}
