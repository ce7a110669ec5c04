//! Every bus record survives encode -> decode unchanged, and what no
//! ferrochat process writes is refused with the field named.

use std::sync::Arc;

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::{
    Ack, ClientMsgId, ConversationId, ConversationKind, ErrorKind, Message, MessageContent,
    MessageId, MessageType, Reference, Seq, SessionId, Timestamp, UserId,
};
use ferrochat_ports::bus::{DownstreamRecord, Event, ReplyTo, SendRecord, TaskRecord};
use ferrochat_ports::ApiError;
use ferrochat_proto::bus::*;
use ferrochat_proto::{pb, DecodeError};
use prost::Message as _;

fn gw(s: &str) -> GatewayId {
    GatewayId::new(s)
}

fn message(kind: ConversationKind, message_type: MessageType) -> Message {
    Message {
        marks: Default::default(),
        id: MessageId::generate(),
        conversation_id: if kind == ConversationKind::World {
            ConversationId::world()
        } else {
            ConversationId::generate()
        },
        conversation_kind: kind,
        seq: Seq::new(42),
        from: UserId::generate(),
        message_type,
        content: MessageContent::from_stored("héllo, 世界 \u{1F600}".into()),
        client_msg_id: ClientMsgId::parse("c-1".into()).expect("valid"),
        created_at: Timestamp::from_millis(1_700_000_000_123),
        reference: None,
        changes: Default::default(),
        reactions: Vec::new(),
        reaction_count: None,
    }
}

