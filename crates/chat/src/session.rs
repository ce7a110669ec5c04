//! A logged-in client: the server, the token pair (kept in the profile
//! file), and the calls the client makes. An access token refused with
//! 1002 is refreshed once and the call made again.
//!
//! Refresh tokens rotate and presenting a rotated one revokes the whole
//! session (docs/protocol.md, "POST /api/v1/auth/refresh"), so refreshes
//! are serialised, and before refreshing the file is read again: another
//! `ferrochat chat` process (a `send` while a `tail` runs) may have
//! rotated the pair already, and then its tokens are the ones to use.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ChatError, Result};
use crate::http::Api;
use crate::model::User;
use crate::profile::{unix_now, Profile};

/// How this client names itself to the server (`device_id` at login).
const DEVICE_ID: &str = "ferrochat-chat";
/// Display names kept at most; past that the cache starts over.
const NAME_CACHE: usize = 4096;

/// A logged-in client. Cheap to clone; clones share tokens.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    api: Api,
    path: PathBuf,
    profile: Mutex<Profile>,
    refreshing: tokio::sync::Mutex<()>,
    names: Mutex<HashMap<String, String>>,
}

#[derive(Deserialize)]
struct LoginData {
    access_token: String,
    refresh_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    user: User,
}

#[derive(Deserialize)]
struct TokenPair {
    access_token: String,
    refresh_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl Session {
    /// Logs in to `url` and writes the profile to `path`.
    pub async fn login(url: &str, username: &str, password: &str, path: &Path) -> Result<Self> {
        let api = Api::new(url)?;
        let body = json!({"username": username, "password": password, "device_id": DEVICE_ID});
        let data: LoginData = api
            .call(Method::POST, "/api/v1/auth/login", None, &[], Some(&body))
            .await?;
        let profile = Profile {
            url: api.base().to_owned(),
            user_id: data.user.user_id,
            username: data.user.username,
            access_token: data.access_token,
            refresh_token: data.refresh_token,
            access_expires_at: data.expires_in.map(|s| unix_now() + s),
        };
        profile.save(path)?;
        Ok(Self::with(api, path, profile))
    }

    /// The session saved at `path` by an earlier login.
    pub fn open(path: &Path) -> Result<Self> {
        let profile = Profile::load(path)?;
        let api = Api::new(&profile.url)?;
        Ok(Self::with(api, path, profile))
    }

    fn with(api: Api, path: &Path, profile: Profile) -> Self {
        Self {
            inner: Arc::new(Inner {
                api,
                path: path.to_owned(),
                profile: Mutex::new(profile),
                refreshing: tokio::sync::Mutex::new(()),
                names: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn api(&self) -> &Api {
        &self.inner.api
    }

    fn profile(&self) -> Profile {
        match self.inner.profile.lock() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_profile(&self, p: Profile) {
        match self.inner.profile.lock() {
            Ok(mut g) => *g = p,
            Err(poisoned) => *poisoned.into_inner() = p,
        }
    }

    pub fn user_id(&self) -> String {
        self.profile().user_id
    }

    pub fn username(&self) -> String {
        self.profile().username
    }

    /// The current access token (for the WebSocket upgrade).
    pub fn access_token(&self) -> String {
        self.profile().access_token
    }

    /// How long the current access token has left, when the server said.
    pub fn access_expires_in(&self) -> Option<std::time::Duration> {
        let at = self.profile().access_expires_at?;
        Some(std::time::Duration::from_secs(
            at.saturating_sub(unix_now()),
        ))
    }

    /// Refreshes the token pair after `failed` (an access token) was
    /// refused, or is about to expire. Does nothing if the pair changed since, here or in the
    /// file (another process refreshed it).
    pub async fn refresh(&self, failed: &str) -> Result<()> {
        let _one_at_a_time = self.inner.refreshing.lock().await;
        let mine = self.profile();
        if mine.access_token != failed {
            return Ok(());
        }
        if let Ok(on_disk) = Profile::load(&self.inner.path) {
            if on_disk.user_id == mine.user_id && on_disk.refresh_token != mine.refresh_token {
                self.set_profile(on_disk);
                return Ok(());
            }
        }
        let body = json!({"refresh_token": mine.refresh_token});
        let pair: TokenPair = self
            .inner
            .api
            .call(Method::POST, "/api/v1/auth/refresh", None, &[], Some(&body))
            .await?;
        let renewed = Profile {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            access_expires_at: pair.expires_in.map(|s| unix_now() + s),
            ..mine
        };
        renewed.save(&self.inner.path)?;
        self.set_profile(renewed);
        Ok(())
    }

    /// An authenticated call; refreshes the tokens once on 1002.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<T> {
        let token = self.access_token();
        let first = self
            .inner
            .api
            .call(method.clone(), path, Some(&token), query, body)
            .await;
        match first {
            Err(ChatError::Api { code: 1002, .. }) => {
                self.refresh(&token).await?;
                let token = self.access_token();
                self.inner
                    .api
                    .call(method, path, Some(&token), query, body)
                    .await
            }
            other => other,
        }
    }

    /// Ends this session on the server and deletes the profile. A session
    /// the server already forgot (1002) counts as logged out.
    pub async fn logout(self) -> Result<()> {
        let token = self.access_token();
        let out: Result<Value> = self
            .inner
            .api
            .call(Method::POST, "/api/v1/auth/logout", Some(&token), &[], None)
            .await;
        match out {
            Ok(_) | Err(ChatError::Api { code: 1002, .. }) => Profile::remove(&self.inner.path),
            Err(e) => Err(e),
        }
    }

    /// A user's display name (username), asked once and kept.
    pub async fn name_of(&self, user_id: &str) -> String {
        if let Some(n) = self
            .inner
            .names
            .lock()
            .ok()
            .and_then(|m| m.get(user_id).cloned())
        {
            return n;
        }
        let path = format!("/api/v1/users/{user_id}");
        match self.call::<User>(Method::GET, &path, &[], None).await {
            Ok(u) => {
                self.remember(&u);
                u.username
            }
            // A name is a nicety: show the id rather than fail.
            Err(_) => user_id.to_owned(),
        }
    }

    /// Keeps `user`'s name for [`Session::name_of`].
    pub fn remember(&self, user: &User) {
        if let Ok(mut m) = self.inner.names.lock() {
            if m.len() >= NAME_CACHE {
                m.clear();
            }
            m.insert(user.user_id.clone(), user.username.clone());
        }
    }
}
