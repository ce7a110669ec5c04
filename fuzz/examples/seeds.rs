//! Writes the seed corpora under `fuzz/corpus/<target>/`: real frames,
//! bodies and bus records of the contract (docs/protocol.md, bus.proto),
//! each file named for what it is. libFuzzer starts from these and
//! mutates them. Run it again when the contract changes:
//!
//! ```sh
//! cargo +nightly run --manifest-path fuzz/Cargo.toml --example seeds
//! ```

use std::path::Path;
use std::sync::Arc;

use ferrochat_domain::commands::SyncRequest;
use ferrochat_domain::reactions::{Emoji, ReactionCount};
use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::social::{FriendRequest, RequestMessage, RequestStatus};
use ferrochat_domain::{
    Ack, Changes, ClientMsgId, ConversationId, ConversationKind, ErrorKind, GroupId, Marks,
    Message, MessageContent, MessageId, MessageType, Reference, RequestId, Seq, SessionId,
    Timestamp, UserId,
};
use ferrochat_ports::bus::{DownstreamRecord, Event, ReplyTo, SendRecord, TaskRecord};
use ferrochat_ports::ApiError;
use ferrochat_proto::bus::{encode_downstream, encode_sends, encode_task};
use ferrochat_wire::frame::{ClientFrame, ClientKind};
use ferrochat_wire::frame_data::ClientData;
use ferrochat_wire::messaging::SendBody;

const ALICE: &str = "0190a0a0-0000-7000-8000-00000000a11c";
const BOB: &str = "0190a0a0-0000-7000-8000-000000000b0b";
const CONV: &str = "0190a0a0-0000-7000-8000-00000000c0c0";
const GROUP: &str = "0190a0a0-0000-7000-8000-00000000960a";
const MSG: &str = "0190a0a0-0000-7000-8000-000000000e55";
const SESSION: &str = "0190a0a0-0000-7000-8000-0000000005e5";
const REQUEST: &str = "0190a0a0-0000-7000-8000-0000000000f2";
const AT: i64 = 1_767_225_600_000;

fn main() -> std::io::Result<()> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, text) in ws_frames() {
        decodes(&text);
        write(&corpus.join("ws_frame"), &name, text.as_bytes())?;
    }
    for (name, route, body) in http_bodies() {
        write(
            &corpus.join("http_body"),
            &name,
            format!("{route}\n{body}").as_bytes(),
        )?;
    }
    for (name, bytes) in bus_records() {
        write(&corpus.join("bus_record"), name, &bytes)?;
    }
    Ok(())
}

/// A seed frame is one the gateway takes, down to its command: the
/// fuzzer starts from inputs that reach every decoder.
fn decodes(text: &str) {
    let frame = ClientFrame::parse(text).expect("a frame");
    let kind = ClientKind::parse(&frame.kind).expect("a kind");
    let decoded = match ClientData::decode(kind, frame.data).expect("its data") {
        ClientData::Send(b) => b.decode(16 * 1024).map(drop),
        ClientData::Forward(b) => b.decode().map(drop),
        ClientData::Delete(b) => b.decode().map(drop),
        ClientData::Read(b) => b.decode().map(drop),
        ClientData::Typing(b) => b.decode().map(drop),
        ClientData::Sync(b) => SyncRequest::try_from(b).map(drop),
        ClientData::Ping | ClientData::Auth(_) => Ok(()),
    };
    decoded.unwrap_or_else(|e| panic!("{text}: {e}"));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(name), bytes)
}

