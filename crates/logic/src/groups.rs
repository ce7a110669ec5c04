//! `Groups`, the logic role's implementation of `GroupsApi`: membership,
//! roles, mutes, ownership, dissolution. Every membership change is also
//! a `system` message in the group's conversation, committed through the
//! same pipeline as chat, so history tells one ordered story.

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_domain::commands::{CreateGroup, UpdateGroup, UpdateMember};
use ferrochat_domain::groups::{Group, JoinPolicy, MembersPage, Role};
use ferrochat_domain::{
    ClientMsgId, ConversationId, ConversationKind, ErrorKind, GroupId, Marks, MessageContent,
    MessageId, MessageType, Timestamp, UserId,
};
use ferrochat_ports::api::{GroupMember, GroupView, MembersList};
use ferrochat_ports::bus::Event;
use ferrochat_ports::store::{MemberRecord, NewGroup, NewMessage};
use ferrochat_ports::{ApiError, GroupsApi, StoreError};
use ferrochat_wire::time::rfc3339;
use serde_json::json;

use crate::clock;
use crate::deps::LogicDeps;
use crate::error::store as store_err;
use crate::messaging::{unless_blocked, AccessCache, Committer, GroupsConfig};
use crate::news;
use crate::users::Profiles;

pub struct Groups {
    pub(crate) deps: LogicDeps,
    pub(crate) access: Arc<AccessCache>,
    pub(crate) profiles: Arc<Profiles>,
    pub(crate) committer: Committer,
    pub(crate) config: GroupsConfig,
}

fn member(user_id: UserId, m: MemberRecord) -> GroupMember {
    GroupMember {
        user_id,
        role: m.role,
        muted_until: m.muted_until,
    }
}

fn timestamp_json(t: Option<Timestamp>) -> serde_json::Value {
    t.map_or(serde_json::Value::Null, |t| json!(rfc3339(t)))
}

impl Groups {
    /// A live group: a dissolved one is gone for every group endpoint.
    async fn find(&self, id: &GroupId) -> Result<Group, ApiError> {
        self.deps
            .store
            .group(id)
            .await
            .map_err(|e| store_err("reading a group", e))?
            .filter(|g| !g.dissolved)
            .ok_or_else(|| ApiError::not_found("no such group"))
    }

    async fn record(
        &self,
        conv: &ConversationId,
        who: &UserId,
    ) -> Result<Option<MemberRecord>, ApiError> {
        self.deps
            .store
            .member(conv, who)
            .await
            .map_err(|e| store_err("reading a membership", e))
    }

    /// The group and the caller's role, if the caller is a member.
    async fn as_member(
        &self,
        who: &UserId,
        id: &GroupId,
    ) -> Result<(Group, MemberRecord), ApiError> {
        let group = self.find(id).await?;
        let me = self
            .record(&group.conversation_id, who)
            .await?
            .ok_or_else(|| ApiError::forbidden("you are not a member of this group"))?;
        Ok((group, me))
    }

    /// Whether `who` may put `users` in a group: each exists, and none
    /// blocked `who` (a group they are put in would reach them: its
    /// messages, its `group-invited`). 1003 or 1005 naming the first that
    /// fails.
    async fn addable(&self, who: &UserId, users: &[UserId]) -> Result<(), ApiError> {
        for u in users {
            if !self.profiles.exists(u).await? {
                return Err(ApiError::not_found(format!("no such user: {u}")));
            }
            let refusal = format!("this user does not accept your invitations: {u}");
            unless_blocked(&*self.deps.store, &self.access, u, who, refusal).await?;
        }
        Ok(())
    }

    /// Tells the users `by` just added to `group` (their open connections;
    /// live news, the group's system message is the record). Not `by`.
    async fn invited(&self, group: &Group, by: &UserId, users: &[UserId]) {
        let users: Vec<UserId> = users.iter().filter(|u| *u != by).cloned().collect();
        let event = Event::GroupInvited {
            group_id: group.id.clone(),
            conversation_id: group.conversation_id.clone(),
            name: group.name.as_str().to_owned(),
            by: by.clone(),
        };
        news::tell(&self.deps, &users, event, "group invitation").await;
    }

