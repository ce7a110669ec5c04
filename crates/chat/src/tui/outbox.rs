//! Sends from the TUI, made one after another in a task of their own, so
//! a slow send (retried after 1009, say) never freezes the screen, and
//! messages are stored in the order they were typed.

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::ChatError;
use crate::model::{Ack, Target};
use crate::session::Session;

/// Sends typed but not answered yet, at most.
pub const WAITING: usize = 64;

/// A send's outcome.
#[derive(Debug)]
pub struct Sent {
    pub conversation_id: String,
    pub text: String,
    pub result: Result<Ack, ChatError>,
}

pub struct Outbox {
    tx: mpsc::Sender<(String, String)>,
    rx: mpsc::Receiver<Sent>,
    task: JoinHandle<()>,
}

impl Outbox {
    pub fn start(session: Session) -> Self {
        let (tx, mut requests) = mpsc::channel::<(String, String)>(WAITING);
        let (done, rx) = mpsc::channel(WAITING);
        let task = tokio::spawn(async move {
            while let Some((conversation_id, text)) = requests.recv().await {
                let target = Target::Conversation(conversation_id.clone());
                let result = session.send(&target, &text).await;
                let sent = Sent {
                    conversation_id,
                    text,
                    result,
                };
                if done.send(sent).await.is_err() {
                    return;
                }
            }
        });
        Self { tx, rx, task }
    }

    /// Queues a send; gives the text back if [`WAITING`] are waiting.
    pub fn submit(&self, conversation_id: String, text: String) -> Result<(), String> {
        self.tx
            .try_send((conversation_id, text))
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full((_, t))
                | mpsc::error::TrySendError::Closed((_, t)) => t,
            })
    }

    /// The next answered send.
    pub async fn next(&mut self) -> Option<Sent> {
        self.rx.recv().await
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}
