//! Accounts: register, login, tokens, sessions, profiles.

use ferrochat_domain::commands::{ChangePassword, Login, Register, SearchUsers, UpdateProfile};
use ferrochat_domain::oidc::{OidcCode, OidcFinish, OidcSecret, OidcStart};
use ferrochat_domain::{
    Authenticated, Avatar, DeviceId, Email, InvalidField, LoginOutcome, Nickname, Password,
    Principal, Sanctions, SessionId, StatusText, Timestamp, TokenPair, User, UserId, Username,
};

use ferrochat_ports::store::SessionInfo;

use super::{id, time};
use crate::convert::{required, DecodeError};
use crate::pb;

/// The gateway refuses longer refresh tokens before asking
/// (`ferrochat-wire`); the server holds any other caller to the same bound.
const MAX_TOKEN_BYTES: usize = 512;

fn token(raw: String, field: &'static str) -> Result<String, InvalidField> {
    if raw.is_empty() || raw.len() > MAX_TOKEN_BYTES {
        return Err(InvalidField::new(field, "is malformed"));
    }
    Ok(raw)
}

impl pb::RegisterRequest {
    pub fn new(cmd: &Register) -> Self {
        Self {
            username: cmd.username.as_str().to_owned(),
            password: cmd.password.expose().to_owned(),
            nickname: cmd.nickname.as_ref().map(|n| n.as_str().to_owned()),
        }
    }

    pub fn parse(self) -> Result<Register, InvalidField> {
        Ok(Register {
            username: Username::parse(self.username)?,
            password: Password::parse(self.password)?,
            nickname: self.nickname.map(Nickname::parse).transpose()?,
        })
    }
}

impl pb::LoginRequest {
    pub fn new(cmd: &Login) -> Self {
        Self {
            username: cmd.username.as_str().to_owned(),
            password: cmd.password.expose().to_owned(),
            device_id: cmd.device_id.as_ref().map(|d| d.as_str().to_owned()),
        }
    }

    pub fn parse(self) -> Result<Login, InvalidField> {
        Ok(Login {
            username: Username::parse(self.username)?,
            password: Password::parse(self.password)?,
            device_id: self.device_id.map(DeviceId::parse).transpose()?,
        })
    }
}

impl pb::RefreshRequest {
    pub fn new(refresh_token: &str) -> Self {
        Self {
            refresh_token: refresh_token.to_owned(),
        }
    }

    pub fn parse(self) -> Result<String, InvalidField> {
        token(self.refresh_token, "refresh_token")
    }
}

impl pb::AuthenticateRequest {
    pub fn new(access_token: &str) -> Self {
        Self {
            access_token: access_token.to_owned(),
        }
    }

    /// Any string: logic answers one that is no token it issued (empty,
    /// too long, forged) with 1002, as it does in process.
    pub fn parse(self) -> Result<String, InvalidField> {
        Ok(self.access_token)
    }
}

impl pb::GetUserRequest {
    pub fn new(user: &UserId) -> Self {
        Self {
            user_id: user.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<UserId, InvalidField> {
        id(&self.user_id, "user_id", UserId::parse)
    }
}

impl pb::UpdateProfileRequest {
    pub fn new(who: &UserId, cmd: &UpdateProfile) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            nickname: cmd.nickname.as_ref().map(|n| n.as_str().to_owned()),
            avatar: cmd.avatar.as_ref().map(|a| a.as_str().to_owned()),
            discoverable: cmd.discoverable,
            email: cmd.email_text(),
            status_text: cmd.status.as_ref().map(|s| s.as_str().to_owned()),
        }
    }

    pub fn parse(self) -> Result<(UserId, UpdateProfile), InvalidField> {
        Ok((
            id(&self.caller_id, "caller_id", UserId::parse)?,
            UpdateProfile {
                discoverable: self.discoverable,
                nickname: self.nickname.map(Nickname::parse).transpose()?,
                avatar: self.avatar.map(Avatar::parse).transpose()?,
                email: UpdateProfile::parse_email(self.email)?,
                status: self.status_text.map(StatusText::parse).transpose()?,
            },
        ))
    }
}

impl pb::CallerRequest {
    pub fn new(who: &UserId) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<UserId, InvalidField> {
        id(&self.caller_id, "caller_id", UserId::parse)
    }
}

// Principal is both a request (Logout) and, with the token's expiry, an
// answer (Authenticate).
impl From<&Principal> for pb::Principal {
    fn from(p: &Principal) -> Self {
        Self {
            user_id: p.user_id.as_str().to_owned(),
            session_id: p.session_id.as_str().to_owned(),
            token_expires_at_ms: 0,
        }
    }
}

impl From<&Authenticated> for pb::Principal {
    fn from(a: &Authenticated) -> Self {
        Self {
            token_expires_at_ms: a.expires_at.millis(),
            ..Self::from(&a.who)
        }
    }
}