    /// Commits a `system` message telling what happened, in seq order
    /// with the chat. `event` is a JSON object; `actor_id` is added.
    async fn announce(
        &self,
        group: &Group,
        actor: &UserId,
        mut event: serde_json::Value,
    ) -> Result<(), ApiError> {
        if let Some(obj) = event.as_object_mut() {
            obj.insert("actor_id".into(), json!(actor.as_str()));
        }
        let message = NewMessage {
            marks: Marks::default(),
            id: MessageId::generate(),
            conversation_id: group.conversation_id.clone(),
            conversation_kind: ConversationKind::Group,
            from: actor.clone(),
            client_msg_id: ClientMsgId::from_stored(format!("sys-{}", MessageId::generate())),
            message_type: MessageType::system(),
            content: MessageContent::from_stored(event.to_string()),
            created_at: clock::now(),
            reference: None,
        };
        self.committer.commit(message).await.map(|_| ())
    }

    /// After every change to the group's conversation or its members,
    /// before the request is answered: the send check and fan-out must see
    /// it from the next message on.
    async fn changed(&self, group: &Group) {
        self.access
            .forget_conversation(&group.conversation_id)
            .await;
    }
}

#[async_trait]
impl GroupsApi for Groups {
    async fn create_group(&self, who: &UserId, cmd: CreateGroup) -> Result<GroupView, ApiError> {
        let max_members = match cmd.max_members {
            None => self.config.max_members,
            Some(n) if (2..=self.config.max_members).contains(&n) => n,
            Some(_) => {
                return Err(ApiError::new(
                    ErrorKind::InvalidParams,
                    format!("max_members: must be 2 to {}", self.config.max_members),
                ))
            }
        };
        self.addable(who, &cmd.member_ids).await?;
        let new = NewGroup {
            id: GroupId::generate(),
            conversation_id: ConversationId::generate(),
            name: cmd.name,
            description: cmd.description,
            owner_id: who.clone(),
            max_members,
            join_policy: cmd.join_policy,
            created_at: clock::now(),
        };
        let group = match self.deps.store.create_group(&new, &cmd.member_ids).await {
            Ok(group) => group,
            Err(StoreError::Conflict(_)) => {
                return Err(ApiError::conflict(format!(
                    "a group holds at most {max_members} members"
                )))
            }
            Err(e) => return Err(store_err("creating a group", e)),
        };
        self.announce(&group, who, json!({"event": "group_created"}))
            .await?;
        self.invited(&group, who, &cmd.member_ids).await;
        Ok(GroupView {
            group,
            my_role: Some(Role::Owner),
        })
    }

    async fn group(&self, who: &UserId, id: &GroupId) -> Result<GroupView, ApiError> {
        let group = self.find(id).await?;
        let my_role = self
            .record(&group.conversation_id, who)
            .await?
            .map(|m| m.role);
        // An open group shows itself to whoever may join it; an
        // invite-only one only to its members.
        if my_role.is_none() && group.join_policy == JoinPolicy::Invite {
            return Err(ApiError::forbidden("this group is invite-only"));
        }
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
        self.changed(&group).await;
        self.announce(
            &group,
            who,
            json!({"event": "member_joined", "user_id": who.as_str()}),
        )
        .await?;
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
        self.changed(&group).await;
        if !removed {
            return Err(ApiError::forbidden("you are not a member of this group"));
        }
        self.announce(
            &group,
            who,
            json!({"event": "member_left", "user_id": who.as_str()}),
        )
        .await
    }

    async fn members(
        &self,
        who: &UserId,
        id: &GroupId,
        page: MembersPage,
    ) -> Result<MembersList, ApiError> {
        self.as_member(who, id).await?;
        // One more than the page: whether there is a next one.
        let limit = page.limit();
        let mut members = self
            .deps
            .store
            .members(id, page.after.as_ref(), limit.saturating_add(1))
            .await
            .map_err(|e| store_err("listing members", e))?;
        let has_more = members.len() > limit as usize;
        members.truncate(limit as usize);
        Ok(MembersList {
            members: members.into_iter().map(|(u, m)| member(u, m)).collect(),
            has_more,
        })
    }

