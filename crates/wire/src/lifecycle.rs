//! A user's hold on their account: bodies and answers of
//! `/api/v1/auth/sessions`, `/api/v1/auth/logout/others`,
//! `/api/v1/auth/password`, `/api/v1/auth/password/reset` and
//! `/api/v1/users/delete`.

use ferrochat_domain::commands::ChangePassword;
use ferrochat_domain::SessionInfo;
use ferrochat_domain::{InvalidField, Password, SessionId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::required;
use crate::time::rfc3339;

/// One live session; `current` marks the one asking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionDto {
    pub session_id: String,
    pub device_id: Option<String>,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionsDto {
    pub sessions: Vec<SessionDto>,
}

impl SessionsDto {
    pub fn new(sessions: &[SessionInfo], current: &SessionId) -> Self {
        Self {
            sessions: sessions
                .iter()
                .map(|s| SessionDto {
                    session_id: s.id.to_string(),
                    device_id: s.device_id.as_ref().map(|d| d.as_str().to_owned()),
                    created_at: rfc3339(s.created_at),
                    last_seen_at: rfc3339(s.last_seen_at),
                    expires_at: rfc3339(s.expires_at),
                    current: &s.id == current,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ChangePasswordBody {
    #[schema(value_type = String)]
    pub current_password: Option<String>,
    #[schema(value_type = String)]
    pub new_password: Option<String>,
}

impl TryFrom<ChangePasswordBody> for ChangePassword {
    type Error = InvalidField;
    fn try_from(b: ChangePasswordBody) -> Result<Self, InvalidField> {
        ChangePassword::parse(
            required(b.current_password, "current_password")?,
            required(b.new_password, "new_password")?,
        )
    }
}

/// How many sessions a request ended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevokedDto {
    pub revoked: u32,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeleteAccountBody {
    #[schema(value_type = String)]
    pub password: Option<String>,
}

impl DeleteAccountBody {
    pub fn decode(self) -> Result<Password, InvalidField> {
        Password::parse(required(self.password, "password")?)
    }
}

/// `POST /api/v1/auth/password/reset`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResetPasswordBody {
    /// A reset token from `ferrochat admin reset-password`.
    #[schema(value_type = String)]
    pub token: Option<String>,
    #[schema(value_type = String)]
    pub new_password: Option<String>,
}

impl ResetPasswordBody {
    /// The token (a reset token is about 250 bytes: a longer one is no
    /// token the server issued) and the new password.
    pub fn decode(self) -> Result<(String, Password), InvalidField> {
        let token = required(self.token, "token")?;
        if token.is_empty() || token.len() > 512 {
            return Err(InvalidField::new("token", "is malformed"));
        }
        let new = Password::parse(required(self.new_password, "new_password")?)
            .map_err(|e| e.renamed("new_password"))?;
        Ok((token, new))
    }
}
