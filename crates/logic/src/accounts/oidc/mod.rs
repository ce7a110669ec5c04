//! Logging in through an OpenID Connect provider (`[auth.oidc]`): the
//! authorization code flow with PKCE. The gateway keeps the login's
//! values in the browser and speaks HTTP to it; this side speaks to the
//! provider, checks its ID token and opens the session, so the client
//! secret and the account rules stay in the accounts service.
//!
//! The account is the one linked to the token's (issuer, subject), the
//! same link `[auth.external]` keeps, made on first sight; the session is
//! an ordinary one, with a refresh token, as a password login opens.

mod config;
mod provider;

use ferrochat_domain::oidc::{OidcFinish, OidcStart};
use ferrochat_domain::{LoginOutcome, User};
use ferrochat_ports::ApiError;

pub use config::{BadOidcConfig, OidcConfig};
use provider::OidcError;
pub(crate) use provider::Provider;

use super::service::{deleted, disabled, Accounts};
use crate::clock;
use crate::error::store;

const NOT_CONFIGURED: &str = "OpenID Connect login is not configured on this server";

impl Accounts {
    fn oidc(&self) -> Result<&Provider, ApiError> {
        self.oidc
            .as_ref()
            .ok_or_else(|| ApiError::not_found(NOT_CONFIGURED))
    }

    pub(super) fn oidc_name(&self) -> Result<String, ApiError> {
        self.oidc().map(|p| p.name().to_owned())
    }

    pub(super) async fn oidc_start(&self, start: &OidcStart) -> Result<String, ApiError> {
        self.oidc()?.authorization_url(start).await.map_err(refused)
    }

    pub(super) async fn oidc_finish(&self, finish: OidcFinish) -> Result<LoginOutcome, ApiError> {
        let identified = self.oidc()?.identify(&finish).await.map_err(refused)?;
        let id = self
            .external_account(&identified.who, identified.username.as_deref())
            .await?;
        let user = self
            .store
            .user(&id)
            .await
            .map_err(|e| store("reading an account", e))?;
        let user: User = match user {
            Some(u) if !u.deleted => u,
            _ => return Err(deleted()),
        };
        if user.disabled_at(clock::now()) {
            return Err(disabled());
        }
        let outcome = self.open_session(user, finish.device_id).await?;
        metrics::counter!("ferrochat_logic_oidc_logins_total").increment(1);
        Ok(outcome)
    }
}

/// What the user hears of a failed login; the provider's own words are
/// logged, not shown.
fn refused(e: OidcError) -> ApiError {
    match e {
        OidcError::Unreachable(_) => {
            tracing::warn!(error = %e, "OpenID login: the provider cannot be used");
            ApiError::unavailable("the identity provider cannot be reached, try again later")
        }
        OidcError::Refused(_) | OidcError::BadToken(_) => {
            tracing::info!(error = %e, "OpenID login refused");
            ApiError::unauthorized("the identity provider did not confirm this login, try again")
        }
    }
}
