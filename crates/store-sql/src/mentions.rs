//! Mentions inside the group commit (`commit.rs`): a stored message that
//! names members moves their `mention_seq`, one that names all moves its
//! conversation's `all_mention_seq`, so the conversation list shows "you
//! were mentioned" until the member's read cursor passes it
//! (`ConversationView::mentioned`). A mention of someone who is not a
//! member touches no row. Messages without mentions cost nothing here.

use ferrochat_domain::{Message, UserId};

use crate::chain::Chain;
use crate::dialect::Dialect;
use crate::query::{db_seq, Query};

/// Notes the mentions of `stored` (in seq order, so a later mention of a
/// member leaves the later seq).
pub(crate) async fn note<D: Dialect>(
    tx: &mut Chain<D>,
    stored: &[&Message],
) -> Result<(), sqlx::Error> {
    for m in stored {
        let conv = m.conversation_id.as_str();
        if m.marks.mention_all {
            Query::<D>::new("UPDATE conversations SET all_mention_seq = ? WHERE id = ?")
                .bind(db_seq(m.seq))
                .bind(conv)
                .execute_in(tx)
                .await?;
        }
        // The sender has read their own message (invariant 5).
        let named: Vec<&UserId> = m.marks.mentions.iter().filter(|u| **u != m.from).collect();
        if named.is_empty() {
            continue;
        }
        let mut q = Query::<D>::new("UPDATE conversation_members SET mention_seq = ");
        q.push("?").arg(db_seq(m.seq));
        q.push(" WHERE conversation_id = ?").arg(conv);
        q.push(" AND user_id IN (");
        q.push_list(&named, ", ", |q, u| {
            q.push("?").arg(u.as_str());
        });
        q.push(")");
        q.execute_in(tx).await?;
    }
    Ok(())
}
