//! The TUI's controller: state plus the session and the live stream.
//! Keys and live events go in, calls to the server come out; drawing
//! reads the state. The terminal loop (`run.rs`) and tests (with ratatui's
//! `TestBackend`) drive it the same way.

use crossterm::event::KeyEvent;
use ratatui::Frame;

use super::draw::draw;
use super::keys::{on_key, Action};
use super::state::{ConvView, Line, State};
use crate::error::Result;
use crate::live::{Live, LiveEvent};
use crate::model::{Message, Target};
use crate::session::Session;

/// Messages read when a conversation is first opened.
const HISTORY: u32 = 50;

/// Whether the loop goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

pub struct ChatApp {
    pub state: State,
    session: Session,
    live: Live,
}

impl ChatApp {
    /// Reads the conversation list, opens the first one and starts the
    /// live stream from the list's last seqs.
    pub async fn open(session: Session) -> Result<Self> {
        let convs = session.conversations().await?;
        let cursors = convs
            .iter()
            .map(|c| (c.conversation_id.clone(), c.last_seq))
            .collect();
        let live = Live::start(session.clone(), cursors);
        let mut app = Self {
            state: State::new(session.username(), convs),
            session,
            live,
        };
        app.opened().await;
        Ok(app)
    }

    pub fn draw(&self, frame: &mut Frame) {
        draw(frame, &self.state);
    }

    /// Applies a key; sends, loads and marks read as it asks.
    pub async fn on_key(&mut self, key: KeyEvent) -> Flow {
        match on_key(&mut self.state, key) {
            Action::Nothing => {}
            Action::Quit => return Flow::Quit,
            Action::Opened(_) => self.opened().await,
            Action::Send {
                conversation_id,
                text,
            } => self.send(conversation_id, text).await,
        }
        Flow::Continue
    }

    /// The next live event, to hand to [`ChatApp::on_live`].
    pub async fn next_live(&mut self) -> Option<LiveEvent> {
        self.live.next().await
    }

    pub async fn on_live(&mut self, ev: LiveEvent) -> Flow {
        match ev {
            LiveEvent::Message(m) => self.arrived(*m).await,
            LiveEvent::Disconnected(why) => self.state.status = format!("reconnecting: {why}"),
            LiveEvent::Synced => self.state.status.clear(),
            LiveEvent::Connected => {}
            LiveEvent::Ended(why) => {
                self.state.status = why;
                return Flow::Quit;
            }
        }
        Flow::Continue
    }

    async fn line(&self, m: &Message) -> Line {
        Line {
            seq: m.seq,
            from: self.session.name_of(&m.from_user_id).await,
            text: m.display_content(),
        }
    }

    async fn arrived(&mut self, m: Message) {
        let line = self.line(&m).await;
        let mine = m.from_user_id == self.session.user_id();
        if !self.state.add(&m.conversation_id, line.clone(), mine) {
            // A conversation new to us (a first message, a group we were
            // added to): read the list again to learn its name.
            match self.session.conversations().await {
                Ok(list) => {
                    for c in list {
                        if self.state.find_mut(&c.conversation_id).is_none() {
                            self.state.convs.push(ConvView::new(c));
                        }
                    }
                    if let Some(v) = self.state.find_mut(&m.conversation_id) {
                        v.insert(line);
                    }
                }
                Err(e) => self.state.status = e.to_string(),
            }
        }
        self.mark_read_if_open(&m.conversation_id).await;
    }

    /// The selected conversation was opened: its history, once, and read.
    async fn opened(&mut self) {
        let Some(view) = self.state.current() else {
            return;
        };
        let id = view.conv.conversation_id.clone();
        if !view.loaded {
            match self.session.last_messages(&id, HISTORY).await {
                Ok(messages) => {
                    let mut lines = Vec::with_capacity(messages.len());
                    for m in &messages {
                        lines.push(self.line(m).await);
                    }
                    if let Some(v) = self.state.current_mut() {
                        v.loaded = true;
                        for l in lines {
                            v.insert(l);
                        }
                    }
                }
                Err(e) => self.state.status = e.to_string(),
            }
        }
        self.mark_read_if_open(&id).await;
    }

    /// Moves the read cursor of `conversation_id` to its end, on the
    /// server too, if it is the one open and the server's is behind.
    async fn mark_read_if_open(&mut self, conversation_id: &str) {
        let Some(v) = self.state.current_mut() else {
            return;
        };
        if v.conv.conversation_id != conversation_id {
            return;
        }
        let seq = v.last_seq();
        v.conv.read_seq = seq;
        v.conv.unread = 0;
        if v.marked >= seq {
            return;
        }
        v.marked = seq;
        if let Err(e) = self.session.mark_read(conversation_id, seq).await {
            self.state.status = e.to_string();
        }
    }

    async fn send(&mut self, conversation_id: String, text: String) {
        let target = Target::Conversation(conversation_id.clone());
        match self.session.send(&target, &text).await {
            Ok(ack) => {
                let line = Line {
                    seq: ack.seq,
                    from: self.session.username(),
                    text,
                };
                self.state.add(&conversation_id, line, true);
                self.state.status.clear();
            }
            Err(e) => {
                // Keep what was typed, to send again.
                self.state.input = text;
                self.state.status = format!("not sent: {e}");
            }
        }
    }
}
