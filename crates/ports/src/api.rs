//! Role APIs: what the gateway asks of logic. Embedded, these are direct
//! calls into the logic role; in a cluster, a gRPC client implements them.

use async_trait::async_trait;
use ferrochat_domain::commands::{Login, Register, UpdateProfile};
use ferrochat_domain::{ErrorKind, InvalidField, LoginOutcome, Principal, TokenPair, User, UserId};

/// An error as the contract sees it: a kind (which becomes the code) and a
/// message a client may read. Internal causes are logged where they happen
/// and never travel in `message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn internal() -> Self {
        Self::new(ErrorKind::Internal, "internal error")
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
}

impl From<InvalidField> for ApiError {
    fn from(e: InvalidField) -> Self {
        Self::new(e.kind(), e.to_string())
    }
}

/// Accounts, sessions and tokens (contract.md, "Accounts").
#[async_trait]
pub trait AccountsApi: Send + Sync + 'static {
    async fn register(&self, cmd: Register) -> Result<User, ApiError>;
    /// A wrong password and an unknown user give the same error.
    async fn login(&self, cmd: Login) -> Result<LoginOutcome, ApiError>;
    /// Rotates the refresh token. Presenting a token that was already
    /// rotated revokes its whole session (reuse detection).
    async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, ApiError>;
    async fn logout(&self, who: &Principal) -> Result<(), ApiError>;
    /// Verifies an access token: signature, expiry and that its session is
    /// still live.
    async fn authenticate(&self, access_token: &str) -> Result<Principal, ApiError>;
    async fn user(&self, id: &UserId) -> Result<User, ApiError>;
    async fn update_profile(&self, id: &UserId, cmd: UpdateProfile) -> Result<User, ApiError>;
}

/// Whether this process can serve: its store (and later bus) reachable.
#[async_trait]
pub trait Readiness: Send + Sync + 'static {
    /// `Err` names what is not ready.
    async fn check(&self) -> Result<(), String>;
}
