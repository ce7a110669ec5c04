//! Builders the cases share: users, messages, groups.

use std::sync::atomic::{AtomicU64, Ordering};

use ferrochat_domain::groups::{Group, GroupDescription, GroupName, JoinPolicy};
use ferrochat_domain::{
    Avatar, ClientMsgId, ConversationId, ConversationKind, GroupId, Message, MessageContent,
    MessageId, MessageType, Nickname, Seq, Timestamp, User, UserId, Username,
};

use ferrochat_ports::store::{Committed, HistoryQuery, NewGroup, NewMessage};
use ferrochat_ports::Store;

/// A fixed instant; cases add to it when order matters.
pub const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);

pub fn at(offset_ms: i64) -> Timestamp {
    T0.plus_millis(offset_ms)
}

fn unique() -> u64 {
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Inserts a user named `{prefix}{n}` (unique within this process).
pub async fn user(store: &dyn Store, prefix: &str) -> User {
    let u = unsaved_user(prefix);
    store
        .insert_user(&u, "argon2-hash")
        .await
        .expect("user inserted");
    u
}

/// A user named `{prefix}{n}` (unique within this process), not stored.
pub fn unsaved_user(prefix: &str) -> User {
    let name = format!("{prefix}{:06}", unique());
    User {
        discoverable: true,
        deleted: false,
        email: None,
        status: Default::default(),
        admin: false,
        disabled_until: None,
        sanctions: Default::default(),
        id: UserId::generate(),
        username: Username::parse(name.clone()).expect("valid username"),
        nickname: Nickname::parse(format!("Nick {name}")).expect("valid nickname"),
        avatar: Avatar::from_stored(String::new()),
        created_at: T0,
    }
}

pub async fn users(store: &dyn Store, prefix: &str, n: usize) -> Vec<User> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(user(store, prefix).await);
    }
    out
}

pub fn message(
    conversation: &ConversationId,
    kind: ConversationKind,
    from: &UserId,
    client_msg_id: &str,
    content: &str,
    created_at: Timestamp,
) -> NewMessage {
    NewMessage {
        marks: Default::default(),
        id: MessageId::generate(),
        conversation_id: conversation.clone(),
        conversation_kind: kind,
        from: from.clone(),
        client_msg_id: ClientMsgId::parse(client_msg_id.to_owned()).expect("valid client_msg_id"),
        message_type: MessageType::text(),
        content: MessageContent::from_stored(content.to_owned()),
        created_at,
        reference: None,
    }
}

/// A text message with a fresh client_msg_id.
pub fn text(conversation: &ConversationId, kind: ConversationKind, from: &UserId) -> NewMessage {
    let n = unique();
    message(
        conversation,
        kind,
        from,
        &format!("c-{n}"),
        &format!("message {n}"),
        at(i64::try_from(n).unwrap_or(0)),
    )
}

pub fn stored(c: &Committed) -> &ferrochat_domain::Message {
    match c {
        Committed::Stored(m) => m,
        Committed::Duplicate(m) => panic!("expected a new message, got a duplicate of {m:?}"),
        Committed::Refused(r) => panic!("expected a new message, got a refusal: {r:?}"),
    }
}

pub fn new_group(owner: &UserId, max_members: u32) -> NewGroup {
    NewGroup {
        id: GroupId::generate(),
        conversation_id: ConversationId::generate(),
        name: GroupName::parse("The group".to_owned()).expect("valid name"),
        description: GroupDescription::parse("About it".to_owned()).expect("valid description"),
        owner_id: owner.clone(),
        max_members,
        join_policy: JoinPolicy::Open,
        created_at: T0,
    }
}

pub async fn group(store: &dyn Store, owner: &UserId, members: &[UserId], max: u32) -> Group {
    store
        .create_group(&new_group(owner, max), members)
        .await
        .expect("group created")
}

/// Every message of `conversation`, oldest first, read a page at a time
/// as a client catching up would.
pub async fn history(store: &dyn Store, conversation: &ConversationId) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    loop {
        let query = HistoryQuery {
            pinned: false,
            after: Some(out.last().map_or(Seq::ZERO, |m| m.seq)),
            before: None,
            limit: 100,
            viewer: None,
        };
        let (page, _) = store.history(conversation, query).await.expect("history");
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}
