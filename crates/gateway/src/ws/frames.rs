//! Encoding server frames, once per frame however many receive it.

use axum::extract::ws::Utf8Bytes;
use ferrochat_domain::social::RequestStatus;
use ferrochat_domain::Ack;
use ferrochat_ports::bus::Event;
use ferrochat_ports::ApiError;
use ferrochat_wire::frame::{ServerFrame, ServerKind};
use ferrochat_wire::messaging::{AckDto, MessageDto, ReadReceiptDto, TypingDto};
use ferrochat_wire::social::{FriendRequestDto, GroupInvitedDto, PresenceDto};
use ferrochat_wire::ErrorBody;
use serde::Serialize;

/// A frame of a kind the frames' schema lists (`ServerKind`).
pub(crate) fn frame<T: Serialize>(kind: ServerKind, id: Option<&str>, data: T) -> Utf8Bytes {
    let kind = kind.name();
    Utf8Bytes::from(ServerFrame { kind, id, data }.to_json())
}

pub(crate) fn error(id: Option<&str>, e: &ApiError) -> Utf8Bytes {
    let body = ErrorBody::new(e.kind, e.message.clone(), e.retry_after);
    frame(ServerKind::Error, id, body)
}

pub(crate) fn reply(id: Option<&str>, result: &Result<Ack, ApiError>) -> Utf8Bytes {
    match result {
        Ok(ack) => frame(ServerKind::SendAck, id, AckDto::from(ack)),
        Err(e) => error(id, e),
    }
}

pub(crate) fn event(e: &Event) -> Utf8Bytes {
    match e {
        Event::NewMessage(m) => frame(ServerKind::NewMessage, None, MessageDto::from(m)),
        Event::ReadReceipt {
            conversation_id,
            user_id,
            seq,
        } => frame(
            ServerKind::ReadReceipt,
            None,
            ReadReceiptDto {
                conversation_id: conversation_id.to_string(),
                user_id: user_id.to_string(),
                seq: seq.get(),
            },
        ),
        Event::Presence { user_id, online } => frame(
            ServerKind::Presence,
            None,
            PresenceDto {
                user_id: user_id.to_string(),
                online: *online,
            },
        ),
        Event::FriendRequest(r) => frame(
            match r.status {
                RequestStatus::Accepted => ServerKind::FriendAccepted,
                RequestStatus::Pending | RequestStatus::Rejected => ServerKind::FriendRequest,
            },
            None,
            FriendRequestDto::from(r),
        ),
        Event::GroupInvited {
            group_id,
            conversation_id,
            name,
            by,
        } => frame(
            ServerKind::GroupInvited,
            None,
            GroupInvitedDto {
                group_id: group_id.to_string(),
                conversation_id: conversation_id.to_string(),
                name: name.clone(),
                by_user_id: by.to_string(),
            },
        ),
        Event::Typing {
            conversation_id,
            user_id,
        } => frame(
            ServerKind::Typing,
            None,
            TypingDto {
                conversation_id: conversation_id.to_string(),
                user_id: user_id.to_string(),
            },
        ),
    }
}
