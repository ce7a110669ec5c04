//! The commit's literals (`src/chain.rs`) on a server whose `sql_mode`
//! turns backslash escapes off: a private MariaDB (test-support's
//! `private_sql`) set so globally, which the store's connections undo for
//! themselves (`BACKSLASH_ESCAPES_ON`).

use ferrochat_domain::ConversationKind;
use ferrochat_ports::store::MessageStore;
use ferrochat_ports::Store;
use ferrochat_store_sql::{MysqlStore, SqlOptions};
use ferrochat_test_support::conformance::fixtures::{self, stored};
use ferrochat_test_support::private_sql::{Kind, PrivateServer};
use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backslashes_are_kept_where_the_server_turns_their_escapes_off() {
    let server = PrivateServer::start(Kind::Mariadb).await;
    let mut admin = sqlx::MySqlConnection::connect(&server.url()).await.unwrap();
    sqlx::raw_sql("SET GLOBAL sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'")
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let store = MysqlStore::open(&server.url(), &SqlOptions::default())
        .await
        .unwrap();
    let [a, b] = <[_; 2]>::try_from(fixtures::users(&store, "escape", 2).await).unwrap();
    let ab = store.open_single(&a.id, &b.id, fixtures::T0).await.unwrap();
    let contents = ["back\\slash", "it\\'s", "\\", "ends with \\", "\\0 and \\n"];
    let batch: Vec<_> = contents
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let key = format!("escape\\{i}");
            fixtures::message(
                &ab,
                ConversationKind::Single,
                &a.id,
                &key,
                c,
                fixtures::at(1),
            )
        })
        .collect();
    let out = store.commit_messages(&batch).await.unwrap();
    for (sent, c) in contents.iter().zip(&out) {
        assert_eq!(stored(c).content.as_str(), *sent);
    }
    let page = fixtures::history(&store, &ab).await;
    let kept: Vec<&str> = page.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(kept, contents);
    store.close().await;
}
