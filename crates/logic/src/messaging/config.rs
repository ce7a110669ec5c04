//! `[messaging]` configuration.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessagingConfig {
    /// Largest message content, in bytes; larger gets 1008.
    pub max_content_bytes: usize,
    /// Conversations with more members than this (and the world room) are
    /// fanned out by the task role in batches.
    pub fanout_task_threshold: usize,
    /// Most messages committed in one transaction.
    pub commit_batch_max: usize,
    /// Capacity of the queues between upstream, commit and fan-out.
    pub queue_capacity: usize,
}

impl Default for MessagingConfig {
    fn default() -> Self {
        Self {
            max_content_bytes: 16 * 1024,
            fanout_task_threshold: 500,
            commit_batch_max: 512,
            queue_capacity: 4096,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GroupsConfig {
    /// Largest group a create may ask for, and the default size.
    pub max_members: u32,
}

impl Default for GroupsConfig {
    fn default() -> Self {
        Self { max_members: 200 }
    }
}
