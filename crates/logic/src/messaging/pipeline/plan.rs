//! The reads a group of finished sends needs before it can be delivered:
//! who is in each conversation (cached), and where those members are
//! connected, in one route-table read for the whole group.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::routing::Route;
use ferrochat_domain::{ConversationId, ConversationKind, Message, UserId};
use ferrochat_ports::bus::wants_push;
use ferrochat_ports::presence::Settled;
use ferrochat_ports::{Presence, Store};

use super::{Finished, Outcome};
use crate::messaging::audience::{Audience, AudienceCache};

/// Where a stored message goes.
pub(super) enum Plan {
    /// These routes (of its members) get it now; `offline` are named to
    /// the push webhook.
    Members {
        routes: Vec<Route>,
        offline: Vec<UserId>,
    },
    /// The task role fans it out.
    Large,
}

/// Why a group could not be planned now.
pub(super) enum Unplanned {
    /// A read failed.
    Failed(String),
    /// The route table is putting back routes it lost: read again after
    /// this long.
    Unsettled(Duration),
}

/// What the plan reads go through, shareable with the futures that read
/// ahead of their turn.
#[derive(Clone)]
pub(super) struct Reads {
    pub(super) store: Arc<dyn Store>,
    pub(super) presence: Arc<dyn Presence>,
    pub(super) audience: Arc<AudienceCache>,
    pub(super) offline_push: bool,
}

impl Reads {
    /// A plan for each committed message of `group` (`None` for the rest),
    /// in order.
    pub(super) async fn plan(&self, group: &[Finished]) -> Result<Vec<Option<Plan>>, Unplanned> {
        let messages: Vec<Option<&Message>> = group
            .iter()
            .map(|f| match &f.outcome {
                Outcome::Committed { message, .. } => Some(&**message),
                Outcome::Refused(_) | Outcome::Failed(_) => None,
            })
            .collect();
        let mut kinds: HashMap<&ConversationId, ConversationKind> = HashMap::new();
        for m in messages.iter().flatten() {
            kinds.insert(&m.conversation_id, m.conversation_kind);
        }
        // Each conversation once, all at once.
        let audiences: Vec<(&ConversationId, Audience)> =
            futures::future::try_join_all(kinds.iter().map(|(id, kind)| async move {
                self.audience
                    .get(&*self.store, id, *kind)
                    .await
                    .map(|a| (*id, a))
            }))
            .await
            .map_err(|e| Unplanned::Failed(format!("reading members: {e}")))?;
        let audiences: HashMap<&ConversationId, Audience> = audiences.into_iter().collect();
        let mut users: HashSet<&UserId> = HashSet::new();
        for a in audiences.values() {
            if let Audience::Members(members) = a {
                users.extend(members.iter());
            }
        }
        let users: Vec<UserId> = users.into_iter().cloned().collect();
        let routes = if users.is_empty() {
            Vec::new()
        } else {
            let routes = self
                .presence
                .routes(&users)
                .await
                .map_err(|e| Unplanned::Failed(format!("reading routes: {e}")))?;
            // Asked after the read: a loss before or during it shows here.
            match self.presence.settled().await {
                Ok(Settled::Yes) => routes,
                Ok(Settled::Wait(d)) => return Err(Unplanned::Unsettled(d)),
                Err(e) => return Err(Unplanned::Failed(format!("reading routes: {e}"))),
            }
        };
        let mut by_user: HashMap<&UserId, Vec<&Route>> = HashMap::new();
        for (user, route) in &routes {
            by_user.entry(user).or_default().push(route);
        }
        Ok(messages
            .into_iter()
            .map(|m| {
                let m = m?;
                match audiences.get(&m.conversation_id)? {
                    Audience::Large => Some(Plan::Large),
                    Audience::Members(members) => {
                        let routes = members
                            .iter()
                            .filter_map(|u| by_user.get(u))
                            .flatten()
                            .map(|r| (*r).clone())
                            .collect();
                        // From the member list already at hand: no store read.
                        let offline = if self.offline_push && wants_push(m) {
                            members
                                .iter()
                                .filter(|u| **u != m.from && !by_user.contains_key(u))
                                .cloned()
                                .collect()
                        } else {
                            Vec::new()
                        };
                        Some(Plan::Members { routes, offline })
                    }
                }
            })
            .collect())
    }
}
