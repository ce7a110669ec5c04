//! `Messaging`, the logic role's implementation of `MessagingApi`.

use std::sync::Arc;

use async_trait::async_trait;
use ferrochat_domain::commands::{History, SyncRequest, UpdateConversation};
use ferrochat_domain::messaging::ConversationView;
use ferrochat_domain::page::{Budget, Keep};
use ferrochat_domain::search::{SearchMessages, SearchPage};
use ferrochat_domain::{
    ConversationId, ConversationKind, ErrorKind, Message, SendTarget, Seq, UserId,
};
use ferrochat_ports::api::{HistoryPage, SyncConversation, UnreadSummary};
use ferrochat_ports::bus::{deliver, Event};
use ferrochat_ports::store::{HistoryQuery, Refusal};
use ferrochat_ports::{ApiError, MessagingApi, StoreError};

use super::access;
use super::access_cache::AccessCache;
use super::audience::{Audience, AudienceCache};
use super::changes::refused;
use super::config::DmPolicy;
use crate::clock;
use crate::deps::LogicDeps;
use crate::error::{internal, store as store_err};
use crate::users::Profiles;

pub struct Messaging {
    pub(crate) deps: LogicDeps,
    pub(crate) audience: Arc<AudienceCache>,
    pub(crate) access: Arc<AccessCache>,
    pub(crate) profiles: Arc<Profiles>,
    /// `messaging.world_enabled`: off, the world room is left out of the
    /// conversation list (the pipeline refuses sends to it).
    pub(crate) world_enabled: bool,
    /// `messaging.dm_policy`: under `friends`, a chat opens only between
    /// friends (the pipeline refuses sends the same way).
    pub(crate) dm_policy: DmPolicy,
}

/// Messages a sync reads from the store at a time: a conversation of
/// large messages is read only as far as the reply's budget goes, not a
/// whole page of 200 to be cut.
const SYNC_CHUNK: u32 = 50;
/// A search the store stopped at `store.search_timeout`: the same words
/// would cost as much again, so the user is told how to narrow it.
const SEARCH_TOO_LONG: &str =
    "this search took longer than the server allows: add words, or search one conversation";

impl Messaging {
    /// Whether the world room is on and `who` is not banned from it.
    async fn world_open_to(&self, who: &UserId) -> Result<bool, ApiError> {
        if !self.world_enabled {
            return Ok(false);
        }
        let banned = access::banned_from_world(&*self.deps.store, &self.access, who).await?;
        Ok(!banned)
    }

    /// Up to `limit` messages after `after`, as far as `budget` goes, and
    /// whether more follow.
    async fn read_forward(
        &self,
        viewer: &UserId,
        id: &ConversationId,
        mut after: Seq,
        limit: u32,
        budget: &mut Budget,
    ) -> Result<(Vec<Message>, bool), ApiError> {
        let mut out: Vec<Message> = Vec::new();
        loop {
            let taken = u32::try_from(out.len()).unwrap_or(u32::MAX);
            let query = HistoryQuery {
                pinned: false,
                after: Some(after),
                before: None,
                limit: limit.saturating_sub(taken).min(SYNC_CHUNK),
                viewer: Some(viewer.clone()),
            };
            let (mut chunk, more) = self
                .deps
                .store
                .history(id, query)
                .await
                .map_err(|e| store_err("reading history", e))?;
            let Some(last) = chunk.last() else {
                return Ok((out, more));
            };
            after = last.seq;
            let cut = budget.fit(&mut chunk, Keep::Oldest);
            out.append(&mut chunk);
            if cut || !more {
                return Ok((out, cut || more));
            }
            if out.len() >= limit as usize {
                return Ok((out, true));
            }
        }
    }

