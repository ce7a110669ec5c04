//! Groups and their membership.

use ferrochat_domain::commands::UpdateGroup;
use ferrochat_domain::groups::{Group, GroupDescription, GroupName, Role};
use ferrochat_domain::{ConversationId, GroupId, Timestamp, UserId};
use ferrochat_ports::store::{MemberRecord, NewGroup};

use super::{id, ids, strings, time, user_id};
use crate::convert::{required, DecodeError};
use crate::logic::{policy_from_pb, policy_to_pb, role_from_pb, role_to_pb};
use crate::pb;

fn group_id(raw: &str) -> Result<GroupId, DecodeError> {
    id(raw, "group_id", GroupId::parse)
}

fn role(raw: i32) -> Result<Role, DecodeError> {
    Ok(role_from_pb(raw, "role")?)
}

// --- requests -------------------------------------------------------------

impl pb::InsertGroupRequest {
    pub fn new(group: &NewGroup, members: &[UserId]) -> Self {
        Self {
            group: Some(pb::NewGroup {
                id: group.id.as_str().to_owned(),
                conversation_id: group.conversation_id.as_str().to_owned(),
                name: group.name.as_str().to_owned(),
                description: group.description.as_str().to_owned(),
                owner_id: group.owner_id.as_str().to_owned(),
                max_members: group.max_members,
                join_policy: policy_to_pb(group.join_policy).into(),
                created_at_ms: group.created_at.millis(),
            }),
            member_ids: strings(members, UserId::as_str),
        }
    }

    pub fn parse(self) -> Result<(NewGroup, Vec<UserId>), DecodeError> {
        let g = required(self.group, "group")?;
        let group = NewGroup {
            id: id(&g.id, "group.id", GroupId::parse)?,
            conversation_id: id(
                &g.conversation_id,
                "group.conversation_id",
                ConversationId::parse,
            )?,
            name: GroupName::parse(g.name)?,
            description: GroupDescription::parse(g.description)?,
            owner_id: user_id(&g.owner_id, "group.owner_id")?,
            max_members: g.max_members,
            join_policy: policy_from_pb(g.join_policy)?,
            created_at: time(g.created_at_ms),
        };
        Ok((group, ids(&self.member_ids, "member_ids", UserId::parse)?))
    }
}

impl pb::MembersQuery {
    pub fn new(group: &GroupId, after: Option<&UserId>, limit: u32) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
            after: after.map(|u| u.as_str().to_owned()),
            limit,
        }
    }

    pub fn parse(self) -> Result<(GroupId, Option<UserId>, u32), DecodeError> {
        let after = self
            .after
            .as_deref()
            .map(|u| user_id(u, "after"))
            .transpose()?;
        Ok((group_id(&self.group_id)?, after, self.limit))
    }
}

impl pb::RepoGroupRequest {
    pub fn new(group: &GroupId) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<GroupId, DecodeError> {
        group_id(&self.group_id)
    }
}

impl pb::AddMemberRequest {
    pub fn new(group: &GroupId, user: &UserId, role: Role, now: Timestamp) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            role: role_to_pb(role).into(),
            now_ms: now.millis(),
        }
    }

    pub fn parse(self) -> Result<(GroupId, UserId, Role, Timestamp), DecodeError> {
        Ok((
            group_id(&self.group_id)?,
            user_id(&self.user_id, "user_id")?,
            role(self.role)?,
            time(self.now_ms),
        ))
    }
}

impl pb::GroupMemberRequest {
    pub fn new(group: &GroupId, user: &UserId) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
        }
    }

    pub fn parse(self) -> Result<(GroupId, UserId), DecodeError> {
        Ok((
            group_id(&self.group_id)?,
            user_id(&self.user_id, "user_id")?,
        ))
    }
}

impl pb::AddGroupMembersRequest {
    pub fn new(group: &GroupId, users: &[UserId], now: Timestamp) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
            user_ids: strings(users, UserId::as_str),
            now_ms: now.millis(),
        }
    }

    pub fn parse(self) -> Result<(GroupId, Vec<UserId>, Timestamp), DecodeError> {
        Ok((
            group_id(&self.group_id)?,
            ids(&self.user_ids, "user_ids", UserId::parse)?,
            time(self.now_ms),
        ))
    }
}

impl pb::SetRoleRequest {
    pub fn new(group: &GroupId, user: &UserId, role: Role) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            role: role_to_pb(role).into(),
        }
    }

    pub fn parse(self) -> Result<(GroupId, UserId, Role), DecodeError> {
        Ok((
            group_id(&self.group_id)?,
            user_id(&self.user_id, "user_id")?,
            role(self.role)?,
        ))
    }
}

impl pb::SetMutedUntilRequest {
    pub fn new(group: &GroupId, user: &UserId, until: Option<Timestamp>) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
            user_id: user.as_str().to_owned(),
            until_ms: until.map(Timestamp::millis),
        }
    }

    pub fn parse(self) -> Result<(GroupId, UserId, Option<Timestamp>), DecodeError> {
        Ok((
            group_id(&self.group_id)?,
            user_id(&self.user_id, "user_id")?,
            self.until_ms.map(time),
        ))
    }
}

impl pb::UpdateGroupInfoRequest {
    pub fn new(group: &GroupId, change: &UpdateGroup) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
            change: Some(change.into()),
        }
    }

    pub fn parse(self) -> Result<(GroupId, UpdateGroup), DecodeError> {
        Ok((
            group_id(&self.group_id)?,
            self.change.unwrap_or_default().parse()?,
        ))
    }
}

impl pb::DissolveGroupRequest {
    pub fn new(group: &GroupId, now: Timestamp) -> Self {
        Self {
            group_id: group.as_str().to_owned(),
            now_ms: now.millis(),
        }
    }

    pub fn parse(self) -> Result<(GroupId, Timestamp), DecodeError> {
        Ok((group_id(&self.group_id)?, time(self.now_ms)))
    }
}

// --- answers --------------------------------------------------------------

impl From<&Option<Group>> for pb::GroupAnswer {
    fn from(g: &Option<Group>) -> Self {
        Self {
            group: g.as_ref().map(Into::into),
        }
    }
}

impl TryFrom<pb::GroupAnswer> for Option<Group> {
    type Error = DecodeError;
    fn try_from(a: pb::GroupAnswer) -> Result<Self, DecodeError> {
        a.group.map(Group::try_from).transpose()
    }
}

impl From<&[(UserId, MemberRecord)]> for pb::MemberRecords {
    fn from(ms: &[(UserId, MemberRecord)]) -> Self {
        Self {
            members: ms
                .iter()
                .map(|(u, m)| pb::MemberEntry {
                    user_id: u.as_str().to_owned(),
                    member: Some(m.into()),
                })
                .collect(),
        }
    }
}

impl TryFrom<pb::MemberRecords> for Vec<(UserId, MemberRecord)> {
    type Error = DecodeError;
    fn try_from(r: pb::MemberRecords) -> Result<Self, DecodeError> {
        r.members
            .into_iter()
            .map(|e| {
                Ok((
                    user_id(&e.user_id, "members.user_id")?,
                    required(e.member, "members.member")?.try_into()?,
                ))
            })
            .collect()
    }
}
