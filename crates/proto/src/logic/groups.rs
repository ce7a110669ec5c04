//! Groups: membership, roles, mutes, transfer, dissolution.

use ferrochat_domain::commands::{CreateGroup, UpdateGroup, UpdateMember};
use ferrochat_domain::groups::{
    Group, GroupAnnouncement, GroupDescription, GroupName, JoinPolicy, MembersPage, Role,
};
use ferrochat_domain::{Avatar, ConversationId, GroupId, InvalidField, UserId};
use ferrochat_ports::api::{GroupMember, GroupView, MembersList};

use super::{caller, id, ids, time};
use crate::convert::{required, DecodeError};
use crate::pb;

fn group(raw: &str) -> Result<GroupId, InvalidField> {
    id(raw, "group_id", GroupId::parse)
}

fn member(raw: &str) -> Result<UserId, InvalidField> {
    id(raw, "user_id", UserId::parse)
}

pub(crate) fn role_to_pb(r: Role) -> pb::GroupRole {
    match r {
        Role::Member => pb::GroupRole::Member,
        Role::Admin => pb::GroupRole::Admin,
        Role::Owner => pb::GroupRole::Owner,
    }
}

pub(crate) fn role_from_pb(raw: i32, field: &'static str) -> Result<Role, InvalidField> {
    match pb::GroupRole::try_from(raw) {
        Ok(pb::GroupRole::Member) => Ok(Role::Member),
        Ok(pb::GroupRole::Admin) => Ok(Role::Admin),
        Ok(pb::GroupRole::Owner) => Ok(Role::Owner),
        _ => Err(InvalidField::new(field, "is not a known role")),
    }
}

pub(crate) fn policy_to_pb(p: JoinPolicy) -> pb::JoinPolicy {
    match p {
        JoinPolicy::Open => pb::JoinPolicy::Open,
        JoinPolicy::Invite => pb::JoinPolicy::Invite,
    }
}

pub(crate) fn policy_from_pb(raw: i32) -> Result<JoinPolicy, InvalidField> {
    match pb::JoinPolicy::try_from(raw) {
        Ok(pb::JoinPolicy::Open) => Ok(JoinPolicy::Open),
        Ok(pb::JoinPolicy::Invite) => Ok(JoinPolicy::Invite),
        _ => Err(InvalidField::new(
            "join_policy",
            "must be \"open\" or \"invite\"",
        )),
    }
}

impl pb::CreateGroupRequest {
    pub fn new(who: &UserId, cmd: &CreateGroup) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            name: cmd.name.as_str().to_owned(),
            description: cmd.description.as_str().to_owned(),
            member_ids: cmd
                .member_ids
                .iter()
                .map(|u| u.as_str().to_owned())
                .collect(),
            join_policy: policy_to_pb(cmd.join_policy).into(),
            max_members: cmd.max_members,
        }
    }

    pub fn parse(self) -> Result<(UserId, CreateGroup), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            CreateGroup {
                name: GroupName::parse(self.name)?,
                description: GroupDescription::parse(self.description)?,
                member_ids: ids(&self.member_ids, "member_ids", UserId::parse)?,
                join_policy: policy_from_pb(self.join_policy)?,
                max_members: self.max_members,
            },
        ))
    }
}

impl pb::GroupRequest {
    pub fn new(who: &UserId, group: &GroupId) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            group_id: group.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, GroupId), InvalidField> {
        Ok((caller(&self.caller_id)?, group(&self.group_id)?))
    }
}

impl pb::AddMembersRequest {
    pub fn new(who: &UserId, group: &GroupId, users: &[UserId]) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            group_id: group.as_str().to_owned(),
            user_ids: users.iter().map(|u| u.as_str().to_owned()).collect(),
        }
    }

    pub fn parse(self) -> Result<(UserId, GroupId, Vec<UserId>), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            group(&self.group_id)?,
            ids(&self.user_ids, "user_ids", UserId::parse)?,
        ))
    }
}

impl pb::MemberRequest {
    pub fn new(who: &UserId, group: &GroupId, user: &UserId) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            group_id: group.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(UserId, GroupId, UserId), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            group(&self.group_id)?,
            member(&self.user_id)?,
        ))
    }
}

impl pb::UpdateMemberRequest {
    pub fn new(who: &UserId, group: &GroupId, user: &UserId, cmd: &UpdateMember) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            group_id: group.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            role: cmd.role.map(|r| role_to_pb(r).into()),
            mute: cmd.muted_until.map(|until| pb::Mute {
                until_ms: until.map(|t| t.millis()),
            }),
        }
    }

    pub fn parse(self) -> Result<(UserId, GroupId, UserId, UpdateMember), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            group(&self.group_id)?,
            member(&self.user_id)?,
            UpdateMember {
                role: self.role.map(|r| role_from_pb(r, "role")).transpose()?,
                muted_until: self.mute.map(|m| m.until_ms.map(time)),
            },
        ))
    }
}

impl From<&UpdateGroup> for pb::GroupChange {
    fn from(c: &UpdateGroup) -> Self {
        Self {
            name: c.name.as_ref().map(|n| n.as_str().to_owned()),
            description: c.description.as_ref().map(|d| d.as_str().to_owned()),
            join_policy: c.join_policy.map(|p| policy_to_pb(p).into()),
            avatar: c.avatar.as_ref().map(|a| a.as_str().to_owned()),
            announcement: c.announcement.as_ref().map(|a| a.as_str().to_owned()),
        }
    }
}

