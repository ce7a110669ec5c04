//! The TUI's controller: state plus the session and the live stream.
//! Keys and live events go in, calls to the server come out; drawing
//! reads the state. The terminal loop (`run.rs`) and tests (with ratatui's
//! `TestBackend`) drive it the same way.

use crossterm::event::KeyEvent;
use ratatui::Frame;

use super::draw::draw;
use super::keys::{on_key, Action};
use super::outbox::{Outbox, Sent};
use super::state::{ConvView, Line, State};
use crate::error::Result;
use crate::live::{Live, LiveEvent};
use crate::model::Message;
use crate::session::Session;

/// Messages read when a conversation is first opened.
const HISTORY: u32 = 50;

/// Whether the loop goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// What happens while the app waits for keys.
#[derive(Debug)]
pub enum AppEvent {
    Live(LiveEvent),
    Sent(Sent),
}

pub struct ChatApp {
    pub state: State,
    session: Session,
    live: Live,
    outbox: Outbox,
    /// Why the session ended, if the server ended it.
    ended: Option<String>,
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
            outbox: Outbox::start(session.clone()),
            session,
            live,
            ended: None,
        };
        app.opened().await;
        Ok(app)
    }

    /// Why the server ended the session, once it did.
    pub fn ended(&self) -> Option<&str> {
        self.ended.as_deref()
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
            } => self.send(conversation_id, text),
        }
        Flow::Continue
    }

    /// The next live event or answered send, to hand to
    /// [`ChatApp::on_event`]; `None` once the live stream stopped.
    pub async fn next_event(&mut self) -> Option<AppEvent> {
        tokio::select! {
            Some(sent) = self.outbox.next() => Some(AppEvent::Sent(sent)),
            ev = self.live.next() => ev.map(AppEvent::Live),
        }
    }

    pub async fn on_event(&mut self, ev: AppEvent) -> Flow {
        let ev = match ev {
            AppEvent::Live(ev) => ev,
            AppEvent::Sent(sent) => {
                self.sent(sent);
                return Flow::Continue;
            }
        };
        match ev {
            LiveEvent::Message(m) => self.arrived(*m).await,
            LiveEvent::Disconnected(why) => self.state.status = format!("reconnecting: {why}"),
            LiveEvent::Synced => self.state.status.clear(),
            LiveEvent::Connected => {}
            LiveEvent::Ended(why) => {
                self.ended = Some(why);
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

    /// Shows `text` as sending and queues it.
    fn send(&mut self, conversation_id: String, text: String) {
        let shown = (conversation_id.clone(), text.clone());
        match self.outbox.submit(conversation_id, text) {
            Ok(()) => self.state.pending.push_back(shown),
            Err(text) => {
                self.state.input = text;
                self.state.status = "too many messages waiting to be sent".into();
            }
        }
    }

    /// A send was answered: shown at its seq, or given back to retype.
    fn sent(&mut self, sent: Sent) {
        // The outbox answers in the order it was given.
        self.state.pending.pop_front();
        match sent.result {
            Ok(ack) => {
                let line = Line {
                    seq: ack.seq,
                    from: self.session.username(),
                    text: sent.text,
                };
                self.state.add(&sent.conversation_id, line, true);
                self.state.status.clear();
            }
            Err(e) => {
                if self.state.input.is_empty() {
                    self.state.input = sent.text;
                }
                self.state.status = format!("not sent: {e}");
            }
        }
    }
}
