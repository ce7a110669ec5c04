//! Account DTOs: request bodies as clients send them (raw, all optional so
//! a missing field is reported by name) and their decoders; response bodies.

use ferrochat_domain::commands::{Login, Register, SearchUsers, UpdateProfile};
use ferrochat_domain::{
    Avatar, DeviceId, InvalidField, LoginOutcome, Nickname, Password, StatusText, TokenPair, User,
    Username,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::time::rfc3339;

/// A required field: absent means "missing", which the decoder names.
pub(crate) fn required<T>(v: Option<T>, field: &'static str) -> Result<T, InvalidField> {
    v.ok_or_else(|| InvalidField::new(field, "is required"))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterBody {
    #[schema(value_type = String)]
    pub username: Option<String>,
    #[schema(value_type = String)]
    pub password: Option<String>,
    pub nickname: Option<String>,
}

impl TryFrom<RegisterBody> for Register {
    type Error = InvalidField;
    fn try_from(b: RegisterBody) -> Result<Self, InvalidField> {
        Ok(Register {
            username: Username::parse(required(b.username, "username")?)?,
            password: Password::parse(required(b.password, "password")?)?,
            nickname: b.nickname.map(Nickname::parse).transpose()?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    #[schema(value_type = String)]
    pub username: Option<String>,
    #[schema(value_type = String)]
    pub password: Option<String>,
    pub device_id: Option<String>,
}

impl TryFrom<LoginBody> for Login {
    type Error = InvalidField;
    fn try_from(b: LoginBody) -> Result<Self, InvalidField> {
        Ok(Login {
            username: Username::parse(required(b.username, "username")?)?,
            password: Password::parse(required(b.password, "password")?)?,
            device_id: b.device_id.map(DeviceId::parse).transpose()?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshBody {
    #[schema(value_type = String)]
    pub refresh_token: Option<String>,
}

impl RefreshBody {
    pub fn decode(self) -> Result<String, InvalidField> {
        let t = required(self.refresh_token, "refresh_token")?;
        if t.is_empty() || t.len() > 512 {
            return Err(InvalidField::new("refresh_token", "is malformed"));
        }
        Ok(t)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UpdateProfileBody {
    pub nickname: Option<String>,
    pub avatar: Option<String>,
    /// Found by others in the user directory.
    pub discoverable: Option<bool>,
    /// Empty removes it.
    pub email: Option<String>,
    pub status_text: Option<String>,
}

impl TryFrom<UpdateProfileBody> for UpdateProfile {
    type Error = InvalidField;
    fn try_from(b: UpdateProfileBody) -> Result<Self, InvalidField> {
        Ok(UpdateProfile {
            discoverable: b.discoverable,

            nickname: b.nickname.map(Nickname::parse).transpose()?,
            avatar: b.avatar.map(Avatar::parse).transpose()?,
            email: UpdateProfile::parse_email(b.email)?,
            status: b.status_text.map(StatusText::parse).transpose()?,
        })
    }
}

/// Register's answer and the public profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDto {
    pub user_id: String,
    pub username: String,
    pub nickname: String,
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        Self {
            user_id: u.id.to_string(),
            username: u.username.as_str().to_owned(),
            nickname: u.nickname.as_str().to_owned(),
        }
    }
}

/// The full profile, as anyone sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProfileDto {
    pub user_id: String,
    pub username: String,
    pub nickname: String,
    pub avatar: String,
    pub created_at: String,
    pub status_text: String,
    /// The account was deleted: the rest is what stands in for it.
    pub deleted: bool,
}

impl From<&User> for ProfileDto {
    fn from(u: &User) -> Self {
        Self {
            user_id: u.id.to_string(),
            username: u.username.as_str().to_owned(),
            nickname: u.nickname.as_str().to_owned(),
            avatar: u.avatar.as_str().to_owned(),
            created_at: rfc3339(u.created_at),
            status_text: u.status.as_str().to_owned(),
            deleted: u.deleted,
        }
    }
}

/// One's own profile: the public one and one's settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnProfileDto {
    #[serde(flatten)]
    pub profile: ProfileDto,
    pub discoverable: bool,
    /// Null: none given.
    pub email: Option<String>,
    /// Holds the admin role: may call `/api/v1/admin/*`.
    pub admin: bool,
}

impl From<&User> for OwnProfileDto {
    fn from(u: &User) -> Self {
        Self {
            profile: ProfileDto::from(u),
            discoverable: u.discoverable,
            email: u.email.as_ref().map(|e| e.as_str().to_owned()),
            admin: u.admin,
        }
    }
}

/// Query string of GET /api/v1/users/search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchUsersParams {
    /// The prefix to find: 1-32 characters once trimmed.
    #[param(value_type = String, required = true)]
    pub q: Option<String>,
    /// The `next` of the previous page.
    #[param(value_type = Option<String>)]
    pub after: Option<String>,
    /// 1-50, default 20.
    #[param(value_type = Option<u64>)]
    pub limit: Option<String>,
}

impl TryFrom<SearchUsersParams> for SearchUsers {
    type Error = InvalidField;
    fn try_from(p: SearchUsersParams) -> Result<Self, InvalidField> {
        SearchUsers::parse(
            required(p.q, "q")?,
            p.after,
            crate::messaging::int_param(p.limit, "limit")?,
        )
    }
}

/// A page of the directory; `next`: the `after` of the next page, when
/// the page was full.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsersPageDto {
    pub users: Vec<ProfileDto>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokensDto {
    pub access_token: String,
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    pub expires_in: u64,
}

impl From<TokenPair> for TokensDto {
    fn from(t: TokenPair) -> Self {
        Self {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: "Bearer",
            expires_in: t.expires_in,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginDto {
    #[serde(flatten)]
    pub tokens: TokensDto,
    pub user: ProfileDto,
}

impl From<LoginOutcome> for LoginDto {
    fn from(o: LoginOutcome) -> Self {
        Self {
            user: ProfileDto::from(&o.user),
            tokens: o.tokens.into(),
        }
    }
}

/// The OpenID provider users may log in with (`GET /api/v1/auth/oidc`).
#[derive(Debug, Serialize, ToSchema)]
pub struct OidcProviderDto {
    /// As the login button names it: "Log in with {name}".
    #[schema(example = "Example ID")]
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_are_named() {
        let b: RegisterBody = serde_json::from_str(r#"{"password":"12345678"}"#).unwrap();
        let e = Register::try_from(b).unwrap_err();
        assert_eq!(e.to_string(), "username: is required");
    }

    #[test]
    fn optional_fields_are_validated_when_present() {
        let b: UpdateProfileBody = serde_json::from_str(r#"{"nickname":"  "}"#).unwrap();
        assert_eq!(UpdateProfile::try_from(b).unwrap_err().field, "nickname");
    }
}
