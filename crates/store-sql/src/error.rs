//! The one function that maps sqlx errors onto the store port's errors.

use ferrochat_ports::StoreError;

/// MySQL/MariaDB error numbers: deadlock found, lock wait timeout, too
/// many connections.
const MYSQL_TRANSIENT: &[u16] = &[1213, 1205, 1040];
/// PostgreSQL: serialization failure, deadlock detected, lock timeout,
/// too many connections, the server shutting down.
const PG_TRANSIENT: &[&str] = &[
    "40001", "40P01", "55P03", "53300", "57P01", "57P02", "57P03",
];

pub(crate) fn map(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_owned())
        }
        // A row that names a missing one (an unknown user, say).
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::Conflict(db.message().to_owned())
        }
        sqlx::Error::Database(db) if transient(db.as_ref()) => {
            StoreError::Unavailable(e.to_string())
        }
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Other(Box::new(e)),
    }
}

/// Errors that say "not now" rather than "never": the caller may retry.
fn transient(db: &(dyn sqlx::error::DatabaseError + 'static)) -> bool {
    if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return MYSQL_TRANSIENT.contains(&my.number());
    }
    db.code()
        .is_some_and(|c| PG_TRANSIENT.contains(&c.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_and_io_errors_are_unavailable() {
        assert!(matches!(
            map(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(matches!(
            map(sqlx::Error::Io(io)),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            map(sqlx::Error::RowNotFound),
            StoreError::Other(_)
        ));
    }
}
