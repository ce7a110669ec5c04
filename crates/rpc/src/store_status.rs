//! The one mapping between `StoreError` and a gRPC `Status`, each way, for
//! the repo's service.
//!
//! | `StoreError`      | code               | back to                          |
//! |-------------------|--------------------|----------------------------------|
//! | `Conflict(what)`  | `ALREADY_EXISTS`   | `Conflict(what)`, `what` kept    |
//! | `Unavailable(..)` | `UNAVAILABLE`      | `Unavailable`                    |
//! | `Other(..)`       | `INTERNAL`         | `Other`                          |
//! | a bad request     | `INVALID_ARGUMENT` | `Other` (a bug of the caller's)  |
//!
//! Every status the repo answers carries [`REPO_ANSWER`] in its details,
//! so its client tells an answer (which it never sends again, an
//! UNAVAILABLE of the repo's store included) from a call lost on the way.
//!
//! A conflict keeps its message because logic tells conflicts apart by it
//! (`"member"` vs `"full"` when joining a group). On the client, a call
//! that never reached the repo or never came back (connection refused or
//! reset, deadline passed) is `Unavailable`, as a database that cannot be
//! reached is: the caller may retry either. An answer it cannot read is
//! `Other`.

use ferrochat_ports::StoreError;
use ferrochat_proto::DecodeError;
use tonic::{Code, Status};

/// A failed repo call that is not one the port names: the repo's own
/// `Other`, or a request or answer one side could not read.
#[derive(Debug, thiserror::Error)]
#[error("repo {rpc} failed ({code:?}): {message}")]
pub struct RepoCallError {
    pub rpc: &'static str,
    pub code: Code,
    pub message: String,
}

/// The repo answered `rpc` with something that is not a ferrochat record.
#[derive(Debug, thiserror::Error)]
#[error("repo {rpc} answered something unreadable: {source}")]
pub struct UnreadableAnswer {
    pub rpc: &'static str,
    #[source]
    pub source: DecodeError,
}

/// The details of every status a `RepoServer` answers.
pub const REPO_ANSWER: &[u8] = b"ferrochat.repo.answer";

/// The status a `RepoServer` answers for `e`.
pub fn store_to_status(e: &StoreError) -> Status {
    match e {
        StoreError::Conflict(what) => answer(Code::AlreadyExists, what.clone()),
        StoreError::Unavailable(why) => answer(Code::Unavailable, why.clone()),
        StoreError::TimedOut(why) => answer(Code::ResourceExhausted, why.clone()),
        StoreError::Other(source) => answer(Code::Internal, chain(source.as_ref())),
    }
}

/// The status for a request the repo cannot read: the message starts
/// with the field's name, as `DecodeError` prints it.
pub(crate) fn refused(e: &DecodeError) -> Status {
    answer(Code::InvalidArgument, e.to_string())
}

fn answer(code: Code, message: String) -> Status {
    Status::with_details(code, message, bytes::Bytes::from_static(REPO_ANSWER))
}

/// Whether `status` is an answer of a `RepoServer`'s.
pub(crate) fn answered_by_repo(status: &Status) -> bool {
    status.details() == REPO_ANSWER
}

/// The error a `RepoClient` returns for a failed call of `rpc`.
pub fn store_from_status(status: &Status, rpc: &'static str) -> StoreError {
    match status.code() {
        Code::AlreadyExists => StoreError::Conflict(status.message().to_owned()),
        // Unknown: tonic's code for a call that broke in transit (a reset
        // connection); the repo itself never answers it.
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled | Code::Unknown => {
            StoreError::Unavailable(format!("repo {rpc}: {}", status.message()))
        }
        // The repo's own answer only: tonic says ResourceExhausted of a
        // message over its size limit too.
        Code::ResourceExhausted if answered_by_repo(status) => {
            StoreError::TimedOut(format!("repo {rpc}: {}", status.message()))
        }
        code => StoreError::Other(Box::new(RepoCallError {
            rpc,
            code,
            message: status.message().to_owned(),
        })),
    }
}

/// An answer of `rpc` the client could not decode.
pub(crate) fn unreadable(rpc: &'static str, source: DecodeError) -> StoreError {
    StoreError::Other(Box::new(UnreadableAnswer { rpc, source }))
}

/// `e` and its sources, so the caller's log shows the whole cause.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(e: &StoreError) -> StoreError {
        store_from_status(&store_to_status(e), "test")
    }

    #[test]
    fn conflicts_keep_their_message() {
        let back = roundtrip(&StoreError::Conflict("member".into()));
        assert!(
            matches!(back, StoreError::Conflict(ref w) if w == "member"),
            "{back:?}"
        );
    }

    #[test]
    fn unavailable_and_other_keep_their_kind() {
        let back = roundtrip(&StoreError::Unavailable("pool timed out".into()));
        assert!(matches!(back, StoreError::Unavailable(ref w) if w.contains("pool timed out")));
        let back = roundtrip(&StoreError::Other("disk on fire".into()));
        assert!(matches!(back, StoreError::Other(ref e) if e.to_string().contains("disk on fire")));
        let back = roundtrip(&StoreError::TimedOut("search".into()));
        assert!(matches!(back, StoreError::TimedOut(ref w) if w.contains("search")));
        // Not the repo's answer (tonic's own, for an oversize message).
        let e = store_from_status(&Status::resource_exhausted("too big"), "test");
        assert!(matches!(e, StoreError::Other(_)), "{e:?}");
    }

    #[test]
    fn every_answer_is_marked_as_the_repos() {
        for e in [
            StoreError::Conflict("member".into()),
            StoreError::Unavailable("down".into()),
            StoreError::Other("bug".into()),
        ] {
            assert!(answered_by_repo(&store_to_status(&e)), "{e:?}");
        }
        let bad = DecodeError::Field {
            field: "user_id",
            reason: "bad".into(),
        };
        assert!(answered_by_repo(&refused(&bad)));
        assert!(!answered_by_repo(&Status::unavailable(
            "connection refused"
        )));
    }

    #[test]
    fn transport_failures_are_unavailable_and_bad_requests_other() {
        for status in [
            Status::deadline_exceeded("late"),
            Status::cancelled("gone"),
            Status::unknown("reset"),
        ] {
            let e = store_from_status(&status, "test");
            assert!(matches!(e, StoreError::Unavailable(_)), "{status:?}: {e:?}");
        }
        let e = store_from_status(
            &refused(&DecodeError::Field {
                field: "user_id",
                reason: "bad".into(),
            }),
            "test",
        );
        assert!(
            matches!(e, StoreError::Other(ref e) if e.to_string().contains("user_id: bad")),
            "{e:?}"
        );
    }
}
