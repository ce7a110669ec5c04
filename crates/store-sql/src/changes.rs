//! Replies, edits, recalls, reactions and pins inside the group commit
//! (`commit.rs`).
//!
//! What a message refers to is judged under its conversation's lock, so
//! two changes of one message, in one batch or in two, see each other in
//! seq order: an edit after a recall is refused however close they come.
//! Who may change a message, and until when, logic judged before (from
//! fields that never change); here only what can change is checked: that
//! the message exists, is one a user wrote, was not recalled, and (for a
//! reaction) has room for one more emoji, (for a pin) its conversation
//! room for one more pin.
//!
//! Most batches hold no change, and pay nothing: the targets are read one
//! statement each, and the effects written one or two statements each.

use std::collections::{BTreeSet, HashMap};

use ferrochat_domain::messaging::{is_changeable, MAX_PINS};
use ferrochat_domain::reactions;
use ferrochat_domain::{Message, MessageType, Reference, Seq};
use ferrochat_ports::store::{NewMessage, Refusal};

use crate::chain::Chain;
use crate::dialect::Dialect;
use crate::query::{count, db_seq, seq, Query};

/// What a change may find of its target.
#[derive(Debug, Clone)]
struct Target {
    changeable: bool,
    recalled: bool,
    /// The different emoji on it (read for the targets of reactions
    /// only). A reaction taken off in the batch stays counted here: it may
    /// be someone else's too, and the limit errs on the side of refusing.
    emoji: BTreeSet<String>,
    pinned: bool,
}

/// The targets of a batch's changes, as committed before it and as the
/// batch's own changes leave them.
#[derive(Debug, Default)]
pub(crate) struct Targets {
    found: HashMap<(String, Seq), Target>,
    /// Whether the batch holds a change: only then are its own messages
    /// noted as targets (a change of one stored earlier in the batch).
    any: bool,
    /// How many messages each conversation of a pin has pinned (read for
    /// those conversations only).
    pins: HashMap<String, usize>,
}

