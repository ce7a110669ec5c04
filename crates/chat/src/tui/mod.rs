//! The full-screen client: state (`state.rs`), keys (`keys.rs`), drawing
//! (`draw.rs`), the controller that ties them to the server (`app.rs`) and
//! the terminal loop (`run.rs`).

mod app;
mod draw;
mod keys;
mod run;
mod state;

pub use app::{ChatApp, Flow};
pub use keys::Action;
pub use run::run;
pub use state::{ConvView, Line, State};
