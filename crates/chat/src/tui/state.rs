//! What the TUI shows: the conversations, the messages of each (as far as
//! loaded), the selection and the input line. No I/O here.

use std::collections::VecDeque;

use crate::model::Conversation;

/// Messages kept per conversation; older ones are dropped from view (they
/// stay in history on the server).
pub const KEPT_MESSAGES: usize = 500;
/// Longest input line, in characters (the contract's limit is 16 KiB).
pub const MAX_INPUT: usize = 4000;

/// One message as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub seq: u64,
    pub from: String,
    pub text: String,
}

/// A conversation in the list.
#[derive(Debug, Clone)]
pub struct ConvView {
    pub conv: Conversation,
    /// In ascending seq, each seq once.
    pub lines: VecDeque<Line>,
    /// History was read once (when it was first opened).
    pub loaded: bool,
    /// The read cursor the server has (from the list, or as we moved it):
    /// `conv.read_seq` moves as soon as a message is shown, this one only
    /// once the server was told.
    pub marked: u64,
}

impl ConvView {
    pub fn new(conv: Conversation) -> Self {
        Self {
            marked: conv.read_seq,
            conv,
            lines: VecDeque::new(),
            loaded: false,
        }
    }

    /// Puts `line` in seq order; a seq already shown is kept as it is.
    pub fn insert(&mut self, line: Line) {
        let at = self.lines.partition_point(|l| l.seq < line.seq);
        if self.lines.get(at).is_some_and(|l| l.seq == line.seq) {
            return;
        }
        self.lines.insert(at, line);
        while self.lines.len() > KEPT_MESSAGES {
            self.lines.pop_front();
        }
    }

    pub fn last_seq(&self) -> u64 {
        self.lines
            .back()
            .map_or(0, |l| l.seq)
            .max(self.conv.last_seq)
    }
}

/// The whole screen's state.
#[derive(Debug, Default)]
pub struct State {
    pub me: String,
    pub convs: Vec<ConvView>,
    pub selected: usize,
    pub input: String,
    /// Sends not answered yet, oldest first: (conversation id, text).
    pub pending: VecDeque<(String, String)>,
    /// The last error or notice, shown under the input.
    pub status: String,
}

impl State {
    pub fn new(me: String, convs: Vec<Conversation>) -> Self {
        Self {
            me,
            convs: convs.into_iter().map(ConvView::new).collect(),
            ..Self::default()
        }
    }

    pub fn current(&self) -> Option<&ConvView> {
        self.convs.get(self.selected)
    }

    pub fn current_mut(&mut self) -> Option<&mut ConvView> {
        self.convs.get_mut(self.selected)
    }

    pub fn find_mut(&mut self, conversation_id: &str) -> Option<&mut ConvView> {
        self.convs
            .iter_mut()
            .find(|c| c.conv.conversation_id == conversation_id)
    }

    /// Moves the selection by `delta`, wrapping around.
    pub fn step(&mut self, delta: isize) {
        let n = self.convs.len();
        if n == 0 {
            return;
        }
        let n = n as isize;
        let at = (self.selected as isize + delta).rem_euclid(n);
        self.selected = usize::try_from(at).unwrap_or(0);
    }

    /// Adds a message to its conversation: unread unless it is open or
    /// ours. Returns whether the conversation was known.
    pub fn add(&mut self, conversation_id: &str, line: Line, mine: bool) -> bool {
        let open = self
            .current()
            .is_some_and(|c| c.conv.conversation_id == conversation_id);
        let Some(view) = self.find_mut(conversation_id) else {
            return false;
        };
        let new = line.seq > view.last_seq();
        let seq = line.seq;
        view.insert(line);
        if new {
            view.conv.last_seq = seq;
            if open || mine {
                view.conv.read_seq = seq;
            }
            // The contract's own definition of unread.
            view.conv.unread = seq.saturating_sub(view.conv.read_seq);
        }
        true
    }
}

/// A single conversation named `id`, nothing in it: for tests.
#[cfg(test)]
pub(super) fn test_conversation(id: &str) -> Conversation {
    Conversation {
        conversation_id: id.into(),
        kind: "single".into(),
        name: id.into(),
        peer_user_id: None,
        group_id: None,
        last_seq: 0,
        read_seq: 0,
        unread: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(id: &str) -> Conversation {
        test_conversation(id)
    }

    fn line(seq: u64) -> Line {
        Line {
            seq,
            from: "x".into(),
            text: format!("m{seq}"),
        }
    }

    #[test]
    fn messages_stay_in_seq_order_once_each_and_count_unread_when_not_open() {
        let mut s = State::new("me".into(), vec![conv("a"), conv("b")]);
        assert!(s.add("b", line(2), false));
        assert!(s.add("b", line(1), false));
        assert!(s.add("b", line(2), false));
        let b = &s.convs[1];
        assert_eq!(b.lines.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(b.conv.unread, 2);
        assert!(s.add("a", line(1), false));
        assert_eq!(s.convs[0].conv.unread, 0, "the open one is read");
        assert!(!s.add("c", line(1), false));
        s.step(-1);
        assert_eq!(s.selected, 1);
        s.step(1);
        assert_eq!(s.selected, 0);
    }
}
