//! Who may read and write a conversation. Every send is checked here, in
//! the pipeline, whatever the gateway already checked.

use ferrochat_domain::{ConversationId, ConversationKind, Sanction, Timestamp, UserId};
use ferrochat_ports::store::{ConversationRecord, MemberRecord};
use ferrochat_ports::{ApiError, Store};

use super::access_cache::AccessCache;
use super::config::DmPolicy;
use crate::clock;
use crate::error::store as store_err;

/// The conversation, if `who` is a member: 1003 if it does not exist,
/// 1005 if `who` is not in it (or, for the world room, banned from it).
pub(crate) async fn member_of(
    store: &dyn Store,
    cache: &AccessCache,
    who: &UserId,
    id: &ConversationId,
) -> Result<(ConversationRecord, MemberRecord), ApiError> {
    let conv = store
        .conversation(id)
        .await
        .map_err(|e| store_err("reading a conversation", e))?
        .ok_or_else(|| ApiError::not_found("no such conversation"))?;
    let member = store
        .member(id, who)
        .await
        .map_err(|e| store_err("reading a membership", e))?
        .ok_or_else(|| ApiError::forbidden(NOT_A_MEMBER))?;
    if conv.kind == ConversationKind::World && banned_from_world(store, cache, who).await? {
        return Err(ApiError::forbidden(BANNED_FROM_WORLD));
    }
    Ok((conv, member))
}

/// Whether `who` is banned from the world room now. Every reader of a
/// ban (reads of the room, its place in lists and search, and the send
/// check, which reads the same cached sanctions with the conversation's
/// facts) goes through the user's cached sanctions, forgotten by every
/// change of one.
pub(crate) async fn banned_from_world(
    store: &dyn Store,
    cache: &AccessCache,
    who: &UserId,
) -> Result<bool, ApiError> {
    let sanctions = cache
        .sanctions(store, who)
        .await
        .map_err(|e| store_err("reading a user's sanctions", e))?;
    Ok(sanctions.holds_at(Sanction::WorldBan, clock::now()))
}

/// A closed conversation takes nothing new: no message, no typing.
pub(crate) fn closed(kind: ConversationKind) -> ApiError {
    ApiError::forbidden(match kind {
        ConversationKind::Single => "this user deleted their account",
        _ => "this group was dissolved",
    })
}

const NOT_A_MEMBER: &str = "you are not a member of this conversation";
const FRIENDS_ONLY: &str = "you can only message your friends";
const BANNED_FROM_WORLD: &str = "you are banned from the world room";

/// The refusal of a user `who` a single chat's peer blocked: their
/// sends, and opening a chat with them.
const NO_MESSAGES: &str = "this user does not accept your messages";

/// 1005 `refusal` if `user` blocked `who`: `who` may not reach them
/// (a message, a new chat, a group they did not choose).
pub(crate) async fn unless_blocked(
    store: &dyn Store,
    cache: &AccessCache,
    user: &UserId,
    who: &UserId,
    refusal: impl Into<String>,
) -> Result<(), ApiError> {
    let blocked = cache
        .is_blocked(store, user, who)
        .await
        .map_err(|e| store_err("reading blocks", e))?;
    if blocked {
        return Err(ApiError::forbidden(refusal));
    }
    Ok(())
}

/// What the configuration says of who may write where.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    pub(crate) dm_policy: DmPolicy,
    pub(crate) world_enabled: bool,
}

/// As `member_of`, and allowed to write: the conversation is open (the
/// world room switched on), the sender is neither muted there nor by an
/// administrator nor banned from it (the world room), and in a single chat
/// the peer has not blocked the sender and the DM policy allows it.
/// Answered from `AccessCache`, which the code that changes any of these
/// facts keeps true.
pub(crate) async fn may_send(
    store: &dyn Store,
    cache: &AccessCache,
    rules: Rules,
    who: &UserId,
    id: &ConversationId,
    now: Timestamp,
) -> Result<ConversationKind, ApiError> {
    // The sender's sanctions are another key: read beside, not after.
    let (facts, sanctions) = tokio::join!(
        cache.conversation_and_member(store, id, who),
        cache.sanctions(store, who)
    );
    let (conv, member) =
        facts.map_err(|e| store_err("reading a conversation and membership", e))?;
    let sanctions = sanctions.map_err(|e| store_err("reading a user", e))?;
    let conv = conv.ok_or_else(|| ApiError::not_found("no such conversation"))?;
    let muted_until = member.ok_or_else(|| ApiError::forbidden(NOT_A_MEMBER))?;
    if conv.closed {
        return Err(closed(conv.kind));
    }
    if conv.kind == ConversationKind::World && !rules.world_enabled {
        return Err(ApiError::forbidden("the world room is switched off"));
    }
    if conv.kind == ConversationKind::World && sanctions.holds_at(Sanction::WorldBan, now) {
        return Err(ApiError::forbidden(BANNED_FROM_WORLD));
    }
    if sanctions.holds_at(Sanction::Mute, now) {
        return Err(ApiError::forbidden("you are muted by an administrator"));
    }
    if muted_until.is_some_and(|until| until > now) {
        return Err(ApiError::forbidden("you are muted in this conversation"));
    }
    if let Some(peer) = conv.peer_of(who) {
        may_message(store, cache, rules.dm_policy, who, peer).await?;
    }
    Ok(conv.kind)
}

/// 1005 unless `who` may write to `peer` one to one: `peer` has not
/// blocked them, and under `dm_policy = "friends"` they are friends. A
/// send to a single chat is checked so, and so is opening one (a chat is
/// listed on both sides, and one no message could reach would sit empty
/// in the peer's list).
pub(crate) async fn may_message(
    store: &dyn Store,
    cache: &AccessCache,
    dm_policy: DmPolicy,
    who: &UserId,
    peer: &UserId,
) -> Result<(), ApiError> {
    unless_blocked(store, cache, peer, who, NO_MESSAGES).await?;
    if dm_policy == DmPolicy::Friends {
        let friends = cache
            .are_friends(store, who, peer)
            .await
            .map_err(|e| store_err("reading friends", e))?;
        if !friends {
            return Err(ApiError::forbidden(FRIENDS_ONLY));
        }
    }
    Ok(())
}
