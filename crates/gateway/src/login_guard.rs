//! Per-account login throttling with exponential backoff.
//!
//! The per-IP auth limit alone lets one account be guessed at from many
//! addresses at once. Here wrong passwords are counted per account: after
//! `free_failures` of them, each further one locks the account against
//! logins for twice as long as the last (`first_backoff`, 1 s, then 2 s,
//! 4 s, ... up to `max_backoff`), answered 1007 with `Retry-After` and without a password
//! hash being computed. A success forgets the failures.
//!
//! A lock must not let a stranger lock the owner out, so failures are
//! counted apart by origin: an address from which the account logged in
//! within `trust_for` has its own count, and only addresses without such
//! a login share the account's common one. An attack spread over fresh
//! addresses meets the backoff after `free_failures` guesses in all; the
//! owner at an address they used before is not locked by it; an attacker
//! at such an address meets a backoff of its own.
//!
//! The state is this gateway's, in bounded LRU maps (`MAX_ENTRIES` each):
//! with N gateways an attacker gets at most N times the guesses.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use hashlink::LruCache;
use tokio::time::Instant;

use crate::config::LoginThrottleConfig;

/// Accounts (and account/address pairs) remembered at most.
const MAX_ENTRIES: usize = 65_536;

/// Where failures are counted: an address the account logged in from,
/// or anywhere else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Origin {
    Trusted(IpAddr),
    Anywhere,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

struct Maps {
    failures: LruCache<(String, Origin), Failures>,
    /// When each account last logged in from each address.
    trusted: LruCache<(String, IpAddr), Instant>,
}

pub(crate) struct LoginGuard {
    config: LoginThrottleConfig,
    maps: Mutex<Maps>,
}

impl LoginGuard {
    pub(crate) fn new(config: LoginThrottleConfig) -> Self {
        Self {
            config,
            maps: Mutex::new(Maps {
                failures: LruCache::new(MAX_ENTRIES),
                trusted: LruCache::new(MAX_ENTRIES),
            }),
        }
    }

    /// Ok if `username` may try to log in from `ip` now; else how long
    /// until it may.
    pub(crate) fn check(&self, username: &str, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let mut maps = self.lock();
        let key = key(&mut maps, username, ip, now, &self.config);
        match maps.failures.get(&key).and_then(|f| f.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// A wrong password for `username` from `ip`.
    pub(crate) fn failed(&self, username: &str, ip: IpAddr) {
        let now = Instant::now();
        let mut maps = self.lock();
        let key = key(&mut maps, username, ip, now, &self.config);
        let previous = maps
            .failures
            .get(&key)
            .copied()
            // Failures older than the longest lock are forgotten.
            .filter(|f| now.duration_since(f.last) <= self.config.max_backoff);
        let count = previous.map_or(0, |f| f.count).saturating_add(1);
        let past_free = count.saturating_sub(self.config.free_failures);
        let locked_until = (past_free > 0).then(|| now + backoff(past_free, &self.config));
        maps.failures.insert(
            key,
            Failures {
                count,
                last: now,
                locked_until,
            },
        );
    }

    /// `username` logged in from `ip`: its failures from there are
    /// forgotten and the address is trusted for it. The common count
    /// stays: it may be a stranger's, who keeps their backoff.
    pub(crate) fn succeeded(&self, username: &str, ip: IpAddr) {
        let name = username.to_ascii_lowercase();
        let mut maps = self.lock();
        maps.failures.remove(&(name.clone(), Origin::Trusted(ip)));
        maps.trusted.insert((name, ip), Instant::now());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Maps> {
        // A panic while holding the lock leaves maps that are still valid.
        self.maps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The count a login of `username` from `ip` falls under.
fn key(
    maps: &mut Maps,
    username: &str,
    ip: IpAddr,
    now: Instant,
    config: &LoginThrottleConfig,
) -> (String, Origin) {
    let name = username.to_ascii_lowercase();
    let origin = match maps.trusted.get(&(name.clone(), ip)) {
        Some(at) if now.duration_since(*at) <= config.trust_for => Origin::Trusted(ip),
        _ => Origin::Anywhere,
    };
    (name, origin)
}

/// The lock after the `n`th failure past the free ones: `first_backoff`,
/// doubling, at most `max_backoff`.
fn backoff(n: u32, config: &LoginThrottleConfig) -> Duration {
    let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
    config
        .first_backoff
        .checked_mul(factor)
        .unwrap_or(config.max_backoff)
        .min(config.max_backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LoginThrottleConfig {
        LoginThrottleConfig {
            free_failures: 3,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            trust_for: Duration::from_secs(3600),
        }
    }

    fn guard() -> LoginGuard {
        LoginGuard::new(config())
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const AWAY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));
    const OTHER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 3));

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let c = config();
        let got: Vec<u64> = (1..=8).map(|n| backoff(n, &c).as_secs()).collect();
        assert_eq!(got, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff(200, &c), c.max_backoff);
    }

    #[tokio::test(start_paused = true)]
    async fn free_failures_then_a_lock_from_any_address() {
        let g = guard();
        for _ in 0..3 {
            assert!(g.check("Alice", AWAY).is_ok());
            g.failed("alice", AWAY);
        }
        assert!(g.check("alice", OTHER).is_ok(), "three are free");
        g.failed("ALICE", OTHER);
        let wait = g.check("alice", AWAY).expect_err("locked after the fourth");
        assert_eq!(wait, Duration::from_secs(1));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(g.check("alice", OTHER).is_ok());
        g.failed("alice", OTHER);
        assert_eq!(g.check("alice", AWAY), Err(Duration::from_secs(2)));
        assert!(
            g.check("bob", AWAY).is_ok(),
            "other accounts are not locked"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_owner_at_a_known_address_is_not_locked_by_strangers() {
        let g = guard();
        g.succeeded("alice", HOME);
        for _ in 0..10 {
            g.failed("alice", AWAY);
        }
        assert!(g.check("alice", AWAY).is_err());
        assert!(g.check("alice", HOME).is_ok(), "home has its own count");
        for _ in 0..4 {
            g.failed("alice", HOME);
        }
        assert!(g.check("alice", HOME).is_err(), "and meets its own backoff");
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_forgets_and_old_failures_fade() {
        let g = guard();
        g.succeeded("alice", HOME);
        for _ in 0..3 {
            g.failed("alice", HOME);
        }
        g.succeeded("alice", HOME);
        g.failed("alice", HOME);
        assert!(g.check("alice", HOME).is_ok(), "the count started again");

        for _ in 0..3 {
            g.failed("carol", AWAY);
        }
        tokio::time::advance(Duration::from_secs(61)).await;
        g.failed("carol", AWAY);
        assert!(
            g.check("carol", AWAY).is_ok(),
            "failures older than the cap"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn trust_expires() {
        let g = guard();
        g.succeeded("alice", HOME);
        tokio::time::advance(Duration::from_secs(3601)).await;
        for _ in 0..4 {
            g.failed("alice", AWAY);
        }
        assert!(g.check("alice", HOME).is_err(), "home is a stranger again");
    }
}
