//! Pins in the group commit: a pin and an unpin are events with their own
//! seq; a message is pinned once however often it is pinned; a
//! conversation keeps at most `MAX_PINS`; a recall unpins; only what a
//! user wrote, not recalled, can be pinned.

use std::sync::Arc;

use ferrochat_domain::messaging::MAX_PINS;
use ferrochat_domain::{ConversationId, ConversationKind, Reference, Seq};
use ferrochat_ports::store::{HistoryQuery, Refusal};
use ferrochat_ports::Store;

use super::changes::{referring, refusal};
use super::fixtures::{at, message, stored, users, T0};

/// The seqs of the conversation's pinned messages.
async fn pinned(store: &dyn Store, conversation: &ConversationId) -> Vec<u64> {
    let query = HistoryQuery {
        after: None,
        before: None,
        limit: 200,
        viewer: None,
        pinned: true,
    };
    let (page, _) = store.history(conversation, query).await.unwrap();
    page.iter().map(|m| m.seq.get()).collect()
}

pub async fn pins_are_kept_once_limited_and_undone_by_recall(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "pin", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let s = Seq::new;
    let single = ConversationKind::Single;
    store
        .commit_messages(&[
            message(&ab, single, &a.id, "m1", "one", at(1)),
            message(&ab, single, &b.id, "m2", "two", at(2)),
        ])
        .await
        .unwrap();
    let out = store
        .commit_messages(&[
            referring(&ab, &a.id, "p1", "", Reference::Pin(s(1)), 3),
            referring(&ab, &b.id, "p2", "", Reference::Pin(s(1)), 4),
            referring(&ab, &b.id, "p3", "", Reference::Pin(s(2)), 5),
        ])
        .await
        .unwrap();
    let seqs: Vec<u64> = out.iter().map(|c| stored(c).seq.get()).collect();
    assert_eq!(seqs, [3, 4, 5], "each pin is an event with its own seq");
    assert_eq!(stored(&out[0]).message_type.as_str(), "pin");
    assert_eq!(pinned(&*store, &ab).await, [1, 2], "pinned once each");

    let refused = store
        .commit_messages(&[
            referring(&ab, &a.id, "r1", "", Reference::Pin(s(3)), 6),
            referring(&ab, &a.id, "r2", "", Reference::Pin(s(99)), 7),
        ])
        .await
        .unwrap();
    assert_eq!(refusal(&refused[0]), Refusal::NotChangeable, "an event");
    assert_eq!(refusal(&refused[1]), Refusal::UnknownTarget);

    // An unpin takes it off (again: nothing changes); a recall unpins.
    store
        .commit_messages(&[
            referring(&ab, &b.id, "u1", "", Reference::Unpin(s(2)), 8),
            referring(&ab, &b.id, "u2", "", Reference::Unpin(s(2)), 9),
        ])
        .await
        .unwrap();
    assert_eq!(pinned(&*store, &ab).await, [1]);
    let out = store
        .commit_messages(&[
            referring(&ab, &a.id, "c1", "", Reference::Recall(s(1)), 10),
            referring(&ab, &a.id, "p4", "", Reference::Pin(s(1)), 11),
        ])
        .await
        .unwrap();
    assert_eq!(refusal(&out[1]), Refusal::TargetRecalled);
    assert!(pinned(&*store, &ab).await.is_empty(), "a recall unpins");

    // At most MAX_PINS, counted under the lock with the batch's own pins
    // and unpins.
    let n = u64::try_from(MAX_PINS).unwrap();
    let first = store
        .conversation(&ab)
        .await
        .unwrap()
        .unwrap()
        .last_seq
        .get()
        + 1;
    let fill: Vec<_> = (0..=n)
        .map(|i| message(&ab, single, &a.id, &format!("f{i}"), "x", at(20)))
        .collect();
    store.commit_messages(&fill).await.unwrap();
    let pins: Vec<_> = (0..=n)
        .map(|i| {
            referring(
                &ab,
                &a.id,
                &format!("fp{i}"),
                "",
                Reference::Pin(s(first + i)),
                30,
            )
        })
        .collect();
    let out = store.commit_messages(&pins).await.unwrap();
    assert_eq!(refusal(&out[MAX_PINS]), Refusal::TooManyPins);
    assert_eq!(pinned(&*store, &ab).await.len(), MAX_PINS);
    let out = store
        .commit_messages(&[
            referring(&ab, &a.id, "fu", "", Reference::Unpin(s(first)), 40),
            referring(&ab, &a.id, "fp", "", Reference::Pin(s(first + n)), 41),
            referring(&ab, &a.id, "fq", "", Reference::Pin(s(2)), 42),
        ])
        .await
        .unwrap();
    stored(&out[1]);
    assert_eq!(refusal(&out[2]), Refusal::TooManyPins);
    let now = pinned(&*store, &ab).await;
    assert_eq!(now.len(), MAX_PINS);
    assert!(!now.contains(&first) && now.contains(&(first + n)));
}
