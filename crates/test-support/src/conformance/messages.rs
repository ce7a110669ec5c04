//! Group commit, seq, dedup, history, cursors and conversations.

use std::collections::BTreeSet;
use std::sync::Arc;

use ferrochat_domain::commands::UpdateConversation;
use ferrochat_domain::{ConversationId, ConversationKind, Seq, UserId};

use super::fixtures::{at, group, history, message, stored, text, user, users, T0};
use ferrochat_ports::store::{Committed, HistoryQuery};
use ferrochat_ports::Store;

const SINGLE: ConversationKind = ConversationKind::Single;
const GROUP: ConversationKind = ConversationKind::Group;

fn seqs(committed: &[Committed]) -> Vec<u64> {
    committed
        .iter()
        .map(|c| c.message().expect("stored").seq.get())
        .collect()
}

pub async fn commit_assigns_gap_free_seq(store: Arc<dyn Store>) {
    let [a, b, c] = <[_; 3]>::try_from(users(&*store, "seq", 3).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let ac = store.open_single(&a.id, &c.id, T0).await.unwrap();
    // Interleaved conversations in one batch: each gets its own 1, 2, 3.
    let batch = vec![
        message(&ab, SINGLE, &a.id, "m1", "hello b", at(1)),
        message(&ac, SINGLE, &a.id, "m2", "hello c", at(2)),
        message(&ab, SINGLE, &b.id, "m3", "hi a", at(3)),
        message(&ab, SINGLE, &a.id, "m4", "how are you", at(4)),
        message(&ac, SINGLE, &c.id, "m5", "hey", at(5)),
    ];
    let out = store.commit_messages(&batch).await.unwrap();
    assert_eq!(seqs(&out), [1, 1, 2, 3, 2], "results in batch order");
    for (new, c) in batch.iter().zip(&out) {
        let m = stored(c);
        assert_eq!(
            (
                &m.id,
                &m.conversation_id,
                &m.from,
                &m.client_msg_id,
                &m.content
            ),
            (
                &new.id,
                &new.conversation_id,
                &new.from,
                &new.client_msg_id,
                &new.content
            )
        );
        assert_eq!(
            (m.created_at, m.conversation_kind),
            (new.created_at, SINGLE)
        );
    }
    let more = store
        .commit_messages(&[text(&ab, SINGLE, &b.id)])
        .await
        .unwrap();
    assert_eq!(seqs(&more), [4], "the next batch goes on from the last seq");
    assert_eq!(
        store
            .conversation(&ab)
            .await
            .unwrap()
            .unwrap()
            .last_seq
            .get(),
        4
    );
    assert_eq!(
        store
            .conversation(&ac)
            .await
            .unwrap()
            .unwrap()
            .last_seq
            .get(),
        2
    );
    // Sending moves the sender's own cursor, not the others'.
    let cursor = |conv: ConversationId, u: UserId| {
        let store = store.clone();
        async move {
            store
                .member(&conv, &u)
                .await
                .unwrap()
                .unwrap()
                .read_seq
                .get()
        }
    };
    assert_eq!(cursor(ab.clone(), a.id.clone()).await, 3);
    assert_eq!(cursor(ab.clone(), b.id.clone()).await, 4);
    assert_eq!(cursor(ac.clone(), a.id.clone()).await, 1);
    assert_eq!(cursor(ac, c.id.clone()).await, 2);
    // An empty batch is fine and stores nothing.
    assert!(store.commit_messages(&[]).await.unwrap().is_empty());
}

/// What a user writes and the keys a client picks reach the store and
/// come back byte for byte, whatever they hold of SQL's syntax (quotes,
/// backslashes, placeholders, comments, a literal's own spelling), and a
/// resend under such a key finds its original.
pub async fn content_and_keys_are_kept_byte_for_byte(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "bytes", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let tricky = [
        ("q'1", "it's \"quoted\" and \\' escaped?"),
        ("b\\2", "\\"),
        ("?3;", "?; -- DROP TABLE messages; /* ? */"),
        ("x'4'", "_utf8mb4 X'41' COLLATE utf8mb4_bin"),
        (
            "e\"5",
            "crab \u{1f980}, \u{fc}n\u{ef}c\u{f6}d\u{e9}, tab\there, line\nbreak",
        ),
    ];
    let batch: Vec<_> = tricky
        .iter()
        .zip(1..)
        .map(|((key, content), t)| message(&ab, SINGLE, &a.id, key, content, at(t)))
        .collect();
    let out = store.commit_messages(&batch).await.unwrap();
    for (new, c) in batch.iter().zip(&out) {
        let m = stored(c);
        assert_eq!(
            (m.content.as_str(), m.client_msg_id.as_str()),
            (new.content.as_str(), new.client_msg_id.as_str())
        );
    }
    // Each key again: its original comes back, nothing is stored.
    let again: Vec<_> = tricky
        .iter()
        .map(|(key, _)| message(&ab, SINGLE, &a.id, key, "resent", at(9)))
        .collect();
    let resent = store.commit_messages(&again).await.unwrap();
    for (first, c) in out.iter().zip(&resent) {
        let Committed::Duplicate(dup) = c else {
            panic!("expected a duplicate, got {c:?}");
        };
        assert_eq!(dup, stored(first));
    }
    let all = history(&*store, &ab).await;
    let contents: Vec<&str> = all.iter().map(|m| m.content.as_str()).collect();
    let sent: Vec<&str> = tricky.iter().map(|(_, content)| *content).collect();
    assert_eq!(contents, sent);
}

pub async fn commit_dedups_by_client_msg_id(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "dedup", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let first = message(&ab, SINGLE, &a.id, "same", "original", at(1));
    let out = store
        .commit_messages(std::slice::from_ref(&first))
        .await
        .unwrap();
    let original = stored(&out[0]).clone();

    // A resend in a later batch: the original comes back, nothing is stored.
    let resend = message(&ab, SINGLE, &a.id, "same", "resent text", at(2));
    let out = store
        .commit_messages(&[resend.clone(), text(&ab, SINGLE, &a.id)])
        .await
        .unwrap();
    let Committed::Duplicate(dup) = &out[0] else {
        panic!("expected a duplicate, got {:?}", out[0]);
    };
    assert_eq!(dup, &original);
    assert_eq!(seqs(&out), [1, 2], "a duplicate takes no seq");

    // Twice in one batch: the second is a duplicate of the first.
    let twice = message(&ab, SINGLE, &b.id, "b-1", "once", at(3));
    let out = store
        .commit_messages(&[twice.clone(), twice.clone()])
        .await
        .unwrap();
    assert!(matches!(out[0], Committed::Stored(_)));
    assert!(matches!(out[1], Committed::Duplicate(_)), "{:?}", out[1]);
    assert_eq!(seqs(&out), [3, 3]);

    // The same client_msg_id from another sender is another message.
    let other = message(&ab, SINGLE, &b.id, "same", "b's own", at(4));
    let out = store.commit_messages(&[other]).await.unwrap();
    assert_eq!(stored(&out[0]).seq.get(), 4);

    let (all, _) = store
        .history(
            &ab,
            HistoryQuery {
                pinned: false,
                after: Some(Seq::ZERO),
                before: None,
                limit: 100,
                viewer: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].content.as_str(), "original");
}

/// The dedup key is (sender, client_msg_id) whatever the conversation: a
/// resend aimed at another conversation gets the original, with the
/// original's conversation and kind, and takes no seq.
pub async fn a_resend_to_another_conversation_is_a_duplicate(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "elsewhere", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let g = group(&*store, &a.id, std::slice::from_ref(&b.id), 10).await;
    let first = message(&ab, SINGLE, &a.id, "k-1", "to b", at(1));
    let out = store.commit_messages(&[first]).await.unwrap();
    let original = stored(&out[0]).clone();
    let again = message(
        &g.conversation_id,
        GROUP,
        &a.id,
        "k-1",
        "to the group",
        at(2),
    );
    let fresh = text(&g.conversation_id, GROUP, &b.id);
    let out = store.commit_messages(&[again, fresh]).await.unwrap();
    let Committed::Duplicate(dup) = &out[0] else {
        panic!("expected a duplicate, got {:?}", out[0]);
    };
    assert_eq!(dup, &original);
    assert_eq!(dup.conversation_kind, SINGLE);
    assert_eq!(stored(&out[1]).seq.get(), 1, "the duplicate took no seq");
}

/// A batch committed again (the first commit's answer was lost and the
/// caller ran it again) gets the first commit's answer: its messages are
/// `Stored` under the same seqs and nothing is stored twice; the same key
/// under another message id (a client's resend) is still a duplicate.
pub async fn commit_run_again_answers_as_the_first_time(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "rerun", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let batch = vec![
        message(&ab, SINGLE, &a.id, "r-1", "one", at(1)),
        message(&ab, SINGLE, &b.id, "r-2", "two", at(2)),
        message(&ab, SINGLE, &a.id, "r-3", "three", at(3)),
    ];
    let first = store.commit_messages(&batch).await.unwrap();
    let again = store.commit_messages(&batch).await.unwrap();
    assert_eq!(seqs(&again), [1, 2, 3]);
    for (f, g) in first.iter().zip(&again) {
        assert_eq!(stored(g), stored(f), "the same answer, Stored");
    }
    let record = store.conversation(&ab).await.unwrap().unwrap();
    assert_eq!(record.last_seq.get(), 3, "nothing stored twice");
    let resend = message(&ab, SINGLE, &a.id, "r-1", "resent", at(4));
    let out = store.commit_messages(&[resend]).await.unwrap();
    let Committed::Duplicate(dup) = &out[0] else {
        panic!("expected a duplicate, got {:?}", out[0]);
    };
    assert_eq!(dup, stored(&first[0]));
}

pub async fn failed_commit_stores_nothing(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "atomic", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let missing = ConversationId::generate();
    let batch = vec![
        text(&ab, SINGLE, &a.id),
        text(&missing, GROUP, &a.id),
        text(&ab, SINGLE, &a.id),
    ];
    assert!(store.commit_messages(&batch).await.is_err());
    let record = store.conversation(&ab).await.unwrap().unwrap();
    assert_eq!(record.last_seq, Seq::ZERO, "nothing of the batch is stored");
    let member = store.member(&ab, &a.id).await.unwrap().unwrap();
    assert_eq!(member.read_seq, Seq::ZERO);
    // The first message can be sent again: its id was not taken.
    let out = store.commit_messages(&batch[..1]).await.unwrap();
    assert_eq!(seqs(&out), [1]);
}

/// Several tasks commit batches into one conversation at once: the seqs
/// are exactly 1..=N, with no gap and no duplicate (invariant 2).
pub async fn concurrent_writers_to_one_conversation(store: Arc<dyn Store>) {
    const WRITERS: usize = 6;
    const BATCHES: usize = 8;
    const PER_BATCH: usize = 5;
    let owner = user(&*store, "own").await;
    let writers = users(&*store, "w", WRITERS).await;
    let ids: Vec<UserId> = writers.iter().map(|u| u.id.clone()).collect();
    let g = group(&*store, &owner.id, &ids, 100).await;
    let conv = g.conversation_id.clone();
    let tasks: Vec<_> = writers
        .into_iter()
        .map(|w| {
            let store = store.clone();
            let conv = conv.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                for _ in 0..BATCHES {
                    let batch: Vec<_> = (0..PER_BATCH).map(|_| text(&conv, GROUP, &w.id)).collect();
                    let out = store.commit_messages(&batch).await.expect("commit");
                    let s = seqs(&out);
                    assert!(
                        s.windows(2).all(|p| p[1] == p[0] + 1),
                        "a batch's messages are consecutive: {s:?}"
                    );
                    mine.extend(s);
                }
                mine
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = WRITERS * BATCHES * PER_BATCH;
    let set: BTreeSet<u64> = all.iter().copied().collect();
    assert_eq!(set.len(), n, "no seq handed out twice");
    assert_eq!(
        set.into_iter().collect::<Vec<_>>(),
        (1..=n as u64).collect::<Vec<_>>()
    );
    let record = store.conversation(&conv).await.unwrap().unwrap();
    assert_eq!(record.last_seq.get(), n as u64);
    let (page, more) = store
        .history(
            &conv,
            HistoryQuery {
                pinned: false,
                after: Some(Seq::ZERO),
                before: None,
                limit: 1000,
                viewer: None,
            },
        )
        .await
        .unwrap();
    assert!(!more);
    let stored: Vec<u64> = page.iter().map(|m| m.seq.get()).collect();
    assert_eq!(stored, (1..=n as u64).collect::<Vec<_>>());
}

/// Batches spanning several conversations, in different orders, at once:
/// no deadlock, and every conversation stays gap-free.
pub async fn concurrent_writers_across_conversations(store: Arc<dyn Store>) {
    let owner = user(&*store, "x").await;
    let mut convs = Vec::new();
    for _ in 0..3 {
        convs.push(group(&*store, &owner.id, &[], 10).await.conversation_id);
    }
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let store = store.clone();
            let owner = owner.id.clone();
            let mut order = convs.clone();
            order.rotate_left(i % 3);
            if i % 2 == 1 {
                order.reverse();
            }
            tokio::spawn(async move {
                for _ in 0..5 {
                    let batch: Vec<_> = order.iter().map(|c| text(c, GROUP, &owner)).collect();
                    store.commit_messages(&batch).await.expect("commit");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    for c in &convs {
        let (page, _) = store
            .history(
                c,
                HistoryQuery {
                    pinned: false,
                    after: Some(Seq::ZERO),
                    before: None,
                    limit: 100,
                    viewer: None,
                },
            )
            .await
            .unwrap();
        let s: Vec<u64> = page.iter().map(|m| m.seq.get()).collect();
        assert_eq!(s, (1..=30).collect::<Vec<_>>());
    }
}

pub async fn history_pages(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "hist", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let batch: Vec<_> = (1..=25)
        .map(|i| {
            message(
                &ab,
                SINGLE,
                &a.id,
                &format!("h{i}"),
                &format!("ünïcødé 🦀 #{i}"),
                at(i),
            )
        })
        .collect();
    store.commit_messages(&batch).await.unwrap();
    let page = |after: Option<u64>, before: Option<u64>, limit: u32| {
        let store = store.clone();
        let ab = ab.clone();
        async move {
            let (msgs, more) = store
                .history(
                    &ab,
                    HistoryQuery {
                        pinned: false,
                        after: after.map(Seq::new),
                        before: before.map(Seq::new),
                        limit,
                        viewer: None,
                    },
                )
                .await
                .unwrap();
            let s: Vec<u64> = msgs.iter().map(|m| m.seq.get()).collect();
            (s, more)
        }
    };
    let range = |r: std::ops::RangeInclusive<u64>| r.collect::<Vec<_>>();
    // Newest first, read backward; each page ascending.
    assert_eq!(page(None, None, 10).await, (range(16..=25), true));
    assert_eq!(page(None, Some(16), 10).await, (range(6..=15), true));
    assert_eq!(page(None, Some(6), 10).await, (range(1..=5), false));
    assert_eq!(page(None, Some(1), 10).await, (vec![], false));
    // Forward from a seq.
    assert_eq!(page(Some(0), None, 10).await, (range(1..=10), true));
    assert_eq!(page(Some(20), None, 10).await, (range(21..=25), false));
    assert_eq!(page(Some(15), None, 10).await, (range(16..=25), false));
    assert_eq!(page(Some(25), None, 10).await, (vec![], false));
    // Both bounds.
    assert_eq!(page(Some(3), Some(9), 10).await, (range(4..=8), false));
    assert_eq!(page(Some(3), Some(9), 2).await, (range(4..=5), true));

    let (msgs, _) = store
        .history(
            &ab,
            HistoryQuery {
                pinned: false,
                after: Some(Seq::new(6)),
                before: Some(Seq::new(8)),
                limit: 1,
                viewer: None,
            },
        )
        .await
        .unwrap();
    let m = &msgs[0];
    let new = &batch[6];
    assert_eq!(
        (&m.id, &m.content, &m.client_msg_id, &m.message_type),
        (&new.id, &new.content, &new.client_msg_id, &new.message_type)
    );
    assert_eq!((m.created_at, m.conversation_kind), (at(7), SINGLE));

    let unknown = store
        .history(
            &ConversationId::generate(),
            HistoryQuery {
                pinned: false,
                after: None,
                before: None,
                limit: 10,
                viewer: None,
            },
        )
        .await
        .unwrap();
    assert!(unknown.0.is_empty() && !unknown.1);
}

pub async fn cursors_move_forward_only_and_cap(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "cur", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let batch: Vec<_> = (0..5).map(|_| text(&ab, SINGLE, &a.id)).collect();
    store.commit_messages(&batch).await.unwrap();
    let read = |r: Option<u64>, muted: Option<bool>, pinned: Option<bool>| UpdateConversation {
        hide: Vec::new(),
        read_seq: r.map(Seq::new),
        muted,
        pinned,
    };
    let view = |u: UserId| {
        let store = store.clone();
        let ab = ab.clone();
        async move { store.conversation_view(&u, &ab).await.unwrap().unwrap() }
    };
    assert_eq!(view(b.id.clone()).await.unread(), 5);
    assert!(store
        .update_cursor(&b.id, &ab, read(Some(3), None, None))
        .await
        .unwrap());
    assert_eq!(view(b.id.clone()).await.read_seq.get(), 3);
    // Never backward.
    store
        .update_cursor(&b.id, &ab, read(Some(1), None, None))
        .await
        .unwrap();
    assert_eq!(view(b.id.clone()).await.read_seq.get(), 3);
    // Never past the last message.
    store
        .update_cursor(&b.id, &ab, read(Some(99), None, None))
        .await
        .unwrap();
    let v = view(b.id.clone()).await;
    assert_eq!((v.read_seq.get(), v.unread()), (5, 0));
    assert_eq!(
        store
            .member(&ab, &b.id)
            .await
            .unwrap()
            .unwrap()
            .read_seq
            .get(),
        5
    );
    // Flags change alone and keep the cursor.
    store
        .update_cursor(&b.id, &ab, read(None, Some(true), Some(true)))
        .await
        .unwrap();
    let v = view(b.id.clone()).await;
    assert!(v.muted && v.pinned);
    assert_eq!(v.read_seq.get(), 5);
    store
        .update_cursor(&b.id, &ab, read(None, Some(false), None))
        .await
        .unwrap();
    let v = view(b.id.clone()).await;
    assert!(!v.muted && v.pinned);
    // Not a member: nothing happens.
    let outsider = user(&*store, "out").await;
    assert!(!store
        .update_cursor(&outsider.id, &ab, read(Some(1), None, None))
        .await
        .unwrap());
    assert!(store.member(&ab, &outsider.id).await.unwrap().is_none());
    assert!(!view(a.id.clone()).await.muted, "a's flags are a's own");
}

/// Many cursor updates for one member at once, with commits moving the
/// same cursor: it ends at the highest seq any of them asked for.
pub async fn concurrent_cursor_updates_never_move_back(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "cc", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let batch: Vec<_> = (0..40).map(|_| text(&ab, SINGLE, &a.id)).collect();
    store.commit_messages(&batch).await.unwrap();
    let tasks: Vec<_> = (1..=40u64)
        .rev()
        .map(|s| {
            let store = store.clone();
            let (b, ab) = (b.id.clone(), ab.clone());
            tokio::spawn(async move {
                let update = UpdateConversation {
                    read_seq: Some(Seq::new(s)),
                    ..UpdateConversation::default()
                };
                store.update_cursor(&b, &ab, update).await.expect("update")
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap());
    }
    let m = store.member(&ab, &b.id).await.unwrap().unwrap();
    assert_eq!(m.read_seq.get(), 40);
}

pub async fn open_single_is_idempotent(store: Arc<dyn Store>) {
    let [a, b, c] = <[_; 3]>::try_from(users(&*store, "pair", 3).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    assert_eq!(store.open_single(&a.id, &b.id, at(5)).await.unwrap(), ab);
    assert_eq!(store.open_single(&b.id, &a.id, at(6)).await.unwrap(), ab);
    let ac = store.open_single(&a.id, &c.id, T0).await.unwrap();
    assert_ne!(ab, ac);
    let record = store.conversation(&ab).await.unwrap().unwrap();
    assert_eq!(record.kind, SINGLE);
    assert_eq!(record.member_count, 2);
    assert_eq!(record.group_id, None);
    assert!(!record.closed);
    assert_eq!(record.peer_of(&a.id), Some(&b.id));
    assert_eq!(record.peer_of(&b.id), Some(&a.id));
    for u in [&a, &b] {
        let m = store.member(&ab, &u.id).await.unwrap().expect("member");
        assert_eq!(m.read_seq, Seq::ZERO);
    }
    assert!(store.member(&ab, &c.id).await.unwrap().is_none());
}

pub async fn concurrent_open_single_gives_one_conversation(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "race", 2).await).unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let (x, y) = if i % 2 == 0 {
                (a.id.clone(), b.id.clone())
            } else {
                (b.id.clone(), a.id.clone())
            };
            tokio::spawn(async move { store.open_single(&x, &y, T0).await.expect("open") })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap());
    }
    assert_eq!(ids.len(), 1, "same pair, same conversation: {ids:?}");
    let list = store.conversations_of(&a.id).await.unwrap();
    assert_eq!(list.iter().filter(|v| v.kind == SINGLE).count(), 1);
}

pub async fn conversation_views(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "view", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let g = group(&*store, &a.id, std::slice::from_ref(&b.id), 10).await;
    let world = ConversationId::world();
    // Activity order: world (t=10), then the group (t=20), then ab (t=30).
    store
        .commit_messages(&[message(
            &world,
            ConversationKind::World,
            &b.id,
            "v1",
            "w",
            at(10),
        )])
        .await
        .unwrap();
    store
        .commit_messages(&[message(&g.conversation_id, GROUP, &b.id, "v2", "g", at(20))])
        .await
        .unwrap();
    store
        .commit_messages(&[
            message(&ab, SINGLE, &b.id, "v3", "first", at(29)),
            message(&ab, SINGLE, &b.id, "v4", "last", at(30)),
        ])
        .await
        .unwrap();

    let list = store.conversations_of(&a.id).await.unwrap();
    let order: Vec<&ConversationId> = list.iter().map(|v| &v.id).collect();
    assert_eq!(
        order,
        [&ab, &g.conversation_id, &world],
        "latest activity first"
    );
    let single = &list[0];
    assert_eq!(single.kind, SINGLE);
    assert_eq!(single.name, b.nickname.as_str(), "named after the peer");
    assert_eq!(single.peer_user_id.as_ref(), Some(&b.id));
    assert_eq!(single.group_id, None);
    assert_eq!((single.last_seq.get(), single.unread()), (2, 2));
    assert_eq!(single.updated_at, at(30));
    let last = single.last_message.as_ref().expect("last message");
    assert_eq!((last.seq.get(), last.content.as_str()), (2, "last"));
    assert_eq!(&last.from, &b.id);
    let grp = &list[1];
    assert_eq!(grp.kind, GROUP);
    assert_eq!(grp.name, g.name.as_str());
    assert_eq!(grp.group_id.as_ref(), Some(&g.id));
    assert_eq!(grp.peer_user_id, None);
    assert_eq!(grp.unread(), 1);
    assert_eq!(list[2].name, "World");
    assert_eq!(list[2].kind, ConversationKind::World);

    // b sent everything: nothing unread for b.
    let for_b = store.conversations_of(&b.id).await.unwrap();
    assert!(for_b.iter().all(|v| v.unread() == 0), "{for_b:?}");
    let bv = store.conversation_view(&b.id, &ab).await.unwrap().unwrap();
    assert_eq!(bv.name, a.nickname.as_str());
    assert_eq!(bv.peer_user_id.as_ref(), Some(&a.id));

    let outsider = user(&*store, "nosy").await;
    assert!(store
        .conversation_view(&outsider.id, &ab)
        .await
        .unwrap()
        .is_none());
    let fresh_list = store.conversations_of(&outsider.id).await.unwrap();
    assert_eq!(fresh_list.len(), 1, "only the world room");
    assert!(fresh_list[0].last_message.is_some());
    assert_eq!(fresh_list[0].unread(), 0);
    assert!(store
        .conversation(&ConversationId::generate())
        .await
        .unwrap()
        .is_none());
}

pub async fn member_ids_page_in_id_order(store: Arc<dyn Store>) {
    let owner = user(&*store, "pg").await;
    let others = users(&*store, "pm", 6).await;
    let ids: Vec<UserId> = others.iter().map(|u| u.id.clone()).collect();
    let g = group(&*store, &owner.id, &ids, 10).await;
    let mut want: Vec<UserId> = ids.clone();
    want.push(owner.id.clone());
    want.sort();
    let mut got = Vec::new();
    let mut after: Option<UserId> = None;
    loop {
        let page = store
            .member_ids(&g.conversation_id, after.as_ref(), 3)
            .await
            .unwrap();
        assert!(page.len() <= 3);
        if page.is_empty() {
            break;
        }
        after = page.last().cloned();
        got.extend(page);
    }
    assert_eq!(got, want);
    let none = store
        .member_ids(&ConversationId::generate(), None, 10)
        .await
        .unwrap();
    assert!(none.is_empty());
}
