//! `Groups`, the logic role's implementation of `GroupsApi`.

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_domain::commands::CreateGroup;
use ferrochat_domain::groups::{JoinPolicy, Role};
use ferrochat_domain::{ConversationId, GroupId, UserId};
use ferrochat_ports::api::GroupView;
use ferrochat_ports::store::NewGroup;
use ferrochat_ports::{ApiError, GroupsApi, StoreError};

use crate::clock;
use crate::deps::LogicDeps;
use crate::error::store as store_err;
use crate::messaging::{AudienceCache, GroupsConfig};

pub struct Groups {
    pub(crate) deps: LogicDeps,
    pub(crate) audience: Arc<AudienceCache>,
    pub(crate) config: GroupsConfig,
}

impl Groups {
    async fn find(&self, id: &GroupId) -> Result<ferrochat_domain::groups::Group, ApiError> {
        self.deps
            .store
            .group(id)
            .await
            .map_err(|e| store_err("reading a group", e))?
            .ok_or_else(|| ApiError::not_found("no such group"))
    }

    async fn role_in(&self, conv: &ConversationId, who: &UserId) -> Result<Option<Role>, ApiError> {
        Ok(self
            .deps
            .store
            .member(conv, who)
            .await
            .map_err(|e| store_err("reading a membership", e))?
            .map(|m| m.role))
    }
}

#[async_trait]
impl GroupsApi for Groups {
    async fn create_group(&self, who: &UserId, cmd: CreateGroup) -> Result<GroupView, ApiError> {
        for m in &cmd.member_ids {
            let exists = self
                .deps
                .store
                .user(m)
                .await
                .map_err(|e| store_err("reading a user", e))?
                .is_some();
            if !exists {
                return Err(ApiError::not_found(format!("no such user: {m}")));
            }
        }
        let new = NewGroup {
            id: GroupId::generate(),
            conversation_id: ConversationId::generate(),
            name: cmd.name,
            description: cmd.description,
            owner_id: who.clone(),
            max_members: self.config.max_members,
            join_policy: cmd.join_policy,
            created_at: clock::now(),
        };
        match self.deps.store.create_group(&new, &cmd.member_ids).await {
            Ok(group) => Ok(GroupView {
                group,
                my_role: Some(Role::Owner),
            }),
            Err(StoreError::Conflict(_)) => Err(ApiError::conflict(format!(
                "a group holds at most {} members",
                self.config.max_members
            ))),
            Err(e) => Err(store_err("creating a group", e)),
        }
    }

    async fn group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError> {
        let group = self.find(id).await?;
        let my_role = self.role_in(&group.conversation_id, who).await?;
        Ok(GroupView { group, my_role })
    }

    async fn join_group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError> {
        let group = self.find(id).await?;
        if group.join_policy == JoinPolicy::Invite {
            return Err(ApiError::forbidden("this group is invite-only"));
        }
        match self
            .deps
            .store
            .add_member(id, who, Role::Member, clock::now())
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(what)) if what == "member" => {
                return Err(ApiError::conflict("you are already a member"))
            }
            Err(StoreError::Conflict(_)) => return Err(ApiError::conflict("the group is full")),
            Err(e) => return Err(store_err("joining a group", e)),
        }
        self.audience.invalidate(&group.conversation_id);
        self.group(who, id).await
    }

    async fn leave_group(&self, who: &UserId, id: &GroupId) -> Result<(), ApiError> {
        let group = self.find(id).await?;
        if &group.owner_id == who {
            return Err(ApiError::forbidden(
                "the owner must transfer ownership before leaving",
            ));
        }
        let removed = self
            .deps
            .store
            .remove_member(id, who)
            .await
            .map_err(|e| store_err("leaving a group", e))?;
        self.audience.invalidate(&group.conversation_id);
        if removed {
            Ok(())
        } else {
            Err(ApiError::forbidden("you are not a member of this group"))
        }
    }
}
