//! `ferrochat chat`'s command line (clap), mounted by the `ferrochat`
//! binary as its `chat` subcommand.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// A terminal client: with no subcommand, the full-screen TUI.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The token file [default: $XDG_CONFIG_HOME/ferrochat/chat.json, or
    /// ~/.config/ferrochat/chat.json].
    #[arg(
        long,
        global = true,
        env = "FERROCHAT_CHAT_PROFILE",
        value_name = "FILE"
    )]
    pub profile_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<ChatCommand>,
}

#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Log in and keep the tokens in the profile file (mode 0600).
    Login {
        /// The server, e.g. http://127.0.0.1:8080.
        #[arg(long, value_name = "URL")]
        url: String,
        #[arg(long, value_name = "NAME")]
        username: String,
        /// Read the password from the first line of standard input
        /// instead of prompting (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// End the session on the server and delete the profile file.
    Logout,
    /// Conversations, most recent first, with unread counts.
    List,
    /// The last messages of a conversation.
    History {
        /// A username, a group id, or `world`.
        conversation: String,
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=200))]
        limit: u32,
    },
    /// Send a text message; prints the acknowledged seq.
    Send {
        #[command(flatten)]
        to: SendTo,
        /// The message.
        text: String,
    },
    /// Print incoming messages as they arrive, until interrupted.
    Tail {
        /// One JSON object per line: each message as the server sent it.
        #[arg(long)]
        json: bool,
        /// Exit after this many messages.
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}

/// Exactly one destination.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SendTo {
    /// A user, by username.
    #[arg(long, value_name = "USERNAME")]
    pub to: Option<String>,
    /// A group, by group id.
    #[arg(long, value_name = "GROUP_ID")]
    pub group: Option<String>,
    /// The world room.
    #[arg(long)]
    pub world: bool,
}
