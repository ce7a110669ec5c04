//! Turning unexpected failures into the contract's errors while logging
//! the real cause exactly once, here, where it is known.

use ferrochat_ports::{ApiError, StoreError};

/// What a client reads when the store stayed unreachable for a whole
/// call's retries (1009): the request may be made again; a send, with the
/// same `client_msg_id`.
pub(crate) const STORE_BUSY: &str = "server busy, retry later";

/// Logs `cause` and returns an error that reveals nothing of it.
pub(crate) fn internal(what: &'static str, cause: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %cause, "{what} failed");
    ApiError::internal()
}

/// A store failure as the client sees it: the store unreachable (it
/// retried within its deadline; a restart that outlasts it, or the
/// breaker open) is 1009 "retry later"; anything else is internal.
pub(crate) fn store(what: &'static str, e: StoreError) -> ApiError {
    match e {
        StoreError::Unavailable(why) => {
            tracing::warn!(error = %why, "{what} failed: store unavailable");
            ApiError::unavailable(STORE_BUSY)
        }
        e => internal(what, &e),
    }
}

#[cfg(test)]
mod tests {
    use ferrochat_domain::ErrorKind;

    use super::*;

    #[test]
    fn an_unavailable_store_is_retry_later_and_other_failures_internal() {
        let e = store("testing", StoreError::Unavailable("down".into()));
        assert_eq!(e, ApiError::unavailable(STORE_BUSY));
        assert_eq!(e.kind, ErrorKind::Unavailable);
        let e = store("testing", StoreError::Other("bug".into()));
        assert_eq!(e, ApiError::internal());
    }
}
