//! How a failed repo call failed, for `RepoClient`'s retries
//! (`ferrochat-retry`), and what its caller is told when it gives up.
//!
//! - An answer of the repo's (every status a `RepoServer` sends carries
//!   its mark, `store_status::answered_by_repo`) is final: the repo's own
//!   store already rode out what it could of its database's outage.
//! - A call that never reached the repo did nothing: `Unreached`, sent
//!   again whatever it does. Either the connection could not be made, or
//!   the repo refused its stream: REFUSED_STREAM, or a graceful GOAWAY
//!   (a repo shutting down names the last stream it will process; HTTP/2
//!   guarantees the ones after it never ran, and h2 fails them with that
//!   GOAWAY, which tonic reports as INTERNAL).
//! - A call that was lost on the way (UNAVAILABLE, a reset connection,
//!   any other HTTP/2 failure, the attempt's deadline passed, the server's
//!   own timeout) may have run: `Lost`, sent again only if it may run
//!   twice.
//! - Anything else (a peer that is no repo) is final.

use ferrochat_ports::StoreError;
use ferrochat_retry::{Failure, GaveUp};
use tonic::{Code, Status};

use crate::in_transit::{broke_in_transit, never_ran};
use crate::store_status::{answered_by_repo, store_from_status};

pub(crate) fn classify(status: &Status) -> Failure {
    if answered_by_repo(status) {
        return Failure::Final;
    }
    if never_ran(status) {
        return Failure::Unreached;
    }
    match status.code() {
        // Unknown: tonic's code for a call that broke in transit.
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled | Code::Unknown => {
            Failure::Lost
        }
        _ if broke_in_transit(status) => Failure::Lost,
        _ => Failure::Final,
    }
}

/// The error a call of `rpc` returns once it gave up.
pub(crate) fn gave_up(g: GaveUp<Status>, rpc: &'static str) -> StoreError {
    match g {
        GaveUp::Final(status) => store_from_status(&status, rpc),
        GaveUp::Unavailable {
            last,
            attempts,
            elapsed,
        } => {
            let why = last.as_ref().map_or("no answer in time", Status::message);
            StoreError::Unavailable(format!(
                "repo {rpc}: {why} (gave up after {attempts} attempts in {elapsed:?})"
            ))
        }
        GaveUp::BreakerOpen { down_for } => StoreError::Unavailable(format!(
            "repo {rpc}: unreachable for {down_for:?}: breaker open"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store_status::store_to_status;

    #[test]
    fn the_repos_answers_are_final_even_unavailable() {
        for e in [
            StoreError::Unavailable("database down".into()),
            StoreError::Conflict("member".into()),
            StoreError::Other("bug".into()),
        ] {
            assert_eq!(classify(&store_to_status(&e)), Failure::Final, "{e:?}");
        }
    }

    #[test]
    fn calls_lost_on_the_way_may_have_run() {
        for status in [
            Status::unavailable("connection reset"),
            Status::deadline_exceeded("late"),
            Status::cancelled("Timeout expired"),
            Status::unknown("transport error"),
        ] {
            assert_eq!(classify(&status), Failure::Lost, "{status:?}");
        }
    }

    #[test]
    fn a_peer_that_is_no_repo_is_final() {
        assert_eq!(classify(&Status::unimplemented("no")), Failure::Final);
    }
}
