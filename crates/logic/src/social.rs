//! `Social`, the logic role's implementation of `SocialApi`: friend
//! requests, friends, blocks, and presence announcements to friends.
//!
//! Presence is debounced: "online" goes out when a user's first connection
//! opens, unless they were still announced online; "offline" goes out only
//! if they still have no connection `presence_offline_delay` after their
//! last one closed. One task owns the timers (`run_presence`), fed by a
//! bounded queue. What was last announced is kept in the route table
//! (`Presence::set_announced`), so with several logic instances each
//! change is announced once, whichever instance hears of it.
//!
//! A user can also leave without a last disconnect: their gateway died.
//! The sweep (`sweep_presence`, every `presence_sweep_interval` and when
//! a gateway leaves discovery) pages through the users announced online
//! and announces "offline" for those with no route left.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ferrochat_domain::social::{FriendRequest, RequestMessage, RequestStatus};
use ferrochat_domain::{ErrorKind, RequestId, UserId};
use ferrochat_ports::api::Friend;
use ferrochat_ports::bus::Event;
use ferrochat_ports::store::PendingRequests;
use ferrochat_ports::{ApiError, SocialApi, StoreError};
use futures::StreamExt as _;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::time::DelayQueue;

use crate::clock;
use crate::deps::LogicDeps;
use crate::error::{internal, store as store_err};
use crate::messaging::AccessCache;
use crate::news;
use crate::users::Profiles;

/// Pending offline checks at most; past that, a disconnect is announced
/// at once rather than queued.
const OFFLINE_QUEUE: usize = 4096;
/// Users the sweep reads per page.
const SWEEP_PAGE: usize = 500;

pub struct Social {
    deps: LogicDeps,
    offline_tx: mpsc::Sender<UserId>,
    offline_rx: Mutex<Option<mpsc::Receiver<UserId>>>,
    offline_delay: Duration,
    sweep_interval: Duration,
    /// Forgets a pair's block and friendship after each change to them.
    access: Arc<AccessCache>,
    profiles: Arc<Profiles>,
}

impl Social {
    pub(crate) fn new(
        deps: LogicDeps,
        offline_delay: Duration,
        sweep_interval: Duration,
        access: Arc<AccessCache>,
        profiles: Arc<Profiles>,
    ) -> Self {
        let (tx, rx) = mpsc::channel(OFFLINE_QUEUE);
        Self {
            deps,
            profiles,
            offline_tx: tx,
            offline_rx: Mutex::new(Some(rx)),
            offline_delay,
            sweep_interval,
            access,
        }
    }

    /// Tells `user`'s online friends that `user` is (not) online.
    async fn announce(&self, user: &UserId, online: bool) {
        let friends = match self.deps.store.friends(user).await {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read friends for presence");
                return;
            }
        };
        let ids: Vec<UserId> = friends.into_iter().map(|f| f.id).collect();
        let event = Event::Presence {
            user_id: user.clone(),
            online,
        };
        news::tell(&self.deps, &ids, event, "presence").await;
    }

    /// Tells `user`'s open connections about `request`.
    async fn tell(&self, user: &UserId, request: &FriendRequest) {
        let event = Event::FriendRequest(request.clone());
        news::tell(
            &self.deps,
            std::slice::from_ref(user),
            event,
            "friend request",
        )
        .await;
    }

    async fn offline_if_still_gone(&self, user: &UserId) {
        let still_gone = match self.deps.presence.routes(std::slice::from_ref(user)).await {
            Ok(r) => r.is_empty(),
            Err(_) => true,
        };
        if still_gone {
            self.announce_offline(user).await;
        }
    }

    /// Tells `user`'s friends they went offline, unless that was told
    /// already (by this or another logic instance).
    async fn announce_offline(&self, user: &UserId) {
        match self.deps.presence.set_announced(user, false).await {
            Ok(true) => self.announce(user, false).await,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "cannot record an offline announcement"),
        }
    }

    /// Announces "offline" for every user announced online who has no
    /// route left: those whose gateway died, or whose offline timer died
    /// with a logic instance.
    pub async fn sweep_presence(&self) {
        let mut after: Option<UserId> = None;
        loop {
            let page = match self
                .deps
                .presence
                .announced_page(after.as_ref(), SWEEP_PAGE)
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "presence sweep cannot read who is online");
                    return;
                }
            };
            let Some(last) = page.last().cloned() else {
                return;
            };
            let routed: HashSet<UserId> = match self.deps.presence.routes(&page).await {
                Ok(r) => r.into_iter().map(|(u, _)| u).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "presence sweep cannot read routes");
                    return;
                }
            };
            for user in page.iter().filter(|u| !routed.contains(*u)) {
                self.announce_offline(user).await;
            }
            if page.len() < SWEEP_PAGE {
                return;
            }
            after = Some(last);
        }
    }

    /// Runs the offline timers until `cancel`.
    pub(crate) async fn run_presence(&self, cancel: CancellationToken) {
        let Some(mut rx) = self.offline_rx.lock().ok().and_then(|mut r| r.take()) else {
            return;
        };
        let mut timers: DelayQueue<UserId> = DelayQueue::new();
        let mut sweep = tokio::time::interval(self.sweep_interval);
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick is at once: nothing to sweep at start.
        sweep.tick().await;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = sweep.tick() => self.sweep_presence().await,
                Some(user) = rx.recv() => {
                    timers.insert(user, self.offline_delay);
                }
                Some(expired) = timers.next(), if !timers.is_empty() => {
                    self.offline_if_still_gone(expired.get_ref()).await;
                }
            }
        }
    }
}

