//! Message search in the store: whole words, any case; the index holds
//! exactly the committed messages users wrote, as they are now (an edit in the same batch or a
//! later one replaces the words, a recall removes the message), and a
//! search sees only the viewer's conversations, without what they hid,
//! newest first, paged by its cursor, across more rows than one
//! statement's chunk.

use std::sync::Arc;

use ferrochat_domain::commands::UpdateConversation;
use ferrochat_domain::search::{SearchCursor, SearchMessages};
use ferrochat_domain::{ConversationId, ConversationKind, Reference, Seq, UserId};
use ferrochat_ports::Store;

use super::changes::referring;
use super::fixtures::{at, message, users, T0};

const SINGLE: ConversationKind = ConversationKind::Single;

/// The contents `viewer` finds for `q`, newest first, and the page's cursor.
pub async fn found(
    store: &dyn Store,
    viewer: &UserId,
    q: &str,
    conversation: Option<&ConversationId>,
    before: Option<SearchCursor>,
    limit: i64,
) -> (Vec<String>, Option<SearchCursor>) {
    let search = SearchMessages::parse(
        q.to_owned(),
        conversation.cloned(),
        None,
        before,
        Some(limit),
    )
    .unwrap();
    let page = store.search_messages(viewer, &search).await.unwrap();
    let texts = page
        .messages
        .iter()
        .map(|m| m.content.as_str().to_owned())
        .collect();
    (texts, page.next)
}

/// Where the newest message `viewer` finds for `q` is in the index's order.
async fn position_of_newest(store: &dyn Store, viewer: &UserId, q: &str) -> SearchCursor {
    let search = SearchMessages::parse(q.to_owned(), None, None, None, Some(1)).unwrap();
    let page = store.search_messages(viewer, &search).await.unwrap();
    page.positions[0]
}

pub async fn search_finds_what_is_committed_now_for_members_only(store: Arc<dyn Store>) {
    let s = &*store;
    let [a, b, c] = <[_; 3]>::try_from(users(s, "srch", 3).await).unwrap();
    let ab = s.open_single(&a.id, &b.id, T0).await.unwrap();
    let bc = s.open_single(&b.id, &c.id, T0).await.unwrap();
    let n = Seq::new;
    s.commit_messages(&[
        message(&ab, SINGLE, &a.id, "m1", "the Quarterly report", at(1)),
        message(&bc, SINGLE, &b.id, "m2", "report for c only", at(2)),
        message(&ab, SINGLE, &b.id, "m3", "季度报告已发送", at(3)),
        referring(
            &ab,
            &a.id,
            "m4",
            "the annual report",
            Reference::Edit(n(1)),
            4,
        ),
        message(&ab, SINGLE, &a.id, "m5", "another report", at(5)),
    ])
    .await
    .unwrap();
    assert_eq!(
        found(s, &a.id, "report", None, None, 20).await.0,
        ["another report", "the annual report"],
        "a's conversations only; an edit in the same batch is what is found"
    );
    assert!(found(s, &a.id, "quarterly", None, None, 20)
        .await
        .0
        .is_empty());
    assert!(
        found(s, &a.id, "rep", None, None, 20).await.0.is_empty(),
        "a word is matched whole"
    );
    assert_eq!(
        found(s, &b.id, "REPORT", None, None, 20).await.0.len(),
        3,
        "b is in both; whole words, any case"
    );
    assert_eq!(
        found(s, &b.id, "report", Some(&bc), None, 20).await.0,
        ["report for c only"]
    );
    assert_eq!(
        found(s, &c.id, "报告", None, None, 20).await.0,
        Vec::<String>::new()
    );
    assert_eq!(
        found(s, &a.id, "报告", None, None, 20).await.0,
        ["季度报告已发送"]
    );
    assert!(
        found(s, &a.id, "edit", None, None, 20).await.0.is_empty(),
        "events are not indexed"
    );

    // A recall takes the message out (the newest: what is sent next still
    // comes after it in the index's order, or a page's cursor would skip
    // it); so does hiding it, for the one who hid it.
    let newest = position_of_newest(s, &b.id, "report").await;
    s.commit_messages(&[referring(&ab, &a.id, "r5", "", Reference::Recall(n(4)), 6)])
        .await
        .unwrap();
    assert_eq!(
        found(s, &b.id, "another", None, None, 20).await.0,
        Vec::<String>::new()
    );
    s.commit_messages(&[message(&ab, SINGLE, &b.id, "m7", "report again", at(7))])
        .await
        .unwrap();
    assert!(position_of_newest(s, &b.id, "report").await > newest);
    let (older, _) = found(s, &b.id, "report", None, Some(newest), 20).await;
    assert!(
        !older.contains(&"report again".to_owned()),
        "a new message is never below an older cursor: {older:?}"
    );
    let hide = UpdateConversation {
        hide: vec![n(2)],
        ..Default::default()
    };
    assert!(s.update_cursor(&b.id, &ab, hide).await.unwrap());
    assert!(found(s, &b.id, "报告", None, None, 20).await.0.is_empty());
    assert_eq!(found(s, &a.id, "报告", None, None, 20).await.0.len(), 1);
}

