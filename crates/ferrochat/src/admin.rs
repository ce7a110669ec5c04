//! `ferrochat admin`: what an operator does beside the running servers,
//! on the SQL store the configuration names (the repo's, in a cluster).
//!
//! `reset-password`: a one-time token with which a user who forgot their
//! password sets a new one (`POST /api/v1/auth/password/reset`). There is
//! no mail server to prove who asks: the operator checks that, then hands
//! the token over. It is signed with the access tokens' secret (the one
//! the servers use: `auth.jwt_secret`, or the data dir's), so the servers
//! accept it without sharing anything else.

use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use ferrochat_domain::Username;

use crate::open::sql_store;
use crate::{secret, Config};

/// A reset token for `username`, valid for `valid_for`.
pub async fn reset_password(
    config: &Config,
    username: &str,
    valid_for: Duration,
) -> anyhow::Result<String> {
    let name = Username::parse(username.to_owned()).map_err(|e| anyhow!("{e}"))?;
    let Some(secret) = secret::existing(config.auth.jwt_secret.as_deref(), &config.data_dir)?
    else {
        bail!(
            "no token-signing secret: set auth.jwt_secret as the servers do, or give the \
             server's data dir (--data-dir)"
        );
    };
    let Some(store) = sql_store(config).await? else {
        bail!("store.url names the repo role: run this with the repo's own store.url");
    };
    let store = store.into_store();
    let found = store.credentials(&name.key()).await;
    store.close().await;
    let credentials = found
        .context("reading the account")?
        .ok_or_else(|| anyhow!("no user named {username}"))?;
    ferrochat_logic::accounts::issue_password_reset(
        &secret,
        &credentials.user.id,
        &credentials.password_hash,
        valid_for,
    )
    .context("signing the token")
}