fn not_pending() -> ApiError {
    ApiError::conflict("the request is no longer pending")
}

#[async_trait]
impl SocialApi for Social {
    async fn request_friend(
        &self,
        who: &UserId,
        to: &UserId,
        message: RequestMessage,
    ) -> Result<FriendRequest, ApiError> {
        let store = &*self.deps.store;
        if who == to {
            return Err(ApiError::new(
                ErrorKind::InvalidParams,
                "to_user_id: cannot befriend yourself",
            ));
        }
        if !self.profiles.exists(to).await? {
            return Err(ApiError::not_found("no such user"));
        }
        if store
            .is_blocked(to, who)
            .await
            .map_err(|e| store_err("reading blocks", e))?
        {
            return Err(ApiError::forbidden(
                "this user does not accept your requests",
            ));
        }
        if store
            .are_friends(who, to)
            .await
            .map_err(|e| store_err("reading friends", e))?
        {
            return Err(ApiError::conflict("you are already friends"));
        }
        // They asked first: asking back accepts.
        if let Some(theirs) = store
            .pending_request(to, who)
            .await
            .map_err(|e| store_err("reading requests", e))?
        {
            let answered = store.answer_request(&theirs.id, true, clock::now()).await;
            self.access.forget_pair(who, to).await;
            let accepted = answered
                .map_err(|e| store_err("accepting a request", e))?
                .ok_or_else(not_pending)?;
            self.tell(to, &accepted).await;
            return Ok(accepted);
        }
        let request = FriendRequest {
            id: RequestId::generate(),
            from: who.clone(),
            to: to.clone(),
            message,
            status: RequestStatus::Pending,
            created_at: clock::now(),
        };
        match store.insert_friend_request(&request).await {
            Ok(()) => {
                self.tell(to, &request).await;
                Ok(request)
            }
            Err(StoreError::Conflict(_)) => Err(ApiError::conflict("a request is already pending")),
            Err(e) => Err(store_err("sending a request", e)),
        }
    }

    async fn friend_requests(&self, who: &UserId) -> Result<PendingRequests, ApiError> {
        self.deps
            .store
            .pending_requests(who)
            .await
            .map_err(|e| store_err("listing requests", e))
    }

    async fn answer_request(
        &self,
        who: &UserId,
        id: &RequestId,
        accept: bool,
    ) -> Result<FriendRequest, ApiError> {
        let request = self
            .deps
            .store
            .friend_request(id)
            .await
            .map_err(|e| store_err("reading a request", e))?
            .filter(|r| &r.to == who)
            .ok_or_else(|| ApiError::not_found("no such request"))?;
        if request.status != RequestStatus::Pending {
            return Err(not_pending());
        }
        let answered = self
            .deps
            .store
            .answer_request(id, accept, clock::now())
            .await;
        self.access.forget_pair(&request.from, &request.to).await;
        let answered = answered
            .map_err(|e| store_err("answering a request", e))?
            .ok_or_else(not_pending)?;
        if answered.status == RequestStatus::Accepted {
            self.tell(&answered.from, &answered).await;
        }
        Ok(answered)
    }

    async fn friends(&self, who: &UserId) -> Result<Vec<Friend>, ApiError> {
        let users = self
            .deps
            .store
            .friends(who)
            .await
            .map_err(|e| store_err("listing friends", e))?;
        let ids: Vec<UserId> = users.iter().map(|u| u.id.clone()).collect();
        let routes = self
            .deps
            .presence
            .routes(&ids)
            .await
            .map_err(|e| internal("reading routes", &e))?;
        let mut online: HashSet<UserId> = routes.into_iter().map(|(u, _)| u).collect();
        // Agree with the presence frames: a friend inside the offline
        // debounce has not been announced offline yet.
        let announced = self
            .deps
            .presence
            .announced(&ids)
            .await
            .map_err(|e| internal("reading presence", &e))?;
        online.extend(announced);
        Ok(users
            .into_iter()
            .map(|u| Friend {
                online: online.contains(&u.id),
                user: u,
            })
            .collect())
    }

    async fn remove_friend(&self, who: &UserId, friend: &UserId) -> Result<(), ApiError> {
        let removed = self.deps.store.remove_friend(who, friend).await;
        self.access.forget_pair(who, friend).await;
        let removed = removed.map_err(|e| store_err("removing a friend", e))?;
        if removed {
            Ok(())
        } else {
            Err(ApiError::not_found("not a friend"))
        }
    }

    async fn set_block(&self, who: &UserId, other: &UserId, on: bool) -> Result<(), ApiError> {
        if who == other {
            return Err(ApiError::new(
                ErrorKind::InvalidParams,
                "user_id: cannot block yourself",
            ));
        }
        if !self.profiles.exists(other).await? {
            return Err(ApiError::not_found("no such user"));
        }
        let changed = self
            .deps
            .store
            .set_block(who, other, on, clock::now())
            .await;
        self.access.forget_pair(who, other).await;
        changed.map_err(|e| store_err("changing a block", e))
    }

    async fn came_online(&self, who: &UserId) {
        match self.deps.presence.set_announced(who, true).await {
            Ok(true) => self.announce(who, true).await,
            Ok(false) => {}
            // Better told twice than not at all.
            Err(e) => {
                tracing::warn!(error = %e, "cannot record an online announcement");
                self.announce(who, true).await;
            }
        }
    }

    async fn went_offline(&self, who: &UserId) {
        if self.offline_tx.try_send(who.clone()).is_err() {
            self.offline_if_still_gone(who).await;
        }
    }
}
