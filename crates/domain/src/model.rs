//! Plain data the roles hand to each other and to the edges: what a user,
//! a session or a token pair *is*, independent of any wire format.

use crate::{
    Avatar, DeviceId, Email, Nickname, SessionId, StatusText, Timestamp, UserId, Username,
};

/// A registered account as others may see it (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub nickname: Nickname,
    pub avatar: Avatar,
    pub created_at: Timestamp,
    /// Found by others in the user directory (`GET /api/v1/users/search`);
    /// a user may turn it off. Shown to the user only.
    pub discoverable: bool,
    /// The account was deleted: its profile erased, kept only so that
    /// what it wrote still names someone ("Deleted user").
    pub deleted: bool,
    /// Seen by the user only; unique among users without regard to case.
    pub email: Option<Email>,
    /// Public, beside the name.
    pub status: StatusText,
    /// Holds the admin role (granted by the operator with `ferrochat
    /// admin grant`): may call the admin API. Shown to the user only.
    pub admin: bool,
    /// Disabled by an administrator until then (`Timestamp::FOREVER`:
    /// until enabled): cannot log in, its sessions ended. Shown to
    /// administrators only.
    pub disabled_until: Option<Timestamp>,
    /// What administrators restricted short of disabling the account.
    pub sanctions: Sanctions,
}

/// An administrator's restrictions on an account that still works, each
/// until a time (`Timestamp::FOREVER`: until lifted; none or past: not in
/// force). Shown to the user and to administrators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sanctions {
    /// Every send is refused, in every conversation.
    pub muted_until: Option<Timestamp>,
    /// The world room is closed to the user: no reading, no writing, no
    /// deliveries.
    pub world_banned_until: Option<Timestamp>,
}

/// One kind of sanction, as an administrator sets or lifts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanction {
    Mute,
    WorldBan,
}

impl Sanction {
    pub const ALL: [Sanction; 2] = [Sanction::Mute, Sanction::WorldBan];

    /// The name it has in the audit log, the API and storage.
    pub fn name(self) -> &'static str {
        match self {
            Sanction::Mute => "mute",
            Sanction::WorldBan => "world_ban",
        }
    }

    pub fn from_name(name: &str) -> Option<Sanction> {
        Sanction::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl Sanctions {
    /// Until when `sanction` holds, if it was set (it may have passed).
    pub fn until(&self, sanction: Sanction) -> Option<Timestamp> {
        match sanction {
            Sanction::Mute => self.muted_until,
            Sanction::WorldBan => self.world_banned_until,
        }
    }

    /// Whether `sanction` is in force at `now`.
    pub fn holds_at(&self, sanction: Sanction, now: Timestamp) -> bool {
        self.until(sanction).is_some_and(|until| until > now)
    }
}

impl User {
    /// Whether the account is disabled at `now`.
    pub fn disabled_at(&self, now: Timestamp) -> bool {
        self.disabled_until.is_some_and(|until| until > now)
    }

    /// Whether the account may act as an administrator at `now`: it holds
    /// the admin role and is neither deleted nor disabled.
    pub fn administers_at(&self, now: Timestamp) -> bool {
        self.admin && !self.deleted && !self.disabled_at(now)
    }
}

/// A live session as its user sees it in their list of sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: SessionId,
    pub device_id: Option<DeviceId>,
    pub created_at: Timestamp,
    /// The login or the last refresh, whichever is later.
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Who is making a request: proven by a valid, unrevoked access token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    pub user_id: UserId,
    pub session_id: SessionId,
}

/// An access token that checked out: whom it names, and when it stops
/// working (a WebSocket opened with it is closed 4001 then, unless the
/// client re-authenticates on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub who: Principal,
    pub expires_at: Timestamp,
}

/// A freshly issued token pair. The strings are secrets: never log them.
#[derive(Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Lifetime of the access token, in seconds.
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// What a successful login returns.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub tokens: TokenPair,
    pub user: User,
}
