//! Turning unexpected failures into the contract's "internal error" while
//! logging the real cause exactly once, here, where it is known.

use ferrochat_ports::{ApiError, StoreError};

/// Logs `cause` and returns an error that reveals nothing of it.
pub(crate) fn internal(what: &'static str, cause: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %cause, "{what} failed");
    ApiError::internal()
}

pub(crate) fn store(what: &'static str, e: StoreError) -> ApiError {
    internal(what, &e)
}