    /// Sends `event` to the online connections of the other members of a
    /// small conversation (receipts and typing are not sent in the world
    /// room or large groups: thousands of recipients, no value).
    async fn notify_others(
        &self,
        who: &UserId,
        id: &ConversationId,
        kind: ConversationKind,
        event: Event,
    ) -> Result<(), ApiError> {
        let audience = self
            .audience
            .get(&*self.deps.store, id, kind)
            .await
            .map_err(|e| store_err("reading members", e))?;
        let Audience::Members(members) = audience else {
            return Ok(());
        };
        // A member who blocked `who` hears nothing of them: no typing, no
        // receipts (the block check is cached, and the audience is a
        // small conversation's).
        let mut others: Vec<UserId> = Vec::with_capacity(members.len());
        for m in members.iter().filter(|m| *m != who) {
            let blocked = self
                .access
                .is_blocked(&*self.deps.store, m, who)
                .await
                .map_err(|e| store_err("reading blocks", e))?;
            if !blocked {
                others.push(m.clone());
            }
        }
        let routes = self
            .deps
            .presence
            .routes(&others)
            .await
            .map_err(|e| internal("reading routes", &e))?;
        let event = Arc::new(event);
        // Receipts and typing are news, not history: taken in order by
        // the bus, not waited for.
        deliver(
            &*self.deps.bus,
            routes.into_iter().map(|(_, r)| r),
            None,
            &event,
        )
        .await
        .map(drop)
        .map_err(|e| internal("delivering an event", &e))
    }

    async fn view(&self, who: &UserId, id: &ConversationId) -> Result<ConversationView, ApiError> {
        self.deps
            .store
            .conversation_view(who, id)
            .await
            .map_err(|e| store_err("reading a conversation", e))?
            .ok_or_else(|| ApiError::forbidden("you are not a member of this conversation"))
    }
}

#[async_trait]
impl MessagingApi for Messaging {
    async fn resolve_target(
        &self,
        who: &UserId,
        target: &SendTarget,
    ) -> Result<ConversationId, ApiError> {
        let id = match target {
            SendTarget::Conversation(id) => id.clone(),
            SendTarget::User(peer) => match self.access.single(who, peer) {
                Some(id) => id,
                None => {
                    let id = self.open_single(who, peer).await?.id;
                    self.access.remember_single(who, peer, &id);
                    id
                }
            },
            SendTarget::Group(gid) => match self.access.group_conversation(gid) {
                Some(id) => id,
                None => {
                    let id = self
                        .deps
                        .store
                        .group(gid)
                        .await
                        .map_err(|e| store_err("reading a group", e))?
                        .ok_or_else(|| ApiError::not_found("no such group"))?
                        .conversation_id;
                    self.access.remember_group(gid, &id);
                    id
                }
            },
        };
        // Whether `who` may write there is checked once, when logic takes
        // the send off upstream: the gateway remembers this answer and
        // asks no more.
        Ok(id)
    }

    async fn open_single(&self, who: &UserId, peer: &UserId) -> Result<ConversationView, ApiError> {
        if who == peer {
            return Err(ApiError::new(
                ErrorKind::InvalidParams,
                "peer_user_id: cannot be yourself",
            ));
        }
        if !self.profiles.exists(peer).await? {
            return Err(ApiError::not_found("no such user"));
        }
        access::may_message(&*self.deps.store, &self.access, self.dm_policy, who, peer).await?;
        let id = self
            .deps
            .store
            .open_single(who, peer, clock::now())
            .await
            .map_err(|e| store_err("opening a conversation", e))?;
        self.view(who, &id).await
    }

    async fn conversations(&self, who: &UserId) -> Result<Vec<ConversationView>, ApiError> {
        let mut list = self
            .deps
            .store
            .conversations_of(who)
            .await
            .map_err(|e| store_err("listing conversations", e))?;
        if !self.world_open_to(who).await? {
            list.retain(|c| !c.id.is_world());
        }
        Ok(list)
    }

    async fn update_conversation(
        &self,
        who: &UserId,
        id: &ConversationId,
        cmd: UpdateConversation,
    ) -> Result<ConversationView, ApiError> {
        let (conv, before) = access::member_of(&*self.deps.store, &self.access, who, id).await?;
        if cmd.hide.iter().any(|s| *s > conv.last_seq) {
            return Err(refused(Refusal::UnknownTarget));
        }
        self.deps
            .store
            .update_cursor(who, id, cmd)
            .await
            .map_err(|e| store_err("updating a cursor", e))?;
        let view = self.view(who, id).await?;
        if view.read_seq > before.read_seq {
            let receipt = Event::ReadReceipt {
                conversation_id: id.clone(),
                user_id: who.clone(),
                seq: view.read_seq,
            };
            self.notify_others(who, id, conv.kind, receipt).await?;
        }
        Ok(view)
    }

