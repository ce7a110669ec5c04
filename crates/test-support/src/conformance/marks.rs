//! What a message says of itself (mentions, forwarded) is stored and read
//! back as sent; a mention flags the members it names (or all) in their
//! conversation list until they read past it; "delete for me" hides
//! messages from one member's history only.

use std::sync::Arc;

use ferrochat_domain::commands::UpdateConversation;
use ferrochat_domain::{ConversationId, ConversationKind, Marks, Seq, UserId};
use ferrochat_ports::Store;

use super::changes::history_for;
use super::fixtures::{at, group, message, stored, users, T0};

async fn mention_of(store: &dyn Store, who: &UserId, conversation: &ConversationId) -> (u64, bool) {
    let v = store
        .conversation_view(who, conversation)
        .await
        .unwrap()
        .expect("a member");
    (v.mention_seq.get(), v.mentioned())
}

pub async fn mentions_flag_members_until_they_read(store: Arc<dyn Store>) {
    let [a, b, c, d] = <[_; 4]>::try_from(users(&*store, "men", 4).await).unwrap();
    let g = group(&*store, &a.id, &[b.id.clone(), c.id.clone()], 10).await;
    let conv = g.conversation_id.clone();
    let kind = ConversationKind::Group;
    let mut m1 = message(&conv, kind, &a.id, "m1", "hi @b", at(1));
    m1.marks = Marks {
        // d is no member: named, but flagged nowhere.
        mentions: vec![b.id.clone(), d.id.clone(), a.id.clone()],
        mention_all: false,
        forwarded: false,
    };
    let mut m2 = message(&conv, kind, &c.id, "m2", "fwd", at(2));
    m2.marks.forwarded = true;
    let out = store.commit_messages(&[m1.clone(), m2]).await.unwrap();
    let s1 = stored(&out[0]).seq.get();
    assert_eq!(stored(&out[0]).marks, m1.marks);
    let page = history_for(&*store, &conv, None).await;
    let read: Vec<&Marks> = page.iter().map(|m| &m.marks).collect();
    assert_eq!(read[read.len() - 2], &m1.marks, "read back as sent");
    assert!(read[read.len() - 1].forwarded);
    assert_eq!(mention_of(&*store, &b.id, &conv).await, (s1, true));
    assert_eq!(mention_of(&*store, &c.id, &conv).await, (0, false));
    assert!(
        !mention_of(&*store, &a.id, &conv).await.1,
        "the sender has read their own"
    );
    // Reading past it clears the flag.
    let up = UpdateConversation {
        read_seq: Some(Seq::new(s1)),
        ..UpdateConversation::default()
    };
    store.update_cursor(&b.id, &conv, up).await.unwrap();
    assert_eq!(mention_of(&*store, &b.id, &conv).await, (s1, false));

    // A mention of all flags every member but its sender.
    let mut m3 = message(&conv, kind, &a.id, "m3", "all hands", at(3));
    m3.marks.mention_all = true;
    let s3 = stored(&store.commit_messages(&[m3]).await.unwrap()[0])
        .seq
        .get();
    for who in [&b.id, &c.id] {
        assert_eq!(mention_of(&*store, who, &conv).await, (s3, true));
    }
    assert!(!mention_of(&*store, &a.id, &conv).await.1);
    // The conversation list says the same.
    let views = store.conversations_of(&c.id).await.unwrap();
    let v = views.iter().find(|v| v.id == conv).expect("listed");
    assert!(v.mentioned());
}

pub async fn hidden_messages_leave_only_their_members_history(store: Arc<dyn Store>) {
    let [a, b] = <[_; 2]>::try_from(users(&*store, "hide", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, T0).await.unwrap();
    let single = ConversationKind::Single;
    store
        .commit_messages(&[
            message(&ab, single, &a.id, "m1", "one", at(1)),
            message(&ab, single, &b.id, "m2", "two", at(2)),
            message(&ab, single, &a.id, "m3", "three", at(3)),
        ])
        .await
        .unwrap();
    let hide = |seqs: &[u64]| UpdateConversation {
        hide: seqs.iter().copied().map(Seq::new).collect(),
        ..UpdateConversation::default()
    };
    assert!(store.update_cursor(&a.id, &ab, hide(&[2])).await.unwrap());
    // Again, and with another: kept once.
    assert!(store
        .update_cursor(&a.id, &ab, hide(&[2, 3]))
        .await
        .unwrap());
    let seqs = |page: Vec<ferrochat_domain::Message>| -> Vec<u64> {
        page.iter().map(|m| m.seq.get()).collect()
    };
    assert_eq!(seqs(history_for(&*store, &ab, Some(&a.id)).await), [1]);
    assert_eq!(
        seqs(history_for(&*store, &ab, Some(&b.id)).await),
        [1, 2, 3],
        "the other member keeps them"
    );
    assert_eq!(seqs(history_for(&*store, &ab, None).await), [1, 2, 3]);
    let view = store.conversation_view(&a.id, &ab).await.unwrap().unwrap();
    assert_eq!(view.last_seq.get(), 3, "the conversation's seqs stay");
}