/// One frame of each client kind, as docs/protocol.md shows them.
fn ws_frames() -> Vec<(String, String)> {
    let change = format!(r#""conversation_id":"{CONV}","seq":1,"client_msg_id":"c-2""#);
    [
        ("send-message", format!(r#"{{"to_user_id":"{BOB}","client_msg_id":"c-1","content":"hi"}}"#)),
        ("message", format!(r#"{{"group_id":"{GROUP}","client_msg_id":"c-1","content":"hi all","message_type":"text","mentions":["{BOB}"],"mention_all":false}}"#)),
        ("edit-message", format!(r#"{{{change},"content":"hi!"}}"#)),
        ("recall-message", format!("{{{change}}}")),
        ("react-message", format!(r#"{{{change},"emoji":"👍🏽"}}"#)),
        ("unreact-message", format!(r#"{{{change},"emoji":"👍🏽"}}"#)),
        ("pin-message", format!("{{{change}}}")),
        ("unpin-message", format!("{{{change}}}")),
        ("forward-messages", format!(r#"{{"conversation_id":"{CONV}","seqs":[1,2],"to_user_id":"{BOB}","client_msg_id":"f-1"}}"#)),
        ("delete-messages", format!(r#"{{"conversation_id":"{CONV}","seqs":[3,1]}}"#)),
        ("read", format!(r#"{{"conversation_id":"{CONV}","seq":7}}"#)),
        ("typing", r#"{"conversation_id":"world"}"#.to_owned()),
        ("sync", format!(r#"{{"cursors":{{"world":40,"{CONV}":7}},"limit":50}}"#)),
        ("ping", "{}".to_owned()),
        ("auth", r#"{"token":"eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}"#.to_owned()),
    ]
    .into_iter()
    .map(|(kind, data)| {
        let frame = format!(r#"{{"type":"{kind}","id":"r-{kind}","data":{data}}}"#);
        (kind.to_owned(), frame)
    })
    .collect()
}

/// One valid body per route that takes one.
fn http_bodies() -> Vec<(String, &'static str, String)> {
    let change = format!(r#""conversation_id":"{CONV}","seq":1,"client_msg_id":"c-2""#);
    let bodies: Vec<(&'static str, String)> = vec![
        ("POST /api/v1/users/register", r#"{"username":"alice","password":"correct horse","nickname":"Alice"}"#.into()),
        ("POST /api/v1/auth/login", r#"{"username":"alice","password":"correct horse","device_id":"laptop"}"#.into()),
        ("POST /api/v1/auth/password/reset", r#"{"token":"rt.abc","new_password":"battery staple"}"#.into()),
        ("POST /api/v1/auth/refresh", r#"{"refresh_token":"0190a0a0.secret"}"#.into()),
        ("POST /api/v1/auth/password", r#"{"current_password":"correct horse","new_password":"battery staple"}"#.into()),
        ("POST /api/v1/users/delete", r#"{"password":"correct horse"}"#.into()),
        ("PUT /api/v1/users/profile", r#"{"nickname":"Alice","avatar":"https://a.example/a.png","discoverable":true,"email":"alice@example.com","status_text":"in a meeting"}"#.into()),
        ("POST /api/v1/devices", r#"{"platform":"apns","token":"a1b2c3","app_id":"com.example.chat"}"#.into()),
        ("POST /api/v1/conversations/create", format!(r#"{{"peer_user_id":"{BOB}"}}"#)),
        ("PUT /api/v1/conversations/{id}", r#"{"read_seq":5,"muted":true,"pinned":false}"#.into()),
        ("POST /api/v1/friends/requests", format!(r#"{{"to_user_id":"{BOB}","message":"hi, it's Alice"}}"#)),
        ("POST /api/v1/groups/create", format!(r#"{{"name":"climbers","description":"weekends","member_ids":["{BOB}"],"join_policy":"invite","max_members":100}}"#)),
        ("PUT /api/v1/groups/{id}", r#"{"name":"climbers","announcement":"Saturday 9:00","join_policy":"open"}"#.into()),
        ("POST /api/v1/groups/{id}/members", format!(r#"{{"user_ids":["{BOB}"]}}"#)),
        ("PUT /api/v1/groups/{id}/members/{user_id}", r#"{"role":"admin","muted_until":"2027-01-01T00:00:00Z"}"#.into()),
        ("POST /api/v1/groups/{id}/transfer", format!(r#"{{"user_id":"{BOB}"}}"#)),
        ("POST /api/v1/messages/send", format!(r#"{{"conversation_id":"{CONV}","client_msg_id":"c-1","content":"hi","reply_to":1,"mentions":["{BOB}"]}}"#)),
        ("POST /api/v1/messages/edit", format!(r#"{{{change},"content":"hi!"}}"#)),
        ("POST /api/v1/messages/recall", format!("{{{change}}}")),
        ("POST /api/v1/messages/react", format!(r#"{{{change},"emoji":"🎉"}}"#)),
        ("POST /api/v1/messages/unreact", format!(r#"{{{change},"emoji":"🎉"}}"#)),
        ("POST /api/v1/messages/pin", format!("{{{change}}}")),
        ("POST /api/v1/messages/unpin", format!("{{{change}}}")),
        ("POST /api/v1/messages/forward", format!(r#"{{"conversation_id":"{CONV}","seqs":[1,2],"to_group_id":"{GROUP}","client_msg_id":"f-1"}}"#)),
        ("POST /api/v1/messages/delete", format!(r#"{{"conversation_id":"{CONV}","seqs":[1,2]}}"#)),
        ("POST /api/v1/reports", format!(r#"{{"conversation_id":"{CONV}","seq":3,"reason":"spam"}}"#)),
        ("POST /api/v1/admin/users/{id}/disable", r#"{"minutes":60}"#.into()),
        ("POST /api/v1/admin/users/{id}/password-reset", r#"{"valid_for_minutes":30}"#.into()),
        ("POST /api/v1/admin/messages/remove", format!(r#"{{"conversation_id":"{CONV}","seq":3}}"#)),
        ("PUT /api/v1/admin/world/mutes/{id}", r#"{"minutes":10}"#.into()),
        ("POST /api/v1/admin/reports/{id}/resolve", r#"{"note":"warned"}"#.into()),
    ];
    bodies
        .into_iter()
        .map(|(route, body)| {
            let name = route.to_lowercase().replacen(" /api/v1/", "-", 1);
            let name = name.replace(['{', '}'], "").replace('/', "-");
            (name, route, body)
        })
        .collect()
}

fn id<T>(parse: fn(&str) -> Result<T, ferrochat_domain::InvalidField>, raw: &str) -> T {
    parse(raw).expect("a valid id")
}

fn client_msg_id(raw: &str) -> ClientMsgId {
    ClientMsgId::parse(raw.to_owned()).expect("a valid client_msg_id")
}

fn gateway() -> GatewayId {
    GatewayId::new("gateway-1")
}

fn send(raw_id: &str, content: &str, reference: Option<Reference>, marks: Marks) -> SendRecord {
    let message_type = reference
        .and_then(MessageType::of_change)
        .unwrap_or_else(MessageType::text);
    SendRecord {
        sender: id(UserId::parse, ALICE),
        conversation_id: id(ConversationId::parse, CONV),
        client_msg_id: client_msg_id(raw_id),
        message_type,
        content: MessageContent::from_stored(content.to_owned()),
        reply_to: ReplyTo {
            gateway: gateway(),
            token: 42,
            conn: Some(ConnId(7)),
        },
        reference,
        marks,
        sent_at: Some(Timestamp::from_millis(AT)),
    }
}

fn message() -> Message {
    Message {
        id: id(MessageId::parse, MSG),
        conversation_id: id(ConversationId::parse, CONV),
        conversation_kind: ConversationKind::Group,
        seq: Seq::new(12),
        from: id(UserId::parse, ALICE),
        message_type: MessageType::text(),
        content: MessageContent::from_stored("see you at 9".into()),
        client_msg_id: client_msg_id("c-12"),
        created_at: Timestamp::from_millis(AT),
        reference: Some(Reference::Reply(Seq::new(10))),
        changes: Changes {
            edited_at: Some(Timestamp::from_millis(AT + 5_000)),
            recalled_at: None,
        },
        reactions: vec![ReactionCount {
            emoji: Emoji::parse("👍".into()).expect("an emoji"),
            count: 2,
            mine: true,
        }],
        reaction_count: None,
        marks: Marks {
            mentions: vec![id(UserId::parse, BOB)],
            mention_all: false,
            forwarded: false,
        },
    }
}

fn ack() -> Ack {
    Ack::from(&message())
}

fn deliver(event: Event) -> DownstreamRecord {
    DownstreamRecord::Deliver {
        conns: vec![ConnId(1), ConnId(2)],
        event: Arc::new(event),
    }
}

/// Records of each topic, as the Kafka adapter writes them.
fn bus_records() -> Vec<(&'static str, Vec<u8>)> {
    let reply = |result| DownstreamRecord::Reply {
        reply_to: ReplyTo {
            gateway: gateway(),
            token: 42,
            conn: None,
        },
        result,
    };
    let mentioning = Marks {
        mentions: vec![id(UserId::parse, BOB)],
        mention_all: true,
        forwarded: false,
    };
    let refused = ApiError::new(ErrorKind::RateLimited, "too many messages, slow down")
        .with_retry_after(std::time::Duration::from_millis(1500));
    let friend_request = FriendRequest {
        id: id(RequestId::parse, REQUEST),
        from: id(UserId::parse, ALICE),
        to: id(UserId::parse, BOB),
        message: RequestMessage::parse("hi".into()).expect("a note"),
        status: RequestStatus::Pending,
        created_at: Timestamp::from_millis(AT),
    };
    vec![
        (
            "upstream-send",
            encode_sends(&[send("c-1", "hi", None, Marks::default())]),
        ),
        (
            "upstream-batch",
            encode_sends(&[
                send(
                    "c-2",
                    "hi all",
                    Some(Reference::Reply(Seq::new(1))),
                    mentioning,
                ),
                send(
                    "c-3",
                    "",
                    Some(Reference::Recall(Seq::new(2))),
                    Marks::default(),
                ),
                send(
                    "c-4",
                    "👍",
                    Some(Reference::React(Seq::new(1))),
                    Marks::default(),
                ),
            ]),
        ),
        ("downstream-ack", encode_downstream(&[reply(Ok(ack()))])),
        (
            "downstream-refusal",
            encode_downstream(&[reply(Err(refused))]),
        ),
        (
            "downstream-new-message",
            encode_downstream(&[deliver(Event::NewMessage(message()))]),
        ),
        (
            "downstream-batch",
            encode_downstream(&[
                deliver(Event::ReadReceipt {
                    conversation_id: id(ConversationId::parse, CONV),
                    user_id: id(UserId::parse, BOB),
                    seq: Seq::new(12),
                }),
                deliver(Event::Typing {
                    conversation_id: ConversationId::world(),
                    user_id: id(UserId::parse, BOB),
                }),
                deliver(Event::Presence {
                    user_id: id(UserId::parse, BOB),
                    online: true,
                }),
                deliver(Event::FriendRequest(friend_request)),
                deliver(Event::GroupInvited {
                    group_id: id(GroupId::parse, GROUP),
                    conversation_id: id(ConversationId::parse, CONV),
                    name: "climbers".into(),
                    by: id(UserId::parse, ALICE),
                }),
                DownstreamRecord::CloseSession {
                    session: id(SessionId::parse, SESSION),
                },
            ]),
        ),
        (
            "task-fanout",
            encode_task(&TaskRecord::Fanout {
                message: Arc::new(message()),
                exclude: Some(Route {
                    gateway: gateway(),
                    conn: ConnId(7),
                }),
            }),
        ),
        (
            "task-push",
            encode_task(&TaskRecord::Push {
                message: Arc::new(message()),
                recipients: vec![id(UserId::parse, BOB)],
            }),
        ),
    ]
}
