//! The `ferrochat` binary's library half: configuration, telemetry and the
//! wiring of roles to adapters. `App::build` binds and opens everything;
//! `App::run` serves until cancelled. This is the only crate that names a
//! concrete adapter.

pub mod admin;
pub mod app;
pub mod certs;
mod cluster_config;
pub mod config;
pub mod internal_tls;
mod logic_link;
mod open;
pub mod otlp;
mod peers;
mod readiness;
mod redis_tls;
pub mod reindex;
pub mod roles;
pub mod secret;
pub mod storage_config;
pub mod telemetry;

pub use app::App;
pub use config::Config;
pub use roles::{Role, RoleApp};
