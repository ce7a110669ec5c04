//! Password reset for the deployer: there is no mail server to prove a
//! forgotten password's owner, so an operator who has checked who is
//! asking issues a one-time token (`ferrochat admin reset-password`), and
//! the user sets a new password with it (`POST /api/v1/auth/password/reset`).
//!
//! The token is signed with the access tokens' secret, names the user and
//! a fingerprint of the password hash it may replace, and expires: once
//! any new password is set the fingerprint no longer matches, so a token
//! works at most once, with no table of used tokens. A reset ends every
//! session of the user's, since whoever knew the old password may hold one.

use std::time::Duration;

use ferrochat_domain::{Password, Timestamp, UserId};
use ferrochat_ports::ApiError;

use super::lifecycle::count;
use super::service::{hash_failed, Accounts};
use super::tokens::{hash_fingerprint, TokenKeys};
use crate::clock;
use crate::error::store;

const BAD_RESET_TOKEN: &str = "invalid, used or expired reset token";

/// A reset token for `user` whose password hash is now `password_hash`,
/// valid for `valid_for`, signed with `secret` (the logic roles' token
/// secret: a token from another secret is refused).
pub fn issue_password_reset(
    secret: &[u8],
    user: &UserId,
    password_hash: &str,
    valid_for: Duration,
) -> Result<String, jsonwebtoken::errors::Error> {
    reset_token(
        &TokenKeys::new(secret),
        user,
        password_hash,
        valid_for,
        clock::now(),
    )
}

/// A reset token signed with `keys`, valid for `valid_for` from `now`: the
/// operator's command and the admin API issue the same.
pub(super) fn reset_token(
    keys: &TokenKeys,
    user: &UserId,
    password_hash: &str,
    valid_for: Duration,
    now: Timestamp,
) -> Result<String, jsonwebtoken::errors::Error> {
    keys.issue_reset(user, password_hash, now, now.plus(valid_for))
}

impl Accounts {
    pub(super) async fn reset(&self, token: &str, new: Password) -> Result<u32, ApiError> {
        let grant = self
            .keys
            .verify_reset(token)
            .ok_or_else(|| ApiError::unauthorized(BAD_RESET_TOKEN))?;
        let user = self
            .store
            .user(&grant.user)
            .await
            .map_err(|e| store("reading a user", e))?
            .filter(|u| !u.deleted)
            .ok_or_else(|| ApiError::unauthorized(BAD_RESET_TOKEN))?;
        let current = self
            .store
            .credentials(&user.username.key())
            .await
            .map_err(|e| store("looking up credentials", e))?
            .ok_or_else(|| ApiError::unauthorized(BAD_RESET_TOKEN))?;
        if hash_fingerprint(&current.password_hash) != grant.fingerprint {
            return Err(ApiError::unauthorized(BAD_RESET_TOKEN));
        }
        let hash = self
            .hasher
            .hash(new.expose().to_owned())
            .await
            .map_err(hash_failed)?;
        let ended = self
            .store
            .set_password(&user.id, &hash, None, clock::now())
            .await
            .map_err(|e| store("setting a password", e))?;
        metrics::counter!("ferrochat_logic_password_resets_total").increment(1);
        self.ended(&user.id, &ended).await?;
        Ok(count(&ended))
    }
}
