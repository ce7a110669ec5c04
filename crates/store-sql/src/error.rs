//! The one place sqlx errors become the store port's errors, each with how
//! it failed, which decides whether `retry.rs` runs the call again.
//!
//! | sqlx error | `StoreError` | `Failure` |
//! |---|---|---|
//! | unique or foreign key violation | `Conflict` | `Final` |
//! | deadlock, lock wait timeout, serialization failure | `Unavailable` | `Busy`: the server rolled it back |
//! | too many connections, server shutting down | `Unavailable` | `Unreached`: it ran nothing |
//! | no pooled connection in time | `Unavailable` | `Unreached` |
//! | I/O, TLS: the connection broke mid-call | `Unavailable` | `Lost`: a COMMIT (or a write outside a transaction) may have taken effect |
//! | the pool is closed (the store is closing) | `Unavailable` | `Final`: retrying will not reopen it |
//! | anything else | `Other` | `Final` |
//!
//! A broken connection while opening a transaction (`begin`) ran nothing
//! of the call: `Unreached`.

use std::fmt;

use ferrochat_ports::StoreError;
use ferrochat_retry::Failure;

/// MySQL/MariaDB: deadlock found (1213), lock wait timeout (1205).
const MYSQL_BUSY: &[u16] = &[1213, 1205];
/// MySQL/MariaDB: too many connections (1040), server shutdown in
/// progress (1053), connection killed (1927, sent to sessions at shutdown).
const MYSQL_GONE: &[u16] = &[1040, 1053, 1927];
/// PostgreSQL: serialization failure, deadlock detected, lock timeout.
const PG_BUSY: &[&str] = &["40001", "40P01", "55P03"];
/// PostgreSQL: too many connections, admin shutdown, crash shutdown,
/// cannot connect now (starting up or shutting down).
const PG_GONE: &[&str] = &["53300", "57P01", "57P02", "57P03"];

/// A failed attempt of a store call: the error the port returns, and how
/// it failed.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) error: StoreError,
    pub(crate) failure: Failure,
}

/// A rule of the store's own (a conflict it detected): final.
impl From<StoreError> for Fail {
    fn from(error: StoreError) -> Self {
        Self {
            error,
            failure: Failure::Final,
        }
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            StoreError::Unavailable(why) => f.write_str(why),
            other => other.fmt(f),
        }
    }
}

pub(crate) fn map(e: sqlx::Error) -> Fail {
    let (error, failure) = match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => (
            StoreError::Conflict(db.message().to_owned()),
            Failure::Final,
        ),
        // A row that names a missing one (an unknown user, say).
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => (
            StoreError::Conflict(db.message().to_owned()),
            Failure::Final,
        ),
        sqlx::Error::Database(db) => match transient(db.as_ref()) {
            Some(failure) => (StoreError::Unavailable(e.to_string()), failure),
            None => (StoreError::Other(Box::new(e)), Failure::Final),
        },
        sqlx::Error::PoolTimedOut => (StoreError::Unavailable(e.to_string()), Failure::Unreached),
        sqlx::Error::PoolClosed => (StoreError::Unavailable(e.to_string()), Failure::Final),
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => {
            (StoreError::Unavailable(e.to_string()), Failure::Lost)
        }
        _ => (StoreError::Other(Box::new(e)), Failure::Final),
    };
    Fail { error, failure }
}

/// For what runs outside a store call (opening the store): just the
/// port's error.
pub(crate) fn store_error(e: sqlx::Error) -> StoreError {
    map(e).error
}

/// For opening a transaction: nothing of the call ran yet, so a broken
/// connection is `Unreached`, not `Lost`.
pub(crate) fn map_begin(e: sqlx::Error) -> Fail {
    let mut fail = map(e);
    if fail.failure == Failure::Lost {
        fail.failure = Failure::Unreached;
    }
    fail
}

/// Errors that say "not now" rather than "never": `Busy` if the server is
/// up but rolled the work back, `Unreached` if it is going away.
fn transient(db: &(dyn sqlx::error::DatabaseError + 'static)) -> Option<Failure> {
    if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        let n = my.number();
        return if MYSQL_BUSY.contains(&n) {
            Some(Failure::Busy)
        } else if MYSQL_GONE.contains(&n) {
            Some(Failure::Unreached)
        } else {
            None
        };
    }
    let code = db.code()?;
    if PG_BUSY.contains(&code.as_ref()) {
        Some(Failure::Busy)
    } else if PG_GONE.contains(&code.as_ref()) {
        Some(Failure::Unreached)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(kind: std::io::ErrorKind) -> sqlx::Error {
        sqlx::Error::Io(std::io::Error::new(kind, "test"))
    }

    #[test]
    fn pool_and_io_errors_are_unavailable_and_say_what_may_have_run() {
        let f = map(sqlx::Error::PoolTimedOut);
        assert!(matches!(f.error, StoreError::Unavailable(_)));
        assert_eq!(f.failure, Failure::Unreached);
        let f = map(io(std::io::ErrorKind::ConnectionReset));
        assert!(matches!(f.error, StoreError::Unavailable(_)));
        assert_eq!(f.failure, Failure::Lost);
        let f = map_begin(io(std::io::ErrorKind::ConnectionReset));
        assert_eq!(f.failure, Failure::Unreached, "begin ran nothing");
    }

    #[test]
    fn a_closed_pool_is_unavailable_but_not_retried() {
        let f = map(sqlx::Error::PoolClosed);
        assert!(matches!(f.error, StoreError::Unavailable(_)));
        assert_eq!(f.failure, Failure::Final);
    }

    #[test]
    fn other_errors_are_final() {
        let f = map(sqlx::Error::RowNotFound);
        assert!(matches!(f.error, StoreError::Other(_)));
        assert_eq!(f.failure, Failure::Final);
        let f = Fail::from(StoreError::Conflict("full".into()));
        assert_eq!(f.failure, Failure::Final);
    }
}
