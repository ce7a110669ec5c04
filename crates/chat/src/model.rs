//! The contract's objects, as much of them as the client reads
//! (docs/protocol.md, "Conversations and messages"). Unknown fields are
//! ignored, so a newer server does not break an older client.

use serde::{Deserialize, Serialize};

/// A user as login, search and `GET /api/v1/users/{id}` give it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct User {
    pub user_id: String,
    pub username: String,
    #[serde(default)]
    pub nickname: String,
}

/// A message, live or from history.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Message {
    pub message_id: String,
    pub conversation_id: String,
    #[serde(default)]
    pub conversation_type: String,
    pub seq: u64,
    pub from_user_id: String,
    #[serde(default)]
    pub message_type: String,
    #[serde(default)]
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_seq: Option<u64>,
    #[serde(default)]
    pub created_at: String,
    /// The fields this client does not read (mentions, reactions, ...),
    /// kept so `tail --json` prints the message whole.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A send's answer: the message is durable.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Ack {
    pub message_id: String,
    pub conversation_id: String,
    pub seq: u64,
    pub client_msg_id: String,
    #[serde(default)]
    pub created_at: String,
}

/// One conversation of the list.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Conversation {
    pub conversation_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default)]
    pub last_seq: u64,
    #[serde(default)]
    pub read_seq: u64,
    #[serde(default)]
    pub unread: u64,
}

/// A page of history, in ascending seq.
#[derive(Debug, Clone, Deserialize)]
pub struct History {
    pub messages: Vec<Message>,
    #[serde(default)]
    pub has_more: bool,
}

/// Where a send goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    User(String),
    Group(String),
    Conversation(String),
}

impl Message {
    /// The content as a reader sees it: text as it is, other kinds
    /// (events, system messages) tagged with their type.
    pub fn display_content(&self) -> String {
        match (self.message_type.as_str(), self.target_seq) {
            ("text" | "", _) => self.content.clone(),
            (kind, Some(t)) => format!("[{kind} #{t}] {}", self.content),
            (kind, None) => format!("[{kind}] {}", self.content),
        }
    }
}

impl Conversation {
    /// How a list or a line names it: `world`, `@peer`, `#group`.
    pub fn label(&self) -> String {
        match self.kind.as_str() {
            "world" => "world".to_owned(),
            "group" => format!("#{}", self.name),
            _ => format!("@{}", self.name),
        }
    }
}
