//! The public keys an issuer publishes (a JSON Web Key Set), fetched over
//! HTTP and kept: fetched again every `jwks_refresh`, and sooner when a
//! token names a key id not in the set (the issuer rotated its keys), but
//! never twice within `jwks_min_interval`, so a flood of tokens with made-up
//! key ids costs the issuer at most one fetch per interval. A failed fetch
//! keeps the keys held.
//!
//! Each key is used with exactly one algorithm, read from the key (its
//! type and curve, and its `alg` when it has one) and allowed by the
//! config; a token's header only picks the key, so it cannot make an RSA
//! key verify an HMAC (or any other) algorithm.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::accounts::bounded_body::read_bounded;

/// A key set larger than this is refused: issuers publish a handful of
/// keys, a few KiB.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Keys kept from one set, at most.
const MAX_KEYS: usize = 64;

/// Why a fetch failed (logged; the keys held stay).
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("fetching the JWKS: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the JWKS answered HTTP {0}")]
    Status(reqwest::StatusCode),
    #[error("the JWKS is larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
    #[error("the JWKS is not a key set: {0}")]
    Shape(#[from] serde_json::Error),
}

/// A published key, ready to verify with its one algorithm.
#[derive(Clone)]
pub(crate) struct PublishedKey {
    pub(crate) algorithm: Algorithm,
    pub(crate) key: DecodingKey,
}

pub(crate) struct Jwks {
    url: String,
    client: reqwest::Client,
    allowed: Vec<Algorithm>,
    refresh: Duration,
    min_interval: Duration,
    /// Held across a fetch, so fetches never overlap.
    held: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    /// By key id; a key without one is kept under "".
    keys: HashMap<String, PublishedKey>,
    /// When the keys held were fetched.
    fetched: Option<Instant>,
    /// When a fetch was last tried, whatever came of it.
    tried: Option<Instant>,
}

impl Jwks {
    pub(crate) fn new(
        url: String,
        allowed: Vec<Algorithm>,
        refresh: Duration,
        min_interval: Duration,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            url,
            client,
            allowed,
            refresh,
            min_interval,
            held: Mutex::new(Held::default()),
        })
    }

    /// The key `kid` names (a token without one: the set's only key), if
    /// the issuer publishes it.
    pub(crate) async fn key(&self, kid: Option<&str>) -> Option<PublishedKey> {
        let mut held = self.held.lock().await;
        let now = Instant::now();
        let stale = held.fetched.is_none_or(|at| now - at >= self.refresh);
        let unknown = pick(&held.keys, kid).is_none();
        let may_fetch = held.tried.is_none_or(|at| now - at >= self.min_interval);
        if (stale || unknown) && may_fetch {
            held.tried = Some(now);
            match self.fetch().await {
                Ok(keys) => {
                    held.keys = keys;
                    held.fetched = Some(now);
                }
                Err(e) => {
                    tracing::warn!(url = %self.url, error = %e, "cannot refresh the issuer's keys")
                }
            }
        }
        pick(&held.keys, kid).cloned()
    }

    async fn fetch(&self) -> Result<HashMap<String, PublishedKey>, FetchError> {
        let res = self.client.get(&self.url).send().await?;
        if !res.status().is_success() {
            return Err(FetchError::Status(res.status()));
        }
        let body = read_bounded(res, MAX_JWKS_BYTES)
            .await?
            .ok_or(FetchError::TooLarge)?;
        let set: RawSet = serde_json::from_slice(&body)?;
        metrics::counter!("ferrochat_external_jwks_fetches_total").increment(1);
        Ok(set
            .keys
            .into_iter()
            // One key of a type this build does not know spoils no other.
            .filter_map(|raw| serde_json::from_value::<Jwk>(raw).ok())
            .filter_map(|jwk| self.usable(&jwk))
            .take(MAX_KEYS)
            .collect())
    }

    /// A signing key of a type and algorithm the config allows, under its
    /// id.
    fn usable(&self, jwk: &Jwk) -> Option<(String, PublishedKey)> {
        if matches!(
            jwk.common.public_key_use,
            Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
        ) {
            return None;
        }
        let stated = match &jwk.common.key_algorithm {
            Some(a) => Some(Algorithm::from_str(&a.to_string()).ok()?),
            None => None,
        };
        let algorithm = match (&jwk.algorithm, stated) {
            (AlgorithmParameters::RSA(_), None) => Algorithm::RS256,
            (
                AlgorithmParameters::RSA(_),
                Some(
                    a @ (Algorithm::RS256
                    | Algorithm::RS384
                    | Algorithm::RS512
                    | Algorithm::PS256
                    | Algorithm::PS384
                    | Algorithm::PS512),
                ),
            ) => a,
            (AlgorithmParameters::EllipticCurve(ec), stated) => {
                let by_curve = match ec.curve {
                    EllipticCurve::P256 => Algorithm::ES256,
                    EllipticCurve::P384 => Algorithm::ES384,
                    _ => return None,
                };
                if stated.is_some_and(|a| a != by_curve) {
                    return None;
                }
                by_curve
            }
            // Symmetric and other keys are never taken from a JWKS.
            _ => return None,
        };
        if !self.allowed.contains(&algorithm) {
            return None;
        }
        let key = DecodingKey::from_jwk(jwk).ok()?;
        let kid = jwk.common.key_id.clone().unwrap_or_default();
        Some((kid, PublishedKey { algorithm, key }))
    }
}

#[derive(serde::Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

fn pick<'a>(
    keys: &'a HashMap<String, PublishedKey>,
    kid: Option<&str>,
) -> Option<&'a PublishedKey> {
    match kid {
        Some(kid) => keys.get(kid),
        None if keys.len() == 1 => keys.values().next(),
        None => None,
    }
}
