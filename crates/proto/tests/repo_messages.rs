//! The repo's answers that carry more than one value keep all of it: a
//! commit's outcomes (kind and order), `None`s, each rotation outcome;
//! and an answer that cannot be one to its request is refused.

use ferrochat_domain::{
    ClientMsgId, ConversationId, ConversationKind, Message, MessageContent, MessageId, MessageType,
    Seq, SessionId, Timestamp, User, UserId,
};
use ferrochat_ports::store::{Committed, RotateOutcome, SessionRecord};
use ferrochat_proto::{pb, DecodeError};

fn message(seq: u64, client_msg_id: &str) -> Message {
    Message {
        id: MessageId::generate(),
        conversation_id: ConversationId::generate(),
        conversation_kind: ConversationKind::Group,
        seq: Seq::new(seq),
        from: UserId::generate(),
        message_type: MessageType::system(),
        content: MessageContent::from_stored("{\"event\":\"joined\"}".into()),
        client_msg_id: ClientMsgId::parse(client_msg_id.into()).expect("valid"),
        created_at: Timestamp::from_millis(1_700_000_000_123),
    }
}

/// Through bytes, as it travels.
fn wire<M: prost::Message + Default>(m: &M) -> M {
    M::decode(m.encode_to_vec().as_slice()).expect("decodes")
}

#[test]
fn commit_outcomes_keep_their_kind_and_order() {
    let out = vec![
        Committed::Stored(message(7, "a")),
        Committed::Duplicate(message(3, "b")),
        Committed::Stored(message(8, "c")),
    ];
    let back = wire(&pb::CommitMessagesAnswer::from(out.as_slice()))
        .parse(3)
        .expect("parses");
    assert_eq!(back.len(), 3);
    for (a, b) in out.iter().zip(&back) {
        let same_kind = matches!(
            (a, b),
            (Committed::Stored(_), Committed::Stored(_))
                | (Committed::Duplicate(_), Committed::Duplicate(_))
        );
        assert!(same_kind, "{a:?} came back as {b:?}");
        assert_eq!(a.message(), b.message());
    }
}

#[test]
fn a_commit_answer_of_another_size_is_refused() {
    let out = vec![Committed::Stored(message(1, "a"))];
    let answer = pb::CommitMessagesAnswer::from(out.as_slice());
    let e = answer.clone().parse(2).unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Field {
                field: "committed",
                ..
            }
        ),
        "{e}"
    );
    let e = pb::CommitMessagesAnswer {
        committed: vec![pb::Committed { outcome: None }],
    }
    .parse(1)
    .unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Field {
                field: "committed.outcome",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn absent_answers_stay_absent() {
    let none: Option<User> = None;
    let back = Option::<User>::try_from(wire(&pb::UserAnswer::from(&none))).expect("parses");
    assert_eq!(back, None);
    let none: Option<SessionRecord> = None;
    let back =
        Option::<SessionRecord>::try_from(wire(&pb::SessionAnswer::from(&none))).expect("parses");
    assert_eq!(back, None);
}

#[test]
fn every_rotation_outcome_survives() {
    let session = SessionRecord {
        id: SessionId::generate(),
        user_id: UserId::generate(),
        expires_at: Timestamp::from_millis(5),
        revoked: false,
    };
    for outcome in [
        RotateOutcome::Rotated(session.clone()),
        RotateOutcome::Reused {
            session: session.id.clone(),
            user: session.user_id.clone(),
        },
        RotateOutcome::Invalid,
    ] {
        let back = RotateOutcome::try_from(wire(&pb::RotateOutcome::from(&outcome)));
        assert_eq!(back.expect("parses"), outcome);
    }
    let e = RotateOutcome::try_from(pb::RotateOutcome { outcome: None }).unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Field {
                field: "outcome",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn a_bad_id_in_an_answer_is_named() {
    let e = Option::<SessionRecord>::try_from(pb::SessionAnswer {
        session: Some(pb::SessionRecord {
            id: "s-1".into(),
            user_id: UserId::generate().into_string(),
            expires_at_ms: 0,
            revoked: false,
        }),
    })
    .unwrap_err();
    assert!(
        matches!(
            e,
            DecodeError::Field {
                field: "session.id",
                ..
            }
        ),
        "{e}"
    );
}
