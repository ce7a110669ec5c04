//! Finding old messages: GET /api/v1/messages/search, as the contract
//! says: only the caller's conversations, every word matched whole (any
//! case), Chinese found without spaces, newest first and paged with
//! `next`, edits found by their current text, recalled and hidden
//! messages never, highlights in UTF-16 units, bad queries 1001, another's
//! conversation 1005, an unknown one 1003.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, Reply, Session, TestApp};

impl TestApp {
    async fn search_messages(&self, token: &str, query: &str) -> Reply {
        let path = format!("/api/v1/messages/search?{query}");
        self.request(Method::GET, &path, Some(token), None).await
    }

    /// The contents a search finds, newest first, and its `next`.
    async fn found_texts(&self, token: &str, query: &str) -> (Vec<String>, Value) {
        let r = self.search_messages(token, query).await;
        let data = r.ok();
        let texts = data["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["message"]["content"].as_str().unwrap().to_owned())
            .collect();
        (texts, data["next"].clone())
    }

    async fn say(&self, who: &Session, conv: &str, id: &str, text: &str) -> u64 {
        let ack = self
            .send_http_ok(
                &who.access,
                json!({"conversation_id": conv, "client_msg_id": id, "content": text}),
            )
            .await;
        ack["seq"].as_u64().unwrap()
    }

    async fn post_ok(&self, who: &Session, path: &str, body: Value) {
        self.request(Method::POST, path, Some(&who.access), Some(body))
            .await
            .ok();
    }
}

/// `q=<text>`, encoded for a query string.
fn q(text: &str) -> String {
    let mut url = reqwest::Url::parse("http://localhost/").unwrap();
    url.query_pairs_mut().append_pair("q", text);
    url.query().unwrap().to_owned()
}

#[tokio::test]
async fn messages_are_found_by_their_words_in_the_callers_conversations_only() {
    words_and_scopes(spawn_app().await).await;
}

#[tokio::test]
async fn pages_follow_next_and_changes_are_found_as_they_are_now() {
    pages_and_changes(spawn_app().await).await;
}

/// MariaDB and MySQL read the newest messages one by one first and ask
/// the full-text index only past `store.search_scan`: each way alone
/// answers every search the same. The scan, given all the time it needs,
/// with no full-text index at all (a search that went to the index would
/// fail); the index, with the scan off.
#[tokio::test]
async fn mysql_finds_the_same_by_its_scan_alone_and_by_its_index_alone() {
    for scan_only in [true, false] {
        let Some(app) = mysql_app(scan_only).await else {
            return;
        };
        words_and_scopes(app).await;
        let Some(app) = mysql_app(scan_only).await else {
            return;
        };
        pages_and_changes(app).await;
    }
}

/// A server on MySQL/MariaDB that searches by its scan only (the
/// full-text index dropped) or by its index only; `None` on other stores.
async fn mysql_app(scan_only: bool) -> Option<TestApp> {
    let scan = if scan_only {
        std::time::Duration::from_secs(60)
    } else {
        std::time::Duration::ZERO
    };
    let app = crate::support::spawn_app_with(move |c| c.store.search_scan = scan).await;
    let url = app.config.as_ref().unwrap().store.url.clone()?;
    if !url.starts_with("mysql") && !url.starts_with("mariadb") {
        return None;
    }
    if scan_only {
        use sqlx::{Connection, Executor};
        let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
        conn.execute("ALTER TABLE message_search DROP INDEX message_search_terms")
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    Some(app)
}

async fn words_and_scopes(app: TestApp) {
    let a = app.new_user("srcha").await;
    let b = app.new_user("srchb").await;
    let c = app.new_user("srchc").await;
    let ab = app.open_single(&a.access, &b.user_id).await;
    let bc = app.open_single(&b.access, &c.user_id).await;
    app.say(&a, &ab, "1", "Meet at noon in room 4").await;
    app.say(&b, &ab, "2", "明天下午开会议，别忘了").await;
    app.say(&b, &bc, "3", "a secret meet without a").await;
    app.say(&a, &ab, "4", "see you at the MEET up").await;

    let (found, next) = app.found_texts(&a.access, &q("meet")).await;
    assert_eq!(
        found,
        ["see you at the MEET up", "Meet at noon in room 4"],
        "whole words, any case, newest first, never another pair's chat"
    );
    assert_eq!(next, Value::Null);
    let (found, _) = app.found_texts(&b.access, &q("meet")).await;
    assert_eq!(found.len(), 3, "b is in both chats: {found:?}");
    let (found, _) = app.found_texts(&a.access, &q("meet noon")).await;
    assert_eq!(found, ["Meet at noon in room 4"], "every word must match");
    let (found, _) = app.found_texts(&a.access, &q("mee")).await;
    assert!(found.is_empty(), "a word is matched whole: {found:?}");
    let (found, _) = app.found_texts(&a.access, &q("会议")).await;
    assert_eq!(found, ["明天下午开会议，别忘了"], "Chinese without spaces");
    let (found, _) = app.found_texts(&a.access, &q("下午开会")).await;
    assert_eq!(found, ["明天下午开会议，别忘了"]);
    let (found, _) = app.found_texts(&a.access, &q("会")).await;
    assert_eq!(found, ["明天下午开会议，别忘了"], "one character");
    let (found, _) = app.found_texts(&a.access, &q("下会")).await;
    assert!(
        found.is_empty(),
        "characters apart are not a word: {found:?}"
    );

    // Within one conversation, from one sender.
    let (found, _) = app
        .found_texts(&b.access, &format!("{}&conversation_id={bc}", q("meet")))
        .await;
    assert_eq!(found, ["a secret meet without a"]);
    let (found, _) = app
        .found_texts(&b.access, &format!("{}&from={}", q("meet"), a.user_id))
        .await;
    assert_eq!(found.len(), 2);

    // Highlights: the words that matched, in UTF-16 code units.
    let r = app.search_messages(&a.access, &q("room meet")).await;
    let first = &r.ok()["results"][0];
    assert_eq!(first["message"]["seq"], 1);
    assert_eq!(first["highlights"], json!([[0, 4], [16, 20]]));
    let r = app.search_messages(&a.access, &q("会议")).await;
    assert_eq!(r.ok()["results"][0]["highlights"], json!([[5, 7]]));
}

async fn pages_and_changes(app: TestApp) {
    let a = app.new_user("srpa").await;
    let b = app.new_user("srpb").await;
    let ab = app.open_single(&a.access, &b.user_id).await;
    for i in 1..=5 {
        app.say(&a, &ab, &format!("p{i}"), &format!("report number {i}"))
            .await;
    }
    let (page, next) = app
        .found_texts(&b.access, &format!("{}&limit=2", q("report")))
        .await;
    assert_eq!(page, ["report number 5", "report number 4"]);
    let (page, next) = app
        .found_texts(
            &b.access,
            &format!("{}&limit=2&before={}", q("report"), next.as_str().unwrap()),
        )
        .await;
    assert_eq!(page, ["report number 3", "report number 2"]);
    let (page, next) = app
        .found_texts(
            &b.access,
            &format!("{}&limit=2&before={}", q("report"), next.as_str().unwrap()),
        )
        .await;
    assert_eq!(page, ["report number 1"]);
    assert_eq!(next, Value::Null, "the last page says so");

    // An edit is found by its new words only; a recall, never; a message
    // hidden by one member, not by them but still by the other.
    app.post_ok(
        &a,
        "/api/v1/messages/edit",
        json!({"conversation_id": ab, "seq": 2, "client_msg_id": "e2", "content": "summary two"}),
    )
    .await;
    app.post_ok(
        &a,
        "/api/v1/messages/recall",
        json!({"conversation_id": ab, "seq": 3, "client_msg_id": "r3"}),
    )
    .await;
    app.post_ok(
        &b,
        "/api/v1/messages/delete",
        json!({"conversation_id": ab, "seqs": [4]}),
    )
    .await;
    let (page, _) = app.found_texts(&b.access, &q("report")).await;
    assert_eq!(page, ["report number 5", "report number 1"]);
    let (page, _) = app.found_texts(&a.access, &q("report")).await;
    assert_eq!(
        page,
        ["report number 5", "report number 4", "report number 1"]
    );
    let (page, _) = app.found_texts(&b.access, &q("summary")).await;
    assert_eq!(page, ["summary two"]);
    let r = app.search_messages(&b.access, &q("summary")).await;
    let hit = &r.ok()["results"][0]["message"];
    assert!(
        hit["edited_at"].is_string(),
        "the message as it is now: {hit}"
    );
    // Events and system messages are not found by their content.
    let (page, _) = app.found_texts(&b.access, &q("e2")).await;
    assert!(page.is_empty());
}

#[tokio::test]
async fn bad_searches_are_refused_with_the_contracts_codes() {
    let app = spawn_app().await;
    let a = app.new_user("srba").await;
    let b = app.new_user("srbb").await;
    let c = app.new_user("srbc").await;
    let bc = app.open_single(&b.access, &c.user_id).await;
    for (query, field) in [
        (String::new(), "q"),
        (q("  ?! "), "q"),
        (q(&"w".repeat(201)), "q"),
        (q("a b c d e f g h i"), "q"),
        (format!("{}&limit=0", q("x")), "limit"),
        (format!("{}&limit=51", q("x")), "limit"),
        (format!("{}&limit=ten", q("x")), "limit"),
        (format!("{}&before=0", q("x")), "before"),
        (format!("{}&before=abc", q("x")), "before"),
        (
            format!("{}&conversation_id=nope", q("x")),
            "conversation_id",
        ),
        (format!("{}&from=nope", q("x")), "from"),
    ] {
        let r = app.search_messages(&a.access, &query).await;
        let msg = r.err(1001);
        assert!(msg.starts_with(field), "{query}: {msg}");
    }
    app.search_messages(&a.access, &format!("{}&conversation_id={bc}", q("x")))
        .await
        .err(1005);
    let unknown = "00000000-0000-4000-8000-000000000000";
    app.search_messages(&a.access, &format!("{}&conversation_id={unknown}", q("x")))
        .await
        .err(1003);
    app.search_messages(&a.access, &format!("{}&from={unknown}", q("x")))
        .await
        .err(1003);
    let r = app
        .request(
            Method::GET,
            &format!("/api/v1/messages/search?{}", q("x")),
            None,
            None,
        )
        .await;
    r.err(1002);
}

/// A page is also bounded in bytes (512 KiB of messages): one cut short
/// says where the next starts, so paging still reaches every result once.
#[tokio::test]
async fn a_page_cut_by_its_size_still_pages_through_everything() {
    let app = spawn_app().await;
    let a = app.new_user("srsza").await;
    let b = app.new_user("srszb").await;
    let ab = app.open_single(&a.access, &b.user_id).await;
    let filler = "z".repeat(15_000);
    for i in 0..40 {
        app.say(&a, &ab, &format!("big{i}"), &format!("bulk {i} {filler}"))
            .await;
    }
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut query = format!("{}&limit=50", q("bulk"));
        if let Some(b) = &before {
            query.push_str(&format!("&before={b}"));
        }
        let (page, next) = app.found_texts(&b.access, &query).await;
        assert!(page.len() < 40, "512 KiB hold fewer than 40 of these");
        pages += 1;
        seen.extend(page.iter().map(|t| t.split(' ').nth(1).unwrap().to_owned()));
        match next.as_str() {
            Some(n) => before = Some(n.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..40).rev().map(|i| i.to_string()).collect();
    assert_eq!(seen, expected, "every result once, newest first");
    assert!(pages >= 2);
}

/// On MariaDB and PostgreSQL the server stops a search at
/// `store.search_timeout`: 1009 saying how to narrow it, and the next
/// search runs. A lock the test takes on the index holds the search up,
/// so the limit is what ends it. SQLite has no such limit (its index is
/// read newest first and stops at the page): there the search just runs.
#[tokio::test]
async fn a_search_past_the_stores_time_limit_is_refused_and_the_next_one_runs() {
    let app = crate::support::spawn_app_with(|c| {
        c.store.search_timeout = std::time::Duration::from_millis(300);
    })
    .await;
    let a = app.new_user("slow").await;
    let url = app.config.as_ref().unwrap().store.url.clone();
    let Some(url) = url else {
        app.search_messages(&a.access, "q=hello").await.ok();
        return;
    };
    let held = async {
        tokio::time::timeout(
            std::time::Duration::from_secs(30),
            app.search_messages(&a.access, "q=hello"),
        )
        .await
        .expect("the server stops the search")
    };
    use sqlx::{Connection, Executor};
    let refused = if url.starts_with("postgres") {
        let mut holder = sqlx::PgConnection::connect(&url).await.unwrap();
        let mut tx = holder.begin().await.unwrap();
        tx.execute("LOCK TABLE message_search IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
        let refused = held.await;
        tx.rollback().await.unwrap();
        refused
    } else {
        let mut holder = sqlx::MySqlConnection::connect(&url).await.unwrap();
        holder
            .execute("LOCK TABLES message_search WRITE")
            .await
            .unwrap();
        let refused = held.await;
        holder.execute("UNLOCK TABLES").await.unwrap();
        refused
    };
    assert!(
        refused.err(1009).contains("add words"),
        "{:?}",
        refused.body
    );
    app.search_messages(&a.access, "q=hello").await.ok();
}
