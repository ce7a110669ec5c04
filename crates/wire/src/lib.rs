//! ferrochat's wire formats, shared by every edge (HTTP, WebSocket, gRPC):
//! the response envelope, the one table from error kinds to contract codes,
//! request DTOs with their decoders into validated domain commands, and
//! response DTOs.
//!
//! It knows nothing of sockets, tokio or SQL.

pub mod accounts;
pub mod attachments;
pub mod devices;
pub mod envelope;
pub mod error_code;
pub mod frame;
pub mod frame_data;
pub mod json;
pub mod lifecycle;
pub mod messaging;
pub mod moderation;
mod schema;
pub mod search;
pub mod social;
pub mod time;

pub use envelope::{Envelope, ErrorBody};
pub use error_code::{code, kind_for_code};
