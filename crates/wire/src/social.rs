//! Friends, blocks and group-member DTOs, and their decoders.

use ferrochat_domain::commands::UpdateMember;
use ferrochat_domain::groups::{MembersPage, Role};
use ferrochat_domain::social::{FriendRequest, RequestMessage};
use ferrochat_domain::{InvalidField, Timestamp, User, UserId};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::required;
use crate::messaging::int_param;
use crate::time::{parse_rfc3339, rfc3339};

pub(crate) fn user_id(raw: &str, field: &'static str) -> Result<UserId, InvalidField> {
    UserId::parse(raw).map_err(|_| InvalidField::new(field, "is not a valid id"))
}

/// Tells "absent" (`None`) from "null" (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FriendRequestBody {
    #[schema(value_type = String)]
    pub to_user_id: Option<String>,
    pub message: Option<String>,
}

impl FriendRequestBody {
    pub fn decode(self) -> Result<(UserId, RequestMessage), InvalidField> {
        let to = user_id(&required(self.to_user_id, "to_user_id")?, "to_user_id")?;
        let message = RequestMessage::parse(self.message.unwrap_or_default())?;
        Ok((to, message))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UserIdsBody {
    #[schema(value_type = Vec<String>)]
    pub user_ids: Option<Vec<String>>,
}

impl UserIdsBody {
    pub fn decode(self) -> Result<Vec<UserId>, InvalidField> {
        let ids = required(self.user_ids, "user_ids")?;
        if ids.is_empty() {
            return Err(InvalidField::new("user_ids", "must not be empty"));
        }
        ids.iter().map(|id| user_id(id, "user_ids")).collect()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TransferBody {
    #[schema(value_type = String)]
    pub user_id: Option<String>,
}

impl TransferBody {
    pub fn decode(self) -> Result<UserId, InvalidField> {
        user_id(&required(self.user_id, "user_id")?, "user_id")
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMemberBody {
    pub role: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub muted_until: Option<Option<String>>,
}

impl TryFrom<UpdateMemberBody> for UpdateMember {
    type Error = InvalidField;
    fn try_from(b: UpdateMemberBody) -> Result<Self, InvalidField> {
        let role = match b.role.as_deref() {
            None => None,
            Some("admin") => Some(Role::Admin),
            Some("member") => Some(Role::Member),
            Some("owner") => Some(Role::Owner),
            Some(_) => return Err(InvalidField::new("role", "must be \"admin\" or \"member\"")),
        };
        let muted_until = match b.muted_until {
            None => None,
            Some(None) => Some(None),
            Some(Some(s)) => Some(Some(parse_rfc3339(&s).ok_or_else(|| {
                InvalidField::new("muted_until", "must be an RFC 3339 time or null")
            })?)),
        };
        if role.is_none() && muted_until.is_none() {
            return Err(InvalidField::new("role", "role or muted_until is required"));
        }
        Ok(UpdateMember { role, muted_until })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FriendRequestDto {
    pub request_id: String,
    pub from_user_id: String,
    pub to_user_id: String,
    #[schema(schema_with = crate::schema::request_status)]
    pub status: &'static str,
    pub message: String,
    pub created_at: String,
}

impl From<&FriendRequest> for FriendRequestDto {
    fn from(r: &FriendRequest) -> Self {
        Self {
            request_id: r.id.to_string(),
            from_user_id: r.from.to_string(),
            to_user_id: r.to.to_string(),
            status: r.status.as_str(),
            message: r.message.as_str().to_owned(),
            created_at: rfc3339(r.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestsDto {
    pub incoming: Vec<FriendRequestDto>,
    pub outgoing: Vec<FriendRequestDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FriendDto {
    pub user_id: String,
    pub username: String,
    pub nickname: String,
    pub online: bool,
}

impl FriendDto {
    pub fn new(u: &User, online: bool) -> Self {
        Self {
            user_id: u.id.to_string(),
            username: u.username.as_str().to_owned(),
            nickname: u.nickname.as_str().to_owned(),
            online,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FriendsDto {
    pub friends: Vec<FriendDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub user_id: String,
    #[schema(schema_with = crate::schema::role)]
    pub role: &'static str,
    pub muted_until: Option<String>,
}

impl MemberDto {
    pub fn new(user_id: &UserId, role: Role, muted_until: Option<Timestamp>) -> Self {
        Self {
            user_id: user_id.to_string(),
            role: role.as_str(),
            muted_until: muted_until.map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembersDto {
    pub members: Vec<MemberDto>,
}

/// `data` of a members list: one page, in user id order.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembersPageDto {
    pub members: Vec<MemberDto>,
    pub has_more: bool,
}

/// `GET /api/v1/groups/{id}/members?after=&limit=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MembersParams {
    /// A user id: the members after it.
    #[param(value_type = Option<String>)]
    pub after: Option<String>,
    /// 1-1,000, default 1,000.
    #[param(value_type = Option<u64>)]
    pub limit: Option<String>,
}

impl TryFrom<MembersParams> for MembersPage {
    type Error = InvalidField;
    fn try_from(p: MembersParams) -> Result<Self, InvalidField> {
        MembersPage::parse(p.after.as_deref(), int_param(p.limit, "limit")?)
    }
}

/// `data` of a `presence` frame.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresenceDto {
    pub user_id: String,
    pub online: bool,
}

/// `data` of a `group-invited` frame.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupInvitedDto {
    pub group_id: String,
    pub conversation_id: String,
    pub name: String,
    pub by_user_id: String,
}
