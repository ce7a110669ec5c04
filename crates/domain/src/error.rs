//! Error kinds shared by every layer, one per row of the contract's table.
//!
//! A kind says *what sort* of failure happened; the numeric code and HTTP
//! status it becomes are decided in exactly one place, `ferrochat-wire`.

use std::fmt;

/// The contract's error classes (docs/protocol.md, "Error codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidParams,
    Unauthorized,
    NotFound,
    Internal,
    Forbidden,
    Conflict,
    RateLimited,
    TooLarge,
    /// The client did not send its whole request in time (a stalled
    /// body): the contract's 1001, with HTTP 408 rather than 400. Only the
    /// gateway's edge raises it; it never crosses a process boundary.
    RequestTimeout,
    /// The server cannot take the request now (a dependency is down or
    /// overloaded); retrying later is right, and a send retried with the
    /// same `client_msg_id` is never stored twice.
    Unavailable,
}

/// A raw value that failed validation. The message names the field, so a
/// client learns which part of its request to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidField {
    pub field: &'static str,
    pub reason: String,
    too_large: bool,
}

impl InvalidField {
    pub fn new(field: &'static str, reason: impl fmt::Display) -> Self {
        Self {
            field,
            reason: reason.to_string(),
            too_large: false,
        }
    }

    /// A value over a size limit: the contract answers 1008, not 1001.
    pub fn too_large(field: &'static str, reason: impl fmt::Display) -> Self {
        Self {
            too_large: true,
            ..Self::new(field, reason)
        }
    }

    /// The same fault in a field of another name (a password checked by
    /// `Password::parse` that a body calls `new_password`).
    pub fn renamed(self, field: &'static str) -> Self {
        Self { field, ..self }
    }

    pub fn kind(&self) -> ErrorKind {
        if self.too_large {
            ErrorKind::TooLarge
        } else {
            ErrorKind::InvalidParams
        }
    }
}