impl TryFrom<pb::Principal> for Authenticated {
    type Error = DecodeError;
    fn try_from(p: pb::Principal) -> Result<Self, DecodeError> {
        // A logic that predates the field answers 0: no expiry known.
        let expires_at = match p.token_expires_at_ms {
            0 => Timestamp::from_millis(i64::MAX),
            ms => Timestamp::from_millis(ms),
        };
        Ok(Self {
            who: p.parse()?,
            expires_at,
        })
    }
}

impl pb::Principal {
    pub fn parse(self) -> Result<Principal, InvalidField> {
        Ok(Principal {
            user_id: id(&self.user_id, "user_id", UserId::parse)?,
            session_id: id(&self.session_id, "session_id", SessionId::parse)?,
        })
    }
}

impl TryFrom<pb::Principal> for Principal {
    type Error = DecodeError;
    fn try_from(p: pb::Principal) -> Result<Self, DecodeError> {
        Ok(p.parse()?)
    }
}

// --- answers --------------------------------------------------------------

impl From<&User> for pb::User {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.as_str().to_owned(),
            username: u.username.as_str().to_owned(),
            nickname: u.nickname.as_str().to_owned(),
            avatar: u.avatar.as_str().to_owned(),
            created_at_ms: u.created_at.millis(),
            discoverable: Some(u.discoverable),
            deleted: u.deleted,
            email: u.email.as_ref().map(|e| e.as_str().to_owned()),
            status_text: u.status.as_str().to_owned(),
            admin: u.admin,
            disabled_until_ms: u.disabled_until.map(Timestamp::millis),
            muted_until_ms: u.sanctions.muted_until.map(Timestamp::millis),
            world_banned_until_ms: u.sanctions.world_banned_until.map(Timestamp::millis),
        }
    }
}

impl TryFrom<pb::User> for User {
    type Error = DecodeError;
    fn try_from(u: pb::User) -> Result<Self, DecodeError> {
        Ok(Self {
            discoverable: u.discoverable.unwrap_or(true),
            deleted: u.deleted,
            email: u.email.map(Email::from_stored),
            status: StatusText::from_stored(u.status_text),
            admin: u.admin,
            disabled_until: u.disabled_until_ms.map(Timestamp::from_millis),
            sanctions: Sanctions {
                muted_until: u.muted_until_ms.map(Timestamp::from_millis),
                world_banned_until: u.world_banned_until_ms.map(Timestamp::from_millis),
            },
            id: UserId::parse(&u.id)?,
            // As stored: a rule tightened later must not make old
            // accounts unreadable.
            username: Username::from_stored(u.username),
            nickname: Nickname::from_stored(u.nickname),
            avatar: Avatar::from_stored(u.avatar),
            created_at: time(u.created_at_ms),
        })
    }
}

impl From<&TokenPair> for pb::TokenPair {
    fn from(t: &TokenPair) -> Self {
        Self {
            access_token: t.access_token.clone(),
            refresh_token: t.refresh_token.clone(),
            expires_in: t.expires_in,
        }
    }
}

impl From<pb::TokenPair> for TokenPair {
    fn from(t: pb::TokenPair) -> Self {
        Self {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
        }
    }
}

impl From<&LoginOutcome> for pb::LoginResponse {
    fn from(o: &LoginOutcome) -> Self {
        Self {
            tokens: Some((&o.tokens).into()),
            user: Some((&o.user).into()),
        }
    }
}

impl TryFrom<pb::LoginResponse> for LoginOutcome {
    type Error = DecodeError;
    fn try_from(o: pb::LoginResponse) -> Result<Self, DecodeError> {
        Ok(Self {
            tokens: required(o.tokens, "tokens")?.into(),
            user: required(o.user, "user")?.try_into()?,
        })
    }
}

impl pb::SearchUsersRequest {
    pub fn new(who: &UserId, search: &SearchUsers) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            prefix: search.prefix().to_owned(),
            after: search.after.clone(),
            limit: search.limit,
        }
    }

    /// Checked again as a client's search would be.
    pub fn parse(self) -> Result<(UserId, SearchUsers), InvalidField> {
        Ok((
            id(&self.caller_id, "caller_id", UserId::parse)?,
            SearchUsers::parse(self.prefix, self.after, Some(i64::from(self.limit)))?,
        ))
    }
}

