//! What ferrochat's tests share. A dev-dependency only: nothing here is
//! built into the server.
//!
//! [`conformance`]: the suites every adapter of a port must pass, case for
//! case (the store on SQLite, MariaDB and PostgreSQL, presence in memory
//! and on Redis, the bus in memory and on Kafka; the store suite also
//! through the repo's gRPC).
//!
//! The service-backed tests (MariaDB, PostgreSQL, Redis, etcd, the
//! broker, the S3 server: `s3`) find their servers in the variables `scripts/services env`
//! prints. A test that finds none fails, naming the command that starts
//! them: under CI a missing service must fail the run, never skip a test.
//!
//! Servers of a test's own (`PrivateServer`, `PrivateRedis`,
//! `PrivateBroker`) for tests that crash, restart or replace them, or
//! that need them to take only TLS with certificates of a [`TestCa`].

#![forbid(unsafe_code)]

pub mod conformance;
mod private_broker;
mod private_redis;
pub mod private_sql;
mod process;
pub mod s3;
mod test_ca;

pub use private_broker::{PrivateBroker, NISSHI, NISSHI_STORAGE};
pub use private_redis::PrivateRedis;
pub use test_ca::{Leaf, TestCa, TlsFiles};

/// The MariaDB/MySQL test server's admin URL.
pub const MYSQL_URL: &str = "FERROCHAT_TEST_MYSQL_URL";
/// The PostgreSQL test server's admin URL.
pub const POSTGRES_URL: &str = "FERROCHAT_TEST_POSTGRES_URL";
/// The Redis test server's URL.
pub const REDIS_URL: &str = "FERROCHAT_TEST_REDIS_URL";
/// The etcd test server's URL.
pub const ETCD_URL: &str = "FERROCHAT_TEST_ETCD_URL";
/// The test broker's `host:port`.
pub const KAFKA_BROKERS: &str = "FERROCHAT_TEST_KAFKA_BROKERS";
/// The python of the OTLP trace receiver's venv (`scripts/otlp-receiver.py`).
pub const OTLP_PYTHON: &str = "FERROCHAT_TEST_OTLP_PYTHON";

/// The address in `var` (one of the constants above). A missing one
/// fails the test, naming the command that starts the servers.
pub fn service(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: start the test servers with `scripts/services up` \
             and load their addresses with `eval \"$(scripts/services env)\"` \
             (scripts/test does both)"
        )
    })
}

/// A port free on 127.0.0.1 now, for a server of a test's own.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"))
}

/// `url` with its database (the path) replaced by `db`; the query stays.
pub fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let query = rest.split_once('?').map(|(_, q)| format!("?{q}"));
    format!("{scheme}://{authority}/{db}{}", query.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_replaced_and_the_query_kept() {
        assert_eq!(
            with_database("mysql://u:p@127.0.0.1:3306/app", "x"),
            "mysql://u:p@127.0.0.1:3306/x"
        );
        assert_eq!(
            with_database("postgres://u@h:5432/app?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_database("mysql://h:1", "x"), "mysql://h:1/x");
    }
}
