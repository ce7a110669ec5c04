//! Database and Redis servers of a test's own that speak TLS with a
//! certificate of a [`TestCa`](crate::TestCa), on a free port of
//! 127.0.0.1, in a temporary directory; stopped when dropped. The shared
//! test servers (`scripts/services`) stay plain: these are for the tests
//! of TLS to each dependency, and refuse plain connections, so a client
//! that got through spoke TLS.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod mariadb;
mod postgres;
mod redis;

pub use mariadb::TlsMariadb;
pub use postgres::TlsPostgres;
pub use redis::TlsRedis;

use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// Hang guard for a server that should be ready within seconds.
const READY: Duration = Duration::from_secs(60);

/// A server process, stopped by `signal` (its clean shutdown) when
/// dropped, killed if it ignores that.
struct Server {
    child: Child,
    signal: &'static str,
}

impl Server {
    /// Spawns `command`, or fails naming what installs it.
    fn spawn(mut command: Command, signal: &'static str) -> Self {
        let child = command.spawn().unwrap_or_else(|e| {
            panic!("cannot run {command:?} ({e}): `scripts/services up` installs it")
        });
        Self { child, signal }
    }

    /// Polls `ready` until it holds; fails if the server exits or takes
    /// longer than `READY`, showing `log`.
    fn wait_until(&mut self, log: &std::path::Path, ready: impl Fn() -> bool) {
        let deadline = Instant::now() + READY;
        while !ready() {
            let show = || std::fs::read_to_string(log).unwrap_or_default();
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "{:?} exited ({status}) while starting:\n{}",
                    self.child,
                    show()
                );
            }
            assert!(
                Instant::now() < deadline,
                "not ready in {READY:?}:\n{}",
                show()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args([self.signal, &self.child.id().to_string()])
            .status();
        for _ in 0..200 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `command` to completion; fails showing its output if it fails.
fn run(command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| {
        panic!("cannot run {command:?} ({e}): `scripts/services up` installs it")
    });
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Whether `command` succeeds (a readiness probe).
fn succeeds(command: &mut Command) -> bool {
    command.output().is_ok_and(|o| o.status.success())
}