impl From<&[User]> for pb::UsersResponse {
    fn from(users: &[User]) -> Self {
        Self {
            users: users.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::UsersResponse> for Vec<User> {
    type Error = DecodeError;
    fn try_from(a: pb::UsersResponse) -> Result<Self, DecodeError> {
        a.users.into_iter().map(User::try_from).collect()
    }
}

// --- sessions and passwords ----------------------------------------------

impl From<&SessionInfo> for pb::SessionInfo {
    fn from(s: &SessionInfo) -> Self {
        Self {
            id: s.id.as_str().to_owned(),
            device_id: s.device_id.as_ref().map(|d| d.as_str().to_owned()),
            created_at_ms: s.created_at.millis(),
            last_seen_at_ms: s.last_seen_at.millis(),
            expires_at_ms: s.expires_at.millis(),
        }
    }
}

impl TryFrom<pb::SessionInfo> for SessionInfo {
    type Error = DecodeError;
    fn try_from(s: pb::SessionInfo) -> Result<Self, DecodeError> {
        Ok(Self {
            id: id(&s.id, "session.id", SessionId::parse)?,
            // As stored: a device name is the client's own.
            device_id: s.device_id.map(DeviceId::from_stored),
            created_at: time(s.created_at_ms),
            last_seen_at: time(s.last_seen_at_ms),
            expires_at: time(s.expires_at_ms),
        })
    }
}

impl From<&[SessionInfo]> for pb::SessionsResponse {
    fn from(sessions: &[SessionInfo]) -> Self {
        Self {
            sessions: sessions.iter().map(Into::into).collect(),
        }
    }
}

impl TryFrom<pb::SessionsResponse> for Vec<SessionInfo> {
    type Error = DecodeError;
    fn try_from(r: pb::SessionsResponse) -> Result<Self, DecodeError> {
        r.sessions.into_iter().map(SessionInfo::try_from).collect()
    }
}

impl pb::EndSessionRequest {
    pub fn new(who: &Principal, session: &SessionId) -> Self {
        Self {
            caller: Some(who.into()),
            session_id: session.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(Principal, SessionId), InvalidField> {
        Ok((
            required_caller(self.caller)?,
            id(&self.session_id, "session_id", SessionId::parse)?,
        ))
    }
}

impl pb::ChangePasswordRequest {
    pub fn new(who: &Principal, cmd: &ChangePassword) -> Self {
        Self {
            caller: Some(who.into()),
            current_password: cmd.current.expose().to_owned(),
            new_password: cmd.new.expose().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(Principal, ChangePassword), InvalidField> {
        Ok((
            required_caller(self.caller)?,
            ChangePassword::parse(self.current_password, self.new_password)?,
        ))
    }
}

impl pb::DeleteAccountRequest {
    pub fn new(who: &Principal, password: &Password) -> Self {
        Self {
            caller: Some(who.into()),
            password: password.expose().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(Principal, Password), InvalidField> {
        Ok((
            required_caller(self.caller)?,
            Password::parse(self.password)?,
        ))
    }
}

impl pb::ResetPasswordRequest {
    pub fn new(token: &str, new: &Password) -> Self {
        Self {
            token: token.to_owned(),
            new_password: new.expose().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(String, Password), InvalidField> {
        Ok((
            token(self.token, "token")?,
            Password::parse(self.new_password).map_err(|e| e.renamed("new_password"))?,
        ))
    }
}

impl pb::OidcAuthorizationRequest {
    pub fn new(start: &OidcStart) -> Self {
        Self {
            state: start.state.as_str().to_owned(),
            nonce: start.nonce.as_str().to_owned(),
            code_challenge: start.code_challenge.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<OidcStart, InvalidField> {
        Ok(OidcStart {
            state: OidcSecret::parse("state", self.state)?,
            nonce: OidcSecret::parse("nonce", self.nonce)?,
            code_challenge: OidcSecret::parse("code_challenge", self.code_challenge)?,
        })
    }
}

impl pb::OidcLoginRequest {
    pub fn new(finish: &OidcFinish) -> Self {
        Self {
            code: finish.code.as_str().to_owned(),
            code_verifier: finish.code_verifier.as_str().to_owned(),
            nonce: finish.nonce.as_str().to_owned(),
            device_id: finish.device_id.as_ref().map(|d| d.as_str().to_owned()),
        }
    }

    pub fn parse(self) -> Result<OidcFinish, InvalidField> {
        Ok(OidcFinish {
            code: OidcCode::parse(self.code)?,
            code_verifier: OidcSecret::parse("code_verifier", self.code_verifier)?,
            nonce: OidcSecret::parse("nonce", self.nonce)?,
            device_id: self.device_id.map(DeviceId::parse).transpose()?,
        })
    }
}

pub(super) fn required_caller(caller: Option<pb::Principal>) -> Result<Principal, InvalidField> {
    caller
        .ok_or_else(|| InvalidField::new("caller", "is required"))?
        .parse()
}

impl From<u32> for pb::CountResponse {
    fn from(count: u32) -> Self {
        Self { count }
    }
}

impl From<pb::CountResponse> for u32 {
    fn from(r: pb::CountResponse) -> Self {
        r.count
    }
}

impl From<pb::OidcProviderResponse> for String {
    fn from(r: pb::OidcProviderResponse) -> Self {
        r.name
    }
}

impl From<pb::OidcAuthorizationResponse> for String {
    fn from(r: pb::OidcAuthorizationResponse) -> Self {
        r.url
    }
}
