//! Replies, edits and recalls inside the group commit (`commit.rs`).
//!
//! What a message refers to is judged under its conversation's lock, so
//! two changes of one message, in one batch or in two, see each other in
//! seq order: an edit after a recall is refused however close they come.
//! Who may change a message, and until when, logic judged before (from
//! fields that never change); here only what can change is checked: that
//! the message exists, is one a user wrote, and was not recalled.
//!
//! Most batches hold no change, and pay nothing: the targets are read one
//! statement each, and the effects written one or two statements each.

use std::collections::HashMap;

use ferrochat_domain::messaging::is_changeable;
use ferrochat_domain::{Message, MessageType, Reference, Seq};
use ferrochat_ports::store::{NewMessage, Refusal};
use sqlx::Transaction;

use crate::dialect::{Dialect, Driver};
use crate::query::{db_seq, seq, Query};

type Tx<D> = Transaction<'static, <D as Driver>::Db>;

/// What a change may find of its target.
#[derive(Debug, Clone, Copy)]
struct Target {
    changeable: bool,
    recalled: bool,
}

/// The targets of a batch's changes, as committed before it and as the
/// batch's own changes leave them.
#[derive(Debug, Default)]
pub(crate) struct Targets {
    found: HashMap<(String, Seq), Target>,
    /// Whether the batch holds a change: only then are its own messages
    /// noted as targets (a change of one stored earlier in the batch).
    any: bool,
}

impl Targets {
    /// Reads the target of every edit and recall of `batch` (under the
    /// conversations' locks, which the caller holds).
    pub(crate) async fn read<D: Dialect>(
        tx: &mut Tx<D>,
        batch: &[NewMessage],
    ) -> Result<Self, sqlx::Error> {
        let mut targets = Self::default();
        for m in batch {
            let Some(r) = m.reference.filter(|r| r.is_change()) else {
                continue;
            };
            targets.any = true;
            let key = (m.conversation_id.as_str().to_owned(), r.seq());
            if targets.found.contains_key(&key) {
                continue;
            }
            let row = Query::<D>::new(
                "SELECT message_type, ref_seq, recalled_at FROM messages
                 WHERE conversation_id = ? AND seq = ?",
            )
            .bind(m.conversation_id.as_str())
            .bind(db_seq(r.seq()))
            .fetch_optional(&mut **tx)
            .await?;
            if let Some(row) = row {
                let message_type = MessageType::from_stored(row.col("message_type")?);
                let reference = row
                    .col::<Option<i64>>("ref_seq")?
                    .map(|s| Reference::from_stored(&message_type, seq(s)));
                let changeable = is_changeable(&message_type, reference);
                let recalled = row.col::<Option<i64>>("recalled_at")?.is_some();
                targets.found.insert(
                    key,
                    Target {
                        changeable,
                        recalled,
                    },
                );
            }
        }
        Ok(targets)
    }

    /// Notes a message the batch stores, which a later change of the
    /// same batch may name.
    pub(crate) fn stored(&mut self, m: &Message) {
        if self.any {
            let target = Target {
                changeable: m.is_changeable(),
                recalled: false,
            };
            self.found
                .insert((m.conversation_id.as_str().to_owned(), m.seq), target);
        }
    }

    /// Whether `m` may be stored after `last`, the last seq of its
    /// conversation so far; a recall it makes counts for the messages
    /// after it.
    pub(crate) fn judge(&mut self, m: &NewMessage, last: Seq) -> Result<(), Refusal> {
        let Some(r) = m.reference else {
            return Ok(());
        };
        let s = r.seq();
        if s == Seq::ZERO || s > last {
            return Err(Refusal::UnknownTarget);
        }
        if !r.is_change() {
            return Ok(());
        }
        let key = (m.conversation_id.as_str().to_owned(), s);
        let target = self.found.get_mut(&key).ok_or(Refusal::UnknownTarget)?;
        if !target.changeable {
            return Err(Refusal::NotChangeable);
        }
        if target.recalled {
            return Err(Refusal::TargetRecalled);
        }
        if matches!(r, Reference::Recall(_)) {
            target.recalled = true;
        }
        Ok(())
    }
}

/// Writes what the batch's stored edits and recalls do to their targets,
/// in seq order: an edit's content becomes its target's (with
/// `edited_at`); a recall erases its target's content and that of every
/// edit of it (with `recalled_at`), so nothing of it stays in the store.
pub(crate) async fn apply<D: Dialect>(
    tx: &mut Tx<D>,
    stored: &[&Message],
) -> Result<(), sqlx::Error> {
    for m in stored {
        let conv = m.conversation_id.as_str();
        let at = m.created_at.millis();
        match m.reference {
            Some(Reference::Edit(target)) => {
                Query::<D>::new(
                    "UPDATE messages SET content = ?, edited_at = ?
                     WHERE conversation_id = ? AND seq = ?",
                )
                .bind(m.content.as_str())
                .bind(at)
                .bind(conv)
                .bind(db_seq(target))
                .execute(&mut **tx)
                .await?;
            }
            Some(Reference::Recall(target)) => {
                Query::<D>::new(
                    "UPDATE messages SET content = '', recalled_at = ?
                     WHERE conversation_id = ? AND seq = ?",
                )
                .bind(at)
                .bind(conv)
                .bind(db_seq(target))
                .execute(&mut **tx)
                .await?;
                // Its edits came after it: read from its seq on, by key.
                Query::<D>::new(
                    "UPDATE messages SET content = ''
                     WHERE conversation_id = ? AND seq > ? AND ref_seq = ? AND message_type = ?",
                )
                .bind(conv)
                .bind(db_seq(target))
                .bind(db_seq(target))
                .bind(MessageType::EDIT)
                .execute(&mut **tx)
                .await?;
            }
            Some(Reference::Reply(_)) | None => {}
        }
    }
    Ok(())
}
