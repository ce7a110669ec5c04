//! Groups and their membership.

use async_trait::async_trait;
use ferrochat_domain::commands::UpdateGroup;
use ferrochat_domain::groups::{Group, GroupDescription, GroupName, JoinPolicy, Role};
use ferrochat_domain::{ConversationId, GroupId, Timestamp, UserId};

use super::{MemberRecord, StoreError};

#[derive(Debug, Clone)]
pub struct NewGroup {
    pub id: GroupId,
    pub conversation_id: ConversationId,
    pub name: GroupName,
    pub description: GroupDescription,
    pub owner_id: UserId,
    pub max_members: u32,
    pub join_policy: JoinPolicy,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Creates the group, its conversation, and the owner plus `members`
    /// as members. Unknown member ids: `Conflict`.
    async fn create_group(&self, group: &NewGroup, members: &[UserId])
        -> Result<Group, StoreError>;

    async fn group(&self, id: &GroupId) -> Result<Option<Group>, StoreError>;

    /// Adds a member unless the group is full: `Conflict("full")`, or they
    /// are already in: `Conflict("member")`.
    async fn add_member(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    /// Removes a member; false if they were not one.
    async fn remove_member(&self, group: &GroupId, user: &UserId) -> Result<bool, StoreError>;

    /// Members with role and mute, in user id order: those after `after`
    /// (from the first when `None`), at most `limit` of them (0: all).
    async fn members(
        &self,
        group: &GroupId,
        after: Option<&UserId>,
        limit: u32,
    ) -> Result<Vec<(UserId, MemberRecord)>, StoreError>;

    /// Adds those not yet members, all or none: `Conflict("full")` if
    /// they do not fit. Returns who was added.
    async fn add_members(
        &self,
        group: &GroupId,
        users: &[UserId],
        now: Timestamp,
    ) -> Result<Vec<UserId>, StoreError>;

    /// False if `user` is not a member.
    async fn set_role(
        &self,
        group: &GroupId,
        user: &UserId,
        role: Role,
    ) -> Result<bool, StoreError>;

    /// False if `user` is not a member.
    async fn set_muted_until(
        &self,
        group: &GroupId,
        user: &UserId,
        until: Option<Timestamp>,
    ) -> Result<bool, StoreError>;

    /// Makes `to` (a member) the owner and the old owner an admin. False
    /// if `to` is not a member.
    async fn transfer(&self, group: &GroupId, to: &UserId) -> Result<bool, StoreError>;

    /// Sets what `change` names of the group's information (a group that
    /// is not there is left so).
    async fn update_group(&self, group: &GroupId, change: &UpdateGroup) -> Result<(), StoreError>;

    /// Marks the group dissolved and closes its conversation.
    async fn dissolve(&self, group: &GroupId, now: Timestamp) -> Result<(), StoreError>;
}