impl Targets {
    /// Reads the target of every change (edit, recall, reaction) of
    /// `batch` (under the conversations' locks, which the caller holds).
    pub(crate) async fn read<D: Dialect>(
        tx: &mut Chain<D>,
        batch: &[NewMessage],
    ) -> Result<Self, sqlx::Error> {
        let mut targets = Self::default();
        for m in batch {
            let Some(r) = m.reference.filter(|r| r.is_change()) else {
                continue;
            };
            targets.any = true;
            let conv = m.conversation_id.as_str();
            if matches!(r, Reference::Pin(_)) && !targets.pins.contains_key(conv) {
                let n = pins_of::<D>(tx, conv).await?;
                targets.pins.insert(conv.to_owned(), n);
            }
            let key = (conv.to_owned(), r.seq());
            if targets.found.contains_key(&key) {
                continue;
            }
            let row = Query::<D>::new(
                "SELECT m.message_type, m.ref_seq, m.recalled_at, p.seq AS pinned_seq
                 FROM messages m
                 LEFT JOIN pins p ON p.conversation_id = m.conversation_id AND p.seq = m.seq
                 WHERE m.conversation_id = ? AND m.seq = ?",
            )
            .bind(m.conversation_id.as_str())
            .bind(db_seq(r.seq()))
            .fetch_optional_in(tx)
            .await?;
            if let Some(row) = row {
                let message_type = MessageType::from_stored(row.col("message_type")?);
                let reference = row
                    .col::<Option<i64>>("ref_seq")?
                    .map(|s| Reference::from_stored(&message_type, seq(s)));
                let emoji = if matches!(r, Reference::React(_)) {
                    emoji_on::<D>(tx, m.conversation_id.as_str(), r.seq()).await?
                } else {
                    BTreeSet::new()
                };
                let target = Target {
                    changeable: is_changeable(&message_type, reference),
                    recalled: row.col::<Option<i64>>("recalled_at")?.is_some(),
                    emoji,
                    pinned: row.col::<Option<i64>>("pinned_seq")?.is_some(),
                };
                targets.found.insert(key, target);
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
                emoji: BTreeSet::new(),
                pinned: false,
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
        let pins = self.pins.entry(key.0).or_default();
        match r {
            Reference::Recall(_) => {
                target.recalled = true;
                if target.pinned {
                    target.pinned = false;
                    *pins = pins.saturating_sub(1);
                }
            }
            Reference::Pin(_) if !target.pinned => {
                if *pins >= MAX_PINS {
                    return Err(Refusal::TooManyPins);
                }
                target.pinned = true;
                *pins += 1;
            }
            Reference::Unpin(_) if target.pinned => {
                target.pinned = false;
                *pins = pins.saturating_sub(1);
            }
            Reference::React(_) => {
                let emoji = m.content.as_str();
                if !target.emoji.contains(emoji) {
                    if target.emoji.len() >= reactions::MAX_DISTINCT {
                        return Err(Refusal::TooManyReactions);
                    }
                    target.emoji.insert(emoji.to_owned());
                }
            }
            Reference::Reply(_)
            | Reference::Edit(_)
            | Reference::Unreact(_)
            | Reference::Pin(_)
            | Reference::Unpin(_) => {}
        }
        Ok(())
    }
}

/// How many messages a conversation has pinned.
async fn pins_of<D: Dialect>(tx: &mut Chain<D>, conversation: &str) -> Result<usize, sqlx::Error> {
    let row = Query::<D>::new("SELECT COUNT(*) AS n FROM pins WHERE conversation_id = ?")
        .bind(conversation)
        .fetch_one_in(tx)
        .await?;
    Ok(usize::try_from(row.col::<i64>("n")?).unwrap_or(usize::MAX))
}

/// The different emoji on a message.
async fn emoji_on<D: Dialect>(
    tx: &mut Chain<D>,
    conversation: &str,
    target: Seq,
) -> Result<BTreeSet<String>, sqlx::Error> {
    let rows = Query::<D>::new(
        "SELECT DISTINCT emoji FROM reactions WHERE conversation_id = ? AND seq = ?",
    )
    .bind(conversation)
    .bind(db_seq(target))
    .fetch_all_in(tx)
    .await?;
    rows.iter().map(|r| r.col::<String>("emoji")).collect()
}

/// Writes what the batch's stored changes do to their targets, in seq
/// order: an edit's content becomes its target's (with `edited_at`); a
/// recall erases its target's content and that of every edit of it (with
/// `recalled_at`), takes its reactions off and unpins it, so nothing of it
/// stays in the store; a reaction or a pin is put on (kept if already
/// there) or taken off.
///
/// Returns, for each reaction event (by its index in `stored`), its
/// emoji's count on the target once applied, which is also written into
/// the event's row.
pub(crate) async fn apply<D: Dialect>(
    tx: &mut Chain<D>,
    stored: &[&Message],
) -> Result<Vec<(usize, u32)>, sqlx::Error> {
    let mut counts = Vec::new();
    for (i, m) in stored.iter().enumerate() {
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
                .execute_in(tx)
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
                .execute_in(tx)
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
                .execute_in(tx)
                .await?;
                Query::<D>::new("DELETE FROM reactions WHERE conversation_id = ? AND seq = ?")
                    .bind(conv)
                    .bind(db_seq(target))
                    .execute_in(tx)
                    .await?;
                unpin::<D>(tx, conv, target).await?;
            }
            Some(Reference::Pin(target)) => {
                let sql = format!(
                    "INSERT INTO pins (conversation_id, seq, pinned_by, created_at)
                     VALUES (?, ?, ?, ?) {}",
                    D::KEEP_EXISTING
                );
                Query::<D>::new(&sql)
                    .bind(conv)
                    .bind(db_seq(target))
                    .bind(m.from.as_str())
                    .bind(at)
                    .execute_in(tx)
                    .await?;
            }
            Some(Reference::Unpin(target)) => unpin::<D>(tx, conv, target).await?,
            Some(Reference::React(target)) => {
                let sql = format!(
                    "INSERT INTO reactions (conversation_id, seq, emoji, user_id, created_at)
                     VALUES (?, ?, ?, ?, ?) {}",
                    D::KEEP_EXISTING
                );
                Query::<D>::new(&sql)
                    .bind(conv)
                    .bind(db_seq(target))
                    .bind(m.content.as_str())
                    .bind(m.from.as_str())
                    .bind(at)
                    .execute_in(tx)
                    .await?;
                // History reads reactions only for pages with such a message.
                Query::<D>::new(
                    "UPDATE messages SET reacted = ? WHERE conversation_id = ? AND seq = ?",
                )
                .bind(true)
                .bind(conv)
                .bind(db_seq(target))
                .execute_in(tx)
                .await?;
            }
            Some(Reference::Unreact(target)) => {
                Query::<D>::new(
                    "DELETE FROM reactions
                     WHERE conversation_id = ? AND seq = ? AND emoji = ? AND user_id = ?",
                )
                .bind(conv)
                .bind(db_seq(target))
                .bind(m.content.as_str())
                .bind(m.from.as_str())
                .execute_in(tx)
                .await?;
            }
            Some(Reference::Reply(_)) | None => {}
        }
        if let Some(Reference::React(target) | Reference::Unreact(target)) = m.reference {
            counts.push((i, tally::<D>(tx, m, target).await?));
        }
    }
    Ok(counts)
}

async fn unpin<D: Dialect>(tx: &mut Chain<D>, conv: &str, target: Seq) -> Result<(), sqlx::Error> {
    Query::<D>::new("DELETE FROM pins WHERE conversation_id = ? AND seq = ?")
        .bind(conv)
        .bind(db_seq(target))
        .execute_in(tx)
        .await?;
    Ok(())
}

/// How many have a reaction event's emoji on its target now; written into
/// the event's row.
async fn tally<D: Dialect>(
    tx: &mut Chain<D>,
    m: &Message,
    target: Seq,
) -> Result<u32, sqlx::Error> {
    let conv = m.conversation_id.as_str();
    let row = Query::<D>::new(
        "SELECT COUNT(*) AS n FROM reactions WHERE conversation_id = ? AND seq = ? AND emoji = ?",
    )
    .bind(conv)
    .bind(db_seq(target))
    .bind(m.content.as_str())
    .fetch_one_in(tx)
    .await?;
    let n: i64 = row.col("n")?;
    Query::<D>::new("UPDATE messages SET reaction_count = ? WHERE conversation_id = ? AND seq = ?")
        .bind(n)
        .bind(conv)
        .bind(db_seq(m.seq))
        .execute_in(tx)
        .await?;
    Ok(count(n))
}