/// Words a full-text syntax has a meaning for (`not`, `or`, `near`,
/// `and`) and words of letters past ASCII are found whole, like any other.
pub async fn search_finds_syntax_words_and_letters_past_ascii(store: Arc<dyn Store>) {
    let s = &*store;
    let [a, b] = <[_; 2]>::try_from(users(s, "srwd", 2).await).unwrap();
    let ab = s.open_single(&a.id, &b.id, T0).await.unwrap();
    s.commit_messages(&[
        message(&ab, SINGLE, &a.id, "w1", "NOT now, OR never", at(1)),
        message(&ab, SINGLE, &a.id, "w2", "near AND far", at(2)),
        message(&ab, SINGLE, &a.id, "w3", "Naïve café, area x²", at(3)),
        message(&ab, SINGLE, &a.id, "w4", "naive cafe", at(4)),
    ])
    .await
    .unwrap();
    for (q, want) in [
        ("not", "NOT now, OR never"),
        ("or never", "NOT now, OR never"),
        ("NEAR", "near AND far"),
        ("and", "near AND far"),
        ("naïve", "Naïve café, area x²"),
        ("CAFÉ", "Naïve café, area x²"),
        ("x²", "Naïve café, area x²"),
        ("\"naive\"", "naive cafe"),
    ] {
        assert_eq!(found(s, &b.id, q, None, None, 20).await.0, [want], "{q}");
    }
    assert!(found(s, &b.id, "x", None, None, 20).await.0.is_empty());
}

pub async fn search_pages_newest_first_across_chunks(store: Arc<dyn Store>) {
    let s = &*store;
    let [a, b] = <[_; 2]>::try_from(users(s, "srpg", 2).await).unwrap();
    let ab = s.open_single(&a.id, &b.id, T0).await.unwrap();
    // More than one statement's chunk on every dialect (500 rows).
    let batch: Vec<_> = (0..700)
        .map(|i| {
            message(
                &ab,
                SINGLE,
                &a.id,
                &format!("k{i}"),
                &format!("entry {i} of the ledger"),
                at(i),
            )
        })
        .collect();
    s.commit_messages(&batch).await.unwrap();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let (page, next) = found(s, &b.id, "ledger entry", None, before, 50).await;
        assert!(page.len() <= 50);
        seen.extend(page);
        match next {
            Some(n) => before = Some(n),
            None => break,
        }
    }
    let expected: Vec<String> = (0..700)
        .rev()
        .map(|i| format!("entry {i} of the ledger"))
        .collect();
    assert_eq!(seen, expected, "every message once, newest first");
}

/// Run on SQLite (`crates/store-sql/tests/it/sqlite/`), whose index
/// statements it spans.
pub async fn search_finds_each_message_of_a_batch_larger_than_one_statement(store: Arc<dyn Store>) {
    let s = &*store;
    let [a, b] = <[_; 2]>::try_from(users(s, "srbig", 2).await).unwrap();
    let ab = s.open_single(&a.id, &b.id, T0).await.unwrap();
    // More rows than one of SQLite's index statements holds (4,096, each
    // padded to a power of two with rows that are never stored).
    let batch: Vec<_> = (0..4200)
        .map(|i| {
            message(
                &ab,
                SINGLE,
                &a.id,
                &format!("b{i}"),
                &format!("line {i} of the register"),
                at(i),
            )
        })
        .collect();
    s.commit_messages(&batch).await.unwrap();
    for i in [0, 4095, 4096, 4097, 4199] {
        let (texts, next) = found(s, &b.id, &format!("register {i}"), None, None, 5).await;
        assert_eq!(texts, [format!("line {i} of the register")], "{i}");
        assert_eq!(next, None);
    }
    let (newest, _) = found(s, &b.id, "register", None, None, 3).await;
    assert_eq!(
        newest,
        [4199, 4198, 4197].map(|i| format!("line {i} of the register")),
        "newest first, across the statements"
    );
    // The next commit's rows come after every one of them.
    s.commit_messages(&[message(
        &ab,
        SINGLE,
        &b.id,
        "b-next",
        "the register closes",
        at(5000),
    )])
    .await
    .unwrap();
    let (newest, _) = found(s, &a.id, "register", None, None, 2).await;
    assert_eq!(newest, ["the register closes", "line 4199 of the register"]);
}
