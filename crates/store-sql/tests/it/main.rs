//! The store conformance suite and the adapters' own tests, on SQLite (a
//! file per case, `sqlite/`) and against real MariaDB/MySQL and PostgreSQL
//! servers: each test gets a database of its own, so they run in parallel. The servers come from
//! `FERROCHAT_TEST_MYSQL_URL` and `FERROCHAT_TEST_POSTGRES_URL`, which
//! `scripts/services up` starts and `scripts/services env` prints.
//! `group_commit.rs` opens stores that never retry; `outage.rs` runs
//! servers of its own (`ferrochat_test_support::private_sql`), which it crashes and starts again;
//! `sql_mode.rs` one whose `sql_mode` turns backslash escapes off.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod group_commit;
mod lifecycle;
mod outage;
mod search_bloom;
mod search_limit;
mod sql_mode;
mod sqlite;
mod support;

mod mysql {
    ferrochat_test_support::store_conformance_tests!(crate::support::fresh_mysql);
}

mod postgres {
    ferrochat_test_support::store_conformance_tests!(crate::support::fresh_postgres);
}
