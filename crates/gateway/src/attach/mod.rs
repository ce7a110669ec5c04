//! Attachments at the edge: uploads stream from the request straight to
//! object storage (the `Attachments` port), downloads stream back, and
//! only metadata goes to logic (`AttachmentsApi`). Bytes never cross the
//! gateway-logic gRPC hop (docs/ARCHITECTURE.md, "Attachments").
//!
//! `upload.rs` (POST, one request, limits), `resumable.rs` (an upload in
//! chunks that survives broken connections) and `assemble.rs` (its chunks
//! made the file), both through `stored.rs` (the type sniffed, the image
//! measured and thumbnailed, the metadata recorded) and `flow.rs` (bytes
//! counted and timed as they come), `download.rs` (the file with HTTP
//! ranges, its thumbnail, its metadata), `media.rs` (sniffing and decoding
//! images under limits), `send.rs` (what a message of type
//! image/file/voice/video checks), `sweep.rs` (orphans deleted),
//! `config.rs`.

mod assemble;
mod config;
mod download;
mod flow;
mod media;
mod resumable;
mod send;
mod stored;
mod sweep;
mod upload;

pub(crate) use resumable::UPLOAD_OFFSET;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub use config::AttachmentsConfig;
pub(crate) use resumable::CHUNK_ROUTE;
pub(crate) use send::check as check_send;
pub(crate) use sweep::run as sweep;
pub(crate) use sweep::soon as sweep_soon;

/// The upload's route: its deadline is `storage.upload_timeout`, not the
/// request timeout (`layers.rs`).
pub(crate) const UPLOAD_ROUTE: &str = "/api/v1/attachments";

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    // No body limit of the gateway's (64 KiB) on the upload: it counts the
    // file's bytes itself against the size limit and the quota, reads only
    // its one part, and says which limit a body hit.
    OpenApiRouter::new()
        .routes(routes!(upload::upload))
        .routes(routes!(resumable::chunk))
        .layer(DefaultBodyLimit::disable())
        .routes(routes!(resumable::open))
        .routes(routes!(resumable::status, resumable::abort))
        .routes(routes!(download::download))
        .routes(routes!(download::thumbnail))
        .routes(routes!(download::info))
}
