//! The full-screen client: state (`state.rs`), keys (`keys.rs`), drawing
//! (`draw.rs`), sends queued in order without blocking the screen
//! (`outbox.rs`), the controller that ties them to the server (`app.rs`) and
//! the terminal loop (`run.rs`).

mod app;
mod draw;
mod keys;
mod outbox;
mod run;
mod state;

pub use app::{AppEvent, ChatApp, Flow};
pub use keys::Action;
pub use outbox::Sent;
pub use run::run;
pub use state::{ConvView, Line, State};
