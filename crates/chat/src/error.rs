//! What can go wrong for a client, typed so the CLI can print the
//! contract's own code and message.

use std::path::PathBuf;

/// A failure of a client call.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The server answered with an error envelope (docs/protocol.md,
    /// "Error codes").
    #[error("error {code}: {message}")]
    Api {
        code: u64,
        message: String,
        /// How long the server asked us to wait, when it said.
        retry_after_ms: Option<u64>,
    },
    /// The request never got an answer (connection refused, reset, timed out).
    #[error("cannot reach the server: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("WebSocket: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    /// The server answered something the contract does not describe.
    #[error("unexpected answer: {0}")]
    Protocol(String),
    #[error("not logged in (no profile at {}): run `ferrochat chat login` first", .0.display())]
    NotLoggedIn(PathBuf),
    #[error("profile {}: {source}", path.display())]
    Profile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("profile {}: {source}", path.display())]
    ProfileFormat {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The server ended the session (logged out elsewhere, revoked).
    #[error("{0}; log in again")]
    SessionEnded(String),
    #[error("no user named {0:?}")]
    NoSuchUser(String),
    #[error("no conversation {0:?} (a username, a group id or `world`)")]
    NoSuchConversation(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
}

impl ChatError {
    /// The contract's code, for errors the server gave.
    pub fn code(&self) -> Option<u64> {
        match self {
            ChatError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A send refused this way may be sent again with the same
    /// `client_msg_id`: rate limited (1007), unavailable (1009), or never
    /// answered.
    pub fn retryable(&self) -> bool {
        match self {
            ChatError::Api { code, .. } => *code == 1007 || *code == 1009,
            ChatError::Transport(e) => !e.is_builder() && !e.is_decode(),
            _ => false,
        }
    }
}

pub type Result<T, E = ChatError> = std::result::Result<T, E>;
