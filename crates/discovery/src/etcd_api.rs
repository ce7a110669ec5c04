//! The few calls of etcd's v3 API that discovery needs, through etcd's
//! JSON gateway (`POST /v3/...`): HTTP(S), so building ferrochat needs
//! no protoc (the gRPC client crate compiles etcd's .proto files with it).
//! Keys and values are base64 in JSON; 64-bit integers are strings.
//!
//! With etcd's auth on, every call carries a token from
//! `/v3/auth/authenticate`; a call refused with 401 (the token expired:
//! etcd's simple tokens live `--auth-token-ttl`, 5 minutes by default)
//! authenticates again and is sent once more. With `https`, etcd's
//! certificate is checked against the configured CA, and a client
//! certificate is presented if one is configured.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ferrochat_ports::discovery::DiscoveryError;
use serde::Deserialize;
use serde_json::json;

#[derive(Clone)]
pub(crate) struct EtcdApi {
    http: reqwest::Client,
    base: String,
    auth: Option<Arc<Auth>>,
}

/// A user's name and password, and the token they last got.
struct Auth {
    user: Credentials,
    token: tokio::sync::Mutex<Option<String>>,
}

/// An etcd user (etcd's `auth enable`).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub name: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// How to reach etcd over TLS: the CA its certificate chains to (unset:
/// the system's roots) and a client certificate with its key, for
/// `--client-cert-auth` (all PEM).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EtcdTls {
    pub ca_pem: Option<Vec<u8>>,
    pub identity_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for EtcdTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdTls")
            .field("ca", &self.ca_pem.is_some())
            .field("identity", &self.identity_pem.is_some())
            .finish()
    }
}

#[derive(Deserialize)]
struct Token {
    token: String,
}

#[derive(Deserialize)]
struct Grant {
    #[serde(rename = "ID")]
    id: String,
}

#[derive(Deserialize)]
struct KeepAlive {
    result: Option<KeepAliveResult>,
}

#[derive(Deserialize)]
struct KeepAliveResult {
    /// Missing once the lease is gone.
    #[serde(rename = "TTL")]
    ttl: Option<String>,
}

#[derive(Deserialize)]
struct Range {
    #[serde(default)]
    kvs: Vec<Kv>,
}

#[derive(Deserialize)]
struct Kv {
    value: Option<String>,
}

/// Why etcd did not answer a call.
enum Refused {
    /// The token (or the user) was not accepted.
    Unauthenticated(DiscoveryError),
    Other(DiscoveryError),
}

impl Refused {
    fn into_error(self) -> DiscoveryError {
        match self {
            Self::Unauthenticated(e) | Self::Other(e) => e,
        }
    }
}

fn unavailable(e: impl std::fmt::Display) -> DiscoveryError {
    DiscoveryError::Unavailable(format!("etcd: {e}"))
}

/// The first key after every key that starts with `prefix`.
fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0] // every key
}

/// `url` without its user info, and the user it named (`user:password@`,
/// percent-decoded).
fn split_user(url: &str) -> Result<(String, Option<Credentials>), DiscoveryError> {
    let mut parsed = reqwest::Url::parse(url)
        .map_err(|e| DiscoveryError::Unavailable(format!("etcd: bad URL: {e}")))?;
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = match (parsed.username(), parsed.password()) {
        ("", None) => None,
        (name, password) => Some(Credentials {
            name: decode(name),
            password: decode(password.unwrap_or_default()),
        }),
    };
    // Infallible for http(s) URLs, which have a host.
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    Ok((parsed.as_str().trim_end_matches('/').to_owned(), user))
}

