//! What the server's settings say about keeping acknowledged writes,
//! read when a store opens (docs/deploy.md, "Durability"):
//!
//! - MariaDB/MySQL: `innodb_flush_log_at_trx_commit = 1` (the redo log
//!   flushed at each commit), `innodb_doublewrite` on (no torn pages), and,
//!   with a binary log, `sync_binlog = 1` (else recovery rolls back
//!   transactions the binlog lost, acked or not);
//! - PostgreSQL: `fsync` on, `synchronous_commit` not `off`,
//!   `full_page_writes` on.

use ferrochat_ports::store::{Durability, NotDurable};
use ferrochat_ports::StoreError;
use sqlx::{MySqlPool, PgPool, Row};

use crate::error::store_error;

pub(crate) async fn mysql(pool: &MySqlPool) -> Result<Durability, StoreError> {
    let row = sqlx::query(
        "SELECT CAST(@@global.innodb_flush_log_at_trx_commit AS CHAR) AS flush_log,
                CAST(@@global.innodb_doublewrite AS CHAR) AS doublewrite,
                CAST(@@global.log_bin AS CHAR) AS log_bin,
                CAST(@@global.sync_binlog AS CHAR) AS sync_binlog",
    )
    .fetch_one(pool)
    .await
    .map_err(store_error)?;
    // CAST(... AS CHAR) is flagged binary under our collation: read the
    // text unchecked, as `Mysql::text` does.
    let get = |name: &str| -> Result<String, StoreError> {
        row.try_get_unchecked::<String, _>(name)
            .map_err(store_error)
    };
    let (flush_log, doublewrite) = (get("flush_log")?, get("doublewrite")?);
    let (log_bin, sync_binlog) = (get("log_bin")?, get("sync_binlog")?);
    let mut d = Durability::default();
    // MariaDB's 3 is 1 and more.
    d.check(
        matches!(flush_log.as_str(), "1" | "3"),
        "innodb_flush_log_at_trx_commit",
        &flush_log,
        "1",
    );
    // Booleans read as 0/1 on MariaDB 10, as words on MySQL 8.0.30+ and
    // MariaDB 11 (`fast` still writes every page twice).
    d.check(
        !matches!(switch(&doublewrite).as_str(), "OFF" | "DETECT_ONLY"),
        "innodb_doublewrite",
        &switch(&doublewrite),
        "ON",
    );
    if switch(&log_bin) == "ON" {
        d.check(
            sync_binlog == "1",
            "sync_binlog",
            &sync_binlog,
            "1 (with a binary log)",
        );
    }
    Ok(d)
}

pub(crate) async fn postgres(pool: &PgPool) -> Result<Durability, StoreError> {
    let row = sqlx::query(
        "SELECT current_setting('fsync') AS fsync,
                current_setting('synchronous_commit') AS synchronous_commit,
                current_setting('full_page_writes') AS full_page_writes",
    )
    .fetch_one(pool)
    .await
    .map_err(store_error)?;
    let get = |name: &str| -> Result<String, StoreError> {
        row.try_get::<String, _>(name).map_err(store_error)
    };
    let mut d = Durability::default();
    let fsync = get("fsync")?;
    d.check(fsync == "on", "fsync", &fsync, "on");
    // on, local, remote_write and remote_apply all flush locally first.
    let commit = get("synchronous_commit")?;
    d.check(commit != "off", "synchronous_commit", &commit, "on");
    let pages = get("full_page_writes")?;
    d.check(pages == "on", "full_page_writes", &pages, "on");
    Ok(d)
}

/// At open: a database that can lose acknowledged writes is refused when
/// `require` is set, or else named in a warning, setting by setting.
pub(crate) fn enforce(
    store: &'static str,
    d: &Durability,
    require: bool,
) -> Result<(), StoreError> {
    if d.is_durable() {
        return Ok(());
    }
    if require {
        return Err(StoreError::Other(Box::new(NotDurable(d.clone()))));
    }
    for r in &d.risks {
        tracing::warn!(
            store,
            setting = %r.setting,
            value = %r.value,
            needed = %r.needed,
            "the database can lose acknowledged messages (store.require_durable = true refuses to start)"
        );
    }
    Ok(())
}

/// A switch's value as ON or OFF when it is one, else as given.
fn switch(v: &str) -> String {
    match v.to_ascii_uppercase().as_str() {
        "1" | "ON" => "ON".to_owned(),
        "0" | "OFF" => "OFF".to_owned(),
        other => other.to_owned(),
    }
}
