//! WebSocket frames: `{"type": "...", "id": "...", "data": {...}}`.

use serde::{Deserialize, Serialize};

/// A frame from a client; `data` is decoded per `type`.
#[derive(Debug, Deserialize)]
pub struct ClientFrame {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<String>,
    #[serde(default)]
    pub data: serde_json::Value,
}

impl ClientFrame {
    /// A text frame as the gateway reads it: `type`, `id` and the
    /// undecoded `data`. Anything else is one error (the contract's
    /// "frame must be a JSON object"), whose `id` [`loose_id`] may still
    /// find.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The `id` of a frame that failed to decode as a whole, if any can be
/// read, so the client can match the error to its request.
pub fn loose_id(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    v.get("id")?.as_str().map(str::to_owned)
}

/// A frame to a client.
#[derive(Debug, Serialize)]
pub struct ServerFrame<'a, T> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    pub data: T,
}

impl<T: Serialize> ServerFrame<'_, T> {
    pub fn to_json(&self) -> String {
        // Our frames are plain structs of strings and numbers; serde_json
        // cannot fail on them. Fall back to an error frame regardless.
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"type":"error","data":{"code":1004,"message":"internal error"}}"#.to_owned()
        })
    }
}

/// Declares a frame-kind enum with its wire names, each kind once: the
/// decoder dispatches on it and the frames' JSON Schema lists `ALL`.
macro_rules! frame_kinds {
    ($(#[$meta:meta])* $enum:ident { $($(#[doc = $doc:literal])+ $kind:ident => $name:literal $(| $alias:literal)*,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $enum {
            $($(#[doc = $doc])+ $kind,)+
        }

        impl $enum {
            /// Every kind.
            pub const ALL: &'static [Self] = &[$(Self::$kind),+];

            /// The kind a frame's `type` names, aliases included.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($name $(| $alias)* => Some(Self::$kind),)+
                    _ => None,
                }
            }

            /// Its `type` on the wire.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$kind => $name,)+
                }
            }

            /// Other names the decoder takes for it.
            pub fn aliases(self) -> &'static [&'static str] {
                match self {
                    $(Self::$kind => &[$($alias),*],)+
                }
            }

            /// What it is, for the frames' schema.
            pub fn description(self) -> &'static str {
                match self {
                    $(Self::$kind => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

frame_kinds! {
    /// The `type` of a frame a client sends (docs/protocol.md, "Client to server").
    ClientKind {
        /// As POST /api/v1/messages/send; answered `send-ack` or `error`.
        SendMessage => "send-message" | "message",
        /// As POST /api/v1/messages/edit; answered `send-ack` or `error`.
        EditMessage => "edit-message",
        /// As POST /api/v1/messages/recall; answered `send-ack` or `error`.
        RecallMessage => "recall-message",
        /// As POST /api/v1/messages/react; answered `send-ack` or `error`.
        ReactMessage => "react-message",
        /// As POST /api/v1/messages/unreact; answered `send-ack` or `error`.
        UnreactMessage => "unreact-message",
        /// As POST /api/v1/messages/pin; answered `send-ack` or `error`.
        PinMessage => "pin-message",
        /// As POST /api/v1/messages/unpin; answered `send-ack` or `error`.
        UnpinMessage => "unpin-message",
        /// As POST /api/v1/messages/forward; answered `forwarded` once every copy is durable, or `error`.
        ForwardMessages => "forward-messages",
        /// As POST /api/v1/messages/delete; answered `deleted` or `error`.
        DeleteMessages => "delete-messages",
        /// Moves the read cursor; no reply, other members get `read-receipt`.
        Read => "read",
        /// No reply; other online members get `typing`.
        Typing => "typing",
        /// Messages after each cursor; answered `sync`.
        Sync => "sync",
        /// Answered `pong`.
        Ping => "ping",
        /// A fresh access token of this connection's session; answered `auth` or `error` 1002.
        Auth => "auth",
    }
}

impl ClientKind {
    /// A send, an edit, a recall, a reaction, a pin or a forward: under
    /// the send rate limit rather than the frame one.
    pub fn is_send(self) -> bool {
        !matches!(
            self,
            Self::DeleteMessages | Self::Read | Self::Typing | Self::Sync | Self::Ping | Self::Auth
        )
    }
}

frame_kinds! {
    /// The `type` of a frame the server sends (docs/protocol.md, "Server to client").
    ServerKind {
        /// The ack of a send, edit, recall, reaction or pin, to the sending connection.
        SendAck => "send-ack",
        /// A message, to every other connection of every member.
        NewMessage => "new-message",
        /// A member's read cursor moved.
        ReadReceipt => "read-receipt",
        /// A member is typing.
        Typing => "typing",
        /// A friend's first connection opened or last one closed.
        Presence => "presence",
        /// A friend request to the recipient.
        FriendRequest => "friend-request",
        /// A friend request accepted, to the one who asked.
        FriendAccepted => "friend-accepted",
        /// Someone added you to a group.
        GroupInvited => "group-invited",
        /// The answer to `sync`.
        Sync => "sync",
        /// The answer to `ping`.
        Pong => "pong",
        /// The answer to `forward-messages`: the copies' acks.
        Forwarded => "forwarded",
        /// The answer to `delete-messages`.
        Deleted => "deleted",
        /// The answer to `auth`: `expires_in`, seconds the new token lives.
        Auth => "auth",
        /// A refusal; the connection stays open.
        Error => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_that_does_not_parse_may_still_name_its_id() {
        let f = ClientFrame::parse(r#"{"type":"ping","id":"r1"}"#).unwrap();
        assert_eq!((f.kind.as_str(), f.id.as_deref()), ("ping", Some("r1")));
        assert!(f.data.is_null());
        let no_type = r#"{"id":"r2","data":{}}"#;
        assert!(ClientFrame::parse(no_type).is_err());
        assert_eq!(loose_id(no_type).as_deref(), Some("r2"));
        assert_eq!(loose_id(r#"{"id":7}"#), None);
        assert_eq!(loose_id(r#"{"id":"r3""#), None);
    }

    #[test]
    fn every_kind_parses_from_its_names_only() {
        for kind in ClientKind::ALL {
            assert_eq!(ClientKind::parse(kind.name()), Some(*kind));
            for alias in kind.aliases() {
                assert_eq!(ClientKind::parse(alias), Some(*kind));
            }
            assert!(!kind.description().is_empty());
        }
        for kind in ServerKind::ALL {
            assert_eq!(ServerKind::parse(kind.name()), Some(*kind));
        }
        assert_eq!(ClientKind::parse("message"), Some(ClientKind::SendMessage));
        assert_eq!(ClientKind::parse("pong"), None);
        assert_eq!(ClientKind::parse("Send-Message"), None);
    }
}
