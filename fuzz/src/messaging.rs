//! Checks of the commands both edges decode, the HTTP routes under
//! `/api/v1/messages` and their WebSocket frames: sends (with edits,
//! recalls, reactions and pins), forwards and "delete for me".

use ferrochat_domain::commands::{SendMessage, UpdateConversation, MAX_HIDE};
use ferrochat_domain::messaging::MAX_MENTIONS;
use ferrochat_domain::reactions::Emoji;
use ferrochat_domain::routing::{ConnId, GatewayId};
use ferrochat_domain::{
    ClientMsgId, ConversationId, GroupId, Marks, MessageContent, MessageType, Reference,
    SendTarget, Seq, Timestamp, UserId,
};
use ferrochat_ports::bus::{ReplyTo, SendRecord};
use ferrochat_proto::bus::{decode_send, encode_send};
use ferrochat_wire::frame::ClientKind;
use ferrochat_wire::messaging::{Forward, MAX_FORWARD};

use crate::revalidate::fixed_point;
use crate::{revalidates, revalidates_id, same};

/// The gateway's default `max_content_bytes`, which the targets decode
/// with.
pub const MAX_CONTENT_BYTES: usize = 16 * 1024;

/// A send of `kind` (its frame's type, or the route of the same name) is
/// the message that kind makes, with fields within their bounds, and logic
/// reads it back from the bus as the gateway wrote it.
pub fn send(kind: ClientKind, cmd: &SendMessage) {
    use ClientKind as K;
    let content = cmd.content.as_str();
    let again = || MessageContent::parse(content.to_owned(), MAX_CONTENT_BYTES);
    match (kind, cmd.reference) {
        (K::SendMessage, None | Some(Reference::Reply(_))) => {
            revalidates!(cmd.message_type, MessageType);
            fixed_point(&cmd.content, again());
        }
        (K::EditMessage, Some(Reference::Edit(_))) => fixed_point(&cmd.content, again()),
        (K::ReactMessage, Some(Reference::React(_)))
        | (K::UnreactMessage, Some(Reference::Unreact(_))) => {
            let emoji = Emoji::parse(content.to_owned());
            assert!(emoji.is_ok(), "a reaction of {content:?}: {emoji:?}");
        }
        (K::RecallMessage, Some(Reference::Recall(_)))
        | (K::PinMessage, Some(Reference::Pin(_)))
        | (K::UnpinMessage, Some(Reference::Unpin(_))) => {
            assert!(content.is_empty(), "a {} carries {content:?}", kind.name());
        }
        (kind, reference) => panic!("a {} decoded as {reference:?}", kind.name()),
    }
    if let Some(r) = cmd.reference {
        assert!(r.seq() >= Seq::new(1), "{r:?} names seq 0");
        if r.is_change() {
            assert_eq!(Some(&cmd.message_type), MessageType::of_change(r).as_ref());
            assert!(matches!(cmd.target, SendTarget::Conversation(_)));
            assert_eq!(cmd.marks, Marks::default());
        }
    }
    target(&cmd.target);
    revalidates!(cmd.client_msg_id, ClientMsgId);
    let mentions = &cmd.marks.mentions;
    assert!(
        mentions.len() <= MAX_MENTIONS,
        "{} mentions",
        mentions.len()
    );
    for (i, m) in mentions.iter().enumerate() {
        revalidates_id!(m, UserId);
        assert!(!mentions.iter().take(i).any(|n| n == m), "{m} twice");
    }
    assert!(
        !cmd.marks.forwarded,
        "a client marked its message forwarded"
    );
    through_the_bus(cmd);
}

/// The upstream record the gateway makes of `cmd` (`gateway/src/send.rs`)
/// is one logic decodes, into the same record: logic never refuses what
/// the gateway accepted, nor reads it otherwise.
fn through_the_bus(cmd: &SendMessage) {
    let conversation_id = match &cmd.target {
        SendTarget::Conversation(c) => c.clone(),
        // Resolved by the gateway before it publishes.
        SendTarget::User(_) | SendTarget::Group(_) => ConversationId::world(),
    };
    let record = SendRecord {
        sender: UserId::from_stored("0190a0a0-0000-7000-8000-000000000001".into()),
        conversation_id,
        client_msg_id: cmd.client_msg_id.clone(),
        message_type: cmd.message_type.clone(),
        content: cmd.content.clone(),
        reference: cmd.reference,
        marks: cmd.marks.clone(),
        reply_to: ReplyTo {
            gateway: GatewayId::new("gateway-1"),
            token: 7,
            conn: Some(ConnId(3)),
        },
        sent_at: Some(Timestamp::from_millis(1_767_225_600_000)),
        // A context rides beside the payload (Kafka headers), not in it.
        trace: None,
    };
    match decode_send(&encode_send(&record)) {
        Ok(back) => same(&back, &record, "a send through the bus"),
        Err(e) => panic!("logic refuses a send the gateway accepted: {e}\n  {record:?}"),
    }
}

/// Where a send goes, named by an id that is valid as it stands.
pub fn target(t: &SendTarget) {
    match t {
        SendTarget::Conversation(c) => revalidates_id!(c, ConversationId),
        SendTarget::User(u) => revalidates_id!(u, UserId),
        SendTarget::Group(g) => revalidates_id!(g, GroupId),
    }
}

/// A forward copies 1 to `MAX_FORWARD` distinct messages, each copy with
/// its own `client_msg_id`: the request's, then `/1`, `/2`, ...
pub fn forward(f: &Forward) {
    revalidates_id!(f.from, ConversationId);
    target(&f.to);
    let n = f.seqs.len();
    assert!((1..=MAX_FORWARD).contains(&n), "a forward of {n} messages");
    assert_eq!(f.client_msg_ids.len(), n, "one client_msg_id per copy");
    for (i, s) in f.seqs.iter().enumerate() {
        assert!(*s >= Seq::new(1), "a forward of seq 0");
        assert!(!f.seqs.iter().take(i).any(|t| t == s), "seq {s:?} twice");
    }
    let base = f
        .client_msg_ids
        .first()
        .and_then(|id| id.as_str().strip_suffix("/1"));
    let base = base.unwrap_or_else(|| panic!("the first copy's id: {:?}", f.client_msg_ids));
    for (i, id) in f.client_msg_ids.iter().enumerate() {
        revalidates!(id, ClientMsgId);
        assert_eq!(id.as_str(), format!("{base}/{}", i + 1));
    }
}

/// "Delete for me" hides 1 to `MAX_HIDE` messages, each once, in order,
/// and changes nothing else.
pub fn hide(id: &ConversationId, u: &UpdateConversation) {
    revalidates_id!(id, ConversationId);
    let n = u.hide.len();
    assert!((1..=MAX_HIDE).contains(&n), "hides {n} messages");
    assert!(
        u.hide.first().is_some_and(|s| *s >= Seq::new(1)),
        "hides seq 0"
    );
    assert!(u.hide.windows(2).all(|w| w[0] < w[1]), "{:?}", u.hide);
    assert!(u.read_seq.is_none() && u.muted.is_none() && u.pinned.is_none());
}
