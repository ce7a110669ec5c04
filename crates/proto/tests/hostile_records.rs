//! Fuzzing the decoders of what other processes send, on stable Rust: bus
//! records and gRPC requests as arbitrary bytes, and valid encodings with
//! bytes flipped, cut or inserted, must decode or be refused, never
//! panic. A peer that is not ours (or a broken one) costs an error, not a
//! process. A case proptest finds is kept in
//! `hostile_records.proptest-regressions` and replayed on every run.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use ferrochat_domain::routing::GatewayId;
use ferrochat_domain::{ClientMsgId, ConversationId, MessageContent, MessageType, UserId};
use ferrochat_ports::bus::{ReplyTo, SendRecord};
use ferrochat_proto::bus::{
    decode_downstream, decode_send, decode_sends, decode_task, encode_send,
};
use ferrochat_proto::pb;
use proptest::prelude::*;
use prost::Message as _;

/// Each request type's `parse`, on `bytes` decoded as it.
macro_rules! parse_all {
    ($bytes:expr; $($t:ident),* $(,)?) => {
        $(
            if let Ok(m) = pb::$t::decode($bytes) {
                let _ = m.parse();
            }
        )*
    };
}

fn decode_everything(bytes: &[u8]) {
    let _ = decode_send(bytes);
    let _ = decode_sends(bytes);
    let _ = decode_downstream(bytes);
    let _ = decode_task(bytes);
    if let Ok(m) = pb::CommitMessagesAnswer::decode(bytes) {
        let _ = m.parse(&[]);
    }
    parse_all!(bytes;
        CommitMessagesRequest, NewMessage, MessageHistoryRequest, UpdateCursorRequest,
        InsertUserRequest, NewSession, Rotation, InsertGroupRequest, AddGroupMembersRequest,
        UpdateGroupInfoRequest, SetMutedUntilRequest, SetRoleRequest, MembersQuery,
        MemberIdsRequest, OpenSingleConversationRequest, RevokeSessionRequest,
        HistoryRequest, UpdateConversationRequest, SyncRequest, RegisterRequest, LoginRequest,
        RefreshRequest, AuthenticateRequest, CreateGroupRequest, UpdateGroupRequest,
        UpdateMemberRequest, AddMembersRequest, MembersPageRequest, ResolveTargetRequest,
        RequestFriendRequest, AnswerRequestRequest, SetBlockRequest, MarkReadRequest,
        TypingRequest, Principal, SearchMessagesRequest,
    );
}

/// A valid upstream record, encoded.
fn valid_send() -> Vec<u8> {
    encode_send(&SendRecord {
        sender: UserId::generate(),
        conversation_id: ConversationId::generate(),
        client_msg_id: ClientMsgId::parse("c-1".into()).unwrap(),
        message_type: MessageType::text(),
        content: MessageContent::from_stored("hello".into()),
        reply_to: ReplyTo {
            gateway: GatewayId::new("gw-1"),
            token: 7,
            conn: None,
        },
        reference: None,
        marks: Default::default(),
        sent_at: None,
        trace: None,
    })
}

/// A byte-level edit of an encoding.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len().max(1);
        match e {
            Edit::Flip(i, b) => {
                if let Some(x) = bytes.get_mut(i % n) {
                    *x ^= b;
                }
            }
            Edit::Cut(i) => bytes.truncate(i % n),
            Edit::Insert(i, more) => {
                let at = (i % n).min(bytes.len());
                bytes.splice(at..at, more.iter().copied());
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

    #[test]
    fn no_decoder_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&bytes);
    }

    #[test]
    fn no_decoder_panics_on_a_valid_record_made_wrong(edits in prop::collection::vec(edit(), 1..6)) {
        decode_everything(&apply(valid_send(), &edits));
    }
}
