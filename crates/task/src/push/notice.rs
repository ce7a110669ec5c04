//! What a phone is told about a message it missed, and its JSON for each
//! provider. Without `push.include_content` no text leaves the server:
//! the notification says only that something came, and the app fetches
//! the rest with its own token.

use ferrochat_domain::Message;
use serde_json::{json, Value};

/// One recipient's notification.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub(crate) conversation_id: String,
    pub(crate) message_id: String,
    pub(crate) seq: u64,
    pub(crate) from_user_id: String,
    pub(crate) title: &'static str,
    /// The text, cut to `push.content_max_chars`, if content is sent.
    pub(crate) body: Option<String>,
    /// The recipient's unread messages over every conversation.
    pub(crate) badge: u64,
    pub(crate) mentioned: bool,
}

impl Notice {
    pub(crate) fn new(
        message: &Message,
        badge: u64,
        mentioned: bool,
        content: Option<usize>,
    ) -> Self {
        Self {
            conversation_id: message.conversation_id.as_str().to_owned(),
            message_id: message.id.as_str().to_owned(),
            seq: message.seq.get(),
            from_user_id: message.from.as_str().to_owned(),
            title: if mentioned {
                "You were mentioned"
            } else {
                "New message"
            },
            body: content.map(|max| truncate(message.content.as_str(), max)),
            badge,
            mentioned,
        }
    }

    /// `{title, body?}`: both providers' shape.
    fn alert(&self) -> Value {
        let mut alert = serde_json::Map::new();
        alert.insert("title".into(), json!(self.title));
        if let Some(body) = &self.body {
            alert.insert("body".into(), json!(body));
        }
        Value::Object(alert)
    }

    /// FCM HTTP v1's `message`. One collapse key (and Android tag) per
    /// conversation: a phone that was off shows the latest, not a pile.
    pub(crate) fn fcm(&self, token: &str) -> Value {
        let notification = self.alert();
        json!({"message": {
            "token": token,
            "notification": notification,
            "data": {
                "conversation_id": self.conversation_id,
                "message_id": self.message_id,
                "seq": self.seq.to_string(),
                "from_user_id": self.from_user_id,
                "badge": self.badge.to_string(),
                "mentioned": self.mentioned.to_string(),
            },
            "android": {
                "collapse_key": self.conversation_id,
                "notification": {
                    "tag": self.conversation_id,
                    "notification_count": self.badge,
                },
            },
        }})
    }

    /// The APNs payload; the collapse id travels as a header.
    pub(crate) fn apns(&self) -> Value {
        let alert = self.alert();
        json!({
            "aps": {
                "alert": alert,
                "badge": self.badge,
                "sound": "default",
                "thread-id": self.conversation_id,
            },
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "seq": self.seq,
            "from_user_id": self.from_user_id,
            "mentioned": self.mentioned,
        })
    }
}

/// At most `max` characters, with "…" when cut.
fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((at, _)) => {
            let mut cut = text.get(..at).unwrap_or(text).to_owned();
            cut.push('…');
            cut
        }
    }
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn text_is_cut_at_a_character_boundary() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello!", 5), "hello…");
        assert_eq!(truncate("ééé", 2), "éé…");
        assert_eq!(truncate("", 3), "");
    }
}
