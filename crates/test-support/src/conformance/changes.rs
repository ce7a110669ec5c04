//! Replies, edits and recalls in the group commit: each is stored with its
//! own seq, an edit's content becomes its target's, a recall erases its
//! target and the target's edits, and what cannot apply is refused
//! without using a seq.

use std::sync::Arc;

use ferrochat_domain::{ConversationId, ConversationKind, Message, MessageContent, MessageType};
use ferrochat_domain::{Reference, Seq, UserId};
use ferrochat_ports::store::{Committed, HistoryQuery, NewMessage, Refusal};
use ferrochat_ports::Store;

use super::fixtures::{at, message, stored, users, T0};

const SINGLE: ConversationKind = ConversationKind::Single;

/// A message of `conversation` from `from` making `reference`.
pub fn referring(
    conversation: &ConversationId,
    from: &UserId,
    client_msg_id: &str,
    content: &str,
    reference: Reference,
    offset_ms: i64,
) -> NewMessage {
    let mut m = message(
        conversation,
        SINGLE,
        from,
        client_msg_id,
        content,
        at(offset_ms),
    );
    if let Some(t) = MessageType::of_change(reference) {
        m.message_type = t;
    }
    if matches!(
        reference,
        Reference::Recall(_) | Reference::Pin(_) | Reference::Unpin(_)
    ) {
        m.content = MessageContent::erased();
    }
    m.reference = Some(reference);
    m
}

pub(super) async fn history_for(
    store: &dyn Store,
    conversation: &ConversationId,
    viewer: Option<&UserId>,
) -> Vec<Message> {
    let query = HistoryQuery {
        pinned: false,
        after: None,
        before: None,
        limit: 100,
        viewer: viewer.cloned(),
    };
    store.history(conversation, query).await.unwrap().0
}

