//! `[messaging]` configuration.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessagingConfig {
    /// Largest message content, in bytes; larger gets 1008.
    pub max_content_bytes: usize,
    /// Conversations with more members than this (and the world room) are
    /// fanned out by the task role in batches.
    pub fanout_task_threshold: usize,
    /// Most messages committed in one transaction (and answered and
    /// delivered as one group). `serve` at saturation fills every batch of
    /// 512 and acks about 10 % more with 2,048 (docs/benchmarks.md); a
    /// cluster's batches stay far below either. Memory is bounded by
    /// `queue_capacity` whatever this is, and records by bytes.
    pub commit_batch_max: usize,
    /// Capacity of the queues between upstream, commit and fan-out.
    pub queue_capacity: usize,
    /// Sends checked at once (membership, mutes, blocks: store reads that
    /// a cluster makes over the network); they still reach the commit
    /// stage in upstream order. Keep it well under the store's pool
    /// (`store.max_connections`), which also serves every other request.
    pub check_concurrency: usize,
    /// Committed messages whose delivery reads (member list, routes) are
    /// made at once, ahead of their turn; they are still answered and
    /// delivered in commit order. Like checks, keep it under the store's
    /// pool.
    pub fanout_concurrency: usize,
    /// Groups of delivered sends whose records the bus may hold unstored
    /// at once; their upstream records are committed once stored.
    pub fanout_window: usize,
    /// How far behind (from commit to the task role handing a message to
    /// the gateways) the fan-out of large groups and the world room may
    /// fall: past it, sends to them get 1007 with a retry hint until it
    /// drains. Zero turns this off.
    #[serde(with = "humantime_serde")]
    pub max_fanout_lag: Duration,
    /// Who may start a single chat with whom.
    pub dm_policy: DmPolicy,
    /// How long after a user's last connection closes their friends are
    /// told they went offline (a quick reconnect says nothing).
    #[serde(with = "humantime_serde")]
    pub presence_offline_delay: Duration,
    /// How often logic looks for users announced online who have no
    /// connection left (their gateway died) and announces them offline.
    #[serde(with = "humantime_serde")]
    pub presence_sweep_interval: Duration,
    /// Cache what can change (memberships, mutes, blocks, friendships,
    /// member lists) in this logic process, forgotten by the change. Right
    /// for one logic instance; with several (a cluster) one could not
    /// tell the others to forget, so ferrochat turns this off when the
    /// bus is Kafka, and caches those facts in Redis instead (shared by
    /// every instance, `[cache]`) when `presence.redis_url` is set.
    pub cache_mutable_facts: bool,
    /// How long after sending a message its sender may edit it.
    #[serde(with = "humantime_serde")]
    pub edit_window: Duration,
    /// How long after sending a message its sender may recall it (a
    /// group's owner and admins may recall any message at any time).
    #[serde(with = "humantime_serde")]
    pub recall_window: Duration,
    /// The world room, which every user is in. Off: sends to it are
    /// refused (1005) and it is left out of the conversation list; what
    /// was written stays readable in its history.
    pub world_enabled: bool,
}

/// `messaging.dm_policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DmPolicy {
    /// Anyone may message anyone (who has not blocked them).
    #[default]
    Anyone,
    /// Single chats only between friends.
    Friends,
}

impl Default for MessagingConfig {
    fn default() -> Self {
        Self {
            max_content_bytes: 16 * 1024,
            fanout_task_threshold: 500,
            commit_batch_max: 2048,
            queue_capacity: 4096,
            check_concurrency: 8,
            fanout_concurrency: 8,
            fanout_window: 64,
            max_fanout_lag: Duration::from_secs(2),
            dm_policy: DmPolicy::Anyone,
            presence_offline_delay: Duration::from_secs(2),
            presence_sweep_interval: Duration::from_secs(60),
            cache_mutable_facts: true,
            edit_window: Duration::from_secs(24 * 60 * 60),
            recall_window: Duration::from_secs(2 * 60),
            world_enabled: true,
        }
    }
}

/// The largest `groups.max_members` a server takes: groups past the
/// fan-out threshold are delivered by the task role from its in-memory
/// member index, sized for groups of this many.
pub const MAX_GROUP_MEMBERS: u32 = 100_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupsConfig {
    /// Largest group a create may ask for, and the default size (at most
    /// `MAX_GROUP_MEMBERS`).
    pub max_members: u32,
}

impl Default for GroupsConfig {
    fn default() -> Self {
        Self {
            max_members: 10_000,
        }
    }
}