impl EtcdApi {
    /// `url` may name a user (`http://user:password@host:2379`); `user`,
    /// if given, wins over it.
    pub(crate) fn new(
        url: &str,
        timeout: Duration,
        user: Option<Credentials>,
        tls: Option<&EtcdTls>,
    ) -> Result<Self, DiscoveryError> {
        let (base, in_url) = split_user(url)?;
        let mut builder = reqwest::Client::builder().timeout(timeout).use_rustls_tls();
        if let Some(tls) = tls {
            if let Some(ca) = &tls.ca_pem {
                let ca = reqwest::Certificate::from_pem(ca)
                    .map_err(|e| unavailable(format!("the CA file: {e}")))?;
                builder = builder
                    .tls_built_in_root_certs(false)
                    .add_root_certificate(ca);
            }
            if let Some(identity) = &tls.identity_pem {
                let identity = reqwest::Identity::from_pem(identity)
                    .map_err(|e| unavailable(format!("the client certificate or key: {e}")))?;
                builder = builder.identity(identity);
            }
        }
        let http = builder.build().map_err(unavailable)?;
        let auth = user.or(in_url).map(|user| {
            Arc::new(Auth {
                user,
                token: tokio::sync::Mutex::new(None),
            })
        });
        Ok(Self { http, base, auth })
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<T, DiscoveryError> {
        let Some(auth) = &self.auth else {
            return self
                .send(path, &body, None)
                .await
                .map_err(Refused::into_error);
        };
        let token = self.token(auth, None).await?;
        match self.send(path, &body, Some(&token)).await {
            Err(Refused::Unauthenticated(_)) => {
                let token = self.token(auth, Some(&token)).await?;
                self.send(path, &body, Some(&token))
                    .await
                    .map_err(Refused::into_error)
            }
            other => other.map_err(Refused::into_error),
        }
    }

    /// The current token, or a new one if there is none or it is `stale`.
    async fn token(&self, auth: &Auth, stale: Option<&str>) -> Result<String, DiscoveryError> {
        let mut held = auth.token.lock().await;
        if let Some(t) = held.as_deref() {
            if Some(t) != stale {
                return Ok(t.to_owned());
            }
        }
        let body = json!({ "name": auth.user.name, "password": auth.user.password });
        let got: Token = self
            .send("/v3/auth/authenticate", &body, None)
            .await
            .map_err(|e| match e {
                // The password is never in the message.
                Refused::Unauthenticated(_) => unavailable(format!(
                    "user {:?} was refused: wrong name or password",
                    auth.user.name
                )),
                other => other.into_error(),
            })?;
        *held = Some(got.token.clone());
        Ok(got.token)
    }

    async fn send<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        body: &serde_json::Value,
        token: Option<&str>,
    ) -> Result<T, Refused> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = token {
            request = request.header(reqwest::header::AUTHORIZATION, token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Refused::Other(unavailable(e)))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            let error = unavailable(format!("{path}: {status}: {text}"));
            // etcd answers an expired or unknown token with gRPC's
            // Unauthenticated, which its gateway makes 401; older
            // versions say so only in the text, and a wrong password is
            // InvalidArgument (400) with its own text.
            return Err(
                if status == reqwest::StatusCode::UNAUTHORIZED
                    || text.contains("invalid auth token")
                    // A wrong name or password (etcd 3.4 says 400).
                    || text.contains("authentication failed")
                {
                    Refused::Unauthenticated(error)
                } else {
                    Refused::Other(error)
                },
            );
        }
        response
            .json()
            .await
            .map_err(|e| Refused::Other(unavailable(e)))
    }

    /// A new lease; returns its id.
    pub(crate) async fn grant(&self, ttl: Duration) -> Result<String, DiscoveryError> {
        let grant: Grant = self
            .call("/v3/lease/grant", json!({ "TTL": ttl.as_secs().max(1) }))
            .await?;
        Ok(grant.id)
    }

    /// Renews a lease; `false` if it no longer exists.
    pub(crate) async fn keep_alive(&self, lease: &str) -> Result<bool, DiscoveryError> {
        let k: KeepAlive = self
            .call("/v3/lease/keepalive", json!({ "ID": lease }))
            .await?;
        Ok(k.result
            .and_then(|r| r.ttl)
            .is_some_and(|t| t.parse::<i64>().is_ok_and(|t| t > 0)))
    }

    pub(crate) async fn revoke(&self, lease: &str) -> Result<(), DiscoveryError> {
        let _: serde_json::Value = self
            .call("/v3/kv/lease/revoke", json!({ "ID": lease }))
            .await?;
        Ok(())
    }

    pub(crate) async fn put(
        &self,
        key: &str,
        value: &[u8],
        lease: &str,
    ) -> Result<(), DiscoveryError> {
        let _: serde_json::Value = self
            .call(
                "/v3/kv/put",
                json!({ "key": B64.encode(key), "value": B64.encode(value), "lease": lease }),
            )
            .await?;
        Ok(())
    }

    /// The values of every key under `prefix`, in key order.
    pub(crate) async fn values_under(&self, prefix: &str) -> Result<Vec<Vec<u8>>, DiscoveryError> {
        let range: Range = self
            .call(
                "/v3/kv/range",
                json!({ "key": B64.encode(prefix), "range_end": B64.encode(prefix_end(prefix)) }),
            )
            .await?;
        range
            .kvs
            .into_iter()
            .map(|kv| {
                B64.decode(kv.value.unwrap_or_default())
                    .map_err(unavailable)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{prefix_end, split_user, Credentials};

    #[test]
    fn the_user_in_the_url_is_taken_out_of_it() {
        let (base, user) = split_user("http://fc:p%40ss@127.0.0.1:2379/").unwrap();
        assert_eq!(base, "http://127.0.0.1:2379");
        assert_eq!(
            user,
            Some(Credentials {
                name: "fc".into(),
                password: "p@ss".into()
            })
        );
        let (base, user) = split_user("https://etcd:2379").unwrap();
        assert_eq!((base.as_str(), user), ("https://etcd:2379", None));
    }

    #[test]
    fn prefix_end_is_the_next_key() {
        assert_eq!(prefix_end("a/"), b"a0".to_vec());
        assert_eq!(prefix_end("ab"), b"ac".to_vec());
    }
}