impl pb::GroupChange {
    /// The change, checked as the gateway checks it: valid fields, at
    /// least one.
    pub fn parse(self) -> Result<UpdateGroup, InvalidField> {
        let join_policy = self.join_policy.map(policy_from_pb).transpose()?;
        UpdateGroup::parse(
            self.name,
            self.description,
            join_policy,
            self.avatar,
            self.announcement,
        )
    }
}

impl pb::UpdateGroupRequest {
    pub fn new(who: &UserId, group: &GroupId, change: &UpdateGroup) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            group_id: group.as_str().to_owned(),
            change: Some(change.into()),
        }
    }

    pub fn parse(self) -> Result<(UserId, GroupId, UpdateGroup), InvalidField> {
        Ok((
            caller(&self.caller_id)?,
            group(&self.group_id)?,
            self.change.unwrap_or_default().parse()?,
        ))
    }
}

// --- answers --------------------------------------------------------------

impl From<&Group> for pb::Group {
    fn from(g: &Group) -> Self {
        Self {
            id: g.id.as_str().to_owned(),
            conversation_id: g.conversation_id.as_str().to_owned(),
            name: g.name.as_str().to_owned(),
            description: g.description.as_str().to_owned(),
            owner_id: g.owner_id.as_str().to_owned(),
            member_count: g.member_count,
            max_members: g.max_members,
            join_policy: policy_to_pb(g.join_policy).into(),
            dissolved: g.dissolved,
            avatar: g.avatar.as_str().to_owned(),
            announcement: g.announcement.as_str().to_owned(),
        }
    }
}

impl TryFrom<pb::Group> for Group {
    type Error = DecodeError;
    fn try_from(g: pb::Group) -> Result<Self, DecodeError> {
        Ok(Self {
            id: GroupId::parse(&g.id)?,
            conversation_id: ConversationId::parse(&g.conversation_id)?,
            name: GroupName::from_stored(g.name),
            description: GroupDescription::from_stored(g.description),
            owner_id: UserId::parse(&g.owner_id)?,
            member_count: g.member_count,
            max_members: g.max_members,
            join_policy: policy_from_pb(g.join_policy)?,
            dissolved: g.dissolved,
            avatar: Avatar::from_stored(g.avatar),
            announcement: GroupAnnouncement::from_stored(g.announcement),
        })
    }
}

impl From<&GroupView> for pb::GroupView {
    fn from(v: &GroupView) -> Self {
        Self {
            group: Some((&v.group).into()),
            my_role: v.my_role.map(|r| role_to_pb(r).into()),
        }
    }
}

impl TryFrom<pb::GroupView> for GroupView {
    type Error = DecodeError;
    fn try_from(v: pb::GroupView) -> Result<Self, DecodeError> {
        Ok(Self {
            group: required(v.group, "group")?.try_into()?,
            my_role: v.my_role.map(|r| role_from_pb(r, "my_role")).transpose()?,
        })
    }
}

impl From<&GroupMember> for pb::GroupMember {
    fn from(m: &GroupMember) -> Self {
        Self {
            user_id: m.user_id.as_str().to_owned(),
            role: role_to_pb(m.role).into(),
            muted_until_ms: m.muted_until.map(|t| t.millis()),
        }
    }
}

impl TryFrom<pb::GroupMember> for GroupMember {
    type Error = DecodeError;
    fn try_from(m: pb::GroupMember) -> Result<Self, DecodeError> {
        Ok(Self {
            user_id: UserId::parse(&m.user_id)?,
            role: role_from_pb(m.role, "role")?,
            muted_until: m.muted_until_ms.map(time),
        })
    }
}

impl From<&[GroupMember]> for pb::MembersResponse {
    fn from(ms: &[GroupMember]) -> Self {
        Self {
            members: ms.iter().map(Into::into).collect(),
            has_more: false,
        }
    }
}

impl From<&MembersList> for pb::MembersResponse {
    fn from(list: &MembersList) -> Self {
        Self {
            members: list.members.iter().map(Into::into).collect(),
            has_more: list.has_more,
        }
    }
}

impl TryFrom<pb::MembersResponse> for MembersList {
    type Error = DecodeError;
    fn try_from(r: pb::MembersResponse) -> Result<Self, DecodeError> {
        let has_more = r.has_more;
        Ok(Self {
            members: Vec::try_from(r)?,
            has_more,
        })
    }
}

impl pb::MembersPageRequest {
    pub fn new(who: &UserId, group: &GroupId, page: &MembersPage) -> Self {
        Self {
            caller_id: who.as_str().to_owned(),
            group_id: group.as_str().to_owned(),
            after: page.after.as_ref().map(|u| u.as_str().to_owned()),
            limit: page.limit(),
        }
    }

    pub fn parse(self) -> Result<(UserId, GroupId, MembersPage), InvalidField> {
        let limit = (self.limit != 0).then_some(i64::from(self.limit));
        let page = MembersPage::parse(self.after.as_deref(), limit)?;
        Ok((caller(&self.caller_id)?, group(&self.group_id)?, page))
    }
}

impl TryFrom<pb::MembersResponse> for Vec<GroupMember> {
    type Error = DecodeError;
    fn try_from(r: pb::MembersResponse) -> Result<Self, DecodeError> {
        r.members.into_iter().map(TryInto::try_into).collect()
    }
}
