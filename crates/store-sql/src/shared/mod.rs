//! The store code both SQL dialects share, as macros that a dialect module
//! instantiates with its store type, its sqlx database and its row type:
//!
//! ```ignore
//! shared::accounts::impl_account_store!(MysqlStore, sqlx::MySql, sqlx::mysql::MySqlRow);
//! ```
//!
//! The store type provides `pool` (a `sqlx::Pool` of that database),
//! `retry` (its `Retrier`), `DIALECT` and `fn sql(&str) -> Cow<str>`,
//! which turns the `?` placeholders written here into the dialect's own.
//!
//! Each method of the port is a free function that makes one attempt and
//! fails with `Fail` (the error and how it failed); the trait impl at the
//! end of each macro runs it through `retry::run` with its `Rerun`: reads
//! are `Safe`, and each write says why it is `Safe` or `IfUndone`.

pub(crate) mod accounts;
pub(crate) mod commit;
pub(crate) mod groups;
pub(crate) mod messages;
pub(crate) mod social;

use ferrochat_domain::{ConversationKind, Seq};
use sqlx::mysql::MySqlRow;
use sqlx::postgres::PgRow;
use sqlx::{Decode, Row, Type};

/// Where a statement of the shared code must differ between the servers
/// (each store type's `DIALECT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Mysql,
    Postgres,
}

/// Reads a column; what `Row::try_get` does, but per dialect.
pub(crate) trait Col: Row {
    fn col<'r, T>(&'r self, name: &str) -> Result<T, sqlx::Error>
    where
        T: Decode<'r, Self::Database> + Type<Self::Database>;
}

impl Col for MySqlRow {
    fn col<'r, T>(&'r self, name: &str) -> Result<T, sqlx::Error>
    where
        T: Decode<'r, Self::Database> + Type<Self::Database>,
    {
        // Our text columns use a binary collation (byte order, as SQLite),
        // and MySQL flags such columns BINARY, which sqlx 0.8 takes for
        // VARBINARY and refuses to decode as `String`. The bytes are UTF-8
        // text (decoding still checks that), so the type check is skipped.
        self.try_get_unchecked(name)
    }
}

impl Col for PgRow {
    fn col<'r, T>(&'r self, name: &str) -> Result<T, sqlx::Error>
    where
        T: Decode<'r, Self::Database> + Type<Self::Database>,
    {
        self.try_get(name)
    }
}

/// Stored integers are i64; seqs are u64 and start at 0.
pub(crate) fn seq(v: i64) -> Seq {
    Seq::new(u64::try_from(v).unwrap_or(0))
}

pub(crate) fn db_seq(s: Seq) -> i64 {
    i64::try_from(s.get()).unwrap_or(i64::MAX)
}

pub(crate) fn kind(s: &str) -> Result<ConversationKind, sqlx::Error> {
    ConversationKind::from_stored(s)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown conversation kind {s:?}").into()))
}

pub(crate) fn count(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// Rewrites `?` placeholders as `$1, $2, ...` (PostgreSQL). The statements
/// in this crate hold no `?` inside string literals.
pub(crate) fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0u32;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            numbered_placeholders("SELECT a FROM t WHERE b = ? AND c > ? LIMIT ?"),
            "SELECT a FROM t WHERE b = $1 AND c > $2 LIMIT $3"
        );
        assert_eq!(numbered_placeholders("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn seqs_round_trip_and_clamp() {
        assert_eq!(seq(-1), Seq::ZERO);
        assert_eq!(seq(db_seq(Seq::new(42))), Seq::new(42));
        assert_eq!(db_seq(Seq::new(u64::MAX)), i64::MAX);
    }
}
