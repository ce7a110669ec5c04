//! The byte bound of a page of messages (a `sync` reply, a history page).
//!
//! A page is bounded in messages (`PageLimit`) and in bytes: 200 messages of
//! 16 KiB of control characters are 20 MB once JSON escapes them, and a
//! connection that asks for such pages faster than it reads them would hold
//! them all. A page stops once its messages weigh `PAGE_MAX_BYTES` (as JSON
//! renders them) and says `has_more`, so the client asks again from its
//! cursor, as it does when a page is full in messages.

use crate::messaging::Message;

/// The most a page's messages weigh in JSON, the first message excepted:
/// a page always carries at least one message, so it moves forward
/// whatever one message weighs (at most `FIELDS_BYTES` plus six bytes per
/// content byte).
pub const PAGE_MAX_BYTES: usize = 512 * 1024;

/// A bound on what a message's fields other than its content, reactions
/// and mentions take in JSON (ids, seq, type, client_msg_id of at most 64
/// bytes, timestamps, the seq it refers to, flags, keys).
const FIELDS_BYTES: usize = 720;

/// A bound on one mentioned user id in JSON (36 bytes, quotes, comma).
const MENTION_BYTES: usize = 40;

/// A bound on one reaction in JSON (an emoji of at most 32 bytes, escaped
/// at most six for one, its count, whether it is mine, keys).
const REACTION_BYTES: usize = 256;

/// What `m` weighs in a page: its fields, its content as JSON escapes it,
/// its reactions and its mentions.
pub fn wire_bytes(m: &Message) -> usize {
    FIELDS_BYTES
        + json_escaped_len(m.content.as_str())
        + REACTION_BYTES * m.reactions.len()
        + MENTION_BYTES * m.marks.mentions.len()
}

/// The length of `s` inside a JSON string: quote, backslash and the short
/// escapes take two bytes, other control characters six (`\u0000`).
fn json_escaped_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum()
}

/// Which end of a page to keep when it is cut: a page read forward from a
/// cursor keeps its oldest messages, a page read back from the newest
/// keeps its newest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Oldest,
    Newest,
}

/// The bytes a reply has left, shared by its pages (a `sync` reply spans
/// conversations).
#[derive(Debug)]
pub struct Budget {
    left: usize,
    taken_any: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(PAGE_MAX_BYTES)
    }
}

impl Budget {
    pub fn new(bytes: usize) -> Self {
        Self {
            left: bytes,
            taken_any: false,
        }
    }

    /// Nothing more fits (the reply holds at least one message).
    pub fn is_spent(&self) -> bool {
        self.taken_any && self.left == 0
    }

    /// Cuts `messages` (ascending seq) to what fits, keeping `keep`'s end;
    /// true when some were cut.
    pub fn fit(&mut self, messages: &mut Vec<Message>, keep: Keep) -> bool {
        let mut fits = 0;
        let order: Box<dyn Iterator<Item = &Message>> = match keep {
            Keep::Oldest => Box::new(messages.iter()),
            Keep::Newest => Box::new(messages.iter().rev()),
        };
        for m in order {
            let w = wire_bytes(m);
            if w > self.left && self.taken_any {
                self.left = 0;
                break;
            }
            self.left = self.left.saturating_sub(w);
            self.taken_any = true;
            fits += 1;
        }
        let cut = fits < messages.len();
        match keep {
            Keep::Oldest => messages.truncate(fits),
            Keep::Newest => {
                messages.drain(..messages.len() - fits);
            }
        }
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::{ConversationKind, MessageContent, MessageType, Seq};
    use crate::{ClientMsgId, ConversationId, MessageId, Timestamp, UserId};

    fn message(seq: u64, content: &str) -> Message {
        Message {
            id: MessageId::generate(),
            conversation_id: ConversationId::from_stored("world".to_owned()),
            conversation_kind: ConversationKind::Group,
            seq: Seq::new(seq),
            from: UserId::generate(),
            message_type: MessageType::from_stored("text".to_owned()),
            content: MessageContent::from_stored(content.to_owned()),
            client_msg_id: ClientMsgId::parse("c".to_owned()).unwrap(),
            created_at: Timestamp::from_millis(0),
            reference: None,
            changes: Default::default(),
            reactions: Vec::new(),
            reaction_count: None,
            marks: Default::default(),
        }
    }

    #[test]
    fn escapes_are_weighed_as_json_writes_them() {
        assert_eq!(json_escaped_len("ab"), 2);
        assert_eq!(json_escaped_len("\"\\\n"), 6);
        assert_eq!(json_escaped_len("\0\u{1}"), 12);
        assert_eq!(json_escaped_len("é"), 2);
        let s = "x\"\0\u{1f}\t";
        let json = serde_json_len(s);
        assert_eq!(json_escaped_len(s), json);
    }

    /// serde_json is not a dependency of domain; its escaping, written out.
    fn serde_json_len(s: &str) -> usize {
        s.chars()
            .map(|c| match c {
                '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
                c if (c as u32) < 0x20 => 6,
                c => c.len_utf8(),
            })
            .sum()
    }

    #[test]
    fn a_page_is_cut_at_its_budget_and_keeps_the_asked_end() {
        let big = "\0".repeat(1000); // 6,640 bytes each
        let all: Vec<Message> = (1..=10).map(|s| message(s, &big)).collect();
        let mut b = Budget::new(3 * wire_bytes(&all[0]));
        let mut page = all.clone();
        assert!(b.fit(&mut page, Keep::Oldest));
        assert_eq!(
            page.iter().map(|m| m.seq.get()).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(b.is_spent());
        let mut next = all.clone();
        assert!(
            b.fit(&mut next, Keep::Oldest),
            "a spent budget takes nothing"
        );
        assert!(next.is_empty());

        let mut b = Budget::new(2 * wire_bytes(&all[0]));
        let mut page = all.clone();
        assert!(b.fit(&mut page, Keep::Newest));
        assert_eq!(
            page.iter().map(|m| m.seq.get()).collect::<Vec<_>>(),
            [9, 10]
        );
    }

    #[test]
    fn the_first_message_is_taken_whatever_it_weighs() {
        let mut b = Budget::new(10);
        let mut page = vec![message(1, "hello"), message(2, "x")];
        assert!(b.fit(&mut page, Keep::Oldest));
        assert_eq!(page.len(), 1);
        assert!(b.is_spent());
    }

    #[test]
    fn a_page_that_fits_is_not_cut() {
        let mut b = Budget::default();
        let mut page: Vec<Message> = (1..=200).map(|s| message(s, "hi")).collect();
        assert!(!b.fit(&mut page, Keep::Oldest));
        assert_eq!(page.len(), 200);
        assert!(!b.is_spent());
    }
}
