//! The repo's answers that carry more than one value keep all of it: a
//! commit's outcomes (kind and order; a stored message by its seq alone,
//! rebuilt from the request), `None`s, each rotation outcome; and an
//! answer that cannot be one to its request is refused.

// Test code: a panic is the failure report.
#![allow(clippy::indexing_slicing)]

use ferrochat_domain::{
    ClientMsgId, ConversationId, ConversationKind, Message, MessageContent, MessageId, MessageType,
    Reference, Seq, SessionId, Timestamp, User, UserId,
};
use ferrochat_ports::store::{Committed, NewMessage, Refusal, RotateOutcome, SessionRecord};
use ferrochat_proto::{pb, DecodeError};

fn message(seq: u64, client_msg_id: &str) -> Message {
    Message {
        marks: Default::default(),
        id: MessageId::generate(),
        conversation_id: ConversationId::generate(),
        conversation_kind: ConversationKind::Group,
        seq: Seq::new(seq),
        from: UserId::generate(),
        message_type: MessageType::system(),
        content: MessageContent::from_stored("{\"event\":\"joined\"}".into()),
        client_msg_id: ClientMsgId::parse(client_msg_id.into()).expect("valid"),
        created_at: Timestamp::from_millis(1_700_000_000_123),
        reference: None,
        changes: Default::default(),
        reactions: Vec::new(),
        reaction_count: None,
    }
}

/// Through bytes, as it travels.
fn wire<M: prost::Message + Default>(m: &M) -> M {
    M::decode(m.encode_to_vec().as_slice()).expect("decodes")
}

/// A batch of four and what a store answers for it: the first and the
/// third (an edit of seq 2) stored, the second a resend of an original
/// with other content, the fourth (a recall) refused.
fn batch_and_outcomes() -> (Vec<NewMessage>, Vec<Committed>) {
    let mut batch: Vec<NewMessage> = ["a", "b", "c", "d"]
        .iter()
        .map(|id| {
            let m = message(0, id);
            NewMessage {
                marks: Default::default(),
                id: m.id,
                conversation_id: m.conversation_id,
                conversation_kind: m.conversation_kind,
                from: m.from,
                client_msg_id: m.client_msg_id,
                message_type: m.message_type,
                content: MessageContent::from_stored(format!("resent {id}")),
                created_at: m.created_at,
                reference: None,
            }
        })
        .collect();
    for (m, reference) in batch[2..]
        .iter_mut()
        .zip([Reference::Edit(Seq::new(2)), Reference::Recall(Seq::new(1))])
    {
        m.message_type = MessageType::of_change(reference).expect("a change");
        m.reference = Some(reference);
    }
    let out = vec![
        Committed::Stored(batch[0].stored(Seq::new(7))),
        Committed::Duplicate(message(3, "b")),
        Committed::Stored(batch[2].stored(Seq::new(8))),
        Committed::Refused(Refusal::TargetRecalled),
    ];
    (batch, out)
}

#[test]
fn commit_outcomes_keep_their_kind_and_order() {
    let (batch, out) = batch_and_outcomes();
    // A caller of today (seq only) and one from before it (whole).
    for seq_only in [true, false] {
        let back = wire(&pb::CommitMessagesAnswer::new(&out, seq_only))
            .parse(&batch)
            .expect("parses");
        assert_eq!(back.len(), 4);
        for (a, b) in out.iter().zip(&back) {
            let same_kind = matches!(
                (a, b),
                (Committed::Stored(_), Committed::Stored(_))
                    | (Committed::Duplicate(_), Committed::Duplicate(_))
                    | (
                        Committed::Refused(Refusal::TargetRecalled),
                        Committed::Refused(Refusal::TargetRecalled)
                    )
            );
            assert!(same_kind, "{a:?} came back as {b:?}");
            assert_eq!(a.message(), b.message(), "seq_only: {seq_only}");
        }
    }
}

#[test]
fn a_change_crosses_to_the_repo_with_its_reference() {
    let (batch, _) = batch_and_outcomes();
    for m in &batch {
        let back = wire(&pb::NewMessage::from(m)).parse().expect("parses");
        assert_eq!(back.reference, m.reference);
        assert_eq!(back.message_type, m.message_type);
    }
}

#[test]
fn a_stored_message_comes_back_as_its_seq_and_a_duplicate_whole() {
    use pb::committed::Outcome;
    let (batch, out) = batch_and_outcomes();
    let answer = pb::CommitMessagesAnswer::new(&out, true);
    let outcomes: Vec<_> = answer
        .committed
        .iter()
        .map(|c| c.outcome.clone().unwrap())
        .collect();
    assert!(matches!(outcomes[0], Outcome::StoredSeq(7)), "{outcomes:?}");
    assert!(matches!(outcomes[2], Outcome::StoredSeq(8)), "{outcomes:?}");
    // The original, not the resend: its content is what is delivered.
    let Outcome::Duplicate(original) = &outcomes[1] else {
        panic!("{outcomes:?}");
    };
    assert_eq!(original.content, "{\"event\":\"joined\"}");
    assert_ne!(original.content, batch[1].content.as_str());
    // The request asks for it; a request from before the field does not.
    let request = wire(&pb::CommitMessagesRequest::new(&batch));
    let (parsed, seq_only) = request.clone().parse().expect("parses");
    assert!(seq_only);
    assert_eq!(parsed.len(), 4);
    let old = pb::CommitMessagesRequest {
        seq_only: false,
        ..request
    };
    assert!(!old.parse().expect("parses").1);
}

#[test]
fn a_commit_answer_of_another_size_is_refused() {
    let (batch, out) = batch_and_outcomes();
    let answer = pb::CommitMessagesAnswer::new(&out, true);
    let e = answer.clone().parse(&batch[..2]).unwrap_err();
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
    .parse(&batch[..1])
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
