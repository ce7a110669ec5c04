//! The `ferrochat` binary's library half: configuration, telemetry and the
//! wiring of roles to adapters. `App::build` binds and opens everything;
//! `App::run` serves until cancelled. This is the only crate that names a
//! concrete adapter.

pub mod app;
pub mod cli;
pub mod config;
mod logic_link;
pub mod secret;
pub mod telemetry;

pub use app::App;
pub use config::Config;