fn same<T: std::fmt::Debug>(a: &T, b: &T) {
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

#[test]
fn send_records_round_trip() {
    for reply_to in [
        ReplyTo {
            gateway: gw("gw-1"),
            token: u64::MAX,
            conn: None,
        },
        ReplyTo {
            gateway: gw("gw-2"),
            token: 9,
            conn: Some(ConnId(7)),
        },
        ReplyTo {
            gateway: gw("gw-2"),
            token: 0,
            conn: Some(ConnId(0)),
        },
    ] {
        let record = SendRecord {
            marks: Default::default(),
            sender: UserId::generate(),
            conversation_id: ConversationId::generate(),
            client_msg_id: ClientMsgId::parse("abc".into()).expect("valid"),
            message_type: MessageType::text(),
            content: MessageContent::from_stored("hi".into()),
            reply_to,
            reference: None,
            sent_at: Some(Timestamp::from_millis(1_700_000_000_456)),
            trace: None,
        };
        let back = decode_send(&encode_send(&record)).expect("decodes");
        same(&record, &back);
    }
}

fn send(conversation: &ConversationId, id: &str) -> SendRecord {
    SendRecord {
        marks: Default::default(),
        sender: UserId::generate(),
        conversation_id: conversation.clone(),
        client_msg_id: ClientMsgId::parse(id.into()).expect("valid"),
        message_type: MessageType::text(),
        content: MessageContent::from_stored(format!("content of {id}")),
        reply_to: ReplyTo {
            gateway: gw("gw-1"),
            token: 3,
            conn: Some(ConnId(5)),
        },
        reference: None,
        sent_at: None,
        trace: None,
    }
}

#[test]
fn replies_edits_and_recalls_keep_their_reference() {
    let conversation = ConversationId::generate();
    for reference in [
        Reference::Reply(Seq::new(3)),
        Reference::Edit(Seq::new(4)),
        Reference::Recall(Seq::new(5)),
        Reference::React(Seq::new(6)),
        Reference::Unreact(Seq::new(7)),
    ] {
        let record = SendRecord {
            message_type: MessageType::of_change(reference).unwrap_or_else(MessageType::text),
            reference: Some(reference),
            ..send(&conversation, "r")
        };
        let back = decode_send(&encode_send(&record)).expect("decodes");
        assert_eq!(back.reference, Some(reference));
        assert_eq!(back.message_type, record.message_type);
    }
    // An edit's type without the seq it changes is a client's plain send
    // of a reserved type: refused.
    let mut bare = pb::SendRecord::from(&send(&conversation, "e"));
    bare.message_type = "edit".into();
    assert_eq!(
        field_of(decode_send(&bare.encode_to_vec()).expect_err("reserved")),
        "message_type"
    );
    // A committed message carries its reference and what changed it.
    let mut m = message(ConversationKind::Single, MessageType::text());
    m.reference = Some(Reference::Reply(Seq::new(1)));
    m.changes.edited_at = Some(Timestamp::from_millis(1_700_000_000_999));
    m.changes.recalled_at = Some(Timestamp::from_millis(1_700_000_001_000));
    let back = Message::try_from(pb::Message::from(&m)).expect("decodes");
    assert_eq!(back, m);
}

#[test]
fn upstream_batches_keep_their_sends_in_order() {
    let (a, b) = (ConversationId::generate(), ConversationId::generate());
    let sends = vec![send(&a, "1"), send(&b, "2"), send(&a, "3")];
    let back = decode_sends(&encode_sends(&sends)).expect("decodes");
    same(&sends, &back);
    // What a batch costs is what it takes: the sends' lengths in a batch
    // add up to the record's size.
    let total: usize = sends.iter().map(send_len_in_batch).sum();
    assert_eq!(encode_sends(&sends).len(), total);
}

#[test]
fn a_lone_send_is_written_and_read_as_before_batches_existed() {
    let one = send(&ConversationId::generate(), "only");
    assert_eq!(encode_sends(std::slice::from_ref(&one)), encode_send(&one));
    // A record a gateway wrote before batches existed reads as one send.
    let back = decode_sends(&encode_send(&one)).expect("decodes");
    same(&vec![one], &back);
}

#[test]
fn a_batch_with_a_bad_send_is_refused_whole() {
    let good = pb::SendRecord::from(&send(&ConversationId::generate(), "ok"));
    let mut bad = good.clone();
    bad.sender = "not a user id".into();
    let batch = pb::UpstreamBatch {
        sends: vec![good, bad],
    };
    assert_eq!(
        field_of(decode_sends(&batch.encode_to_vec()).expect_err("refused")),
        "user_id"
    );
}

#[test]
fn downstream_records_round_trip() {
    let ack = Ack::from(&message(ConversationKind::Single, MessageType::text()));
    let events = [
        Event::NewMessage(message(ConversationKind::Group, MessageType::system())),
        Event::NewMessage(message(ConversationKind::World, MessageType::text())),
        Event::ReadReceipt {
            conversation_id: ConversationId::generate(),
            user_id: UserId::generate(),
            seq: Seq::new(3),
        },
        Event::Typing {
            conversation_id: ConversationId::world(),
            user_id: UserId::generate(),
        },
        Event::Presence {
            user_id: UserId::generate(),
            online: true,
        },
    ];
    let mut records = vec![
        DownstreamRecord::Reply {
            reply_to: ReplyTo {
                gateway: gw("a"),
                token: 1,
                conn: None,
            },
            result: Ok(ack),
            trace: None,
        },
        DownstreamRecord::CloseSession {
            session: SessionId::generate(),
        },
    ];
    for kind in [
        ErrorKind::InvalidParams,
        ErrorKind::Unauthorized,
        ErrorKind::NotFound,
        ErrorKind::Internal,
        ErrorKind::Forbidden,
        ErrorKind::Conflict,
        ErrorKind::RateLimited,
        ErrorKind::TooLarge,
        ErrorKind::Unavailable,
    ] {
        records.push(DownstreamRecord::Reply {
            reply_to: ReplyTo {
                gateway: gw("b"),
                token: 3,
                conn: Some(ConnId(5)),
            },
            result: Err(ApiError::new(kind, "no")),
            trace: None,
        });
    }
    // A refusal's retry hint travels with it.
    records.push(DownstreamRecord::Reply {
        reply_to: ReplyTo {
            gateway: gw("b"),
            token: 4,
            conn: None,
        },
        result: Err(ApiError::new(ErrorKind::RateLimited, "behind")
            .with_retry_after(std::time::Duration::from_millis(600))),
        trace: None,
    });
    for event in events {
        records.push(DownstreamRecord::Deliver {
            conns: vec![ConnId(1), ConnId(u64::MAX)],
            event: Arc::new(event),
            trace: None,
        });
    }
    for record in &records {
        let one = std::slice::from_ref(record);
        let back = decode_downstream(&encode_downstream(one)).expect("decodes");
        same(&one.to_vec(), &back);
    }
    // Several in one record come back in order.
    let back = decode_downstream(&encode_downstream(&records)).expect("decodes");
    same(&records, &back);
}

#[test]
fn a_single_item_is_written_as_before_batches_existed() {
    let record = DownstreamRecord::CloseSession {
        session: SessionId::generate(),
    };
    let bytes = encode_downstream(std::slice::from_ref(&record));
    let plain = pb::DownstreamRecord::decode(bytes.as_slice()).expect("protobuf");
    assert!(matches!(
        plain.kind,
        Some(pb::downstream_record::Kind::CloseSession(_))
    ));
}

#[test]
fn items_too_large_for_one_record_are_split_in_order() {
    let deliver = |n: usize| {
        let mut m = message(ConversationKind::Single, MessageType::text());
        m.seq = Seq::new(n as u64 + 1);
        m.content = MessageContent::from_stored("x".repeat(3_000));
        DownstreamRecord::Deliver {
            conns: vec![ConnId(7)],
            event: Arc::new(Event::NewMessage(m)),
            trace: None,
        }
    };
    let items: Vec<DownstreamRecord> = (0..10).map(deliver).collect();

    // Within the limit: one record, as `encode_downstream` writes it.
    let one = encode_downstream_within(&items, 1 << 20);
    assert_eq!(one, vec![encode_downstream(&items)]);

    // About three items per record: every record within the limit, and
    // their items, read back in order, are the items.
    let records = encode_downstream_within(&items, 10_000);
    assert!(records.len() >= 4, "{} records", records.len());
    assert!(records.iter().all(|r| r.len() <= 10_000));
    let back: Vec<DownstreamRecord> = records
        .iter()
        .flat_map(|r| decode_downstream(r).expect("decodes"))
        .collect();
    same(&back, &items);

    // One item over the limit still goes, alone.
    let alone = encode_downstream_within(&items, 100);
    assert_eq!(alone.len(), 10);
}

#[test]
fn a_batch_inside_a_batch_is_refused() {
    let inner = pb::DownstreamRecord {
        kind: Some(pb::downstream_record::Kind::Batch(pb::DownstreamBatch {
            items: vec![],
        })),
    };
    let outer = pb::DownstreamRecord {
        kind: Some(pb::downstream_record::Kind::Batch(pb::DownstreamBatch {
            items: vec![inner],
        })),
    };
    assert_eq!(
        field_of(decode_downstream(&outer.encode_to_vec()).expect_err("nested")),
        "batch"
    );
}

#[test]
fn task_records_round_trip() {
    for exclude in [
        None,
        Some(Route {
            gateway: gw("g"),
            conn: ConnId(9),
        }),
    ] {
        let record = TaskRecord::Fanout {
            message: Arc::new(message(ConversationKind::Group, MessageType::text())),
            exclude,
        };
        let back = decode_task(&encode_task(&record)).expect("decodes");
        same(&record, &back);
    }
    for recipients in [
        vec![],
        vec![UserId::generate()],
        (0..100).map(|_| UserId::generate()).collect(),
    ] {
        let record = TaskRecord::Push {
            message: Arc::new(message(ConversationKind::Single, MessageType::text())),
            recipients,
        };
        let back = decode_task(&encode_task(&record)).expect("decodes");
        same(&record, &back);
    }
}

#[test]
fn push_recipients_must_be_user_ids() {
    let record = pb::TaskRecord {
        kind: Some(pb::task_record::Kind::Push(pb::Push {
            message: Some((&message(ConversationKind::Group, MessageType::text())).into()),
            recipients: vec![UserId::generate().into_string(), "nobody".into()],
        })),
    };
    assert_eq!(
        field_of(decode_task(&record.encode_to_vec()).expect_err("bad id")),
        "user_id"
    );
    let no_message = pb::TaskRecord {
        kind: Some(pb::task_record::Kind::Push(pb::Push {
            message: None,
            recipients: vec![],
        })),
    };
    assert_eq!(
        field_of(decode_task(&no_message.encode_to_vec()).expect_err("no message")),
        "message"
    );
}

fn field_of(e: DecodeError) -> &'static str {
    match e {
        DecodeError::Field { field, .. } => field,
        other => panic!("expected a field error, got {other}"),
    }
}

