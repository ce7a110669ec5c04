//! Speaking to the OpenID provider: its discovery document (read on first
//! use, again every `DISCOVERY_REFRESH`, a failure remembered for
//! `DISCOVERY_RETRY`), the authorization URL a login
//! starts at, the code redeemed at its token endpoint, and the ID token
//! checked against its published keys (`external::jwks`, which refreshes
//! them when the provider rotates).

use std::sync::Arc;
use std::time::Duration;

use ferrochat_domain::external::ExternalSubject;
use ferrochat_domain::oidc::{OidcFinish, OidcStart};
use jsonwebtoken::{Algorithm, Validation};
use reqwest::Url;
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::config::OidcConfig;
use crate::accounts::bounded_body::read_bounded;
use crate::accounts::external::jwks::Jwks;
use crate::accounts::external::PUBLISHED_KEY_ALGORITHMS;

/// Discovery documents and token answers are a few KiB.
const MAX_ANSWER_BYTES: usize = 256 * 1024;
/// The provider's keys are fetched again this often, and when a token
/// names one not held, but not twice within `KEYS_MIN_INTERVAL`.
const KEYS_REFRESH: Duration = Duration::from_secs(600);
const KEYS_MIN_INTERVAL: Duration = Duration::from_secs(30);
/// The discovery document is read again this often, so a provider that
/// moves its endpoints is followed without a restart.
const DISCOVERY_REFRESH: Duration = Duration::from_secs(3600);
/// After a failed read, logins are answered from it (1009, or the
/// endpoints read before) for this long rather than each waiting for the
/// provider in turn.
const DISCOVERY_RETRY: Duration = Duration::from_secs(5);

/// Why a login went no further (logged; the user hears the kind).
#[derive(Debug, thiserror::Error)]
pub(crate) enum OidcError {
    /// The provider could not be reached or answered nonsense: try later.
    #[error("the identity provider: {0}")]
    Unreachable(String),
    /// The provider refused the code (used, expired, wrong verifier).
    #[error("the identity provider refused the login: {0}")]
    Refused(String),
    /// The ID token does not hold.
    #[error("the identity provider's ID token: {0}")]
    BadToken(String),
}

fn unreachable(e: impl std::fmt::Display) -> OidcError {
    OidcError::Unreachable(e.to_string())
}

/// What the discovery document says, of what is used here.
#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    code_challenge_methods_supported: Option<Vec<String>>,
}

struct Endpoints {
    authorization: Url,
    token: Url,
    jwks_uri: Url,
    keys: Arc<Jwks>,
}

/// What discovery last found, and when to read it again.
struct Discovered {
    endpoints: Option<Arc<Endpoints>>,
    /// Why the last read failed, while `endpoints` is none.
    failure: Option<String>,
    next_read: Instant,
}

/// Who the ID token says logged in.
pub(crate) struct Identified {
    pub(crate) who: ExternalSubject,
    /// The username it proposes for a new account, if any.
    pub(crate) username: Option<String>,
}

pub(crate) struct Provider {
    name: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_url: String,
    scope: String,
    username_claim: String,
    leeway_secs: u64,
    timeout: Duration,
    http: reqwest::Client,
    /// Locked across a read: the logins that come meanwhile wait for that
    /// one read (at most `timeout`), not for one each.
    discovered: Mutex<Discovered>,
}

impl Provider {
    /// `None` when `[auth.oidc]` is off. The config was checked at start
    /// (`OidcConfig::check`).
    pub(crate) fn new(cfg: &OidcConfig) -> Result<Option<Self>, String> {
        let Some(issuer) = cfg.issuer.clone() else {
            return Ok(None);
        };
        cfg.check().map_err(|e| e.to_string())?;
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            // The provider's endpoints are where discovery says, not
            // wherever a redirect points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("auth.oidc: {e}"))?;
        Ok(Some(Self {
            name: cfg.name.clone(),
            issuer,
            client_id: cfg.client_id.clone().unwrap_or_default(),
            client_secret: cfg.client_secret.clone().unwrap_or_default(),
            redirect_url: cfg.redirect_url().to_owned(),
            scope: cfg.scopes.join(" "),
            username_claim: cfg.username_claim.clone(),
            leeway_secs: cfg.leeway.as_secs(),
            timeout: cfg.timeout,
            http,
            discovered: Mutex::new(Discovered {
                endpoints: None,
                failure: None,
                next_read: Instant::now(),
            }),
        }))
    }

