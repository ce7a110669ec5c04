//! `Accounts`, the logic role's implementation of `AccountsApi`.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_domain::commands::{ChangePassword, Login, Register, SearchUsers, UpdateProfile};
use ferrochat_domain::oidc::{OidcFinish, OidcStart};
use ferrochat_domain::push::{Device, RegisterDevice};
use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::DeviceId;
use ferrochat_domain::{
    Authenticated, Avatar, ErrorKind, LoginOutcome, Nickname, Password, Principal, PushDeviceId,
    SessionId, StatusText, Timestamp, TokenPair, User, UserId, Username,
};
use ferrochat_ports::api::MAX_LISTED_SESSIONS;
use ferrochat_ports::bus::DownstreamRecord;
use ferrochat_ports::store::{NewSession, RotateOutcome, Rotation, SessionInfo};
use ferrochat_ports::{AccountsApi, ApiError, Store, StoreError};

use super::config::AuthConfig;
use super::external::ExternalTokens;
use super::oidc::Provider;
use super::password::{HashError, PasswordHasher};
use super::sessions::Sessions;
use super::tokens::{hash_refresh_token, new_refresh_token, TokenKeys};
use crate::clock;
use crate::deps::LogicDeps;
use crate::error::{internal, store};
use crate::groups::Groups;
use crate::messaging::AccessCache;
use crate::role::RoleError;
use crate::users::Profiles;

const BAD_CREDENTIALS: &str = "invalid username or password";
pub(super) const BAD_TOKEN: &str = "invalid or expired token";
/// Access tokens issued here are about 300 bytes.
const MAX_ACCESS_TOKEN_BYTES: usize = 512;
/// An outside issuer's tokens are larger (RSA signatures, more claims);
/// past this, not worth decoding.
const MAX_EXTERNAL_TOKEN_BYTES: usize = 8 * 1024;

/// What an account is tied to that its deletion must undo: the other
/// services' caches and the groups it is in.
pub(crate) struct Ties {
    pub(crate) profiles: Arc<Profiles>,
    pub(crate) access: Arc<AccessCache>,
    pub(crate) groups: Arc<Groups>,
}

pub struct Accounts {
    pub(super) store: Arc<dyn Store>,
    deps: LogicDeps,
    pub(super) profiles: Arc<Profiles>,
    pub(super) access: Arc<AccessCache>,
    pub(super) groups: Arc<Groups>,
    pub(super) sessions: Sessions,
    pub(super) keys: TokenKeys,
    /// `[auth.external]`, when set.
    external: Option<ExternalTokens>,
    /// `[auth.oidc]`, when set.
    pub(super) oidc: Option<Provider>,
    pub(super) hasher: PasswordHasher,
    access_ttl_ms: i64,
    refresh_ttl_ms: i64,
    pub(super) max_sessions: u32,
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Accounts {
    /// `secret` signs access tokens; every logic instance must share it.
    pub(crate) fn new(
        deps: LogicDeps,
        ties: Ties,
        sessions: Sessions,
        cfg: &AuthConfig,
        secret: &[u8],
    ) -> Result<Self, RoleError> {
        let hasher = PasswordHasher::new(&cfg.password_hash)
            .map_err(|e| RoleError::PasswordHash(e.to_string()))?;
        let external = ExternalTokens::new(&cfg.external).map_err(RoleError::ExternalAuth)?;
        let oidc = Provider::new(&cfg.oidc).map_err(RoleError::ExternalAuth)?;
        Ok(Self {
            store: deps.store.clone(),
            deps,
            profiles: ties.profiles,
            access: ties.access,
            groups: ties.groups,
            sessions,
            keys: TokenKeys::new(secret),
            external,
            oidc,
            hasher,
            access_ttl_ms: millis(cfg.access_ttl),
            refresh_ttl_ms: millis(cfg.refresh_ttl),
            max_sessions: cfg.max_sessions,
        })
    }

    fn issue_access(&self, who: &Principal, now: Timestamp) -> Result<String, ApiError> {
        self.keys
            .issue(who, now, now.plus_millis(self.access_ttl_ms))
            .map_err(|e| internal("signing an access token", &e))
    }

    /// Asks every gateway holding a socket of these sessions of `user`'s
    /// to close it (4001): one record per session, one publish per
    /// gateway. Best effort: a socket that escapes is refused at its next
    /// token check anyway, since the sessions are revoked in the store and
    /// forgotten by the session caches.
    pub(super) async fn close_sockets(&self, user: &UserId, sessions: &[SessionId]) {
        if sessions.is_empty() {
            return;
        }
        let routes = match self.deps.presence.routes(std::slice::from_ref(user)).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "cannot find a revoked session's sockets");
                return;
            }
        };
        let gateways: BTreeSet<GatewayId> = routes.into_iter().map(|(_, r)| r.gateway).collect();
        for g in gateways {
            let records = sessions
                .iter()
                .map(|s| DownstreamRecord::CloseSession { session: s.clone() })
                .collect();
            // Waited for: the logout is answered once the close is durable.
            let published = match self.deps.bus.publish_downstream(&g, records).await {
                Ok(p) => p.await,
                Err(e) => Err(e),
            };
            if let Err(e) = published {
                tracing::debug!(error = %e, "cannot reach a gateway to close a session");
            }
        }
    }

    /// Opens a session of `user` (logged in a moment ago), with a refresh
    /// token; past `max_sessions` the one seen least recently ends.
    pub(super) async fn open_session(
        &self,
        user: User,
        device_id: Option<DeviceId>,
    ) -> Result<LoginOutcome, ApiError> {
        let now = clock::now();
        let who = Principal {
            user_id: user.id.clone(),
            session_id: SessionId::generate(),
        };
        let refresh = new_refresh_token();
        self.store
            .insert_session(&NewSession {
                id: who.session_id.clone(),
                user_id: user.id.clone(),
                device_id,
                created_at: now,
                expires_at: now.plus_millis(self.refresh_ttl_ms),
                refresh_hash: hash_refresh_token(&refresh),
            })
            .await
            .map_err(|e| match e {
                // Disabled (or deleted) since its credentials were read.
                StoreError::Conflict(_) => disabled(),
                e => store("creating a session", e),
            })?;
        let access = self.issue_access(&who, now)?;
        self.trim_sessions(&user.id).await;
        metrics::counter!("ferrochat_logic_logins_total").increment(1);
        Ok(LoginOutcome {
            tokens: self.pair(access, refresh),
            user,
        })
    }

    fn pair(&self, access_token: String, refresh_token: String) -> TokenPair {
        TokenPair {
            access_token,
            refresh_token,
            expires_in: u64::try_from(self.access_ttl_ms / 1000).unwrap_or(0),
        }
    }
}

