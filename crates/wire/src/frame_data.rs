//! What a client frame's `data` decodes into, by its `type`: the request
//! body of that kind ([`ClientData::decode`]), whose own decoder then makes
//! the domain command. The gateway runs the two steps apart where the
//! contract puts something between them (a send is rate-limited after its
//! body's shape is checked and before its fields are).

use ferrochat_domain::commands::SendMessage;
use ferrochat_domain::InvalidField;
use serde::Deserialize;

use crate::frame::ClientKind;
use crate::json::{self, MalformedJson};
use crate::messaging::{
    DeleteMessagesBody, EditMessageBody, ForwardBody, PinBody, ReactBody, ReadBody,
    RecallMessageBody, SendBody, SendMessageBody, SyncBody, TypingBody, UnpinBody, UnreactBody,
};

/// A client frame's `data`, decoded as its kind's body.
#[derive(Debug)]
pub enum ClientData {
    /// A send, an edit, a recall, a reaction or a pin.
    Send(SendData),
    Forward(ForwardBody),
    Delete(DeleteMessagesBody),
    Read(ReadBody),
    Typing(TypingBody),
    Sync(SyncBody),
    /// `data` is not read.
    Ping,
    Auth(AuthBody),
}

impl ClientData {
    pub fn decode(kind: ClientKind, data: serde_json::Value) -> Result<Self, MalformedJson> {
        use ClientKind as K;
        Ok(match kind {
            K::SendMessage => Self::Send(SendData::Message(json::data(data)?)),
            K::EditMessage => Self::Send(SendData::Edit(json::data(data)?)),
            K::RecallMessage => Self::Send(SendData::Recall(json::data(data)?)),
            K::ReactMessage => Self::Send(SendData::React(json::data(data)?)),
            K::UnreactMessage => Self::Send(SendData::Unreact(json::data(data)?)),
            K::PinMessage => Self::Send(SendData::Pin(json::data(data)?)),
            K::UnpinMessage => Self::Send(SendData::Unpin(json::data(data)?)),
            K::ForwardMessages => Self::Forward(json::data(data)?),
            K::DeleteMessages => Self::Delete(json::data(data)?),
            K::Read => Self::Read(json::data(data)?),
            K::Typing => Self::Typing(json::data(data)?),
            K::Sync => Self::Sync(json::data(data)?),
            K::Ping => Self::Ping,
            K::Auth => Self::Auth(json::data(data)?),
        })
    }
}

/// The body of a frame that becomes a message of a conversation.
#[derive(Debug)]
pub enum SendData {
    Message(SendMessageBody),
    Edit(EditMessageBody),
    Recall(RecallMessageBody),
    React(ReactBody),
    Unreact(UnreactBody),
    Pin(PinBody),
    Unpin(UnpinBody),
}

impl SendBody for SendData {
    fn decode(self, max_content_bytes: usize) -> Result<SendMessage, InvalidField> {
        match self {
            Self::Message(b) => b.decode(max_content_bytes),
            Self::Edit(b) => b.decode(max_content_bytes),
            Self::Recall(b) => b.decode(max_content_bytes),
            Self::React(b) => b.decode(max_content_bytes),
            Self::Unreact(b) => b.decode(max_content_bytes),
            Self::Pin(b) => b.decode(max_content_bytes),
            Self::Unpin(b) => b.decode(max_content_bytes),
        }
    }
}

/// Frame `auth`: a fresh access token of the connection's session.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthBody {
    pub token: String,
}

/// Without the token: a bearer credential has no place in a log.
impl std::fmt::Debug for AuthBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthBody").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn each_kind_decodes_its_own_body() {
        let edit =
            json!({"conversation_id": "world", "seq": 3, "client_msg_id": "c", "content": "x"});
        let Ok(ClientData::Send(SendData::Edit(b))) =
            ClientData::decode(ClientKind::EditMessage, edit)
        else {
            panic!("an edit frame's data is an edit");
        };
        assert_eq!(b.seq, Some(3));
        assert!(matches!(
            ClientData::decode(ClientKind::Ping, json!("anything")),
            Ok(ClientData::Ping)
        ));
        let e = ClientData::decode(ClientKind::Auth, json!({"token": "t", "extra": 1}));
        assert_eq!(
            e.unwrap_err().to_string(),
            "extra: unknown field `extra`, expected `token`"
        );
    }
}
