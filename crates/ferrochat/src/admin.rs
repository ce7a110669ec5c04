//! `ferrochat admin`: what an operator does beside the running servers,
//! on the SQL store the configuration names (the repo's, in a cluster).
//! Each is appended to the audit log, by the actor `operator`.
//!
//! `grant` and `revoke`: the admin role, which the admin API
//! (`/api/v1/admin/*`) checks in the store on every call, so either takes
//! effect at the next request.
//!
//! `reset-password`: a one-time token with which a user who forgot their
//! password sets a new one (`POST /api/v1/auth/password/reset`). There is
//! no mail server to prove who asks: the operator checks that, then hands
//! the token over. It is signed with the access tokens' secret (the one
//! the servers use: `auth.jwt_secret`, or the data dir's), so the servers
//! accept it without sharing anything else.

use std::time::Duration;

use std::sync::Arc;

use anyhow::{anyhow, bail, Context as _};
use ferrochat_domain::moderation::{Actor, AuditEntry};
use ferrochat_domain::Username;
use ferrochat_ports::clock::now;
use ferrochat_ports::store::Credentials;
use ferrochat_ports::Store;

use crate::open::sql_store;
use crate::{secret, Config};

/// Gives (`admin`) or takes back the admin role.
pub async fn set_admin(config: &Config, username: &str, admin: bool) -> anyhow::Result<()> {
    let name = Username::parse(username.to_owned()).map_err(|e| anyhow!("{e}"))?;
    let store = open_store(config).await?;
    let done = async {
        let id = account(&*store, &name, username).await?.user.id;
        let action = if admin {
            AuditEntry::GRANT_ADMIN
        } else {
            AuditEntry::REVOKE_ADMIN
        };
        let entry = AuditEntry::new(Actor::Operator, action, id.as_str(), username, now());
        store
            .set_admin(&id, admin, &entry)
            .await
            .context("setting the role")?
            .then_some(())
            .ok_or_else(|| anyhow!("no user named {username}"))
    }
    .await;
    store.close().await;
    done
}

/// The account named `username` (as typed, for the error).
async fn account(
    store: &dyn Store,
    name: &Username,
    username: &str,
) -> anyhow::Result<Credentials> {
    store
        .credentials(&name.key())
        .await
        .context("reading the account")?
        .ok_or_else(|| anyhow!("no user named {username}"))
}

async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let Some(store) = sql_store(config).await? else {
        bail!("store.url names the repo role: run this with the repo's own store.url");
    };
    Ok(store.into_store())
}

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
    let store = open_store(config).await?;
    let issued = async {
        let credentials = account(&*store, &name, username).await?;
        let id = credentials.user.id;
        let token = ferrochat_logic::accounts::issue_password_reset(
            &secret,
            &id,
            &credentials.password_hash,
            valid_for,
        )
        .context("signing the token")?;
        let detail = format!(
            "valid for {}",
            humantime_serde::re::humantime::format_duration(valid_for)
        );
        let entry = AuditEntry::new(
            Actor::Operator,
            AuditEntry::ISSUE_PASSWORD_RESET,
            id.as_str(),
            detail,
            now(),
        );
        store
            .append_audit(&entry)
            .await
            .context("writing the audit log")?;
        Ok(token)
    }
    .await;
    store.close().await;
    issued
}
