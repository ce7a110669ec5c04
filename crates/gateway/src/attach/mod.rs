//! Attachments at the edge: uploads stream from the request straight to
//! object storage (the `Attachments` port), downloads stream back, and
//! only metadata goes to logic (`AttachmentsApi`). Bytes never cross the
//! gateway-logic gRPC hop (docs/ARCHITECTURE.md, "Attachments").
//!
//! `upload.rs` (POST, the type sniffed, limits, the thumbnail),
//! `download.rs` (the file with HTTP ranges, its thumbnail, its metadata),
//! `media.rs` (sniffing and decoding images under limits), `send.rs`
//! (what a message of type image/file/voice/video checks), `sweep.rs`
//! (orphans deleted), `config.rs`.

mod config;
mod download;
mod media;
mod send;
mod sweep;
mod upload;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub use config::AttachmentsConfig;
pub(crate) use send::check as check_send;
pub(crate) use sweep::run as sweep;

/// The upload's route: its deadline is `storage.upload_timeout`, not the
/// request timeout (`layers.rs`).
pub(crate) const UPLOAD_ROUTE: &str = "/api/v1/attachments";

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    // No body limit of the gateway's (64 KiB) on the upload: it counts the
    // file's bytes itself against the size limit and the quota, reads only
    // its one part, and says which limit a body hit.
    OpenApiRouter::new()
        .routes(routes!(upload::upload))
        .layer(DefaultBodyLimit::disable())
        .routes(routes!(download::download))
        .routes(routes!(download::thumbnail))
        .routes(routes!(download::info))
}