#[test]
fn garbage_is_refused() {
    assert!(matches!(
        decode_send(&[0xff, 0xff, 0xff]),
        Err(DecodeError::Protobuf(_))
    ));
    // An empty buffer is a record with every field empty.
    assert_eq!(field_of(decode_send(&[]).expect_err("empty")), "user_id");
    assert_eq!(
        field_of(decode_downstream(&[]).expect_err("empty")),
        "downstream record"
    );
    assert_eq!(
        field_of(decode_task(&[]).expect_err("empty")),
        "task record"
    );
}

#[test]
fn bad_fields_are_named() {
    let good = pb::SendRecord {
        marks: Default::default(),
        sender: UserId::generate().into_string(),
        conversation_id: "world".into(),
        client_msg_id: "c".into(),
        message_type: "text".into(),
        content: "x".into(),
        ref_seq: None,
        reply_to: Some(pb::ReplyTo {
            target: Some(pb::reply_to::Target::Http(pb::HttpReply {
                gateway: "g".into(),
                token: 1,
            })),
        }),
        // 0: a record from before the field, whose time is unknown.
        sent_at_ms: 0,
    };
    assert_eq!(
        decode_send(&good.encode_to_vec()).expect("decodes").sent_at,
        None
    );

    type Spoil = fn(&mut pb::SendRecord);
    let cases: [(&str, Spoil); 6] = [
        ("user_id", |r| r.sender = "not-a-uuid".into()),
        ("conversation_id", |r| r.conversation_id = "x".into()),
        ("client_msg_id", |r| r.client_msg_id = String::new()),
        ("message_type", |r| r.message_type = "system".into()),
        ("reply_to", |r| r.reply_to = None),
        ("gateway", |r| {
            r.reply_to = Some(pb::ReplyTo {
                target: Some(pb::reply_to::Target::Ws(pb::WsReply {
                    gateway: String::new(),
                    conn: 1,
                    request_id: None,
                    token: 1,
                })),
            })
        }),
    ];
    for (field, spoil) in cases {
        let mut r = good.clone();
        spoil(&mut r);
        assert_eq!(
            field_of(decode_send(&r.encode_to_vec()).expect_err(field)),
            field
        );
    }

    let bad_kind = pb::DownstreamRecord {
        kind: Some(pb::downstream_record::Kind::Reply(pb::Reply {
            reply_to: good.reply_to.clone(),
            result: Some(pb::reply::Result::Error(pb::ApiError {
                kind: 99,
                message: "?".into(),
                retry_after_ms: None,
            })),
        })),
    };
    assert_eq!(
        field_of(decode_downstream(&bad_kind.encode_to_vec()).expect_err("kind")),
        "error.kind"
    );
}

#[test]
fn mentions_and_forwards_survive_the_bus_and_a_peer_cannot_overfill_them() {
    let mut m = message(ConversationKind::Group, MessageType::text());
    m.marks = ferrochat_domain::Marks {
        mentions: vec![UserId::generate(), UserId::generate()],
        mention_all: true,
        forwarded: true,
    };
    let back = Message::try_from(pb::Message::from(&m)).unwrap();
    same(&back, &m);
    let mut plain = pb::Message::from(&message(ConversationKind::Single, MessageType::text()));
    assert!(
        plain.marks.is_none(),
        "a message without marks carries none"
    );
    plain.marks = Some(pb::Marks {
        mentions: (0..=ferrochat_domain::messaging::MAX_MENTIONS)
            .map(|_| UserId::generate().as_str().to_owned())
            .collect(),
        mention_all: false,
        forwarded: false,
    });
    assert!(
        Message::try_from(plain.clone()).is_err(),
        "too many mentions"
    );
    plain.marks = Some(pb::Marks {
        mentions: vec!["not-an-id".into()],
        mention_all: false,
        forwarded: false,
    });
    assert!(Message::try_from(plain).is_err(), "a mention that is no id");
}