pub(super) fn refusal(c: &Committed) -> Refusal {
    match c {
        Committed::Refused(r) => *r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub async fn replies_edits_and_recalls_take_their_own_seq(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "chg", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let s = Seq::new;
    let first = store
        .commit_messages(&[
            message(&ab, SINGLE, &a.id, "m1", "hello", at(1)),
            referring(&ab, &b.id, "m2", "hi!", Reference::Reply(s(1)), 2),
            referring(&ab, &a.id, "m3", "hello, b", Reference::Edit(s(1)), 3),
        ])
        .await
        .unwrap();
    let [_, reply, edit] = [0, 1, 2].map(|i| stored(&first[i]).clone());
    assert_eq!(
        (reply.seq, reply.reference),
        (s(2), Some(Reference::Reply(s(1))))
    );
    assert_eq!(
        (edit.seq, edit.reference, edit.message_type.as_str()),
        (s(3), Some(Reference::Edit(s(1))), "edit")
    );
    let page = history_for(&*store, &ab, None).await;
    assert_eq!(page.len(), 3);
    assert_eq!(page[0].content.as_str(), "hello, b", "the edit applied");
    assert_eq!(page[0].changes.edited_at, Some(at(3)));
    assert_eq!(page[0].changes.recalled_at, None);
    assert_eq!(page[1].reference, Some(Reference::Reply(s(1))));
    assert_eq!(page[2].content.as_str(), "hello, b", "the edit's own event");

    // Refused: nothing stored, no seq used.
    let refused = store
        .commit_messages(&[
            referring(&ab, &a.id, "r1", "x", Reference::Edit(s(9)), 4),
            referring(&ab, &a.id, "r2", "x", Reference::Reply(s(9)), 5),
            referring(&ab, &a.id, "r3", "x", Reference::Edit(s(3)), 6),
        ])
        .await
        .unwrap();
    assert_eq!(refusal(&refused[0]), Refusal::UnknownTarget);
    assert_eq!(refusal(&refused[1]), Refusal::UnknownTarget);
    assert_eq!(
        refusal(&refused[2]),
        Refusal::NotChangeable,
        "an edit's event"
    );
    assert_eq!(history_for(&*store, &ab, None).await.len(), 3);

    // A recall erases its target and the target's edits; what comes after
    // it in the same batch sees it.
    let out = store
        .commit_messages(&[
            referring(&ab, &a.id, "m4", "", Reference::Recall(s(1)), 7),
            referring(&ab, &a.id, "m5", "again", Reference::Edit(s(1)), 8),
            referring(&ab, &b.id, "m6", "", Reference::Recall(s(1)), 9),
            message(&ab, SINGLE, &b.id, "m7", "after", at(10)),
        ])
        .await
        .unwrap();
    assert_eq!(stored(&out[0]).seq, s(4));
    assert_eq!(refusal(&out[1]), Refusal::TargetRecalled);
    assert_eq!(refusal(&out[2]), Refusal::TargetRecalled);
    assert_eq!(stored(&out[3]).seq, s(5), "refusals used no seq");
    let page = history_for(&*store, &ab, None).await;
    let seqs: Vec<u64> = page.iter().map(|m| m.seq.get()).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert_eq!(
        page[0].content.as_str(),
        "",
        "the recalled content is erased"
    );
    assert_eq!(page[0].changes.recalled_at, Some(at(7)));
    assert_eq!(page[2].content.as_str(), "", "and its edits' too");
    assert_eq!(page[1].content.as_str(), "hi!", "a reply keeps its own");
    assert_eq!(page[3].reference, Some(Reference::Recall(s(1))));
    // In a later batch too.
    let later = store
        .commit_messages(&[referring(&ab, &a.id, "m8", "x", Reference::Edit(s(1)), 11)])
        .await
        .unwrap();
    assert_eq!(refusal(&later[0]), Refusal::TargetRecalled);
    // The conversation list shows the last message as it is now.
    let views = store.conversations_of(&b.id).await.unwrap();
    let view = views.iter().find(|v| v.id == ab).expect("listed");
    assert_eq!(view.last_seq, s(5));
}

pub async fn a_resent_change_is_a_duplicate(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "chgdup", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    store
        .commit_messages(&[message(&ab, SINGLE, &a.id, "m1", "hello", at(1))])
        .await
        .unwrap();
    let edit = referring(&ab, &a.id, "e1", "hello!", Reference::Edit(Seq::new(1)), 2);
    let first = store
        .commit_messages(std::slice::from_ref(&edit))
        .await
        .unwrap();
    let mut resent = edit;
    resent.id = ferrochat_domain::MessageId::generate();
    resent.content = MessageContent::from_stored("hello!!".into());
    let again = store.commit_messages(&[resent]).await.unwrap();
    match &again[0] {
        Committed::Duplicate(m) => assert_eq!(m.seq, stored(&first[0]).seq),
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert_eq!(
        history_for(&*store, &ab, None).await[0].content.as_str(),
        "hello!"
    );
}

/// Each message's reactions as (emoji, count, mine), in order.
fn reactions_of(m: &Message) -> Vec<(String, u32, bool)> {
    m.reactions
        .iter()
        .map(|r| (r.emoji.as_str().to_owned(), r.count, r.mine))
        .collect()
}

pub async fn reactions_are_kept_once_counted_and_seen_per_reader(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "react", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let s = Seq::new;
    let react = |from: &UserId, id: &str, emoji: &str, offset: i64| {
        referring(&ab, from, id, emoji, Reference::React(s(1)), offset)
    };
    let unreact = |from: &UserId, id: &str, emoji: &str, offset: i64| {
        referring(&ab, from, id, emoji, Reference::Unreact(s(1)), offset)
    };
    store
        .commit_messages(&[message(&ab, SINGLE, &a.id, "m1", "party?", at(1))])
        .await
        .unwrap();
    let out = store
        .commit_messages(&[
            react(&a.id, "r1", "👍", 2),
            react(&b.id, "r2", "👍", 3),
            react(&b.id, "r3", "👍", 4),
            react(&b.id, "r4", "❤️", 5),
        ])
        .await
        .unwrap();
    let seqs: Vec<u64> = out.iter().map(|c| stored(c).seq.get()).collect();
    assert_eq!(seqs, [2, 3, 4, 5], "each reaction is an event");
    let counts: Vec<Option<u32>> = out.iter().map(|c| stored(c).reaction_count).collect();
    assert_eq!(
        counts,
        [Some(1), Some(2), Some(2), Some(1)],
        "each event says its emoji's count once applied"
    );
    let for_a = &history_for(&*store, &ab, Some(&a.id)).await[0];
    assert_eq!(
        reactions_of(for_a),
        [("👍".into(), 2, true), ("❤️".into(), 1, false)],
        "b's second 👍 counts once"
    );
    let for_b = &history_for(&*store, &ab, Some(&b.id)).await[0];
    assert_eq!(
        reactions_of(for_b),
        [("👍".into(), 2, true), ("❤️".into(), 1, true)]
    );
    let for_nobody = &history_for(&*store, &ab, None).await[0];
    assert!(for_nobody.reactions.iter().all(|r| !r.mine));
    assert!(
        history_for(&*store, &ab, Some(&a.id)).await[1]
            .reactions
            .is_empty(),
        "an event has none"
    );

    let out = store
        .commit_messages(&[
            unreact(&b.id, "u1", "👍", 6),
            unreact(&a.id, "u2", "🎉", 7),
            referring(&ab, &a.id, "x", "👍", Reference::React(s(2)), 8),
        ])
        .await
        .unwrap();
    assert_eq!(stored(&out[0]).seq, s(6));
    assert_eq!(stored(&out[0]).reaction_count, Some(1));
    assert_eq!(stored(&out[1]).seq, s(7), "taking off what is not there");
    assert_eq!(stored(&out[1]).reaction_count, Some(0));
    // History replays the events with their counts.
    let events = history_for(&*store, &ab, None).await;
    assert_eq!(events[2].reaction_count, Some(2));
    assert_eq!(events[5].reaction_count, Some(1));
    assert_eq!(
        refusal(&out[2]),
        Refusal::NotChangeable,
        "a reaction's event"
    );
    let for_a = &history_for(&*store, &ab, Some(&a.id)).await[0];
    assert_eq!(
        reactions_of(for_a),
        [("👍".into(), 1, true), ("❤️".into(), 1, false)]
    );

    // At most 20 different emoji: 18 more fit, a 21st does not, one
    // already there still does.
    let more: Vec<NewMessage> = "😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚"
        .chars()
        .enumerate()
        .map(|(i, e)| react(&a.id, &format!("many{i}"), &e.to_string(), 10 + i as i64))
        .collect();
    assert_eq!(more.len(), 18);
    let out = store.commit_messages(&more).await.unwrap();
    assert!(out.iter().all(|c| matches!(c, Committed::Stored(_))));
    let out = store
        .commit_messages(&[
            react(&b.id, "over", "🙂", 40),
            react(&b.id, "again", "👍", 41),
        ])
        .await
        .unwrap();
    assert_eq!(refusal(&out[0]), Refusal::TooManyReactions);
    assert!(matches!(out[1], Committed::Stored(_)));
    assert_eq!(
        history_for(&*store, &ab, Some(&b.id)).await[0]
            .reactions
            .len(),
        20
    );

    // A recall takes them all off.
    store
        .commit_messages(&[referring(&ab, &a.id, "rc", "", Reference::Recall(s(1)), 50)])
        .await
        .unwrap();
    assert!(history_for(&*store, &ab, Some(&a.id)).await[0]
        .reactions
        .is_empty());
}
