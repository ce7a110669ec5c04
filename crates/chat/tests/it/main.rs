//! The client against a real ferrochat `App` on 127.0.0.1:0, through its
//! library API: the TUI rendered with ratatui's `TestBackend`, the live
//! stream across a server restart; and against a scripted server, the
//! retries and token refreshes a real one does not cause on cue. Every
//! wait is bounded.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod live;
mod scripted;
mod server;
mod tui;
