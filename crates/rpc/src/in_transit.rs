//! What the transport error under a failed call says about whether its
//! server ran it, for the retries of both clients (gateway -> logic in
//! `retry.rs`, logic and task -> repo in `repo_retry.rs`).
//!
//! tonic keeps the transport's error among a status's sources: a
//! `ConnectError` when the connection could not be made, an `h2::Error`
//! when HTTP/2 failed under the call. HTTP/2 guarantees that a stream
//! the server refused (REFUSED_STREAM), or one past the last stream a
//! server shutting down gracefully named in its GOAWAY, never ran (h2
//! fails such streams with that GOAWAY, which tonic reports as INTERNAL).
//! Any other HTTP/2 failure may have come after the call ran.

use h2::Reason;
use tonic::Status;

/// The server never ran the call: it could not be reached, or refused
/// the call's stream, or went away before it.
pub(crate) fn never_ran(status: &Status) -> bool {
    sources(status).any(|e| {
        e.is::<tonic::ConnectError>() || e.downcast_ref::<h2::Error>().is_some_and(refused)
    })
}

fn refused(e: &h2::Error) -> bool {
    let graceful_go_away = e.is_go_away() && e.is_remote() && e.reason() == Some(Reason::NO_ERROR);
    graceful_go_away || e.reason() == Some(Reason::REFUSED_STREAM)
}

/// HTTP/2 itself failed under the call (not an answer of the server's).
pub(crate) fn broke_in_transit(status: &Status) -> bool {
    sources(status).any(|e| e.is::<h2::Error>())
}

fn sources<'a>(
    status: &'a Status,
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> + 'a {
    std::iter::successors(Some(status as &(dyn std::error::Error + 'static)), |e| {
        e.source()
    })
}
