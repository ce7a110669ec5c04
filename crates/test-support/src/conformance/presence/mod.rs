//! The presence conformance suite: one set of cases that every `Presence`
//! adapter must pass (in memory, Redis).
//!
//! Each case is an `async fn(Arc<dyn Presence>)` that gets a fresh, empty
//! route table and panics on a failed check. An adapter's `tests/it` runs
//! them all with one line:
//!
//! ```ignore
//! ferrochat_test_support::presence_conformance_tests!(crate::fresh_presence);
//! ```
//!
//! where `fresh_presence()` is an `async fn() -> Arc<dyn Presence>`. The
//! macro makes one `#[tokio::test]` per case (the adapter's test crate
//! needs `tokio` as a dev-dependency).
//!
//! Liveness cases wait for a short TTL to lapse and then check behaviour;
//! they never assert how long anything took.

pub mod announcements;
pub mod concurrency;
pub mod liveness;
pub mod paging;
pub mod routes;

use std::collections::BTreeSet;
use std::time::Duration;

use ferrochat_domain::routing::{ConnId, GatewayId, Route};
use ferrochat_domain::UserId;

/// One `#[tokio::test]` per presence conformance case, each on a route
/// table from `$fresh` (an `async fn() -> Arc<dyn Presence>`).
#[macro_export]
macro_rules! presence_conformance_tests {
    ($fresh:path) => {
        $crate::presence_conformance_tests!(@cases $fresh;
            routes::first_and_last_connection,
            routes::connections_across_gateways,
            routes::routes_for_many_users,
            routes::connect_and_disconnect_are_idempotent,
            paging::online_page_pages_in_user_id_order,
            paging::online_page_skips_users_who_left,
            liveness::heartbeat_reports_renewed_or_reset,
            liveness::expired_gateway_routes_disappear,
            liveness::lapsed_gateway_restores_its_routes,
            liveness::forget_gateway_drops_its_routes,
            liveness::a_gateway_still_beating_is_forgotten_only_once_silent,
            concurrency::concurrent_connects_see_one_first_and_one_last,
            announcements::each_announcement_is_made_once,
            announcements::racing_announcements_have_one_winner,
            announcements::announced_users_are_paged_in_id_order,
        );
    };
    (@cases $fresh:path; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::conformance::presence::$module::$case($fresh().await).await;
            }
        )*
    };
}

/// A TTL long enough that it never lapses during a case.
pub const LONG_TTL: Duration = Duration::from_secs(600);
/// A TTL the liveness cases let lapse. Two seconds, not one: a case checks
/// the routes are visible before the lapse, and a loaded machine can stall
/// a test for a while.
pub const SHORT_TTL: Duration = Duration::from_secs(2);
/// How long the liveness cases wait for `SHORT_TTL` to lapse, with a margin
/// (Redis expires keys with up to a millisecond of error).
pub const LAPSE: Duration = Duration::from_millis(3_000);

pub fn gw(name: &str) -> GatewayId {
    GatewayId::new(name)
}

pub fn route(gateway: &str, conn: u64) -> Route {
    Route {
        gateway: gw(gateway),
        conn: ConnId(conn),
    }
}

/// `n` fresh users in id order.
pub fn users(n: usize) -> Vec<UserId> {
    let mut us: Vec<UserId> = (0..n).map(|_| UserId::generate()).collect();
    us.sort();
    us
}

/// Routes as a comparable set (adapters return them in any order).
pub fn set(routes: &[(UserId, Route)]) -> BTreeSet<(UserId, String, u64)> {
    routes
        .iter()
        .map(|(u, r)| (u.clone(), r.gateway.as_str().to_owned(), r.conn.0))
        .collect()
}

/// The expected set, from `(user, gateway, conn)`.
pub fn expect(items: &[(&UserId, &str, u64)]) -> BTreeSet<(UserId, String, u64)> {
    items
        .iter()
        .map(|(u, g, c)| ((*u).clone(), (*g).to_owned(), *c))
        .collect()
}