pub(super) fn hash_failed(e: HashError) -> ApiError {
    internal("password hashing", &e)
}

#[async_trait]
impl AccountsApi for Accounts {
    async fn register(&self, cmd: Register) -> Result<User, ApiError> {
        let hash = self
            .hasher
            .hash(cmd.password.expose().to_owned())
            .await
            .map_err(hash_failed)?;
        let user = new_account(cmd.username, cmd.nickname);
        match self.store.insert_user(&user, &hash).await {
            Ok(()) => {
                metrics::counter!("ferrochat_logic_registrations_total").increment(1);
                Ok(user)
            }
            Err(StoreError::Conflict(_)) => Err(ApiError::new(
                ErrorKind::Conflict,
                "username is already taken",
            )),
            Err(e) => Err(store("registering a user", e)),
        }
    }

    async fn login(&self, cmd: Login) -> Result<LoginOutcome, ApiError> {
        let found = self
            .store
            .credentials(&cmd.username.key())
            .await
            .map_err(|e| store("looking up credentials", e))?;
        let (user, stored_hash) = match found {
            Some(c) => (Some(c.user), Some(c.password_hash)),
            None => (None, None),
        };
        let ok = self
            .hasher
            .verify(cmd.password.expose().to_owned(), stored_hash)
            .await
            .map_err(hash_failed)?;
        let user = match (ok, user) {
            (true, Some(u)) => u,
            _ => return Err(ApiError::unauthorized(BAD_CREDENTIALS)),
        };
        // Said only to whoever knows the password.
        if user.disabled_at(clock::now()) {
            return Err(disabled());
        }
        self.open_session(user, cmd.device_id).await
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, ApiError> {
        let now = clock::now();
        let next = new_refresh_token();
        let outcome = self
            .store
            .rotate_refresh(&Rotation {
                presented_hash: hash_refresh_token(refresh_token),
                new_hash: hash_refresh_token(&next),
                now,
                new_expires_at: now.plus_millis(self.refresh_ttl_ms),
            })
            .await
            .map_err(|e| store("rotating a refresh token", e))?;
        match outcome {
            RotateOutcome::Rotated(session) => {
                // Its expiry moved on: a cached copy would end it early.
                self.sessions.forget(&session.id).await;
                let who = Principal {
                    user_id: session.user_id,
                    session_id: session.id,
                };
                let access = self.issue_access(&who, now)?;
                Ok(self.pair(access, next))
            }
            RotateOutcome::Reused { session, user } => {
                tracing::warn!(session.id = %session, "rotated refresh token reused; session revoked");
                // Refused whether or not the forget reached the shared
                // cache; a failure is logged and counted there.
                self.sessions.forget(&session).await;
                self.close_sockets(&user, std::slice::from_ref(&session))
                    .await;
                Err(ApiError::unauthorized(BAD_TOKEN))
            }
            RotateOutcome::Invalid => Err(ApiError::unauthorized(BAD_TOKEN)),
        }
    }

    async fn logout(&self, who: &Principal) -> Result<(), ApiError> {
        self.store
            .revoke_session(&who.session_id, clock::now())
            .await
            .map_err(|e| store("revoking a session", e))?;
        self.ended(&who.user_id, std::slice::from_ref(&who.session_id))
            .await
    }

    async fn authenticate(&self, access_token: &str) -> Result<Authenticated, ApiError> {
        if access_token.len() > MAX_EXTERNAL_TOKEN_BYTES {
            return Err(ApiError::unauthorized(BAD_TOKEN));
        }
        if let Some(external) = self
            .external
            .as_ref()
            .filter(|e| e.claims_to_be_ours(access_token))
        {
            return self.authenticate_external(external, access_token).await;
        }
        // Longer than any token issued here: not worth decoding.
        if access_token.len() > MAX_ACCESS_TOKEN_BYTES {
            return Err(ApiError::unauthorized(BAD_TOKEN));
        }
        let checked = self
            .keys
            .verify(access_token)
            .ok_or_else(|| ApiError::unauthorized(BAD_TOKEN))?;
        let who = &checked.who;
        let session = self
            .sessions
            .get(&who.session_id)
            .await
            .map_err(|e| store("checking a session", e))?;
        match session {
            Some(s) if s.user_id == who.user_id && s.is_live(clock::now()) => Ok(checked),
            _ => Err(ApiError::unauthorized(BAD_TOKEN)),
        }
    }

    async fn user(&self, id: &UserId) -> Result<User, ApiError> {
        self.profiles
            .get(id)
            .await?
            .ok_or_else(|| ApiError::not_found("no such user"))
    }

    async fn update_profile(&self, id: &UserId, cmd: UpdateProfile) -> Result<User, ApiError> {
        let updated = match self.store.update_profile(id, &cmd).await {
            Ok(u) => u,
            // The only unique value a profile update writes.
            Err(StoreError::Conflict(_)) => {
                return Err(ApiError::conflict(
                    "email is already in use by another account",
                ))
            }
            Err(e) => return Err(store("updating a profile", e)),
        };
        self.profiles.changed(id).await;
        updated.ok_or_else(|| ApiError::not_found("no such user"))
    }

    async fn search_users(&self, who: &UserId, search: SearchUsers) -> Result<Vec<User>, ApiError> {
        self.store
            .search_users(who, &search)
            .await
            .map_err(|e| store("searching users", e))
    }

    async fn sessions(&self, who: &Principal) -> Result<Vec<SessionInfo>, ApiError> {
        self.store
            .live_sessions(&who.user_id, clock::now(), MAX_LISTED_SESSIONS)
            .await
            .map_err(|e| store("listing sessions", e))
    }

    async fn end_session(&self, who: &Principal, id: &SessionId) -> Result<(), ApiError> {
        self.end_one(who, id).await
    }

    async fn logout_others(&self, who: &Principal) -> Result<u32, ApiError> {
        self.end_others(who).await
    }

    async fn change_password(&self, who: &Principal, cmd: ChangePassword) -> Result<u32, ApiError> {
        self.set_password(who, cmd).await
    }

    async fn delete_account(&self, who: &Principal, password: Password) -> Result<(), ApiError> {
        self.erase(who, password).await
    }

    async fn reset_password(&self, token: &str, new: Password) -> Result<u32, ApiError> {
        self.reset(token, new).await
    }

    async fn register_device(
        &self,
        who: &Principal,
        cmd: RegisterDevice,
    ) -> Result<Device, ApiError> {
        self.put_device(who, cmd).await
    }

    async fn devices(&self, who: &Principal) -> Result<Vec<Device>, ApiError> {
        self.list_devices(who).await
    }

    async fn remove_device(&self, who: &Principal, id: &PushDeviceId) -> Result<(), ApiError> {
        self.delete_device(who, id).await
    }

    async fn oidc_provider(&self) -> Result<String, ApiError> {
        self.oidc_name()
    }

    async fn oidc_authorization(&self, start: OidcStart) -> Result<String, ApiError> {
        self.oidc_start(&start).await
    }

    async fn oidc_login(&self, finish: OidcFinish) -> Result<LoginOutcome, ApiError> {
        self.oidc_finish(finish).await
    }
}

/// A new account's profile: its own id, now, the defaults, and the
/// username as its nickname unless one is given.
pub(super) fn new_account(username: Username, nickname: Option<Nickname>) -> User {
    User {
        discoverable: true,
        deleted: false,
        email: None,
        status: StatusText::default(),
        admin: false,
        disabled_until: None,
        sanctions: Default::default(),
        id: UserId::generate(),
        nickname: nickname.unwrap_or_else(|| Nickname::from_username(&username)),
        username,
        avatar: Avatar::default(),
        created_at: clock::now(),
    }
}

/// A login to an account an administrator disabled.
pub(super) fn disabled() -> ApiError {
    ApiError::forbidden("this account is disabled")
}

/// An account that was deleted: it takes no new session by any way in.
pub(super) fn deleted() -> ApiError {
    ApiError::unauthorized("this account was deleted")
}
