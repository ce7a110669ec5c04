//! The contract's calls a chat client makes, on a [`Session`].

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ChatError, Result};
use crate::model::{Ack, Conversation, History, Message, Target, User};
use crate::session::Session;

/// Tries of one send, the first included; each retry carries the same
/// `client_msg_id`, so the server stores it once however many arrive.
const SEND_TRIES: u32 = 6;
const FIRST_PAUSE: Duration = Duration::from_millis(200);
const MAX_PAUSE: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
struct Conversations {
    conversations: Vec<Conversation>,
}

#[derive(Deserialize)]
struct Users {
    users: Vec<User>,
}

/// A fresh `client_msg_id` (a UUID: printable ASCII, 36 characters).
pub fn new_client_msg_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Session {
    /// The conversation list, most recent activity first.
    pub async fn conversations(&self) -> Result<Vec<Conversation>> {
        let c: Conversations = self
            .call(Method::GET, "/api/v1/conversations", &[], None)
            .await?;
        Ok(c.conversations)
    }

    /// The last `limit` messages of a conversation (or those after
    /// `after_seq`), in ascending seq.
    pub async fn history(
        &self,
        conversation_id: &str,
        limit: u32,
        after_seq: Option<u64>,
    ) -> Result<History> {
        let limit = limit.clamp(1, 200).to_string();
        let after = after_seq.map(|s| s.to_string());
        let mut q = vec![("conversation_id", conversation_id), ("limit", &limit)];
        if let Some(a) = &after {
            q.push(("after_seq", a));
        }
        self.call(Method::GET, "/api/v1/messages/history", &q, None)
            .await
    }

    /// The user named exactly `username` (compared without regard to
    /// case, as usernames are unique that way): found by the directory's
    /// prefix search, paging until the names pass it.
    pub async fn find_user(&self, username: &str) -> Result<User> {
        let wanted = username.to_lowercase();
        if username.trim().is_empty() || username.chars().count() > 32 {
            return Err(ChatError::NoSuchUser(username.to_owned()));
        }
        let mut after: Option<String> = None;
        // Bounded: 20 pages of 50 share the prefix before we give up.
        for _ in 0..20 {
            let mut q = vec![("q", username), ("limit", "50")];
            if let Some(a) = &after {
                q.push(("after", a));
            }
            let page: Value = self
                .call(Method::GET, "/api/v1/users/search", &q, None)
                .await?;
            let users: Users = serde_json::from_value(page.clone())
                .map_err(|e| ChatError::Protocol(format!("user search: {e}")))?;
            if let Some(u) = users
                .users
                .into_iter()
                .find(|u| u.username.to_lowercase() == wanted)
            {
                self.remember(&u);
                return Ok(u);
            }
            match page.get("next").and_then(Value::as_str) {
                Some(n) => after = Some(n.to_owned()),
                None => break,
            }
        }
        if wanted == self.username().to_lowercase() {
            // The directory never lists you; the contract refuses a
            // conversation with yourself anyway.
            return Err(ChatError::Usage("that is you".into()));
        }
        Err(ChatError::NoSuchUser(username.to_owned()))
    }

    /// Sends `content` and waits for the ack. A refusal that may be
    /// retried (1007, 1009, no answer) is sent again with the same
    /// `client_msg_id`, after the wait the server asked for or a growing
    /// pause; any other refusal is returned as it came.
    pub async fn send(&self, target: &Target, content: &str) -> Result<Ack> {
        let client_msg_id = new_client_msg_id();
        let (key, id) = match target {
            Target::User(id) => ("to_user_id", id),
            Target::Group(id) => ("group_id", id),
            Target::Conversation(id) => ("conversation_id", id),
        };
        let mut body = serde_json::Map::new();
        body.insert("client_msg_id".into(), json!(client_msg_id));
        body.insert("content".into(), json!(content));
        body.insert(key.into(), json!(id));
        let body = Value::Object(body);
        let mut pause = FIRST_PAUSE;
        let mut tries = 1;
        loop {
            match self
                .call(Method::POST, "/api/v1/messages/send", &[], Some(&body))
                .await
            {
                Err(e) if e.retryable() && tries < SEND_TRIES => {
                    let asked = match &e {
                        ChatError::Api {
                            retry_after_ms: Some(ms),
                            ..
                        } => Some(Duration::from_millis(*ms)),
                        _ => None,
                    };
                    tokio::time::sleep(asked.unwrap_or(pause).min(MAX_PAUSE)).await;
                    pause = (pause * 2).min(MAX_PAUSE);
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// Moves this user's read cursor of a conversation to `seq`.
    pub async fn mark_read(&self, conversation_id: &str, seq: u64) -> Result<()> {
        let path = format!("/api/v1/conversations/{conversation_id}");
        let _: Value = self
            .call(Method::PUT, &path, &[], Some(&json!({"read_seq": seq})))
            .await?;
        Ok(())
    }

    /// The conversation a command line names: `world`, a group id (or a
    /// conversation id) from the list, or a username.
    pub async fn resolve_conversation(&self, name: &str) -> Result<Conversation> {
        let list = self.conversations().await?;
        if let Some(c) = list
            .iter()
            .find(|c| c.conversation_id == name || c.group_id.as_deref() == Some(name))
        {
            return Ok(c.clone());
        }
        let user = self.find_user(name).await?;
        if let Some(c) = list
            .iter()
            .find(|c| c.peer_user_id.as_deref() == Some(user.user_id.as_str()))
        {
            return Ok(c.clone());
        }
        Err(ChatError::NoSuchConversation(name.to_owned()))
    }

    /// The newest messages of a conversation, up to `limit`.
    pub async fn last_messages(&self, conversation_id: &str, limit: u32) -> Result<Vec<Message>> {
        Ok(self.history(conversation_id, limit, None).await?.messages)
    }
}
