//! The one function that maps sqlx errors onto the store port's errors.

use ferrochat_ports::StoreError;

pub(crate) fn map(e: sqlx::Error) -> StoreError {
    match &e {
        // A unique key, or a reference to a row that does not exist: the
        // request conflicts with what is stored, as on the SQL servers.
        sqlx::Error::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
            StoreError::Conflict(db.message().to_owned())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        _ => StoreError::Other(Box::new(e)),
    }
}
