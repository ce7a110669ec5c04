//! Messages and conversations: value types, models and the read-cursor
//! rules (design invariants 2 and 5).

use crate::error::InvalidField;
use crate::reactions::ReactionCount;
use crate::{ClientMsgId, ConversationId, GroupId, MessageId, Timestamp, UserId};

/// A position in a conversation: messages are numbered 1, 2, 3, ... with
/// no gap (invariant 2); 0 means "before the first message".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Seq(u64);

impl Seq {
    pub const ZERO: Seq = Seq(0);

    pub const fn new(n: u64) -> Self {
        Self(n)
    }

    pub const fn get(self) -> u64 {
        self.0
    }

    /// The next seq; `None` only after 2^64-1 messages in one conversation.
    pub fn next(self) -> Option<Seq> {
        self.0.checked_add(1).map(Seq)
    }

    /// A client-supplied seq (JSON numbers may be negative).
    pub fn parse(raw: i64, field: &'static str) -> Result<Self, InvalidField> {
        u64::try_from(raw)
            .map(Seq)
            .map_err(|_| InvalidField::new(field, "must not be negative"))
    }
}

/// Message text: non-empty, at most `max_bytes` bytes of UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageContent(String);

impl MessageContent {
    pub fn parse(raw: String, max_bytes: usize) -> Result<Self, InvalidField> {
        if raw.is_empty() {
            return Err(InvalidField::new("content", "must not be empty"));
        }
        if raw.len() > max_bytes {
            return Err(InvalidField::too_large(
                "content",
                format!("must be at most {max_bytes} bytes"),
            ));
        }
        Ok(Self(raw))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    /// No content: a recall's, and a recalled message's.
    pub fn erased() -> Self {
        Self(String::new())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A message's kind: `text` by default, or any 1-32 of `a-z0-9_.-` a
/// client chooses (`image`, `file`, ...). `system` is the server's own;
/// `edit`, `recall`, `react`, `unreact`, `pin` and `unpin` are the events
/// of those changes (`Reference`), made by their own requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageType(String);

impl MessageType {
    pub const SYSTEM: &'static str = "system";
    pub const EDIT: &'static str = "edit";
    pub const RECALL: &'static str = "recall";
    pub const REACT: &'static str = "react";
    pub const UNREACT: &'static str = "unreact";
    pub const PIN: &'static str = "pin";
    pub const UNPIN: &'static str = "unpin";
    /// The types of the events that change an earlier message.
    pub const CHANGES: [&'static str; 6] = [
        Self::EDIT,
        Self::RECALL,
        Self::REACT,
        Self::UNREACT,
        Self::PIN,
        Self::UNPIN,
    ];

    pub fn text() -> Self {
        Self("text".to_owned())
    }

    pub fn system() -> Self {
        Self(Self::SYSTEM.to_owned())
    }

    /// The type of a message that makes this reference: an edit's and a
    /// recall's own; a reply keeps the type it was sent with.
    pub fn of_change(reference: Reference) -> Option<Self> {
        match reference {
            Reference::Reply(_) => None,
            Reference::Edit(_) => Some(Self(Self::EDIT.to_owned())),
            Reference::Recall(_) => Some(Self(Self::RECALL.to_owned())),
            Reference::React(_) => Some(Self(Self::REACT.to_owned())),
            Reference::Unreact(_) => Some(Self(Self::UNREACT.to_owned())),
            Reference::Pin(_) => Some(Self(Self::PIN.to_owned())),
            Reference::Unpin(_) => Some(Self(Self::UNPIN.to_owned())),
        }
    }

    /// A client's choice; the server's own types are refused.
    pub fn parse(raw: String) -> Result<Self, InvalidField> {
        let ok = (1..=32).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        if !ok {
            return Err(InvalidField::new(
                "message_type",
                "must be 1 to 32 of a-z, 0-9, '_', '.', '-'",
            ));
        }
        if raw == Self::SYSTEM || Self::CHANGES.contains(&raw.as_str()) {
            return Err(InvalidField::new(
                "message_type",
                format!("{raw} is reserved to the server"),
            ));
        }
        Ok(Self(raw))
    }

    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    /// Written by the server (group events), not sent by a user.
    pub fn is_system(&self) -> bool {
        self.0 == Self::SYSTEM
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many items a page holds: 1-200, 50 when unspecified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(u32);

impl PageLimit {
    pub const DEFAULT: PageLimit = PageLimit(50);
    pub const MAX: u32 = 200;
    /// The fullest page a client may ask for.
    pub const LARGEST: PageLimit = PageLimit(Self::MAX);

    pub fn parse(raw: Option<i64>) -> Result<Self, InvalidField> {
        page_limit(raw, Self::DEFAULT.0, Self::MAX).map(Self)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A page's `limit`: `default` when unspecified, else 1 to `max`.
pub(crate) fn page_limit(raw: Option<i64>, default: u32, max: u32) -> Result<u32, InvalidField> {
    match raw {
        None => Ok(default),
        Some(n) if (1..=i64::from(max)).contains(&n) => Ok(u32::try_from(n).unwrap_or(max)),
        Some(_) => Err(InvalidField::new("limit", format!("must be 1 to {max}"))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationKind {
    Single,
    Group,
    World,
}

impl ConversationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Group => "group",
            Self::World => "world",
        }
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "single" => Some(Self::Single),
            "group" => Some(Self::Group),
            "world" => Some(Self::World),
            _ => None,
        }
    }
}

/// What a message does to an earlier message of its conversation, named
/// by its seq. A reply is a message like any other that quotes one; an
/// edit, a recall, a reaction and a pin are events, each with its own seq,
/// so a client that syncs by seq replays them in order (their
/// `message_type` is `edit`, `recall`, `react`, `unreact`, `pin` or
/// `unpin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reference {
    /// Answers (quotes) the message at this seq.
    Reply(Seq),
    /// Replaces the content of the message at this seq.
    Edit(Seq),
    /// Takes back the message at this seq: its content is erased.
    Recall(Seq),
    /// Puts the sender's reaction (the content, an emoji) on it.
    React(Seq),
    /// Takes the sender's reaction (the content) off it.
    Unreact(Seq),
    /// Pins it to the conversation (`MAX_PINS` at most).
    Pin(Seq),
    /// Takes it off the conversation's pins.
    Unpin(Seq),
}

impl Reference {
    pub fn seq(self) -> Seq {
        match self {
            Self::Reply(s)
            | Self::Edit(s)
            | Self::Recall(s)
            | Self::React(s)
            | Self::Unreact(s)
            | Self::Pin(s)
            | Self::Unpin(s) => s,
        }
    }

    /// An edit, a recall, a reaction or a pin: a change to the message it
    /// names.
    pub fn is_change(self) -> bool {
        !matches!(self, Self::Reply(_))
    }

    /// The reference a stored message makes, read from its type and the
    /// seq it names.
    pub fn from_stored(message_type: &MessageType, seq: Seq) -> Self {
        match message_type.as_str() {
            MessageType::EDIT => Self::Edit(seq),
            MessageType::RECALL => Self::Recall(seq),
            MessageType::REACT => Self::React(seq),
            MessageType::UNREACT => Self::Unreact(seq),
            MessageType::PIN => Self::Pin(seq),
            MessageType::UNPIN => Self::Unpin(seq),
            _ => Self::Reply(seq),
        }
    }
}

/// The most messages a conversation keeps pinned.
pub const MAX_PINS: usize = 50;

/// The most users one message mentions.
pub const MAX_MENTIONS: usize = 50;

/// What a message says of itself beyond its content: whom it mentions
/// (`mention_all`: every member), and whether it is a forwarded copy.
/// Set when it is sent, never changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Marks {
    /// Distinct, in the order the sender named them, at most
    /// `MAX_MENTIONS`.
    pub mentions: Vec<UserId>,
    pub mention_all: bool,
    /// A copy the sender forwarded from another conversation.
    pub forwarded: bool,
}

impl Marks {
    const ALL: &'static str = "@all";
    const FORWARDED: &'static str = "forwarded";

    /// Whom a send names: ids as the client wrote them, deduplicated.
    pub fn mentioning(raw: &[String], mention_all: bool) -> Result<Self, InvalidField> {
        let mut mentions: Vec<UserId> = Vec::with_capacity(raw.len().min(MAX_MENTIONS));
        for id in raw {
            let id = UserId::parse(id).map_err(|_| {
                InvalidField::new("mentions", format!("{id:?} is not a valid user id"))
            })?;
            if !mentions.contains(&id) {
                mentions.push(id);
            }
            if mentions.len() > MAX_MENTIONS {
                return Err(InvalidField::new(
                    "mentions",
                    format!("must name at most {MAX_MENTIONS} users"),
                ));
            }
        }
        Ok(Self {
            mentions,
            mention_all,
            forwarded: false,
        })
    }

    /// Whether the message mentions `user` by name or as one of all.
    pub fn mentions(&self, user: &UserId) -> bool {
        self.mention_all || self.mentions.contains(user)
    }

    /// The stored form: space-separated tokens (`forwarded`, `@all`, user
    /// ids), `None` when there is nothing to say.
    pub fn to_stored(&self) -> Option<String> {
        let mut tokens: Vec<&str> = Vec::new();
        if self.forwarded {
            tokens.push(Self::FORWARDED);
        }
        if self.mention_all {
            tokens.push(Self::ALL);
        }
        tokens.extend(self.mentions.iter().map(UserId::as_str));
        (!tokens.is_empty()).then(|| tokens.join(" "))
    }

    pub fn from_stored(raw: Option<&str>) -> Self {
        let mut marks = Self::default();
        for token in raw.unwrap_or_default().split_ascii_whitespace() {
            match token {
                Self::FORWARDED => marks.forwarded = true,
                Self::ALL => marks.mention_all = true,
                id => marks.mentions.push(UserId::from_stored(id.to_owned())),
            }
        }
        marks
    }
}

/// What later events did to a message: when it was last edited, when it
/// was recalled (its content is then empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Changes {
    pub edited_at: Option<Timestamp>,
    pub recalled_at: Option<Timestamp>,
}

/// A stored message. Its `seq` never changes; its content changes only
/// through edit and recall events (`changes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub conversation_kind: ConversationKind,
    pub seq: Seq,
    pub from: UserId,
    pub message_type: MessageType,
    pub content: MessageContent,
    pub client_msg_id: ClientMsgId,
    pub created_at: Timestamp,
    pub reference: Option<Reference>,
    pub changes: Changes,
    /// The reactions on it, as the member who reads it sees them (empty
    /// in a live delivery: a new message has none, and later ones come as
    /// events).
    pub reactions: Vec<ReactionCount>,
    /// For a `react` or `unreact` event: how many members have its emoji
    /// on the target once it is applied. A client that replays events in
    /// seq order sets the count from the last one and ends exact, whatever
    /// state it started from.
    pub reaction_count: Option<u32>,
    pub marks: Marks,
}

impl Message {
    /// Whether an edit or a recall may name this message.
    pub fn is_changeable(&self) -> bool {
        is_changeable(&self.message_type, self.reference)
    }
}

/// Whether an edit or a recall may name a message of this type and
/// reference: one a user wrote, not an event or a system message.
pub fn is_changeable(message_type: &MessageType, reference: Option<Reference>) -> bool {
    !message_type.is_system() && !reference.is_some_and(Reference::is_change)
}

/// What a sender is told once its message is durable (invariant 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub seq: Seq,
    pub client_msg_id: ClientMsgId,
    pub created_at: Timestamp,
}

impl From<&Message> for Ack {
    fn from(m: &Message) -> Self {
        Self {
            message_id: m.id.clone(),
            conversation_id: m.conversation_id.clone(),
            seq: m.seq,
            client_msg_id: m.client_msg_id.clone(),
            created_at: m.created_at,
        }
    }
}

/// Where a send goes: an existing conversation, a user (the single
/// conversation with them, created if needed) or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendTarget {
    Conversation(ConversationId),
    User(UserId),
    Group(GroupId),
}

