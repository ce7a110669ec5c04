//! Pool and retry settings shared by both SQL server stores.

use std::time::Duration;

use ferrochat_retry::RetryConfig;

/// A search on a large history costs the server seconds at most with a
/// common word (docs/benchmarks.md); past this it is stopped.
pub const DEFAULT_SEARCH_TIMEOUT: Duration = Duration::from_secs(2);

/// How long MariaDB and MySQL read the caller's conversations newest
/// first before a search goes to the full-text index: the whole history
/// of most callers (a conversation of 20,000 messages took at most 138 ms
/// with four searching at once on two cores); the full-text index pays
/// tens of microseconds for each row holding the words, in any
/// conversation, so only a rare word in a long history is cheaper there
/// (docs/benchmarks.md).
pub const DEFAULT_SEARCH_SCAN: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
pub struct SqlOptions {
    /// Most connections the pool opens.
    pub max_connections: u32,
    /// Connections kept open while idle.
    pub min_connections: u32,
    /// How long a caller waits for a pooled connection (and a new
    /// connection for its server) before the store is `Unavailable`.
    pub acquire_timeout: Duration,
    /// Idle connections beyond `min_connections` close after this.
    pub idle_timeout: Duration,
    /// Apply pending migrations at open (the default). A cluster whose
    /// schema is managed out of band turns this off.
    pub migrate: bool,
    /// How long a call rides out its server being unreachable or busy,
    /// and when the breaker opens (`retry.rs`).
    pub retry: RetryConfig,
    /// Refuse to open (`NotDurable`) if the server's settings can lose
    /// acknowledged writes; else they are logged as warnings.
    pub require_durable: bool,
    /// The longest a message search may run; past it the server stops it
    /// and the store answers `TimedOut`.
    pub search_timeout: Duration,
    /// MariaDB and MySQL: how long a search first reads the newest index
    /// rows of the caller's conversations, testing each, before it asks
    /// the full-text index (which reads every row holding the words
    /// first); zero asks the full-text index at once. Either answers the
    /// same page.
    pub search_scan: Duration,
}

impl Default for SqlOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(600),
            migrate: true,
            retry: RetryConfig::default(),
            require_durable: false,
            search_timeout: DEFAULT_SEARCH_TIMEOUT,
            search_scan: DEFAULT_SEARCH_SCAN,
        }
    }
}
