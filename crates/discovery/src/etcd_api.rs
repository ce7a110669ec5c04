//! The few calls of etcd's v3 API that discovery needs, through etcd's
//! JSON gateway (`POST /v3/...`): plain HTTP, so building ferrochat needs
//! no protoc (the gRPC client crate compiles etcd's .proto files with it).
//! Keys and values are base64 in JSON; 64-bit integers are strings.

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

impl EtcdApi {
    pub(crate) fn new(url: &str, timeout: Duration) -> Result<Self, DiscoveryError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(unavailable)?;
        Ok(Self {
            http,
            base: url.trim_end_matches('/').to_owned(),
        })
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<T, DiscoveryError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(unavailable(format!("{path}: {status}: {text}")));
        }
        response.json().await.map_err(unavailable)
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
    use super::prefix_end;

    #[test]
    fn prefix_end_is_the_next_key() {
        assert_eq!(prefix_end("a/"), b"a0".to_vec());
        assert_eq!(prefix_end("ab"), b"ac".to_vec());
    }
}
