//! The command line (clap).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use ferrochat::config::{Overrides, StoreOverride};

#[derive(Debug, Parser)]
#[command(name = "ferrochat", version, about = "An instant-messaging server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every role in one process (SQLite, no other service needed).
    Serve {
        #[command(flatten)]
        opts: ConfigArgs,
        /// Print the effective configuration and exit.
        #[arg(long)]
        print_config: bool,
    },
    /// Cluster role: HTTP/WebSocket for clients [listen 127.0.0.1:8080,
    /// metrics 127.0.0.1:8081]. Needs Kafka, Redis, and logic instances.
    Gateway {
        #[command(flatten)]
        opts: ConfigArgs,
    },
    /// Cluster role: auth, conversations, groups and the send pipeline over
    /// gRPC [logic.grpc_listen 127.0.0.1:9001, metrics 127.0.0.1:9101].
    Logic {
        #[command(flatten)]
        opts: ConfigArgs,
    },
    /// Cluster role: the store served over gRPC to logic and task roles
    /// whose store.url is repo:// [repo.grpc_listen 127.0.0.1:9002,
    /// metrics 127.0.0.1:9102].
    Repo {
        #[command(flatten)]
        opts: ConfigArgs,
    },
    /// Cluster role: fan-out of large groups and the world room [metrics
    /// 127.0.0.1:9103].
    Task {
        #[command(flatten)]
        opts: ConfigArgs,
    },
    /// Print the effective configuration (secrets redacted) and exit.
    Config {
        #[command(flatten)]
        opts: ConfigArgs,
    },
    /// Rebuild the message search index from the stored messages (once,
    /// after upgrading a store that holds messages from before search).
    Reindex {
        #[command(flatten)]
        opts: ConfigArgs,
    },
    /// What an operator does beside the running servers.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Make a CA and the roles' certificates for internal TLS (a local or
    /// test cluster; docs/deploy.md says how to use an existing CA).
    Certs(ferrochat::certs::CertsArgs),
    /// Load a server through its public protocol (see docs/benchmarks.md).
    Bench(Box<ferrochat_bench::BenchArgs>),
    /// A terminal client: the full-screen TUI, or `login`, `send`,
    /// `tail`... for scripts.
    Chat(ferrochat_chat::ChatArgs),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Print a one-time token with which the user sets a new password
    /// (POST /api/v1/auth/password/reset): for a user who forgot theirs,
    /// once you know it is them. Every session of theirs ends with the
    /// reset.
    ResetPassword {
        /// The account's username.
        username: String,
        /// How long the token works (it works once).
        #[arg(long, default_value = "1h", value_parser = humantime_serde::re::humantime::parse_duration)]
        valid_for: std::time::Duration,
        #[command(flatten)]
        opts: ConfigArgs,
    },
    /// Give a user the admin role: the admin API (/api/v1/admin/*) answers
    /// them from their next request.
    Grant {
        /// The account's username.
        username: String,
        #[command(flatten)]
        opts: ConfigArgs,
    },
    /// Take the admin role back, at once.
    Revoke {
        /// The account's username.
        username: String,
        #[command(flatten)]
        opts: ConfigArgs,
    },
}

/// Where configuration comes from. Each flag also has a `FERROCHAT_*`
/// environment variable and a config-file key.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// A TOML config file.
    #[arg(long, env = "FERROCHAT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// HTTP/WebSocket listen address [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Data directory [default: ./data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Store URL [default: sqlite://<data-dir>/ferrochat.db].
    #[arg(long, value_name = "URL")]
    pub store_url: Option<String>,
}

impl ConfigArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            listen: self.listen,
            data_dir: self.data_dir.clone(),
            store: self.store_url.clone().map(|url| StoreOverride { url }),
        }
    }
}