    /// The provider as the login button names it.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The provider's endpoints, from its discovery document: read on
    /// first use and every `DISCOVERY_REFRESH`; when a read fails, the
    /// endpoints read before serve on (a warning), or, if there are none,
    /// logins get 1009 until `DISCOVERY_RETRY` has passed.
    async fn endpoints(&self) -> Result<Arc<Endpoints>, OidcError> {
        let mut known = self.discovered.lock().await;
        if Instant::now() < known.next_read {
            return match (&known.endpoints, &known.failure) {
                (Some(e), _) => Ok(e.clone()),
                (None, failure) => Err(unreachable(failure.as_deref().unwrap_or("not read yet"))),
            };
        }
        let read = self.discover(known.endpoints.as_deref()).await;
        metrics::counter!(
            "ferrochat_logic_oidc_discoveries_total",
            "outcome" => if read.is_ok() { "read" } else { "failed" }
        )
        .increment(1);
        match read {
            Ok(found) => {
                let found = Arc::new(found);
                known.endpoints = Some(found.clone());
                known.failure = None;
                known.next_read = Instant::now() + DISCOVERY_REFRESH;
                Ok(found)
            }
            Err(e) => {
                known.next_read = Instant::now() + DISCOVERY_RETRY;
                match &known.endpoints {
                    Some(before) => {
                        tracing::warn!(error = %e, "reading the OpenID provider's discovery document again failed: the endpoints read before serve on");
                        Ok(before.clone())
                    }
                    None => {
                        known.failure = Some(e.to_string());
                        Err(e)
                    }
                }
            }
        }
    }