/// A member's view of one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationView {
    pub id: ConversationId,
    pub kind: ConversationKind,
    pub name: String,
    pub peer_user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    pub last_seq: Seq,
    pub read_seq: Seq,
    pub muted: bool,
    pub pinned: bool,
    pub last_message: Option<Message>,
    pub updated_at: Timestamp,
    /// The last message that mentions this member, by name or as one of
    /// all (0: none).
    pub mention_seq: Seq,
}

impl ConversationView {
    pub fn unread(&self) -> u64 {
        unread(self.last_seq, self.read_seq)
    }

    /// Whether a message this member has not read yet mentions them.
    pub fn mentioned(&self) -> bool {
        self.mention_seq > self.read_seq
    }
}

/// Unread count under read diffusion: everything after the read cursor.
/// Sending moves the sender's own cursor, so own messages never count.
pub fn unread(last_seq: Seq, read_seq: Seq) -> u64 {
    last_seq.get().saturating_sub(read_seq.get())
}

/// Where a read cursor goes when a member says "read up to `requested`":
/// only forward, and never past the last message.
pub fn advance_read(current: Seq, requested: Seq, last_seq: Seq) -> Seq {
    current.max(requested.min(last_seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_cursor_moves_forward_only_and_is_capped() {
        let s = Seq::new;
        assert_eq!(advance_read(s(3), s(5), s(10)), s(5));
        assert_eq!(advance_read(s(5), s(3), s(10)), s(5), "never backwards");
        assert_eq!(
            advance_read(s(5), s(99), s(10)),
            s(10),
            "capped at last_seq"
        );
        assert_eq!(unread(s(10), s(4)), 6);
        assert_eq!(unread(s(4), s(10)), 0);
    }

    #[test]
    fn content_limits() {
        assert!(MessageContent::parse(String::new(), 10).is_err());
        assert!(MessageContent::parse("x".repeat(10), 10).is_ok());
        let e = MessageContent::parse("x".repeat(11), 10).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::TooLarge);
    }

    #[test]
    fn marks_survive_storage() {
        let a = UserId::generate();
        let b = UserId::generate();
        let raw = [a.to_string(), b.to_string(), a.to_string()];
        let mut marks = Marks::mentioning(&raw, true).unwrap();
        assert_eq!(
            marks.mentions,
            vec![a.clone(), b.clone()],
            "deduplicated, in order"
        );
        marks.forwarded = true;
        assert_eq!(Marks::from_stored(marks.to_stored().as_deref()), marks);
        assert_eq!(Marks::default().to_stored(), None);
        assert_eq!(Marks::from_stored(None), Marks::default());
        assert!(Marks::mentioning(&["nope".into()], false).is_err());
        let many: Vec<String> = (0..=MAX_MENTIONS)
            .map(|_| UserId::generate().to_string())
            .collect();
        assert!(Marks::mentioning(&many, false).is_err());
        assert!(Marks::mentioning(&many[..MAX_MENTIONS], false).is_ok());
    }

    #[test]
    fn message_types() {
        assert!(MessageType::parse("image".into()).is_ok());
        assert!(MessageType::parse("system".into()).is_err());
        assert!(MessageType::parse("edit".into()).is_err());
        assert!(MessageType::parse("recall".into()).is_err());
        assert!(MessageType::parse("react".into()).is_err());
        assert!(MessageType::parse("pin".into()).is_err());
        assert!(MessageType::parse("unpin".into()).is_err());
        assert!(MessageType::parse("Text".into()).is_err());
        assert!(MessageType::parse(String::new()).is_err());
    }

    #[test]
    fn page_limits() {
        assert_eq!(PageLimit::parse(None).unwrap().get(), 50);
        assert_eq!(PageLimit::parse(Some(200)).unwrap().get(), 200);
        assert!(PageLimit::parse(Some(201)).is_err());
        assert!(PageLimit::parse(Some(0)).is_err());
        assert!(Seq::parse(-1, "seq").is_err());
        assert_eq!(Seq::new(1).next(), Some(Seq::new(2)));
        assert_eq!(Seq::new(u64::MAX).next(), None);
    }
}
