//! `ferrochat chat`: a terminal client that speaks only the public
//! contract (docs/protocol.md): HTTP for login, lists, history and sends,
//! the WebSocket for what arrives.
//!
//! - [`Session`] (`session.rs`, `calls.rs`): a login kept in a 0600 token
//!   file (`profile.rs`), refreshed when the server refuses the access
//!   token; sends retried with the same `client_msg_id` so none is stored
//!   twice.
//! - [`Live`] (`live.rs`): the live stream, reconnecting with backoff and
//!   resyncing by seq, so nothing is lost or shown twice.
//! - `commands.rs`: `login`, `logout`, `list`, `history`, `send`, `tail`.
//! - [`tui`]: the full-screen client (ratatui), testable with `TestBackend`.

mod args;
mod calls;
mod commands;
mod error;
mod http;
mod live;
mod model;
mod profile;
mod session;
pub mod tui;

use std::process::ExitCode;

pub use args::{ChatArgs, ChatCommand, SendTo};
pub use calls::new_client_msg_id;
pub use error::{ChatError, Result};
pub use http::Api;
pub use live::{Live, LiveEvent};
pub use model::{Ack, Conversation, History, Message, Target, User};
pub use profile::{default_path, Profile};
pub use session::Session;

/// Runs `ferrochat chat` to the end: the TUI with no subcommand, else the
/// subcommand. A failure prints `ferrochat chat: <why>` (with the
/// contract's code when the server refused) and exits 1.
pub fn main(args: ChatArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ferrochat chat: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ferrochat chat: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: ChatArgs) -> Result<()> {
    let profile = match args.profile_file {
        Some(p) => p,
        None => default_path()?,
    };
    match args.command {
        Some(command) => commands::run(command, &profile).await,
        None => tui::run(Session::open(&profile)?).await,
    }
}
