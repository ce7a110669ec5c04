//! Every store call runs through [`run`]: while its database is briefly
//! unreachable (a restart, a dropped connection) or busy (a deadlock), it
//! is run again, a whole transaction each time, within `retry.deadline`
//! (`ferrochat-retry` has the pauses and the breaker). Whether a call may
//! run again after a connection broke mid-call, when its COMMIT may have
//! taken effect, is its `Rerun`, given where the store port is
//! implemented (the area modules), with the reason.

use std::future::Future;

use ferrochat_ports::StoreError;
use ferrochat_retry::{GaveUp, Rerun, Retrier};

use crate::error::Fail;

pub(crate) async fn run<T, F, Fut>(
    retrier: Option<&Retrier>,
    rerun: Rerun,
    mut attempt: F,
) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Fail>>,
{
    // SQLite: one attempt, its error as it is.
    let Some(retrier) = retrier else {
        return attempt().await.map_err(|f| f.error);
    };
    retrier
        .run(rerun, |f: &Fail| f.failure, |_deadline| attempt())
        .await
        .map_err(|gave_up| match gave_up {
            GaveUp::Final(f) => f.error,
            other => StoreError::Unavailable(other.to_string()),
        })
}