    /// Reads the discovery document; the keys of `before` are kept when
    /// it names the same key set.
    async fn discover(&self, before: Option<&Endpoints>) -> Result<Endpoints, OidcError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let res = self.http.get(&url).send().await.map_err(unreachable)?;
        if !res.status().is_success() {
            return Err(unreachable(format!(
                "discovery answered HTTP {}",
                res.status()
            )));
        }
        let found: Discovery =
            serde_json::from_slice(&read_limited(res).await?).map_err(unreachable)?;
        // OpenID Connect Discovery 1.0, section 4.3: exactly the issuer
        // asked about, or the document is not this provider's.
        if found.issuer != self.issuer {
            return Err(unreachable(format!(
                "discovery names the issuer {:?}, not {:?}",
                found.issuer, self.issuer
            )));
        }
        if found
            .code_challenge_methods_supported
            .is_some_and(|m| !m.iter().any(|m| m == "S256"))
        {
            return Err(unreachable("the provider does not support PKCE with S256"));
        }
        let parse = |raw: &str| Url::parse(raw).map_err(unreachable);
        let jwks_uri = parse(&found.jwks_uri)?;
        let keys = match before {
            Some(b) if b.jwks_uri == jwks_uri => b.keys.clone(),
            _ => Arc::new(
                Jwks::new(
                    jwks_uri.to_string(),
                    PUBLISHED_KEY_ALGORITHMS.to_vec(),
                    KEYS_REFRESH,
                    KEYS_MIN_INTERVAL,
                    self.timeout,
                )
                .map_err(unreachable)?,
            ),
        };
        tracing::info!(issuer = %self.issuer, "read the OpenID provider's discovery document");
        Ok(Endpoints {
            authorization: parse(&found.authorization_endpoint)?,
            token: parse(&found.token_endpoint)?,
            jwks_uri,
            keys,
        })
    }

    /// The provider's authorization endpoint with this login's values.
    pub(crate) async fn authorization_url(&self, start: &OidcStart) -> Result<String, OidcError> {
        let mut url = self.endpoints().await?.authorization.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_url)
            .append_pair("scope", &self.scope)
            .append_pair("state", start.state.as_str())
            .append_pair("nonce", start.nonce.as_str())
            .append_pair("code_challenge", start.code_challenge.as_str())
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    /// Redeems the code and checks the ID token the provider answers.
    pub(crate) async fn identify(&self, finish: &OidcFinish) -> Result<Identified, OidcError> {
        let endpoints = self.endpoints().await?;
        let id_token = self.redeem(&endpoints.token, finish).await?;
        self.check_id_token(&endpoints.keys, &id_token, finish.nonce.as_str())
            .await
    }

    async fn redeem(&self, token_url: &Url, finish: &OidcFinish) -> Result<String, OidcError> {
        #[derive(Deserialize)]
        struct Answer {
            id_token: Option<String>,
            error: Option<String>,
            error_description: Option<String>,
        }
        // RFC 6749, section 2.3.1: the id and secret are form-encoded
        // before they are put in the Basic credentials.
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let res = self
            .http
            .post(token_url.clone())
            .basic_auth(encode(&self.client_id), Some(encode(&self.client_secret)))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", finish.code.as_str()),
                ("redirect_uri", &self.redirect_url),
                ("code_verifier", finish.code_verifier.as_str()),
            ])
            .send()
            .await
            .map_err(unreachable)?;
        let status = res.status();
        let answer: Answer = serde_json::from_slice(&read_limited(res).await?)
            .map_err(|e| unreachable(format!("token endpoint answered HTTP {status}: {e}")))?;
        if let Some(error) = answer.error {
            let said = answer.error_description.unwrap_or_default();
            return Err(if status.is_server_error() {
                unreachable(format!("{error} {said}"))
            } else {
                OidcError::Refused(format!("{error} {said}").trim_end().to_owned())
            });
        }
        if !status.is_success() {
            return Err(unreachable(format!(
                "token endpoint answered HTTP {status}"
            )));
        }
        answer
            .id_token
            .ok_or_else(|| OidcError::BadToken("the token answer has no id_token".to_owned()))
    }

    /// OpenID Connect Core 1.0, section 3.1.3.7: signed by one of the
    /// provider's keys with that key's algorithm, from this issuer, for
    /// this client, not expired, with this login's nonce.
    async fn check_id_token(
        &self,
        keys: &Jwks,
        token: &str,
        nonce: &str,
    ) -> Result<Identified, OidcError> {
        let bad = |e: &dyn std::fmt::Display| OidcError::BadToken(e.to_string());
        let header = jsonwebtoken::decode_header(token).map_err(|e| bad(&e))?;
        let key = keys
            .key(header.kid.as_deref())
            .await
            .ok_or_else(|| bad(&format!("no published key for kid {:?}", header.kid)))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.algorithms = vec![key.algorithm];
        validation.leeway = self.leeway_secs;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
            .map_err(|e| bad(&e))?
            .claims;
        if claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
            return Err(bad(&"the nonce is not this login's"));
        }
        issued_to(&claims, &self.client_id).map_err(|e| bad(&e))?;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(&"the sub claim is not a string"))?;
        let who =
            ExternalSubject::parse(self.issuer.clone(), subject.to_owned()).map_err(|e| bad(&e))?;
        Ok(Identified {
            who,
            username: claims
                .get(&self.username_claim)
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}

/// OpenID Connect Core 1.0, section 3.1.3.7, steps 4 and 5: a token for
/// several audiences must name the one it was issued to (`azp`), and
/// `azp`, when present, must be this client.
fn issued_to(claims: &Map<String, Value>, client_id: &str) -> Result<(), &'static str> {
    let several = claims
        .get("aud")
        .and_then(Value::as_array)
        .is_some_and(|aud| aud.len() > 1);
    match claims.get("azp") {
        None if several => Err("it names several audiences and not which it was issued to (azp)"),
        None => Ok(()),
        Some(Value::String(azp)) if azp == client_id => Ok(()),
        Some(_) => Err("it was issued to another client (azp)"),
    }
}

async fn read_limited(res: reqwest::Response) -> Result<Vec<u8>, OidcError> {
    read_bounded(res, MAX_ANSWER_BYTES)
        .await
        .map_err(unreachable)?
        .ok_or_else(|| unreachable(format!("an answer larger than {MAX_ANSWER_BYTES} bytes")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("an object"),
        }
    }

    #[test]
    fn a_token_for_several_audiences_must_be_issued_to_this_client() {
        let us = "ferrochat";
        for (token, holds) in [
            (json!({"aud": "ferrochat"}), true),
            (json!({"aud": ["ferrochat"]}), true),
            (json!({"aud": "ferrochat", "azp": "ferrochat"}), true),
            (
                json!({"aud": ["ferrochat", "api"], "azp": "ferrochat"}),
                true,
            ),
            (json!({"aud": ["ferrochat", "api"]}), false),
            (json!({"aud": ["ferrochat", "api"], "azp": "api"}), false),
            (json!({"aud": "ferrochat", "azp": "another"}), false),
            (json!({"aud": "ferrochat", "azp": ["ferrochat"]}), false),
            (json!({"aud": "ferrochat", "azp": null}), false),
        ] {
            assert_eq!(
                issued_to(&claims(token.clone()), us).is_ok(),
                holds,
                "{token}"
            );
        }
    }
}
