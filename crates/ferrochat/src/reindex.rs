//! `ferrochat reindex`: rebuilds the message search index from the stored
//! messages, on the SQL store the configuration names. Needed once after
//! upgrading a store that holds messages from before search existed. On
//! SQLite the server must be stopped; on the servers it may run beside
//! them (each chunk's messages are read locked, so an edit or recall
//! committed meanwhile is either read or applied after).

use anyhow::bail;

use crate::open::{sql_store, SqlStores};
use crate::Config;

/// Rebuilds the index; returns how many messages it indexed.
pub async fn run(config: &Config) -> anyhow::Result<u64> {
    let Some(store) = sql_store(config).await? else {
        bail!("store.url names the repo role: run reindex with the repo's own store.url");
    };
    let indexed = match &store {
        SqlStores::Sqlite(s) => s.reindex_search().await,
        SqlStores::Mysql(s) => s.reindex_search().await,
        SqlStores::Postgres(s) => s.reindex_search().await,
    };
    match store {
        SqlStores::Sqlite(s) => ferrochat_ports::Store::close(&s).await,
        SqlStores::Mysql(s) => ferrochat_ports::Store::close(&s).await,
        SqlStores::Postgres(s) => ferrochat_ports::Store::close(&s).await,
    }
    Ok(indexed?)
}
