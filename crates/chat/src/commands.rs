//! The non-interactive commands: each prints what a script needs on
//! standard output and fails with the contract's code and message.

use std::collections::HashMap;
use std::io::{BufRead as _, Write as _};
use std::path::Path;

use crate::args::{ChatCommand, SendTo};
use crate::error::{ChatError, Result};
use crate::live::{Live, LiveEvent};
use crate::model::{Conversation, Message, Target};
use crate::session::Session;

/// Runs one subcommand against the profile at `profile`.
pub async fn run(command: ChatCommand, profile: &Path) -> Result<()> {
    match command {
        ChatCommand::Login {
            url,
            username,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let s = Session::login(&url, &username, &password, profile).await?;
            println!("logged in as {} ({})", s.username(), s.user_id());
            Ok(())
        }
        ChatCommand::Logout => {
            Session::open(profile)?.logout().await?;
            println!("logged out");
            Ok(())
        }
        ChatCommand::List => list(&Session::open(profile)?).await,
        ChatCommand::History {
            conversation,
            limit,
        } => history(&Session::open(profile)?, &conversation, limit).await,
        ChatCommand::Send { to, text } => send(&Session::open(profile)?, to, &text).await,
        ChatCommand::Tail { json, count } => tail(&Session::open(profile)?, json, count).await,
    }
}

fn read_password(from_stdin: bool) -> Result<String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        rpassword::prompt_password("Password: ")?
    };
    if password.is_empty() {
        return Err(ChatError::Usage("empty password".into()));
    }
    Ok(password)
}

async fn list(s: &Session) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for c in s.conversations().await? {
        writeln!(
            out,
            "{:<24} {:>5} unread  {}",
            c.label(),
            c.unread,
            c.group_id.as_deref().unwrap_or(&c.conversation_id)
        )?;
    }
    Ok(())
}

async fn history(s: &Session, name: &str, limit: u32) -> Result<()> {
    let conv = s.resolve_conversation(name).await?;
    let label = conv.label();
    for m in s.last_messages(&conv.conversation_id, limit).await? {
        let line = text_line(s, &label, &m).await;
        writeln!(std::io::stdout(), "{line}")?;
    }
    Ok(())
}

async fn send(s: &Session, to: SendTo, text: &str) -> Result<()> {
    let target = match (to.to, to.group, to.world) {
        (Some(name), _, _) => Target::User(s.find_user(&name).await?.user_id),
        (_, Some(group), _) => Target::Group(group),
        _ => Target::Conversation("world".into()),
    };
    let ack = s.send(&target, text).await?;
    println!("{}", ack.seq);
    Ok(())
}

/// One message as a line: `[@bob #3] alice: hi`.
async fn text_line(s: &Session, label: &str, m: &Message) -> String {
    let from = s.name_of(&m.from_user_id).await;
    format!("[{label} #{}] {from}: {}", m.seq, m.display_content())
}

/// Conversation labels by id, read again when a new one shows up.
struct Labels(HashMap<String, String>);

impl Labels {
    fn from(list: &[Conversation]) -> Self {
        Self(
            list.iter()
                .map(|c| (c.conversation_id.clone(), c.label()))
                .collect(),
        )
    }

    async fn of(&mut self, s: &Session, conversation_id: &str) -> String {
        if !self.0.contains_key(conversation_id) {
            if let Ok(list) = s.conversations().await {
                *self = Self::from(&list);
            }
        }
        self.0
            .get(conversation_id)
            .cloned()
            .unwrap_or_else(|| conversation_id.to_owned())
    }
}

/// Prints what arrives from now on. The list is read first: its last seqs
/// are where the stream starts, so nothing older is printed, and nothing
/// newer is missed (the stream's `sync` catches up from them).
async fn tail(s: &Session, json: bool, count: Option<u64>) -> Result<()> {
    let list = s.conversations().await?;
    let cursors = list
        .iter()
        .map(|c| (c.conversation_id.clone(), c.last_seq))
        .collect();
    let mut labels = Labels::from(&list);
    let mut live = Live::start(s.clone(), cursors);
    let mut printed = 0u64;
    if count == Some(0) {
        return Ok(());
    }
    while let Some(ev) = live.next().await {
        match ev {
            LiveEvent::Message(m) => {
                let line = if json {
                    serde_json::to_string(&m)
                        .map_err(|e| ChatError::Protocol(format!("message: {e}")))?
                } else {
                    let label = labels.of(s, &m.conversation_id).await;
                    text_line(s, &label, &m).await
                };
                // A reader that went away (`| head -n 5`) ends the tail.
                match writeln!(std::io::stdout(), "{line}") {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                    written => written?,
                }
                printed += 1;
                if count.is_some_and(|n| printed >= n) {
                    return Ok(());
                }
            }
            // On standard error, so scripts (and tests) know when what is
            // sent from now on will be printed.
            LiveEvent::Synced => note("tail: connected"),
            LiveEvent::Disconnected(why) => {
                note(&format!("tail: disconnected ({why}), reconnecting"));
            }
            LiveEvent::Connected => {}
            LiveEvent::Ended(why) => return Err(ChatError::SessionEnded(why)),
        }
    }
    Ok(())
}

/// A line on standard error; a closed one is no reason to stop.
fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}