    async fn history(&self, who: &UserId, q: History) -> Result<HistoryPage, ApiError> {
        access::member_of(&*self.deps.store, &self.access, who, &q.conversation_id).await?;
        let query = HistoryQuery {
            pinned: q.pinned,
            after: q.after,
            before: q.before,
            limit: q.limit.get(),
            viewer: Some(who.clone()),
        };
        let (mut messages, has_more) = self
            .deps
            .store
            .history(&q.conversation_id, query)
            .await
            .map_err(|e| store_err("reading history", e))?;
        // Read forward from `after`, the page keeps its oldest; read back
        // from `before` (or the newest), its newest.
        let keep = if q.after.is_some() {
            Keep::Oldest
        } else {
            Keep::Newest
        };
        let cut = Budget::default().fit(&mut messages, keep);
        Ok(HistoryPage {
            messages,
            has_more: has_more || cut,
        })
    }

    async fn search_messages(
        &self,
        who: &UserId,
        search: SearchMessages,
    ) -> Result<SearchPage, ApiError> {
        if let Some(c) = &search.conversation_id {
            access::member_of(&*self.deps.store, &self.access, who, c).await?;
        }
        if let Some(u) = &search.from {
            self.deps
                .store
                .user(u)
                .await
                .map_err(|e| store_err("reading a user", e))?
                .ok_or_else(|| ApiError::not_found("no such user"))?;
        }
        let mut page = self
            .deps
            .store
            .search_messages(who, &search)
            .await
            .map_err(|e| match e {
                StoreError::TimedOut(why) => {
                    tracing::info!(%why, "a message search ran past store.search_timeout");
                    metrics::counter!("ferrochat_logic_searches_timed_out_total").increment(1);
                    ApiError::unavailable(SEARCH_TOO_LONG)
                }
                e => store_err("searching messages", e),
            })?;
        if !self.world_open_to(who).await? {
            page.without(&ConversationId::world());
        }
        // Newest first: a page cut to its budget keeps its newest, and
        // the next page starts after the last one kept.
        if Budget::default().fit(&mut page.messages, Keep::Oldest) {
            let kept = page.messages.len();
            page.keep(kept);
        }
        Ok(page)
    }

    async fn unread(&self, who: &UserId) -> Result<UnreadSummary, ApiError> {
        let views = self.conversations(who).await?;
        let conversations: Vec<(ConversationId, u64)> = views
            .into_iter()
            .filter(|v| v.unread() > 0)
            .map(|v| {
                let n = v.unread();
                (v.id, n)
            })
            .collect();
        let total = conversations.iter().map(|(_, n)| n).sum();
        Ok(UnreadSummary {
            total,
            conversations,
        })
    }

    async fn sync(
        &self,
        who: &UserId,
        req: SyncRequest,
    ) -> Result<Vec<SyncConversation>, ApiError> {
        let views = self.conversations(who).await?;
        let mut out = Vec::new();
        // One budget for the whole reply: once it is spent, conversations
        // with news are listed with no messages and `has_more`, so the
        // client asks again from its cursors, and nothing more is read.
        let mut budget = Budget::default();
        for v in views {
            let cursor = req
                .cursors
                .iter()
                .find(|(id, _)| *id == v.id)
                .map_or(Seq::ZERO, |(_, s)| *s);
            if v.last_seq <= cursor {
                continue;
            }
            if budget.is_spent() {
                out.push(SyncConversation {
                    conversation_id: v.id,
                    messages: Vec::new(),
                    has_more: true,
                });
                continue;
            }
            let (messages, has_more) = self
                .read_forward(who, &v.id, cursor, req.limit.get(), &mut budget)
                .await?;
            out.push(SyncConversation {
                conversation_id: v.id,
                messages,
                has_more,
            });
        }
        Ok(out)
    }

    async fn mark_read(&self, who: &UserId, id: &ConversationId, seq: Seq) -> Result<(), ApiError> {
        let cmd = UpdateConversation {
            read_seq: Some(seq),
            ..UpdateConversation::default()
        };
        self.update_conversation(who, id, cmd).await.map(|_| ())
    }

    async fn typing(&self, who: &UserId, id: &ConversationId) -> Result<(), ApiError> {
        let (conv, _) = access::member_of(&*self.deps.store, &self.access, who, id).await?;
        if conv.closed {
            return Err(access::closed(conv.kind));
        }
        let event = Event::Typing {
            conversation_id: id.clone(),
            user_id: who.clone(),
        };
        self.notify_others(who, id, conv.kind, event).await
    }
}
