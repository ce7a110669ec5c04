//! argon2id hashing on the blocking pool, bounded by a semaphore so a burst
//! of logins cannot starve the async workers or exhaust memory.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use super::config::PasswordHashConfig;

#[derive(Debug, thiserror::Error)]
pub(crate) enum HashError {
    #[error("argon2: {0}")]
    Argon2(String),
    #[error("hashing task: {0}")]
    Join(#[from] tokio::task::JoinError),
}

#[derive(Clone)]
pub(crate) struct PasswordHasher {
    argon: Argon2<'static>,
    permits: Arc<Semaphore>,
    /// A real hash of a random password: verifying against it makes a login
    /// for an unknown user cost the same as one with a wrong password.
    decoy: Arc<String>,
}

impl PasswordHasher {
    pub(crate) fn new(cfg: &PasswordHashConfig) -> Result<Self, HashError> {
        let params = Params::new(cfg.memory_kib, cfg.iterations, cfg.parallelism, None)
            .map_err(|e| HashError::Argon2(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let permits = match cfg.max_concurrent {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let salt = SaltString::generate(&mut OsRng);
        let decoy = argon
            .hash_password(salt.as_str().as_bytes(), &salt)
            .map_err(|e| HashError::Argon2(e.to_string()))?
            .to_string();
        Ok(Self {
            argon,
            permits: Arc::new(Semaphore::new(permits)),
            decoy: Arc::new(decoy),
        })
    }

    pub(crate) async fn hash(&self, password: String) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore is never closed");
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Argon2(e.to_string()))
        })
        .await?
    }

    /// `stored` = None verifies against the decoy and returns false.
    pub(crate) async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .expect("semaphore is never closed");
        let argon = self.argon.clone();
        let real = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.decoy.as_str().to_owned());
        tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).map_err(|e| HashError::Argon2(e.to_string()))?;
            Ok(argon.verify_password(password.as_bytes(), &parsed).is_ok() && real)
        })
        .await?
    }
}
