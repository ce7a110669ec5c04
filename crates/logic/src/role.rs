//! The logic role as a whole: its services, built once, and its
//! background work (the send pipeline, presence timers), run until
//! cancelled.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::accounts::{Accounts, AuthConfig, Sessions, Ties};
use crate::attachments::Uploads;
use crate::deps::LogicDeps;
use crate::facts::{CacheConfig, Facts};
use crate::groups::Groups;
use crate::messaging::{
    AccessCache, AudienceCache, GroupsConfig, Messaging, MessagingConfig, Pipeline,
};
use crate::social::Social;
use crate::users::Profiles;

/// Why the logic role could not start or stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error("auth.password_hash: {0}")]
    PasswordHash(String),
    #[error("{0}")]
    ExternalAuth(String),
    #[error("consuming the upstream topic: {0}")]
    Upstream(#[from] ferrochat_ports::bus::BusError),
    #[error("the send pipeline is already running")]
    AlreadyRunning,
    #[error("starting the commit stage's thread: {0}")]
    CommitThread(#[source] std::io::Error),
}

#[derive(Debug, Clone, Default)]
pub struct LogicConfig {
    pub auth: AuthConfig,
    pub messaging: MessagingConfig,
    pub groups: GroupsConfig,
    /// How long shared cache entries live (used when `LogicDeps::cache`
    /// is set).
    pub cache: CacheConfig,
    /// Hand members who are offline when a message is delivered to the
    /// task role's push webhook (`[push] webhook_url` is set).
    pub offline_push: bool,
    /// Run the send pipeline's commit stage on a thread of its own, with a
    /// runtime of its own. For a store whose driver answers from a thread
    /// outside the runtime (SQLite's worker thread): each of a commit's
    /// statements wakes the stage, and on the shared runtime that wake-up
    /// waits behind every task the gateway has queued. Not for a store
    /// that dials sockets: one made on that runtime would stop with it.
    pub commit_thread: bool,
}

/// The role's request-serving halves, handed to the gateway as API ports.
pub struct Logic {
    pub accounts: Arc<Accounts>,
    pub messaging: Arc<Messaging>,
    pub groups: Arc<Groups>,
    pub social: Arc<Social>,
    pub attachments: Arc<Uploads>,
    pipeline: Pipeline,
}

impl Logic {
    /// `secret` signs access tokens; every logic instance must share it.
    pub fn build(deps: LogicDeps, config: &LogicConfig, secret: &[u8]) -> Result<Self, RoleError> {
        let facts = Arc::new(Facts::new(
            deps.cache.clone(),
            config.messaging.cache_mutable_facts,
            config.cache.clone(),
        ));
        let audience = Arc::new(AudienceCache::new(
            config.messaging.fanout_task_threshold,
            facts.clone(),
        ));
        let access = Arc::new(AccessCache::new(facts.clone()));
        let sessions = Sessions::new(deps.store.clone(), facts.clone());
        let profiles = Arc::new(Profiles::new(deps.store.clone(), facts));
        let pipeline = Pipeline::new(
            &deps,
            audience.clone(),
            access.clone(),
            config.messaging.clone(),
            config.offline_push,
            config.commit_thread,
        );
        let groups = Arc::new(Groups {
            deps: deps.clone(),
            access: access.clone(),
            profiles: profiles.clone(),
            committer: pipeline.committer(),
            config: config.groups.clone(),
        });
        Ok(Self {
            accounts: Arc::new(Accounts::new(
                deps.clone(),
                Ties {
                    profiles: profiles.clone(),
                    access: access.clone(),
                    groups: groups.clone(),
                },
                sessions,
                &config.auth,
                secret,
            )?),
            messaging: Arc::new(Messaging {
                deps: deps.clone(),
                audience: audience.clone(),
                access: access.clone(),
                profiles: profiles.clone(),
                world_enabled: config.messaging.world_enabled,
                dm_policy: config.messaging.dm_policy,
            }),
            groups,
            attachments: Arc::new(Uploads {
                deps: deps.clone(),
                access: access.clone(),
            }),
            social: Arc::new(Social::new(
                deps,
                config.messaging.presence_offline_delay,
                config.messaging.presence_sweep_interval,
                access,
                profiles,
            )),
            pipeline,
        })
    }

    /// Consumes `upstream` until `cancel`, then finishes what it holds:
    /// every message it accepted is committed and answered before this
    /// returns.
    pub async fn run(&self, cancel: CancellationToken) -> Result<(), RoleError> {
        let upstream = self.pipeline.bus.consume_upstream().await?;
        let tasks = TaskTracker::new();
        self.pipeline
            .clone()
            .spawn(upstream, &tasks, cancel.clone())?;
        let social = self.social.clone();
        tasks.spawn(async move { social.run_presence(cancel).await });
        tasks.close();
        tasks.wait().await;
        Ok(())
    }
}