    async fn add_members(
        &self,
        who: &UserId,
        id: &GroupId,
        users: Vec<UserId>,
    ) -> Result<Vec<GroupMember>, ApiError> {
        let (group, me) = self.as_member(who, id).await?;
        if me.role < Role::Admin {
            return Err(ApiError::forbidden(
                "only the owner or an admin can add members",
            ));
        }
        self.addable(who, &users).await?;
        let added = match self.deps.store.add_members(id, &users, clock::now()).await {
            Ok(a) => a,
            Err(StoreError::Conflict(_)) => {
                return Err(ApiError::conflict(format!(
                    "the group holds at most {} members",
                    group.max_members
                )))
            }
            Err(e) => return Err(store_err("adding members", e)),
        };
        self.changed(&group).await;
        self.invited(&group, who, &added).await;
        let mut out = Vec::with_capacity(added.len());
        for u in added {
            self.announce(
                &group,
                who,
                json!({"event": "member_added", "user_id": u.as_str()}),
            )
            .await?;
            out.push(GroupMember {
                user_id: u,
                role: Role::Member,
                muted_until: None,
            });
        }
        Ok(out)
    }

    async fn kick(&self, who: &UserId, id: &GroupId, user: &UserId) -> Result<(), ApiError> {
        let (group, me) = self.as_member(who, id).await?;
        if who == user {
            return Err(ApiError::forbidden(
                "leave the group instead of removing yourself",
            ));
        }
        let target = self
            .record(&group.conversation_id, user)
            .await?
            .ok_or_else(|| ApiError::not_found("no such member"))?;
        // The owner removes anyone; an admin removes plain members only.
        if me.role < Role::Admin || target.role >= me.role {
            return Err(ApiError::forbidden("you may not remove this member"));
        }
        self.deps
            .store
            .remove_member(id, user)
            .await
            .map_err(|e| store_err("removing a member", e))?;
        self.changed(&group).await;
        self.announce(
            &group,
            who,
            json!({"event": "member_removed", "user_id": user.as_str()}),
        )
        .await
    }

    async fn update_member(
        &self,
        who: &UserId,
        id: &GroupId,
        user: &UserId,
        cmd: UpdateMember,
    ) -> Result<GroupMember, ApiError> {
        let (group, me) = self.as_member(who, id).await?;
        let target = self
            .record(&group.conversation_id, user)
            .await?
            .ok_or_else(|| ApiError::not_found("no such member"))?;
        if let Some(role) = cmd.role {
            if me.role != Role::Owner {
                return Err(ApiError::forbidden("only the owner can change roles"));
            }
            if role == Role::Owner {
                return Err(ApiError::new(
                    ErrorKind::InvalidParams,
                    "role: use transfer to change the owner",
                ));
            }
            if target.role == Role::Owner {
                return Err(ApiError::forbidden("the owner's role cannot be changed"));
            }
        }
        if cmd.muted_until.is_some() && (me.role < Role::Admin || target.role >= me.role) {
            return Err(ApiError::forbidden("you may not mute this member"));
        }
        if let Some(role) = cmd.role {
            self.deps
                .store
                .set_role(id, user, role)
                .await
                .map_err(|e| store_err("changing a role", e))?;
            self.changed(&group).await;
            self.announce(
                &group,
                who,
                json!({"event": "role_changed", "user_id": user.as_str(), "role": role.as_str()}),
            )
            .await?;
        }
        if let Some(until) = cmd.muted_until {
            self.deps
                .store
                .set_muted_until(id, user, until)
                .await
                .map_err(|e| store_err("muting a member", e))?;
            self.changed(&group).await;
            let event = match until {
                Some(_) => {
                    json!({"event": "member_muted", "user_id": user.as_str(), "muted_until": timestamp_json(until)})
                }
                None => json!({"event": "member_unmuted", "user_id": user.as_str()}),
            };
            self.announce(&group, who, event).await?;
        }
        let now = self
            .record(&group.conversation_id, user)
            .await?
            .ok_or_else(|| ApiError::not_found("no such member"))?;
        Ok(member(user.clone(), now))
    }

    async fn transfer(
        &self,
        who: &UserId,
        id: &GroupId,
        to: &UserId,
    ) -> Result<GroupView, ApiError> {
        let (group, me) = self.as_member(who, id).await?;
        if me.role != Role::Owner {
            return Err(ApiError::forbidden("only the owner can transfer ownership"));
        }
        let moved = self
            .deps
            .store
            .transfer(id, to)
            .await
            .map_err(|e| store_err("transferring a group", e))?;
        if !moved {
            return Err(ApiError::not_found("no such member"));
        }
        self.changed(&group).await;
        self.announce(
            &group,
            who,
            json!({"event": "owner_transferred", "user_id": to.as_str()}),
        )
        .await?;
        self.group(who, id).await
    }

    async fn update_group(
        &self,
        who: &UserId,
        id: &GroupId,
        change: UpdateGroup,
    ) -> Result<GroupView, ApiError> {
        let (group, me) = self.as_member(who, id).await?;
        if me.role == Role::Member {
            return Err(ApiError::forbidden(
                "only the owner and admins can change the group",
            ));
        }
        self.deps
            .store
            .update_group(id, &change)
            .await
            .map_err(|e| store_err("updating a group", e))?;
        // Nothing a send or a fan-out checks changed (the join policy is
        // read from the store at each join): no cache to forget.
        self.announce(&group, who, updated_event(&change)).await?;
        self.group(who, id).await
    }

    async fn dissolve(&self, who: &UserId, id: &GroupId) -> Result<(), ApiError> {
        let (group, me) = self.as_member(who, id).await?;
        if me.role != Role::Owner {
            return Err(ApiError::forbidden("only the owner can dissolve the group"));
        }
        self.close(&group, who, json!({"event": "group_dissolved"}))
            .await
    }
}

impl Groups {
    /// An administrator dissolves `id`, member or not: as its owner would,
    /// the system message naming the administrator (`by_admin`).
    pub(crate) async fn dissolve_by_admin(
        &self,
        admin: &UserId,
        id: &GroupId,
    ) -> Result<(), ApiError> {
        let group = self.find(id).await?;
        self.close(
            &group,
            admin,
            json!({"event": "group_dissolved", "by_admin": true}),
        )
        .await
    }

    /// Dissolves `group`, announced by `event` from `actor`.
    async fn close(
        &self,
        group: &Group,
        actor: &UserId,
        event: serde_json::Value,
    ) -> Result<(), ApiError> {
        // Announce first: once closed, the conversation takes no message.
        self.announce(group, actor, event).await?;
        self.deps
            .store
            .dissolve(&group.id, clock::now())
            .await
            .map_err(|e| store_err("dissolving a group", e))?;
        self.changed(group).await;
        Ok(())
    }
}

/// The `group_updated` event: what changed, with the new values.
fn updated_event(change: &UpdateGroup) -> serde_json::Value {
    let mut event = serde_json::Map::new();
    event.insert("event".into(), json!("group_updated"));
    if let Some(name) = &change.name {
        event.insert("name".into(), json!(name.as_str()));
    }
    if let Some(description) = &change.description {
        event.insert("description".into(), json!(description.as_str()));
    }
    if let Some(policy) = change.join_policy {
        event.insert("join_policy".into(), json!(policy.as_str()));
    }
    if let Some(avatar) = &change.avatar {
        event.insert("avatar".into(), json!(avatar.as_str()));
    }
    if let Some(announcement) = &change.announcement {
        event.insert("announcement".into(), json!(announcement.as_str()));
    }
    serde_json::Value::Object(event)
}
